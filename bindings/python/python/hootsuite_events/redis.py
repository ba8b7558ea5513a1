"""Claim stores shared by several processes, on Redis: ``RedisStore`` (a ``redis.Redis``
client of redis-py, or ``redis.RedisCluster`` on a Redis Cluster) and ``AsyncRedisStore`` (a
``redis.asyncio.Redis`` or ``redis.asyncio.RedisCluster`` client).

The client is yours (connection, pool, TLS, password): the stores only run the three Lua
scripts of the Rust core's Redis protocol (``RedisProtocol``: the keys, values and replies are
defined there once, the same in Rust, Python and Node). This module does not import redis-py,
so it imports without it; the stores work with any client that has redis-py's
``register_script`` (``EVALSHA``; when the server lacks the script, ``SCRIPT LOAD`` and
``EVALSHA`` again: on a cluster, redis-py loads it on every primary).

Redis's own clock enforces the leases and the retention (``PX``): ``now_ms`` is accepted for
the ``Store`` protocol and unused.
"""

from __future__ import annotations

from ._native import DEFAULT_LEASE_MS, DEFAULT_NAMESPACE, DEFAULT_RETENTION_MS, RedisProtocol, new_claim_token

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from typing import Any, List, Optional, Tuple

    from .types import Claim

__all__ = ["RedisStore", "AsyncRedisStore", "RedisProtocol", "DEFAULT_NAMESPACE", "new_claim_token"]


class _Scripts:
    """The protocol and the client's script objects, one per script source."""

    def __init__(self, client: Any, namespace: str, retention_ms: int) -> None:
        if not callable(getattr(client, "register_script", None)):
            raise TypeError(
                f"client: expected a redis-py client (redis.Redis, redis.RedisCluster or their redis.asyncio versions) with register_script, got {type(client).__name__}"
            )
        self.client = client
        self.protocol = RedisProtocol(namespace, retention_ms)
        self.scripts: dict[str, Any] = {}

    def script(self, sha1: str, source: str) -> Any:
        s = self.scripts.get(sha1)
        if s is None:
            s = self.scripts[sha1] = self.client.register_script(source)
        return s


class RedisStore:
    """A ``Store`` on Redis for ``process`` (redis-py's synchronous ``redis.Redis`` or
    ``redis.RedisCluster``): claims are atomic, completion and release compare-and-set on the
    claim token, keys ``<namespace>:{<group>}<rest>`` (one hash slot per notification) kept
    ``retention_ms`` once completed; a notification takes two round trips (``claim_all``,
    ``settle``)."""

    def __init__(self, client: Any, *, namespace: str = DEFAULT_NAMESPACE, retention_ms: int = DEFAULT_RETENTION_MS) -> None:
        self._s = _Scripts(client, namespace, retention_ms)

    @property
    def namespace(self) -> str:
        return self._s.protocol.namespace

    def claim(self, key: str, lease_ms: int = DEFAULT_LEASE_MS, now_ms: Optional[int] = None) -> Claim:
        """``claimed`` (with a new token), ``done`` or ``in_progress``; ``now_ms`` is unused."""
        sha1, source, rkey, args, token = self._s.protocol.claim(key, lease_ms)
        reply = self._s.script(sha1, source)(keys=[rkey], args=args)
        return self._s.protocol.parse_claim(reply, token)

    def complete(self, key: str, token: str, now_ms: Optional[int] = None) -> bool:
        """Marks the claim done; False when ``token`` no longer holds the key (a lost lease)."""
        return self._flag(self._s.protocol.complete(key, token))

    def release(self, key: str, token: str) -> bool:
        """Deletes the claim so that the next delivery processes the key; False when lost."""
        return self._flag(self._s.protocol.release(key, token))

    def _flag(self, call: tuple[str, str, str, List[str]]) -> bool:
        sha1, source, rkey, args = call
        return self._s.protocol.parse_flag(self._s.script(sha1, source)(keys=[rkey], args=args))

    def claim_all(self, keys: List[str], lease_ms: int = DEFAULT_LEASE_MS, now_ms: Optional[int] = None) -> List[Claim]:
        """Claims the units of one notification in one script (one round trip)."""
        sha1, source, rkeys, args, token = self._s.protocol.claim_all(keys, lease_ms)
        replies = self._s.script(sha1, source)(keys=rkeys, args=args)
        return self._s.protocol.parse_claim_all(replies, len(keys), token)

    def settle(self, complete: List[Tuple[str, str]], release: List[Tuple[str, str]], now_ms: Optional[int] = None) -> List[bool]:
        """Completes ``complete``'s and releases ``release``'s ``(key, token)`` claims in one script."""
        if not complete and not release:
            return []
        sha1, source, rkeys, args = self._s.protocol.settle(complete, release)
        replies = self._s.script(sha1, source)(keys=rkeys, args=args)
        return self._s.protocol.parse_settle(replies, len(rkeys))

    def __repr__(self) -> str:
        return f"RedisStore(namespace={self.namespace!r})"


class AsyncRedisStore:
    """``RedisStore`` for ``process_async`` (redis-py's ``redis.asyncio.Redis`` or
    ``redis.asyncio.RedisCluster``): the same scripts, awaited."""

    def __init__(self, client: Any, *, namespace: str = DEFAULT_NAMESPACE, retention_ms: int = DEFAULT_RETENTION_MS) -> None:
        self._s = _Scripts(client, namespace, retention_ms)

    @property
    def namespace(self) -> str:
        return self._s.protocol.namespace

    async def claim(self, key: str, lease_ms: int = DEFAULT_LEASE_MS, now_ms: Optional[int] = None) -> Claim:
        """``claimed`` (with a new token), ``done`` or ``in_progress``; ``now_ms`` is unused."""
        sha1, source, rkey, args, token = self._s.protocol.claim(key, lease_ms)
        reply = await self._s.script(sha1, source)(keys=[rkey], args=args)
        return self._s.protocol.parse_claim(reply, token)

    async def complete(self, key: str, token: str, now_ms: Optional[int] = None) -> bool:
        """Marks the claim done; False when ``token`` no longer holds the key (a lost lease)."""
        return await self._flag(self._s.protocol.complete(key, token))

    async def release(self, key: str, token: str) -> bool:
        """Deletes the claim so that the next delivery processes the key; False when lost."""
        return await self._flag(self._s.protocol.release(key, token))

    async def _flag(self, call: tuple[str, str, str, List[str]]) -> bool:
        sha1, source, rkey, args = call
        return self._s.protocol.parse_flag(await self._s.script(sha1, source)(keys=[rkey], args=args))

    async def claim_all(self, keys: List[str], lease_ms: int = DEFAULT_LEASE_MS, now_ms: Optional[int] = None) -> List[Claim]:
        """Claims the units of one notification in one script (one round trip)."""
        sha1, source, rkeys, args, token = self._s.protocol.claim_all(keys, lease_ms)
        replies = await self._s.script(sha1, source)(keys=rkeys, args=args)
        return self._s.protocol.parse_claim_all(replies, len(keys), token)

    async def settle(self, complete: List[Tuple[str, str]], release: List[Tuple[str, str]], now_ms: Optional[int] = None) -> List[bool]:
        """Completes ``complete``'s and releases ``release``'s ``(key, token)`` claims in one script."""
        if not complete and not release:
            return []
        sha1, source, rkeys, args = self._s.protocol.settle(complete, release)
        replies = await self._s.script(sha1, source)(keys=rkeys, args=args)
        return self._s.protocol.parse_settle(replies, len(rkeys))

    def __repr__(self) -> str:
        return f"AsyncRedisStore(namespace={self.namespace!r})"
