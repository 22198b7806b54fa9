#!/bin/sh
# The extension through the sqlite3 shell's .load: shell.sql's output must
# be shell.expected. Usage: sqlite/tests/shell.sh build/hks_fts5.so
# ($VALGRIND, e.g. "valgrind -q --error-exitcode=1 --leak-check=full",
# runs the shell under it).
set -eu
ext=${1%.so}
dir=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
{ echo ".load $ext"; cat "$dir/shell.sql"; } | ${VALGRIND:-} sqlite3 -batch :memory: >"$out" 2>&1 || true
if ! diff -u "$dir/shell.expected" "$out"; then
    echo "sqlite shell test: output differs from $dir/shell.expected"
    exit 1
fi
echo "sqlite shell test: ok"
