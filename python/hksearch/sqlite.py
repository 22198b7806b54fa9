"""The SQLite FTS5 tokenizer "hks", shipped inside this package.

>>> import sqlite3, hksearch.sqlite                             # doctest: +SKIP
>>> con = sqlite3.connect("news.db")
>>> hksearch.sqlite.load(con)
>>> con.execute("CREATE VIRTUAL TABLE news USING fts5(title, body, tokenize='hks')")

See sqlite/README.md in the repository for what the tokenizer does.
"""
from __future__ import annotations

import sqlite3

from ._capi import SQLITE_EXT_PATH

#: Path of the loadable extension (for ``.load`` in the sqlite3 shell).
EXTENSION_PATH = SQLITE_EXT_PATH


def load(con: sqlite3.Connection) -> None:
    """Register the tokenizer "hks" and the function hks_any() on ``con``
    (needed once per connection, before using a table made with them)."""
    con.enable_load_extension(True)
    try:
        con.load_extension(SQLITE_EXT_PATH)
    finally:
        con.enable_load_extension(False)
