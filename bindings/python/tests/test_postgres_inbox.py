"""The PostgreSQL inbox (sync and asyncio, a connection and a pool) against a PostgreSQL
server of the suite's own (loopback, private data directory): a unit processed once, skipped
on a replay, in progress at once for a concurrent delivery, rejected events recorded once; and
the inbox's own cases: the handler's write and the record commit together or not at all, a
process SIGKILLed inside the transaction leaves nothing, exactly one of several concurrent
deliveries commits, the cleanup deletes only rows past the retention."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from typing import Any, Dict, Iterator, List

import pytest

import hootsuite_events as he

# psycopg and psycopg-pool are in test-requirements.txt: a missing one fails the suite.
import psycopg
import psycopg_pool

from hootsuite_events.postgres import CLEANUP, DEFAULT_TABLE, MIGRATION, AsyncPostgresInbox, PostgresInbox, PostgresProtocol
from pgserver import start_postgres


@pytest.fixture(scope="module")
def pg() -> Iterator[Dict[str, str]]:
    with start_postgres() as info:
        yield info


def connect(pg: Dict[str, str], **kw: Any) -> psycopg.Connection:
    return psycopg.connect(pg["url"], connect_timeout=5, **kw)


def notification(*seq_nos: str, instance: int = 3, extra: Any = ()) -> he.Notification:
    raw = [{"seq_no": s, "type": "t"} for s in seq_nos] + list(extra)
    return he.parse_event_notification(json.dumps({"message": {"instanceId": instance, "raw": raw}}).encode())


def app_table(conn: psycopg.Connection, name: str) -> None:
    """The application's table: one row per effect, no unique key (duplicates would show)."""
    with conn.transaction():
        conn.execute(f"CREATE TABLE IF NOT EXISTS {name} (key text NOT NULL, seq_no text)")


def count(conn: psycopg.Connection, sql: str) -> int:
    with conn.transaction():
        row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def writer(table: str) -> Any:
    def handle(conn: psycopg.Connection, work: he.Work) -> None:
        seq_no = work.hootsuite_event.seq_no if work.hootsuite_event else None
        conn.execute(f"INSERT INTO {table} (key, seq_no) VALUES (%s, %s)", (work.unit.key, seq_no))

    return handle


def test_the_texts_are_the_cores() -> None:
    p = PostgresProtocol()
    assert (p.table, p.retention_ms) == (DEFAULT_TABLE, he.DEFAULT_RETENTION_MS) == ("hootsuite_events_inbox", 604800000)
    assert p.migration == MIGRATION and "CREATE TABLE IF NOT EXISTS hootsuite_events_inbox" in MIGRATION
    assert p.cleanup == CLEANUP and "604800000 milliseconds" in CLEANUP
    sql, params = p.claim("hs:1:2", "rejected")
    assert sql == p.claim_sql and params == ["hs:1:2", "rejected"] and "pg_try_advisory_xact_lock" in sql
    assert [PostgresProtocol.parse_claim(*r) for r in [(True, True), (True, False), (False, False)]] == ["claimed", "done", "in_progress"]
    assert p.seal == "SELECT 1"


def test_bad_arguments_are_refused_precisely(pg: Dict[str, str]) -> None:
    with connect(pg) as conn:
        with pytest.raises(he.InvalidArgumentError, match="table") as e:
            PostgresInbox(conn, table="Bad Name")
        assert e.value.field == "table"
        with pytest.raises(he.InvalidArgumentError, match="retention_ms"):
            PostgresInbox(conn, retention_ms=0)
        with pytest.raises(TypeError, match="psycopg connection or a psycopg_pool pool"):
            PostgresInbox(object())
    p = PostgresProtocol()
    with pytest.raises(he.InvalidArgumentError, match="kind"):
        p.claim("k", "other")
    with pytest.raises(he.InvalidArgumentError, match="key"):
        p.claim("", "notification")
    with pytest.raises(he.InvalidArgumentError, match="reply"):
        PostgresProtocol.parse_claim(False, True)


def test_processed_once_skipped_on_replay_and_rolled_back_on_failure(pg: Dict[str, str]) -> None:
    with connect(pg) as conn:
        inbox = PostgresInbox(conn, table="py_inbox_a", retention_ms=60_000)
        inbox.migrate()
        inbox.migrate()
        app_table(conn, "py_effects_a")
        n = notification("1", "2")
        write = writer("py_effects_a")

        def fail_second(c: psycopg.Connection, w: he.Work) -> None:
            write(c, w)
            if w.unit.key == "hs:3:2":
                raise RuntimeError("the handler failed")

        with pytest.raises(RuntimeError, match="the handler failed"):
            inbox.process(n, fail_second)
        assert count(conn, "SELECT count(*) FROM py_effects_a") == 1
        assert count(conn, "SELECT count(*) FROM py_inbox_a") == 1
        assert count(conn, "SELECT count(*) FROM py_effects_a WHERE key = 'hs:3:2'") == 0, "rolled back with its unit"
        retry = inbox.process(n, write)
        assert (retry.status, retry.processed, retry.skipped) == (200, 1, 1)

        def never(c: Any, w: Any) -> None:
            raise AssertionError("called for a unit done before")

        replay = inbox.process(n, never)
        assert (replay.status, replay.processed, replay.skipped, replay.in_progress) == (200, 0, 2, 0)
        assert count(conn, "SELECT count(*) FROM py_effects_a") == 2
        with conn.transaction():
            kinds = conn.execute("SELECT key, kind FROM py_inbox_a ORDER BY key").fetchall()
        assert kinds == [("hs:3:1", "hootsuite_event"), ("hs:3:2", "hootsuite_event")]
        assert repr(inbox) == "PostgresInbox(table='py_inbox_a', retention_ms=60000)"


def test_a_swallowed_database_error_is_not_counted_as_done(pg: Dict[str, str]) -> None:
    with connect(pg, autocommit=True) as conn:
        inbox = PostgresInbox(conn, table="py_inbox_b")
        inbox.migrate()

        def swallow(c: psycopg.Connection, w: he.Work) -> None:
            try:
                c.execute("INSERT INTO no_such_table VALUES (1)")
            except psycopg.errors.UndefinedTable:
                pass  # the transaction is aborted now

        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            inbox.process(notification("1"), swallow)
        assert count(conn, "SELECT count(*) FROM py_inbox_b") == 0
        assert inbox.process(notification("1"), lambda c, w: None).processed == 1


def test_a_connection_inside_a_transaction_is_refused(pg: Dict[str, str]) -> None:
    with connect(pg) as conn:
        inbox = PostgresInbox(conn, table="py_inbox_t")
        inbox.migrate()
        conn.execute("SELECT 1")  # a transaction of the caller's, still open
        with pytest.raises(RuntimeError, match="not idle"):
            inbox.process(notification("1"), lambda c, w: None)
        conn.rollback()
        assert inbox.process(notification("1"), lambda c, w: None).processed == 1


def test_rejected_events_are_recorded_once_without_the_handler(pg: Dict[str, str]) -> None:
    with connect(pg) as conn:
        inbox = PostgresInbox(conn, table="py_inbox_r")
        inbox.migrate()
        app_table(conn, "py_effects_r")
        bad = {"seq_no": "9", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}}
        n = notification("1", instance=2, extra=[bad])
        first = inbox.process(n, writer("py_effects_r"))
        assert (first.status, first.processed, len(first.rejected)) == (200, 1, 1)
        assert first.rejected[0].position == 1
        again = inbox.process(n, writer("py_effects_r"))
        assert (again.processed, again.skipped, again.rejected) == (0, 2, [])
        assert count(conn, "SELECT count(*) FROM py_inbox_r WHERE kind = 'rejected'") == 1
        assert count(conn, "SELECT count(*) FROM py_effects_r") == 1


def test_a_concurrent_delivery_is_in_progress_at_once_then_done(pg: Dict[str, str]) -> None:
    with connect(pg) as a, connect(pg) as b:
        holder = PostgresInbox(a, table="py_inbox_c")
        holder.migrate()
        app_table(a, "py_effects_c")
        inside, go = threading.Event(), threading.Event()
        outcomes: List[Any] = []

        def hold(c: psycopg.Connection, w: he.Work) -> None:
            writer("py_effects_c")(c, w)
            inside.set()
            assert go.wait(20)

        t = threading.Thread(target=lambda: outcomes.append(holder.process(notification("1", instance=4), hold)))
        t.start()
        try:
            assert inside.wait(20), "the first delivery reached its handler"
            other = PostgresInbox(b, table="py_inbox_c")
            started = time.monotonic()
            second = other.process(notification("1", instance=4), lambda c, w: None)
            assert (second.status, second.in_progress) == (409, 1)
            assert time.monotonic() - started < 2, "answered without waiting for the other transaction"
        finally:
            go.set()
            t.join(20)
        assert outcomes[0].processed == 1
        third = other.process(notification("1", instance=4), lambda c, w: None)
        assert (third.status, third.skipped) == (200, 1)
        assert count(b, "SELECT count(*) FROM py_effects_c") == 1


def test_of_eight_concurrent_deliveries_exactly_one_commits(pg: Dict[str, str]) -> None:
    conns = [connect(pg) for _ in range(8)]
    try:
        inboxes = [PostgresInbox(c, table="py_inbox_e") for c in conns]
        barrier = threading.Barrier(8)

        def run(inbox: PostgresInbox, results: List[Any], body: he.Notification) -> None:
            barrier.wait(10)
            results.append(inbox.process(body, slow))

        def slow(c: psycopg.Connection, w: he.Work) -> None:
            writer("py_effects_e")(c, w)
            time.sleep(0.02)

        threads = [threading.Thread(target=lambda i=i: (barrier.wait(10), inboxes[i].migrate())) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        app_table(conns[0], "py_effects_e")
        for round_ in range(5):
            results: List[Any] = []
            body = notification(str(round_), instance=5)
            threads = [threading.Thread(target=run, args=(inbox, results, body)) for inbox in inboxes]
            for t in threads:
                t.start()
            for t in threads:
                t.join(20)
            assert len(results) == 8
            assert sum(o.processed for o in results) == 1, [(o.processed, o.skipped, o.in_progress) for o in results]
            assert all(o.processed + o.skipped + o.in_progress == 1 for o in results)
        assert count(conns[0], "SELECT count(*) FROM py_effects_e") == 5
        assert count(conns[0], "SELECT count(DISTINCT key) FROM py_effects_e") == 5
    finally:
        for c in conns:
            c.close()


def test_a_pool_serves_concurrent_notifications(pg: Dict[str, str]) -> None:
    with psycopg_pool.ConnectionPool(pg["url"], min_size=1, max_size=4, open=True, timeout=10) as pool:
        inbox = PostgresInbox(pool, table="py_inbox_p")
        inbox.migrate()
        with pool.connection() as c:
            app_table(c, "py_effects_p")
        results: List[Any] = []
        threads = [threading.Thread(target=lambda i=i: results.append(inbox.process(notification(str(i), str(i + 100), instance=8), writer("py_effects_p")))) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert sum(o.processed for o in results) == 12
        with pool.connection() as c:
            assert count(c, "SELECT count(DISTINCT key) FROM py_effects_p") == 12


def test_cleanup_removes_only_rows_past_the_retention(pg: Dict[str, str]) -> None:
    with connect(pg) as conn:
        with conn.transaction():
            conn.execute("CREATE SCHEMA IF NOT EXISTS app")
        inbox = PostgresInbox(conn, table="app.py_inbox_d", retention_ms=3_600_000)
        inbox.migrate()
        n = notification("1", "2", "3", instance=6)
        inbox.process(n, lambda c, w: None)
        with conn.transaction():
            conn.execute("UPDATE app.py_inbox_d SET done_at = now() - interval '2 hours' WHERE key = 'hs:6:1'")
            conn.execute("UPDATE app.py_inbox_d SET done_at = now() - interval '59 minutes' WHERE key = 'hs:6:2'")
        assert inbox.cleanup() == 1
        with conn.transaction():
            left = [r[0] for r in conn.execute("SELECT key FROM app.py_inbox_d ORDER BY key")]
        assert left == ["hs:6:2", "hs:6:3"]
        again = inbox.process(n, lambda c, w: None)
        assert (again.processed, again.skipped) == (1, 2)


CHILD = """
import json, sys, time
import psycopg
import hootsuite_events as he
from hootsuite_events.postgres import PostgresInbox
conn = psycopg.connect(sys.argv[1], connect_timeout=5)
n = he.parse_event_notification(json.dumps({"message": {"instanceId": 7, "raw": [{"seq_no": "1", "type": "t"}]}}).encode())
def handle(c, w):
    c.execute("INSERT INTO py_effects_k (key) VALUES (%s)", (w.unit.key,))
    print("inside-the-transaction", flush=True)
    time.sleep(60)
PostgresInbox(conn, table="py_inbox_k").process(n, handle)
"""


def test_a_process_killed_inside_the_transaction_leaves_nothing_and_the_retry_processes_once(pg: Dict[str, str]) -> None:
    with connect(pg) as conn:
        inbox = PostgresInbox(conn, table="py_inbox_k")
        inbox.migrate()
        app_table(conn, "py_effects_k")
        child = subprocess.Popen([sys.executable, "-c", CHILD, pg["url"]], stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout is not None
            reached = threading.Event()
            threading.Thread(target=lambda: (child.stdout.readline() == "inside-the-transaction\n") and reached.set(), daemon=True).start()  # type: ignore[union-attr]
            assert reached.wait(30), "the child reached its handler"
        finally:
            child.kill()  # SIGKILL
            child.wait(10)
        n = notification("1", instance=7)
        calls: List[str] = []
        deadline = time.monotonic() + 20
        while True:
            assert count(conn, "SELECT count(*) FROM py_effects_k") == 0, "nothing of the killed transaction is visible"
            o = inbox.process(n, lambda c, w: (calls.append(w.unit.key), writer("py_effects_k")(c, w)))
            if o.in_progress == 0:
                break
            assert time.monotonic() < deadline, "the killed transaction still holds the unit"
            time.sleep(0.02)
        assert (o.status, o.processed, calls) == (200, 1, ["hs:7:1"])
        assert count(conn, "SELECT count(*) FROM py_effects_k") == 1
        assert count(conn, "SELECT count(*) FROM py_inbox_k") == 1


def test_async_inbox(pg: Dict[str, str]) -> None:
    async def main() -> None:
        a = await psycopg.AsyncConnection.connect(pg["url"], connect_timeout=5)
        b = await psycopg.AsyncConnection.connect(pg["url"], connect_timeout=5, autocommit=True)
        try:
            inbox = AsyncPostgresInbox(a, table="pya_inbox", retention_ms=60_000)
            await inbox.migrate()
            async with a.transaction():
                await a.execute("CREATE TABLE pya_effects (key text NOT NULL)")

            async def write(c: psycopg.AsyncConnection, w: he.Work) -> None:
                await c.execute("INSERT INTO pya_effects (key) VALUES (%s)", (w.unit.key,))

            async def fail_second(c: psycopg.AsyncConnection, w: he.Work) -> None:
                await write(c, w)
                if w.unit.key == "hs:3:2":
                    raise RuntimeError("the handler failed")

            n = notification("1", "2")
            with pytest.raises(RuntimeError, match="the handler failed"):
                await inbox.process(n, fail_second)
            first = await inbox.process(n, write)
            replay = await inbox.process(n, write)
            assert (first.processed, first.skipped, replay.skipped, replay.status) == (1, 1, 2, 200)

            # A concurrent delivery on another connection: in progress at once, then done.
            inside, go = asyncio.Event(), asyncio.Event()

            async def hold(c: psycopg.AsyncConnection, w: he.Work) -> None:
                await write(c, w)
                inside.set()
                await asyncio.wait_for(go.wait(), 20)

            held = asyncio.ensure_future(inbox.process(notification("1", instance=9), hold))
            await asyncio.wait_for(inside.wait(), 20)
            other = AsyncPostgresInbox(b, table="pya_inbox")
            second = await asyncio.wait_for(other.process(notification("1", instance=9), write), 2)
            assert (second.status, second.in_progress) == (409, 1)
            go.set()
            assert (await held).processed == 1
            assert (await other.process(notification("1", instance=9), write)).skipped == 1
            # A sync handler works too; rejected units are recorded without it.
            bad = {"seq_no": "9", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}}
            r = await other.process(notification("5", instance=10, extra=[bad]), lambda c, w: None)
            assert (r.processed, len(r.rejected)) == (1, 1)
            row = await (await b.execute("SELECT count(*), count(DISTINCT key) FROM pya_effects")).fetchone()
            assert row == (3, 3)
            # Old rows go, new ones stay.
            await b.execute("UPDATE pya_inbox SET done_at = now() - interval '2 minutes' WHERE key = 'hs:3:1'")
            assert await inbox.cleanup() == 1
        finally:
            await a.close()
            await b.close()

        async with psycopg_pool.AsyncConnectionPool(pg["url"], min_size=1, max_size=3, open=False, timeout=10) as pool:
            pooled = AsyncPostgresInbox(pool, table="pya_inbox")
            outcomes = await asyncio.gather(*(pooled.process(notification(str(i), instance=11), lambda c, w: None) for i in range(5)))
            assert sum(o.processed for o in outcomes) == 5

    asyncio.run(main())


def test_the_package_imports_without_psycopg() -> None:
    """``import hootsuite_events`` and ``hootsuite_events.postgres`` never import psycopg."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('psycopg', 'psycopg_pool'):\n"
        "            raise ImportError('psycopg blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import hootsuite_events, hootsuite_events.postgres as p\n"
        "assert 'psycopg' not in sys.modules\n"
        "print(p.PostgresProtocol().table, p.MIGRATION.splitlines()[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "hootsuite_events_inbox CREATE TABLE IF NOT EXISTS hootsuite_events_inbox ("
