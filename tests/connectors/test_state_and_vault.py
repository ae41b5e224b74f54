"""The state store (local SQLite and Redis) and the encrypted contact vault."""
import asyncio
import base64
import os

import pytest

from connectors.state import LocalState
from connectors.vault import ContactVault, VaultError


async def test_a_claim_is_won_exactly_once_under_concurrency(store):
    results = await asyncio.gather(*[store.claim("sid:SM1", 60) for _ in range(20)])
    assert results.count(True) == 1


async def test_values_expire_and_counters_add_up(store):
    await store.set("pages:x", "v", ttl_seconds=1)
    assert await store.get("pages:x") == "v"
    await asyncio.sleep(1.2)
    assert await store.get("pages:x") is None
    await store.incr("sms_segments:2026-01-01:2")
    await store.incr("sms_segments:2026-01-01:2")
    assert await store.counters("sms_segments:2026-01-01") == {"sms_segments:2026-01-01:2": 2}


async def test_local_state_survives_a_restart(tmp_path):
    first = LocalState(tmp_path / "s.sqlite3")
    await first.set("optout:p", "2026-01-01")
    await first.close()
    second = LocalState(tmp_path / "s.sqlite3")
    assert await second.get("optout:p") == "2026-01-01"
    await second.close()


async def test_vault_keeps_the_number_encrypted_and_bound_to_the_pseudonym(tmp_path):
    state = LocalState(tmp_path / "s.sqlite3")
    key = os.urandom(32)
    vault = ContactVault(key, state)
    await vault.store("alice", "+573001234567")
    assert await vault.get("alice") == "+573001234567"
    raw = await state.get("vault:alice")
    assert "3001234567" not in raw and "3001234567" not in base64.b64decode(raw[3:]).decode(
        "latin-1")
    await state.set("vault:bob", raw)  # copied under another pseudonym
    with pytest.raises(VaultError):
        await vault.get("bob")
    with pytest.raises(VaultError):
        await ContactVault(os.urandom(32), state).get("alice")
    await vault.delete("alice")
    assert await vault.get("alice") is None
    await state.close()


async def test_capped_counters_never_pass_their_cap_under_concurrency(store):
    caps = [("segs:p:2026-01-01", 5, 60), ("segs-total:2026-01-01", 8, 60)]
    results = await asyncio.gather(*[store.reserve(caps, 1) for _ in range(20)])
    assert results.count(-1) == 5 and set(results) == {-1, 0}
    assert await store.reserve([("segs:q:2026-01-01", 5, 60)] + caps[1:], 4) == 1  # total: 5+4 > 8
    assert await store.reserve(caps, 3, force=True) == -1  # an opt-out's confirmation
    assert await store.reserve([("segs:r", 0, 60)], 10**6) == -1  # 0: no cap


async def test_a_bumped_window_opens_with_its_first_message_and_expires(store):
    assert [await store.bump("rate:p", 1) for _ in range(3)] == [1, 2, 3]
    await asyncio.sleep(1.2)
    assert await store.bump("rate:p", 1) == 1
