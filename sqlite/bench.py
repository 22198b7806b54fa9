"""Side by side, in one run: SQLite FTS5 with the tokenizer hks (and its
option unigrams 0), FTS5's trigram tokenizer and the shared bench's bigram
set-up, with hksearch itself for reference.

  build/venv/bin/python sqlite/bench.py [--data ../shared/data] [--bench ../shared/bench]
                                        [--work DIR] [--news-docs N]

Relevance (MRR@10 with the shared bench's eval.py): drcd (traditional
questions, traditional paragraphs), drcd-t2s (the same questions through
`opencc -c t2s`), cmedir. Every FTS5 row ranks with bm25() over an OR of
the query's terms, as the shared bench does: the bench's own query
builders for trigram and bigram, hks_any() for hks.
Phrases and single characters (phrase-queries.txt, char-queries.txt) on the
bench's news corpus (cctv_xwlb + hkcnews + dxy_covid_news): each row's
exact-phrase query (hks and trigram: the quoted string; bigram: the phrase
of its bigrams, a lone character as a prefix query "x"*; hks unigrams 0: a
lone character as x*), top 10 by rank, one warm-up pass then a timed pass,
time per query inside this process. The tables are contentless, as in the
shared bench (content=''), and built in one transaction, then 'optimize'.
Scratch files go to --work (default $TMPDIR/hks-fts5-bench) and stay there.
"""
import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

import hksearch
import hksearch.sqlite

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXT = os.path.join(TOP, "build", "hks_fts5.so")
NEWS = ["cctv_xwlb", "hkcnews", "dxy_covid_news"]  # as the shared bench, ids prefixed
NEWS_PFX = {"cctv_xwlb": "xwlb", "hkcnews": "hkc", "dxy_covid_news": "dxy"}

ROWS = [  # name, tokenize= (None: hksearch itself), query builder
    ("fts5 hks", "hks", "hks"),
    ("fts5 hks unigrams 0", "hks unigrams 0", "hks0"),
    ("fts5 trigram (bench)", "trigram", "trigram"),
    ("fts5 bigram (bench)", "unicode61", "bigram"),
    ("hksearch (engine)", None, "engine"),
]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def zlines(path):
    p = subprocess.Popen(["zstd", "-dcq", path], stdout=subprocess.PIPE, bufsize=1 << 20)
    for line in p.stdout:
        if line.strip():
            yield json.loads(line)
    p.stdout.close()
    assert p.wait() == 0, path


def clean_q(q):
    return " ".join(q.replace("\t", " ").split())


def db_size(path):
    return sum(os.path.getsize(path + s) for s in ("", "-wal", "-journal") if os.path.exists(path + s))


def dir_size(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)


class Row:
    def __init__(self, name, tok, qkind, common, fts5_peer):
        self.name, self.tok, self.qkind = name, tok, qkind
        self.common, self.peer = common, fts5_peer

    # -- build ------------------------------------------------------------
    def build(self, docs, where):
        """docs: list of (id, title, body). Returns (seconds, bytes)."""
        t0 = time.perf_counter()
        if self.tok is None:
            with hksearch.Writer(where) as w:
                for i, t, b in docs:
                    w.add(i, b, title=t, collection="c")
                w.commit()
            return time.perf_counter() - t0, dir_size(where)
        path = where + ".db"
        con = sqlite3.connect(path, isolation_level=None)
        hksearch.sqlite.load(con)
        con.execute(f"CREATE VIRTUAL TABLE docs USING fts5(title, body, content='', "
                    f"tokenize='{self.tok}')")
        con.execute("CREATE TABLE ids(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL)")
        prep = self.common.bigram_text if self.qkind == "bigram" else (lambda s: s)
        con.execute("BEGIN")
        for n, (i, t, b) in enumerate(docs, 1):
            con.execute("INSERT INTO docs(rowid, title, body) VALUES (?,?,?)", (n, prep(t), prep(b)))
            con.execute("INSERT INTO ids(rowid, id) VALUES (?,?)", (n, i))
        con.execute("COMMIT")
        con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        con.close()
        return time.perf_counter() - t0, db_size(path)

    def open(self, where):
        if self.tok is None:
            self.idx = hksearch.Index(where)
            return
        self.con = sqlite3.connect(where + ".db")
        hksearch.sqlite.load(self.con)

    def close(self):
        if self.tok is None:
            self.idx.close()
        else:
            self.con.close()

    # -- queries ----------------------------------------------------------
    SQL = ("SELECT ids.id, r.s FROM (SELECT rowid AS rid, rank AS s FROM docs WHERE docs MATCH ? "
           "ORDER BY rank LIMIT ?) r JOIN ids ON ids.rowid = r.rid ORDER BY r.s")

    def _fts(self, expr, k):
        if not expr:
            return []
        try:
            return [(d, -s) for d, s in self.con.execute(self.SQL, (expr, k))]
        except sqlite3.OperationalError:  # nothing searchable
            return []

    def ranked(self, q, k):
        """A question, ranked (OR of its terms)."""
        if self.qkind == "engine":
            try:
                return [(h.id, h.score) for h in self.idx.search(q, n=k, snippets=False)]
            except hksearch.HksError:
                return []
        if self.qkind in ("hks", "hks0"):
            try:
                (expr,) = self.con.execute("SELECT hks_any(?)", (q,)).fetchone()
            except sqlite3.OperationalError:
                return []
            return self._fts(expr, k)
        return self._fts(self.peer.fts_query(q, self.qkind), k)

    def exact(self, q, k):
        """A phrase or a single character, matched exactly."""
        if self.qkind == "engine":
            return [(h.id, h.score) for h in self.idx.search(f'"{q}"', n=k, snippets=False)]
        quoted = '"' + q.replace('"', '""') + '"'
        if self.qkind == "hks":
            return self._fts(quoted, k)
        if self.qkind == "hks0":
            return self._fts(quoted + ("*" if len(q) == 1 else ""), k)
        if self.qkind == "trigram":
            return self._fts(quoted, k)
        toks = self.common.bigram_tokens(q, True)
        if len(toks) == 1 and isinstance(toks[0], tuple):
            return self._fts('"' + toks[0][0] + '"*', k)
        return self._fts('"' + " ".join(t if isinstance(t, str) else t[0] for t in toks) + '"', k)

    def count(self, q):
        """All documents the exact query finds."""
        if self.qkind == "engine":
            return self.idx.count(f'"{q}"')
        return len(self.exact(q, 10 ** 9))


def run_queries(fn, queries, k, warmup=True):
    if warmup:
        for _, q in queries:
            fn(q, k)
    out = []
    for qid, q in queries:
        t0 = time.perf_counter()
        hits = fn(q, k)
        out.append((qid, hits, (time.perf_counter() - t0) * 1000.0))
    return out


def mrr(evalpy, qrels, results, work, tag):
    run = os.path.join(work, f"run-{tag}.trec")
    with open(run, "w", encoding="utf-8") as f:
        for qid, hits, _ in results:
            for r, (d, s) in enumerate(hits, 1):
                f.write(f"{qid} Q0 {d} {r} {s:.6f} x\n")
    out = subprocess.run([sys.executable, evalpy, qrels, run], check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0])


def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, int(round(p / 100 * len(xs) + 0.5)) - 1))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(TOP, "..", "shared", "data"))
    ap.add_argument("--bench", default=os.path.join(TOP, "..", "shared", "bench"))
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hks-fts5-bench"))
    ap.add_argument("--news-docs", type=int, default=0, help="every k-th news doc, about N (0: all)")
    ap.add_argument("--rows", default="", help="comma-separated row names (default: all)")
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.bench, "peers"))
    import common  # the shared bench's corpus reader and bigram splitter
    import fts5_peer  # its FTS5 query builders

    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    rows = [Row(n, t, q, common, fts5_peer) for n, t, q in ROWS
            if not a.rows or n in a.rows.split(",")]
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    # ---- judged sets
    sets = {}
    for s in ("drcd", "cmedir"):
        docs = [(str(d["id"]), d.get("title") or "", d.get("body") or "")
                for d in zlines(os.path.join(a.data, f"{s}.docs.jsonl.zst"))]
        qs = [(str(d["qid"]), clean_q(d["query"]))
              for d in zlines(os.path.join(a.data, f"{s}.queries.jsonl.zst"))]
        sets[s] = (docs, qs)
    src, dst = os.path.join(a.work, "drcd.q.txt"), os.path.join(a.work, "drcd-t2s.q.txt")
    with open(src, "w", encoding="utf-8") as f:
        f.writelines(q + "\n" for _, q in sets["drcd"][1])
    subprocess.run(["opencc", "-c", "t2s", "-i", src, "-o", dst], check=True)
    conv = open(dst, encoding="utf-8").read().split("\n")[:len(sets["drcd"][1])]
    t2s = [(qid, clean_q(c)) for (qid, _), c in zip(sets["drcd"][1], conv)]
    evalpy = os.path.join(a.bench, "eval.py")
    res = {r.name: {} for r in rows}
    for s in ("drcd", "cmedir"):
        docs, qs = sets[s]
        qrels = os.path.join(a.data, f"{s}.qrels.tsv.zst")
        for r in rows:
            where = os.path.join(a.work, f"{s}-{r.qkind}")
            log(f"{s}: {r.name}: build")
            r.build(docs, where)
            r.open(where)
            for name, qq in ((s, qs), ("drcd-t2s", t2s)) if s == "drcd" else ((s, qs),):
                log(f"{name}: {r.name}: {len(qq)} queries")
                out = run_queries(r.ranked, qq, 10, warmup=False)
                res[r.name][name] = mrr(evalpy, qrels, out, a.work, f"{name}-{r.qkind}")
                res[r.name][name + " ms"] = statistics.median(ms for _, _, ms in out)
            r.close()

    # ---- news: build, phrases, characters
    news = []
    for f in NEWS:
        for d in zlines(os.path.join(a.data, f"{f}.docs.jsonl.zst")):
            news.append((f"{NEWS_PFX[f]}-{d['id']}", d.get("title") or "", d.get("body") or ""))
    if a.news_docs:
        step = max(1, -(-len(news) // a.news_docs))
        news = news[::step]
    raw_mb = sum(len(json.dumps({"id": i, "title": t, "body": b}, ensure_ascii=False).encode())
                 for i, t, b in news) / 1e6
    phrases = [(f"p{n:02d}", clean_q(l)) for n, l in enumerate(
        open(os.path.join(a.bench, "phrase-queries.txt"), encoding="utf-8"), 1) if l.strip()]
    chars = [(f"c{n:02d}", l.strip()) for n, l in enumerate(
        open(os.path.join(a.bench, "char-queries.txt"), encoding="utf-8"), 1) if l.strip()]
    for r in rows:
        where = os.path.join(a.work, f"news-{r.qkind}")
        log(f"news ({len(news)} docs): {r.name}: build")
        secs, size = r.build(news, where)
        res[r.name]["build s"], res[r.name]["MB"] = secs, size / 1e6
        r.open(where)
        for name, qq in (("phrase", phrases), ("char", chars)):
            out = run_queries(r.exact, qq, 10)
            ms = [m for _, _, m in out]
            res[r.name][name + " p50"] = statistics.median(ms)
            res[r.name][name + " p95"] = pct(ms, 95)
            res[r.name][name + " zero"] = sum(1 for _, h, _ in out if not h)
            res[r.name][name + " hits"] = sum(r.count(q) for _, q in qq)
        r.close()
        if r.tok is None:
            shutil.rmtree(where)
        else:
            os.remove(where + ".db")

    info = {"started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "news_docs": len(news), "news_raw_MB": raw_mb, "sqlite": sqlite3.sqlite_version,
            "queries": {"drcd": len(sets["drcd"][1]), "cmedir": len(sets["cmedir"][1]),
                        "phrase": len(phrases), "char": len(chars)}, "rows": res}
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump(info, f, indent=1, ensure_ascii=False)
    base = res.get("fts5 bigram (bench)", {})
    print(f"Started {started}, finished {info['finished']}; SQLite {sqlite3.sqlite_version}; "
          f"news {len(news)} docs ({raw_mb:.1f} MB JSONL); drcd {info['queries']['drcd']} q, "
          f"cmedir {info['queries']['cmedir']} q, {len(phrases)} phrases, {len(chars)} characters.\n")
    print("| row | drcd MRR@10 | drcd-t2s MRR@10 | cmedir MRR@10 | news build s | index MB "
          "| phrase ms p50 / p95 (× bigram p50) | phrase hits (0-hit q) | 1-char ms p50 / p95 "
          "| 1-char hits (0-hit q) |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        x = res[r.name]
        ratio = (f" ({x['phrase p50'] / base['phrase p50']:.2f}×)" if base and r.name !=
                 "fts5 bigram (bench)" else "")
        print(f"| {r.name} | {x['drcd']:.4f} | {x['drcd-t2s']:.4f} | {x['cmedir']:.4f} "
              f"| {x['build s']:.1f} | {x['MB']:.0f} "
              f"| {x['phrase p50']:.2f} / {x['phrase p95']:.2f}{ratio} "
              f"| {x['phrase hits']} ({x['phrase zero']}) "
              f"| {x['char p50']:.2f} / {x['char p95']:.2f} | {x['char hits']} ({x['char zero']}) |")


if __name__ == "__main__":
    main()
