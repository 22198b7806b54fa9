"""hksearch: full-text search for Chinese news, from Python.

Simplified and traditional characters are the same text to a query
(疫苗接种 finds 疫苗接種), and so are full- and half-width forms and letter
case. Articles are indexed as CJK character bigrams with positions and
ranked with BM25; phrases match exactly, a one-character query finds every
article with that character, long questions are ranked over their bigrams,
and snippets are cut from the article as written.

    >>> from hksearch import Index, Writer
    >>> with Writer("news-index") as w:                       # doctest: +SKIP
    ...     w.add_path("corpus/")
    ...     w.commit()
    >>> with Index("news-index") as idx:                      # doctest: +SKIP
    ...     for hit in idx.search("疫苗接种", n=3):
    ...         print(hit.rank, hit.title, hit.highlighted())

The package is a thin layer over libhks, the engine's C library, called
through ctypes; the library (and the SQLite extension, hksearch.sqlite)
ship inside it. ctypes is in Python's standard library and calls a shared
library as it is: no C compiler, header parsing or extra package is needed
when installing or importing, and each call releases the GIL, so threads
search in parallel. cffi would add a dependency (and, in its API mode, a C
compiler at install time) for no gain with an API this small.

Threads: an Index may be shared by threads (each gets its own searcher, as
hks.h requires); a Writer serialises its calls. One Writer per index
directory, across processes (LockedError).
"""
from . import _capi
from ._index import ExplainTerm, Explanation, Hit, Index, IndexInfo, Results, Term, analyze
from ._writer import Progress, Writer
from .errors import (CorruptError, HksError, InputError, LockedError, NotFoundError,
                     OutOfMemoryError, QueryError, RefusedError)
from .trec import read_queries, trec_run

__version__ = "0.1.0"
#: Version of the loaded libhks ("0.1.0").
LIB_VERSION: str = _capi.lib.hks_version_string().decode()

__all__ = ["Index", "Writer", "Hit", "Results", "IndexInfo", "Progress", "Term", "analyze",
           "Explanation", "ExplainTerm",
           "trec_run", "read_queries", "HksError", "QueryError", "LockedError", "NotFoundError",
           "CorruptError", "InputError", "OutOfMemoryError", "RefusedError", "LIB_VERSION"]
