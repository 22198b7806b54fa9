#!/bin/sh
# The library's layers, proved on the built objects (make lint):
#   common/ <- format/ <- indexer/ (write side), searcher/ (read side)
# Each folder's objects may use only the hks_ symbols defined in its own
# folder or in the folders below it: the read side never links the writer,
# nor the writer the searcher. The programs use libhks through hks.h only,
# and each folder's header declares only functions of that folder.
#   scripts/check-layers.sh BUILD_DIR
set -eu
obj="$1/obj"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# layer NAME BELOW...: NAME's undefined hks_ symbols must be defined in
# NAME or BELOW.
layer() {
    name=$1
    for d in "$@"; do
        nm --defined-only "$obj/$d"/*.o
    done | awk 'NF == 3 && $2 ~ /^[TDBRC]$/ { print $3 }' | sort -u >"$tmp/defs"
    nm -u "$obj/$name"/*.o | awk '$NF ~ /^hks_/ { print $NF }' | sort -u >"$tmp/uses"
    bad=$(comm -23 "$tmp/uses" "$tmp/defs")
    if [ -n "$bad" ]; then
        echo "check-layers: $name/ uses symbols from outside its layers:" $bad
        fail=1
    fi
}
layer common
layer format common
layer indexer format common
layer searcher format common
# Includes say the same: no arrow between the two sides, none upwards.
if grep -n '#include "hks_\(indexer\|searcher\)\.h"' common/*.[ch] format/*.[ch]; then
    echo "check-layers: common/ or format/ includes a side's header"; fail=1
fi
if grep -n '#include "hks_searcher\.h"' indexer/*.[ch] ||
   grep -n '#include "hks_indexer\.h"' searcher/*.[ch]; then
    echo "check-layers: an arrow between indexer/ and searcher/"; fail=1
fi
if grep -n '#include "' programs/*.c sqlite/*.c | grep -v '"hks\.h"'; then
    echo "check-layers: a program or binding includes more than hks.h"; fail=1
fi
# Each folder's header declares only what that folder defines.
for d in common format indexer searcher; do
    h=$(ls "$d"/hks_*.h)
    grep -oE 'HKS_INTERNAL [^(]*\b(hks_[a-z0-9_]+)\(' "$h" | grep -oE 'hks_[a-z0-9_]+\($' |
        tr -d '(' | sort -u >"$tmp/decl"
    nm --defined-only "$obj/$d"/*.o | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/own"
    bad=$(comm -23 "$tmp/decl" "$tmp/own")
    if [ -n "$bad" ]; then
        echo "check-layers: $h declares functions defined elsewhere:" $bad
        fail=1
    fi
done
[ "$fail" = 0 ] && echo "check-layers: ok"
exit "$fail"
