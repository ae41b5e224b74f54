#!/usr/bin/env bash
# Start the Rasa server with Puente's model, channels and endpoints.
# REDIS_URL switches the tracker and lock stores to Redis (needed with several servers).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${RASA_PORT:=5005}" "${APP_URL:=http://127.0.0.1:8000}" "${ACTION_SERVER_URL:=http://127.0.0.1:5055}"
export APP_URL ACTION_SERVER_URL
endpoints=bot/endpoints.yml
if [ -n "${REDIS_URL:-}" ]; then
  endpoints=$(mktemp -t puente-endpoints.XXXXXX.yml)
  .venv-bot/bin/python -m bot.endpoints_from_env bot/endpoints.yml > "$endpoints"
fi
args=(run --enable-api --port "$RASA_PORT" --model bot/models/puente.tar.gz
      --endpoints "$endpoints" --credentials bot/credentials.yml)
[ -n "${RASA_TOKEN:-}" ] && args+=(--auth-token "$RASA_TOKEN")
exec .venv-bot/bin/rasa "${args[@]}"
