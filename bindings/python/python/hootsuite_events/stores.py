"""The store interfaces ``process`` and ``process_async`` use (``typing.Protocol``s).

``MemoryStore`` is the in-process one; a shared store (``hootsuite_events.redis``) implements
the same three operations with the same semantics: ``complete`` and ``release`` change a claim only when
``token`` is the one its ``claim`` returned, and return whether they did.

A store may also have ``claim_all(keys, lease_ms)`` (one ``Claim`` per key) and
``settle(complete, release)`` (lists of ``(key, token)``; one ``bool`` per claim, ``complete``'s
first): ``process`` then claims and settles a notification's units in one call each (one
round trip on Redis) instead of one call per unit.
"""

from __future__ import annotations

from typing import Awaitable, Optional, Protocol, runtime_checkable

from .types import Claim

__all__ = ["Store", "AsyncStore"]


@runtime_checkable
class Store(Protocol):
    """A claim store called synchronously (``MemoryStore`` is one)."""

    def claim(self, key: str, lease_ms: int = ..., now_ms: Optional[int] = None) -> Claim:
        """Claims ``key`` for ``lease_ms``: status ``claimed`` (with a token), ``done`` or ``in_progress``."""
        ...

    def complete(self, key: str, token: str, now_ms: Optional[int] = None) -> bool:
        """Marks the claimed key processed, kept for the store's retention."""
        ...

    def release(self, key: str, token: str) -> bool:
        """Gives a claim up after a failure, so that the next delivery processes the key."""
        ...


@runtime_checkable
class AsyncStore(Protocol):
    """A claim store whose operations are awaited (an asyncio Redis client, say)."""

    def claim(self, key: str, lease_ms: int = ..., now_ms: Optional[int] = None) -> Awaitable[Claim]: ...

    def complete(self, key: str, token: str, now_ms: Optional[int] = None) -> Awaitable[bool]: ...

    def release(self, key: str, token: str) -> Awaitable[bool]: ...
