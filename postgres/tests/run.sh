#!/bin/sh
# The PostgreSQL extension's tests, as `make test` runs them:
#   sh postgres/tests/run.sh BUILD_DIR
# Builds and installs the extension (as root, or through sudo), starts three
# PostgreSQL 15 servers of its own on loopback ports $HKS_PG_PORT (default
# 54390) .. +2 under the postgres user (never the Debian cluster on 5432):
# node 0 holds the single-server database and the coordinator, nodes 1 and
# 2 are the shards. Then runs the pg_regress tests (postgres/sql, expected)
# with the seed corpus and dxy_covid_news, against what hksearch itself
# finds (hks_dump over an index built by hkindex). Everything it starts and
# writes goes into one temporary folder, removed at the end.
set -eu
B=${1:-build}
top=$(pwd)
PORT=${HKS_PG_PORT:-54390}
PGBIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$PGBIN/initdb" ] || PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/initdb" ] || { echo "postgres tests: no PostgreSQL 15 server binaries (scripts/install-deps.sh --pg)" >&2; exit 1; }

SUDO=""
RUNAS=""
if [ "$(id -u)" -eq 0 ]; then
    # The server refuses to run as root: it runs as the package's user.
    id postgres >/dev/null 2>&1 || { echo "postgres tests: no postgres user (is postgresql-15 installed?)" >&2; exit 1; }
    RUNAS="runuser -u postgres --"
else
    SUDO="sudo"
fi

for p in $PORT $((PORT + 1)) $((PORT + 2)); do
    if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$p" >/dev/null 2>&1; then
        echo "postgres tests: port $p is taken (set HKS_PG_PORT to a free range)" >&2
        exit 1
    fi
done

W=$(mktemp -d "${TMPDIR:-/tmp}/hks-pg.XXXXXX")
chmod 755 "$W"
[ -n "$RUNAS" ] && chown postgres "$W"
stop() {
    for n in 0 1 2; do
        [ -f "$W/n$n/postmaster.pid" ] && $RUNAS "$PGBIN/pg_ctl" -D "$W/n$n" -m immediate stop >/dev/null 2>&1
    done
    rm -rf "$W"
}
trap stop EXIT INT TERM

echo "== postgres: build and install the extension"
make --no-print-directory -C postgres >/dev/null
make --no-print-directory -C postgres hks_dump >/dev/null
$SUDO make --no-print-directory -C postgres install >/dev/null

echo "== postgres: what hksearch finds (seed corpus + dxy_covid_news)"
# --no-boilerplate: the extension scores every line of an article (it
# has no boilerplate detection), so the index it is compared with does too.
"$B/hkindex" build -q --no-boilerplate -i "$W/idx" corpus/ corpus/dxy_covid_news.docs.jsonl.zst >/dev/null
postgres/hks_dump "$W/idx" > "$W/articles.copy"
postgres/hks_dump "$W/idx" postgres/tests/queries.tsv > "$W/strict.tsv"
postgres/hks_dump "$W/idx" postgres/tests/queries.tsv 10 > "$W/top10.tsv"
cp postgres/tests/queries.tsv "$W/queries.tsv"
chmod 644 "$W"/*.tsv "$W/articles.copy"

echo "== postgres: three servers on 127.0.0.1:$PORT..$((PORT + 2))"
for n in 0 1 2; do
    $RUNAS "$PGBIN/initdb" -D "$W/n$n" --no-locale -E UTF8 --auth=trust -U postgres >"$W/initdb$n.log" 2>&1 ||
        { cat "$W/initdb$n.log" >&2; exit 1; }
    $RUNAS "$PGBIN/pg_ctl" -D "$W/n$n" -w -l "$W/n$n.log" -o \
        "-p $((PORT + n)) -k $W -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=20" \
        start >/dev/null || { cat "$W/n$n.log" >&2; exit 1; }
done

echo "== postgres: pg_regress"
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
export HKS_PG_DATA="$W" HKS_SHARD1_PORT=$((PORT + 1)) HKS_SHARD2_PORT=$((PORT + 2))
mkdir -p "$W/regress"
if ! make --no-print-directory -C postgres installcheck >"$W/regress.log" 2>&1; then
    cat "$W/regress.log" >&2
    [ -f "$W/regress/regression.diffs" ] && head -200 "$W/regress/regression.diffs" >&2
    # kept for a look (and for updating expected/ once checked)
    rm -rf postgres/results && cp -r "$W/regress/results" postgres/results 2>/dev/null || true
    echo "postgres tests: FAILED (outputs in postgres/results/)" >&2
    exit 1
fi
grep -E "^(ok|not ok|# All|All)|tests passed" "$W/regress.log" || true
echo "postgres tests: all passed"
