#!/bin/sh
# Installs hksearch into a temporary prefix, then builds examples/embed.c
# against the installed copy with pkg-config, as an embedding program
# would, and checks what it finds: the shared library (run through the
# installed soname) and the static one.
set -eu
MAKE=${1:-make}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$MAKE --no-print-directory install prefix="$tmp/usr" >/dev/null
export PKG_CONFIG_PATH="$tmp/usr/lib/pkgconfig"
test "$(pkg-config --modversion hks)" = "$(sed -n 's/^VERSION *:= *//p' Makefile)"
# The cflags are the include path alone: nothing of the dependencies'
# own flags (libutf8proc's -DUTF8PROC_EXPORTS) reaches an embedding build.
cflags=$(pkg-config --cflags hks | sed "s/ *$//")
[ "$cflags" = "-I$tmp/usr/include" ] || { echo "install-test: pkg-config --cflags hks is '$cflags'"; exit 1; }
cc -Wall -Werror examples/embed.c $(pkg-config --cflags --libs hks) -o "$tmp/embed"
LD_LIBRARY_PATH="$tmp/usr/lib" "$tmp/embed" "$tmp/idx" "疫苗接种" > "$tmp/out"
# The simplified query finds the simplified and the traditional article,
# not the one without the phrase.
grep -q '^1	a[12]	' "$tmp/out"
grep -q '^2	a[12]	' "$tmp/out"
! grep -q '	a3	' "$tmp/out"
grep -q '^2 exact matches' "$tmp/out"
# The second page of one hit is the hit ranked second.
test "$(sed -n 's/^page 2	//p' "$tmp/out")" = "$(sed -n 's/^2	\([^	]*\)	.*/\1/p' "$tmp/out")"
# Static linking through pkg-config --static.
cc examples/embed.c $(pkg-config --cflags hks) "$tmp/usr/lib/libhks.a" \
   $(pkg-config --static --libs-only-l hks | sed 's/-lhks//') -o "$tmp/embed-static"
"$tmp/embed-static" "$tmp/idx2" "醫院" | grep -q '^1	a2	'
# The installed programs run.
"$tmp/usr/bin/hksearch" --help | grep -q -- '--timings'
echo "install-test: ok (prefix install, pkg-config, shared and static embedding)"
