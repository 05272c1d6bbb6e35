"""NFKC's "simple folds": the characters `norm_kernels.fold_and_space` replaces inline.

A character passes NFKC's quick check on its own when NFKC leaves it, its
canonical combining class is 0 and it cannot compose with the character before
(it is not the second part of a canonical decomposition, nor a Hangul jamo): a
text of such characters only is NFKC. A simple fold is a character that does
not pass, whose NFKC form holds only characters that do. In a text where every
character either passes or is a simple fold, replacing each fold by its NFKC
form gives `unicodedata.normalize("NFKC", text)`: both have the same NFKD, and
the replaced text passes the quick check. news_copies' non-ASCII pages that NFKC
changes hold no other character that fails it ("…" and "：" are simple folds).
"""

from __future__ import annotations

import unicodedata

import numpy as np

from nearcopy.clean import doc_scan
from nearcopy.disk_cache import disk_cached


def not_quick(every: str) -> list[str]:
    """The non-ASCII characters of `every` (all code points, in order) that NFKC's
    quick check does not pass on their own: NFKC changes them, or their canonical
    combining class is not 0, or they may compose with the character before."""
    second = set(map(chr, range(0x1100, 0x1200)))
    for char in every:
        parts = unicodedata.decomposition(char).split()
        if len(parts) > 1 and not parts[0].startswith("<"):
            second.update(chr(int(part, 16)) for part in parts[1:])
    return [char for char in every[0x80:]
            if unicodedata.combining(char) or char in second
            or unicodedata.normalize("NFKC", char) != char]


#: says what `_build_fold_tables` computes (change it when that changes)
_FOLDS_VERSION = 1


def fold_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the code points that fail the quick check, sorted; where each one's NFKC form
    starts and ends in the third, an empty range for one that is not a simple fold;
    the UTF-8 bytes of the simple folds' NFKC forms). Kept on disk: building them
    asks unicodedata about every code point (1 s)."""
    key = f"{_FOLDS_VERSION}|{unicodedata.unidata_version}"
    points, ends, forms = disk_cached("nfkc-folds", key, _build_fold_tables)
    return (np.frombuffer(points, np.int64), np.frombuffer(ends, np.int64),
            np.frombuffer(forms, doc_scan.BYTE))


def _build_fold_tables() -> tuple[bytes, bytes, bytes]:
    failing = not_quick("".join(map(chr, range(0x110000))))
    fails = set(failing)
    ends, forms = [0], bytearray()
    for char in failing:
        form = unicodedata.normalize("NFKC", char)
        if form != char and not any(part in fails for part in form):
            forms += form.encode("utf-8", "surrogatepass")
        ends.append(len(forms))
    points = np.array([ord(char) for char in failing], np.int64)
    return points.tobytes(), np.array(ends, np.int64).tobytes(), bytes(forms)
