#!/usr/bin/env python3
"""What an index took out as boilerplate: distinct lines per collection and a
fixed-seed sample of 100 of them, for judging by hand (eval/BOILERPLATE.md).

    build/tools/bpdump INDEX | python3 eval/boilerplate_sample.py [SEED]

Reads bpdump's "COLLECTION<TAB>ID<TAB>LINE" lines. Lines are compared
without white space, as the engine compares them; lines with no letter,
digit or CJK character (---, {{}}) carry no token and are left out of the
count and the sample.
"""
import collections
import random
import re
import sys

WS = re.compile(r"[ \t\r\u3000\xa0\u200b\ufeff]")
TEXT = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 20261201
    occ = collections.Counter()
    arts = collections.defaultdict(set)
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        coll, doc_id, text = line.split("\t", 2)
        key = (coll, WS.sub("", text))
        if TEXT.search(key[1]):
            occ[key] += 1
            arts[coll].add(doc_id)
    per = collections.Counter(c for c, _ in occ)
    print("| collection | distinct lines taken out | occurrences | articles with some |")
    print("| --- | ---: | ---: | ---: |")
    for c in sorted(per):
        n_occ = sum(v for (cc, _), v in occ.items() if cc == c)
        print(f"| {c} | {per[c]} | {n_occ} | {len(arts[c])} |")
    keys = sorted(occ)
    sample = random.Random(seed).sample(keys, min(100, len(keys)))
    print()
    print(f"Sample (seed {seed}): collection, occurrences, line (first 60 characters)")
    print()
    for i, (c, t) in enumerate(sample, 1):
        short = t if len(t) <= 60 else t[:60] + "…"
        print(f"{i}. {c} ({occ[(c, t)]}) {short}")


if __name__ == "__main__":
    main()
