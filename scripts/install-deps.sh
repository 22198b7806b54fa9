#!/bin/sh
# Installs the Debian packages hksearch needs to build, test and run, but
# only those that are missing, and says what it does. Safe to run again.
#   scripts/install-deps.sh          build + test packages
#   scripts/install-deps.sh --gen    also OpenCC (only needed to regenerate
#                                    common/zhfold_data.c)
#   scripts/install-deps.sh --ci     also valgrind, cppcheck, clang-tidy and
#                                    clang-format
#                                    (CI runs the checkers and valgrind)
#   scripts/install-deps.sh --fuzz   also clang and its libFuzzer runtime
#                                    (make fuzz)
#   scripts/install-deps.sh --bench  also valgrind (make bench counts
#                                    instructions with callgrind)
#   scripts/install-deps.sh --eval   also OpenCC's converter (make eval turns
#                                    drcd's questions into simplified script)
#   scripts/install-deps.sh --pg     also PostgreSQL 15 and its server headers
#                                    (postgres/, its tests in make test;
#                                    postgres_fdw comes with postgresql-15)
set -eu
pkgs="build-essential pkg-config libutf8proc-dev libzstd-dev libxxhash-dev libcmocka-dev zstd"
# The SQLite extension (sqlite/) and its tests.
pkgs="$pkgs libsqlite3-dev sqlite3"
# The Python package (python/): installed with pip into a venv that sees
# Debian's setuptools, wheel and pytest, without build isolation.
pkgs="$pkgs python3 python3-pip python3-venv python3-setuptools python3-wheel python3-pytest"
[ "${1:-}" = "--gen" ] && pkgs="$pkgs opencc libopencc-data python3"
[ "${1:-}" = "--ci" ] && pkgs="$pkgs valgrind cppcheck clang-tidy clang-format"
[ "${1:-}" = "--fuzz" ] && pkgs="$pkgs clang libclang-rt-dev"
[ "${1:-}" = "--eval" ] && pkgs="$pkgs opencc"
[ "${1:-}" = "--bench" ] && pkgs="$pkgs valgrind"
[ "${1:-}" = "--pg" ] && pkgs="$pkgs postgresql-15 postgresql-server-dev-15"
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || $SUDO apt-get update
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
