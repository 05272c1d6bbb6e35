"""Cleaning quality on ../shared/eval/news_copies (dev data).

Two figures:
1. precision: % of body characters removed from the clean base articles
   (removed lines + whole dropped documents; target < 0.5%);
2. recall proxy: mean word-5-gram shingle Jaccard of each copy with its base,
   raw vs cleaned (both sides cleaned), per perturbation kind.

Usage: python bench/eval_clean.py [--eval-dir ../shared/eval] [--limit N] [--show N]
Exits 0 with a note if the eval data is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from nearcopy.clean import CleanConfig, Cleaner, CleanStats
from nearcopy.document import Document

_TOKEN = re.compile(r"\w+")
DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def shingles(text: str, n: int = 5) -> set[int]:
    """Word n-gram shingles of the lower-cased text (hashed)."""
    words = _TOKEN.findall(text.lower())
    return {hash(tuple(words[i:i + n])) for i in range(max(1, len(words) - n + 1))}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def load(eval_dir: Path, limit: int | None):
    root = eval_dir / "news_copies"
    docs = {}
    with open(root / "docs.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            docs[rec["id"]] = rec["text"]
    with open(root / "base.jsonl", encoding="utf-8") as fh:
        bases = [json.loads(line)["id"] for line in fh]
    with open(root / "copies.jsonl", encoding="utf-8") as fh:
        copies = [json.loads(line) for line in fh]
    if limit:
        bases, copies = bases[:limit], copies[:limit]
    return docs, bases, copies


def evaluate(eval_dir: Path, limit: int | None = None, show: int = 0) -> dict:
    docs, bases, copies = load(eval_dir, limit)
    cleaner = Cleaner(CleanConfig())
    cleaned: dict[str, str] = {}
    stats = CleanStats()
    removed_examples = []
    body_chars = removed_chars = 0
    t0 = time.perf_counter()
    for doc_id in bases:
        doc = Document(doc_id, docs[doc_id])
        res = cleaner.clean(doc)
        stats.add(doc, res)
        cleaned[doc_id] = res.text
        body_chars += len(docs[doc_id].replace("\n", ""))
        if res.dropped is not None:
            removed_chars += len(docs[doc_id].replace("\n", ""))
            removed_examples.insert(0, ("DROPPED", res.dropped, docs[doc_id][:300]))
        else:
            removed_chars += sum(res.chars_removed.values())
            removed_examples.extend((e["rule"], e["text"][:160]) for e in res.removed_lines)
    by_kind = defaultdict(lambda: [0.0, 0.0, 0])
    copy_drops = Counter()
    for rec in copies:
        res = cleaner.clean(Document(rec["id"], docs[rec["id"]]))
        if res.dropped is not None:
            copy_drops[res.dropped["rule"]] += 1
        raw = jaccard(shingles(docs[rec["id"]]), shingles(docs[rec["source_id"]]))
        new = jaccard(shingles(res.text), shingles(cleaned.get(rec["source_id"])
                                                  or docs[rec["source_id"]]))
        kinds = rec["perturbations"] if rec["perturbations"] else ["none"]
        for kind in set(kinds) | ({"only_" + kinds[0]} if len(kinds) == 1 else set()):
            acc = by_kind[kind]
            acc[0] += raw
            acc[1] += new
            acc[2] += 1
    elapsed = time.perf_counter() - t0
    for example in removed_examples[:show]:
        print("  removed from base:", example)
    return {
        "base_docs": len(bases), "base_body_chars": body_chars,
        "base_chars_removed": removed_chars,
        "base_pct_removed": round(100 * removed_chars / max(1, body_chars), 4),
        "base_docs_dropped": stats.dropped,
        "base_removed_by_rule": dict(Counter(e[0] for e in removed_examples)),
        "copies": len(copies), "copies_dropped": dict(copy_drops),
        "jaccard": {k: {"n": v[2], "raw": round(v[0] / v[2], 4), "cleaned": round(v[1] / v[2], 4)}
                    for k, v in sorted(by_kind.items())},
        "seconds": round(elapsed, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--show", type=int, default=0, help="print N removals from base docs")
    args = parser.parse_args(argv)
    if not (args.eval_dir / "news_copies" / "docs.jsonl").exists():
        print(f"eval data not found under {args.eval_dir}; skipping")
        return 0
    print(json.dumps(evaluate(args.eval_dir, args.limit, args.show), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
