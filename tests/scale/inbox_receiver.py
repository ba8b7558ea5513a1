"""A Python receiver of the inbox's scale test: verify, process each unit through the
PostgreSQL inbox, writing each Hootsuite event into the app table `scale_events` with a plain
INSERT (no unique key, nothing idempotent), answer. Started with SCALE_KILL=<point>, it
SIGKILLs itself once, at that point of a delivery picked at random:

- `before-write`: inside a unit's transaction, the unit claimed, before its INSERT;
- `after-write`: inside a unit's transaction, after its INSERT, before the commit;
- `after-commit`: after the delivery's units committed, before the answer.

    inbox_receiver.py NAME PORT DATABASE_URL
"""

from __future__ import annotations

import http.server
import os
import random
import signal
import sys

from psycopg_pool import ConnectionPool

import hootsuite_events as he
from hootsuite_events.postgres import PostgresInbox

NAME, PORT, DATABASE_URL = sys.argv[1], int(sys.argv[2]), sys.argv[3]
KEYS = [k for k in os.environ["SCALE_KEYS"].split(",") if k]
KILL = os.environ.get("SCALE_KILL", "")
ARM_PERCENT = int(os.environ.get("SCALE_ARM_PERCENT", "30"))
rng = random.Random()

pool = ConnectionPool(DATABASE_URL, min_size=1, max_size=4, open=True, timeout=10)
inbox = PostgresInbox(pool, table="scale_inbox")


def die(point: str, detail: str) -> None:
    print(f"KILL {NAME} pid={os.getpid()} point={point} {detail}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            notification = he.verify_event(KEYS, dict(self.headers.items()), body)
        except he.SignatureError:
            return self.answer(401)
        except he.HootsuiteEventsError:
            return self.answer(400)
        armed = bool(KILL) and rng.randrange(100) < ARM_PERCENT
        at = rng.randrange(5)  # which handler call of the delivery, for the in-transaction points
        calls = [0]

        def handle(conn: object, work: he.Work) -> None:
            seq_no = work.hootsuite_event.seq_no if work.hootsuite_event else None
            if armed and KILL == "before-write" and calls[0] == at:
                die(KILL, f"seq_no={seq_no}")
            conn.execute(  # type: ignore[attr-defined]
                "INSERT INTO scale_events (seq_no, receiver, pid) VALUES (%s, %s, %s)", (int(seq_no or -1), NAME, os.getpid())
            )
            if armed and KILL == "after-write" and calls[0] == at:
                die(KILL, f"seq_no={seq_no}")
            calls[0] += 1

        try:
            outcome = inbox.process(notification, handle)
            status = outcome.status
            if armed and KILL == "after-commit" and outcome.processed:
                die(KILL, f"committed={outcome.processed}")
        except Exception as e:  # a database error: the retry comes back
            print(f"{NAME}: processing failed: {e}", flush=True)
            status = he.STATUS_FAILED
        self.answer(status)

    def answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self.answer(200)

    def log_message(self, *args: object) -> None:
        pass


http.server.ThreadingHTTPServer.allow_reuse_address = True
server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print(f"{NAME} ready pid={os.getpid()} kill={KILL or '-'}", flush=True)
server.serve_forever()
