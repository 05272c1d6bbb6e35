"""The repeated-paragraph check gives the same lines with the scan's key sums as with the
loose keys it makes itself, and the same as its first definition (every long line's
paragraph key against the earlier ones)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from nearcopy.clean import doc_scan, scan
from nearcopy.clean.repetition import RepeatedParagraphFilter, _ALPHA_WORD, paragraph_key

_PARAGRAPHS = ["The market rose on Tuesday after the bank said so.",
               "the market rose on tuesday, after the bank said so!",
               "The market  rose on Tuesday after the bank said so.",
               "Themarket rose on Tuesday after the bank said so.",
               "Shr 12 cts vs 10 cts net 1.2 mln vs 1.1 mln",
               "Shr 21 cts vs 10 cts net 1.2 mln vs 1.1 mln",
               "1 2 3 4 5 6 7", "a b c d e f", "Reuters", "- - - - - -", "x"]


def _definition(lines, min_words):
    seen, out = set(), []
    for i, line in enumerate(lines):
        if line.count(" ") + 1 < min_words or len(_ALPHA_WORD.findall(line)) < min_words:
            continue
        key = paragraph_key(line)
        if key in seen:
            out.append(i)
        seen.add(key)
    return out


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PARAGRAPHS), max_size=10), st.integers(1, 8))
def test_repeated_with_scan_keys_equals_its_definition(lines, min_words):
    rule = RepeatedParagraphFilter(min_words=min_words)
    text = "\n".join(lines)
    rows = scan.scan_rows(scan.encode(text))
    numbers = list(range(len(lines)))
    counts = doc_scan.kept_counts(rows, numbers, set(), True, len(text)) if lines else None
    keys = doc_scan.kept_keys(rows, numbers) if counts and counts[doc_scan.SAME_KEYS] \
        else None
    expected = _definition(lines, min_words)
    doc_scan._last = ([], ())
    assert rule.repeated(lines) == expected
    assert rule.repeated(lines, counts, keys) == expected
