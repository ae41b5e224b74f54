#!/usr/bin/env bash
# Puente's production topology on one machine, every piece as if on its own host and
# talking over loopback: PostgreSQL, Redis (append-only file, so opt-outs and
# conversations survive a restart), RASA_SERVERS Rasa servers on their own ports,
# HAProxy on RASA_PORT in front of them (deploy/haproxy.cfg.in), the action server,
# the app and the reminder worker. supervisord (pinned in requirements/app.txt) keeps
# them running as systemd does across hosts (deploy/systemd/): a process that dies is
# started again, and HAProxy moves a dead Rasa server's senders to another meanwhile.
#
#   scripts/prod.sh            (or `make serve-prod`) runs in the foreground; Ctrl-C stops all
#   scripts/prod.sh ctl ARGS   supervisorctl on the running topology (status, restart app, ...)
#
# Variables: RASA_PORT (5005), RASA_SERVERS (one per core), RASA_SERVER_PORTS (default
# RASA_PORT+1 ...), ACTION_PORT (5055), APP_PORT (8000), PUENTE_PG_PORT (5432),
# PUENTE_REDIS_PORT (6379), PUENTE_PROD_DIR (.cache/prod: data, rendered configs, logs),
# PUENTE_SAMPLE_DATA=1 loads the sample directory; the rest as README "Configuration".
# Ready when it prints "puente: ready" (GET :APP_PORT/healthz and :RASA_PORT/ answer).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
: "${PUENTE_PROD_DIR:=$ROOT/.cache/prod}" "${RASA_PORT:=5005}" "${ACTION_PORT:=5055}"
: "${APP_PORT:=8000}" "${PUENTE_PG_PORT:=5432}" "${PUENTE_REDIS_PORT:=6379}"
: "${RASA_SERVERS:=$(nproc)}" "${PUENTE_WORKER_INTERVAL:=5}"
DIR=$PUENTE_PROD_DIR
CTL=(.venv/bin/supervisorctl -c "$DIR/supervisord.conf")

if [ "${1:-}" = ctl ]; then shift; exec "${CTL[@]}" "$@"; fi

log() { echo "puente: $*" >&2; }
as_pg_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ -z "${RASA_SERVER_PORTS:-}" ]; then
  RASA_SERVER_PORTS=$(seq $((RASA_PORT + 1)) $((RASA_PORT + RASA_SERVERS)) | tr '\n' ' ')
fi
read -r -a rasa_ports <<< "$RASA_SERVER_PORTS"
haproxy=$(scripts/services.sh haproxy)
pgbin=$(scripts/services.sh pgbin)
redis=$(scripts/services.sh redis-bin)
[ -x .venv/bin/supervisord ] || { log "error: .venv has no supervisord; run make setup"; exit 1; }

export APP_URL="http://127.0.0.1:$APP_PORT" ACTION_SERVER_URL="http://127.0.0.1:$ACTION_PORT"
export RASA_URL="http://127.0.0.1:$RASA_PORT" ACTION_PORT APP_PORT
export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PUENTE_PG_PORT/puente"
export REDIS_URL="redis://127.0.0.1:$PUENTE_REDIS_PORT/0"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-$RASA_URL}" PYTHONPATH=$ROOT
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1

mkdir -p "$DIR/logs" "$DIR/redis" "$DIR/pg"
if [ ! -f "$DIR/pg/PG_VERSION" ]; then
  [ "$(id -u)" = 0 ] && chown postgres "$DIR/pg"
  as_pg_owner "$pgbin/initdb" -D "$DIR/pg" -U postgres -A trust -E UTF8 --no-locale >/dev/null
fi
rasa_servers=() programs=()
for i in "${!rasa_ports[@]}"; do
  rasa_servers+=("127.0.0.1:${rasa_ports[$i]}"); programs+=("rasa$((i + 1))")
done
scripts/haproxy-config.sh "127.0.0.1:$RASA_PORT" "$DIR/haproxy.sock" "${rasa_servers[@]}" \
  > "$DIR/haproxy.cfg"
"$haproxy" -c -q -f "$DIR/haproxy.cfg"

program() {  # name, command, then extra supervisord lines
  local name=$1 command=$2; shift 2
  printf '\n[program:%s]\ncommand=%s\ndirectory=%s\nautorestart=true\nstartsecs=1\n' \
    "$name" "$command" "$ROOT"
  printf 'startretries=1000\nstopasgroup=true\nkillasgroup=true\nstopwaitsecs=20\n'
  printf 'redirect_stderr=true\nstdout_logfile=%s/logs/%s.log\nstdout_logfile_maxbytes=50MB\n' \
    "$DIR" "$name"
  printf '%s\n' "$@"
}
{
  printf '[supervisord]\nnodaemon=true\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\n' \
    "$DIR" "$DIR"
  printf 'childlogdir=%s/logs\n' "$DIR"
  [ "$(id -u)" = 0 ] && printf 'user=root\n'  # said, so supervisord does not warn
  printf '\n[unix_http_server]\nfile=%s/supervisor.sock\n\n' "$DIR"
  printf '[rpcinterface:supervisor]\n'
  printf 'supervisor.rpcinterface_factory=supervisor.rpcinterface:make_main_rpcinterface\n\n'
  printf '[supervisorctl]\nserverurl=unix://%s/supervisor.sock\n' "$DIR"
  pg_user=(); [ "$(id -u)" = 0 ] && pg_user=("user=postgres")
  # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
  program postgres "$pgbin/postgres -D $DIR/pg -p $PUENTE_PG_PORT -k $DIR/pg -c listen_addresses=127.0.0.1" \
    stopsignal=INT "${pg_user[@]}"
  program redis "$redis --port $PUENTE_REDIS_PORT --bind 127.0.0.1 --dir $DIR/redis --appendonly yes --appendfsync everysec --save ''"
  for i in "${!rasa_ports[@]}"; do
    program "rasa$((i + 1))" "$ROOT/scripts/run-rasa.sh" autostart=false \
      "environment=RASA_PORT=\"${rasa_ports[$i]}\",RASA_PROCESSES=\"1\""
  done
  program haproxy "$haproxy -db -f $DIR/haproxy.cfg" autostart=false
  program actions "$ROOT/.venv-bot/bin/rasa run actions --actions bot.actions --port $ACTION_PORT" \
    autostart=false
  program app "$ROOT/.venv/bin/uvicorn service_directory.main:app --host 127.0.0.1 --port $APP_PORT --no-access-log" \
    autostart=false
  program worker "$ROOT/.venv/bin/python -m service_directory.cli worker --interval $PUENTE_WORKER_INTERVAL" \
    autostart=false
  printf '\n[group:stores]\nprograms=postgres,redis\n'
  printf '\n[group:puente]\nprograms=%s\n' "$(IFS=,; echo "${programs[*]},haproxy,actions,app,worker")"
} > "$DIR/supervisord.conf"

.venv/bin/supervisord -c "$DIR/supervisord.conf" &
supervisor=$!
trap '"${CTL[@]}" shutdown >/dev/null 2>&1 || kill "$supervisor" 2>/dev/null; wait "$supervisor"' EXIT
trap 'exit 0' INT TERM

wait_for() {  # what, seconds, command...
  local what=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 4))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    kill -0 "$supervisor" 2>/dev/null || { log "error: supervisord stopped"; exit 1; }
    sleep 0.25
  done
  log "error: $what not ready after ${seconds}s (logs: $DIR/logs)"; exit 1
}
wait_for PostgreSQL 60 "$pgbin/pg_isready" -h 127.0.0.1 -p "$PUENTE_PG_PORT" -q
wait_for Redis 30 redis-cli -p "$PUENTE_REDIS_PORT" ping
"$pgbin/psql" -h 127.0.0.1 -p "$PUENTE_PG_PORT" -U postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname='puente'" | grep -q 1 ||
  "$pgbin/createdb" -h 127.0.0.1 -p "$PUENTE_PG_PORT" -U postgres puente
.venv/bin/python -m service_directory.cli db upgrade >/dev/null
if [ "${PUENTE_SAMPLE_DATA:-}" = 1 ]; then
  .venv/bin/python -m service_directory.cli directory load-sample >/dev/null
  .venv/bin/python -m service_directory.cli entitlements load-sample >/dev/null
fi
"${CTL[@]}" start 'puente:*' >/dev/null
wait_for "the app" 120 curl -fsS "$APP_URL/healthz"
wait_for "the action server" 240 curl -fsS "$ACTION_SERVER_URL/health"
for port in "${rasa_ports[@]}"; do
  wait_for "the Rasa server on $port" 600 curl -fsS "http://127.0.0.1:$port/"
done
wait_for "Rasa behind HAProxy" 30 curl -fsS "$RASA_URL/"
log "ready: webhooks at $PUBLIC_BASE_URL/webhooks/twilio_sms/webhook (HAProxy, Rasa servers" \
    "on ${rasa_ports[*]}), app $APP_URL, logs in $DIR/logs; Ctrl-C stops all"
wait "$supervisor"
