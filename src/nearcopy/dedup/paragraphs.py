"""Paragraph-level deduplication (CCNet-style, Wenzek et al. 2020).

Every normalised paragraph of at least `min_chars` characters is hashed; a
paragraph already seen in an earlier kept document is removed from later ones.
This runs after clustering, on the kept documents in input order, so it never
changes which documents are copies; it trims shared passages (syndicated
paragraphs, quoted statements) from documents that are otherwise distinct.

Memory: one Python int per distinct paragraph (about 60 bytes each), e.g.
~600 MB for 10M distinct paragraphs.
"""

from __future__ import annotations

import xxhash

from nearcopy.dedup.shingles import normalize_for_hash

RULE = "duplicate_paragraph"


def paragraph_key(line: str) -> int:
    """Hash of a paragraph after NFKC, case folding and collapsing white space."""
    norm = normalize_for_hash(line).lower()
    return xxhash.xxh3_64_intdigest(" ".join(norm.split()).encode("utf-8", "surrogatepass"))


class ParagraphDeduper:
    """Remembers paragraphs of the documents it has seen; strips repeats from later ones."""

    def __init__(self, min_chars: int = 100):
        self.min_chars = min_chars
        self.seen: set[int] = set()
        self.paragraphs_removed = 0
        self.chars_removed = 0

    def strip(self, text: str) -> tuple[str, list[dict]]:
        """The text without paragraphs seen before, and the removed lines with the rule."""
        kept, removed = [], []
        for number, line in enumerate(text.split("\n")):
            if len(line.strip()) < self.min_chars:
                kept.append(line)
                continue
            key = paragraph_key(line)
            if key in self.seen:
                removed.append({"line": number, "text": line, "rule": RULE})
                self.paragraphs_removed += 1
                self.chars_removed += len(line)
                continue
            self.seen.add(key)
            kept.append(line)
        return "\n".join(kept), removed

    def stats(self) -> dict:
        return {"paragraphs_removed": self.paragraphs_removed, "chars_removed": self.chars_removed,
                "distinct_paragraphs": len(self.seen), "min_chars": self.min_chars}
