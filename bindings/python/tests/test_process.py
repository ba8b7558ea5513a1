"""process / process_async: each unit once, release on failure, the core's answer rule, stores
sync or async. The notifications are real signed bodies; the store is the native MemoryStore
(behind an asyncio facade for the async cases)."""

from __future__ import annotations

import asyncio
import json
import pickle
from typing import Any, List

import pytest

import hootsuite_events as he

KEY = "process-test-key"


def delivery(raw: List[Any], instance_id: int = 7, **message: Any) -> he.Notification:
    body = json.dumps({"message": {"instanceId": instance_id, "raw": raw, **message}}).encode()
    return he.verify_event(KEY, {"Elements-Webhook-Signature": he.sign(KEY, body)}, body)


def batch(*seq: int) -> he.Notification:
    return delivery([{"seq_no": str(s), "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT"}} for s in seq])


class AsyncMemoryStore:
    """An AsyncStore: the native store's operations, awaited after a real suspension."""

    def __init__(self) -> None:
        self.inner = he.MemoryStore()

    async def claim(self, key: str, lease_ms: int = he.DEFAULT_LEASE_MS, now_ms: Any = None) -> he.Claim:
        await asyncio.sleep(0)
        return self.inner.claim(key, lease_ms, now_ms)

    async def complete(self, key: str, token: str, now_ms: Any = None) -> bool:
        await asyncio.sleep(0)
        return self.inner.complete(key, token, now_ms)

    async def release(self, key: str, token: str) -> bool:
        await asyncio.sleep(0)
        return self.inner.release(key, token)


def test_each_unit_once_across_deliveries_and_split_parts():
    store, seen = he.MemoryStore(), []
    first = he.process(store, batch(1, 2), seen.append)
    assert (first.status, first.processed, first.skipped) == (200, 2, 0)
    again = he.process(store, batch(1, 2, 3), seen.append)
    assert (again.status, again.processed, again.skipped, again.in_progress, again.failed, again.lost_leases) == (200, 1, 2, 0, 0, 0)
    assert [w.unit.key for w in seen] == ["hs:7:1", "hs:7:2", "hs:7:3"]
    w = seen[0]
    assert w.hootsuite_event.seq_no == "1" and w.element_event is None and w.notification.instance_id == 7
    assert w.unit.kind == "hootsuite_event" and w.unit.index == 0


def test_a_work_of_the_native_loop_reads_its_event_on_first_access_and_is_a_whole_work():
    store, seen = he.MemoryStore(), []
    n = batch(1, 2)
    he.process(store, n, seen.append)
    w = seen[1]
    assert "hootsuite_event" not in w.__dict__  # not built until read
    assert w.unit is n.units[1] and w.notification is n
    whole = he.Work(unit=n.units[1], hootsuite_event=n.hootsuite_events[1], element_event=None, rejected=None, notification=n)
    assert w == whole and repr(w) == repr(whole) and w.to_dict() == whole.to_dict()
    assert w.hootsuite_event is n.hootsuite_events[1] and w.element_event is None and w.rejected is None
    assert pickle.loads(pickle.dumps(seen[0])) == list(he.works(n))[0]
    with pytest.raises(AttributeError):
        w.hootsuite_event = None  # type: ignore[misc]
    # A notification already whole (repr builds every field) takes the same loop, through its records.
    whole_n = batch(3, 4)
    repr(whole_n)
    o = he.process(store, whole_n, seen.append)
    assert (o.status, o.processed) == (200, 2) and [x.unit.key for x in seen[2:]] == ["hs:7:3", "hs:7:4"]
    assert seen[3].hootsuite_event is whole_n.hootsuite_events[1] and seen[3].unit is whole_n.units[1]


def test_a_failure_releases_the_claim_and_propagates():
    store = he.MemoryStore()
    done: List[str] = []

    def handle(work: he.Work) -> None:
        if work.unit.key == "hs:7:2":
            raise KeyError("boom")
        done.append(work.unit.key)

    with pytest.raises(KeyError, match="boom"):
        he.process(store, batch(1, 2, 3), handle)
    assert done == ["hs:7:1"]  # processing stops at the failure
    assert store.claim("hs:7:2", now_ms=0).status == "claimed"  # released, not held


class DelegatingStore:
    """The native store behind a Python object: process takes its Python loop, not the native one."""

    def __init__(self) -> None:
        self.inner = he.MemoryStore()
        self.claim_all = self.inner.claim_all
        self.settle = self.inner.settle
        self.claim = self.inner.claim
        self.complete = self.inner.complete
        self.release = self.inner.release


def test_the_native_loop_and_the_python_loop_give_the_same_outcomes():
    """process on the native MemoryStore runs its loop in Rust; any other store in Python."""

    def run(store: Any) -> List[Any]:
        seen: List[Any] = []

        def handle(work: he.Work) -> None:
            seen.append((work.unit.key, work.hootsuite_event.seq_no if work.hootsuite_event else None))
            if work.unit.key == "hs:7:3" and len(seen) < 4:
                raise KeyError("boom")

        with pytest.raises(KeyError, match="boom"):
            he.process(store, batch(1, 2, 3, 4), handle)
        mixed = delivery([{"seq_no": "2", "type": "t"}, 5, {"seq_no": "9", "type": "t"}])
        outcomes = [he.process(store, batch(1, 2, 3, 4), handle), he.process(store, mixed, handle), he.process(store, mixed, handle)]

        async def later(work: he.Work) -> None:
            pass

        with pytest.raises(TypeError, match="returned an awaitable"):
            he.process(store, batch(20), later)  # type: ignore[arg-type]
        outcomes.append(he.process(store, batch(20), handle))
        return [seen, outcomes]

    assert run(he.MemoryStore()) == run(DelegatingStore())


def test_both_loops_claim_the_units_as_the_caller_left_them_and_hand_out_what_they_claimed():
    """Units read and then reordered or replaced decide what is claimed; a handler editing them
    changes nothing the loop already took (the native loop once keyed the lazy units instead)."""

    def run(store: Any) -> List[Any]:
        seen: List[Any] = []
        he.process(store, batch(2), lambda w: seen.append(("first", w.unit.key)))
        n = batch(1, 2)
        n.units.reverse()
        he.process(store, n, lambda w: seen.append(("reversed", w.unit.key)))
        n = batch(3, 4)
        n.units[1] = n.units[0]
        replaced = he.process(store, n, lambda w: seen.append(("replaced", w.unit.key)))
        edited = batch(5, 6)

        def edit(work: he.Work) -> None:
            seen.append(("edited", work.unit.key))
            edited.units.reverse()

        he.process(store, edited, edit)
        again = he.process(store, batch(1, 2, 3, 4, 5, 6), lambda w: seen.append(("again", w.unit.key)))
        return [seen, (replaced.processed, replaced.skipped, replaced.in_progress), (again.processed, again.skipped)]

    native = run(he.MemoryStore())
    assert native == run(DelegatingStore())
    seen = native[0]
    assert seen[:2] == [("first", "hs:7:2"), ("reversed", "hs:7:1")]
    assert [k for tag, k in seen if tag == "edited"] == ["hs:7:5", "hs:7:6"]
    # Every key handled once in all; hs:7:4, never claimed before, only by the last delivery.
    assert sorted(k for _, k in seen) == ["hs:7:1", "hs:7:2", "hs:7:3", "hs:7:4", "hs:7:5", "hs:7:6"]
    assert ("again", "hs:7:4") in seen and native[2] == (1, 5)


def test_the_outcome_lists_the_rejected_records_of_the_units_it_claimed_whatever_the_handler_did():
    for store in (he.MemoryStore(), DelegatingStore()):
        n = delivery([{"seq_no": "1", "type": "t"}, 5, [6]])

        def reorder(work: he.Work) -> None:
            n.units.reverse()

        outcome = he.process(store, n, reorder)
        assert [r.position for r in outcome.rejected] == [1, 2], type(store).__name__


def test_held_units_answer_409_and_lost_leases_are_counted():
    store = he.MemoryStore()
    held = store.claim("hs:7:1")
    o = he.process(store, batch(1, 2), lambda w: None)
    assert (o.status, o.in_progress, o.processed) == (he.STATUS_IN_PROGRESS, 1, 1)
    assert store.release("hs:7:1", held.token)

    short = he.MemoryStore()

    def slow(work: he.Work) -> None:
        # Another process takes the unit over once the 1 ms lease has expired.
        assert short.claim(work.unit.key, 1, now_ms=2**62).status == "claimed"

    o = he.process(short, batch(5), slow, lease_ms=1)
    assert (o.status, o.processed, o.lost_leases) == (200, 1, 1)


def test_element_events_and_bare_notifications_are_units_too():
    store, seen = he.MemoryStore(), []
    n = delivery([], eventId="e-5", events=[{"eventType": "CREATED", "objectId": "a"}, {"eventType": "UPDATED", "objectId": "b"}])
    he.process(store, n, seen.append)
    assert [(w.unit.key, w.element_event.object_id, w.hootsuite_event) for w in seen] == [("ce:7:e-5:0", "a", None), ("ce:7:e-5:1", "b", None)]
    bare = delivery([])
    o = he.process(store, bare, seen.append)
    assert o.processed == 1 and seen[-1].unit.kind == "notification" and seen[-1].unit.key.startswith("nb:7:@")


def test_sync_process_refuses_awaitables_and_odd_claims():
    async def handler(work: he.Work) -> None:
        pass

    store = he.MemoryStore()
    with pytest.raises(TypeError, match="the handler returned an awaitable; use process_async"):
        he.process(store, batch(1), handler)
    assert store.claim("hs:7:1", now_ms=0).status == "claimed"  # released

    class Odd:
        def claim(self, key: str, lease_ms: int = 0, now_ms: Any = None) -> he.Claim:
            return he.Claim(status="maybe")

        def complete(self, key: str, token: str, now_ms: Any = None) -> bool:
            return True

        def release(self, key: str, token: str) -> bool:
            return True

    with pytest.raises(ValueError, match="answered a claim with status 'maybe'; expected 'claimed', 'done' or 'in_progress'"):
        he.process(Odd(), batch(1), lambda w: None)
    assert isinstance(he.MemoryStore(), he.Store) and isinstance(Odd(), he.Store)


def test_process_async_with_an_async_store_and_handler():
    store, seen = AsyncMemoryStore(), []

    async def handle(work: he.Work) -> None:
        await asyncio.sleep(0)
        if work.unit.key == "hs:7:2" and not any(w.unit.key == "hs:7:2" for w in seen):
            seen.append(work)
            raise RuntimeError("first attempt fails")
        seen.append(work)

    async def run() -> None:
        with pytest.raises(RuntimeError):
            await he.process_async(store, batch(1, 2), handle)
        o = await he.process_async(store, batch(1, 2), handle)
        assert (o.status, o.processed, o.skipped) == (200, 1, 1)
        # A sync store and a sync handler work too.
        o = await he.process_async(store.inner, batch(3), lambda w: None)
        assert o.processed == 1

    asyncio.run(run())
    assert [w.unit.key for w in seen] == ["hs:7:1", "hs:7:2", "hs:7:2"]


class SettleFails(DelegatingStore):
    """A store that loses its connection at the settle (sync, or async with ``awaitable``)."""

    def __init__(self, awaitable: bool = False) -> None:
        super().__init__()
        self.settle = self.fail_later if awaitable else self.fail  # type: ignore[assignment]

    def fail(self, complete: Any, release: Any) -> Any:
        raise ConnectionError("dropped")

    async def fail_later(self, complete: Any, release: Any) -> Any:
        await asyncio.sleep(0)
        raise ConnectionError("dropped")


def test_a_settle_that_fails_after_a_handler_raised_keeps_the_handlers_exception():
    """Neither failure is lost: the store's error propagates, the handler's is its context."""

    raised: List[BaseException] = []

    def handle(work: he.Work) -> None:
        raised.append(KeyError("boom"))
        raise raised[-1]

    with pytest.raises(ConnectionError, match="dropped") as sync:
        he.process(SettleFails(), batch(1, 2), handle)
    assert sync.value.__context__ is raised[-1]

    async def run() -> BaseException:
        with pytest.raises(ConnectionError, match="dropped") as info:
            await he.process_async(SettleFails(awaitable=True), batch(1, 2), handle)
        return info.value

    assert asyncio.run(run()).__context__ is raised[-1]
    # A handler that succeeded leaves the store's error as it was.
    with pytest.raises(ConnectionError) as clean:
        he.process(SettleFails(), batch(3), lambda w: None)
    assert clean.value.__context__ is None


def test_a_cancelled_handler_releases_its_claim():
    store = AsyncMemoryStore()

    async def run() -> None:
        started = asyncio.Event()

        async def forever(work: he.Work) -> None:
            started.set()
            await asyncio.sleep(3600)

        task = asyncio.ensure_future(he.process_async(store, batch(9), forever))
        await asyncio.wait_for(started.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert store.inner.claim("hs:7:9", now_ms=0).status == "claimed"


def test_the_new_notification_fields_and_reprs():
    body = json.dumps({"id": "n-1", "topic": "events", "action": "create", "severity": "normal", "createdDate": "2026-11-28",
                       "user": {"id": 1}, "later": True,
                       "message": {"instanceId": 3, "instanceName": "Acme", "instanceTags": ["prod"], "accountId": 10, "companyId": 20,
                                   "userId": 1, "soon": [1], "events": [{"eventType": "CREATED", "hubKey": "social", "x": 1}],
                                   "raw": [{"seq_no": "4", "type": "t", "extraField": "e"}]}}).encode()
    n = he.verify_event([KEY, "older"], {"Elements-Webhook-Signature": he.sign("older", body)}, body)
    assert (n.id, n.topic, n.action, n.severity, n.created_date, n.user) == ("n-1", "events", "create", "normal", "2026-11-28", {"id": 1})
    assert (n.instance_name, n.instance_tags, n.account_id, n.company_id, n.user_id) == ("Acme", ["prod"], "10", "20", "1")
    assert n.extra == {"later": True} and n.message_extra == {"soon": [1]} and n.key_index == 1
    assert n.events[0].hub_key == "social" and n.events[0].extra == {"x": 1}
    assert n.hootsuite_events[0].extra == {"extraField": "e"}
    assert n.units == [he.Unit(key="hs:3:4", kind="hootsuite_event", index=0)]
    assert n.to_dict()["units"] == [{"key": "hs:3:4", "kind": "hootsuite_event", "index": 0}]
    claim = he.MemoryStore().claim("k")
    assert claim.token and claim.token not in repr(claim) and repr(claim) == "Claim(status='claimed')"


def test_a_notification_read_field_by_field_equals_one_read_whole():
    """Its container fields convert on first read: equality, repr, to_dict, pickling and copies
    see every field whichever were read before."""
    import copy
    import pickle

    body = json.dumps({"later": True, "message": {"instanceId": 3, "instanceTags": ["a"], "events": [{"eventType": "CREATED"}],
                                                  "raw": [{"seq_no": "4", "type": "t"}, 5]}}).encode()

    def fresh() -> he.Notification:
        return he.verify_event(KEY, {"Elements-Webhook-Signature": he.sign(KEY, body)}, body)

    whole = fresh().to_dict()
    assert whole["raw"] == [{"seq_no": "4", "type": "t"}, 5] and whole["extra"] == {"later": True}
    assert whole["rejected"][0]["position"] == 1 and whole["events"][0]["event_type"] == "CREATED"
    partly = fresh()
    assert partly.units[0].key == "hs:3:4"
    assert partly == fresh() and fresh() == partly
    assert partly.units is partly.units  # converted once, then kept
    assert repr(fresh()) == repr(partly) and "_lazy" not in repr(fresh())
    for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(fresh(), protocol=protocol))
        assert back == partly and back.to_dict() == whole
    assert copy.copy(fresh()) == partly and copy.deepcopy(fresh()).to_dict() == whole
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        fresh().nope  # noqa: B018
    with pytest.raises(AttributeError, match="immutable"):
        fresh().units = []  # type: ignore[misc]


def test_an_event_that_cannot_be_read_is_rejected_once_and_never_handled():
    raw = [
        {"seq_no": "1", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}},
        {"seq_no": "2", "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT"}},
        "not an event",
    ]
    n = delivery(raw)  # verified: one bad event does not fail the batch
    assert [e.seq_no for e in n.hootsuite_events] == ["2"]
    assert [(r.source, r.position, r.code, r.path) for r in n.rejected] == [
        ("hootsuite_event", 0, "wrong_type", ("message", "raw", 0, "data", "message")),
        ("hootsuite_event", 2, "wrong_type", ("message", "raw", 2)),
    ]
    assert n.rejected[1].raw == "not an event" and n.rejected[0].raw == raw[0]
    assert [u.kind for u in n.units] == ["rejected", "hootsuite_event", "rejected"]
    assert n.rejected[0].key == n.units[0].key and n.units[0].key != "hs:7:1"
    assert [w.rejected is not None for w in he.works(n)] == [True, False, True]

    store, seen = he.MemoryStore(), []
    o = he.process(store, n, seen.append)
    assert (o.status, o.processed, o.skipped) == (200, 1, 0)
    assert [r.position for r in o.rejected] == [0, 2]
    assert [w.unit.key for w in seen] == ["hs:7:2"]
    again = he.process(store, n, seen.append)
    assert (again.status, again.processed, again.skipped, again.rejected) == (200, 0, 3, [])

    async def run() -> he.Outcome:
        return await he.process_async(AsyncMemoryStore(), n, lambda w: seen.append(w))

    o = asyncio.run(run())
    assert (o.status, o.processed, len(o.rejected)) == (200, 1, 2)
    assert len(seen) == 2


class Counting:
    """A MemoryStore that notes each call: what process asks of a store."""

    def __init__(self) -> None:
        self.inner = he.MemoryStore()
        self.calls: List[Any] = []

    def claim(self, key: str, lease_ms: int = he.DEFAULT_LEASE_MS, now_ms: Any = None) -> he.Claim:
        self.calls.append("claim")
        return self.inner.claim(key, lease_ms, now_ms)

    def complete(self, key: str, token: str, now_ms: Any = None) -> bool:
        self.calls.append("complete")
        return self.inner.complete(key, token, now_ms)

    def release(self, key: str, token: str) -> bool:
        self.calls.append("release")
        return self.inner.release(key, token)

    def claim_all(self, keys: List[str], lease_ms: int = he.DEFAULT_LEASE_MS, now_ms: Any = None) -> List[he.Claim]:
        self.calls.append(("claim_all", len(keys)))
        return self.inner.claim_all(keys, lease_ms, now_ms)

    def settle(self, complete: List[Any], release: List[Any], now_ms: Any = None) -> List[bool]:
        self.calls.append(("settle", len(complete), len(release)))
        return self.inner.settle(complete, release, now_ms)


def test_a_notification_is_one_claim_and_one_settle_and_a_failure_keeps_what_was_done():
    store, seen = Counting(), []

    def fail_at_3(work: he.Work) -> None:
        if work.hootsuite_event.seq_no == "3":
            raise RuntimeError("unit 3 fails")
        seen.append(work.unit.key)

    with pytest.raises(RuntimeError, match="unit 3 fails"):
        he.process(store, batch(1, 2, 3, 4, 5), fail_at_3)
    # Units 1 and 2 completed, 3 (failed) and 4, 5 (never handled) released: one call each way.
    assert store.calls == [("claim_all", 5), ("settle", 2, 3)]
    store.calls.clear()
    o = he.process(store, batch(1, 2, 3, 4, 5), lambda w: seen.append(w.unit.key))
    assert store.calls == [("claim_all", 5), ("settle", 3, 0)]
    assert (o.status, o.processed, o.skipped) == (200, 3, 2)
    assert seen == ["hs:7:1", "hs:7:2", "hs:7:3", "hs:7:4", "hs:7:5"], "each unit once"

    # A store without the batch methods: one call per unit, the same outcome.
    class Plain:
        claim, complete, release = Counting.claim, Counting.complete, Counting.release

        def __init__(self) -> None:
            self.inner, self.calls = he.MemoryStore(), []

    plain = Plain()
    o = he.process(plain, batch(1, 2), lambda w: None)
    assert plain.calls == ["claim", "claim", "complete", "complete"] and o.processed == 2

    async def run() -> he.Outcome:
        return await he.process_async(Counting(), batch(1, 2, 3), lambda w: None)

    assert asyncio.run(run()).processed == 3
