#!/usr/bin/env python3
"""hksearch on the judged sets of ../shared/data (make eval).

For each set: index its documents with hkindex, run every question through
hksearch (TREC run, top 1000), and score the run against the judgments:
MRR@10, nDCG@10 (gain 2^grade - 1), Recall@100 and Recall@1000, a document
being relevant when its grade is >= 1. The questions are also scored in two
fixed halves (by a hash of the qid): ranking changes are tuned on the
"tune" half and reported on the "held" half, so that no figure comes only
from the data it was tuned on.

  eval/eval.py BUILD_DIR DATA_DIR [--floors eval/floors.tsv] [--sets a,b]

Prints one table row a set and half; exits 1 when a set's MRR@10 over all
its questions is below its floor in the floors file.
"""
import argparse
import collections
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

# set name -> (documents, questions, judgments, convert questions with)
SETS = {
    "cmedir": ("cmedir.docs.jsonl.zst", "cmedir.queries.jsonl.zst", "cmedir.qrels.tsv.zst", None),
    "drcd": ("drcd.docs.jsonl.zst", "drcd.queries.jsonl.zst", "drcd.qrels.tsv.zst", None),
    # drcd's traditional questions converted to simplified (OpenCC t2s),
    # searched against the traditional paragraphs: the script fold at work.
    "drcd-t2s": ("drcd.docs.jsonl.zst", "drcd.queries.jsonl.zst", "drcd.qrels.tsv.zst", "t2s"),
}


def zcat(path):
    return subprocess.run(["zstd", "-dcq", path], check=True, capture_output=True).stdout.decode("utf-8")


def half_of(qid):
    return "tune" if zlib.crc32(qid.encode("utf-8")) % 2 == 0 else "held"


def read_qrels(path):
    qrels = collections.defaultdict(dict)
    for line in zcat(path).splitlines():
        if line:
            q, d, g = line.split("\t")
            qrels[q][d] = int(g)
    return qrels


def read_questions(path, convert):
    qs = []
    for line in zcat(path).splitlines():
        if line:
            o = json.loads(line)
            qs.append((o["qid"], " ".join(o["query"].split())))
    if convert:
        text = "\n".join(q for _, q in qs) + "\n"
        out = subprocess.run(["opencc", "-c", convert], input=text.encode("utf-8"),
                             check=True, capture_output=True).stdout.decode("utf-8").split("\n")
        qs = [(qid, out[i]) for i, (qid, _) in enumerate(qs)]
    return qs


def read_run(path):
    run = collections.defaultdict(list)
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.split()
            if len(p) >= 6:
                run[p[0]].append((int(p[3]), p[2]))
    return {q: [d for _, d in sorted(v)] for q, v in run.items()}


def score(qrels, run, qids):
    """Mean MRR@10, nDCG@10, R@100, R@1000 over the qids with a relevant document."""
    qids = [q for q in qids if any(g >= 1 for g in qrels.get(q, {}).values())]
    tot = [0.0, 0.0, 0.0, 0.0]
    for q in qids:
        docs = run.get(q, [])
        grades = qrels[q]
        rel = {d for d, g in grades.items() if g >= 1}
        for i, d in enumerate(docs[:10]):
            if d in rel:
                tot[0] += 1.0 / (i + 1)
                break
        dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(docs[:10]))
        ideal = sorted(grades.values(), reverse=True)[:10]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        tot[1] += dcg / idcg if idcg else 0.0
        tot[2] += len(rel & set(docs[:100])) / len(rel)
        tot[3] += len(rel & set(docs[:1000])) / len(rel)
    n = len(qids)
    return [t / n if n else 0.0 for t in tot] + [n]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("data")
    ap.add_argument("--floors", default=os.path.join(os.path.dirname(__file__), "floors.tsv"))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--depth", default="1000", help="hits asked of hksearch a question (-n)")
    ap.add_argument("--work", help="keep the indexes in this folder and reuse them (tuning)")
    ap.add_argument("--search-args", default="", help="more hksearch options, e.g. '--char-weight 1'")
    args = ap.parse_args()
    floors = {}
    if os.path.exists(args.floors):
        for line in open(args.floors, encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                name, value = line.split()
                floors[name] = float(value)
    hkindex = os.path.join(args.build, "hkindex")
    hksearch = os.path.join(args.build, "hksearch")
    work = args.work or tempfile.mkdtemp(prefix="hks-eval.")
    os.makedirs(work, exist_ok=True)
    failed = []
    try:
        print("| set | questions | MRR@10 | nDCG@10 | R@100 | R@1000 |")
        print("|---|--:|--:|--:|--:|--:|")
        built = {}
        for name in args.sets.split(","):
            docs, queries, qrels_file, convert = SETS[name]
            docs = os.path.join(args.data, docs)
            idx = built.get(docs)
            if idx is None:
                idx = os.path.join(work, "idx-" + name)
                if not (args.work and os.path.exists(os.path.join(idx, "MANIFEST"))):
                    subprocess.run([hkindex, "build", "-q", "-i", idx, docs], check=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                built[docs] = idx
            qs = read_questions(os.path.join(args.data, queries), convert)
            tsv = os.path.join(work, name + ".tsv")
            with open(tsv, "w", encoding="utf-8") as f:
                for qid, q in qs:
                    f.write(f"{qid}\t{q}\n")
            runf = os.path.join(work, name + ".run")
            with open(runf, "w") as out:
                # Exit 1 means some question found nothing: still a run.
                rc = subprocess.run([hksearch, "-i", idx, "-n", args.depth, "--format", "trec",
                                     "--queries", tsv] + args.search_args.split(), stdout=out, stderr=subprocess.DEVNULL).returncode
                if rc not in (0, 1):
                    sys.exit(f"eval: hksearch failed on {name} (exit {rc})")
            qrels = read_qrels(os.path.join(args.data, qrels_file))
            run = read_run(runf)
            qids = [qid for qid, _ in qs]
            for label, sel in (("all", qids), ("tune half", [q for q in qids if half_of(q) == "tune"]),
                               ("held half", [q for q in qids if half_of(q) == "held"])):
                m, nd, r1, r2, n = score(qrels, run, sel)
                shown = name if label == "all" else f"{name} ({label})"
                print(f"| {shown} | {n} | {m:.4f} | {nd:.4f} | {r1:.4f} | {r2:.4f} |")
                if label == "all" and name in floors and m < floors[name]:
                    failed.append(f"{name}: MRR@10 {m:.4f} below its floor {floors[name]:.4f}")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    for f in failed:
        print("eval: " + f, file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
