#!/usr/bin/env bash
# Start the Rasa server with Puente's model, channels and endpoints.
# REDIS_URL switches the tracker and lock stores to Redis (needed with several servers).
# RASA_PROCESSES=N (N > 1, needs REDIS_URL) starts N Rasa servers on free loopback ports
# behind HAProxy on RASA_PORT (deploy/haproxy.cfg.in: one sender, one server; a dead
# server's senders move on); with REDIS_URL it defaults to one per core (README
# "Webhook load"), without it to 1. scripts/prod.sh runs the same pieces supervised.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${RASA_PORT:=5005}" "${APP_URL:=http://127.0.0.1:8000}" "${ACTION_SERVER_URL:=http://127.0.0.1:5055}"
if [ -n "${REDIS_URL:-}" ]; then : "${RASA_PROCESSES:=$(nproc)}"; else : "${RASA_PROCESSES:=1}"; fi
export APP_URL ACTION_SERVER_URL
# With Redis, a Rasa server killed mid-turn leaves its lock ticket on the conversation;
# Rasa lets it lapse after this many seconds (its default, 60, would hold the person's
# next message that long on the server that takes over). A turn takes under a second.
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-10}"
endpoints=bot/endpoints.yml
if [ -n "${REDIS_URL:-}" ]; then
  # One file per store configuration (not per start: a supervisor restarts this often);
  # private, as REDIS_URL may hold a password.
  mkdir -p .cache
  endpoints=.cache/endpoints.$(printf '%s %s %s' "$REDIS_URL" "${TRACKER_TTL_DAYS:-}" "${PUENTE_STATS_EVENTS:-}" | md5sum | cut -c1-12).yml
  (umask 077; .venv-bot/bin/python -m bot.endpoints_from_env bot/endpoints.yml > "$endpoints.$$")
  mv "$endpoints.$$" "$endpoints"
fi
args=(run --enable-api --model bot/models/puente.tar.gz
      --endpoints "$endpoints" --credentials bot/credentials.yml)
[ -n "${RASA_TOKEN:-}" ] && args+=(--auth-token "$RASA_TOKEN")

if [ "$RASA_PROCESSES" -le 1 ]; then
  exec .venv-bot/bin/rasa "${args[@]}" --port "$RASA_PORT"
fi
if [ -z "${REDIS_URL:-}" ]; then
  echo "run-rasa: RASA_PROCESSES=$RASA_PROCESSES needs REDIS_URL (the servers share" \
       "conversations through Redis)" >&2
  exit 1
fi
haproxy=$(scripts/services.sh haproxy)
ports=$(.venv-bot/bin/python -c '
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))' "$RASA_PROCESSES")
run_dir=$(mktemp -d -t puente-haproxy.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait; rm -rf "$run_dir"' EXIT INT TERM
servers=()
for port in $ports; do
  .venv-bot/bin/rasa "${args[@]}" --port "$port" &
  servers+=("127.0.0.1:$port")
done
scripts/haproxy-config.sh "127.0.0.1:$RASA_PORT" "$run_dir/haproxy.sock" "${servers[@]}" \
  > "$run_dir/haproxy.cfg"
"$haproxy" -db -f "$run_dir/haproxy.cfg" &
wait -n  # any of them ending ends all: the stack runner sees it and stops
