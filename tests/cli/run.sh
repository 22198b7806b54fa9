#!/bin/sh
# End-to-end tests of the two programs over corpus/, as a user runs them.
# usage: tests/cli/run.sh BUILD_DIR
set -u
B=${1:-build}
HKINDEX="$B/hkindex"
HKSEARCH="$B/hksearch"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/#   /'; }

# ids of a TREC run, sorted
ids() { awk '{print $3}' | sort | tr '\n' ' ' | sed 's/ $//'; }

IDX="$tmp/idx"
out=$("$HKINDEX" build -q -i "$IDX" corpus/ 2>&1) && ok "build corpus/" || no "build corpus/" "$out"
echo "$out" | grep -q 'hkindex build: 5 documents' && ok "build reports 5 documents" || no "build summary" "$out"

got=$("$HKSEARCH" -i "$IDX" --format trec 疫苗接种 | ids)
want="000_beb05f062f43795e.txt 001_ade38ef73a2d2cc1.txt 002_a98c0e2f6a5c2cb4.txt 004_9aacc04dfcdb4d2e.txt"
[ "$got" = "$want" ] && ok "疫苗接种 finds exactly 000 001 002 004" || no "疫苗接种" "got: $got"
got=$("$HKSEARCH" -i "$IDX" --format trec 疫苗接種 | ids)
[ "$got" = "$want" ] && ok "疫苗接種 (traditional) finds the same four" || no "疫苗接種" "got: $got"
got=$("$HKSEARCH" -i "$IDX" --format trec ＪＰＧ | ids)
[ -n "$got" ] && ok "full-width ＪＰＧ finds jpg" || no "full-width query"

# Text output: title, highlighted snippet cut from the traditional article.
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" 疫苗接种)
echo "$out" | grep -q '战“疫”!襄垣县医疗集团为人民群众筑起生命防线' && ok "title of 000 is its headline" \
    || no "title of 000" "$out"
echo "$out" | grep -q '【疫苗接種】' && ok "traditional article highlighted in its own script" \
    || no "traditional highlight" "$out"
echo "$out" | grep -q '^4 articles match "疫苗接种"' && ok "text summary counts 4" || no "summary" "$out"

# One character: every article containing it.
cnt=$("$HKSEARCH" -i "$IDX" -n 100 --format trec 苗 | wc -l)
[ "$cnt" -ge 4 ] && ok "one-character query 苗 finds $cnt articles" || no "one-character query" "$cnt"

# No match: says so, exit 1.
out=$("$HKSEARCH" -i "$IDX" 鐵達尼號冰山 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'no articles match' && ok "no match: message and exit 1" \
    || no "no match" "rc=$rc $out"

# Bad queries: a clear message, exit 2, never a crash.
# A lone quote mark is text (as web search engines read it).
a=$("$HKSEARCH" -i "$IDX" -n 100 --format trec '"疫苗' | wc -l)
b=$("$HKSEARCH" -i "$IDX" -n 100 --format trec '疫苗' | wc -l)
[ "$a" -eq "$b" ] && [ "$a" -gt 0 ] && ok "a lone quote is text: \"疫苗 = 疫苗 ($a)" \
    || no "lone quote" "$a vs $b"
out=$("$HKSEARCH" -i "$IDX" '"' 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'nothing to search for' && ok "a quote alone: nothing to search for" \
    || no "quote alone" "rc=$rc $out"
out=$("$HKSEARCH" -i "$IDX" '，。！？' 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'nothing to search for' && ok "punctuation-only query rejected" \
    || no "punctuation query" "rc=$rc $out"
long=$(printf '疫%.0s' $(seq 1 5000))
out=$("$HKSEARCH" -i "$IDX" "$long" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'too long' && ok "5,000-character query rejected" \
    || no "long query" "rc=$rc"
out=$("$HKSEARCH" -i "$IDX" -- - 2>&1); rc=$?
[ $rc -eq 2 ] && ok "a lone - is rejected with a message" || no "lone -" "rc=$rc $out"

# A pasted paragraph of 1,300 characters is a question: it finds the
# article it comes from, and says it kept its rarest terms.
para=$(printf '%s' "$(cat corpus/*.txt corpus/*.md 2>/dev/null)" | tr -d ' \n\t\r' | cut -c1-4000 | head -c 3900)
out=$("$HKSEARCH" -i "$IDX" -n 1 --format trec "$para" 2>"$tmp/notice"); rc=$?
[ $rc -eq 0 ] && [ -n "$out" ] && grep -q 'long query: read as plain text' "$tmp/notice" \
    && ok "a pasted 1,300-character paragraph is a query, with a notice" \
    || no "pasted paragraph" "rc=$rc $out $(cat "$tmp/notice")"
# --sort date: newest first; --literal: operators are text.
got=$("$HKSEARCH" -i "$IDX" --format trec --sort date -n 10 疫苗 | awk '{print $3}' | tr '\n' ' ')
# (2023-05-25, 2021-09-11, then the undated ones by doc id)
[ "$got" = "004_9aacc04dfcdb4d2e.txt 000_beb05f062f43795e.txt 001_ade38ef73a2d2cc1.txt 002_a98c0e2f6a5c2cb4.txt " ] \
    && ok "--sort date lists newest first" || no "--sort date" "$got"
a=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" 疫苗接种 -襄垣县 | tail -1)
b=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" --literal 疫苗接种 -襄垣县 | tail -1)
case "$a|$b" in "3 articles match"*"|1 article matches"*) ok "--literal: -襄垣县 is text" ;;
    *) no "--literal" "$a / $b" ;; esac

# Options may follow the query words.
cnt=$("$HKSEARCH" -i "$IDX" 疫苗接种 --format trec -n 2 | wc -l)
[ "$cnt" -eq 2 ] && ok "options after the query" || no "options after the query" "$cnt"

# Operators.
got=$("$HKSEARCH" -i "$IDX" --format trec 疫苗接种 -襄垣县 | ids)
case "$got" in *000_*) no "exclusion" "$got" ;; *) ok "-襄垣县 excludes 000" ;; esac
got=$("$HKSEARCH" -i "$IDX" --format trec 襄垣县 OR 游仙 | ids)
case "$got" in *000_*004_*) ok "OR finds both" ;; *) no "OR" "$got" ;; esac

# JSON: one object per hit with spans, then a summary.
out=$("$HKSEARCH" -i "$IDX" --format json -n 2 疫苗接种)
[ "$(echo "$out" | wc -l)" -eq 3 ] && echo "$out" | head -1 | grep -q '"highlights":\[\[' \
    && echo "$out" | tail -1 | grep -q '"exact":4' && ok "json output" || no "json" "$out"

# Batch mode with timings (the benchmark's interface).
printf 'q1\t疫苗接种\nq2\t医院\n' > "$tmp/q.tsv"
"$HKSEARCH" -i "$IDX" -n 3 --format trec --queries "$tmp/q.tsv" --timings "$tmp/t.tsv" > "$tmp/run"
grep -q '^q1 Q0 ' "$tmp/run" && grep -q '^q2 Q0 ' "$tmp/run" && [ "$(wc -l < "$tmp/t.tsv")" -eq 2 ] \
    && ok "--queries and --timings" || no "batch mode" "$(cat "$tmp/run")"

# Counting without showing: -n 0 still counts and succeeds; an offset past
# the end says so.
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" -n 0 疫苗接种); rc=$?
[ $rc -eq 0 ] && [ "$out" = '4 articles match "疫苗接种" (none shown: -n 0)' ] \
    && ok "-n 0 counts the matches, exit 0" || no "-n 0" "rc=$rc $out"
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" --offset 10 疫苗接种); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q 'none shown after --offset 10' \
    && ok "offset past the last hit says so" || no "offset past the end" "rc=$rc $out"
# Batch-mode mistakes are named, not guessed at.
printf '\t疫苗\n' > "$tmp/q0.tsv"
out=$("$HKSEARCH" -i "$IDX" --format trec --queries "$tmp/q0.tsv" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'q0.tsv:1: no qid' && ok "a query line without a qid is an error" \
    || no "empty qid" "rc=$rc $out"
out=$("$HKSEARCH" -i "$IDX" --queries "$tmp/q.tsv" 疫苗 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'not both' && ok "a query and --queries together are refused" \
    || no "query and --queries" "rc=$rc $out"

# Index problems: missing, not an index, locked by another writer.
out=$("$HKSEARCH" -i "$tmp/nope" 疫苗 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'no index here' && ok "missing index: clear error" \
    || no "missing index" "$out"
: > "$tmp/afile"
out=$("$HKINDEX" add -i "$tmp/afile" corpus/ 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'not a directory' && ok "index path that is a file" \
    || no "index is a file" "$out"
if command -v flock >/dev/null; then
    flock "$IDX/LOCK" sleep 3 & sleep 0.5
    out=$("$HKINDEX" add -q -i "$IDX" corpus/ 2>&1); rc=$?
    wait
    [ $rc -eq 2 ] && echo "$out" | grep -q 'locked' && ok "second writer: index is locked" \
        || no "lock" "$out"
fi

# Adding the same folder again updates in place: still 5 documents.
"$HKINDEX" add -q -i "$IDX" corpus/ 2>/dev/null
out=$("$HKINDEX" stats -i "$IDX")
echo "$out" | grep -q '^documents    5 ' && ok "re-adding replaces by id" || no "re-add" "$out"
out=$("$HKINDEX" check -i "$IDX") && ok "check passes" || no "check" "$out"
"$HKINDEX" delete -q -i "$IDX" corpus 000_beb05f062f43795e.txt 2>/dev/null
got=$("$HKSEARCH" -i "$IDX" --format trec 疫苗接种 | ids)
[ "$got" = "001_ade38ef73a2d2cc1.txt 002_a98c0e2f6a5c2cb4.txt 004_9aacc04dfcdb4d2e.txt" ] \
    && ok "delete removes 000" || no "delete" "$got"

# merge: an index grown by add, with 000 deleted above, ends in one
# segment of 4 + 1 live documents with the same answers.
mkdir -p "$tmp/more"
printf '县医院疫苗接种门诊\n\n县医院开设疫苗接种门诊。\n' > "$tmp/more/m.txt"
cp -r "$IDX" "$tmp/midx"
"$HKINDEX" add -q -i "$tmp/midx" "$tmp/more" 2>/dev/null
before=$("$HKSEARCH" -i "$tmp/midx" -n 100 --format trec 疫苗接种 | ids)
"$HKINDEX" stats -i "$tmp/midx" | grep -q '^segments *2$' && ok "add makes a second segment" \
    || no "add segments" "$("$HKINDEX" stats -i "$tmp/midx")"
out=$("$HKINDEX" merge -i "$tmp/midx" 2>&1)
echo "$out" | grep -q 'merge: 5 documents in 1 segment;' && ok "merge leaves one segment" \
    || no "merge" "$out"
got=$("$HKSEARCH" -i "$tmp/midx" -n 100 --format trec 疫苗接种 | ids)
[ -n "$got" ] && [ "$got" = "$before" ] && ok "merge keeps the answers" || no "after merge" "$got / $before"
"$HKINDEX" stats -i "$tmp/midx" | grep -q '(0 deleted' && ok "merge drops the deleted article" \
    || no "merge deleted" "$("$HKINDEX" stats -i "$tmp/midx")"

# sync: unchanged articles cost nothing, changed ones are replaced, new
# ones added, vanished ones deleted.
mkdir -p "$tmp/news"
cp corpus/00*.txt "$tmp/news/"
"$HKINDEX" build -q -i "$tmp/sidx" "$tmp/news" 2>/dev/null
out=$("$HKINDEX" add -q -i "$tmp/sidx" "$tmp/news" 2>&1)
echo "$out" | grep -q '0 documents.*5 unchanged' && ok "re-adding unchanged articles is a no-op" \
    || no "unchanged add" "$out"
rm "$tmp/news/000_beb05f062f43795e.txt"
printf '新文章\n\n今天开展疫苗接种宣传。\n' > "$tmp/news/005_new.txt"
out=$("$HKINDEX" sync -q -i "$tmp/sidx" "$tmp/news" 2>&1)
echo "$out" | grep -q '1 documents.*4 unchanged, 1 deleted' && ok "sync adds 1, keeps 4, deletes 1" \
    || no "sync summary" "$out"
got=$("$HKSEARCH" -i "$tmp/sidx" --format trec 疫苗接种 | ids)
[ "$got" = "001_ade38ef73a2d2cc1.txt 002_a98c0e2f6a5c2cb4.txt 004_9aacc04dfcdb4d2e.txt 005_new.txt" ] \
    && ok "after sync: 000 gone, 005 found" || no "after sync" "$got"

# An emptied folder: sync deletes all its articles (a missing one is an
# error and deletes nothing).
rm -rf "$tmp/news2"; mkdir -p "$tmp/news2"
cp corpus/001_*.txt corpus/002_*.txt "$tmp/news2/"
"$HKINDEX" add -q -i "$tmp/sidx" "$tmp/news2" 2>/dev/null
rm "$tmp/news2"/*.txt
out=$("$HKINDEX" sync -q -i "$tmp/sidx" "$tmp/news2" 2>&1)
got=$("$HKSEARCH" -i "$tmp/sidx" --format trec -n 100 疫苗接种 | ids)
echo "$out" | grep -q '0 documents.*2 deleted' && \
    [ "$got" = "001_ade38ef73a2d2cc1.txt 002_a98c0e2f6a5c2cb4.txt 004_9aacc04dfcdb4d2e.txt 005_new.txt" ] \
    && ok "sync of an emptied folder deletes its articles, not the others" || no "sync emptied" "$out / $got"
rmdir "$tmp/news2"
out=$("$HKINDEX" sync -q -i "$tmp/sidx" "$tmp/news2" 2>&1); rc=$?
got=$("$HKSEARCH" -i "$tmp/sidx" --format trec -n 100 疫苗接种 | wc -l)
[ $rc -eq 2 ] && [ "$got" -eq 4 ] && ok "sync of a missing folder is an error and deletes nothing" \
    || no "sync missing" "rc=$rc $out"

# A malformed line in a sync pass: report it, delete nothing.
printf '{"id":"1","title":"一","body":"疫苗接种一"}\n{"id":"2","title":"二","body":"疫苗接种二"}\n' > "$tmp/s.jsonl"
"$HKINDEX" sync -q -i "$tmp/jidx" "$tmp/s.jsonl" 2>/dev/null
printf '{"id":"1","title":"一","body":"疫苗接种一"}\n{"id":"2","title":"二","body":"疫苗接\n' > "$tmp/s.jsonl"
out=$("$HKINDEX" sync -q -i "$tmp/jidx" "$tmp/s.jsonl" 2>&1)
cnt=$("$HKSEARCH" -i "$tmp/jidx" --format trec 疫苗接种 | wc -l)
echo "$out" | grep -q 's.jsonl:2' && echo "$out" | grep -q 'deletes nothing' && [ "$cnt" -eq 2 ] \
    && ok "sync with a malformed line keeps the committed article" || no "sync malformed" "$out"

# Stored fields are printed safely: invalid UTF-8 and control characters in
# a title still give valid JSON.
printf '{"id":"x1","title":"疫苗\xff\xfe标题\\u001b[31m","body":"疫苗接种"}\n' > "$tmp/bad.jsonl"
"$HKINDEX" build -q -i "$tmp/bidx" "$tmp/bad.jsonl" 2>/dev/null
if "$HKSEARCH" -i "$tmp/bidx" --format json 疫苗 | /usr/bin/python3 -c '
import sys, json
for l in sys.stdin.buffer: json.loads(l)' 2>/dev/null; then ok "json output stays valid with bad bytes in a title"
else no "json with bad bytes"; fi
"$HKSEARCH" -i "$tmp/bidx" 疫苗 | grep -q "$(printf '\033')" && no "escape sequence reached the terminal" \
    || ok "control characters in a title are not printed raw"

# An option without its value is an error, not a query word.
"$HKSEARCH" -i "$IDX" 疫苗 -n >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "hksearch: -n without a value" || no "-n without value" "rc=$rc"
"$HKINDEX" add corpus/ -i >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "hkindex: -i without a value" || no "-i without value" "rc=$rc"

# Messages are plain words: no internal module tags such as [query].
msgs=$({ "$HKSEARCH" -i "$IDX" '"新冠' ; "$HKSEARCH" -i "$tmp/none" 疫苗; "$HKINDEX" add -i "$tmp/x" "$tmp/none";
         "$HKSEARCH" -i "$IDX" '疫苗 date:2020-02-30'; } 2>&1 >/dev/null)
if [ -n "$msgs" ] && ! echo "$msgs" | grep -qE '\[[a-z]+\]'; then ok "messages carry no internal tags"
else no "internal tags in messages" "$msgs"; fi

echo "cli: $((n - fails))/$n passed"
[ $fails -eq 0 ]
