#!/usr/bin/env bash
# Install only: create .venv with the pinned runtime dependencies and start nothing.
# Then use `.venv/bin/python -m beacon --help` (init, create-admin, doctor, serve, ...).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements.txt
echo "Installed into .venv. Next: .venv/bin/python -m beacon --help"
