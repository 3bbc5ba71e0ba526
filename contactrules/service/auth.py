"""Who is calling: API keys, stored only as hashes, each selecting one tenant.

A key is 32 random bytes (``crk_`` and 43 URL-safe characters), sent as
``Authorization: Bearer crk_…``. The config file holds only its SHA-256 (``sha256:…``): a leaked
config file, log or backup gives nobody a key. A fast hash is right here, unlike for passwords:
a key has 256 bits of entropy, so it cannot be guessed from its hash by trying likely keys, and a
slow hash (bcrypt, argon2) would cost milliseconds on every request.

Every failure (no header, another scheme, an unknown key) gets the same 401 answer, so a caller
learns nothing about which keys or tenants exist.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping

__all__ = ["KEY_PREFIX", "KeyTable", "hash_key", "new_key"]

KEY_PREFIX = "crk_"
#: Longer headers are refused before hashing (a key is 47 characters).
MAX_HEADER = 512


def new_key() -> str:
    """A new random API key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """The stored form of a key: ``sha256:`` and the hex digest of its UTF-8 text."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyTable:
    """Key hashes → tenant ids; :meth:`tenant_for` reads an ``Authorization`` header."""

    def __init__(self, tenants: Mapping[str, Iterable[str]]) -> None:
        self._by_hash = {h: tenant for tenant, hashes in tenants.items() for h in hashes}

    def tenant_for(self, authorization: str | None) -> str | None:
        """The tenant whose key the header carries, or None (missing, malformed or unknown)."""
        if not authorization or len(authorization) > MAX_HEADER:
            return None
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        return self._by_hash.get(hash_key(token))
