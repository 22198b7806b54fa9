#!/bin/sh
# Golden tokenizer tests (Groonga .test/.expected style): for every
# tests/golden/tokenize/NAME.txt, run TOKDUMP on it and compare its output
# ("pos<TAB>term<TAB>start-end<TAB>flags" per token) with NAME.expected.
#
# Usage: tests/golden/run.sh TOKDUMP [--update]
#   --update rewrites every .expected from the current output (review the
#   diff before committing it). Exit status: 0 all match, 1 a mismatch or
#   a missing .expected, 2 usage.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 TOKDUMP [--update]" >&2
    exit 2
fi
tokdump=$1
update=0
if [ $# -eq 2 ]; then
    if [ "$2" != "--update" ]; then
        echo "usage: $0 TOKDUMP [--update]" >&2
        exit 2
    fi
    update=1
fi
if [ ! -x "$tokdump" ]; then
    echo "$0: $tokdump is not an executable" >&2
    exit 2
fi

dir=$(dirname "$0")/tokenize
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT INT TERM

pass=0
failed=0
for txt in "$dir"/*.txt; do
    [ -e "$txt" ] || continue
    name=$(basename "$txt" .txt)
    expected="$dir/$name.expected"
    if ! "$tokdump" "$txt" >"$tmp" 2>/dev/null; then
        echo "FAIL $name: tokdump exited with an error"
        failed=$((failed + 1))
        continue
    fi
    if [ "$update" -eq 1 ]; then
        if [ ! -f "$expected" ] || ! cmp -s "$tmp" "$expected"; then
            cp "$tmp" "$expected"
            echo "updated $name"
        fi
        pass=$((pass + 1))
    elif [ ! -f "$expected" ]; then
        echo "FAIL $name: no $name.expected (run make golden-update)"
        failed=$((failed + 1))
    elif cmp -s "$tmp" "$expected"; then
        pass=$((pass + 1))
    else
        echo "FAIL $name:"
        diff -u "$expected" "$tmp" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done

echo "golden: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
