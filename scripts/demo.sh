#!/usr/bin/env bash
# The main job: set up, check the demo case log, show this year's figures, then build the
# demo portal and serve it at http://127.0.0.1:8000/ (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/caselog validate
.venv/bin/caselog stats --period "$(date +%Y)"
exec .venv/bin/caselog serve --clean "$@"
