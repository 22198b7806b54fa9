"""Index (read side), Hit, Results and analyze()."""
from __future__ import annotations

import ctypes
import os
import threading
import weakref
from ctypes import byref, c_size_t, c_uint32, c_void_p
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple, Union

from . import _capi as C
from .errors import error

_SNIPPET_CHARS = 90
_MAX_SPANS = 64


def _path(p: Union[str, "os.PathLike[str]"]) -> bytes:
    return os.fsencode(p)


def _text(ptr: Optional[int], n: int) -> str:
    return ctypes.string_at(ptr, n).decode("utf-8", "replace") if ptr and n else ""


def _str_index(b: bytes, offsets: Sequence[int]) -> List[int]:
    """str indices in b.decode() of the byte offsets (each on a character boundary)."""
    return [len(b[:o].decode("utf-8", "replace")) for o in offsets]


def _fields(meta: "C.hks_doc_meta") -> dict:
    """author, category and tags of a hks_doc_meta, for a Hit."""
    tags = _text(meta.tags, meta.tags_len)
    return {"author": _text(meta.author, meta.author_len),
            "category": _text(meta.category, meta.category_len),
            "tags": tuple(t for t in tags.split("\n") if t)}


@dataclass(frozen=True)
class ExplainTerm:
    """One scoring term of a hit's explanation (hks_explain_term).

    Attributes:
        term: the term as indexed (normalized: simplified, lower case; a
            prefix without its ``*``).
        shown: its first occurrence in the article as written (the title,
            then the body), or ``term`` when the article lacks it.
        field: ``"terms"`` (bigrams, words) or ``"chars"`` (single
            characters, a question's second field).
        prefix: every term starting with ``term`` counts (``covid*``, a
            lone character).
        qtf: times the term stands in the query; query_weight: their
            weights summed (function words weigh less).
        idf, field_weight, k1, b: the BM25 factors; tf: occurrences in the
            article; length, avg_length: its length in the field and the
            collection's average (the length normalisation).
        score: the term's contribution, before recency.
    """

    term: str
    shown: str
    field: str
    prefix: bool
    qtf: int
    query_weight: float
    idf: float
    field_weight: float
    k1: float
    b: float
    tf: int
    length: int
    avg_length: float
    score: float


@dataclass(frozen=True)
class Explanation:
    """How a hit's score was made (hks_explain): ``score`` is ``sum``
    (the terms' contributions) times ``coverage`` (the share of the
    question the article holds, raised to HKS_S_COVERAGE; 1 for a strict
    match) times ``recency``, and equals the hit's
    score but for rounding. ``exact``: scored as a strict match (else as a
    question's partial match); ``n_similar``: copies folded into the hit.
    Term proximity is not part of a score."""

    score: float
    sum: float
    coverage: float
    recency: float
    exact: bool
    n_similar: int
    terms: Tuple[ExplainTerm, ...]

    def found(self) -> Tuple[ExplainTerm, ...]:
        """The terms the article holds (tf > 0)."""
        return tuple(t for t in self.terms if t.tf)


@dataclass(frozen=True)
class Hit:
    """One search result.

    Attributes:
        rank: 1 for the best hit (offset included).
        id: the document's external id.
        collection: the id's scope (the source folder's or file's name).
        score: BM25; higher is better.
        exact: the document matches the whole query (not only some of the
            bigrams of a natural-language query).
        title, date, source, url: the stored metadata ('' where absent).
        author, category: the same, for sources that carry them.
        tags: the document's tags (() where it has none).
        snippet: about ``snippet_chars`` characters of the body around the
            matches, in the article's own script.
        highlights: (start, end) str indices into ``snippet`` of each match.
        doc_id: the library's document number, valid for this Index only
            (for Index.body()).
        similar: ``(collection, id)`` of each copy of this story folded into
            this hit (near-identical text, dated within 3 days); empty
            when there are none or the Index was opened with
            ``collapse=False``.
        explain: how its score was made (an Explanation), when the search
            was asked for it (``search(..., explain=True)``), else None.
    """

    rank: int
    id: str
    collection: str
    score: float
    exact: bool
    title: str
    date: str
    source: str
    url: str
    snippet: str
    highlights: Tuple[Tuple[int, int], ...]
    doc_id: int
    author: str = ""
    category: str = ""
    tags: Tuple[str, ...] = ()
    similar: Tuple[Tuple[str, str], ...] = ()
    explain: Optional[Explanation] = None

    def highlighted(self, before: str = "【", after: str = "】") -> str:
        """The snippet with each match between ``before`` and ``after``."""
        out, last = [], 0
        for s, e in self.highlights:
            out += [self.snippet[last:s], before, self.snippet[s:e], after]
            last = e
        out.append(self.snippet[last:])
        return "".join(out)


class Results(List[Hit]):
    """The hits of one search (a list, best first) and what else the search found.

    Attributes:
        n_exact: documents matching the whole query.
        n_partial: others matching some of its terms (natural-language
            queries), or None when not counted (``count_partial=True``
            counts them).
        is_natural: the query was ranked as a question (BM25 over its
            bigrams, OR semantics) rather than matched strictly.
    """

    n_exact: int = 0
    n_partial: Optional[int] = None
    is_natural: bool = False
    #: the expansions by the index's synonym table: (alias found in the
    #: query, every alias of its group), in query order
    synonyms: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class IndexInfo:
    """What hks_index_info_get() reports about an open index."""

    n_docs: int
    n_deleted: int
    n_segments: int
    n_terms: int
    n_tokens: int
    bytes_postings: int
    bytes_docstore: int
    bytes_other: int
    generation: int
    n_collections: int


class _Searcher:
    """One hks_searcher, owned by one thread; freed with its thread or with the index."""

    def __init__(self, handle: int, index: "Index"):
        self.handle: Optional[int] = handle
        self._index = weakref.ref(index)

    def free(self) -> None:
        if self.handle is not None:
            C.lib.hks_searcher_free(self.handle)
            self.handle = None

    def __del__(self) -> None:
        idx = self._index()
        if idx is not None and idx._handle is not None:
            self.free()


class Index:
    """A committed hksearch index, opened for searching.

    ``Index(path)`` opens the state committed when it is called; later
    commits do not change what it sees (open a new Index for them). Use it
    as a context manager, or call close(). An Index may be used from any
    number of threads: each thread gets its own searcher (the library's
    per-thread query context) the first time it searches, as hks.h
    requires. close() must not run while another thread is searching.

    >>> with Index("news-index") as idx:                      # doctest: +SKIP
    ...     for hit in idx.search("疫苗接种", n=5):
    ...         print(hit.rank, hit.id, hit.title, hit.highlighted())
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"], *, k1: Optional[float] = None,
                 b: Optional[float] = None, count_partial: bool = False,
                 recency: Optional[float] = None, collapse: bool = True,
                 synonyms: bool = True):
        """Open the index in directory ``path``.

        k1, b: BM25 parameters (defaults 1.2 and 0.75). count_partial: count
        Results.n_partial exactly (costs time). recency: a half-life in days
        that ranks newer articles higher (hksearch --recency). collapse: fold
        copies of one story into the best hit (Hit.similar); False lists
        every copy. synonyms: expand unquoted aliases of the index's synonym
        table (Writer.set_synonyms).

        Raises NotFoundError (no index there), CorruptError, HksError.
        """
        self.path = os.fspath(path)
        self._handle: Optional[int] = None
        self._params = [(C.HKS_S_BM25_K1, k1), (C.HKS_S_BM25_B, b),
                        (C.HKS_S_COUNT_PARTIAL, 1.0 if count_partial else None),
                        (C.HKS_S_RECENCY, recency),
                        (C.HKS_S_COLLAPSE, None if collapse else 0.0),
                        (C.HKS_S_SYNONYMS, None if synonyms else 0.0)]
        for p, v in self._params:
            if v is not None and not isinstance(v, (int, float)):
                raise TypeError(f"search parameter must be a number, not {type(v).__name__}")
        h = c_void_p()
        rc = C.lib.hks_index_open(_path(path), None, byref(h))
        if rc < 0:
            err = error(rc, C.lib.hks_index_errmsg(h) if h.value else None)
            C.lib.hks_index_close(h)
            raise err
        self._handle = h.value
        self._local = threading.local()
        self._searchers: "weakref.WeakSet[_Searcher]" = weakref.WeakSet()
        self._lock = threading.Lock()

    # -- lifetime ---------------------------------------------------------
    def close(self) -> None:
        """Free every thread's searcher and the index. Idempotent."""
        if self._handle is None:
            return
        with self._lock:
            for s in list(self._searchers):
                s.free()
            C.lib.hks_index_close(self._handle)
            self._handle = None

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<hksearch.Index {self.path!r} {state}>"

    def _searcher(self) -> int:
        if self._handle is None:
            raise ValueError("the index is closed")
        s = getattr(self._local, "s", None)
        if s is None or s.handle is None:
            h = c_void_p()
            rc = C.lib.hks_searcher_new(self._handle, byref(h))
            if rc < 0:
                err = error(rc, C.lib.hks_searcher_errmsg(h) if h.value else None)
                C.lib.hks_searcher_free(h)
                raise err
            for p, v in self._params:
                if v is not None:
                    rc = C.lib.hks_searcher_set(h, p, float(v))
                    if rc < 0:
                        err = error(rc, C.lib.hks_searcher_errmsg(h))
                        C.lib.hks_searcher_free(h)
                        raise err
            s = _Searcher(h.value, self)
            with self._lock:
                self._searchers.add(s)
            self._local.s = s
        assert s.handle is not None
        return s.handle

    # -- searching --------------------------------------------------------
    def search(self, query: str, n: int = 10, offset: int = 0, *, snippets: bool = True,
               snippet_chars: int = _SNIPPET_CHARS, explain: bool = False) -> Results:
        """Run ``query`` (hksearch's query language, see the README) and
        return hits ``offset`` to ``offset + n``, best first.

        Each hit carries its metadata and, unless ``snippets`` is False, a
        snippet of about ``snippet_chars`` characters with the matches as
        str index ranges. ``n=0`` only counts (Results.n_exact).

        Paging is the library's (hks_search_page): only the n hits of the
        page cross into Python. ``explain=True`` gives each hit its
        Explanation (Hit.explain): its terms' tf, idf, length
        normalisation, weights and contributions, the recency factor.

        Raises QueryError for a query that cannot be run.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be str, not {type(query).__name__}")
        if n < 0 or offset < 0:
            raise ValueError("n and offset must be >= 0")
        s = self._searcher()
        q = query.encode("utf-8", "surrogatepass")
        hits = (C.hks_hit * max(n, 1))()
        nh = c_size_t()
        info = C.hks_search_info()
        rc = C.lib.hks_search_page(s, q, len(q), offset, hits, n, byref(nh), byref(info))
        if rc < 0:
            raise error(rc, C.lib.hks_searcher_errmsg(s))
        res = Results()
        res.n_exact = int(info.n_exact)
        res.n_partial = None if info.n_partial == 2**64 - 1 else int(info.n_partial)
        res.is_natural = bool(info.is_natural)
        res.synonyms = self._synonym_uses(s)
        meta = C.hks_doc_meta()
        for i in range(nh.value):
            h = hits[i]
            rc = C.lib.hks_doc_meta_get(s, h.doc_id, byref(meta))
            if rc < 0:
                raise error(rc, C.lib.hks_searcher_errmsg(s))
            hid, hcoll = _text(meta.id, meta.id_len), _text(meta.collection, meta.collection_len)
            hmeta = (_text(meta.title, meta.title_len), _text(meta.date, meta.date_len),
                     _text(meta.source, meta.source_len), _text(meta.url, meta.url_len))
            hfields = _fields(meta)  # before _similar reuses meta
            similar = self._similar(s, h) if h.n_similar else ()
            snip, spans = (self._snippet(s, h.doc_id, q, snippet_chars) if snippets else ("", ()))
            expl = self._explain(s, h.doc_id) if explain else None
            res.append(Hit(rank=offset + i + 1, id=hid, collection=hcoll,
                           score=h.score, exact=bool(h.flags & C.HKS_HIT_EXACT),
                           title=hmeta[0], date=hmeta[1], source=hmeta[2], url=hmeta[3],
                           snippet=snip, highlights=spans, doc_id=h.doc_id, similar=similar,
                           explain=expl, **hfields))
        return res

    @staticmethod
    def _explain(s: int, doc_id: int) -> Explanation:
        """Hit doc_id of the last search of s, explained (hks_explain)."""
        ex = C.hks_explanation()
        terms = (C.hks_explain_term * C.EXPLAIN_MAX_TERMS)()
        rc = C.lib.hks_explain(s, doc_id, byref(ex), terms, C.EXPLAIN_MAX_TERMS)
        if rc < 0:
            raise error(rc, C.lib.hks_searcher_errmsg(s))
        out = tuple(
            ExplainTerm(term=_text(t.term, t.term_len), shown=_text(t.shown, t.shown_len),
                        field="chars" if t.field == C.HKS_FIELD_CHARS else "terms",
                        prefix=bool(t.is_prefix), qtf=t.qtf, query_weight=t.qw, idf=t.idf,
                        field_weight=t.field_weight, k1=t.k1, b=t.b, tf=t.tf,
                        length=t.field_len, avg_length=t.avg_len, score=t.score)
            for t in terms[:ex.n_terms])
        return Explanation(score=ex.score, sum=ex.sum, coverage=ex.coverage, recency=ex.recency,
                           exact=bool(ex.exact),
                           n_similar=ex.n_similar, terms=out)

    def _similar(self, s: int, h: "C.hks_hit") -> Tuple[Tuple[str, str], ...]:
        """(collection, id) of the documents folded into hit h of the last search."""
        ids = (c_uint32 * h.n_similar)()
        n = c_size_t()
        rc = C.lib.hks_hit_similar(s, h.doc_id, ids, h.n_similar, byref(n))
        if rc < 0:
            raise error(rc, C.lib.hks_searcher_errmsg(s))
        out = []
        meta = C.hks_doc_meta()
        for k in range(n.value):
            rc = C.lib.hks_doc_meta_get(s, ids[k], byref(meta))
            if rc < 0:
                raise error(rc, C.lib.hks_searcher_errmsg(s))
            out.append((_text(meta.collection, meta.collection_len), _text(meta.id, meta.id_len)))
        return tuple(out)

    def find(self, id: str, collection: str = "") -> Optional[Hit]:
        """The document stored under (collection, id), as a Hit without a
        snippet (score 0), or None when the index has no such document."""
        s = self._searcher()
        c = collection.encode("utf-8", "surrogatepass")
        i = id.encode("utf-8", "surrogatepass")
        doc = c_uint32()
        rc = C.lib.hks_doc_find(s, c, len(c), i, len(i), byref(doc))
        if rc == C.HKS_ERR_NOTFOUND:
            return None
        if rc < 0:
            raise error(rc, C.lib.hks_searcher_errmsg(s))
        meta = C.hks_doc_meta()
        rc = C.lib.hks_doc_meta_get(s, doc.value, byref(meta))
        if rc < 0:
            raise error(rc, C.lib.hks_searcher_errmsg(s))
        return Hit(rank=0, id=_text(meta.id, meta.id_len),
                   collection=_text(meta.collection, meta.collection_len), score=0.0,
                   exact=False, title=_text(meta.title, meta.title_len),
                   date=_text(meta.date, meta.date_len), source=_text(meta.source, meta.source_len),
                   url=_text(meta.url, meta.url_len), snippet="", highlights=(),
                   doc_id=doc.value, **_fields(meta))

    @staticmethod
    def _synonym_uses(s: int) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
        out = []
        u = C.hks_synonym_use()
        i = 0
        while C.lib.hks_searcher_synonym_use(s, i, byref(u)) == C.HKS_OK:
            group = tuple(_text(u.group[j], u.group_lens[j]) for j in range(u.n_group))
            out.append((_text(u.alias, u.alias_len), group))
            i += 1
        return tuple(out)

    def synonyms(self) -> str:
        """The index's synonym table as text (one group a line, " / "
        between aliases), "" when it has none."""
        if self._handle is None:
            raise ValueError("the index is closed")
        n = c_size_t()
        C.lib.hks_index_synonyms(self._handle, None, 0, byref(n), None)
        buf = ctypes.create_string_buffer(n.value + 1)
        rc = C.lib.hks_index_synonyms(self._handle, buf, n.value + 1, byref(n), None)
        if rc < 0:
            raise error(rc, C.lib.hks_index_errmsg(self._handle))
        return buf.raw[:n.value].decode("utf-8", "replace")

    def changed(self) -> bool:
        """Whether a writer has committed, or set a new synonym table, since
        this Index was opened (it reads only the MANIFEST and SYNONYMS). An open Index keeps the commit it opened:
        open a new Index to see the newer one."""
        if self._handle is None:
            raise ValueError("the index is closed")
        flag = ctypes.c_int()
        rc = C.lib.hks_index_changed(self._handle, byref(flag))
        if rc < 0:
            raise error(rc, C.lib.hks_index_errmsg(self._handle))
        return bool(flag.value)

    def count(self, query: str) -> int:
        """How many documents match ``query`` exactly (no hits fetched)."""
        return self.search(query, n=0).n_exact

    def _snippet(self, s: int, doc_id: int, q: bytes, chars: int
                 ) -> Tuple[str, Tuple[Tuple[int, int], ...]]:
        cap = 1024
        spans = (C.hks_span * _MAX_SPANS)()
        n_len, n_sp = c_size_t(), c_size_t()
        while True:
            buf = ctypes.create_string_buffer(cap)
            rc = C.lib.hks_snippet(s, doc_id, q, len(q), chars, buf, cap, byref(n_len), spans,
                                   _MAX_SPANS, byref(n_sp))
            if rc == C.HKS_ERR_BUFSIZE and n_len.value >= cap:
                cap = n_len.value + 1
                continue
            if rc < 0:
                raise error(rc, C.lib.hks_searcher_errmsg(s))
            break
        raw = buf.raw[:n_len.value]
        offs = [o for i in range(n_sp.value) for o in (spans[i].start, spans[i].end)]
        idx = _str_index(raw, offs)
        return (raw.decode("utf-8", "replace"),
                tuple((idx[k], idx[k + 1]) for k in range(0, len(idx), 2)))

    def body(self, doc: Union[Hit, int]) -> str:
        """The full body of a hit (or of a doc_id), as it was added."""
        doc_id = doc.doc_id if isinstance(doc, Hit) else int(doc)
        s = self._searcher()
        n = c_size_t()
        cap = 4096
        while True:
            buf = ctypes.create_string_buffer(cap)
            rc = C.lib.hks_doc_body(s, doc_id, buf, cap, byref(n))
            if rc == C.HKS_ERR_BUFSIZE and n.value > cap:
                cap = n.value
                continue
            if rc < 0:
                raise error(rc, C.lib.hks_searcher_errmsg(s))
            return buf.raw[:n.value].decode("utf-8", "replace")

    def info(self) -> IndexInfo:
        """Document, segment and size counts of the open index."""
        if self._handle is None:
            raise ValueError("the index is closed")
        out = C.hks_index_info()
        rc = C.lib.hks_index_info_get(self._handle, byref(out))
        if rc < 0:
            raise error(rc, C.lib.hks_index_errmsg(self._handle))
        return IndexInfo(**{f: int(getattr(out, f)) for f, _ in C.hks_index_info._fields_})

    def __len__(self) -> int:
        return self.info().n_docs

    def check(self) -> None:
        """Verify every checksum and structure; raises CorruptError on damage."""
        if self._handle is None:
            raise ValueError("the index is closed")
        rc = C.lib.hks_index_check(self._handle)
        if rc < 0:
            raise error(rc, C.lib.hks_index_errmsg(self._handle))


@dataclass(frozen=True)
class Term:
    """One index term of a text (see analyze()).

    Attributes:
        term: the normalised term (simplified, lower case, half width).
        pos: its position; a separator leaves one position empty.
        start, end: str indices of the text that produced it.
        cjk: from a CJK run (a bigram, or the run's last character).
        last: the character that ends a CJK run.
        word: a Latin word or a number.
    """

    term: str
    pos: int
    start: int
    end: int
    cjk: bool
    last: bool
    word: bool


def analyze(text: str) -> List[Term]:
    """The index's terms for ``text``: what hksearch indexes and searches.

    >>> [t.term for t in analyze("疫苗接種 COVID-19")]
    ['疫苗', '苗接', '接种', '种', 'covid', '19']
    """
    b = text.encode("utf-8", "surrogatepass")
    raw: List[Tuple[bytes, int, int, int, int]] = []

    def on_term(_ctx: Optional[int], t: "ctypes._Pointer[C.hks_term]") -> int:
        v = t.contents
        raw.append((ctypes.string_at(v.term, v.term_len), v.pos, v.src_start, v.src_end, v.flags))
        return 0

    cb = C.TERM_FN(on_term)
    rc = C.lib.hks_analyze(b, len(b), None, cb, None)
    if rc < 0:
        raise error(rc, None)
    # byte offset -> str index, for every offset that starts a character
    cidx = {}
    k = 0
    for i, ch in enumerate(text):
        cidx[k] = i
        k += len(ch.encode("utf-8", "surrogatepass"))
    cidx[k] = len(text)
    return [Term(t.decode("utf-8", "replace"), pos, cidx.get(s, 0), cidx.get(e, len(text)),
                 bool(f & C.HKS_TERM_CJK), bool(f & C.HKS_TERM_LAST), bool(f & C.HKS_TERM_WORD))
            for t, pos, s, e, f in raw]


def iter_terms(text: str) -> Iterator[str]:
    """Just the terms of analyze(text)."""
    return (t.term for t in analyze(text))
