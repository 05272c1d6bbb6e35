"""Two documents side by side: shared passages marked, removed lines put back struck through.

A word is marked shared when it lies in a run of `MIN_RUN` case-folded words
that the other side holds too, so common words alone do not speckle the page.
Texts are cut to `MAX_WORDS` words per side: a person reads the start anyway.

The structures hold plain text; the Jinja2 template escapes and styles them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_WORDS = 400
MAX_CHARS = 8 * MAX_WORDS * 4  # far more than MAX_WORDS words; bounds the line split
MAX_REMOVED = 200
MIN_RUN = 3


@dataclass
class Segment:
    """A run of words on one line, inside or outside a shared passage."""

    text: str
    shared: bool


@dataclass
class Line:
    """A kept line (segments) or a line cleaning removed (removed text + rule)."""

    segments: list[Segment] = field(default_factory=list)
    removed: str | None = None
    rule: str | None = None


@dataclass
class Side:
    """One document of a pair as shown: its lines and what share of its words match."""

    doc_id: str
    lines: list[Line]
    status: str = ""
    shared_fraction: float = 0.0
    truncated: bool = False
    missing: bool = False


def _with_removed(text: str, removed_lines: list[dict] | None) -> list[tuple[str, dict | None]]:
    """Kept lines with removed ones put back at their original line numbers.

    Placement is approximate: cleaning also drops blank lines, which it does
    not record, so later kept lines may sit a line or two off.
    """
    kept = text[:MAX_CHARS].split("\n")
    removed = sorted(removed_lines or [], key=lambda r: int(r.get("line") or 0))
    rows: list[tuple[str, dict | None]] = []
    next_kept = 0
    for entry in removed[:MAX_REMOVED]:
        while next_kept < len(kept) and len(rows) < int(entry.get("line") or 0):
            rows.append((kept[next_kept], None))
            next_kept += 1
        rows.append((str(entry.get("text", "")), entry))
    rows.extend((line, None) for line in kept[next_kept:])
    return rows


def _tokens(rows: list[tuple[str, dict | None]]) -> tuple[list[tuple[int, str]], bool]:
    """(row index, word) for the kept rows, cut at MAX_WORDS; and whether it was cut."""
    tokens = []
    for index, (line, entry) in enumerate(rows):
        if entry is None:
            tokens.extend((index, word) for word in line.split())
            if len(tokens) > MAX_WORDS:
                return tokens[:MAX_WORDS], True
    return tokens, False


def _shared_flags(left: list[str], right: list[str]) -> tuple[list[bool], list[bool]]:
    """For each word of each side: whether it lies in a run of MIN_RUN consecutive words
    that the other side also holds (anywhere: a moved paragraph is shared too).

    Linear in the words, like the shingles dedup compares; SequenceMatcher's longest
    matching blocks took a quarter of a small job's CPU (issue #4).
    """
    left_runs, right_runs = _runs(left), _runs(right)
    return _covered(left, right_runs), _covered(right, left_runs)


def _windows(words: list[str]):
    """Every run of MIN_RUN consecutive words, in order, as tuples."""
    return zip(*(words[i:] for i in range(MIN_RUN)))


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return set(_windows(words))


def _covered(words: list[str], other_runs: set[tuple[str, ...]]) -> list[bool]:
    flags = [False] * len(words)
    run = [True] * MIN_RUN
    for i, window in enumerate(_windows(words)):
        if window in other_runs:
            flags[i:i + MIN_RUN] = run
    return flags


def _build_lines(rows, tokens, flags, cut: bool) -> list[Line]:
    segments = _segments_by_row(tokens, flags)
    last = tokens[-1][0] if cut else len(rows)
    lines = []
    for index, (text, entry) in enumerate(rows):
        if index > last:
            break
        if entry is not None:
            lines.append(Line(removed=text, rule=str(entry.get("rule", ""))))
        else:
            lines.append(Line(segments=segments.get(index, [])))
    return lines


def _segments_by_row(tokens: list[tuple[int, str]], flags: list[bool]) -> dict[int, list[Segment]]:
    """Each row's words as runs of equal shared-ness; every run but a row's last ends with
    the space before the next (one join of a slice per run: a step per word in Python
    was a third of a small job's report)."""
    by_row: dict[int, list[Segment]] = {}
    if not tokens:
        return by_row
    rows = [row for row, _ in tokens]
    words = [word for _, word in tokens]
    keys = list(zip(rows, flags))
    cuts = [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
    for start, end in zip([0, *cuts], [*cuts, len(keys)]):
        segments = by_row.setdefault(rows[start], [])
        if segments:
            segments[-1].text += " "
        segments.append(Segment(" ".join(words[start:end]), flags[start]))
    return by_row


def compare(left: dict | None, right: dict | None, left_id: str,
            right_id: str) -> tuple[Side, Side]:
    """Side-by-side view of two output records (None where a record was not found)."""
    left_rows = _with_removed(*_text_and_lines(left))
    right_rows = _with_removed(*_text_and_lines(right))
    left_tokens, left_cut = _tokens(left_rows)
    right_tokens, right_cut = _tokens(right_rows)
    left_flags, right_flags = _shared_flags([w.casefold() for _, w in left_tokens],
                                            [w.casefold() for _, w in right_tokens])
    return (_side(left_id, left, left_rows, left_tokens, left_flags, left_cut),
            _side(right_id, right, right_rows, right_tokens, right_flags, right_cut))


def _text_and_lines(record: dict | None) -> tuple[str, list[dict] | None]:
    if record is None:
        return "", None
    return str(record.get("text") or ""), record.get("removed_lines")


def _side(doc_id, record, rows, tokens, flags, cut) -> Side:
    fraction = sum(flags) / len(flags) if flags else 0.0
    return Side(doc_id=doc_id, lines=_build_lines(rows, tokens, flags, cut),
                shared_fraction=fraction, truncated=cut, missing=record is None)


def single(record: dict, doc_id: str) -> Side:
    """One document alone, its removed lines struck through (cleaning examples)."""
    rows = _with_removed(*_text_and_lines(record))
    tokens, cut = _tokens(rows)
    side = _side(doc_id, record, rows, tokens, [False] * len(tokens), cut)
    side.status = f"{len(record.get('removed_lines') or [])} lines removed by cleaning"
    return side
