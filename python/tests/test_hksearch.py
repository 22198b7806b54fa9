"""The Python package on the repository's real text: both scripts, phrases,
one character, snippets in the article's own script, errors, writer and
readers in threads, TREC runs."""
import os
import pydoc
import subprocess
import sys
import threading

import pytest

import hksearch
from hksearch import Index, Writer

from conftest import CORPUS, SEEDS

SEED = {f[:3]: f for f in SEEDS}  # "004" -> "004_9aacc04dfcdb4d2e.txt"


def test_package_is_the_installed_one_with_its_library():
    path = os.path.dirname(hksearch.__file__)
    assert "site-packages" in path
    assert os.path.exists(os.path.join(path, "libhks.so"))
    assert hksearch.LIB_VERSION == hksearch.__version__


def ids(results):
    return {h.id for h in results}


def test_simplified_query_finds_traditional_article(index):
    # corpus/README.md: 疫苗接种 finds exactly 000, 001, 002 and 004, in
    # both scripts; 003 has no 疫苗接种.
    want = {SEED[k] for k in ("000", "001", "002", "004")}
    for q in ("疫苗接种", "疫苗接種"):
        hits = index.search(q, n=500)
        seeds = {h.id for h in hits if h.collection == "corpus"}
        assert seeds == want, q
        assert all(h.exact for h in hits)
    assert index.count("疫苗接种") == index.count("疫苗接種")


def test_snippet_in_the_articles_own_script(index):
    hit = next(h for h in index.search("疫苗接种", n=500) if h.id == SEED["004"])
    assert hit.highlights
    for s, e in hit.highlights:
        assert hit.snippet[s:e] == "疫苗接種"  # str indices, traditional as written
    assert "【疫苗接種】" in hit.highlighted()
    assert "疫苗接种" not in hit.snippet
    assert hit.title == "【游仙】讓群眾有“醫”靠生活更幸福"
    assert "疫苗接種" in index.body(hit)


def test_phrases_are_exact(index, dxy_docs):
    # Every document that holds the phrase, and no other: the count of exact
    # hits equals the DXY items containing it verbatim (DXY is simplified;
    # the seed articles are searched too, so they are counted from the hits).
    # A few DXY items are traditional (from Hong Kong): both forms count.
    for q, t in (("核酸检测", "核酸檢測"), ("密切接触者", "密切接觸者"),
                 ("无症状感染者", "無症狀感染者"), ("发热门诊", "發熱門診"), ("医学观察", "醫學觀察")):
        want = {d["id"] for d in dxy_docs if any(x in d["title"] or x in d["body"] for x in (q, t))}
        hits = index.search(f'"{q}"', n=5000, snippets=False)
        got = {h.id for h in hits if h.collection == "dxy_covid_news.docs"}
        assert got == want, q
        assert want


def test_phrase_across_punctuation_needs_punctuation(index):
    # 高血压和糖尿病 must not match "高血压 糖尿病"; one written with a
    # separator does.
    with Writer(index.path + "-phr") as w:
        w.add("a", "患有高血压和糖尿病的老人", collection="t")
        w.add("b", "患有高血压、糖尿病的老人", collection="t")
        w.commit()
    with Index(index.path + "-phr") as idx:
        assert ids(idx.search('"高血压 糖尿病"')) == {"b"}
        assert ids(idx.search("高血压")) == {"a", "b"}


def test_one_character_finds_every_article_with_it(index, dxy_docs, seed_texts):
    for ch, trad in (("医", "醫"), ("药", "藥"), ("肺", "肺")):
        want = {d["id"] for d in dxy_docs if ch in d["title"] + d["body"] or trad in d["title"] + d["body"]}
        hits = index.search(ch, n=5000, snippets=False)
        got = {h.id for h in hits if h.collection == "dxy_covid_news.docs"}
        assert got == want, ch
    # 醫 stands in 004's title only in traditional form.
    assert SEED["004"] in ids(index.search("医", n=5000, snippets=False))
    hit = index.search("肺", n=1)[0]
    assert all(hit.snippet[s:e] == "肺" for s, e in hit.highlights)


def test_offset_slices_the_ranking(index):
    full = index.search("疫情防控", n=8)
    assert len(full) == 8 and [h.rank for h in full] == list(range(1, 9))
    page = index.search("疫情防控", n=3, offset=4)
    assert [h.id for h in page] == [h.id for h in full[4:7]]
    assert [h.rank for h in page] == [5, 6, 7]
    assert index.search("疫情防控", n=0) == [] and index.count("疫情防控") == full.n_exact


def test_question_is_ranked_over_bigrams(index, dxy_docs):
    d = next(x for x in dxy_docs if x["id"] == "2")
    res = index.search(d["title"] + "吗", n=10)  # no exact match: ranked as a question
    assert res.is_natural
    assert "2" in [h.id for h in res[:3]]


def test_metadata_of_a_jsonl_document(index):
    hit = next(h for h in index.search("病毒性肺炎诊断患者", n=50) if h.id == "2")
    assert hit.collection == "dxy_covid_news.docs"
    assert hit.title == "武汉共发现病毒性肺炎诊断患者 44 例"
    assert hit.date.startswith("2020-01-03") and hit.source == "武汉市卫健委"
    assert hit.url.startswith("http://wjw.wuhan.gov.cn/")
    assert hit.score > 0


def test_errors_carry_code_and_message(index, tmp_path):
    # A lone quote is text; an unbalanced parenthesis is a syntax error.
    assert index.search('"疫苗接种').n_exact == index.search("疫苗接种").n_exact
    with pytest.raises(hksearch.QueryError) as e:
        index.search('(疫苗接种')
    assert e.value.code == -7 and "parenthesis" in e.value.message and e.value.name == "bad query"
    assert isinstance(e.value, ValueError)
    with pytest.raises(hksearch.HksError) as e:
        index.search("，。！")
    assert e.value.code == -7
    with pytest.raises(hksearch.HksError) as e:
        Index(tmp_path / "no-such-index")
    assert e.value.code < 0 and str(tmp_path / "no-such-index") in e.value.message
    with Writer(tmp_path / "w") as w:
        with pytest.raises(hksearch.LockedError) as e:
            Writer(tmp_path / "w")
        assert e.value.code == -9
        with pytest.raises(hksearch.NotFoundError):
            w.delete("nope", "c")
    closed = Index(index.path)
    closed.close()
    with pytest.raises(ValueError):
        closed.search("医")


def test_writer_commit_rollback_close(tmp_path):
    d = tmp_path / "idx"
    with Writer(d) as w:
        w.add("1", "本周社区为居民开展新冠疫苗接种。", title="疫苗接种", collection="c")
        w.commit()
        w.add("2", "醫院擴大疫苗接種服務。", collection="c")
        w.rollback()  # 2 is gone
        w.add("3", "医生走进乡村开展义诊。", collection="c")
        w.commit()
        w.add("4", "疫苗接种第四篇", collection="c")
    # closed without a commit: 4 is gone too
    with Index(d) as idx:
        assert ids(idx.search("疫苗接种")) == {"1"}
        assert ids(idx.search("义诊")) == {"3"}
        assert len(idx) == 2
    with Writer(d) as w:
        w.delete("1", "c")
        w.commit()
        assert w.progress().n_deleted == 1
    with Index(d) as idx:
        assert idx.count("疫苗接种") == 0


def test_sync_a_folder(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("标题甲\n\n核酸检测点今日开放。", encoding="utf-8")
    (src / "b.txt").write_text("标题乙\n\n疫苗接种点今日开放。", encoding="utf-8")
    with Writer(tmp_path / "idx") as w:
        w.add_path(src)
        w.commit()
        (src / "b.txt").unlink()
        assert w.sync(src) == 1
        w.commit()
    with Index(tmp_path / "idx") as idx:
        assert ids(idx.search("今日开放")) == {"a.txt"}


def test_bad_records_are_warnings(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text('{"id":"1","title":"t","body":"核酸检测"}\nnot json\n', encoding="utf-8")
    seen = []
    with Writer(tmp_path / "idx") as w:
        w.add_path(f, on_warning=seen.append)
        w.commit()
        assert w.progress().n_rejected == 1
    assert len(seen) == 1 and "x.jsonl:2" in seen[0]


def test_writer_and_reader_in_two_threads(tmp_path):
    d = tmp_path / "idx"
    batches, per = 6, 20
    with Writer(d) as w:
        w.commit()
    seen, errors = [], []
    done = threading.Event()

    def write():
        try:
            with Writer(d) as w:
                for b in range(batches):
                    for i in range(per):
                        w.add(f"{b}-{i}", f"第{b}批第{i}篇：核酸检测结果阴性。", collection="t")
                    w.commit()
        except BaseException as e:
            errors.append(e)
        finally:
            done.set()

    def read():
        try:
            while True:
                finished = done.is_set()
                with Index(d) as idx:
                    n = idx.count("核酸检测")
                    assert n == len(idx)
                    seen.append(n)
                if finished:
                    break
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    # every snapshot is a whole number of commits, never a partial one
    assert all(n % per == 0 for n in seen)
    assert seen == sorted(seen) and seen[-1] == batches * per


def test_one_index_searched_from_many_threads(index):
    want = [h.id for h in index.search("新冠肺炎", n=20, snippets=False)]
    out, errors = [], []

    def run():
        try:
            for _ in range(20):
                out.append([h.id for h in index.search("新冠肺炎", n=20)])
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(out) == 80 and all(o == want for o in out)
    assert len(index._searchers) >= 1


def test_trec_run(index, tmp_path):
    q = tmp_path / "q.tsv"
    q.write_text("q1\t疫苗接种\nq2\t，。\nq3\t武汉共发现病毒性肺炎诊断患者\n", encoding="utf-8")
    lines = list(hksearch.trec_run(index, hksearch.read_queries(q), k=5, tag="t"))
    q1 = [l.split() for l in lines if l.startswith("q1 ")]
    assert len(q1) == min(5, index.count("疫苗接种")) == 4
    assert [p[3] for p in q1] == ["1", "2", "3", "4"]
    assert all(p[1] == "Q0" and p[5] == "t" for p in q1)
    assert float(q1[0][4]) >= float(q1[-1][4])
    assert not [l for l in lines if l.startswith("q2 ")]  # nothing searchable: no lines
    assert any(l.split()[2] == "2" for l in lines if l.startswith("q3 "))
    out = subprocess.run([sys.executable, "-m", "hksearch.trec", index.path, str(q), "-k", "5",
                          "--tag", "t"], check=True, capture_output=True, text=True).stdout
    assert out.splitlines() == lines


def test_analyze_gives_the_index_terms():
    terms = hksearch.analyze("疫苗接種，COVID-19")
    assert [t.term for t in terms] == ["疫苗", "苗接", "接种", "种", "covid", "19"]
    assert [(t.start, t.end) for t in terms][:4] == [(0, 2), (1, 3), (2, 4), (3, 4)]
    assert terms[3].last and terms[4].word
    assert terms[4].pos == terms[3].pos + 2  # the separator leaves a gap


def test_help_reads_well():
    text = pydoc.render_doc(hksearch.Index, renderer=pydoc.plaintext)
    assert "search(self, query: 'str', n: 'int' = 10, offset: 'int' = 0" in text
    assert "Raises QueryError" in text
    assert "one-character" in pydoc.render_doc(hksearch, renderer=pydoc.plaintext)
    assert hksearch.Writer.rollback.__doc__


def test_sync_from_another_source_of_the_same_name_is_refused(tmp_path):
    """A collection remembers its source: a different file of the same name
    is refused and deletes nothing (the index keeps the first source's)."""
    import hksearch
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "feed.jsonl").write_text('{"id":"1","title":"疫苗接種","body":"醫院疫苗接種"}\n'
                                  '{"id":"2","title":"口罩","body":"口罩供應"}\n', "utf-8")
    (b / "feed.jsonl").write_text('{"id":"9","title":"核酸","body":"核酸检测"}\n', "utf-8")
    idx = tmp_path / "idx"
    with hksearch.Writer(idx) as w:
        w.add_path(a / "feed.jsonl")
        w.commit()
        with pytest.raises(hksearch.RefusedError):
            w.sync(b / "feed.jsonl")
        assert w.progress().n_replaced == 0
    with hksearch.Index(idx) as ix:
        assert ix.info().n_docs == 2
        assert ix.info().n_collections == 1


def test_find_by_collection_and_id_and_changed(tmp_path):
    """find() looks an article up by its key; changed() sees another
    writer's commit while this Index keeps the commit it opened."""
    import hksearch
    src = tmp_path / "feed.jsonl"
    src.write_text('{"id":"1593","title":"醫院疫苗接種","body":"醫院擴大疫苗接種"}\n', "utf-8")
    idx = tmp_path / "idx"
    with hksearch.Writer(idx) as w:
        w.add_path(src)
        w.commit()
    with hksearch.Index(idx) as ix:
        hit = ix.find("1593", "feed")
        assert hit is not None and hit.title == "醫院疫苗接種" and hit.collection == "feed"
        assert ix.body(hit) == "醫院擴大疫苗接種"
        assert ix.find("1593", "other") is None and ix.find("9", "feed") is None
        assert not ix.changed()
        with hksearch.Writer(idx) as w:
            w.delete("1593", "feed")
            w.commit()
        assert ix.changed()
        assert ix.find("1593", "feed") is not None  # still the commit it opened
    with hksearch.Index(idx) as ix:
        assert ix.find("1593", "feed") is None


def test_author_category_tags_and_recency(tmp_path):
    d = str(tmp_path / "fields")
    with Writer(d) as w:
        w.add("174", "2016 似是世事逆轉的一年。", title="歷史岔口 · 回到從前", collection="hk",
              date="2016-12-30", author="飄楊 & 小鳥", category="眾說")
        w.add("175", "翻拍經典作品，要翻拍得好，是一件難度極高的事情。一年前的今天，筆者看過《死亡筆記》。",
              title="《死亡筆記：照亮新世紀》", collection="hk", date="2017-01-05",
              author="林兆彬", category="眾說", tags=["movie", "電影", "死亡筆記"])
        with pytest.raises(TypeError):
            w.add("x", "正文", collection="hk", tags="电影")  # a str is not a list of tags
        w.commit()
    with Index(d) as idx:
        (hit,) = idx.search("tag:死亡笔记")
        assert (hit.id, hit.author, hit.category, hit.tags) == ("175", "林兆彬", "眾說",
                                                                  ("movie", "電影", "死亡筆記"))
        assert [h.id for h in idx.search("author:小鸟")] == ["174"]
        assert idx.search("tag:死亡") == []
        assert idx.find("174", "hk").tags == ()
        assert [h.id for h in idx.search("一年")] == ["174", "175"]
    with Index(d, recency=1) as idx:
        assert [h.id for h in idx.search("一年")] == ["175", "174"]


def test_reprints_fold_into_one_hit(tmp_path, seed_texts):
    # A seed article reprinted a day later with its photo credit changed
    # folds into one hit; without collapsing both are listed.
    a = seed_texts[SEED["001"]]
    a2 = a.replace("大美汝州 王庆 摄", "汝州市人民医院供图")
    assert a2 != a
    d = str(tmp_path / "idx")
    with Writer(d) as w:
        w.add("a", a, title="市卫健委", collection="t", date="2022-03-01")
        w.add("a2", a2, title="市卫健委", collection="t", date="2022-03-02")
        w.add("b", seed_texts[SEED["002"]], title="市卫健委", collection="t", date="2022-03-01")
        w.commit()
    with Index(d) as idx:
        hits = idx.search("卫健", snippets=False)
        assert len(hits) == 2
        folded = [h for h in hits if h.similar]
        assert len(folded) == 1 and folded[0].id in ("a", "a2")
        assert folded[0].similar == (("t", "a2" if folded[0].id == "a" else "a"),)
    with Index(d, collapse=False) as idx:
        hits = idx.search("卫健", snippets=False)
        assert ids(hits) == {"a", "a2", "b"} and not any(h.similar for h in hits)


def test_synonyms_set_show_expand(tmp_path):
    """A synonym table set through the Writer is seen by a new Index: an
    unquoted alias finds its group (hkcnews excerpts), quotes and
    synonyms=False stay exact, and Results.synonyms says what was expanded."""
    idx = tmp_path / "idx"
    with Writer(idx) as w:
        w.add("979", "多家醫院停止接受內地雙非孕婦的分娩預約。醫管局隨即亦通過公立醫院不再接受雙非孕婦的決定。")
        w.add("3867", "行政總監徐德義、醫院管理局行政總裁梁栢賢，已分別公開交代事件。")
        w.commit()
        with pytest.raises(hksearch.InputError, match="health.txt:2:"):
            w.set_synonyms("醫管局 / 醫院管理局\n衞生署\n", name="health.txt")
        w.set_synonyms("醫管局 / 醫院管理局  # Hospital Authority\n")
    with Index(idx) as ix:
        assert ix.synonyms() == "醫管局 / 醫院管理局\n"
        res = ix.search("医管局")
        assert sorted(h.id for h in res) == ["3867", "979"]
        assert res.synonyms == (("醫管局", ("醫管局", "醫院管理局")),)
        assert [h.id for h in ix.search('"医管局"')] == ["979"]
        with Writer(idx) as w:
            w.set_synonyms("")
        assert ix.changed()
    with Index(idx, synonyms=False) as ix:
        assert ix.synonyms() == ""
        assert [h.id for h in ix.search("医管局")] == ["979"]


def test_explain_makes_each_score(index, seed_texts):
    """search(explain=True): each hit's Explanation sums to its score; the
    terms' tfs are their counts in the article, shown as it writes them."""
    hits = index.search("疫苗接种", n=10, explain=True)
    assert hits and all(h.exact and h.explain.exact for h in hits)
    seen = set()
    for h in hits:
        e = h.explain
        assert abs(e.score - h.score) <= 1e-9 * h.score
        assert abs(sum(t.score for t in e.terms) - e.sum) <= 1e-9 * e.sum
        assert [t.term for t in e.terms] == ["疫苗", "苗接", "接种"]
        assert all(t.field == "terms" and t.length > 0 and t.avg_length > 0 for t in e.terms)
        if h.id == SEED["000"]:
            seen.add("000")
            assert [t.tf for t in e.terms] == [seed_texts[h.id].count(w)
                                               for w in ("疫苗", "苗接", "接种")]
        if h.id == SEED["004"]:  # the traditional article
            seen.add("004")
            assert e.terms[2].shown == "接種"
    assert seen == {"000", "004"}
    # A question: partial hits scored with the character field too.
    hits = index.search("新冠疫苗有什么副作用", n=10, explain=True)
    partial = [h for h in hits if not h.exact]
    assert partial
    for h in hits:
        assert abs(h.explain.score - h.score) <= 1e-9 * h.score
        assert abs(h.explain.sum * h.explain.coverage * h.explain.recency - h.score) \
            <= 1e-9 * h.score
        assert 0 < h.explain.coverage <= 1 and (h.explain.coverage == 1 or not h.exact)
    assert any(t.field == "chars" and t.tf for h in partial for t in h.explain.terms)
    assert index.search("疫苗接种", n=1)[0].explain is None
