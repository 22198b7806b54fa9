"""Exceptions: every libhks error code becomes an HksError (or a subclass)
carrying the library's detailed message and its code."""
from __future__ import annotations

from . import _capi as C


class HksError(Exception):
    """An error reported by libhks.

    Attributes:
        code: the library's status code (negative, ``HKS_ERR_*`` in hks.h).
        name: the code's name as ``hks_strerror()`` gives it.
        message: the detailed message of the handle that failed.
    """

    def __init__(self, code: int, message: str):
        self.code = code
        self.name = C.strerror(code)
        self.message = message
        super().__init__(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, message={self.message!r})"


class QueryError(HksError, ValueError):
    """A query that cannot be run (unbalanced quote, nothing to search, too long)."""


class LockedError(HksError):
    """Another writer holds the index lock."""


class NotFoundError(HksError, LookupError):
    """No such document, index or file."""


class CorruptError(HksError):
    """A damaged index file (checksum mismatch, malformed structure) or format mismatch."""


class OutOfMemoryError(HksError, MemoryError):
    """An allocation in the library failed."""


class InputError(HksError, ValueError):
    """Malformed input: a bad record, invalid UTF-8, a bad argument."""


class RefusedError(HksError):
    """Refused to protect the index: a sync from another source of a
    collection's name, or one that would delete most of a collection."""


_BY_CODE = {
    C.HKS_ERR_QUERY: QueryError,
    C.HKS_ERR_LOCKED: LockedError,
    C.HKS_ERR_NOTFOUND: NotFoundError,
    C.HKS_ERR_CORRUPT: CorruptError,
    C.HKS_ERR_FORMAT: CorruptError,
    C.HKS_ERR_INPUT: InputError,
    C.HKS_ERR_UTF8: InputError,
    C.HKS_ERR_ARG: InputError,
    C.HKS_ERR_NOMEM: OutOfMemoryError,
    C.HKS_ERR_REFUSED: RefusedError,
}


def error(code: int, raw_msg: bytes | None) -> HksError:
    """The exception for status code ``code`` with the handle's message."""
    return _BY_CODE.get(code, HksError)(code, C.msg(raw_msg, code))
