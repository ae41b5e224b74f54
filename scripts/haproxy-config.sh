#!/usr/bin/env bash
# Print HAProxy's configuration for Puente (deploy/haproxy.cfg.in) on stdout:
#   scripts/haproxy-config.sh LISTEN SOCKET HOST:PORT [HOST:PORT ...]
# LISTEN is where webhooks arrive (e.g. 127.0.0.1:5005 or :443 behind TLS offload),
# SOCKET the admin socket's path, then one address per Rasa server (rasa1, rasa2, ...
# in that order: keep the order when you add one, consistent hashing keys on the names).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -lt 3 ]; then
  echo "usage: $0 LISTEN SOCKET HOST:PORT [HOST:PORT ...]" >&2; exit 2
fi
listen=$1 socket=$2; shift 2
servers="" i=0
for address in "$@"; do
  i=$((i + 1))
  servers+="    server rasa$i $address"$'\n'
done
template=$(<deploy/haproxy.cfg.in)
template=${template//@LISTEN@/$listen}
template=${template//@SOCKET@/$socket}
printf '%s\n' "${template//@SERVERS@/${servers%$'\n'}}"
