#!/usr/bin/env bash
# README command 2 (and what CI runs): set up a virtual environment with the test extras,
# then run the whole test suite, slow, service, Ray and browser tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/python -m compileall -q src/nearcopy  # bytecode once, as a wheel install has
exec .venv/bin/python -m pytest -m "slow or not slow" -q "$@"
