#!/usr/bin/env bash
# The scale-out deployment on one machine: gunicorn with several web workers, a Celery worker
# and Celery beat, all on PostgreSQL and Redis. Stop everything with Ctrl+C.
#
#   DATABASE_URL=postgresql://user:pass@localhost/beacon REDIS_URL=redis://localhost:6379/0 \
#   SECRET_KEY=... scripts/scale_out.sh
#
# WEB_WORKERS (3), CELERY_CONCURRENCY (2), BEACON_HOST/BEACON_PORT (127.0.0.1:8050).
# For a real deployment run the same three commands under your process manager (systemd,
# containers), with as many web and Celery workers as you need and exactly one beat.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements.txt

: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database (postgresql://...)}"
: "${REDIS_URL:?set REDIS_URL (redis://host:6379/0): the shared cache, rate limits and job queue}"
: "${SECRET_KEY:?set SECRET_KEY (at least 32 characters), the same for every process}"
export DATABASE_URL REDIS_URL SECRET_KEY
host="${BEACON_HOST:-127.0.0.1}" port="${BEACON_PORT:-8050}"
state="${BEACON_INSTANCE_DIR:-instance}"
mkdir -p "$state"

.venv/bin/python -m data.migrate

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

.venv/bin/celery -A app:celery_app worker --loglevel=INFO \
  --concurrency="${CELERY_CONCURRENCY:-2}" --hostname="beacon@%h" &
pids+=($!)
.venv/bin/celery -A jobs.celery_app beat --loglevel=INFO \
  --schedule="$state/celerybeat-schedule" &
pids+=($!)
.venv/bin/gunicorn app:server --workers="${WEB_WORKERS:-3}" --bind="$host:$port" \
  --timeout=120 --access-logfile=- &
pids+=($!)

echo "Beacon (scale-out) at http://$host:$port/ with ${WEB_WORKERS:-3} web workers, a Celery worker and beat."
wait -n
