"""Password hashing with argon2id, run in a worker thread so the event loop keeps serving.

Verifying against an unknown login still costs one full verification (against a dummy hash
made with the current parameters), so response times do not reveal which logins exist.
"""

from __future__ import annotations

import functools
import secrets

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile


async def hash_password(password: str) -> str:
    hasher = HASHER
    return await anyio.to_thread.run_sync(hasher.hash, password)


async def verify_password(stored: str | None, password: str) -> tuple[bool, bool]:
    """Check ``password`` against ``stored`` (``None`` for an unknown login).

    Returns:
        ``(matches, needs_rehash)``: ``needs_rehash`` is true when the hash was made with other
        parameters than :data:`HASHER`'s, so the caller should store a fresh one.
    """
    hasher = HASHER
    return await anyio.to_thread.run_sync(_verify, hasher, stored, password)


def _verify(hasher: PasswordHasher, stored: str | None, password: str) -> tuple[bool, bool]:
    try:
        hasher.verify(stored or _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return False, False
    if stored is None:
        return False, False
    return True, hasher.check_needs_rehash(stored)


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))
