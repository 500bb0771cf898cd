#!/usr/bin/env bash
# The scale-out deployment on one machine, from the shipped deploy/ files: supervisord runs
# gunicorn (WEB_WORKERS threaded workers), a Celery worker and Celery beat, restarting what
# dies, and nginx buffers in front of them. PostgreSQL and Redis run as their own services.
#
#   DATABASE_URL=postgresql://user:pass@localhost/beacon REDIS_URL=redis://localhost:6379/0 \
#   SECRET_KEY=... BEACON_PUBLIC_URL=http://127.0.0.1:8080 scripts/scale_out.sh
#
# WEB_WORKERS (3), BEACON_PORT (gunicorn, 8050), BEACON_PROXY_PORT (nginx, 8080),
# BEACON_STATE (logs, sockets, beat's schedule: instance/scale-out). Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements.txt
for tool in nginx supervisord; do
  command -v "$tool" >/dev/null || { echo "scale-out needs $tool: apt-get install nginx supervisor" >&2; exit 1; }
done
# .env as every Beacon process reads it: the environment wins over it.
if [ -f .env ]; then
  while IFS='=' read -r key value; do
    [ -z "${!key:-}" ] && export "$key=$value"
  done < <(grep -E '^[A-Z_][A-Z0-9_]*=' .env | tac)  # the last line of a key wins, as in Beacon
fi

: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database (postgresql://...)}"
: "${REDIS_URL:?set REDIS_URL (redis://host:6379/0): the shared cache, rate limits and job queue}"
: "${SECRET_KEY:?set SECRET_KEY (at least 32 characters), the same for every process}"
export BEACON_PORT="${BEACON_PORT:-8050}" WEB_WORKERS="${WEB_WORKERS:-3}"
export BEACON_TRUSTED_PROXIES="${BEACON_TRUSTED_PROXIES:-1}"  # nginx sets X-Forwarded-For
proxy_port="${BEACON_PROXY_PORT:-8080}"
export BEACON_STATE="${BEACON_STATE:-$PWD/instance/scale-out}"
mkdir -p "$BEACON_STATE/nginx"

.venv/bin/python -m beacon migrate

# nginx with the shipped site file, its ports moved to this run's, its files under the state.
sed -e "s/127\.0\.0\.1:8050/127.0.0.1:$BEACON_PORT/" -e "s/listen 8080;/listen 127.0.0.1:$proxy_port;/" \
  deploy/nginx/beacon.conf > "$BEACON_STATE/nginx/beacon.conf"
cat > "$BEACON_STATE/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $BEACON_STATE/nginx/nginx.pid;
error_log $BEACON_STATE/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log $BEACON_STATE/nginx/access.log;
    client_body_temp_path $BEACON_STATE/nginx/body;
    proxy_temp_path $BEACON_STATE/nginx/proxy;
    fastcgi_temp_path $BEACON_STATE/nginx/fastcgi;
    uwsgi_temp_path $BEACON_STATE/nginx/uwsgi;
    scgi_temp_path $BEACON_STATE/nginx/scgi;
    include $BEACON_STATE/nginx/beacon.conf;
}
CONF

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM
supervisord -c deploy/supervisord.conf &
pids+=($!)
nginx -p "$BEACON_STATE/nginx" -c "$BEACON_STATE/nginx/nginx.conf" -g "daemon off;" &
pids+=($!)
echo "Beacon (scale-out) at http://127.0.0.1:$proxy_port/ (nginx) -> gunicorn on $BEACON_PORT" \
  "with $WEB_WORKERS workers, a Celery worker and beat under supervisord; logs in $BEACON_STATE."
wait -n
