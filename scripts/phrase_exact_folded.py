#!/usr/bin/env python3
"""phrase exact@10 with script folding, for the peer benchmark's phrase run.

The peer benchmark counts a top-10 hit as exact when it contains the query
verbatim (NFKC + lowercase, no script conversion), so a traditional article
found by a simplified query counts as a miss. This script counts the same
hits after converting both sides with OpenCC t2s (opencc -c t2s; install it
with scripts/install-deps.sh --gen):

  scripts/phrase_exact_folded.py RUN.trec NEWS.jsonl.zst PHRASES.txt

RUN.trec is the benchmark's runs/hksearch.phrase.trec (qids p01, p02, ...
= the lines of PHRASES.txt), NEWS the benchmark's data/news.jsonl.zst.
Prints the queries with a hit that lacks the phrase, then the totals.
"""
import json
import subprocess
import sys
import unicodedata


def norm(s):
    return " ".join(unicodedata.normalize("NFKC", s).lower().splitlines())


def t2s(lines):
    out = subprocess.run(["opencc", "-c", "t2s"], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, check=True).stdout.split("\n")
    return out[:len(lines)]


def main(run_path, news_path, phrases_path):
    queries = [l.strip() for l in open(phrases_path, encoding="utf-8") if l.strip()]
    run = {}
    for line in open(run_path, encoding="utf-8"):
        p = line.split()
        run.setdefault(p[0], []).append(p[2])
    wanted = {d for hits in run.values() for d in hits[:10]}
    docs = {}
    raw = subprocess.run(["zstd", "-dc", news_path], capture_output=True, check=True).stdout
    for line in raw.split(b"\n"):
        if line:
            o = json.loads(line)
            if o["id"] in wanted:
                docs[o["id"]] = norm(o.get("title", "") + "\n" + o["body"])
    ids = sorted(docs)
    folded = dict(zip(ids, t2s([docs[i] for i in ids])))
    fq = t2s([norm(q) for q in queries])
    n = verbatim = fold = 0
    for i, q in enumerate(queries):
        top = run.get("p%02d" % (i + 1), run.get("p%d" % (i + 1), []))[:10]
        v = sum(norm(q) in docs[d] for d in top)
        f = sum(fq[i] in folded[d] for d in top)
        n, verbatim, fold = n + len(top), verbatim + v, fold + f
        if f < len(top):
            print(f"{q}: {len(top)} hits, {v} verbatim, {f} after t2s")
    print(f"top-10 hits {n}: {verbatim} contain the phrase verbatim, {fold} after t2s folding")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
