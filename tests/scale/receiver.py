"""A Python receiver of the scale test: verify, process each unit once through the shared Redis
store, record each processed unit in Redis (outside the store), answer. Faults are injected
here (the emulator's faults are for its own API), at most once per delivery (webhook id).

    receiver.py NAME PORT REDIS_PORT   (environment: see tests/scale/run.py)
"""

from __future__ import annotations

import http.server
import os
import sys
import time
import zlib

import redis

import hootsuite_events as he
from hootsuite_events.redis import RedisStore

NAME, PORT, REDIS_PORT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
KEYS = [k for k in os.environ["SCALE_KEYS"].split(",") if k]
LEASE_MS = int(os.environ["SCALE_LEASE_MS"])
FAULT_500, FAULT_HANG = int(os.environ["SCALE_FAULT_500"]), int(os.environ["SCALE_FAULT_HANG"])
HANG_MS = int(os.environ["SCALE_HANG_MS"])
HOLD_FROM = int(os.environ.get("SCALE_HOLD_FROM") or 0)  # the victim holds the first unit it claims from here
# The victim serves one request at a time, so it has nothing else in flight when it is killed.
SINGLE = os.environ.get("SCALE_SINGLE_THREADED") == "1"

client = redis.Redis(host="127.0.0.1", port=REDIS_PORT)
# One namespace for every receiver, Python and Node: the same keys and scripts.
store = RedisStore(client, namespace="scale")


def fault_for(webhook_id: str) -> str:
    """The fault this delivery gets the first time a receiver sees it: '500', 'hang' or ''."""
    bucket = zlib.crc32(webhook_id.encode()) % 100
    kind = "500" if bucket < FAULT_500 else "hang" if bucket < FAULT_500 + FAULT_HANG else ""
    # Once per delivery, whichever receiver sees it first: the retry then goes through.
    if kind and client.set(f"scale:fault:{webhook_id}", NAME, nx=True, ex=3600):
        return kind
    return ""


class Injected500(Exception):
    pass


def handle_unit(work: he.Work, fault: dict) -> None:
    seq_no = work.hootsuite_event.seq_no if work.hootsuite_event else work.unit.key
    if fault["kind"] == "500":
        fault["kind"], fault["fired"] = "", "500"
        raise Injected500("injected failure")  # process releases the claim and rethrows
    if HOLD_FROM and seq_no and int(seq_no) >= HOLD_FROM:
        # Claim held, side effect not done: the driver kills us now (deterministically here).
        client.set("scale:holding", f"{NAME}:{seq_no}:{os.getpid()}")
        time.sleep(60)
    # The side effect, durable outside the store, then process completes the claim.
    client.rpush("scale:processed", f"{seq_no}|{NAME}|{os.getpid()}")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        webhook_id = self.headers.get("Elements-Webhook-Id", "")
        fault = {"kind": fault_for(webhook_id) if webhook_id else ""}
        if fault["kind"] == "hang":
            time.sleep(HANG_MS / 1000)  # past the emulator's delivery timeout; then carry on
        try:
            notification = he.verify_event(KEYS, dict(self.headers.items()), body)
        except he.SignatureError:
            return self.answer(401, webhook_id, fault)
        except he.HootsuiteEventsError:
            return self.answer(400, webhook_id, fault)
        try:
            outcome = he.process(store, notification, lambda w: handle_unit(w, fault), lease_ms=LEASE_MS)
            for r in outcome.rejected:  # recorded once by the store, whichever receiver claimed it
                client.rpush("scale:rejected", f"{r.key}|{NAME}")
            status = he.STATUS_FAILED if fault["kind"] == "500" else outcome.status  # all skipped: fail anyway
        except Injected500:
            status = he.STATUS_FAILED
        self.answer(status, webhook_id, fault)

    def answer(self, status: int, webhook_id: str, fault: dict) -> None:
        injected = fault["kind"] or fault.get("fired", "")
        client.rpush("scale:attempts", f"{webhook_id}|{NAME}|{status}|{injected}")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


server_class = http.server.HTTPServer if SINGLE else http.server.ThreadingHTTPServer
server_class.allow_reuse_address = True
server = server_class(("127.0.0.1", PORT), Handler)
print(f"{NAME} ready pid={os.getpid()} store={store.namespace}", flush=True)
server.serve_forever()
