"""The shared store of the scale test's Python receivers: the library's RedisStore
(`hootsuite_events.redis`) when the installed package has it, otherwise a stand-in with the
same claim/complete/release semantics, so the harness runs while the real one is built; the
summary line says which one ran."""

from __future__ import annotations

import secrets
import types
from typing import Any, Optional, Tuple

NAMESPACE = "scale"
RETENTION_MS = 7 * 86_400_000

# KEYS[1] the unit; ARGV: token, lease ms. A done unit stays done; a live claim is in progress.
CLAIM = """
local v = redis.call('HMGET', KEYS[1], 'state', 'until')
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if v[1] == 'done' then return 'done' end
if v[1] == 'claimed' and tonumber(v[2]) > now then return 'in_progress' end
redis.call('HSET', KEYS[1], 'state', 'claimed', 'token', ARGV[1], 'until', now + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 60000)
return 'claimed'
"""
# Complete only our own live claim (a lost lease must not overwrite the new holder's).
COMPLETE = """
local v = redis.call('HMGET', KEYS[1], 'state', 'token', 'until')
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if v[1] ~= 'claimed' or v[2] ~= ARGV[1] or tonumber(v[3]) <= now then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done')
redis.call('HDEL', KEYS[1], 'token', 'until')
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""
RELEASE = """
local v = redis.call('HMGET', KEYS[1], 'state', 'token')
if v[1] ~= 'claimed' or v[2] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
"""


class StandInRedisStore:
    def __init__(self, client: Any, namespace: str) -> None:
        self._prefix = f"{namespace}:claim:"
        self._claim = client.register_script(CLAIM)
        self._complete = client.register_script(COMPLETE)
        self._release = client.register_script(RELEASE)

    def claim(self, key: str, lease_ms: int = 60_000, now_ms: Optional[int] = None) -> Any:
        token = secrets.token_hex(16)
        status = self._claim(keys=[self._prefix + key], args=[token, lease_ms]).decode()
        return types.SimpleNamespace(status=status, token=token if status == "claimed" else None)

    def complete(self, key: str, token: str, now_ms: Optional[int] = None) -> bool:
        return bool(self._complete(keys=[self._prefix + key], args=[token, RETENTION_MS]))

    def release(self, key: str, token: str) -> bool:
        return bool(self._release(keys=[self._prefix + key], args=[token]))


def store_for(client: Any) -> Tuple[Any, str]:
    """(store, 'library' | 'stand-in')."""
    try:
        from hootsuite_events.redis import RedisStore  # type: ignore[import-not-found]
    except ImportError:
        return StandInRedisStore(client, NAMESPACE), "stand-in"
    return RedisStore(client, namespace=NAMESPACE), "library"
