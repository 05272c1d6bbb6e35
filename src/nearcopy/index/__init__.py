"""Incremental index: "is this new document a copy of anything we already hold?"

Example:
    >>> import os, tempfile
    >>> from nearcopy.index import Index
    >>> idx = Index.create(os.path.join(tempfile.mkdtemp(), "news.db"), cleaning="none")
    >>> idx.close()
"""

from nearcopy.index.index import Index, InsertResult
from nearcopy.index.matching import Match
from nearcopy.index.sqlite import SqliteStorage
from nearcopy.index.storage import Storage, StoredDocument, open_storage

__all__ = [
    "Index",
    "InsertResult",
    "Match",
    "SqliteStorage",
    "Storage",
    "StoredDocument",
    "open_storage",
]
