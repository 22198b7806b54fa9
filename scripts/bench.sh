#!/bin/sh
# make bench: build an index of the news data and run a fixed query set.
#   scripts/bench.sh BUILD_DIR
# Data: $HKS_DATA or ../shared/data (cctv_xwlb + hkcnews + dxy_covid_news,
# the same news stream as the peer benchmark). Queries: the 1,000 Multi-CPR
# medical queries and the 40 phrase queries of the peer benchmark.
# Prints build MB/s, peak RSS, index size / raw size (postings and document
# store apart), per-query latency p50/p95/p99 measured inside the process
# (hksearch --timings) for the Multi-CPR, phrase and one-character sets,
# and instruction counts (valgrind's callgrind: the same for the same
# binary and input however busy the machine is) of the first 200 Multi-CPR
# queries and of tokenizing corpus/dxy_covid_news.docs.jsonl.zst once;
# then one machine-readable summary line.
set -eu
B=${1:-build}
DATA=${HKS_DATA:-../shared/data}
PHRASES=${HKS_PHRASES:-../shared/bench/phrase-queries.txt}
CHARS=${HKS_CHARS:-../shared/bench/char-queries.txt}
NEWS="$DATA/cctv_xwlb.docs.jsonl.zst $DATA/hkcnews.docs.jsonl.zst $DATA/dxy_covid_news.docs.jsonl.zst"
for f in $NEWS "$DATA/multicpr_medical_dev.queries.jsonl.zst"; do
    [ -f "$f" ] || { echo "bench: $f not found (set HKS_DATA)" >&2; exit 1; }
done
# Scratch space: a fresh folder of our own (under $HKS_BENCH_TMP, else
# $TMPDIR or /tmp), removed at the end; nothing else is ever deleted.
W=$(mktemp -d "${HKS_BENCH_TMP:-${TMPDIR:-/tmp}}/hks-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
raw=0
for f in $NEWS; do raw=$((raw + $(zstd -dc "$f" | wc -c))); done

/usr/bin/time -v "$B/hkindex" build -q -i "$W/idx" $NEWS 2> "$W/build.time" >/dev/null || {
    cat "$W/build.time" >&2; exit 1; }
secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0;
       for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$W/build.time")
rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$W/build.time")
"$B/hkindex" stats -i "$W/idx" > "$W/stats"
post=$(awk '/^postings/ {print $2}' "$W/stats")
text=$(awk '/^text store/ {print $3}' "$W/stats")
total=$(du -sb "$W/idx" | awk '{printf "%.2f", $1 / 1e6}')

# Query sets: qid<TAB>query
zstd -dc "$DATA/multicpr_medical_dev.queries.jsonl.zst" |
    /usr/bin/python3 -c 'import sys, json
for l in sys.stdin:
    o = json.loads(l); print(o["qid"] + "\t" + " ".join(o["query"].split()))' > "$W/multicpr.tsv"
awk 'NF {print "p" NR "\t" $0}' "$PHRASES" > "$W/phrase.tsv"
awk 'NF {print "c" NR "\t" $0}' "$CHARS" > "$W/char.tsv"
head -n 200 "$W/multicpr.tsv" > "$W/multicpr200.tsv"

lat() { # set name: warm-up pass, then the timed pass; prints p50 p95 p99 zero-hit
    "$B/hksearch" -i "$W/idx" -n 10 --format trec --queries "$W/$1.tsv" > /dev/null
    "$B/hksearch" -i "$W/idx" -n 10 --format trec --queries "$W/$1.tsv" \
        --timings "$W/$1.ms" > "$W/$1.run"
    zero=$(awk '{print $1}' "$W/$1.run" | sort -u | wc -l)
    zero=$(( $(wc -l < "$W/$1.tsv") - zero ))
    sort -t "$(printf '\t')" -k2 -g "$W/$1.ms" | awk -F'\t' -v z="$zero" '
        {v[NR] = $2} END {
        i50 = int(0.50 * NR + 0.999); i95 = int(0.95 * NR + 0.999); i99 = int(0.99 * NR + 0.999);
        printf "%.2f %.2f %.2f %d", v[i50], v[i95], v[i99], z}'
}
set -- $(lat multicpr); m50=$1 m95=$2 m99=$3 mz=$4
set -- $(lat phrase); p50=$1 p95=$2 p99=$3 pz=$4
set -- $(lat char); c50=$1 c95=$2 c99=$3 cz=$4

ir() { # instructions executed by a command, from callgrind
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        awk '/Collected :/ {print $NF}'
}
ir_q=$(ir "$B/hksearch" -i "$W/idx" -n 10 --format trec --queries "$W/multicpr200.tsv")
ir_t=$(ir "$B/tools/bench_tokenize" corpus/dxy_covid_news.docs.jsonl.zst 1)

mb=$(awk -v r="$raw" 'BEGIN {printf "%.1f", r / 1e6}')
mbs=$(awk -v r="$raw" -v s="$secs" 'BEGIN {printf "%.2f", r / 1e6 / s}')
ratio() { awk -v a="$1" -v r="$raw" 'BEGIN {printf "%.3f", a * 1e6 / r}'; }
echo "hksearch bench: news = cctv_xwlb + hkcnews + dxy_covid_news, $mb MB of JSONL"
echo "  build       $secs s, $mbs MB/s, peak RSS $rss MB"
echo "  index       $total MB = $(ratio "$total")x raw (postings + dictionary $post MB = $(ratio "$post")x, text store $text MB = $(ratio "$text")x)"
echo "  multicpr    1000 queries, top 10: p50 $m50 ms, p95 $m95 ms, p99 $m99 ms ($mz with no hit)"
echo "  phrase      40 queries, top 10:   p50 $p50 ms, p95 $p95 ms, p99 $p99 ms ($pz with no hit)"
echo "  one char    $(wc -l < "$W/char.tsv") queries, top 10:   p50 $c50 ms, p95 $c95 ms, p99 $c99 ms ($cz with no hit)"
echo "  instructions: 200 Multi-CPR queries $ir_q; tokenizing dxy_covid_news once $ir_t"
echo "BENCH commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown) build_s=$secs mb_s=$mbs rss_mb=$rss index_mb=$total postings_mb=$post text_mb=$text raw_mb=$mb multicpr_p50=$m50 multicpr_p95=$m95 multicpr_p99=$m99 phrase_p50=$p50 phrase_p95=$p95 phrase_p99=$p99 char_p50=$c50 char_p95=$c95 char_p99=$c99 ir_queries=$ir_q ir_tokenize=$ir_t"
