#!/usr/bin/env bash
# Set up and run Beacon on the embedded SQLite database with demo data, served by gunicorn.
# Arguments go to `python -m beacon serve` (e.g. --workers 2, --dev for Flask's dev server).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements.txt
exec .venv/bin/python -m beacon serve "$@"
