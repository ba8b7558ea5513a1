"""Receiving Hootsuite events with Flask: verify, process each unit of work once, answer.

    HOOTSUITE_EVENTS_SIGNATURE_KEY=... flask --app flask_receiver run

During a key rotation, set HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY to the key being replaced:
Cloud Elements retries deliveries signed with it for about 73 hours.
"""

import logging
import os

from flask import Flask, request

import hootsuite_events as he

log = logging.getLogger(__name__)

# The current key first, then the one it replaced (while deliveries signed with it may come).
KEYS = [os.environ["HOOTSUITE_EVENTS_SIGNATURE_KEY"]] + [
    k for k in [os.environ.get("HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY")] if k
]
store = he.MemoryStore()  # one process; several processes share a store (Redis) instead
queue: list = []  # stand-in for your job queue

app = Flask(__name__)


def handle(work: he.Work) -> None:
    """One unit of work: a Hootsuite event (or a Cloud Elements event). Keep it quick: Cloud
    Elements waits for the answer. Raising makes Cloud Elements retry this unit later."""
    event = work.hootsuite_event or work.element_event
    queue.append((work.notification.instance_id, work.unit.key, event))


@app.post("/hootsuite/events")
def hootsuite_events():
    # The raw bytes (the signature covers them exactly), verified, then each unit once, however
    # often it is delivered (retries, split batches, replays). With opentelemetry-api
    # installed, each delivery is a span tree and counts in the receiver's metrics.
    receipt = he.receive(KEYS, store, request.headers, request.get_data(), handle)
    if receipt.error is not None:
        log.warning("delivery answered %s: %r", receipt.status, receipt.error)
    # A signed batch is not refused for an event that cannot be read (a refused delivery is
    # retried until Cloud Elements switches the subscription off): it is recorded once, here.
    for r in receipt.outcome.rejected if receipt.outcome else []:
        log.warning("rejected event %s at %s: %s", r.key, r.path, r.message)
    # 200, 409 while another process holds a unit, 500 after a failure, 401 or 400 refused.
    return "", receipt.status
