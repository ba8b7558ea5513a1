"""One conformance suite for the claim stores, run on ``MemoryStore`` and on the Redis stores
(sync and asyncio) against a redis-server of the suite's own on a free loopback port, and
against a Redis Cluster of three primaries of its own (redis-py's ``RedisCluster`` clients)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Iterator

import pytest

import hootsuite_events as he

# redis-py is in test-requirements.txt: a missing one fails the suite rather than skipping it.
import redis
import redis.asyncio

import hootsuite_events.redis
from hootsuite_events.redis import AsyncRedisStore, RedisProtocol, RedisStore


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """redis-server (no persistence, a scratch dir) on a free loopback port, stopped after."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed: run `make redis` (Debian's redis-server package)"
    port = _free_port()
    with tempfile.TemporaryDirectory() as d:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", d],
            stdout=subprocess.DEVNULL,
        )
        try:
            client = redis.Redis(port=port, socket_timeout=5)
            deadline = time.monotonic() + 20
            while True:
                try:
                    client.ping()
                    break
                except redis.exceptions.ConnectionError:
                    assert time.monotonic() < deadline, "redis-server did not answer within 20 s"
                    time.sleep(0.02)
            client.close()
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _free_ports(n: int) -> list[int]:
    """``n`` distinct free loopback ports (held together while picked, so none repeats)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def _wait(what: str, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            if ready():
                return
        except redis.exceptions.ConnectionError:
            pass
        assert time.monotonic() < deadline, f"{what} within 20 s"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def redis_cluster() -> Iterator[list[int]]:
    """A Redis Cluster of three primaries (no replicas) on loopback: three redis-servers in
    cluster mode, each in a scratch dir, joined by ``redis-cli --cluster create``; its ports,
    every slot served. Stopped after."""
    binary, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    assert binary and cli, "redis-server is not installed: run `make redis` (Debian's redis-server package)"
    # Bus ports picked too: the default, port + 10000, overflows for high ephemeral ports.
    picked = _free_ports(6)
    ports, bus_ports = picked[:3], picked[3:]
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as root:
        try:
            for port, bus in zip(ports, bus_ports):
                d = f"{root}/{port}"
                os.mkdir(d)
                procs.append(
                    subprocess.Popen(
                        [binary, "--port", str(port), "--cluster-port", str(bus), "--bind", "127.0.0.1", "--save", "",
                         "--appendonly", "no", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--dir", d],
                        stdout=subprocess.DEVNULL,
                    )
                )
            nodes = [redis.Redis(port=port, socket_timeout=5) for port in ports]
            for port, node in zip(ports, nodes):
                _wait(f"redis-server did not answer on port {port}", node.ping)
            subprocess.run(
                [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports), "--cluster-replicas", "0", "--cluster-yes"],
                check=True, stdout=subprocess.DEVNULL, timeout=60,
            )
            for port, node in zip(ports, nodes):
                _wait(f"the node on port {port} did not see every slot served", lambda: node.cluster("INFO")["cluster_state"] == "ok")
                node.close()
            yield ports
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=10)


# Each factory gives a store on a namespace: a new client per store, as separate processes have.
def _memory_factory() -> Callable[[str], Any]:
    spaces: dict[str, Any] = {}
    return lambda ns: spaces.setdefault(ns, he.MemoryStore())


def _token(claim: Any) -> str:
    assert claim.status == "claimed", claim
    return str(claim.token)


def _claim_after_expiry(store: Any, key: str) -> str:
    """Claims ``key`` until it is ours (the lease expired), at most 10 s."""
    deadline = time.monotonic() + 10
    while True:
        c = store.claim(key, 60_000)
        if c.status == "claimed":
            return str(c.token)
        assert c.status == "in_progress", c
        assert time.monotonic() < deadline, "the lease did not expire within 10 s"
        time.sleep(0.01)


def _conformance(make: Callable[[str], Any]) -> None:
    # Concurrent claims: exactly one of 8 threads (each with its own store) gets the key.
    stores = [make("concurrent") for _ in range(8)]
    barrier = threading.Barrier(8)
    results: list[str] = []

    def claim(s: Any) -> None:
        barrier.wait(timeout=10)
        results.append(s.claim("k", 60_000).status)

    threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(results) == ["claimed"] + ["in_progress"] * 7

    s = make("cases")
    t = _token(s.claim("held", 60_000))
    assert s.claim("held", 60_000).status == "in_progress"
    # Release on failure: the next claim is ours; the old token releases nothing.
    assert s.release("held", t) is True
    assert s.release("held", t) is False
    t2 = _token(s.claim("held", 60_000))
    assert s.complete("held", t2) is True
    # Done stays done for the retention.
    assert s.claim("held", 60_000).status == "done"
    assert s.complete("held", t2) is False
    assert s.claim("held").status == "done"
    # Lease expiry: another claimant takes over; the old claimant completes nothing.
    old = _token(s.claim("lease", 100))
    new = _claim_after_expiry(s, "lease")
    assert new != old
    assert s.complete("lease", old) is False
    assert s.release("lease", old) is False
    assert s.claim("lease", 60_000).status == "in_progress"
    assert s.complete("lease", new) is True
    assert s.claim("lease", 60_000).status == "done"
    # A lease that ran out with no claim since: the late completion records the key as done.
    late = _token(s.claim("late", 50))
    time.sleep(0.12)
    assert s.complete("late", late) is True
    assert s.claim("late", 60_000).status == "done"
    # A wrong token never completes.
    _token(s.claim("wrong", 60_000))
    assert s.complete("wrong", "not-the-token") is False
    assert s.claim("wrong", 60_000).status == "in_progress"
    # Namespaces isolate.
    assert make("other").claim("held", 60_000).status == "claimed"
    # process end to end.
    body = json.dumps({"message": {"instanceId": 3, "raw": [{"seq_no": "1", "type": "t"}, {"seq_no": "2", "type": "t"}]}}).encode()
    n = he.parse_event_notification(body)
    p = make("process")

    def fail_second(w: Any) -> None:
        if w.unit.key == "hs:3:2":
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        he.process(p, n, fail_second)
    seen: list[str] = []
    outcome = he.process(p, n, lambda w: seen.append(w.unit.key))
    assert (outcome.status, outcome.processed, outcome.skipped, seen) == (200, 1, 1, ["hs:3:2"])
    again = he.process(p, n, lambda w: None)
    assert (again.status, again.processed, again.skipped) == (200, 0, 2)


def test_memory_store_conforms() -> None:
    _conformance(_memory_factory())


def test_redis_store_conforms(redis_url: str) -> None:
    clients: list[Any] = []

    def make(ns: str) -> RedisStore:
        clients.append(redis.Redis.from_url(redis_url, socket_timeout=5))
        return RedisStore(clients[-1], namespace=f"py-{ns}", retention_ms=60_000)

    try:
        _conformance(make)
    finally:
        for c in clients:
            c.close()


async def _async_conformance(client: Callable[[], Any]) -> None:
    """The asyncio store's cases, on 9 clients of one Redis (a server or a cluster)."""
    clients = [client() for _ in range(9)]
    try:
        stores = [AsyncRedisStore(c, namespace="pya-concurrent") for c in clients[:8]]
        claims = await asyncio.gather(*(s.claim("k", 60_000) for s in stores))
        assert sorted(c.status for c in claims) == ["claimed"] + ["in_progress"] * 7
        s = AsyncRedisStore(clients[8], namespace="pya-cases", retention_ms=60_000)
        t = _token(await s.claim("held", 60_000))
        assert (await s.claim("held")).status == "in_progress"
        assert await s.release("held", t) is True
        t2 = _token(await s.claim("held"))
        assert await s.complete("held", "not-the-token") is False
        assert await s.complete("held", t2) is True
        assert (await s.claim("held")).status == "done"
        old = _token(await s.claim("lease", 100))
        deadline = time.monotonic() + 10
        while (c := await s.claim("lease", 60_000)).status != "claimed":
            assert c.status == "in_progress" and time.monotonic() < deadline, c
            await asyncio.sleep(0.01)
        assert await s.complete("lease", old) is False
        assert await s.complete("lease", str(c.token)) is True
        late = _token(await s.claim("late", 50))
        await asyncio.sleep(0.12)
        assert await s.complete("late", late) is True
        assert (await s.claim("late", 60_000)).status == "done"
        body = json.dumps({"message": {"instanceId": 4, "raw": [{"seq_no": "1", "type": "t"}]}}).encode()
        n = he.parse_event_notification(body)

        async def handler(w: Any) -> None:
            await asyncio.sleep(0)

        first = await he.process_async(s, n, handler)
        second = await he.process_async(s, n, handler)
        assert (first.processed, second.skipped, second.status) == (1, 1, 200)
    finally:
        for c in clients:
            await c.aclose()


def test_async_redis_store_conforms(redis_url: str) -> None:
    asyncio.run(_async_conformance(lambda: redis.asyncio.Redis.from_url(redis_url, socket_timeout=5)))


def test_keys_values_and_expiry_are_the_cores(redis_url: str) -> None:
    c = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        s = RedisStore(c, namespace="py-ns", retention_ms=5_000)
        t = _token(s.claim("hs:1:7", 60_000))
        assert c.get("py-ns:{hs:1}:7") == f"c:{t}".encode()
        assert 0 < c.pttl("py-ns:{hs:1}:7") <= 60_000
        assert s.complete("hs:1:7", t) is True
        assert c.get("py-ns:{hs:1}:7") == b"d"
        assert 0 < c.pttl("py-ns:{hs:1}:7") <= 5_000
        # A flushed script cache: the client falls back to EVAL / SCRIPT LOAD.
        c.script_flush()
        assert s.claim("after-flush").status == "claimed"
        # decode_responses clients give str replies: parsed the same.
        d = redis.Redis.from_url(redis_url, socket_timeout=5, decode_responses=True)
        assert RedisStore(d, namespace="py-str").claim("k").status == "claimed"
        d.close()
        # The default namespace and retention.
        default = RedisStore(c)
        assert isinstance(default, he.Store) and isinstance(AsyncRedisStore(c), he.AsyncStore)
        assert default.namespace == he.redis.DEFAULT_NAMESPACE == "hootsuite-events"
        t = _token(default.claim("k"))
        assert default.complete("k", t) is True
        assert c.pttl("hootsuite-events:{k}") > 6 * 24 * 3600 * 1000
        # A key of another type: the script's error is redis-py's.
        c.lpush("py-ns:{list}", "x")
        with pytest.raises(redis.exceptions.ResponseError, match="WRONGTYPE"):
            s.complete("list", "tok")
    finally:
        c.close()


def _evalsha_calls(c: Any) -> int:
    return int(c.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))


def test_a_notification_is_two_round_trips_whatever_its_units(redis_url: str) -> None:
    """One claim_all script and one settle script per notification (Redis counts them)."""
    c = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        s = RedisStore(c, namespace="py-rt", retention_ms=60_000)
        raw = [{"seq_no": str(i), "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT"}} for i in range(5)]
        n = he.parse_event_notification(json.dumps({"message": {"instanceId": 9, "raw": raw}}).encode())
        # Both scripts loaded on the server first: EVALSHA from here on.
        warm = s.claim_all(["hs:9:warm", "hs:9:warm2"])
        s.settle([("hs:9:warm", str(warm[0].token)), ("hs:9:warm2", str(warm[1].token))], [])
        before = _evalsha_calls(c)
        o = he.process(s, n, lambda w: None)
        assert (o.processed, _evalsha_calls(c) - before) == (5, 2)
        assert c.get("py-rt:{hs:9}:4") == b"d"
        before = _evalsha_calls(c)
        again = he.process(s, n, lambda w: None)
        # Every unit done: the claim says so, and there is nothing to settle.
        assert (again.skipped, _evalsha_calls(c) - before) == (5, 1)

        async def main() -> None:
            a = redis.asyncio.Redis.from_url(redis_url, socket_timeout=5)
            try:
                store = AsyncRedisStore(a, namespace="py-rt-async")
                before = _evalsha_calls(c)
                o = await he.process_async(store, n, lambda w: None)
                assert (o.processed, _evalsha_calls(c) - before) == (5, 2)
            finally:
                await a.aclose()

        asyncio.run(main())
    finally:
        c.close()


def _set_calls(c: Any) -> int:
    return int(c.info("commandstats").get("cmdstat_set", {}).get("calls", 0))


def test_a_one_unit_notification_is_claimed_by_one_set_nx_get(redis_url: str) -> None:
    """One unit: one ``SET … NX PX … GET`` (no script), the same answers and values."""
    c = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        s = RedisStore(c, namespace="py-one", retention_ms=60_000)
        before = (_evalsha_calls(c), _set_calls(c))
        first = s.claim_all(["hs:1:1"])
        assert (_evalsha_calls(c) - before[0], _set_calls(c) - before[1]) == (0, 1)
        t = _token(first[0])
        assert c.get("py-one:{hs:1}:1") == f"c:{t}".encode()
        assert 0 < c.pttl("py-one:{hs:1}:1") <= he.DEFAULT_LEASE_MS
        assert s.claim_all(["hs:1:1"])[0].status == "in_progress"
        assert s.settle([("hs:1:1", t)], []) == [True]
        assert s.claim_all(["hs:1:1"])[0].status == "done"

        async def main() -> None:
            a = redis.asyncio.Redis.from_url(redis_url, socket_timeout=5)
            try:
                store = AsyncRedisStore(a, namespace="py-one")
                assert (await store.claim_all(["hs:1:1"]))[0].status == "done"
                assert (await store.claim_all(["hs:1:2"]))[0].status == "claimed"
            finally:
                await a.aclose()

        asyncio.run(main())
    finally:
        c.close()


class _PythonLoop:
    """A ``RedisStore`` behind a Python object: ``process`` takes its Python loop, not the
    native one that it takes on a ``RedisStore``."""

    def __init__(self, inner: RedisStore) -> None:
        self.claim_all = inner.claim_all
        self.settle = inner.settle
        self.claim = inner.claim
        self.complete = inner.complete
        self.release = inner.release


def test_the_native_loop_and_the_python_loop_give_the_same_outcomes_and_values(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``process`` on a ``RedisStore`` runs its loop natively (the calls built and the replies
    read in Rust); through any other object in Python: the same handlers called, outcomes,
    errors and stored values, for one unit (``SET … NX GET``) and several (the scripts)."""
    c = redis.Redis.from_url(redis_url, socket_timeout=5)

    def delivery(raw: list[Any]) -> he.Notification:
        return he.parse_event_notification(json.dumps({"message": {"instanceId": 7, "raw": raw}}).encode())

    def batch(*seq: int) -> he.Notification:
        return delivery([{"seq_no": str(s), "type": "t"} for s in seq])

    def run(store: Any) -> list[Any]:
        seen: list[Any] = []

        def handle(work: he.Work) -> None:
            seen.append((work.unit.key, work.hootsuite_event.seq_no if work.hootsuite_event else None))
            if work.unit.key == "hs:7:3" and len(seen) < 4:
                raise KeyError("boom")

        with pytest.raises(KeyError, match="boom"):
            he.process(store, batch(1, 2, 3, 4), handle)
        mixed = delivery([{"seq_no": "2", "type": "t"}, 5, {"seq_no": "9", "type": "t"}])
        outcomes = [he.process(store, batch(1, 2, 3, 4), handle), he.process(store, mixed, handle), he.process(store, mixed, handle)]
        outcomes += [he.process(store, batch(20), handle), he.process(store, batch(20), handle)]

        async def later(work: he.Work) -> None:
            pass

        with pytest.raises(TypeError, match="the handler returned an awaitable"):
            he.process(store, batch(21), later)  # type: ignore[arg-type]
        with pytest.raises(he.InvalidArgumentError, match="lease_ms"):
            he.process(store, batch(22), handle, lease_ms=0)
        with pytest.raises(TypeError, match="lease_ms"):
            he.process(store, batch(22), handle, lease_ms="1")  # type: ignore[arg-type]
        return [seen, outcomes]

    def values(ns: str) -> dict[str, Any]:
        return {k.decode().split(":", 1)[1]: (v[:2] if v != b"d" else v) for k in c.keys(f"{ns}:*") if (v := c.get(k)) is not None}

    native_calls: list[int] = []
    native_loop = RedisStore._process
    monkeypatch.setattr(RedisStore, "_process", lambda self, *a: native_calls.append(1) or native_loop(self, *a))
    try:
        native = run(RedisStore(c, namespace="py-native", retention_ms=60_000))
        assert len(native_calls) == 9, "every process call on the RedisStore took the native loop"
        assert native == run(_PythonLoop(RedisStore(c, namespace="py-loop", retention_ms=60_000)))
        assert len(native_calls) == 9
        assert values("py-native") == values("py-loop")
        stored = values("py-native")
        # Handled units done; the unit whose handler returned an awaitable released; none claimed
        # with a refused lease.
        assert (stored["{hs:7}:3"], stored["{hs:7}:20"], "{hs:7}:21" in stored, "{hs:7}:22" in stored) == (b"d", b"d", False, False)
        # A client that decodes replies to str: the native loop reads them as the Python one.
        d = redis.Redis.from_url(redis_url, socket_timeout=5, decode_responses=True)
        try:
            assert run(RedisStore(d, namespace="py-native-str", retention_ms=60_000)) == native
        finally:
            d.close()
        assert values("py-native-str") == values("py-native")
    finally:
        c.close()


def test_an_asyncio_client_in_a_redis_store_is_refused_without_a_command() -> None:
    """``RedisStore`` wants redis-py's synchronous client: an asyncio one's coroutines are
    refused (and closed, never sent) with the advice to use ``process_async``."""
    # On CPython 3.9 the asyncio client's lock takes the current event loop when it is made.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        a = redis.asyncio.Redis(port=1)
        store = RedisStore(a, namespace="py-async-in-sync")
        for raw in ([{"seq_no": "1", "type": "t"}], [{"seq_no": "1", "type": "t"}, {"seq_no": "2", "type": "t"}]):
            n = he.parse_event_notification(json.dumps({"message": {"instanceId": 7, "raw": raw}}).encode())
            with pytest.raises(TypeError, match="store.claim_all returned an awaitable; use process_async"):
                he.process(store, n, lambda w: None)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


class _DropsOnceHandled:
    """A client that loses its connection once ``down`` is set (by a handler): the settle fails."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise redis.exceptions.ConnectionError("dropped")

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self._check()
        return self.inner.execute_command(*args, **options)

    def register_script(self, source: str) -> Any:
        script = self.inner.register_script(source)

        def call(**kwargs: Any) -> Any:
            self._check()
            return script(**kwargs)

        return call


def test_a_settle_that_fails_after_a_handler_raised_keeps_the_handlers_exception_on_both_loops(redis_url: str) -> None:
    c = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        for n, units in enumerate(([1], [1, 2])):  # SET NX GET for one unit, the scripts for two
            for loop, wrap in (("native", lambda s: s), ("python", _PythonLoop)):
                client = _DropsOnceHandled(c)
                store = wrap(RedisStore(client, namespace=f"py-drop-{loop}-{n}", retention_ms=60_000))
                raw = [{"seq_no": str(s), "type": "t"} for s in units]
                notification = he.parse_event_notification(json.dumps({"message": {"instanceId": 7, "raw": raw}}).encode())

                def handle(work: he.Work) -> None:
                    client.down = True
                    raise KeyError("boom")

                with pytest.raises(redis.exceptions.ConnectionError, match="dropped") as info:
                    he.process(store, notification, handle)
                assert isinstance(info.value.__context__, KeyError), (loop, units)
    finally:
        c.close()


class _BeforeRedis7:
    """A client that answers ``SET … NX … GET`` as a server before Redis 7.0 does."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.refused = 0

    def execute_command(self, *args: Any, **options: Any) -> Any:
        if args[0] == "SET" and "NX" in args and "GET" in args:
            self.refused += 1
            raise redis.exceptions.ResponseError("syntax error")
        return self.inner.execute_command(*args, **options)

    def register_script(self, source: str) -> Any:
        return self.inner.register_script(source)


def test_before_redis_7_the_claims_go_through_the_script_once_refused(redis_url: str) -> None:
    c = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        old = _BeforeRedis7(c)
        s = RedisStore(old, namespace="py-old", retention_ms=60_000)
        t = _token(s.claim_all(["hs:1:1"])[0])
        assert s.settle([("hs:1:1", t)], []) == [True]
        assert s.claim_all(["hs:1:1"])[0].status == "done"
        assert old.refused == 1, "refused once, then the script only"
    finally:
        c.close()


def _cluster(ports: list[int]) -> redis.RedisCluster:
    return redis.RedisCluster(host="127.0.0.1", port=ports[0], socket_timeout=5)


def test_redis_store_conforms_on_a_cluster(redis_cluster: list[int]) -> None:
    clients: list[Any] = []

    def make(ns: str) -> RedisStore:
        clients.append(_cluster(redis_cluster))
        return RedisStore(clients[-1], namespace=f"pyc-{ns}", retention_ms=60_000)

    try:
        _conformance(make)
    finally:
        for c in clients:
            c.close()


def test_async_redis_store_conforms_on_a_cluster(redis_cluster: list[int]) -> None:
    asyncio.run(_async_conformance(lambda: redis.asyncio.RedisCluster(host="127.0.0.1", port=redis_cluster[0], socket_timeout=5)))


def _spread(instances: range) -> list[Any]:
    """A notification of five Hootsuite events for each instance."""
    raw = [{"seq_no": str(s), "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT"}} for s in range(1, 6)]
    return [he.parse_event_notification(json.dumps({"message": {"instanceId": i, "raw": raw}}).encode()) for i in instances]


def _check_spread(ports: list[int], nodes: list[redis.Redis], p: RedisProtocol, instances: range) -> None:
    """Each notification's keys share one slot, all held (done) by the one primary serving it;
    the notifications land on all three primaries."""
    held = set()
    for i in instances:
        keys = [p.key(f"hs:{i}:{s}") for s in range(1, 6)]
        slots = {int(nodes[0].cluster("KEYSLOT", k)) for k in keys}
        assert len(slots) == 1, (i, slots)
        slot = slots.pop()
        owners = [(port, node) for port, node in zip(ports, nodes) if int(node.cluster("COUNTKEYSINSLOT", slot))]
        assert len(owners) == 1, (i, [port for port, _ in owners])
        port, owner = owners[0]
        assert owner.mget(keys) == [b"d"] * 5, i
        held.add(port)
    assert held == set(ports), "the instances' notifications spread over the three primaries"


@pytest.mark.parametrize("flavour", ["sync", "asyncio"])
def test_notifications_are_claimed_and_settled_whole_on_the_primary_of_their_slot(redis_cluster: list[int], flavour: str) -> None:
    """30 instances' notifications of five events: one claim_all and one settle each, on the
    primary serving its slot (each primary's EVALSHA counted), spread over the three."""
    ns = f"py-spread-{flavour}"
    nodes = [redis.Redis(port=port, socket_timeout=5) for port in redis_cluster]
    c = _cluster(redis_cluster)
    try:
        p = RedisProtocol(ns, 60_000)
        # Both scripts on every primary first (SCRIPT LOAD goes to all): EVALSHA from here on.
        for call in (p.claim_all(["hs:0:1"], 1_000), p.settle([("hs:0:1", "t")], [])):
            c.script_load(call[1])
        notifications = _spread(range(1, 31))
        before = [_evalsha_calls(n) for n in nodes]
        if flavour == "sync":
            store = RedisStore(c, namespace=ns, retention_ms=60_000)
            outcomes = [he.process(store, n, lambda w: None) for n in notifications]
        else:

            async def main() -> list[Any]:
                a = redis.asyncio.RedisCluster(host="127.0.0.1", port=redis_cluster[0], socket_timeout=5)
                try:
                    store = AsyncRedisStore(a, namespace=ns, retention_ms=60_000)
                    return [await he.process_async(store, n, lambda w: None) for n in notifications]
                finally:
                    await a.aclose()

            outcomes = asyncio.run(main())
        assert [(o.status, o.processed) for o in outcomes] == [(200, 5)] * 30
        calls = [_evalsha_calls(n) - b for n, b in zip(nodes, before)]
        assert sum(calls) == 60 and all(calls), calls
        _check_spread(redis_cluster, nodes, p, range(1, 31))
    finally:
        c.close()
        for n in nodes:
            n.close()


def test_a_cluster_reloads_the_scripts_a_primary_lost(redis_cluster: list[int]) -> None:
    """The script cache is per node: after one primary's, then every primary's, SCRIPT FLUSH,
    EVALSHA answers NOSCRIPT there and redis-py loads the script again (on every primary)."""
    nodes = [redis.Redis(port=port, socket_timeout=5) for port in redis_cluster]
    c = _cluster(redis_cluster)
    try:
        s = RedisStore(c, namespace="pyc-flush", retention_ms=60_000)
        t = _token(s.claim("hs:1:7", 60_000))
        assert c.get("pyc-flush:{hs:1}:7") == f"c:{t}".encode()
        assert s.complete("hs:1:7", t) is True
        assert c.get("pyc-flush:{hs:1}:7") == b"d"
        for ns, flush in (("pyc-one-flushed", nodes[1].script_flush), ("pyc-all-flushed", c.script_flush)):
            flush()
            store = RedisStore(c, namespace=ns, retention_ms=60_000)
            outcomes = [he.process(store, n, lambda w: None) for n in _spread(range(1, 31))]
            assert [o.processed for o in outcomes] == [5] * 30
            _check_spread(redis_cluster, nodes, RedisProtocol(ns, 60_000), range(1, 31))
    finally:
        c.close()
        for n in nodes:
            n.close()


def test_bad_arguments_and_replies_are_refused_precisely() -> None:
    with pytest.raises(he.InvalidArgumentError, match="namespace") as e:
        RedisStore(redis.Redis(port=1), namespace="bad space")
    assert e.value.field == "namespace"
    with pytest.raises(he.InvalidArgumentError, match="retention_ms"):
        RedisStore(redis.Redis(port=1), retention_ms=0)
    with pytest.raises(TypeError, match="register_script"):
        RedisStore(object())
    p = RedisProtocol("ns", 1_000)
    sha1, source, key, args, token = p.claim("hs:1:2", 50)
    assert (key, args, len(token)) == ("ns:{hs:1}:2", [f"c:{token}", "50"], 32)
    assert p.key("hs:1:2") == key
    assert "GET" in source and len(sha1) == 40
    with pytest.raises(he.InvalidArgumentError, match="key"):
        p.claim("", 50)
    with pytest.raises(he.InvalidArgumentError, match="lease_ms"):
        p.claim("k", 0)
    with pytest.raises(he.InvalidArgumentError, match="got \"OK\""):
        p.parse_claim(b"OK", token)
    with pytest.raises(TypeError, match="bytes or str"):
        p.parse_claim(1, token)
    with pytest.raises(he.InvalidArgumentError, match="1 or 0, got 2"):
        p.parse_flag(2)
    with pytest.raises(TypeError, match="integer"):
        p.parse_flag(True)
    secret = "sec ret"
    with pytest.raises(he.InvalidArgumentError) as bad:
        p.complete("k", secret)
    assert secret not in str(bad.value) and secret not in repr(bad.value)
    assert token not in repr(p.parse_claim(b"claimed", token))
    assert len({he.redis.new_claim_token() for _ in range(3)}) == 3


def test_the_package_imports_without_redis_py() -> None:
    """``import hootsuite_events`` and ``hootsuite_events.redis`` never import redis-py."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'redis' or name.startswith('redis.'):\n"
        "            raise ImportError('redis-py blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import hootsuite_events, hootsuite_events.redis\n"
        "assert 'redis' not in sys.modules\n"
        "print(hootsuite_events.redis.RedisProtocol().namespace)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "hootsuite-events"
