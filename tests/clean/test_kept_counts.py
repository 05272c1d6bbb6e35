"""The counts of the kept lines summed from the cleaner's scan (`doc_scan.kept_counts`)
must equal their Python definition (`doc_scan.python_counts`), and the cleaner must
give the same results with them as with the counts made again from the kept lines."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from nearcopy.clean import CleanConfig, Cleaner, doc_scan, scan
from nearcopy.clean.doc_scan import SAME_KEYS
from nearcopy.document import Document

_TOKENS = ["the", "The", "A", "x", "Foo", "foo!", "f-o-o", "12", "21", "1.2", "_", "#", "##",
           "...", "..", ".", "....", "......", "a.b", "-", "*", "- x", "* y", " ", "  ", "\t",
           "\x0b", "\x1f", "\r", "é", "…", "•", "—", "\u00a0", "\u2028", "中文", "\ud800",
           "\n", "\n", "\n\n"]


def _lines_and_numbers(text):
    lines = text.split("\n")
    return lines, [i for i, line in enumerate(lines) if line]


def _check(text, keep):
    """kept_counts of the non-empty lines that `keep` picks, against the definition."""
    data = scan.encode(text)
    rows, totals = scan.scan_document(data)
    lines, numbers = _lines_and_numbers(text)
    numbers = [i for k, i in enumerate(numbers) if keep[k % len(keep)]]
    kept = [lines[i] for i in numbers]
    found = doc_scan.kept_counts(rows, numbers, set(), len(data) == len(text), len(data))
    # (the document sums, where they apply: every non-empty line kept)
    assert doc_scan.kept_counts(rows, numbers, set(), len(data) == len(text), len(data),
                                totals) == found
    if not all(map(str.isascii, kept)):
        assert found is None
        return
    expected = doc_scan.python_counts(kept)
    assert found[:SAME_KEYS] == expected[:SAME_KEYS]
    assert found[SAME_KEYS] >= expected[SAME_KEYS]  # 0 proves that no two keys are equal
    doc_scan._last = ([], ())
    assert found[SAME_KEYS] == doc_scan.counts(kept)[SAME_KEYS] or not kept


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join),
       st.lists(st.booleans(), min_size=1, max_size=5))
def test_kept_counts_equal_their_python_definitions(text, keep):
    _check(text, keep)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60),
       st.lists(st.booleans(), min_size=1, max_size=5))
def test_kept_counts_on_any_ascii_text(text, keep):
    _check(text, keep)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Shr 12 cts", "shr 12 cts!", "Shr 21 cts", "Net 1.2 mln",
                                 "net 12 mln", "A b", "ab", "b a", "x", "", "- - -", "***"]),
                min_size=1, max_size=8),
       st.lists(st.booleans(), min_size=1, max_size=5))
def test_same_keys_is_one_exactly_when_two_kept_loose_keys_are_equal(lines, keep):
    """On lines chosen to share keys (or to be anagrams of each other), the scan's keys
    say "same" exactly when two kept lines' loose keys are the same."""
    from nearcopy.clean.repetition import _loose_keys
    text = "\n".join(lines)
    _, numbers = _lines_and_numbers(text)
    numbers = [i for k, i in enumerate(numbers) if keep[k % len(keep)]]
    keys = _loose_keys([lines[i] for i in numbers])
    rows, totals = scan.scan_document(scan.encode(text))
    found = doc_scan.kept_counts(rows, numbers, set(), True, len(text))
    assert found[SAME_KEYS] == int(len(set(keys)) != len(keys))
    assert doc_scan.kept_counts(rows, numbers, set(), True, len(text), totals) == found


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Shr 12 cts", "shr 12 cts!", "Net 1.2 mln", "net 12 mln",
                                 "A b", "b a", "x", "", "é", "#1 ...", "- a", "The cat"]),
                max_size=120)
       | st.lists(st.text(alphabet="ab1 ", max_size=4).map(lambda t: t + "z"), unique=True,
                  max_size=120))
def test_document_sums_are_the_sums_of_the_rows(lines):
    """`scan_document`'s last column: sums and or-s of the rows, the empty lines counted,
    and "same keys" exactly when two lines' keys are equal, for documents on both sides
    of `kernels.PAIRWISE_KEYS` lines."""
    from nearcopy.clean import kernels
    rows, totals = scan.scan_document(scan.encode("\n".join(lines)))
    flags = rows[kernels.FLAGS]
    assert totals[kernels.T_LETTERS] == sum(rows[kernels.LETTERS])
    assert totals[kernels.T_SUMS_A] == sum(rows[kernels.SUMS_A])
    assert totals[kernels.T_SUMS_B] == sum(rows[kernels.SUMS_B])
    assert totals[kernels.T_ASKED] >> kernels.EMPTY_SHIFT == \
        sum(1 for f in flags if f & kernels.EMPTY)
    or_flags = 0
    for f in flags:
        or_flags |= f
    assert totals[kernels.T_FLAGS] & ((1 << kernels.TRIGGER_SHIFT) - 1) == or_flags
    assert totals[kernels.T_GUESSES] == sum({1 << g for g in rows[kernels.GUESS] if g})
    assert totals[kernels.T_UNGUESSED] == sum(
        n for n, g in zip(rows[kernels.LETTERS], rows[kernels.GUESS]) if not g)
    keys = rows[kernels.KEY]
    assert totals[kernels.T_SAME_KEYS] == int(len(set(keys)) != len(keys))


def test_the_scan_cannot_vouch_for_changed_lines_or_long_documents():
    text = "- one [ad_1] two...\n\nthree #4"
    rows = scan.scan_rows(scan.encode(text))
    assert doc_scan.kept_counts(rows, [0, 2], set(), True, len(text)) == \
        doc_scan.python_counts(["- one [ad_1] two...", "three #4"])
    assert doc_scan.kept_counts(rows, [0, 2], {0}, True, len(text)) is None
    assert doc_scan.kept_counts(rows, [2], {0}, True, len(text)) is not None
    assert doc_scan.kept_counts(rows, [0, 2], set(), True, 1 << 21) is None


_DOC_TOKENS = ["The", "market", "said", "on", "Tuesday", "it", "would", "raise", "rates.",
               "#1", "...", "- ", "* ", "[ad_1]", "{ads}", "Home > News", "Read more",
               "Share this", "é", "für", "中文", "Reuters", "12", "mln", "vs", "\n", "\n",
               "\n\n"]


_CLEANER = Cleaner(CleanConfig())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_DOC_TOKENS), max_size=80).map(" ".join),
       st.integers(min_value=1, max_value=4))
def test_cleaner_gives_the_same_results_with_the_counts_made_again(text, copies):
    """The cleaner's counts of the kept lines from its scan against the counts of the
    kept lines joined and scanned again (`doc_scan.counts`) for every document."""
    from nearcopy.clean import cleaner as cleaner_module
    text = "\n".join([text] * copies)  # (repeated paragraphs)
    fast = _CLEANER.clean(Document("d", text))
    original = cleaner_module.kept_counts
    cleaner_module.kept_counts = lambda *args: None
    try:
        doc_scan._last = ([], ())
        slow = _CLEANER.clean(Document("d", text))
    finally:
        cleaner_module.kept_counts = original
    assert fast == slow
