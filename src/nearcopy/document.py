"""The `Document` record that every stage passes along.

One small mutable dataclass rather than dicts so that every stage agrees on the
field names; extra input fields ride along untouched in `metadata`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Document:
    """One input record.

    Attributes:
        id: unique identifier (from the id field, or path relative to a text folder).
        text: the text that is cleaned and compared.
        metadata: every other input field, passed through to the outputs unchanged.
        source: where it came from, as ``path:line`` (for error messages and `explain`).
    """

    id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    source: str = ""
