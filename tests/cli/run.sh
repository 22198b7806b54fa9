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
echo "$out" | grep -q 'hkindex build: 5 added, 0 replaced, 0 unchanged, 0 deleted' && ok "build reports 5 added" || no "build summary" "$out"

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
[ $rc -eq 2 ] && echo "$out" | grep -q 'no index at' && ok "missing index: clear error" \
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
echo "$out" | grep -q ': 0 added, 0 replaced, 5 unchanged' && ok "re-adding unchanged articles is a no-op" \
    || no "unchanged add" "$out"
rm "$tmp/news/000_beb05f062f43795e.txt"
printf '新文章\n\n今天开展疫苗接种宣传。\n' > "$tmp/news/005_new.txt"
out=$("$HKINDEX" sync -q -i "$tmp/sidx" "$tmp/news" 2>&1)
echo "$out" | grep -q ': 1 added, 0 replaced, 4 unchanged, 1 deleted' && ok "sync adds 1, keeps 4, deletes 1" \
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
out=$("$HKINDEX" sync -q -i "$tmp/sidx" "$tmp/news2" 2>&1); rc=$?
cnt=$("$HKSEARCH" -i "$tmp/sidx" --format trec -n 100 疫苗接种 | wc -l)
[ $rc -eq 2 ] && [ "$cnt" -eq 6 ] && echo "$out" | grep -q 'would delete 2 of the 2 documents' \
    && echo "$out" | grep -q -- '--yes' && ok "sync that would delete all of a collection needs --yes" \
    || no "sync mass delete refused" "rc=$rc cnt=$cnt $out"
out=$("$HKINDEX" sync -q --yes -i "$tmp/sidx" "$tmp/news2" 2>&1)
got=$("$HKSEARCH" -i "$tmp/sidx" --format trec -n 100 疫苗接种 | ids)
echo "$out" | grep -q ': 0 added, 0 replaced, 0 unchanged, 2 deleted' && \
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

# ---- Keeping the index safe ------------------------------------------------
# n JSONL records with ids FROM..TO
jsonl() { i=$1; while [ "$i" -le "$2" ]; do
    printf '{"id":"%d","title":"卫健委通报%d","body":"新冠疫苗接种第%d例"}\n' "$i" "$i" "$i"; i=$((i + 1)); done; }
docs() { "$HKINDEX" stats -i "$1" | awk '/^documents/ {print $2}'; }
commit_no() { "$HKINDEX" stats -i "$1" | sed -n 's/.*(commit \([0-9]*\)).*/\1/p'; }
S="$tmp/safe"; mkdir -p "$S/data" "$S/upd"
jsonl 1 200 > "$S/data/hkcnews.docs.jsonl"
jsonl 1000 1004 > "$S/upd/hkcnews.docs.jsonl"
"$HKINDEX" add -q -i "$S/idx" "$S/data/hkcnews.docs.jsonl" 2>/dev/null
# The issue's reproduction: a 5-line file named like the collection.
out=$("$HKINDEX" sync -q -i "$S/idx" "$S/upd/hkcnews.docs.jsonl" 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$(docs "$S/idx")" = 200 ] && echo "$out" | grep -q 'is read from .*data/hkcnews.docs.jsonl' \
    && echo "$out" | grep -q -- '--collection NAME' && echo "$out" | grep -q 'nothing committed' \
    && ok "sync from another source of the same name is refused, nothing deleted" || no "sync other source" "rc=$rc $out"
c0=$(commit_no "$S/idx")
out=$("$HKINDEX" sync -q --dry-run --collection hkcnews.docs -i "$S/idx" "$S/upd/hkcnews.docs.jsonl" 2>"$tmp/err"); rc=$?
[ $rc -eq 0 ] && [ "$(echo "$out" | grep -c '^add	hkcnews.docs/100[0-4]$')" -eq 5 ] \
    && [ "$(echo "$out" | grep -c '^delete	hkcnews.docs/')" -eq 200 ] \
    && grep -q 'would add 5, replace 0, delete 200' "$tmp/err" && grep -q 'needs --yes' "$tmp/err" \
    && [ "$(commit_no "$S/idx")" = "$c0" ] && [ "$(docs "$S/idx")" = 200 ] \
    && ok "sync --dry-run lists what would be added and deleted, commits nothing" \
    || no "dry run" "rc=$rc $(head -3 "$tmp/err") $(echo "$out" | head -3)"
out=$("$HKINDEX" sync -q --collection hkcnews.docs -i "$S/idx" "$S/upd/hkcnews.docs.jsonl" 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$(docs "$S/idx")" = 200 ] && echo "$out" | grep -q 'would delete 200 of the 200' \
    && ok "sync deleting more than half of a collection needs --yes" || no "mass delete" "rc=$rc $out"
out=$("$HKINDEX" sync -q --yes --collection hkcnews.docs -i "$S/idx" "$S/upd/hkcnews.docs.jsonl" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(docs "$S/idx")" = 5 ] && echo "$out" | grep -q ': 5 added, 0 replaced, 0 unchanged, 200 deleted' \
    && ok "--collection NAME --yes: the collection now comes from the new source" || no "sync --yes" "rc=$rc $out"
jsonl 1 3 > "$S/other.jsonl"
"$HKINDEX" add -q -i "$S/idx" "$S/other.jsonl" 2>/dev/null
out=$("$HKINDEX" collections -i "$S/idx")
echo "$out" | grep -q "^hkcnews.docs  *5  $S/upd/hkcnews.docs.jsonl\$" && echo "$out" | grep -q "^other  *3  $S/other.jsonl\$" \
    && ok "collections lists each with its count and source" || no "collections" "$out"
out=$("$HKINDEX" drop -q -i "$S/idx" other 2>&1); rc=$?
[ $rc -eq 1 ] && [ "$(docs "$S/idx")" = 8 ] && echo "$out" | grep -q 'has 3 articles.*--yes' \
    && ok "drop without --yes says what it would drop and drops nothing" || no "drop no --yes" "rc=$rc $out"
out=$("$HKINDEX" drop -q --yes -i "$S/idx" other 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(docs "$S/idx")" = 5 ] && ! "$HKINDEX" collections -i "$S/idx" | grep -q '^other' \
    && echo "$out" | grep -q ': 0 added, 0 replaced, 0 unchanged, 3 deleted, 0 rejected; index' \
    && ok "drop --yes drops the collection; the summary reads no MB" || no "drop" "rc=$rc $out"
out=$("$HKINDEX" drop -q --yes -i "$S/idx" nosuch 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'no collection nosuch' && ok "drop of an unknown collection says so" \
    || no "drop unknown" "rc=$rc $out"

# A command that fails commits nothing.
"$HKINDEX" build -q -i "$S/didx" corpus/ 2>/dev/null
c0=$(commit_no "$S/didx")
out=$("$HKINDEX" delete -q -i "$S/didx" corpus 000_beb05f062f43795e.txt 99999999 2>&1); rc=$?
got=$("$HKSEARCH" -i "$S/didx" --format trec 疫苗接种 | wc -l)
[ $rc -eq 1 ] && [ "$got" -eq 4 ] && [ "$(commit_no "$S/didx")" = "$c0" ] && echo "$out" | grep -q 'no document 99999999' \
    && ok "a delete that fails commits nothing (000 kept)" || no "failed delete" "rc=$rc got=$got $out"
{ jsonl 1 2; echo '{"id":"3","body":'; } > "$S/bad.jsonl"
out=$("$HKINDEX" add -q -i "$S/didx" "$S/bad.jsonl" 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q 'bad.jsonl:3: bad JSON' && echo "$out" | grep -q ': 2 added.* 1 rejected' \
    && ok "a malformed line is a warning: exit 0, the rest committed" || no "malformed add" "rc=$rc $out"
# The summary counts replaced articles.
{ jsonl 1 1; printf '{"id":"2","title":"改","body":"改过的正文"}\n'; jsonl 5 5; } > "$S/bad.jsonl"
out=$("$HKINDEX" add -q -i "$S/didx" "$S/bad.jsonl" 2>&1)
echo "$out" | grep -q ': 1 added, 1 replaced, 1 unchanged, 0 deleted, 0 rejected' \
    && ok "add summary: added, replaced, unchanged" || no "replaced summary" "$out"
# A failed first add leaves no index folder.
out=$("$HKINDEX" add -q -i "$S/newidx" "$S/none" 2>&1); rc=$?
[ $rc -eq 2 ] && [ ! -e "$S/newidx" ] && ok "a failed first add leaves no index folder" \
    || no "failed first add" "rc=$rc $(ls -a "$S/newidx" 2>&1)"
# Standard input.
out=$(jsonl 1 3 | "$HKINDEX" add -q -i "$S/sidx" - 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q -- 'needs --collection' && [ ! -e "$S/sidx" ] \
    && ok "add - without --collection is refused" || no "stdin no collection" "rc=$rc $out"
out=$( { jsonl 1 3; jsonl 2 2; } | "$HKINDEX" add -q --collection piped -i "$S/sidx" - 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(docs "$S/sidx")" = 3 ] && echo "$out" | grep -q 'standard input:4: id "2" is also at line 2' \
    && "$HKINDEX" collections -i "$S/sidx" | grep -q '^piped  *3  -$' \
    && ok "add - reads JSONL from standard input; a duplicate id is warned about" || no "stdin" "rc=$rc $out"
# Backup: while another process commits, each copy opens and checks.
i=0; while [ $i -lt 6 ]; do jsonl $((i * 10 + 1)) $((i * 10 + 10)) > "$S/b$i.jsonl"; i=$((i + 1)); done
( i=0; while [ $i -lt 6 ]; do "$HKINDEX" add -q -i "$S/didx" "$S/b$i.jsonl" 2>/dev/null; i=$((i + 1)); done ) &
bk_ok=1; i=0
while [ $i -lt 4 ]; do
    "$HKINDEX" backup -i "$S/didx" "$S/bk$i" 2>"$tmp/err" || { bk_ok=0; cat "$tmp/err"; }
    grep -q 'copied to .* and checked' "$tmp/err" || bk_ok=0
    "$HKINDEX" check -i "$S/bk$i" >/dev/null || bk_ok=0
    i=$((i + 1))
done
wait
"$HKINDEX" backup -i "$S/didx" "$S/bk-last" 2>/dev/null || bk_ok=0
[ "$("$HKSEARCH" -i "$S/bk-last" --format trec -n 100 疫苗接种 | ids)" = \
  "$("$HKSEARCH" -i "$S/didx" --format trec -n 100 疫苗接种 | ids)" ] || bk_ok=0
out=$("$HKINDEX" backup -i "$S/didx" "$S/bk-last" 2>&1); rc=$?
[ $bk_ok -eq 1 ] && [ $rc -eq 2 ] && echo "$out" | grep -q 'not empty' \
    && ok "backup during commits: each copy checks; it never overwrites a folder" || no "backup" "rc=$rc $out"
# Markdown: a '# heading' first line is the title; dates are checked.
mkdir -p "$S/md"
printf '# 通报\n\n襄垣县医疗集团为人民群众筑起生命防线\n\n县医院疫苗接种门诊开诊。\n' > "$S/md/a.md"
printf -- '---\ntitle: 好的前言\ndate: 2020-02-30\n---\n正文疫苗接种。\n' > "$S/md/b.md"
out=$("$HKINDEX" add -q -i "$S/midx" "$S/md" 2>&1)
echo "$out" | grep -q 'b.md: front matter date "2020-02-30" is not a valid day' \
    && NO_COLOR=1 "$HKSEARCH" -i "$S/midx" 门诊 | grep -q '^ 1\. 通报 ' \
    && ok "a Markdown heading is the title; an impossible date is warned about" || no "markdown" "$out"
printf '# 通报\n\n县医院疫苗接种门诊开诊。\n' > "$S/md/a.md"
"$HKINDEX" add -q -i "$S/midx" "$S/md" 2>/dev/null
out=$(NO_COLOR=1 "$HKSEARCH" -i "$S/midx" 门诊 | sed -n 3p)
echo "$out" | grep -q '通报 县医院疫苗接种' && ! echo "$out" | grep -q '#' \
    && ok "snippets show a heading without its # marker" || no "snippet heading" "$out"

# ---- hksearch for a user: version, colour, index errors, marks, --show,
# ---- snippet length, sort/literal flags, TREC docnos, paging; over a
# ---- fresh index of corpus/ (the one above has lost 000).
IDX="$tmp/uidx"
"$HKINDEX" build -q -i "$IDX" corpus/ 2>/dev/null
out=$("$HKSEARCH" --version); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -qE '^hksearch [0-9]+\.[0-9]+\.[0-9]+ \(libhks [0-9.]+\)$' \
    && ok "--version" || no "--version" "rc=$rc $out"

# Colour: on a terminal by default; never with TERM=dumb, NO_COLOR or
# --color=never; always with --color=always, even into a pipe.
esc=$(printf '\033')
if command -v script >/dev/null; then
    tty_run() { script -qec "$1" /dev/null; }
    out=$(TERM=xterm tty_run "NO_COLOR= $HKSEARCH -i $IDX 疫苗接种")
    case "$out" in *"$esc["*) ok "colour on a terminal" ;; *) no "colour on a terminal" "$out" ;; esac
    out=$(TERM=dumb tty_run "$HKSEARCH -i $IDX 疫苗接种")
    case "$out" in *"$esc["*) no "TERM=dumb has no colour" "$out" ;; *) ok "TERM=dumb: no colour" ;; esac
    out=$(TERM=xterm NO_COLOR=1 tty_run "$HKSEARCH -i $IDX 疫苗接种")
    case "$out" in *"$esc["*) no "NO_COLOR honoured" "$out" ;; *) ok "NO_COLOR: no colour" ;; esac
    out=$(TERM=xterm tty_run "NO_COLOR= $HKSEARCH -i $IDX --color=never 疫苗接种")
    case "$out" in *"$esc["*) no "--color=never" "$out" ;; *) ok "--color=never on a terminal" ;; esac
else
    echo "# skipped: the colour tests need script(1) for a terminal"
fi
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" --color=always 疫苗接种 | cat)
case "$out" in *"$esc[1;31m"*) ok "--color=always into a pipe" ;; *) no "--color=always" "$out" ;; esac
out=$("$HKSEARCH" -i "$IDX" 疫苗接种 | cat)
case "$out" in *"$esc"*) no "no colour into a pipe" ;; *) ok "no colour into a pipe" ;; esac
"$HKSEARCH" -i "$IDX" --color=sometimes 疫苗 >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "--color with a bad value is refused" || no "--color=sometimes" "rc=$rc"

# -i on a path that does not exist, a file, a folder that is no index:
# said plainly, the path named once.
out=$("$HKSEARCH" -i "$tmp/nowhere" 疫苗 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "hksearch: no index at $tmp/nowhere (the folder does not exist)" ] \
    && ok "-i on a missing path says the folder does not exist" || no "missing -i" "$out"
out=$("$HKSEARCH" -i "$tmp/afile" 疫苗 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "$tmp/afile is not an index (it is a file" \
    && ok "-i on a file: not an index" || no "-i file" "$out"
mkdir -p "$tmp/emptydir"
out=$("$HKSEARCH" -i "$tmp/emptydir" 疫苗 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "^hksearch: $tmp/emptydir is not an index (no MANIFEST in it)" \
    && ok "-i on a folder without an index: not an index" || no "-i empty folder" "$out"

# Text output marks exact and partial hits; --count gives the partial
# count; the no-hit message quotes the query once.
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" -n 20 --count 襄垣县医疗集团)
echo "$out" | grep -qE '^ 1\. .*  \[exact [0-9.]+\]$' && echo "$out" | grep -qE '^ *[0-9]+\. .*  \[partial [0-9.]+\]$' \
    && ok "text output marks exact and partial hits" || no "exact/partial marks" "$out"
echo "$out" | tail -1 | grep -qE '^1 article matches "襄垣县医疗集团", then 4 partial matches \(showing 1-5\)$' \
    && ok "--count prints the partial count in text mode" || no "--count text" "$(echo "$out" | tail -1)"
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" '"鐵達尼號 冰山"')
[ "$out" = "no articles match '\"鐵達尼號 冰山\"'" ] && ok "no-hit message quotes a quoted query once" \
    || no "no-hit quoting" "$out"

# --queries text output heads each query.
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" -n 1 --queries "$tmp/q.tsv")
echo "$out" | grep -q '^== q1: 疫苗接种$' && echo "$out" | grep -q '^== q2: 医院$' \
    && ok "--queries text output heads each query" || no "--queries headings" "$out"

# --show COLLECTION/ID: the whole article, metadata and body as written;
# an id alone in a one-collection index; a missing article is status 1.
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" --show corpus/000_beb05f062f43795e.txt); rc=$?
line=$(grep '^党员为先' corpus/000_beb05f062f43795e.txt)
[ $rc -eq 0 ] && [ "$(echo "$out" | head -1)" = '战“疫”!襄垣县医疗集团为人民群众筑起生命防线' ] \
    && echo "$out" | grep -q '^article: corpus/000_beb05f062f43795e.txt$' \
    && echo "$out" | grep -qxF "$line" && ok "--show prints the whole article" || no "--show" "$out"
out2=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" --show 000_beb05f062f43795e.txt)
[ -n "$out2" ] && [ "$out2" = "$out" ] && ok "--show with an id alone in a one-collection index" || no "--show bare id"
out=$("$HKSEARCH" -i "$IDX" --format json --show corpus/004_9aacc04dfcdb4d2e.txt)
printf '%s\n' "$out" | grep -q '"collection":"corpus","id":"004_9aacc04dfcdb4d2e.txt"' \
    && printf '%s\n' "$out" | grep -q '"body":".*\\n.*疫苗接種' && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] \
    && ok "--show --format json" || no "--show json" "$(printf '%s' "$out" | head -c 300)"
out=$("$HKSEARCH" -i "$IDX" --show corpus/nope.txt 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'no article corpus/nope.txt' && ok "--show of a missing article: status 1" \
    || no "--show missing" "rc=$rc $out"

# --snippet-chars N.
s10=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" -n 1 --snippet-chars 10 疫苗接种 | sed -n 3p)
s90=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" -n 1 疫苗接种 | sed -n 3p)
n0=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" -n 1 --snippet-chars 0 疫苗接种 | grep -c '【')
case "$s10" in *【疫苗接种】*) r10=1 ;; *) r10=0 ;; esac
[ $r10 -eq 1 ] && [ ${#s10} -lt ${#s90} ] && [ "$n0" -eq 0 ] && ok "--snippet-chars sets the snippet length" \
    || no "--snippet-chars" "$s10 / $s90 / $n0"

# --sort and --literal are taken (their meaning is the query language's).
"$HKSEARCH" -i "$IDX" --sort date 疫苗接种 >/dev/null 2>&1; rc1=$?
"$HKSEARCH" -i "$IDX" --sort relevance --literal 疫苗接种 >/dev/null 2>&1; rc2=$?
out=$("$HKSEARCH" -i "$IDX" --sort newest 疫苗接种 2>&1); rc3=$?
[ $rc1 -ne 2 ] && [ $rc2 -ne 2 ] && [ $rc3 -eq 2 ] && echo "$out" | grep -q 'relevance or date' \
    && ok "--sort date|relevance and --literal are parsed" || no "--sort/--literal" "$rc1 $rc2 $rc3 $out"

# TREC docnos name one article: an id two collections share becomes
# COLLECTION/ID in an index of several collections (--bare-ids keeps
# ids), a one-collection index keeps bare ids (tests above).
printf '{"id":"1593","title":"甲","body":"疫苗接种甲地"}\n' > "$tmp/xa.jsonl"
printf '{"id":"1593","title":"乙","body":"疫苗接种乙地"}\n' > "$tmp/xb.jsonl"
"$HKINDEX" build -q -i "$tmp/tidx" "$tmp/xa.jsonl" "$tmp/xb.jsonl" 2>/dev/null
got=$("$HKSEARCH" -i "$tmp/tidx" --format trec 疫苗接种 | ids)
[ "$got" = "xa/1593 xb/1593" ] && ok "TREC docnos are unique across collections" || no "trec docnos" "$got"
got=$("$HKSEARCH" -i "$tmp/tidx" --format trec --bare-ids 疫苗接种 | ids)
[ "$got" = "1593 1593" ] && ok "--bare-ids keeps the raw ids" || no "--bare-ids" "$got"

# A page of results is the same hits as in the longer list.
all=$("$HKSEARCH" -i "$IDX" --format trec -n 4 苗 | awk '{print $3, $4}' | sed -n 3,4p)
page=$("$HKSEARCH" -i "$IDX" --format trec -n 2 --offset 2 苗 | awk '{print $3, $4}')
[ -n "$page" ] && [ "$page" = "$all" ] && ok "--offset pages through the ranking" || no "offset page" "$page / $all"

# A folder of scraped articles with no metadata but their text: dates and
# sources found in it (labelled lines, Chinese dates, full-width digits,
# closing lines) make date:, --sort date and source: work. Three are DXY
# records written out as scraped pages; 003 and 004 are seeds.
S="$tmp/scraped"
mkdir -p "$S"
cp corpus/001_ade38ef73a2d2cc1.txt corpus/003_0deaf7ce9546a668.txt corpus/004_9aacc04dfcdb4d2e.txt "$S/"
cat > "$S/a.txt" <<'TXT'
首页 > 要闻
武汉实施进出武汉人员管控
发布时间：2020年1月21日 14:29　来源：人民日报
为坚决遏制新型冠状病毒感染引起的肺炎疫情扩散，武汉市对进出武汉人员加强管控。武汉市旅游团队不组团外出，公安交管部门对进出武汉的私家车辆进行抽检，检查后备箱是否携带活禽、野生动物等。
TXT
cat > "$S/b.txt" <<'TXT'
北京取消大型活动
北京市文化和旅游局发布：根据市委市政府防控工作领导小组总体部署，即日起，北京市取消包括庙会在内的大型活动。请市民朋友们加强防范，予以支持。随着疫情变化，我们将随时对全市相关活动举办情况进行通报。大型活动取消后，活动主办单位将积极做好相关善后工作。

稿件来源：人民日报  编辑：新闻中心
发布时间：2020-01-23 19:50
TXT
cat > "$S/c.txt" <<'TXT'
北京新增确诊11例，累计确诊326例
北京卫健委　２０２０年２月９日
2月8日0时至24时，本市新增11例新冠肺炎确诊病例。截至2月8日24时,本市累计确诊病例326例。其中出院37例，死亡2例，287例在定点医院进行隔离治疗。这是2020年2月10日前的最新疫情通报。
TXT
SIDX="$tmp/sidx"
"$HKINDEX" build -q -i "$SIDX" "$S" >/dev/null 2>&1 && ok "build a folder of scraped articles" || no "build scraped"
got=$("$HKSEARCH" -i "$SIDX" --format trec -n 20 date:2020-01 | ids)
[ "$got" = "a.txt b.txt" ] && ok "date:2020-01 finds the two January articles (发布时间 in the head, in the closing lines)" \
    || no "date:2020-01 on scraped" "$got"
got=$("$HKSEARCH" -i "$SIDX" --format trec -n 20 date:2020-02-09 | ids)
[ "$got" = "c.txt" ] && ok "date:2020-02-09: a dateline in full-width digits, not the 2020年2月10日 of its text" \
    || no "full-width dateline" "$got"
got=$("$HKSEARCH" -i "$SIDX" --format trec -n 20 date:2022.. | ids)
[ "$got" = "003_0deaf7ce9546a668.txt 004_9aacc04dfcdb4d2e.txt" ] && ok "date:2022.. finds the seeds 003 and 004" \
    || no "date:2022.. on scraped" "$got"
got=$("$HKSEARCH" -i "$SIDX" --format trec --sort date -n 20 疫情 | awk '{print $3}' | tr '\n' ' ')
[ "$got" = "004_9aacc04dfcdb4d2e.txt 003_0deaf7ce9546a668.txt c.txt b.txt a.txt 001_ade38ef73a2d2cc1.txt " ] \
    && ok "--sort date orders scraped articles by the dates in their text" || no "--sort date on scraped" "$got"
got=$("$HKSEARCH" -i "$SIDX" --format trec -n 20 source:人民日报 | ids)
[ "$got" = "a.txt b.txt" ] && ok "source:人民日报 from 来源 and 稿件来源 lines" || no "source: on scraped" "$got"
got=$("$HKSEARCH" -i "$SIDX" --format trec -n 20 source:绵阳日报 | ids)
[ "$got" = "004_9aacc04dfcdb4d2e.txt" ] && ok "source:绵阳日报 finds 來源: 綿陽日報 of seed 004" || no "source: traditional" "$got"
out=$(NO_COLOR=1 "$HKSEARCH" -i "$SIDX" -n 1 title:北京新增确诊)
echo "$out" | grep -q '^ 1\. 北京新增确诊11例，累计确诊326例' && echo "$out" | grep -q '2020-02-09 · scraped/c.txt' \
    && ok "c.txt: the headline as title (not its dateline), the date found shown" \
    || no "found date in text output" "$out"

# JSONL fields beyond the five: author, category and tags (an array) are
# kept, shown and filterable (two hkcnews records, shortened).
cat > "$tmp/hk.jsonl" <<'JSONL'
{"id":"174","title":"歷史岔口 · 回到從前","date":"2016-12-30","source":"眾新聞 Citizen News (hkcnews.com)","category":"眾說","author":"飄楊 & 小鳥","tags":[],"body":"2016 似是世事逆轉的一年。上次我會這樣形容的是紐約世貿中心被恐襲而倒塌，事隔15年了。"}
{"id":"175","title":"《死亡筆記：照亮新世紀》——大膽打開死亡筆記新一頁","date":"2017-01-05","source":"眾新聞 Citizen News (hkcnews.com)","category":"眾說","author":"林兆彬","tags":["movie","movies","電影","电影","死亡筆記","死亡筆記本","死亡日記","死神筆記"],"body":"翻拍經典作品，要翻拍得好，是一件難度極高的事情。一年前的今天，筆者看過《死亡筆記》。"}
JSONL
"$HKINDEX" build -q -i "$tmp/hkidx" "$tmp/hk.jsonl" >/dev/null 2>&1
got=$("$HKSEARCH" -i "$tmp/hkidx" --format trec author:林兆彬 | ids)
[ "$got" = "175" ] && ok "author:林兆彬" || no "author:" "$got"
got=$("$HKSEARCH" -i "$tmp/hkidx" --format trec author:小鸟 | ids)
[ "$got" = "174" ] && ok "author:小鸟 (contains, either script)" || no "author: contains" "$got"
got=$("$HKSEARCH" -i "$tmp/hkidx" --format trec category:眾說 | ids)
[ "$got" = "174 175" ] && ok "category:眾說" || no "category:" "$got"
got=$("$HKSEARCH" -i "$tmp/hkidx" --format trec 一年 tag:死亡笔记 | ids)
[ "$got" = "175" ] && ok "tag:死亡笔记 (a whole tag, either script) with a query" || no "tag:" "$got"
got=$("$HKSEARCH" -i "$tmp/hkidx" --format trec tag:死亡 | ids)
[ -z "$got" ] && ok "tag:死亡 is not a tag (part of one)" || no "tag: whole" "$got"
out=$(NO_COLOR=1 "$HKSEARCH" -i "$tmp/hkidx" tag:movie)
echo "$out" | grep -q 'author: 林兆彬 · category: 眾說 · tags: movie, movies, 電影, 电影, 死亡筆記' \
    && ok "text output shows author, category and tags" || no "fields in text output" "$out"
out=$("$HKSEARCH" -i "$tmp/hkidx" --format json tag:movie)
echo "$out" | grep -q '"author":"林兆彬","category":"眾說","tags":\["movie","movies","電影"' \
    && ok "JSON output has author, category and tags (an array)" || no "fields in JSON" "$out"
out=$("$HKSEARCH" -i "$tmp/hkidx" -- -tag:movie 一年 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'cannot be excluded' && ok "-tag: is refused with a message" \
    || no "-tag:" "rc=$rc $out"
# The fields survive a merge of segments.
printf '{"id":"9","title":"另一篇","body":"另一篇文章。","author":"编辑部","tags":["其他"]}\n' > "$tmp/hk2.jsonl"
"$HKINDEX" add -q -i "$tmp/hkidx" --collection hk "$tmp/hk2.jsonl" >/dev/null 2>&1
"$HKINDEX" merge -q -i "$tmp/hkidx" >/dev/null 2>&1
segs=$("$HKINDEX" stats -i "$tmp/hkidx" 2>&1 | grep -i 'segments')
got=$("$HKSEARCH" -i "$tmp/hkidx" --format trec tag:死亡笔记 | ids)
got2=$("$HKSEARCH" -i "$tmp/hkidx" --format trec tag:其他 | ids)
[ "$got" = "175" ] && [ "$got2" = "9" ] && ok "author, category and tags survive a merge ($segs)" \
    || no "fields after merge" "$got / $got2 / $segs"
# --recency: the newer of two equal matches first; off, the older (its
# BM25 is higher: a shorter article).
a=$("$HKSEARCH" -i "$tmp/hkidx" --format trec 一年 | awk '{print $3}' | tr '\n' ' ')
b=$("$HKSEARCH" -i "$tmp/hkidx" --format trec --recency 1 一年 | awk '{print $3}' | tr '\n' ' ')
[ "$a" = "174 175 " ] && [ "$b" = "175 174 " ] && ok "--recency 1 puts the newer article first" \
    || no "--recency" "$a / $b"
# Synonyms: data/health-synonyms.txt set on an index of corpus/; 接种疫苗
# (in 004 alone) also finds 疫苗接种 (000 001 002 004), says so, and
# --no-synonyms and quotes search as written. A bad line names FILE:LINE.
"$HKINDEX" synonyms -i "$IDX" data/health-synonyms.txt 2>/dev/null && ok "synonyms set" \
    || no "synonyms set"
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" -n 0 疫苗接种)
echo "$out" | grep -q '^synonyms: 疫苗接种 -> 接种疫苗, 打疫苗$' && ok "the synonyms line" \
    || no "synonyms line" "$out"
a=$("$HKSEARCH" -i "$IDX" -n 100 --format trec 接种疫苗 | ids)
b=$("$HKSEARCH" -i "$IDX" -n 100 --format trec --no-synonyms 接种疫苗 | ids)
c=$("$HKSEARCH" -i "$IDX" -n 100 --format trec '"接种疫苗"' | ids)
all4="000_beb05f062f43795e.txt 001_ade38ef73a2d2cc1.txt 002_a98c0e2f6a5c2cb4.txt 004_9aacc04dfcdb4d2e.txt"
[ "$a" = "$all4" ] && [ "$b" = "004_9aacc04dfcdb4d2e.txt" ] && [ "$c" = "$b" ] \
    && ok "接种疫苗 also finds 疫苗接种; quotes and --no-synonyms do not" \
    || no "synonym counts" "$a $b $c"
"$HKSEARCH" -i "$IDX" --format json -n 1 新冠 | tail -1 | grep -q '"synonyms":\[{"alias":"新冠","group":\["新冠","新冠肺炎"' \
    && ok "JSON summary lists the expansion" || no "JSON synonyms"
shown=$("$HKINDEX" synonyms -i "$IDX" --show 2>/dev/null | wc -l)
[ "$shown" -ge 50 ] && ok "--show prints $shown groups" || no "--show" "$shown"
printf '新冠 / 新冠肺炎\n醫管局\n' > "$tmp/bad-syn.txt"
out=$("$HKINDEX" synonyms -i "$IDX" "$tmp/bad-syn.txt" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "bad-syn.txt:2: a group needs two or more aliases" \
    && [ "$("$HKINDEX" synonyms -i "$IDX" --show 2>/dev/null | wc -l)" -eq "$shown" ] \
    && ok "a bad line is named and changes nothing" || no "bad synonyms file" "rc=$rc $out"
"$HKINDEX" synonyms -i "$IDX" --clear 2>/dev/null
b2=$("$HKSEARCH" -i "$IDX" -n 100 --format trec 接种疫苗 | ids)
[ "$b2" = "$b" ] && ok "--clear removes the table" || no "--clear" "$b2"

# ---- --explain -------------------------------------------------------------
# Under each hit its scoring terms (tf, idf, length against the average,
# weights, contribution), recency, sum and folded copies; in JSON an
# "explain" object per hit whose score is the hit's.
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" --explain -n 4 疫苗接种)
echo "$out" | grep -q '^    explain: exact match, score 1.738413 = sum 1.738413 x coverage 1.0000 x recency 1.0000; proximity: not used$' \
    && echo "$out" | grep -q '^      接种  terms tf 28  idf 0.2877  length 4246 / avg 3280.0 (k1 1.20, b 0.75)  weight field 1.00 x query 1.00  = 0.601431$' \
    && echo "$out" | grep -q '^      接種 (接种)  terms tf 5 ' \
    && echo "$out" | grep -q '^      collapse: 0 similar folded into this hit$' \
    && ok "--explain: terms, tf, idf, lengths, weights, sum; the traditional article's 接種" \
    || no "--explain text" "$out"
explain_ok() { /usr/bin/python3 -c '
import sys, json
n = 0; kinds = set()
for l in sys.stdin:
    o = json.loads(l)
    if "rank" not in o: continue
    e = o["explain"]; n += 1
    kinds.add(e["match"])
    assert e["match"] == ("exact" if o["exact"] else "partial"), e
    assert abs(e["score"] - o["score"]) <= 1e-6 * max(1, o["score"]), (e["score"], o["score"])
    assert abs(sum(t["score"] for t in e["terms"]) - e["sum"]) <= 1e-9 * e["sum"]
    assert abs(e["sum"] * e["coverage"] * e["recency"] - e["score"]) <= 1e-9 * e["score"] + 1e-12
    assert 0 < e["coverage"] <= 1 and (e["coverage"] == 1 or e["match"] == "partial")
    assert e["proximity"] == "not used" and all(t["tf"] >= 0 for t in e["terms"])
want = set(sys.argv[1].split(","))
assert n > 0 and kinds == want, (n, kinds)
' "$1"; }
"$HKSEARCH" -i "$IDX" --format json --explain -n 10 疫苗接种 | explain_ok exact \
    && "$HKSEARCH" -i "$IDX" --format json --explain --recency 30 -n 10 '疫苗 OR jp*' | explain_ok exact \
    && "$HKSEARCH" -i "$IDX" --format json --explain -n 10 医 | explain_ok exact \
    && "$HKSEARCH" -i "$IDX" --format json --explain -n 10 加快疫苗接种 | explain_ok exact,partial \
    && ok "--format json --explain: each hit's explained score is its score (strict, partial, prefix, one character, recency)" \
    || no "--explain json"
out=$(NO_COLOR=1 "$HKSEARCH" -i "$IDX" --explain -n 1 date:2021)
echo "$out" | grep -q '^      no scoring terms (filters alone list the matches)$' \
    && ok "--explain of a filter alone: no scoring terms" || no "--explain browse" "$out"
"$HKSEARCH" -i "$IDX" --format json -n 3 疫苗接种 | grep -q '"explain"' \
    && no "no explain object without --explain" || ok "no explain object without --explain"

echo "cli: $((n - fails))/$n passed"
[ $fails -eq 0 ]
