#!/usr/bin/env bash
# Start the Rasa server with Puente's model, channels and endpoints.
# REDIS_URL switches the tracker and lock stores to Redis (needed with several servers).
# RASA_PROCESSES=N (N > 1, needs REDIS_URL) starts N Rasa servers on free loopback ports
# behind connectors/balancer.py on RASA_PORT; with REDIS_URL it defaults to one per core
# (README "Webhook load"), without it to 1.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${RASA_PORT:=5005}" "${APP_URL:=http://127.0.0.1:8000}" "${ACTION_SERVER_URL:=http://127.0.0.1:5055}"
if [ -n "${REDIS_URL:-}" ]; then : "${RASA_PROCESSES:=$(nproc)}"; else : "${RASA_PROCESSES:=1}"; fi
export APP_URL ACTION_SERVER_URL
endpoints=bot/endpoints.yml
if [ -n "${REDIS_URL:-}" ]; then
  endpoints=$(mktemp -t puente-endpoints.XXXXXX.yml)
  .venv-bot/bin/python -m bot.endpoints_from_env bot/endpoints.yml > "$endpoints"
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
ports=$(.venv-bot/bin/python -c '
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))' "$RASA_PROCESSES")
trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT INT TERM
backends=()
for port in $ports; do
  .venv-bot/bin/rasa "${args[@]}" --port "$port" &
  backends+=("http://127.0.0.1:$port")
done
PYTHONPATH=. .venv-bot/bin/python -m connectors.balancer --port "$RASA_PORT" "${backends[@]}" &
wait -n  # any of them ending ends all: the stack runner sees it and stops
