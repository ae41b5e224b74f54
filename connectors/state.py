"""The connectors' small shared state: dedupe claims, opt-outs, pages, counters.

One interface, two backends:
- `RedisState` when `REDIS_URL` is set: claims are `SET NX EX`, atomic across any
  number of Rasa servers (needed as soon as more than one runs).
- `LocalState` otherwise: one SQLite file under `.cache/`. A claim is an
  `INSERT` on a primary key, atomic too, and everything (opt-outs above all)
  survives a restart. SQLite calls are synchronous but take well under a
  millisecond on a local file in WAL mode, so they run on the event loop.

Keys never contain a phone number: callers pass pseudonyms or anonymous names.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Dict, Optional, Protocol


class StateStore(Protocol):
    """What the channels need from a key-value store."""

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        """Set `key` only if absent; True for the one caller that set it."""

    async def get(self, key: str) -> Optional[str]:
        """The value of `key`, or None when absent or expired."""

    async def set(self, key: str, value: str, ttl_seconds: Optional[int] = None) -> None:
        """Store `value`, forever or for `ttl_seconds`."""

    async def delete(self, key: str) -> None:
        """Forget `key` (absent is fine)."""

    async def incr(self, key: str, amount: int = 1) -> int:
        """Add to a counter (created at 0) and return the new value."""

    async def counters(self, prefix: str) -> Dict[str, int]:
        """Every counter whose key starts with `prefix` (for statistics and tests)."""

    async def close(self) -> None:
        """Release connections."""


class LocalState:
    """SQLite-backed store for a single Rasa server (the default)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL,"
            " expires_at REAL)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")

    def _purge(self, key: str, now: float) -> None:
        self._db.execute("DELETE FROM kv WHERE key = ? AND expires_at IS NOT NULL"
                         " AND expires_at <= ?", (key, now))

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        now = time.time()
        with self._lock:
            self._purge(key, now)
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO kv (key, value, expires_at) VALUES (?, '1', ?)",
                (key, now + ttl_seconds))
            return cursor.rowcount == 1

    async def get(self, key: str) -> Optional[str]:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)",
                (key, time.time())).fetchone()
        return row[0] if row else None

    async def set(self, key: str, value: str, ttl_seconds: Optional[int] = None) -> None:
        expires = time.time() + ttl_seconds if ttl_seconds else None
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO kv (key, value, expires_at) VALUES (?, ?, ?)",
                             (key, value, expires))

    async def delete(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM kv WHERE key = ?", (key,))

    async def incr(self, key: str, amount: int = 1) -> int:
        with self._lock:
            self._db.execute(
                "INSERT INTO counter (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = value + excluded.value", (key, amount))
            return self._db.execute("SELECT value FROM counter WHERE key = ?",
                                    (key,)).fetchone()[0]

    async def counters(self, prefix: str) -> Dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM counter WHERE key LIKE ? ESCAPE '\\'",
                                    (_like_prefix(prefix),)).fetchall()
        return dict(rows)

    async def close(self) -> None:
        with self._lock:
            self._db.close()


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class RedisState:
    """Redis-backed store, shared by every Rasa server (`REDIS_URL`)."""

    def __init__(self, url: str, namespace: str = "puente:connector:") -> None:
        import redis.asyncio as redis_asyncio

        self._redis = redis_asyncio.from_url(url, decode_responses=True)
        self._ns = namespace

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        return bool(await self._redis.set(self._ns + key, "1", nx=True, ex=ttl_seconds))

    async def get(self, key: str) -> Optional[str]:
        return await self._redis.get(self._ns + key)

    async def set(self, key: str, value: str, ttl_seconds: Optional[int] = None) -> None:
        await self._redis.set(self._ns + key, value, ex=ttl_seconds)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._ns + key)

    async def incr(self, key: str, amount: int = 1) -> int:
        return int(await self._redis.incrby(self._ns + "counter:" + key, amount))

    async def counters(self, prefix: str) -> Dict[str, int]:
        found: Dict[str, int] = {}
        head = self._ns + "counter:"
        async for full in self._redis.scan_iter(match=head + _glob_escape(prefix) + "*"):
            value = await self._redis.get(full)
            if value is not None:
                found[full[len(head):]] = int(value)
        return found

    async def close(self) -> None:
        await self._redis.close()


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def open_state(redis_url: Optional[str], path: Path) -> StateStore:
    """Redis when a URL is configured, the local SQLite file otherwise."""
    if redis_url:
        return RedisState(redis_url)
    return LocalState(path)
