#!/bin/sh
# hksearch beside the hks PostgreSQL extension, single server and sharded
# (coordinator + two postgres_fdw shards), in one run on one machine:
#   sh postgres/bench.sh [BUILD_DIR]        (after make && make -C postgres install)
# Data: $HKS_DATA or ../shared/data (cctv_xwlb + hkcnews + dxy_covid_news);
# queries: the Multi-CPR medical queries ($HKS_PG_MCPR of them, default 50:
# PostgreSQL ranks a question over all its bigrams' documents, seconds per
# query) and the 40 phrase queries of the peer benchmark. Latency is taken
# inside each engine (hksearch --timings; clock_timestamp() around each
# hks_search call in the server), p50 and p99 after a warm-up pass.
# Servers: three of its own on 127.0.0.1:$HKS_PG_PORT (default 54380)..+2.
set -eu
B=${1:-build}
DATA=${HKS_DATA:-../shared/data}
PHRASES=${HKS_PHRASES:-../shared/bench/phrase-queries.txt}
NMCPR=${HKS_PG_MCPR:-50}
PORT=${HKS_PG_PORT:-54380}
PGBIN=$(pg_config --bindir)
NEWS="$DATA/cctv_xwlb.docs.jsonl.zst $DATA/hkcnews.docs.jsonl.zst $DATA/dxy_covid_news.docs.jsonl.zst"
for f in $NEWS "$DATA/multicpr_medical_dev.queries.jsonl.zst" "$PHRASES"; do
    [ -f "$f" ] || { echo "bench: $f not found (set HKS_DATA)" >&2; exit 1; }
done
RUNAS=""
[ "$(id -u)" -eq 0 ] && RUNAS="runuser -u postgres --"
W=$(mktemp -d "${HKS_BENCH_TMP:-${TMPDIR:-/tmp}}/hks-pgbench.XXXXXX")
chmod 755 "$W"
[ -n "$RUNAS" ] && chown postgres "$W"
stop() {
    for n in 0 1 2; do
        [ -f "$W/n$n/postmaster.pid" ] && $RUNAS "$PGBIN/pg_ctl" -D "$W/n$n" -m fast stop >/dev/null 2>&1
    done
    rm -rf "$W"
}
trap stop EXIT INT TERM
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }
pct() { # file of ms values -> "p50 p99"
    sort -g "$1" | awk '{v[NR] = $1} END {i50 = int(0.50 * NR + 0.999); i99 = int(0.99 * NR + 0.999);
        printf "%.2f %.2f", v[i50], v[i99]}'
}

zstd -dc "$DATA/multicpr_medical_dev.queries.jsonl.zst" | /usr/bin/python3 -c 'import sys, json
for i, l in enumerate(sys.stdin):
    if i == int(sys.argv[1]): break
    o = json.loads(l); print(o["qid"] + "\t" + " ".join(o["query"].split()))' "$NMCPR" > "$W/multicpr.tsv"
awk 'NF {print "p" NR "\t" $0}' "$PHRASES" > "$W/phrase.tsv"
raw=0
for f in $NEWS; do raw=$((raw + $(zstd -dc "$f" | wc -c))); done

# ---- servers ----------------------------------------------------------------
for n in 0 1 2; do
    $RUNAS "$PGBIN/initdb" -D "$W/n$n" --no-locale -E UTF8 --auth=trust -U postgres >/dev/null
    $RUNAS "$PGBIN/pg_ctl" -D "$W/n$n" -w -l "$W/n$n.log" -o "-p $((PORT + n)) -k $W \
        -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c maintenance_work_mem=512MB \
        -c work_mem=64MB -c synchronous_commit=off -c max_wal_size=4GB -c jit=off" start >/dev/null
done
psql_n() { n=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $((PORT + n)) -U postgres "$@"; }
TABLE="CREATE TABLE articles (collection text COLLATE \"C\" NOT NULL, id text COLLATE \"C\" NOT NULL,
    title text, body text, date text, source text, url text,
    tsv tsvector, dl int4, lossy bool, PRIMARY KEY (collection, id));"

# ---- databases: one server; a coordinator and two shards --------------------
psql_n 0 -c "CREATE DATABASE single"
psql_n 0 -d single -c "CREATE EXTENSION hks" -c "$TABLE" -c "SELECT hks_track('articles')" >/dev/null
# A bulk load: the shards' statistics trigger is off during the load and one
# recount follows; the GIN index is built after the load (as on one server).
for n in 1 2; do
    psql_n $n -c "CREATE DATABASE shard"
    psql_n $n -d shard -c "CREATE EXTENSION hks" -c "$TABLE" -c "SELECT hks_track('articles')" \
        -c "ALTER TABLE articles DISABLE TRIGGER hks_stats_ins" >/dev/null
done
psql_n 0 -c "CREATE DATABASE coord"
psql_n 0 -d coord >/dev/null <<EOF
CREATE EXTENSION hks;
CREATE EXTENSION postgres_fdw;
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw OPTIONS (
    host '127.0.0.1', port '$((PORT + 1))', dbname 'shard', extensions 'hks', async_capable 'true');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw OPTIONS (
    host '127.0.0.1', port '$((PORT + 2))', dbname 'shard', extensions 'hks', async_capable 'true');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user 'postgres');
CREATE TABLE articles (collection text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    title text, body text, date text, source text, url text,
    tsv tsvector, dl int4, lossy bool) PARTITION BY HASH (collection, id);
-- use_remote_estimate: the shard's own estimate of the matches lets the
-- planner ship ORDER BY score and LIMIT (it keeps them local when it
-- guesses fewer rows than the limit).
CREATE FOREIGN TABLE articles_1 PARTITION OF articles FOR VALUES WITH (MODULUS 2, REMAINDER 0)
    SERVER shard1 OPTIONS (table_name 'articles', batch_size '100', use_remote_estimate 'true');
CREATE FOREIGN TABLE articles_2 PARTITION OF articles FOR VALUES WITH (MODULUS 2, REMAINDER 1)
    SERVER shard2 OPTIONS (table_name 'articles', batch_size '100', use_remote_estimate 'true');
CREATE FOREIGN TABLE hks_stats_1 () INHERITS (hks_stats) SERVER shard1 OPTIONS (table_name 'hks_stats');
CREATE FOREIGN TABLE hks_stats_2 () INHERITS (hks_stats) SERVER shard2 OPTIONS (table_name 'hks_stats');
CREATE FOREIGN TABLE hks_df_1 () INHERITS (hks_df) SERVER shard1 OPTIONS (table_name 'hks_df');
CREATE FOREIGN TABLE hks_df_2 () INHERITS (hks_df) SERVER shard2 OPTIONS (table_name 'hks_df');
CREATE TABLE staging (collection text, id text, title text, body text, date text, source text, url text);
EOF
# Every database gets the extension before the long steps, as installed now.
psql_n 0 -d coord -At -c "SELECT 'hks_topk_sql'::regproc" >/dev/null ||
    { echo "bench: the installed hks extension has no hks_topk_sql (make -C postgres install)" >&2; exit 1; }

# ---- hksearch -------------------------------------------------------------
t0=$(now)
"$B/hkindex" build -q -i "$W/idx" $NEWS >/dev/null
t1=$(now)
hks_build=$(secs "$t0" "$t1")
for set in multicpr phrase; do
    "$B/hksearch" -i "$W/idx" -n 10 --format trec --queries "$W/$set.tsv" >/dev/null
    "$B/hksearch" -i "$W/idx" -n 10 --format trec --queries "$W/$set.tsv" --timings "$W/hks-$set.ms" >/dev/null
    cut -f2 "$W/hks-$set.ms" > "$W/hks-$set.v"
done
postgres/hks_dump "$W/idx" > "$W/articles.copy"
chmod 644 "$W"/*.tsv "$W/articles.copy"
ndocs=$(wc -l < "$W/articles.copy")

# Latency of each query inside the server, after a warm-up pass.
LAT="CREATE TEMP TABLE q (qid text, query text);
COPY q FROM '$W/SET.tsv';
DO \$\$ DECLARE r record; t timestamptz; BEGIN
  FOR r IN SELECT * FROM q LOOP PERFORM * FROM hks_search(r.query, 10); END LOOP;
  CREATE TEMP TABLE ms (ms float8);
  FOR r IN SELECT * FROM q LOOP
    t := clock_timestamp(); PERFORM * FROM hks_search(r.query, 10);
    INSERT INTO ms VALUES (extract(epoch FROM clock_timestamp() - t) * 1000);
  END LOOP; END \$\$;
COPY ms TO STDOUT;"

# ---- single server -------------------------------------------------------------
t0=$(now)
psql_n 0 -d single -c "COPY articles (collection, id, title, body, date, source, url) FROM '$W/articles.copy'"
t1=$(now)
psql_n 0 -d single -c "CREATE INDEX articles_tsv ON articles USING gin (tsv)" -c "VACUUM ANALYZE articles"
t2=$(now)
pg_load=$(secs "$t0" "$t1"); pg_gin=$(secs "$t1" "$t2")
echo "bench: hksearch build $hks_build s; one server: COPY $pg_load s, GIN $pg_gin s" >&2
# the other way to keep the statistics: one recount
t0=$(now)
psql_n 0 -d single -c "SELECT hks_refresh('articles')" >/dev/null
t1=$(now)
pg_refresh=$(secs "$t0" "$t1")
# one article a statement (as an application would add them): 300 rows,
# with and without the statistics triggers
ONE="CREATE TABLE one (LIKE articles INCLUDING ALL);
CREATE TEMP TABLE src AS SELECT collection, id, title, body, date, source, url FROM articles
    ORDER BY id LIMIT 300;
CREATE INDEX ON one USING gin (tsv);
SELECT hks_track('one');
DO \$\$ DECLARE r record; t timestamptz; BEGIN
  t := clock_timestamp();
  FOR r IN SELECT * FROM src LOOP
    INSERT INTO one (collection, id, title, body, date, source, url)
      VALUES (r.collection, r.id, r.title, r.body, r.date, r.source, r.url);
  END LOOP;
  RAISE NOTICE 'with=%', extract(epoch FROM clock_timestamp() - t) * 1000 / 300;
  TRUNCATE one;
  ALTER TABLE one DISABLE TRIGGER hks_stats_ins;
  t := clock_timestamp();
  FOR r IN SELECT * FROM src LOOP
    INSERT INTO one (collection, id, title, body, date, source, url)
      VALUES (r.collection, r.id, r.title, r.body, r.date, r.source, r.url);
  END LOOP;
  RAISE NOTICE 'without=%', extract(epoch FROM clock_timestamp() - t) * 1000 / 300;
END \$\$;
DROP TABLE one;
SELECT hks_refresh('articles');"
psql_n 0 -d single -c "$ONE" > /dev/null 2> "$W/one.log"
row_with=$(sed -n 's/.*with=\([0-9.]*\).*/\1/p' "$W/one.log" | head -1)
row_without=$(sed -n 's/.*without=\([0-9.]*\).*/\1/p' "$W/one.log")
echo "bench: one article per INSERT: $row_with ms with the statistics triggers, $row_without ms without" >&2
pg_size=$(psql_n 0 -d single -At -c "SELECT round(pg_total_relation_size('articles') / 1e6)")

# tf: what PostgreSQL's limits drop, and what it would do to the scores
psql_n 0 -d single -At -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE lossy),
    coalesce(sum(dl - hks_tsv_length(tsv)) FILTER (WHERE lossy), 0),
    coalesce(max(dl - hks_tsv_length(tsv)) FILTER (WHERE lossy), 0),
    count(*) FILTER (WHERE dl >= 16383) FROM articles" > "$W/lossy"
TF="CREATE TEMP TABLE q (qid text, query text);
COPY q FROM '$W/phrase.tsv';
COPY q FROM '$W/multicpr.tsv';
CREATE TEMP TABLE d AS
  SELECT s.score AS exact_tf,
         hks_score(a.tsv, a.dl, p.terms, p.prefix, w.w, w.avgdl) AS kept_tf
    FROM q, LATERAL hks_parse(q.query) p, LATERAL hks_weights(p.terms, p.prefix, p.qtf) w,
         LATERAL hks_search(q.query, 10) s JOIN articles a USING (collection, id)
   WHERE s.exact AND a.lossy;
SELECT count(*), coalesce(max(abs(exact_tf - kept_tf) / exact_tf), 0) FROM d;"
psql_n 0 -d single -At -F ' ' -c "$TF" | tail -1 > "$W/tfdiff"

for set in multicpr phrase; do
    psql_n 0 -d single -c "$(echo "$LAT" | sed "s/SET/$set/")" > "$W/pg-$set.v"
    echo "bench: one server, $set p50/p99 ms: $(pct "$W/pg-$set.v")" >&2
done

# ---- coordinator + two shards ----------------------------------------------------
# ---- coordinator + two shards ----------------------------------------------------
psql_n 0 -d coord -c "COPY staging FROM '$W/articles.copy'"
t0=$(now)
psql_n 0 -d coord -c "INSERT INTO articles (collection, id, title, body, date, source, url) SELECT * FROM staging"
t1=$(now)
for n in 1 2; do
    psql_n $n -d shard -c "CREATE INDEX articles_tsv ON articles USING gin (tsv)" \
        -c "ALTER TABLE articles ENABLE TRIGGER hks_stats_ins" -c "SELECT hks_refresh('articles')" \
        -c "VACUUM ANALYZE articles" >/dev/null &
done
wait
t2=$(now)
psql_n 0 -d coord -c "DROP TABLE staging"
sh_load=$(secs "$t0" "$t1"); sh_gin=$(secs "$t1" "$t2")
echo "bench: sharded load $sh_load s, GIN + recount on both shards $sh_gin s" >&2
for set in multicpr phrase; do
    psql_n 0 -d coord -c "$(echo "$LAT" | sed "s/SET/$set/")" > "$W/sh-$set.v"
    echo "bench: sharded, $set p50/p99 ms: $(pct "$W/sh-$set.v")" >&2
done
# the same answers: top 10 of every query, sharded against single
CMP="CREATE TEMP TABLE q (qid text, query text);
COPY q FROM '$W/phrase.tsv';
COPY q FROM '$W/multicpr.tsv';
COPY (SELECT q.qid, s.collection, s.id, s.score, s.exact FROM q, LATERAL hks_search(q.query, 10) s) TO STDOUT;"
psql_n 0 -d single -c "$CMP" > "$W/single.top"
psql_n 0 -d coord -c "$CMP" > "$W/coord.top"
same=$(awk -F'\t' 'NR == FNR {k[FNR] = $1 FS $2 FS $3 FS $5; s[FNR] = $4; n = FNR; next}
    {m++; if (k[FNR] != $1 FS $2 FS $3 FS $5) bad++;
     d = $4 - s[FNR]; if (d < 0) d = -d; if (d > 1e-9 * (s[FNR] < 0 ? -s[FNR] : s[FNR])) bad++}
    END {printf "%d of %d hits differ (%d vs %d rows)", bad, n, n, m}' "$W/single.top" "$W/coord.top")

# ---- report ------------------------------------------------------------------------
set -- $(cat "$W/lossy"); docs=$1 lossy=$2 lost=$3 maxlost=$4 long=$5
set -- $(cat "$W/tfdiff"); tfhits=$1 tfrel=$2
set -- $(pct "$W/hks-multicpr.v"); hm50=$1 hm99=$2
set -- $(pct "$W/hks-phrase.v"); hp50=$1 hp99=$2
set -- $(pct "$W/pg-multicpr.v"); pm50=$1 pm99=$2
set -- $(pct "$W/pg-phrase.v"); pp50=$1 pp99=$2
set -- $(pct "$W/sh-multicpr.v"); sm50=$1 sm99=$2
set -- $(pct "$W/sh-phrase.v"); sp50=$1 sp99=$2
mb=$(awk -v r="$raw" 'BEGIN {printf "%.1f", r / 1e6}')
r() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1fx", a / b; else print "-"}'; }
echo "hks PostgreSQL bench: $ndocs articles ($mb MB of JSONL), Multi-CPR first $NMCPR queries, 40 phrases"
echo "| | hksearch | PostgreSQL, one server | PostgreSQL, coordinator + 2 shards |"
echo "| --- | --- | --- | --- |"
echo "| load + index | $hks_build s | $pg_load s COPY (tsvector + statistics triggers) + $pg_gin s GIN = $(awk -v a="$pg_load" -v b="$pg_gin" 'BEGIN {print a + b}') s ($(r "$(awk -v a="$pg_load" -v b="$pg_gin" 'BEGIN {print a + b}')" "$hks_build")) | $sh_load s INSERT through the coordinator (statistics triggers off) + $sh_gin s GIN and recount on both shards at once = $(awk -v a="$sh_load" -v b="$sh_gin" 'BEGIN {print a + b}') s ($(r "$(awk -v a="$sh_load" -v b="$sh_gin" 'BEGIN {print a + b}')" "$hks_build")) |"
echo "| Multi-CPR p50 / p99 ms | $hm50 / $hm99 | $pm50 / $pm99 ($(r "$pm50" "$hm50") at p50) | $sm50 / $sm99 ($(r "$sm50" "$hm50")) |"
echo "| phrases p50 / p99 ms | $hp50 / $hp99 | $pp50 / $pp99 ($(r "$pp50" "$hp50")) | $sp50 / $sp99 ($(r "$sp50" "$hp50")) |"
echo "table + indexes: $pg_size MB; hks_refresh (a full recount of the statistics) $pg_refresh s"
echo "one article per INSERT: $row_with ms with the statistics triggers, $row_without ms without"
echo "lossy: $lossy of $docs articles (positions dropped: $lost in all, at most $maxlost in one; $long of 16,383+ terms)"
echo "tf: $tfhits strict top-10 hits are lossy; scoring them on the tsvector would change a score by up to $tfrel (relative)"
echo "sharded against single, top 10 of every query: $same"
