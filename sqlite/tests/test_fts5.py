"""The FTS5 tokenizer "hks" from Python's sqlite3 module, on the repository's
real text: both scripts, exact phrases (FTS5 and hksearch agree on every
sampled phrase), one character, highlight()/snippet() offsets in traditional
text, bm25() ranking of questions."""
import json
import os
import random
import sqlite3
import subprocess
import unicodedata

import pytest

import hksearch
import hksearch.sqlite

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXT = os.environ.get("HKS_FTS5", os.path.join(TOP, "build", "hks_fts5.so"))
CORPUS = os.path.join(TOP, "corpus")
SEEDS = sorted(f for f in os.listdir(CORPUS) if f.endswith(".txt"))
T004 = next(f for f in SEEDS if f.startswith("004"))
S, E = "\x02", "\x03"  # highlight marks that the text never holds


def connect(path=":memory:"):
    con = sqlite3.connect(path)
    con.enable_load_extension(True)
    con.load_extension(EXT)
    return con


@pytest.fixture(scope="module")
def docs():
    """(collection, id, title, body): the seed articles, then the DXY news."""
    out = []
    for f in SEEDS:
        with open(os.path.join(CORPUS, f), encoding="utf-8") as fh:
            out.append(("corpus", f, "", fh.read()))
    raw = subprocess.run(["zstd", "-dcq", os.path.join(CORPUS, "dxy_covid_news.docs.jsonl.zst")],
                         check=True, capture_output=True).stdout.decode("utf-8")
    for line in raw.splitlines():
        d = json.loads(line)
        out.append(("dxy", d["id"], d["title"], d["body"]))
    return out


@pytest.fixture(scope="module")
def db(docs):
    con = connect()
    con.execute("CREATE VIRTUAL TABLE news USING fts5(title, body, tokenize='hks')")
    con.execute("CREATE TABLE ids(rowid INTEGER PRIMARY KEY, coll TEXT, id TEXT)")
    with con:
        for n, (c, i, t, b) in enumerate(docs, 1):
            con.execute("INSERT INTO news(rowid, title, body) VALUES (?,?,?)", (n, t, b))
            con.execute("INSERT INTO ids VALUES (?,?,?)", (n, c, i))
    yield con
    con.close()


@pytest.fixture(scope="module")
def hks(docs, tmp_path_factory):
    """The same documents in an hksearch index."""
    d = str(tmp_path_factory.mktemp("fts5") / "idx")
    with hksearch.Writer(d) as w:
        for c, i, t, b in docs:
            w.add(i, b, title=t, collection=c)
        w.commit()
    # Every matching document, copies of one story included: FTS5 does not
    # fold them.
    with hksearch.Index(d, collapse=False) as idx:
        yield idx


def match(con, q, table="news"):
    return {(c, i) for c, i in con.execute(
        f"SELECT coll, id FROM {table} JOIN ids ON ids.rowid = {table}.rowid "
        f"WHERE {table} MATCH ?", (q,))}


def cuts_word(b, i):
    """Whether offset i of b falls inside a Latin word or number."""
    def w(ch):
        ch = unicodedata.normalize("NFKC", ch)
        return ch.isascii() and ch.isalnum()
    return 0 < i < len(b) and w(b[i - 1]) and w(b[i])


def quoted(q):
    return '"' + q.replace('"', '""') + '"'


def test_both_scripts(db):
    want = {("corpus", f) for f in SEEDS if not f.startswith("003")}
    for q in ("疫苗接种", "疫苗接種"):
        got = {x for x in match(db, q) if x[0] == "corpus"}
        assert got == want, q  # corpus/README.md: 000, 001, 002, 004
    assert match(db, "疫苗接种") == match(db, "疫苗接種")


def test_phrases_agree_with_hksearch(db, hks, docs):
    # Random pieces of the real text, 1..6 characters, many across
    # punctuation or a Latin word: FTS5 must find exactly the documents
    # hksearch finds for the quoted phrase (never a non-adjacent match).
    rng = random.Random(12)
    n = checked = 0
    while checked < 300:
        n += 1
        c, i, t, b = docs[rng.randrange(len(docs))]
        if len(b) < 10:
            continue
        k = rng.randrange(1, 7)
        at = rng.randrange(len(b) - k)
        q = b[at:at + k]
        if '"' in q or not hksearch.analyze(q):
            continue
        want = {(h.collection, h.id)
                for h in hks.search(quoted(q), n=10000, snippets=False) if h.exact}
        got = match(db, quoted(q))
        assert got == want, q
        if not (cuts_word(b, at) or cuts_word(b, at + k)):
            assert (c, i) in got, q  # the text it came from
        checked += 1


def test_phrase_across_a_separator(db):
    con = connect()
    con.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='hks')")
    rows = ["患有高血压和糖尿病的老人", "患有高血壓、糖尿病的老人", "HPV疫苗", "新冠mRNA疫苗",
            "新冠 疫苗", "新冠疫苗"]
    con.executemany("INSERT INTO t(body) VALUES (?)", [(r,) for r in rows])

    def rows_of(q):
        return {r for (r,) in con.execute("SELECT body FROM t WHERE t MATCH ?", (q,))}

    assert rows_of('"高血压 糖尿病"') == {rows[1]}
    assert rows_of("高血压") == {rows[0], rows[1]}
    assert rows_of('"hpv 疫苗"') == {rows[2]}
    assert rows_of('"新冠 疫苗"') == {rows[4]}  # not 新冠mRNA疫苗, not 新冠疫苗
    assert rows_of("新冠疫苗") == {rows[5]}
    assert rows_of("冠疫") == {rows[5]}


def test_one_character_finds_every_text_with_it(db, hks, docs):
    for ch, trad in (("医", "醫"), ("药", "藥"), ("诊", "診"), ("肺", "肺")):
        want = {(c, i) for c, i, t, b in docs if any(x in t + b for x in (ch, trad))}
        assert match(db, ch) == want == match(db, trad), ch
        assert want == {(h.collection, h.id) for h in hks.search(ch, n=10000, snippets=False)}


def test_prefix_query(db):
    assert match(db, "疫苗接种") <= match(db, "疫苗接*")
    assert match(db, '"疫苗" + 接*') == match(db, "疫苗接*")


def test_highlight_offsets_in_traditional_text(db, docs):
    (rowid,) = db.execute("SELECT rowid FROM ids WHERE id = ?", (T004,)).fetchone()
    body = docs[rowid - 1][3]
    for q, ok in (("疫苗接种", {"疫苗接種"}), ("医", {"醫"}), ("卫生院", {"衛生院"})):
        (h,) = db.execute("SELECT highlight(news, 1, ?, ?) FROM news WHERE news MATCH ? AND "
                          "rowid = ?", (S, E, q, rowid)).fetchone()
        assert h.replace(S, "").replace(E, "") == body  # the text as stored
        marked = [p.split(E)[0] for p in h.split(S)[1:]]
        assert marked and all(m in ok or set(m) <= set("".join(ok)) for m in marked), (q, marked)
    (sn,) = db.execute("SELECT snippet(news, 1, '[', ']', '…', 12) FROM news "
                       "WHERE news MATCH '疫苗接种' AND rowid = ?", (rowid,)).fetchone()
    assert "[疫苗接種]" in sn


def test_bm25_ranks_questions(db, docs):
    # A DXY title asked as a question: hks_any() ORs its terms, bm25 ranks;
    # the item itself (or one with the same title) comes first.
    rng = random.Random(5)
    dxy = [d for d in docs if d[0] == "dxy" and len(d[2]) >= 8]
    good = 0
    sample = rng.sample(dxy, 40)
    for c, i, t, b in sample:
        rows = db.execute("SELECT ids.id, news.title FROM news JOIN ids ON ids.rowid = "
                          "news.rowid WHERE news MATCH hks_any(?) ORDER BY rank LIMIT 1",
                          (t,)).fetchall()
        good += bool(rows) and (rows[0][0] == i or rows[0][1] == t)
    assert good >= 36, good
    (q,) = db.execute("SELECT hks_any('孕妇感冒了可以吃什么药？药')").fetchone()
    assert q.startswith('"孕妇" OR "妇感" OR "感冒"') and q.endswith('"么药" OR "药"')
    with pytest.raises(sqlite3.OperationalError, match="nothing to search for"):
        db.execute("SELECT hks_any('，。')").fetchone()
    assert db.execute("SELECT hks_any(NULL)").fetchone() == (None,)
    with pytest.raises(sqlite3.OperationalError, match="over 4096 bytes"):
        db.execute("SELECT hks_any(?)", ("医" * 1366,)).fetchone()
    (q,) = db.execute("SELECT hks_any(?)", ("医院" * 682,)).fetchone()  # 4,092 bytes
    assert q == '"医院" OR "院医"'  # each term once



def test_unigrams_0_needs_a_prefix_query(docs):
    con = connect()
    con.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='hks unigrams 0')")
    con.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)",
                    [(n, b) for n, (_, _, _, b) in enumerate(docs, 1)])
    want = {n for n, (_, _, t, b) in enumerate(docs, 1) if "医" in b or "醫" in b}
    plain = {r for (r,) in con.execute("SELECT rowid FROM t WHERE t MATCH '医'")}
    prefix = {r for (r,) in con.execute("SELECT rowid FROM t WHERE t MATCH '医*'")}
    assert prefix == want and plain < want
    assert {r for (r,) in con.execute("SELECT rowid FROM t WHERE t MATCH '疫苗接种'")} == \
        {n for n, (_, _, _, b) in enumerate(docs, 1)
         if "疫苗接种" in b or "疫苗接種" in b}


def test_bad_option_is_an_error():
    con = connect()
    with pytest.raises(sqlite3.OperationalError):
        con.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='hks bogus 1')")


def test_a_saved_database_in_a_new_connection(tmp_path):
    p = str(tmp_path / "news.db")
    con = connect(p)
    con.execute("CREATE VIRTUAL TABLE n USING fts5(body, tokenize='hks')")
    with con:
        con.execute("INSERT INTO n VALUES ('醫院擴大疫苗接種服務')")
    con.close()
    plain = sqlite3.connect(p)  # without the extension the table cannot be read
    with pytest.raises(sqlite3.OperationalError):
        plain.execute("SELECT * FROM n WHERE n MATCH '疫苗'").fetchall()
    plain.close()
    con = sqlite3.connect(p)
    hksearch.sqlite.load(con)  # the copy inside the Python package
    assert con.execute("SELECT count(*) FROM n WHERE n MATCH '医院'").fetchone() == (1,)
    con.close()
