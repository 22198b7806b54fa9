"""Writer: adds, replaces and deletes documents, commits atomically."""
from __future__ import annotations

import os
import threading
from ctypes import byref, c_uint64, c_void_p
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Union

from . import _capi as C
from .errors import HksError, error

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Progress:
    """Counts of a writer since it was opened (or last rolled back)."""

    n_docs: int
    n_bytes: int
    n_rejected: int
    n_unchanged: int
    n_deleted: int
    n_replaced: int


def _b(s: Optional[str]) -> bytes:
    return (s or "").encode("utf-8", "surrogatepass")


class Writer:
    """The one writer of an index directory (created if missing).

    Changes (add, add_path, sync, delete, delete_all) become durable and
    visible to newly opened Index objects only at commit(), all or nothing.
    rollback() discards what was not committed; so does close(), and so
    does leaving a ``with`` block: commit inside it.

    >>> with Writer("news-index") as w:                       # doctest: +SKIP
    ...     w.add("a1", "本周社区为居民开展新冠疫苗接种。", title="疫苗接种", collection="demo")
    ...     w.commit()

    Only one writer may hold a directory at a time (a lock file): a second
    one raises LockedError. A Writer may be shared by threads (its calls
    are serialised), and readers may search while it writes.
    """

    def __init__(self, path: PathLike, *, memory_budget_mb: Optional[int] = None,
                 zstd_level: Optional[int] = None, merge: Optional[int] = None):
        """Open (creating it if needed) the index in ``path`` for writing.

        memory_budget_mb: postings kept in memory before a segment is
        written (default 256). zstd_level: document store compression
        (default 3). merge: 1 (default) merges segments at commit by the
        tiered policy, 2 into one segment, 0 never.

        Raises LockedError when another writer holds the index.
        """
        self.path = os.fspath(path)
        self._params = [(C.HKS_W_MEMORY_BUDGET_MB, memory_budget_mb),
                        (C.HKS_W_ZSTD_LEVEL, zstd_level), (C.HKS_W_MERGE_AT_COMMIT, merge)]
        self._lock = threading.RLock()
        self._handle: Optional[int] = None
        self.warnings: List[str] = []
        self._open()

    def _open(self) -> None:
        h = c_void_p()
        rc = C.lib.hks_writer_open(os.fsencode(self.path), None, byref(h))
        if rc < 0:
            err = error(rc, C.lib.hks_writer_errmsg(h) if h.value else None)
            C.lib.hks_writer_close(h)
            raise err
        self._handle = h.value
        for p, v in self._params:
            if v is not None:
                self._check(C.lib.hks_writer_set(self._handle, p, int(v)))

    def _h(self) -> int:
        if self._handle is None:
            raise ValueError("the writer is closed")
        return self._handle

    def _check(self, rc: int) -> int:
        if rc < 0:
            raise error(rc, C.lib.hks_writer_errmsg(self._handle))
        return rc

    # -- lifetime ---------------------------------------------------------
    def close(self) -> None:
        """Discard uncommitted changes and release the lock. Idempotent."""
        with self._lock:
            if self._handle is not None:
                C.lib.hks_writer_close(self._handle)
                self._handle = None

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<hksearch.Writer {self.path!r} {'closed' if self.closed else 'open'}>"

    # -- changes ----------------------------------------------------------
    def add(self, id: str, body: str, *, title: str = "", collection: str = "",
            date: str = "", source: str = "", url: str = "", author: str = "",
            category: str = "", tags: Sequence[str] = ()) -> None:
        """Add one document, or replace the one with the same (collection, id).

        Adding a document identical to the stored one does nothing (it is
        counted in progress().n_unchanged). date is "YYYY-MM-DD..." as given.
        tags: strings without a newline (author:, category:, tag: filter).
        """
        if isinstance(tags, str) or any(not isinstance(t, str) or "\n" in t for t in tags):
            raise TypeError("tags must be a sequence of str without newlines")
        fields = {"collection": collection, "id": id, "title": title, "body": body,
                  "date": date, "source": source, "url": url, "author": author,
                  "category": category, "tags": "\n".join(t for t in tags if t)}
        d = C.hks_doc()
        keep = []
        for k, v in fields.items():
            if not isinstance(v, str):
                raise TypeError(f"{k} must be str, not {type(v).__name__}")
            raw = _b(v)
            keep.append(raw)
            setattr(d, k, raw)
            setattr(d, k + "_len", len(raw))
        with self._lock:
            self._check(C.lib.hks_writer_add(self._h(), byref(d)))

    def _run_path(self, fn_name: str, path: PathLike,
                  on_warning: Optional[Callable[[str], None]], *extra: object) -> None:
        warnings: List[str] = []
        failed: List[BaseException] = []

        def warn(_ud: Optional[int], msg: bytes) -> None:
            text = msg.decode("utf-8", "replace")
            if on_warning is None:
                warnings.append(text)
                return
            try:
                on_warning(text)
            except BaseException as e:  # raised again after the call
                failed.append(e)

        cb = C.hks_callbacks()
        cb.warn = C.WARN_FN(warn)
        with self._lock:
            rc = getattr(C.lib, fn_name)(self._h(), os.fsencode(path), byref(cb), *extra)
            if failed:
                raise failed[0]
            self._check(rc)
        self.warnings = warnings

    def add_path(self, path: PathLike, *,
                 on_warning: Optional[Callable[[str], None]] = None) -> None:
        """Add every article of ``path``: a folder of .txt/.md articles, or a
        .jsonl / .jsonl.zst file (see the README, "Sources").

        Malformed records are skipped; each gives a "FILE:LINE: what"
        message to ``on_warning`` (default: kept in ``self.warnings``).
        """
        self._run_path("hks_writer_add_path", path, on_warning)

    def sync(self, path: PathLike, *,
             on_warning: Optional[Callable[[str], None]] = None) -> int:
        """Make the index hold exactly what ``path`` holds now (adds and
        updates as add_path, then deletes the documents of its collections
        that it no longer has). Returns the number deleted."""
        n = c_uint64()
        self._run_path("hks_writer_sync_path", path, on_warning, byref(n))
        return int(n.value)

    def delete(self, id: str, collection: str = "") -> None:
        """Delete the document (collection, id); NotFoundError if there is none."""
        c, i = _b(collection), _b(id)
        with self._lock:
            self._check(C.lib.hks_writer_delete(self._h(), c, len(c), i, len(i)))

    def delete_all(self) -> None:
        """Delete every committed document (takes effect at commit)."""
        with self._lock:
            self._check(C.lib.hks_writer_delete_all(self._h()))

    def set_synonyms(self, text: str, name: Optional[str] = None) -> None:
        """Replace the index's synonym table with the groups of ``text`` (one
        group a line, aliases separated by " / ", tabs or commas; # comments);
        "" removes it. Takes effect at once, without a commit or reindexing.
        ``name`` names the text in messages. InputError for a bad line."""
        t = text.encode("utf-8", "surrogatepass")
        with self._lock:
            self._check(C.lib.hks_writer_set_synonyms(self._h(), _b(name) if name else None,
                                                      t, len(t)))

    def commit(self) -> None:
        """Make every change so far durable and visible, atomically."""
        with self._lock:
            self._check(C.lib.hks_writer_commit(self._h()))

    def rollback(self) -> None:
        """Discard every change since the last commit.

        The library discards uncommitted work when a writer closes, so this
        closes the writer and opens it again (taking the lock again: if
        another writer takes it in between, LockedError is raised and this
        Writer is left closed).
        """
        with self._lock:
            self._h()
            C.lib.hks_writer_close(self._handle)
            self._handle = None
            self._open()

    def progress(self) -> Progress:
        """Counts since the writer was opened."""
        p = C.hks_progress()
        with self._lock:
            C.lib.hks_writer_progress(self._h(), byref(p))
        return Progress(int(p.n_docs), int(p.n_bytes), int(p.n_rejected), int(p.n_unchanged),
                        int(p.n_deleted), int(p.n_replaced))


__all__ = ["Writer", "Progress", "HksError"]
