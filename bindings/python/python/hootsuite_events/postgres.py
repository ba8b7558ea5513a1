"""The transactional inbox on PostgreSQL, through psycopg 3: ``PostgresInbox`` (a
``psycopg.Connection`` or a ``psycopg_pool.ConnectionPool``) and ``AsyncPostgresInbox`` (a
``psycopg.AsyncConnection`` or a ``psycopg_pool.AsyncConnectionPool``).

Each unit of work of a notification is processed in one transaction of your database: the
inbox records the unit as done in it, hands your handler the connection (``handler(conn,
work)``) to write its effects on, and commits both together. A handler exception rolls
everything back and propagates (answer 500: Cloud Elements retries); a process killed inside
the handler leaves nothing behind. The table, the migration and every statement are the Rust
core's (``PostgresProtocol``, the same in Rust, Python and Node). This module does not import
psycopg: the connection is yours, and the package works without psycopg installed.
"""

from __future__ import annotations

import threading

from ._native import CLEANUP, DEFAULT_RETENTION_MS, DEFAULT_TABLE, MIGRATION, PostgresProtocol
from .idempotency import _outcome, _refuse_awaitable, works

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    import asyncio
    from typing import Any, AsyncIterator, Awaitable, Callable, Iterator, List, Optional, Union

    from .types import Notification, Outcome, Rejected, Work

__all__ = ["PostgresInbox", "AsyncPostgresInbox", "PostgresProtocol", "DEFAULT_TABLE", "MIGRATION", "CLEANUP"]


class _Skip(Exception):
    """Leaves a unit's transaction (rolled back) when the unit is done or held elsewhere."""

    def __init__(self, status: str) -> None:
        self.status = status


def _kind(conn: Any) -> str:
    """``connection`` or ``pool``: what the inbox was given."""
    if callable(getattr(conn, "cursor", None)) and callable(getattr(conn, "transaction", None)):
        return "connection"
    if callable(getattr(conn, "connection", None)):
        return "pool"
    raise TypeError(
        f"conn: expected a psycopg connection or a psycopg_pool pool, got {type(conn).__name__}"
    )


def _status(row: Any) -> str:
    """The claim statement's one row ``(locked, inserted)`` as a status."""
    if row is None or len(row) != 2:
        raise RuntimeError(f"the inbox's claim statement answered {row!r}; expected one row (locked, inserted)")
    return PostgresProtocol.parse_claim(row[0], row[1])


def _check_idle(conn: Any) -> None:
    status = getattr(getattr(conn, "info", None), "transaction_status", None)
    name = getattr(status, "name", "IDLE")
    if name != "IDLE":
        raise RuntimeError(
            f"the connection is not idle ({name}): the inbox begins and commits each unit's own"
            " transaction; commit or roll back yours first"
        )


class PostgresInbox:
    """Processes each unit of a notification once, in one transaction with its effects.

    ``conn``: a ``psycopg.Connection`` (calls from several threads take turns on it) or a
    ``psycopg_pool.ConnectionPool`` (each ``process`` takes one of its connections). Rows are
    kept ``retention_ms`` before ``cleanup`` deletes them."""

    def __init__(self, conn: Any, *, table: str = DEFAULT_TABLE, retention_ms: int = DEFAULT_RETENTION_MS) -> None:
        self._given = _kind(conn)
        self._conn = conn
        self._lock = threading.Lock()
        self.protocol = PostgresProtocol(table, retention_ms)

    @property
    def table(self) -> str:
        return self.protocol.table

    def _connection(self) -> Any:
        import contextlib

        if self._given == "pool":
            return self._conn.connection()

        @contextlib.contextmanager
        def held() -> Iterator[Any]:
            with self._lock:
                yield self._conn

        return held()

    def migrate(self) -> None:
        """Creates the table and its index when missing, under an advisory lock."""
        with self._connection() as conn:
            _check_idle(conn)
            with conn.transaction():
                conn.execute(self.protocol.migration_lock)
                conn.execute(self.protocol.migration)

    def cleanup(self) -> int:
        """Deletes the rows done more than the retention ago; returns how many."""
        with self._connection() as conn:
            _check_idle(conn)
            with conn.transaction():
                return int(conn.execute(self.protocol.cleanup).rowcount)

    def process(self, notification: Notification, handler: Callable[[Any, Work], Any]) -> Outcome:
        """Calls ``handler(conn, work)`` once per unit of ``notification`` not processed before,
        inside the unit's transaction, and commits the effects with the unit's record. A unit
        another transaction holds is counted in ``outcome.in_progress`` (answer 409) at once.
        A handler exception rolls its unit back and propagates: answer 500. An event that could
        not be read is recorded without calling the handler and listed in ``outcome.rejected``.
        The handler must not commit or roll back the transaction itself."""
        from psycopg import RawCursor

        protocol = self.protocol
        processed = skipped = in_progress = 0
        rejected: List[Rejected] = []
        with self._connection() as conn:
            for work in works(notification):
                sql, params = protocol.claim(work.unit.key, work.unit.kind)
                _check_idle(conn)
                try:
                    with conn.transaction(), RawCursor(conn) as cur:
                        status = _status(cur.execute(sql, params).fetchone())
                        if status != "claimed":
                            raise _Skip(status)
                        if work.rejected is None:
                            _refuse_awaitable(handler(conn, work), "the handler")
                            cur.execute(protocol.seal)
                except _Skip as s:
                    if s.status == "done":
                        skipped += 1
                    else:
                        in_progress += 1
                    continue
                if work.rejected is not None:
                    rejected.append(work.rejected)
                else:
                    processed += 1
        return _outcome(processed, skipped, in_progress, 0, rejected)

    def __repr__(self) -> str:
        return f"PostgresInbox(table={self.table!r}, retention_ms={self.protocol.retention_ms})"


class AsyncPostgresInbox:
    """``PostgresInbox`` for asyncio: a ``psycopg.AsyncConnection`` (calls take turns on it) or
    a ``psycopg_pool.AsyncConnectionPool``; the handler may be a coroutine function."""

    def __init__(self, conn: Any, *, table: str = DEFAULT_TABLE, retention_ms: int = DEFAULT_RETENTION_MS) -> None:
        self._given = _kind(conn)
        self._conn = conn
        # Made in the first call: before 3.10, a Lock binds to the loop current at its creation.
        self._lock: Optional[asyncio.Lock] = None
        self.protocol = PostgresProtocol(table, retention_ms)

    @property
    def table(self) -> str:
        return self.protocol.table

    def _connection(self) -> Any:
        import contextlib

        if self._given == "pool":
            return self._conn.connection()

        @contextlib.asynccontextmanager
        async def held() -> AsyncIterator[Any]:
            if self._lock is None:
                import asyncio

                self._lock = asyncio.Lock()
            async with self._lock:
                yield self._conn

        return held()

    async def migrate(self) -> None:
        """Creates the table and its index when missing, under an advisory lock."""
        async with self._connection() as conn:
            _check_idle(conn)
            async with conn.transaction():
                await conn.execute(self.protocol.migration_lock)
                await conn.execute(self.protocol.migration)

    async def cleanup(self) -> int:
        """Deletes the rows done more than the retention ago; returns how many."""
        async with self._connection() as conn:
            _check_idle(conn)
            async with conn.transaction():
                return int((await conn.execute(self.protocol.cleanup)).rowcount)

    async def process(self, notification: Notification, handler: Callable[[Any, Work], Union[Any, Awaitable[Any]]]) -> Outcome:
        """``PostgresInbox.process`` awaited: ``handler(conn, work)`` may return an awaitable.
        A cancellation rolls the unit back like any exception."""
        from psycopg import AsyncRawCursor

        protocol = self.protocol
        processed = skipped = in_progress = 0
        rejected: List[Rejected] = []
        async with self._connection() as conn:
            for work in works(notification):
                sql, params = protocol.claim(work.unit.key, work.unit.kind)
                _check_idle(conn)
                try:
                    async with conn.transaction(), AsyncRawCursor(conn) as cur:
                        status = _status(await (await cur.execute(sql, params)).fetchone())
                        if status != "claimed":
                            raise _Skip(status)
                        if work.rejected is None:
                            result = handler(conn, work)
                            if hasattr(result, "__await__"):
                                await result
                            await cur.execute(protocol.seal)
                except _Skip as s:
                    if s.status == "done":
                        skipped += 1
                    else:
                        in_progress += 1
                    continue
                if work.rejected is not None:
                    rejected.append(work.rejected)
                else:
                    processed += 1
        return _outcome(processed, skipped, in_progress, 0, rejected)

    def __repr__(self) -> str:
        return f"AsyncPostgresInbox(table={self.table!r}, retention_ms={self.protocol.retention_ms})"
