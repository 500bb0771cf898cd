#!/usr/bin/env bash
# Set up and run every check: lint, types, and the whole test suite (arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements-dev.txt
echo "ruff ..." && .venv/bin/ruff check .
echo "mypy ..." && .venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
