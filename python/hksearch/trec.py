"""TREC runs: score hksearch with the same tools as any other retrieval system.

>>> from hksearch import Index, trec_run, read_queries          # doctest: +SKIP
>>> with Index("drcd-index") as idx, open("run.trec", "w") as out:
...     out.writelines(line + "\\n" for line in trec_run(idx, read_queries("q.tsv")))

Each line is ``qid Q0 docid rank score tag`` (ranks from 1), what trec_eval,
ir_measures and Pyserini's tools read; docid is the document's id.

From the shell: ``python -m hksearch.trec INDEX QUERIES.tsv [-k 1000] [--tag hks] > run.trec``.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Iterable, Iterator, List, Tuple, Union

from ._index import Index


def read_queries(path: Union[str, "os.PathLike[str]"]) -> List[Tuple[str, str]]:
    """(qid, query) pairs of a ``qid<TAB>query`` file (blank lines skipped)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            qid, sep, query = line.partition("\t")
            if not sep:
                raise ValueError(f"{os.fspath(path)}:{n}: no tab between qid and query")
            out.append((qid, query))
    return out


def trec_run(index: Index, queries: Iterable[Tuple[str, str]], k: int = 1000,
             tag: str = "hks") -> Iterator[str]:
    """Search each (qid, query) for its top ``k`` and yield the run's lines
    (no newline), best first per query. A query the library refuses (a
    QueryError, e.g. only punctuation) gives no lines, as an empty result
    would."""
    from .errors import QueryError

    for qid, query in queries:
        if any(c.isspace() for c in qid):
            raise ValueError(f"qid {qid!r} has white space")
        try:
            hits = index.search(query, n=k, snippets=False)
        except QueryError:
            continue
        for h in hits:
            yield f"{qid} Q0 {h.id} {h.rank} {h.score:.6f} {tag}"


def main(argv: "List[str] | None" = None) -> int:
    """python -m hksearch.trec INDEX QUERIES.tsv [-k K] [--tag TAG]: a run on stdout."""
    ap = argparse.ArgumentParser(prog="python -m hksearch.trec",
                                 description="Search each qid<TAB>query line; print a TREC run.")
    ap.add_argument("index")
    ap.add_argument("queries")
    ap.add_argument("-k", type=int, default=1000, help="hits per query (default 1000)")
    ap.add_argument("--tag", default="hks")
    a = ap.parse_args(argv)
    with Index(a.index) as idx:
        for line in trec_run(idx, read_queries(a.queries), k=a.k, tag=a.tag):
            sys.stdout.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
