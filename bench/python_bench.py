"""Python benchmarks: hootsuite_events against the peers a Python user would pick, in one run.

Prints one JSON line per comparison: {"work", "ours_us", "peer", "peer_us"}. Each figure is the
best of several repeats of a timed loop (microseconds per call)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
import timeit
from typing import Any, Callable, Dict, List, Literal, Optional, Union

import fastjsonschema
import jsonschema
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

import hootsuite_events as he

BODY: Dict[str, Any] = {
    "element": {"key": "hootsuite"},
    "providerData": {"code": "xoz8AFqScK2ngM04kSSM"},
    "configuration": {
        "oauth.callback.url": "https://mycoolapp.com",
        "oauth.api.key": "xxxxxxxxxxxxxxxxxx",
        "oauth.api.secret": "xxxxxxxxxxxxxxxxxxxxxx",
        "event.notification.enabled": True,
        "event.notification.callback.url": "https://mycoolapp.com/events",
        "event.notification.signature.key": "MySecretEventSignatureKey",
    },
    "tags": ["Docs"],
    "name": "API Instance",
}
CONFIG = he.Config("us", "user", "org")


def per_call_us(fn: Callable[[], Any], number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


NonBlank = Field(min_length=1, pattern=r"\S")


class Element(BaseModel):
    key: Literal["hootsuite"]


class ProviderData(BaseModel):
    code: str = NonBlank


class Configuration(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    callback_url: AnyHttpUrl = Field(alias="oauth.callback.url")
    api_key: str = Field(alias="oauth.api.key", min_length=1, pattern=r"\S")
    api_secret: str = Field(alias="oauth.api.secret", min_length=1, pattern=r"\S")
    events_enabled: Union[bool, Literal["true", "false"]] = Field(alias="event.notification.enabled", default=False)
    event_callback_url: Optional[AnyHttpUrl] = Field(alias="event.notification.callback.url", default=None)
    signature_key: Optional[str] = Field(alias="event.notification.signature.key", default=None, min_length=1)
    vendor_type: Optional[Literal["webhook", "polling", "webhooks"]] = Field(alias="event.vendor.type", default=None)

    @field_validator("events_enabled")
    @classmethod
    def normalize(cls, v: Union[bool, str]) -> bool:
        return v is True or v == "true"

    @model_validator(mode="after")
    def callback_when_enabled(self) -> "Configuration":
        if self.events_enabled and self.event_callback_url is None:
            raise ValueError("event.notification.callback.url is required when events are enabled")
        return self


class CreateInstancePeer(BaseModel):
    """The same rules as a pydantic 2 model (what a user would write without the library)."""

    element: Element
    providerData: ProviderData
    configuration: Configuration
    tags: Optional[List[str]] = None
    name: str = NonBlank


def cold_import_ms(module: str) -> float:
    """Best of five: a new interpreter that imports `module`, minus one that imports nothing."""
    import subprocess

    def run(code: str) -> float:
        best = float("inf")
        for _ in range(5):
            t = timeit.default_timer()
            subprocess.run([sys.executable, "-c", code], check=True)
            best = min(best, timeit.default_timer() - t)
        return best

    return (run(f"import {module}") - run("pass")) * 1e3


def notification(size: int, seq_no: str = "1") -> bytes:
    events: List[str] = []
    i = 0
    while True:
        body = json.dumps({"message": {"eventId": "e-1", "instanceId": 12345, "elementKey": "hootsuite", "events": [json.loads(e) for e in events],
                                       "raw": [{"seq_no": seq_no, "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT", "message": {"id": "m-1"}}}]}},
                          separators=(",", ":")).encode()
        if len(body) >= size:
            return body
        events.append(json.dumps({"objectType": "messages", "objectId": str(i), "eventType": "UPDATED", "elementKey": "hootsuite", "date": "2026-11-26T10:00:00Z"}))
        i += 1


def receiver_rows(key: str) -> List[Dict[str, Any]]:
    """A receiver's work per delivery at 1, 5 and 20 Hootsuite events per notification: verify +
    parse + claim + complete, each delivery new events (distinct seq_no), with a fresh store per
    repeat; beside the same by hand."""
    # Each handler keeps the unit's key only: keeping whole notifications would time the
    # garbage collector walking them, not the receiver.
    handled: List[str] = []

    def handle(work: he.Work) -> None:
        handled.append(work.unit.key)

    rows = []
    for events, count in ((1, 20000), (5, 10000), (20, 4000)):
        deliveries = []
        for i in range(count):
            body = notification_of(1_000_000 + i * events, events)
            deliveries.append(({"Elements-Webhook-Signature": he.sign(key, body)}, body))

        def ours() -> float:
            store = he.MemoryStore()
            t = timeit.default_timer()
            for headers, body in deliveries:
                he.process(store, he.verify_event(key, headers, body), handle)
            return timeit.default_timer() - t

        def peer() -> float:
            seen: Dict[str, str] = {}
            k = key.encode()
            t = timeit.default_timer()
            for headers, body in deliveries:
                given = base64.b64decode(headers["Elements-Webhook-Signature"][len("sha256="):])
                if not hmac.compare_digest(hmac.new(k, body, hashlib.sha256).digest(), given):
                    raise ValueError("mismatch")
                message = json.loads(body)["message"]
                for e in message["raw"]:
                    seq = f"{message['instanceId']}:{e['seq_no']}"
                    if seq in seen:
                        continue
                    seen[seq] = "claimed"
                    handled.append(seq)
                    seen[seq] = "done"
            return timeit.default_timer() - t

        handled.clear()
        # Alternated, so that a change in the machine's load falls on both.
        times = [(ours(), peer()) for _ in range(5)]
        assert len(handled) == 10 * count * events, len(handled)
        size = len(deliveries[0][1]) / 1000
        rows.append({"work": f"Python: receiver, verify + parse + claim + complete a notification of {events} Hootsuite event{'s' * (events > 1)} ({size:.1f} KB, MemoryStore)",
                     "ours_us": min(o for o, _ in times) / count * 1e6,
                     "peer": "hmac.compare_digest + base64 + json.loads + a dict of seq_no keys", "peer_us": min(p for _, p in times) / count * 1e6})
    return rows


def verify_rows(key: str) -> List[Dict[str, Any]]:
    """``verify_event`` at 1, 5 and 20 Hootsuite events per notification, beside hmac + base64 +
    json.loads on the same body, the two alternated."""
    rows = []
    for events in (1, 5, 20):
        body = notification_of(1, events)
        header = he.sign(key, body)
        headers = {"Elements-Webhook-Signature": header}

        def peer_verify() -> Any:
            given = base64.b64decode(header[len("sha256="):])
            mac = hmac.new(key.encode(), body, hashlib.sha256).digest()
            if not hmac.compare_digest(mac, given):
                raise ValueError("mismatch")
            return json.loads(body)

        times = [(per_call_us(lambda: he.verify_event(key, headers, body), 5000), per_call_us(peer_verify, 5000)) for _ in range(4)]
        rows.append({"work": f"Python: verify + parse a notification of {events} Hootsuite event{'s' * (events > 1)} ({len(body) / 1000:.1f} KB)",
                     "ours_us": min(o for o, _ in times), "peer": "hmac + base64 + json.loads", "peer_us": min(p for _, p in times)})
    return rows


def candidate_rows(key: str) -> List[Dict[str, Any]]:
    """Verifying a 1 MiB body: one candidate, and the cap of candidates none of which matches
    (the most a sender can make the receiver hash)."""
    body = b"x" * (1 << 20)
    good = he.sign(key, body)
    wrong = [he.sign(f"other-{i}", body) for i in range(he.MAX_SIGNATURE_CANDIDATES)]
    k = key.encode()

    def by_hand(header: str) -> bool:
        # The MAC recomputed per candidate, as such loops are usually written.
        return any(hmac.compare_digest(hmac.new(k, body, hashlib.sha256).digest(), base64.b64decode(c[len("sha256="):])) for c in header.split(","))

    def ours_fails(header: str) -> None:
        try:
            he.verify_signature(key, body, header)
        except he.SignatureError:
            return
        raise AssertionError("verified")

    many = ",".join(wrong)
    assert by_hand(good) and not by_hand(many)
    return [
        {"work": "Python: verify a 1 MiB body, 1 candidate", "ours_us": per_call_us(lambda: he.verify_signature(key, body, good), 200),
         "peer": "hmac.compare_digest + base64 by hand", "peer_us": per_call_us(lambda: by_hand(good), 200)},
        {"work": f"Python: verify a 1 MiB body, {he.MAX_SIGNATURE_CANDIDATES} candidates (the cap), none matching", "ours_us": per_call_us(lambda: ours_fails(many), 200),
         "peer": "the same by hand (one HMAC per candidate)", "peer_us": per_call_us(lambda: by_hand(many), 50)},
    ]


def notification_of(first: int, events: int) -> bytes:
    """A notification of at least 2 KB (element events pad it) carrying ``events`` Hootsuite
    events with the ``seq_no``s from ``first`` on."""
    raw = [{"seq_no": str(s), "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT", "message": {"id": f"m-{s}"}}} for s in range(first, first + events)]
    element_events: List[Dict[str, str]] = []
    while True:
        body = json.dumps({"message": {"eventId": "e-1", "instanceId": 12345, "elementKey": "hootsuite", "events": element_events, "raw": raw}},
                          separators=(",", ":")).encode()
        if len(body) >= 2048:
            return body
        element_events.append({"objectType": "messages", "objectId": str(len(element_events)), "eventType": "UPDATED", "elementKey": "hootsuite", "date": "2026-11-26T10:00:00Z"})


def redis_rows(key: str, url: str) -> List[Dict[str, Any]]:
    """The receiver on Redis (loopback) at 1, 5 and 20 Hootsuite events per notification:
    ``RedisStore`` through ``process`` (one claim_all and one settle script per notification)
    against a hand-written peer (``SET NX PX``, one command per ``seq_no``), and MemoryStore at
    1 event; one redis-py client, the database flushed between repeats."""
    import redis

    from hootsuite_events.redis import RedisStore

    client = redis.Redis.from_url(url)
    peer_name = "hmac + base64 + json.loads + redis-py SET NX PX per seq_no"
    rows = []
    for events, count in ((1, 4000), (5, 2000), (20, 1000)):
        deliveries = []
        for i in range(count):
            body = notification_of(2_000_000 + i * events, events)
            deliveries.append(({"Elements-Webhook-Signature": he.sign(key, body)}, body))
        done: List[int] = []

        def handle(work: he.Work) -> None:
            done.append(1)

        def ours(store: Any) -> float:
            t = timeit.default_timer()
            for headers, body in deliveries:
                he.process(store, he.verify_event(key, headers, body), handle)
            return timeit.default_timer() - t

        def peer() -> float:
            k = key.encode()
            t = timeit.default_timer()
            for headers, body in deliveries:
                given = base64.b64decode(headers["Elements-Webhook-Signature"][len("sha256="):])
                if not hmac.compare_digest(hmac.new(k, body, hashlib.sha256).digest(), given):
                    raise ValueError("mismatch")
                message = json.loads(body)["message"]
                for e in message["raw"]:
                    if client.set(f"peer:{message['instanceId']}:{e['seq_no']}", 1, nx=True, px=he.DEFAULT_RETENTION_MS):
                        done.append(1)
            return timeit.default_timer() - t

        # Alternated, so that a change in the machine's load falls on both.
        times = []
        for _ in range(3):
            client.flushdb()
            memory = ours(he.MemoryStore()) if events == 1 else 0.0
            on_redis = ours(RedisStore(client))
            client.flushdb()
            times.append((memory, on_redis, peer()))
        assert len(done) == (3 if events == 1 else 2) * 3 * count * events, len(done)
        redis_us = min(t[1] for t in times) / count * 1e6
        peer_us = min(t[2] for t in times) / count * 1e6
        if events == 1:
            memory_us = min(t[0] for t in times) / count * 1e6
            rows.append({"work": "Python: receiver on MemoryStore, verify + parse + claim + settle a 2 KB notification of 1 Hootsuite event", "ours_us": memory_us,
                         "peer": peer_name, "peer_us": peer_us, "note": f"{1e6 / memory_us:.0f} notifications/s"})
        size = len(deliveries[0][1]) / 1000
        rows.append({"work": f"Python: receiver on Redis (loopback, RedisStore), verify + parse + claim + settle a notification of {events} Hootsuite event{'s' * (events > 1)} ({size:.1f} KB)",
                     "ours_us": redis_us, "peer": peer_name, "peer_us": peer_us, "note": f"{1e6 / redis_us:.0f} notifications/s ours, {1e6 / peer_us:.0f} peer"})
    client.close()
    return rows


def postgres_rows(key: str, url: str) -> List[Dict[str, Any]]:
    """The receiver on the PostgreSQL inbox (loopback): ``PostgresInbox.process`` writing each
    event into an app table in the unit's transaction, against a hand-written peer (hmac +
    json.loads + ``INSERT … ON CONFLICT DO NOTHING`` of the key and the app row in one
    transaction), one psycopg connection each, the tables emptied between repeats."""
    import psycopg

    from hootsuite_events.postgres import PostgresInbox

    count = 1000
    deliveries = []
    for i in range(count):
        body = notification(2048, str(3_000_000 + i))
        deliveries.append(({"Elements-Webhook-Signature": he.sign(key, body)}, body))
    conn = psycopg.connect(url, autocommit=True)
    inbox = PostgresInbox(conn, table="bench_inbox")
    inbox.migrate()
    conn.execute("CREATE TABLE IF NOT EXISTS bench_events (key text NOT NULL)")
    conn.execute("CREATE TABLE IF NOT EXISTS bench_peer_inbox (key text PRIMARY KEY, done_at timestamptz NOT NULL DEFAULT now())")

    def handle(c: Any, work: he.Work) -> None:
        c.execute("INSERT INTO bench_events (key) VALUES (%s)", (work.unit.key,))

    def ours() -> float:
        t = timeit.default_timer()
        for headers, body in deliveries:
            inbox.process(he.verify_event(key, headers, body), handle)
        return timeit.default_timer() - t

    def peer() -> float:
        k = key.encode()
        t = timeit.default_timer()
        for headers, body in deliveries:
            given = base64.b64decode(headers["Elements-Webhook-Signature"][len("sha256="):])
            if not hmac.compare_digest(hmac.new(k, body, hashlib.sha256).digest(), given):
                raise ValueError("mismatch")
            message = json.loads(body)["message"]
            for e in message["raw"]:
                unit = f"hs:{message['instanceId']}:{e['seq_no']}"
                with conn.transaction():
                    if conn.execute("INSERT INTO bench_peer_inbox (key) VALUES (%s) ON CONFLICT DO NOTHING", (unit,)).rowcount:
                        conn.execute("INSERT INTO bench_events (key) VALUES (%s)", (unit,))
        return timeit.default_timer() - t

    times = []
    for _ in range(3):
        conn.execute("TRUNCATE bench_inbox, bench_events, bench_peer_inbox")
        on_pg = ours()
        conn.execute("TRUNCATE bench_events")
        times.append((on_pg, peer()))
    written = conn.execute("SELECT count(*) FROM bench_events").fetchone()
    conn.close()
    assert written == (count,), written
    pg_us = min(t[0] for t in times) / count * 1e6
    peer_us = min(t[1] for t in times) / count * 1e6
    return [
        {"work": "Python: receiver on the PostgreSQL inbox (loopback, PostgresInbox), verify + parse + one transaction (claim, the handler's INSERT, commit) for a 2 KB notification",
         "ours_us": pg_us, "peer": "hmac + base64 + json.loads + psycopg INSERT … ON CONFLICT DO NOTHING and the INSERT in one transaction", "peer_us": peer_us,
         "note": f"{1e6 / pg_us:.0f} notifications/s ours, {1e6 / peer_us:.0f} peer"},
    ]


def main() -> None:
    out = []
    ours = per_call_us(lambda: he.create_instance_request(CONFIG, BODY), 20000)
    pyd = per_call_us(lambda: CreateInstancePeer.model_validate(BODY).model_dump_json(by_alias=True), 20000)
    out.append({"work": "Python: validate a dict + build the request", "ours_us": ours, "peer": "pydantic 2 model_validate + model_dump_json", "peer_us": pyd})
    schema = he.create_instance_schema()
    fast = fastjsonschema.compile(schema)
    out.append({"work": "Python: validate a dict + build the request", "ours_us": ours, "peer": "fastjsonschema + json.dumps", "peer_us": per_call_us(lambda: json.dumps(fast(BODY)), 20000)})
    validator = jsonschema.Draft202012Validator(schema)

    def js() -> str:
        validator.validate(BODY)
        return json.dumps(BODY)

    out.append({"work": "Python: validate a dict + build the request", "ours_us": ours, "peer": "jsonschema Draft202012Validator + json.dumps", "peer_us": per_call_us(js, 2000)})

    key = "MySecretEventSignatureKey"
    out += verify_rows(key)
    out += receiver_rows(key)
    out += candidate_rows(key)
    if os.environ.get("HOOTSUITE_EVENTS_BENCH_REDIS"):
        out += redis_rows(key, os.environ["HOOTSUITE_EVENTS_BENCH_REDIS"])
    if os.environ.get("HOOTSUITE_EVENTS_BENCH_POSTGRES"):
        out += postgres_rows(key, os.environ["HOOTSUITE_EVENTS_BENCH_POSTGRES"])
    out.append({"work": "Python: import in a fresh process (ms, minus a bare interpreter)", "ours_us": cold_import_ms("hootsuite_events"), "peer": "import pydantic (same way)", "peer_us": cold_import_ms("pydantic")})
    for o in out:
        print(json.dumps(o))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
