"""Claim stores shared by several processes, on Redis: ``RedisStore`` (a ``redis.Redis``
client of redis-py, or ``redis.RedisCluster`` on a Redis Cluster) and ``AsyncRedisStore`` (a
``redis.asyncio.Redis`` or ``redis.asyncio.RedisCluster`` client).

The client is yours (connection, pool, TLS, password): the stores only send the commands and
Lua scripts of the Rust core's Redis protocol (``RedisProtocol``: the keys, values and replies
are defined there once, the same in Rust, Python and Node): a one-unit notification is claimed
with one ``SET … NX PX … GET`` (Redis 7.0 and later; an older server refuses it once, and the
store claims by script from then on), several units with the claim script. This module does not import redis-py,
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
        # Set once the server refused SET … NX … GET (before Redis 7.0): claim by script.
        self.claim_by_script = False

    def one_set(self, keys: List[str], lease_ms: int) -> Optional[tuple]:
        """The ``SET … NX PX … GET`` of a one-unit notification, or None to claim by script
        (several units: redis-py's pipeline costs more per command than the script per key)."""
        if len(keys) != 1 or self.claim_by_script:
            return None
        rkeys, value, lease, token = self.protocol.claim_set(keys, lease_ms)
        # get=True: redis-py hands back SET's reply as it is (nil or the value held), not a bool.
        return ("SET", rkeys[0], value, "NX", "PX", lease, "GET"), token

    def refused(self, e: Exception) -> bool:
        """Whether ``e`` is a server's refusal of NX with GET (before 7.0: nothing was set)."""
        if self.protocol.claim_set_unsupported(str(e)):
            self.claim_by_script = True
            return True
        return False

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
        """Claims the units of one notification in one round trip: one ``SET … NX PX … GET``
        for one unit (Redis 7.0 and later), the claim script for several."""
        one = self._s.one_set(keys, lease_ms)
        if one is not None:
            command, token = one
            try:
                reply = self._s.client.execute_command(*command, get=True)
            except Exception as e:
                if not self._s.refused(e):
                    raise
            else:
                return self._s.protocol.parse_claim_set([reply], 1, token)
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

    def _process(self, notification: Any, handler: Any, lease_ms: int) -> Any:
        """``process`` on this store when no telemetry watches the steps: the loop runs
        natively, sending what ``claim_all`` and ``settle`` send."""
        return self._s.protocol._process(self._s, notification, handler, lease_ms)

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
        """Claims the units of one notification in one round trip: one ``SET … NX PX … GET``
        for one unit (Redis 7.0 and later), the claim script for several."""
        one = self._s.one_set(keys, lease_ms)
        if one is not None:
            command, token = one
            try:
                reply = await self._s.client.execute_command(*command, get=True)
            except Exception as e:
                if not self._s.refused(e):
                    raise
            else:
                return self._s.protocol.parse_claim_set([reply], 1, token)
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
