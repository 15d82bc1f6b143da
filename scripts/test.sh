#!/usr/bin/env bash
# Set up, then run the linters and the whole test suite (browser tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check caselog tests scripts
exec .venv/bin/python -m pytest -q "$@"
