"""The shared store of the scale test's receivers: the library's RedisStore, one namespace."""

from __future__ import annotations

import json
from typing import Any

NAMESPACE = "scale"


def store_for(client: Any) -> Any:
    from hootsuite_events.redis import RedisStore

    return RedisStore(client, namespace=NAMESPACE)


def protocol_json() -> str:
    """The core's three scripts, for the Node receivers while `hootsuite-events/redis` is not
    in the Node package (their stand-in runs these, so both languages speak one protocol)."""
    from hootsuite_events.redis import RedisProtocol

    p = RedisProtocol(NAMESPACE)
    claim, complete, release = p.claim("k", 1), p.complete("k", "t"), p.release("k", "t")
    # The layouts the stand-in relies on; a change in the core fails here, not silently.
    assert claim[2] == f"{NAMESPACE}:k" and claim[3] == [f"c:{claim[4]}", "1"], claim[2:]
    assert complete[3] == ["c:t", str(p.retention_ms)] and release[3] == ["c:t"], (complete[3], release[3])
    return json.dumps({"namespace": NAMESPACE, "retention_ms": p.retention_ms,
                       "claim": claim[1], "complete": complete[1], "release": release[1]})
