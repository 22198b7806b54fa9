#!/bin/sh
# The README's "Using it" commands, run as written, as a new user pastes
# them after `make demo`: in a scratch folder that has the project's build/
# and corpus/, with no hksearch on the PATH beforehand.
#   tests/readme/run.sh BUILD_DIR
set -eu
B=$(cd "${1:-build}" && pwd)
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^## Using it/ { on = 1; next } on && /^```sh/ { code = 1; next }
     code && /^```/ { exit } code { print }' README.md >"$tmp/using.sh"
[ -s "$tmp/using.sh" ] || { echo "readme: no sh block under 'Using it'"; exit 1; }
ln -s "$B" "$tmp/build"
ln -s "$root/corpus" "$tmp/corpus"
ln -s "$root/data" "$tmp/data"
if (cd "$tmp" && PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -e using.sh >"$tmp/out" 2>&1); then
    echo "readme: 'Using it' runs as written ($(wc -l <"$tmp/using.sh") lines)"
else
    echo "readme: 'Using it' failed:"; sed 's/^/#   /' "$tmp/out"; exit 1
fi
