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

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Protocol, Sequence, Tuple

# (key, cap, ttl_seconds): a counter that may not pass `cap` (0: no cap), expiring
# `ttl_seconds` after it was created.
Cap = Tuple[str, int, int]


class StateStore(Protocol):
    """What the channels need from a key-value store."""

    async def claim(self, key: str, ttl_seconds: int, value: str = "1") -> bool:
        """Set `key` only if absent; True for the one caller that set it."""

    async def renew(self, key: str, value: str, ttl_seconds: int) -> bool:
        """Give `key` `ttl_seconds` more only while it still holds `value` (a lease its
        holder keeps alive); False when it lapsed or someone else holds it."""

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

    async def bump(self, key: str, ttl_seconds: int) -> int:
        """Add 1 to an expiring counter and return it; its clock starts at the first bump
        (a window that opens with the first message, not on a calendar boundary)."""

    async def reserve(self, caps: Sequence[Cap], amount: int, force: bool = False) -> int:
        """Add `amount` to every capped counter unless one would pass its cap; -1 when
        added, else the index of the first cap that refused. Atomic, so concurrent
        webhooks on several servers cannot overshoot together. `force` adds anyway."""

    # Batches, one round trip each on Redis: the proactive endpoint sends hundreds of
    # reminders per request, and a round trip per key was most of its time.
    async def get_many(self, keys: Sequence[str]) -> List[Optional[str]]:
        """The values of `keys`, in order (None where absent or expired)."""

    async def claim_many(self, keys: Sequence[str], value: str,
                         ttl_seconds: int) -> List[Optional[str]]:
        """Set each absent key to `value`; per key None when this caller set it, else
        the value someone else holds."""

    async def renew_many(self, keys: Sequence[str], value: str, ttl_seconds: int) -> int:
        """`renew` for each key; how many were still held."""

    async def set_many(self, values: Dict[str, str], ttl_seconds: Optional[int] = None) -> None:
        """`set` for each key."""

    async def delete_many(self, keys: Sequence[str]) -> None:
        """`delete` for each key."""

    async def incr_many(self, amounts: Dict[str, int]) -> None:
        """`incr` for each counter."""

    async def reserve_many(self, requests: Sequence[Tuple[Sequence[Cap], int]]) -> List[int]:
        """`reserve` (not forced) for each (caps, amount), in order, each atomic."""

    async def append(self, key: str, values: Sequence[str], ttl_seconds: int) -> None:
        """Add `values` to the end of the list `key`, which expires `ttl_seconds` after
        this append."""

    async def append_many(self, lists: Dict[str, Sequence[str]], ttl_seconds: int) -> None:
        """`append` for each key."""

    async def take(self, key: str) -> List[str]:
        """The whole list `key`, removed at once (no other caller gets it)."""

    async def close(self) -> None:
        """Release connections."""


class LocalState:
    """SQLite-backed store for a single Rasa server (the default)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._swept = 0.0
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

    async def claim(self, key: str, ttl_seconds: int, value: str = "1") -> bool:
        now = time.time()
        with self._lock:
            self._purge(key, now)
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO kv (key, value, expires_at) VALUES (?, ?, ?)",
                (key, value, now + ttl_seconds))
            return cursor.rowcount == 1

    async def renew(self, key: str, value: str, ttl_seconds: int) -> bool:
        now = time.time()
        with self._lock:
            cursor = self._db.execute(
                "UPDATE kv SET expires_at = ? WHERE key = ? AND value = ?"
                " AND (expires_at IS NULL OR expires_at > ?)", (now + ttl_seconds, key, value, now))
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

    def _add(self, key: str, amount: int, ttl_seconds: int, now: float) -> int:
        """Expiring counters live in `kv` (they must expire); call under the lock."""
        if now - self._swept > 60:  # expired rows naming a pseudonym go, read or not
            self._db.execute("DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?",
                             (now,))
            self._swept = now
        self._purge(key, now)
        row = self._db.execute("SELECT value, expires_at FROM kv WHERE key = ?", (key,)).fetchone()
        value = (int(row[0]) if row else 0) + amount
        expires = row[1] if row else now + ttl_seconds
        self._db.execute("INSERT OR REPLACE INTO kv (key, value, expires_at) VALUES (?, ?, ?)",
                         (key, str(value), expires))
        return value

    def _value(self, key: str, now: float) -> int:
        row = self._db.execute(
            "SELECT value FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)",
            (key, now)).fetchone()
        return int(row[0]) if row else 0

    async def bump(self, key: str, ttl_seconds: int) -> int:
        with self._lock:
            return self._add(key, 1, ttl_seconds, time.time())

    async def reserve(self, caps: Sequence[Cap], amount: int, force: bool = False) -> int:
        now = time.time()
        with self._lock:
            if not force:
                for index, (key, cap, _) in enumerate(caps):
                    if cap > 0 and self._value(key, now) + amount > cap:
                        return index
            for key, _, ttl_seconds in caps:
                self._add(key, amount, ttl_seconds, now)
        return -1

    async def get_many(self, keys: Sequence[str]) -> List[Optional[str]]:
        return [await self.get(key) for key in keys]

    async def claim_many(self, keys: Sequence[str], value: str,
                         ttl_seconds: int) -> List[Optional[str]]:
        held: List[Optional[str]] = []
        for key in keys:
            held.append(None if await self.claim(key, ttl_seconds, value)
                        else (await self.get(key) or ""))
        return held

    async def renew_many(self, keys: Sequence[str], value: str, ttl_seconds: int) -> int:
        return sum([await self.renew(key, value, ttl_seconds) for key in keys])

    async def set_many(self, values: Dict[str, str], ttl_seconds: Optional[int] = None) -> None:
        for key, value in values.items():
            await self.set(key, value, ttl_seconds)

    async def delete_many(self, keys: Sequence[str]) -> None:
        for key in keys:
            await self.delete(key)

    async def incr_many(self, amounts: Dict[str, int]) -> None:
        for key, amount in amounts.items():
            await self.incr(key, amount)

    async def reserve_many(self, requests: Sequence[Tuple[Sequence[Cap], int]]) -> List[int]:
        return [await self.reserve(caps, amount) for caps, amount in requests]

    async def append(self, key: str, values: Sequence[str], ttl_seconds: int) -> None:
        now = time.time()
        with self._lock:
            self._purge(key, now)
            row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
            items = (json.loads(row[0]) if row else []) + list(values)
            self._db.execute("INSERT OR REPLACE INTO kv (key, value, expires_at) VALUES (?, ?, ?)",
                             (key, json.dumps(items), now + ttl_seconds))

    async def append_many(self, lists: Dict[str, Sequence[str]], ttl_seconds: int) -> None:
        for key, values in lists.items():
            await self.append(key, values, ttl_seconds)

    async def take(self, key: str) -> List[str]:
        now = time.time()
        with self._lock:
            self._purge(key, now)
            row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
            self._db.execute("DELETE FROM kv WHERE key = ?", (key,))
        return list(json.loads(row[0])) if row else []

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
        self._bump = self._redis.register_script(_BUMP)
        self._reserve = self._redis.register_script(_RESERVE)
        self._renew = self._redis.register_script(_RENEW)
        self._claim_many = self._redis.register_script(_CLAIM_MANY)
        self._renew_many = self._redis.register_script(_RENEW_MANY)

    async def claim(self, key: str, ttl_seconds: int, value: str = "1") -> bool:
        return bool(await self._redis.set(self._ns + key, value, nx=True, ex=ttl_seconds))

    async def renew(self, key: str, value: str, ttl_seconds: int) -> bool:
        return bool(await self._renew(keys=[self._ns + key], args=[value, ttl_seconds]))

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

    async def bump(self, key: str, ttl_seconds: int) -> int:
        return int(await self._bump(keys=[self._ns + key], args=[ttl_seconds]))

    async def reserve(self, caps: Sequence[Cap], amount: int, force: bool = False) -> int:
        keys = [self._ns + key for key, _, _ in caps]
        args = [amount, int(force)] + [n for _, cap, ttl in caps for n in (cap, ttl)]
        return int(await self._reserve(keys=keys, args=args))

    async def get_many(self, keys: Sequence[str]) -> List[Optional[str]]:
        if not keys:
            return []
        return list(await self._redis.mget([self._ns + key for key in keys]))

    async def claim_many(self, keys: Sequence[str], value: str,
                         ttl_seconds: int) -> List[Optional[str]]:
        if not keys:
            return []
        held = await self._claim_many(keys=[self._ns + key for key in keys],
                                      args=[value, ttl_seconds])
        return [None if h == 0 else h for h in held]

    async def renew_many(self, keys: Sequence[str], value: str, ttl_seconds: int) -> int:
        if not keys:
            return 0
        return int(await self._renew_many(keys=[self._ns + key for key in keys],
                                          args=[value, ttl_seconds]))

    async def set_many(self, values: Dict[str, str], ttl_seconds: Optional[int] = None) -> None:
        if not values:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, value in values.items():
                pipe.set(self._ns + key, value, ex=ttl_seconds)
            await pipe.execute()

    async def delete_many(self, keys: Sequence[str]) -> None:
        if keys:
            await self._redis.delete(*[self._ns + key for key in keys])

    async def incr_many(self, amounts: Dict[str, int]) -> None:
        if not amounts:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, amount in amounts.items():
                pipe.incrby(self._ns + "counter:" + key, amount)
            await pipe.execute()

    async def reserve_many(self, requests: Sequence[Tuple[Sequence[Cap], int]]) -> List[int]:
        if not requests:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for caps, amount in requests:
                keys = [self._ns + key for key, _, _ in caps]
                args = [amount, 0] + [n for _, cap, ttl in caps for n in (cap, ttl)]
                await self._reserve(keys=keys, args=args, client=pipe)
            return [int(r) for r in await pipe.execute()]

    async def append(self, key: str, values: Sequence[str], ttl_seconds: int) -> None:
        await self.append_many({key: values}, ttl_seconds)

    async def append_many(self, lists: Dict[str, Sequence[str]], ttl_seconds: int) -> None:
        if not lists:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, values in lists.items():
                if values:
                    pipe.rpush(self._ns + key, *values)
                    pipe.expire(self._ns + key, ttl_seconds)
            await pipe.execute()

    async def take(self, key: str) -> List[str]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lrange(self._ns + key, 0, -1)
            pipe.delete(self._ns + key)
            values, _ = await pipe.execute()
        return list(values)

    async def close(self) -> None:
        await self._redis.close()


# INCR KEYS[1]; a new key expires in ARGV[1] seconds.
_BUMP = """
local value = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return value
"""
# EXPIRE KEYS[1] ARGV[2] only while it holds ARGV[1]: 1 when renewed.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# SET NX each of KEYS to ARGV[1] for ARGV[2] seconds: per key 0 when set here, else
# the value held (a Lua nil would cut the array short).
_CLAIM_MANY = """
local held = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'EX', ARGV[2]) then held[i] = 0
  else held[i] = redis.call('GET', key) end
end
return held
"""
# _RENEW for each of KEYS: how many were still held.
_RENEW_MANY = """
local renewed = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('EXPIRE', key, ARGV[2])
    renewed = renewed + 1
  end
end
return renewed
"""
# ARGV: amount, force (0/1), then cap and ttl for each key. Returns -1 when added, else
# the 0-based index of the first key whose cap would be passed.
_RESERVE = """
local amount = tonumber(ARGV[1])
if ARGV[2] ~= '1' then
  for i, key in ipairs(KEYS) do
    local cap = tonumber(ARGV[1 + 2 * i])
    if cap > 0 and tonumber(redis.call('GET', key) or '0') + amount > cap then return i - 1 end
  end
end
for i, key in ipairs(KEYS) do
  redis.call('INCRBY', key, amount)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[2 + 2 * i]) end
end
return -1
"""


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def open_state(redis_url: Optional[str], path: Path,
               namespace: str = "puente:connector:") -> StateStore:
    """Redis when a URL is configured, the local SQLite file otherwise."""
    if redis_url:
        return RedisState(redis_url, namespace)
    return LocalState(path)
