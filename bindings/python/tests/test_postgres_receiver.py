"""The FastAPI receiver on the PostgreSQL inbox (examples/fastapi_postgres_receiver.py) on a
real loopback server, getting the emulator's real signed deliveries and writing each Hootsuite
event into the application's table: a replay under other `Elements-Webhook-Id`s, a 45-event
batch split in three, a failure and Cloud Elements' retry, a batch with an event that cannot
be read. Every wait is bounded."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import threading
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

import psycopg
import pytest

import hootsuite_events as he
from conftest import start_emulator
from pgserver import start_postgres
from test_receivers import EXAMPLES, asgi_recorder, connect, emulator_post, hootsuite_posts, sample, wait_for

KEY = "pg-receiver-key-7d2"


@pytest.fixture(scope="module")
def pg() -> Iterator[Dict[str, str]]:
    with start_postgres() as info:
        yield info


@pytest.fixture(scope="module")
def emu() -> Iterator[Dict[str, str]]:
    with start_emulator(retry_unit_us=500) as info:
        yield info


class Running:
    def __init__(self, module: Any, url: str, seen: List[Tuple[Optional[str], int]]) -> None:
        self.module, self.url, self.seen = module, url, seen


@pytest.fixture(scope="module")
def receiver(pg: Dict[str, str]) -> Iterator[Running]:
    import uvicorn

    saved = {k: os.environ.get(k) for k in ("HOOTSUITE_EVENTS_SIGNATURE_KEY", "DATABASE_URL")}
    os.environ["HOOTSUITE_EVENTS_SIGNATURE_KEY"] = KEY
    os.environ["DATABASE_URL"] = pg["url"]
    try:
        spec = importlib.util.spec_from_file_location("fastapi_postgres_receiver", EXAMPLES / "fastapi_postgres_receiver.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["fastapi_postgres_receiver"] = module
        spec.loader.exec_module(module)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    seen: List[Tuple[Optional[str], int]] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    uv = uvicorn.Server(uvicorn.Config(asgi_recorder(module.app, seen), log_level="critical", lifespan="on"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield Running(module, f"http://127.0.0.1:{sock.getsockname()[1]}/hootsuite/events", seen)
    finally:
        uv.should_exit = True
        thread.join(timeout=15)
        sock.close()
    assert not thread.is_alive(), "uvicorn did not stop"


def rows(pg: Dict[str, str], where: str = "true") -> List[Tuple[str, Optional[str]]]:
    with psycopg.connect(pg["url"], connect_timeout=5) as conn:
        return [(r[0], r[1]) for r in conn.execute(f"SELECT unit_key, seq_no FROM hootsuite_events_received WHERE {where}")]


def test_each_event_is_one_row_across_replays_a_split_batch_a_failure_and_a_poisoned_batch(emu, pg, receiver, monkeypatch, caplog) -> None:
    _, instance = connect(emu, receiver.url, KEY)
    mine = f"unit_key LIKE 'hs:{instance}:%'"

    # One delivery replayed under webhook ids a, b, a: one row.
    [event_id] = sample(emu, instance)
    wait_for("the first delivery", lambda: len(receiver.seen) == 1)
    for webhook_id in ("a", "b", "a"):
        wait_for("a replay accepted", lambda: _replayed(emu, event_id, webhook_id))
    wait_for("the three replays", lambda: len(receiver.seen) == 4)
    assert [s for _, s in receiver.seen] == [200] * 4
    assert len(rows(pg, mine)) == 1

    # A 45-event batch split in three notifications: 45 rows, not 135.
    assert len(sample(emu, instance, count=45)) == 3
    wait_for("three more answers", lambda: len(receiver.seen) == 7)
    assert [s for _, s in receiver.seen[4:]] == [200] * 3
    got = rows(pg, mine)
    assert len(got) == 46 and len({k for k, _ in got}) == 46

    # A failure after the row was written: both roll back; the retry writes it once.
    original = receiver.module.handle
    attempts: List[str] = []

    async def fail_first(conn: Any, work: he.Work) -> None:
        attempts.append(work.unit.key)
        await original(conn, work)
        if len(attempts) == 1:
            raise RuntimeError("processing failed (test)")

    monkeypatch.setattr(receiver.module, "handle", fail_first)
    sample(emu, instance)
    wait_for("the retry", lambda: len(receiver.seen) == 9)
    assert [s for _, s in receiver.seen[7:]] == [500, 200]
    assert len(attempts) == 2 and attempts[0] == attempts[1]
    assert len(rows(pg, f"unit_key = '{attempts[0]}'")) == 1
    monkeypatch.setattr(receiver.module, "handle", original)

    # A batch with an event that cannot be read: 200 twice, one row, reported once.
    good = {"seq_no": "9001", "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT", "message": {"id": "m-1"}}}
    bad = {"seq_no": "9002", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}}
    with caplog.at_level("WARNING"):
        hootsuite_posts(emu, instance, [good, bad])
        wait_for("the delivery", lambda: len(receiver.seen) == 10)
        hootsuite_posts(emu, instance, [good, bad])
        wait_for("the second delivery", lambda: len(receiver.seen) == 11)
    assert [s for _, s in receiver.seen[9:]] == [200, 200]
    assert rows(pg, f"unit_key = 'hs:{instance}:9001'") == [(f"hs:{instance}:9001", "9001")]
    assert rows(pg, "seq_no = '9002'") == []
    logged = [r.getMessage() for r in caplog.records if "rejected event" in r.getMessage()]
    assert len(logged) == 1, logged
    with psycopg.connect(pg["url"], connect_timeout=5) as conn:
        row = conn.execute("SELECT count(*) FROM hootsuite_events_inbox WHERE kind = 'rejected'").fetchone()
    assert row == (1,)


def _replayed(emu: Dict[str, str], event_id: int, webhook_id: str) -> bool:
    try:
        emulator_post(emu, "/emulator/replay", {"event_id": event_id, "webhook_id": webhook_id})
        return True
    except Exception:
        return False  # 404 until the delivery is recorded
