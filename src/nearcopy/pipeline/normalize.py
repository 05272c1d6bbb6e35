"""The minimal cleaning step: Unicode NFKC and white space, nothing removed."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


@dataclass
class NormalizedText:
    text: str
    removed_lines: list = field(default_factory=list)
    dropped: dict | None = None
    language: str | None = None
    chars_removed: dict = field(default_factory=dict)


class NormalizeOnly:
    """Same interface as the full Cleaner, for runs without the cleaning stage."""

    def clean(self, doc) -> NormalizedText:
        text = unicodedata.normalize("NFKC", doc.text)
        lines = [" ".join(line.split()) for line in text.splitlines()]
        return NormalizedText("\n".join(line for line in lines if line))
