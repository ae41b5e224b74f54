"""The encrypted contact vault: the only place a phone number is kept.

Only for people who opted in to proactive messages (reminders): `store` on opt-in,
`get` when a proactive message is sent, `delete` on opt-out or `delete_my_data`.
AES-256-GCM with `VAULT_KEY`; the pseudonym is the associated data, so a ciphertext
copied under another pseudonym fails to decrypt instead of reaching the wrong person.
"""
from __future__ import annotations

import base64
import os
from typing import Optional

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .state import StateStore

_PREFIX = "vault:"
_VERSION = "v1"


class VaultError(RuntimeError):
    """A vault entry exists but cannot be decrypted (wrong key or tampered)."""


class ContactVault:
    """Addresses by pseudonym, encrypted at rest in the connectors' state store."""

    def __init__(self, key: bytes, store: StateStore) -> None:
        if len(key) != 32:
            raise ValueError("the vault key must be 32 bytes (VAULT_KEY, base64)")
        self._aead = AESGCM(key)
        self._store = store

    async def store(self, pseudonym: str, address: str) -> None:
        """Keep `address` for `pseudonym` (replacing any previous one)."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, address.encode(), pseudonym.encode())
        token = base64.b64encode(nonce + sealed).decode()
        await self._store.set(_PREFIX + pseudonym, f"{_VERSION}:{token}")

    async def get(self, pseudonym: str) -> Optional[str]:
        """The address of `pseudonym`, or None when they never opted in (or were deleted)."""
        return self.open(pseudonym, await self._store.get(_PREFIX + pseudonym))

    @staticmethod
    def key(pseudonym: str) -> str:
        """The store key of `pseudonym`'s entry, for reading many in one round trip."""
        return _PREFIX + pseudonym

    def open(self, pseudonym: str, value: Optional[str]) -> Optional[str]:
        """The address in a stored entry of `pseudonym` (None for no entry)."""
        if value is None:
            return None
        version, _, token = value.partition(":")
        if version != _VERSION:
            raise VaultError(f"unknown vault entry version {version!r}")
        raw = base64.b64decode(token)
        try:
            return self._aead.decrypt(raw[:12], raw[12:], pseudonym.encode()).decode()
        except InvalidTag as error:
            raise VaultError("vault entry cannot be decrypted: wrong VAULT_KEY or tampered "
                             "entry") from error

    async def delete(self, pseudonym: str) -> None:
        """Forget the address of `pseudonym` (nothing to forget is fine)."""
        await self._store.delete(_PREFIX + pseudonym)
