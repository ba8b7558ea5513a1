"""Receiving Hootsuite events with FastAPI into PostgreSQL through the transactional inbox:
each Hootsuite event becomes one row of the application's table, written in the same
transaction that records its unit of work, so it is written exactly once (retries, replays,
split batches, a crash mid-handler) by a plain INSERT: the handler need not be idempotent.

    DATABASE_URL=postgresql://... HOOTSUITE_EVENTS_SIGNATURE_KEY=... uvicorn fastapi_postgres_receiver:app

During a key rotation, set HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY to the key being replaced.
"""

import json
import logging
import os
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request, Response
from psycopg_pool import AsyncConnectionPool

import hootsuite_events as he
from hootsuite_events.postgres import AsyncPostgresInbox

log = logging.getLogger(__name__)

KEYS = [os.environ["HOOTSUITE_EVENTS_SIGNATURE_KEY"]] + [
    k for k in [os.environ.get("HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY")] if k
]
pool = AsyncConnectionPool(os.environ["DATABASE_URL"], open=False, min_size=1, max_size=8)
inbox = AsyncPostgresInbox(pool)

# The application's table: one row per Hootsuite event (no unique key needed).
APP_TABLE = """CREATE TABLE IF NOT EXISTS hootsuite_events_received (
    unit_key text NOT NULL,
    instance_id text,
    seq_no text,
    type text NOT NULL,
    data jsonb,
    received_at timestamptz NOT NULL DEFAULT now()
)"""


async def handle(conn: Any, work: he.Work) -> None:
    """One unit of work, written on the inbox's open transaction (``conn``). Raising rolls
    the unit back (its row too) and makes Cloud Elements retry it."""
    e = work.hootsuite_event
    if e is None:
        return  # a Cloud Elements event without Hootsuite's raw payload: nothing to store here
    await conn.execute(
        "INSERT INTO hootsuite_events_received (unit_key, instance_id, seq_no, type, data) VALUES (%s, %s, %s, %s, %s)",
        (work.unit.key, str(work.notification.instance_id), e.seq_no, e.type, json.dumps(e.data)),
    )


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await pool.open()
    await inbox.migrate()  # or run hootsuite_events.postgres.MIGRATION with your migrations
    async with pool.connection() as conn:
        await conn.execute(APP_TABLE)
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/hootsuite/events")
async def hootsuite_events(request: Request) -> Response:
    try:
        # The raw bytes: the signature covers them exactly.
        notification = he.verify_event(KEYS, request.headers, await request.body())
    except he.SignatureError:
        return Response(status_code=401)
    except he.ParseError:
        return Response(status_code=400)
    try:
        outcome = await inbox.process(notification, handle)
    except Exception:
        # The failed unit's transaction was rolled back: Cloud Elements retries it.
        log.exception("processing failed")
        return Response(status_code=he.STATUS_FAILED)
    for r in outcome.rejected:
        log.warning("rejected event %s at %s: %s", r.key, r.path, r.message)
    return Response(status_code=outcome.status)  # 200, or 409 while another transaction holds a unit
