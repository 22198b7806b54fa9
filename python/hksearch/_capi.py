"""ctypes declarations of include/hks.h (the C ABI of libhks), and loading.

Only hks.h is mirrored here: the structs below must match it field for
field. ctypes releases the GIL during every call, so searches in several
threads run in parallel.
"""
from __future__ import annotations

import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int,
                    c_longlong, c_size_t, c_uint, c_uint32, c_uint64, c_void_p)

HKS_OK = 0
HKS_DONE = 1
HKS_ERR_NOMEM = -1
HKS_ERR_IO = -2
HKS_ERR_CORRUPT = -3
HKS_ERR_FORMAT = -4
HKS_ERR_ARG = -5
HKS_ERR_UTF8 = -6
HKS_ERR_QUERY = -7
HKS_ERR_BUFSIZE = -8
HKS_ERR_LOCKED = -9
HKS_ERR_NOTFOUND = -10
HKS_ERR_MISUSE = -11
HKS_ERR_INPUT = -12
HKS_ERR_REFUSED = -13
HKS_ERR_INTERNAL = -99

HKS_HIT_EXACT = 1
HKS_TERM_CJK = 1
HKS_TERM_LAST = 2
HKS_TERM_WORD = 4

HKS_W_MEMORY_BUDGET_MB = 1
HKS_W_ZSTD_LEVEL = 2
HKS_W_MERGE_AT_COMMIT = 3
HKS_S_BM25_K1 = 1
HKS_S_BM25_B = 2
HKS_S_SYNONYMS = 15
HKS_S_COVERAGE = 16
HKS_S_COUNT_PARTIAL = 3
HKS_S_RECENCY = 11
HKS_S_COLLAPSE = 12


class hks_doc(Structure):
    _fields_ = [(name, t) for f in ("collection", "id", "title", "body", "date", "source", "url",
                                    "author", "category", "tags")
                for name, t in ((f, c_char_p), (f + "_len", c_size_t))]


class hks_doc_meta(Structure):
    _fields_ = ([(name, t) for f in ("collection", "id", "title", "date", "source", "url")
                 for name, t in ((f, c_void_p), (f + "_len", c_size_t))] + [("n_tokens", c_uint32)]
                + [(name, t) for f in ("author", "category", "tags")
                   for name, t in ((f, c_void_p), (f + "_len", c_size_t))])


class hks_progress(Structure):
    _fields_ = [("n_docs", c_uint64), ("n_bytes", c_uint64), ("n_rejected", c_uint64),
                ("n_unchanged", c_uint64), ("n_deleted", c_uint64), ("path", c_char_p),
                ("n_replaced", c_uint64)]


WARN_FN = CFUNCTYPE(None, c_void_p, c_char_p)
PROGRESS_FN = CFUNCTYPE(None, c_void_p, POINTER(hks_progress))
# change(ud, what, collection, collection_len, id, id_len): views, not NUL-ended
CHANGE_FN = CFUNCTYPE(None, c_void_p, c_uint, c_void_p, c_size_t, c_void_p, c_size_t)


class hks_callbacks(Structure):
    _fields_ = [("warn", WARN_FN), ("progress", PROGRESS_FN), ("ud", c_void_p),
                ("change", CHANGE_FN)]


class hks_index_info(Structure):
    _fields_ = [(f, c_uint64) for f in ("n_docs", "n_deleted", "n_segments", "n_terms", "n_tokens",
                                        "bytes_postings", "bytes_docstore", "bytes_other",
                                        "generation", "n_collections")]


class hks_hit(Structure):
    _fields_ = [("doc_id", c_uint32), ("flags", c_uint32), ("score", c_double),
                ("n_similar", c_uint32)]


class hks_explain_term(Structure):
    _fields_ = [("term", c_void_p), ("term_len", c_size_t), ("shown", c_void_p),
                ("shown_len", c_size_t), ("field", c_int), ("is_prefix", c_int),
                ("qtf", c_uint32), ("qw", c_double), ("idf", c_double),
                ("field_weight", c_double), ("k1", c_double), ("b", c_double),
                ("tf", c_uint32), ("field_len", c_uint32), ("avg_len", c_double),
                ("score", c_double)]


class hks_explanation(Structure):
    _fields_ = [("score", c_double), ("sum", c_double), ("coverage", c_double),
                ("recency", c_double), ("hit_score", c_double), ("exact", c_int), ("proximity", c_int),
                ("n_similar", c_uint32), ("n_terms", c_size_t)]


HKS_FIELD_CHARS = 1
#: hks_explain's most terms (2 * 512 + 2)
EXPLAIN_MAX_TERMS = 1026


class hks_search_info(Structure):
    _fields_ = [("n_exact", c_uint64), ("n_partial", c_uint64), ("is_natural", c_int)]


class hks_synonym_use(Structure):
    _fields_ = [("alias", c_void_p), ("alias_len", c_size_t), ("n_group", c_size_t),
                ("group", POINTER(c_void_p)), ("group_lens", POINTER(c_size_t))]


class hks_span(Structure):
    _fields_ = [("start", c_uint32), ("end", c_uint32)]


class hks_term(Structure):
    _fields_ = [("term", c_void_p), ("term_len", c_size_t), ("pos", c_uint32),
                ("src_start", c_uint32), ("src_end", c_uint32), ("flags", c_uint)]


TERM_FN = CFUNCTYPE(c_int, c_void_p, POINTER(hks_term))

_HERE = os.path.dirname(os.path.abspath(__file__))
# The package's own copy of libhks, whatever its soname (setup.py).
LIB_PATH = os.path.join(_HERE, "libhks.so")
SQLITE_EXT_PATH = os.path.join(_HERE, "hks_fts5.so")

lib = ctypes.CDLL(LIB_PATH)

_P = c_void_p  # opaque handles


def _decl(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


_decl("hks_version_number", c_uint)
_decl("hks_version_string", c_char_p)
_decl("hks_strerror", c_char_p, c_int)
_decl("hks_writer_open", c_int, c_char_p, c_void_p, POINTER(_P))
_decl("hks_writer_set", c_int, _P, c_int, c_longlong)
_decl("hks_writer_add", c_int, _P, POINTER(hks_doc))
_decl("hks_writer_add_path", c_int, _P, c_char_p, POINTER(hks_callbacks))
_decl("hks_writer_sync_path", c_int, _P, c_char_p, POINTER(hks_callbacks), POINTER(c_uint64))
_decl("hks_writer_delete", c_int, _P, c_char_p, c_size_t, c_char_p, c_size_t)
_decl("hks_writer_delete_all", c_int, _P)
_decl("hks_writer_commit", c_int, _P)
_decl("hks_writer_progress", None, _P, POINTER(hks_progress))
_decl("hks_writer_close", None, _P)
_decl("hks_writer_errmsg", c_char_p, _P)
_decl("hks_index_open", c_int, c_char_p, c_void_p, POINTER(_P))
_decl("hks_index_close", None, _P)
_decl("hks_index_errmsg", c_char_p, _P)
_decl("hks_index_info_get", c_int, _P, POINTER(hks_index_info))
_decl("hks_index_check", c_int, _P)
_decl("hks_searcher_new", c_int, _P, POINTER(_P))
_decl("hks_searcher_free", None, _P)
_decl("hks_searcher_set", c_int, _P, c_int, c_double)
_decl("hks_search", c_int, _P, c_char_p, c_size_t, POINTER(hks_hit), c_size_t,
      POINTER(c_size_t), POINTER(hks_search_info))
_decl("hks_search_page", c_int, _P, c_char_p, c_size_t, c_size_t, POINTER(hks_hit), c_size_t,
      POINTER(c_size_t), POINTER(hks_search_info))
_decl("hks_doc_find", c_int, _P, c_char_p, c_size_t, c_char_p, c_size_t, POINTER(c_uint32))
_decl("hks_index_changed", c_int, _P, POINTER(c_int))
_decl("hks_doc_meta_get", c_int, _P, c_uint32, POINTER(hks_doc_meta))
_decl("hks_doc_body", c_int, _P, c_uint32, c_void_p, c_size_t, POINTER(c_size_t))
_decl("hks_snippet", c_int, _P, c_uint32, c_char_p, c_size_t, c_size_t, c_void_p, c_size_t,
      POINTER(c_size_t), POINTER(hks_span), c_size_t, POINTER(c_size_t))
_decl("hks_searcher_errmsg", c_char_p, _P)
_decl("hks_hit_similar", c_int, _P, c_uint32, POINTER(c_uint32), c_size_t, POINTER(c_size_t))
_decl("hks_analyze", c_int, c_char_p, c_size_t, c_void_p, TERM_FN, c_void_p)
_decl("hks_writer_set_synonyms", c_int, _P, c_char_p, c_char_p, c_size_t)
_decl("hks_index_synonyms", c_int, _P, c_void_p, c_size_t, POINTER(c_size_t), POINTER(c_size_t))
_decl("hks_searcher_synonym_use", c_int, _P, c_size_t, POINTER(hks_synonym_use))
_decl("hks_explain", c_int, _P, c_uint32, POINTER(hks_explanation), POINTER(hks_explain_term),
      c_size_t)


def strerror(rc: int) -> str:
    return lib.hks_strerror(rc).decode()


def msg(raw: bytes | None, rc: int) -> str:
    """A handle's error message, or the code's name when it has none."""
    text = raw.decode("utf-8", "replace") if raw else ""
    return text or strerror(rc)
