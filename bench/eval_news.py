"""Accuracy on ../shared/eval/news_copies: pair precision, recall, F1 and ARI.

Runs the real batch job (`run`: clean + dedup, or `dedup`) on docs.jsonl and
compares clusters.jsonl with the labelled clusters. Also reports recall per
perturbation kind and how many labelled hard negatives were merged.

    python bench/eval_news.py                       # run (clean + dedup), default settings
    python bench/eval_news.py --command dedup --threshold 0.8
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "news_copies"


def load_jsonl(path: Path):
    with open(path, "rb") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def pairs_of(clusters: list[list[str]]) -> set[tuple[str, str]]:
    out = set()
    for members in clusters:
        for a, b in itertools.combinations(sorted(members), 2):
            out.add((a, b))
    return out


def adjusted_rand_index(labels_true: list, labels_pred: list) -> float:
    """ARI (Hubert & Arabie 1985) from the contingency table."""
    def comb2(x):
        x = np.asarray(x, dtype=np.float64)
        return (x * (x - 1) / 2).sum()
    t_ids = {v: i for i, v in enumerate(sorted(set(labels_true)))}
    p_ids = {v: i for i, v in enumerate(sorted(set(labels_pred)))}
    cont = Counter((t_ids[a], p_ids[b]) for a, b in zip(labels_true, labels_pred))
    sum_cells = comb2(list(cont.values()))
    sum_t = comb2(list(Counter(labels_true).values()))
    sum_p = comb2(list(Counter(labels_pred).values()))
    total = comb2([len(labels_true)])
    expected = sum_t * sum_p / total
    maximum = (sum_t + sum_p) / 2
    return float((sum_cells - expected) / (maximum - expected)) if maximum != expected else 1.0


def evaluate(out_dir: Path, eval_dir: Path = EVAL) -> dict:
    gold_clusters = [c["ids"] for c in load_jsonl(eval_dir / "clusters.jsonl")]
    pred_clusters = [c["members"] for c in load_jsonl(out_dir / "clusters.jsonl")]
    gold, pred = pairs_of(gold_clusters), pairs_of(pred_clusters)
    tp = len(gold & pred)
    precision = tp / len(pred) if pred else 1.0
    recall = tp / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    gold_label = {d: i for i, ids in enumerate(gold_clusters) for d in ids}
    pred_label = {d: f"p{i}" for i, ids in enumerate(pred_clusters) for d in ids}
    docs = sorted(gold_label)
    ari = adjusted_rand_index([gold_label[d] for d in docs],
                              [pred_label.get(d, f"s:{d}") for d in docs])
    copies = load_jsonl(eval_dir / "copies.jsonl") if (eval_dir / "copies.jsonl").exists() else []
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for copy in copies:
        key = tuple(sorted((copy["id"], copy["source_id"])))
        found = pred_label.get(copy["id"]) is not None and \
            pred_label.get(copy["id"]) == pred_label.get(copy["source_id"])
        for kind in copy["perturbations"] or ["exact"]:
            by_kind[kind][0] += found
            by_kind[kind][1] += 1
        _ = key
    labelled = load_jsonl(eval_dir / "pairs.jsonl")
    positives = [p for p in labelled if p["label"] == 1]
    found_pos = sum(1 for p in positives if pred_label.get(p["id1"]) is not None
                    and pred_label.get(p["id1"]) == pred_label.get(p["id2"]))
    negatives = [p for p in labelled if p["label"] == 0]
    merged_neg = sum(1 for p in negatives if pred_label.get(p["id1"]) is not None
                     and pred_label.get(p["id1"]) == pred_label.get(p["id2"]))
    return {"pair_precision": round(precision, 4), "pair_recall": round(recall, 4),
            "pair_f1": round(f1, 4), "ari": round(ari, 4), "gold_pairs": len(gold),
            "predicted_pairs": len(pred), "true_positive_pairs": tp,
            "recall_by_perturbation": {k: round(v[0] / v[1], 4) for k, v in sorted(by_kind.items())},
            "labelled_positives_found": f"{found_pos}/{len(positives)}",
            "hard_negatives_merged": f"{merged_neg}/{len(negatives)}"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--command", choices=["run", "dedup"], default="run")
    parser.add_argument("--eval-dir", type=Path, default=EVAL,
                        help="a folder with docs.jsonl, clusters.jsonl, pairs.jsonl "
                             "(e.g. ../shared/eval/clough_short_answers)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("extra", nargs="*", help="extra flags for nearcopy, after --")
    args = parser.parse_args(argv)
    if not (args.eval_dir / "docs.jsonl").exists():
        print(f"skipped: {args.eval_dir} not found", file=sys.stderr)
        return 0
    from click.testing import CliRunner

    from nearcopy.cli.main import main as cli

    out = args.out or Path(tempfile.mkdtemp(prefix="nearcopy-eval-"))
    start = time.perf_counter()
    result = CliRunner().invoke(cli, [args.command, str(args.eval_dir / "docs.jsonl"),
                                      "--out", str(out), "--quiet", *args.extra])
    if result.exit_code != 0:
        print(result.output, file=sys.stderr)
        raise SystemExit(result.exit_code)
    scores = evaluate(out, args.eval_dir)
    scores["seconds"] = round(time.perf_counter() - start, 2)
    scores["command"] = f"nearcopy {args.command} docs.jsonl " + " ".join(args.extra)
    print(json.dumps(scores, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
