#!/usr/bin/env bash
# README command 1: set up a virtual environment, install nearcopy, run the main job on the
# bundled sample corpus (crawled-news-like copies) and print where the outputs are.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/python -m compileall -q src/nearcopy  # bytecode once, as a wheel install has
.venv/bin/nearcopy run examples/sample/news.jsonl --out out/sample
echo "outputs in out/sample/: kept.jsonl removed.jsonl clusters.jsonl stats.json report.html"
