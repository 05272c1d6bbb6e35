"""Equivalence check for `Cleaner.clean`: same corpus in, byte-identical results out.

Speed work on the cleaning stage must not change what it keeps or removes.
This cleans the first N documents of news_copies (default: all) and writes a
digest per document (text, removed_lines, dropped, language). `--save` writes
the reference; without it, the digest is compared with the reference and every
differing document is printed (exit code 1 when any differs).

Usage:
    python bench/clean_equivalence.py --save --ref /tmp/clean_ref.json   # before
    python bench/clean_equivalence.py --ref /tmp/clean_ref.json          # after
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import orjson

from nearcopy.clean import CleanConfig, Cleaner
from nearcopy.document import Document

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "news_copies" / "docs.jsonl"


def digest(corpus: Path, limit: int | None) -> dict[str, dict]:
    """Clean each document and keep the fields that make up its result."""
    cleaner = Cleaner(CleanConfig())
    out = {}
    with open(corpus, "rb") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                break
            rec = orjson.loads(line)
            res = cleaner.clean(Document(rec["id"], rec["text"]))
            out[rec["id"]] = {"text": res.text, "removed_lines": res.removed_lines,
                              "dropped": res.dropped, "language": res.language}
    return out


def check_prefilters(corpus: Path, limit: int | None) -> int:
    """Every line a rule drops must pass that rule's own MAY_DROP prefilter; count misses."""
    from nearcopy.clean.base import LineContext
    from nearcopy.clean.line_gate import _prefilter
    from nearcopy.clean.registry import LINE_FILTERS
    rules = [cls() for cls in LINE_FILTERS]
    tests = [_prefilter([rule]) for rule in rules]  # None: the rule declares no prefilter
    misses = 0
    with open(corpus, "rb") as fh:
        for i, raw in enumerate(fh):
            if limit is not None and i >= limit:
                break
            for line in orjson.loads(raw)["text"].split("\n"):
                for text in {line, line.strip()}:
                    for rule, may_drop in zip(rules, tests):
                        if may_drop is None or may_drop(text) \
                                or rule.check_line(text, LineContext(0, 1)).keep:
                            continue
                        misses += 1
                        print(f"prefilter miss: {rule.name}: {text!r:.200}")
    return misses


def compare(ref: dict[str, dict], new: dict[str, dict], show: int) -> int:
    """Print the documents whose digest differs; return how many differ."""
    bad = [key for key in ref.keys() | new.keys() if ref.get(key) != new.get(key)]
    for key in sorted(bad)[:show]:
        old, cur = ref.get(key) or {}, new.get(key) or {}
        print(f"--- {key}")
        for field in ("language", "dropped", "removed_lines", "text"):
            if old.get(field) != cur.get(field):
                print(f"  {field}:\n    ref: {old.get(field)!r:.400}\n    new: {cur.get(field)!r:.400}")
    return len(bad)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--ref", type=Path, default=Path("/tmp/clean_ref.json"))
    parser.add_argument("--save", action="store_true", help="write the reference digest")
    parser.add_argument("--show", type=int, default=20, help="differences to print")
    parser.add_argument("--check-prefilters", action="store_true",
                        help="also check each line rule's MAY_DROP prefilter on every line")
    args = parser.parse_args(argv)
    if args.check_prefilters:
        misses = check_prefilters(args.corpus, args.limit)
        print(f"prefilter misses: {misses}")
        if misses:
            return 1
    start = time.perf_counter()
    new = digest(args.corpus, args.limit)
    seconds = time.perf_counter() - start
    print(f"cleaned {len(new)} documents in {seconds:.1f} s")
    if args.save:
        args.ref.write_bytes(orjson.dumps(new))
        print(f"reference written to {args.ref}")
        return 0
    ref = orjson.loads(args.ref.read_bytes())
    if args.limit is not None:
        ref = {key: ref[key] for key in list(ref)[:args.limit]}
    bad = compare(ref, new, args.show)
    print(f"{bad} of {len(ref)} documents differ" if bad else f"identical: {len(ref)} documents")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
