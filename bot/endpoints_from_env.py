"""Print endpoints.yml with Redis tracker and lock stores taken from REDIS_URL.

Rasa's Redis stores want host, port, db and password rather than a URL, and the
tracker's expiry in seconds: this turns DESIGN's `REDIS_URL` and
`TRACKER_TTL_DAYS` into that shape.
"""
from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

import yaml


def redis_stores(redis_url: str, ttl_days: int) -> dict:
    url = urlparse(redis_url)
    common = {
        "type": "redis",
        "url": url.hostname or "127.0.0.1",
        "port": url.port or 6379,
        "db": int((url.path or "/0").lstrip("/") or 0),
    }
    if url.password:
        common["password"] = url.password
    if url.scheme == "rediss":
        common["use_ssl"] = True
    return {
        # Append-only conversations, held between messages: bot/tracker_store.py.
        "tracker_store": {**common, "type": "bot.tracker_store.PuenteRedisTrackerStore",
                          "record_exp": ttl_days * 86400, "key_prefix": "puente"},
        "lock_store": {**common, "key_prefix": "puente"},
    }


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        endpoints = yaml.safe_load(handle) or {}
    endpoints.update(
        redis_stores(os.environ["REDIS_URL"], int(os.environ.get("TRACKER_TTL_DAYS", "30")))
    )
    if os.environ.get("PUENTE_STATS_EVENTS", "1") == "0":
        # no anonymous statistics from this server (benchmarks/stats_recording.py
        # measures what recording costs the replies)
        endpoints.pop("event_broker", None)
    yaml.safe_dump(endpoints, sys.stdout, sort_keys=False)


if __name__ == "__main__":
    main(sys.argv[1])
