#!/usr/bin/env bash
# Set up and run Beacon on the embedded SQLite database with demo data.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements.txt
exec .venv/bin/python app.py "$@"
