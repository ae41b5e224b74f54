#!/usr/bin/env bash
# Start the local servers the tests need, when none is configured or running:
#   scripts/services.sh redis     → prints a REDIS_URL (redis-server on 127.0.0.1:6390)
#   scripts/services.sh postgres  → prints a DATABASE_URL (PostgreSQL on 127.0.0.1:5440)
#   scripts/services.sh browser   → prints the chromedriver path (Debian's chromium and
#                                   chromium-driver, for the web UI's browser tests)
#   scripts/services.sh haproxy   → prints the haproxy path (Debian's haproxy, in front
#                                   of several Rasa servers: deploy/haproxy.cfg.in)
#   scripts/services.sh pgbin     → prints PostgreSQL's bin directory (scripts/prod.sh)
#   scripts/services.sh redis-bin → prints the redis-server path (scripts/prod.sh)
# Installs the Debian package when the server is missing and we may (root + apt).
# Data lives under .cache/ of the project; `scripts/services.sh stop` stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="$PWD/.cache"
REDIS_PORT="${PUENTE_TEST_REDIS_PORT:-6390}"
PG_PORT="${PUENTE_TEST_PG_PORT:-5440}"
mkdir -p "$CACHE"

log() { echo "services: $*" >&2; }

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing $* with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >&2
  else
    log "error: $* not installed; install it (e.g. apt-get install $*) or set the URL"; exit 1
  fi
}

start_redis() {
  if [ -n "${REDIS_URL:-}" ]; then echo "$REDIS_URL"; return; fi
  if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    mkdir -p "$CACHE/redis"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" \
      --appendonly no --dir "$CACHE/redis" --logfile "$CACHE/redis/redis.log" >&2
    for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "redis://127.0.0.1:$REDIS_PORT/0"
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ]; then apt_install postgresql; dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); fi
  echo "$dir"
}

as_pg_owner() {
  # PostgreSQL refuses to run as root: run its tools as the `postgres` user then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  if [ -n "${PUENTE_TEST_DATABASE_URL:-}" ]; then echo "$PUENTE_TEST_DATABASE_URL"; return; fi
  local bin data="$CACHE/pg"
  bin=$(pg_bin)
  if ! "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; then
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data" "$CACHE"
      as_pg_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
    fi
    as_pg_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p $PG_PORT -k $data -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  fi
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='puente_test'" | grep -q 1 ||
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres puente_test
  echo "postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/puente_test"
}

stop_all() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  if [ -f "$CACHE/pg/PG_VERSION" ]; then
    as_pg_owner "$(pg_bin)/pg_ctl" -D "$CACHE/pg" -m fast stop >/dev/null 2>&1 || true
  fi
}

find_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  command -v chromedriver
}

find_haproxy() {
  if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then apt_install haproxy; fi
  command -v haproxy || echo /usr/sbin/haproxy
}

case "${1:-}" in
  redis) start_redis ;;
  haproxy) find_haproxy ;;
  redis-bin) command -v redis-server >/dev/null || apt_install redis-server; command -v redis-server ;;
  pgbin) pg_bin ;;
  postgres) start_postgres ;;
  browser) find_browser ;;
  stop) stop_all ;;
  *) echo "usage: $0 redis|postgres|browser|haproxy|pgbin|redis-bin|stop" >&2; exit 2 ;;
esac
