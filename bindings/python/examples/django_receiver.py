"""Receiving Hootsuite events with Django, as a one-file project: verify, process each unit of
work once, answer. In a Django project, the view below goes into an app's views.py.

    HOOTSUITE_EVENTS_SIGNATURE_KEY=... DJANGO_SECRET_KEY=... python django_receiver.py runserver

During a key rotation, set HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY to the key being replaced:
Cloud Elements retries deliveries signed with it for about 73 hours.
"""

import logging
import os
import secrets
import sys

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

import hootsuite_events as he

log = logging.getLogger(__name__)

settings.configure(
    DEBUG=False,
    # No session or signed cookie uses it here; a real project sets its own.
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
    ALLOWED_HOSTS=os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(","),
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
)

# The current key first, then the one it replaced (while deliveries signed with it may come).
KEYS = [os.environ["HOOTSUITE_EVENTS_SIGNATURE_KEY"]] + [
    k for k in [os.environ.get("HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY")] if k
]
store = he.MemoryStore()  # one process; several processes share a store (Redis) instead
queue: list = []  # stand-in for your job queue


def handle(work: he.Work) -> None:
    """One unit of work: a Hootsuite event (or a Cloud Elements event). Keep it quick: Cloud
    Elements waits for the answer. Raising makes Cloud Elements retry this unit later."""
    event = work.hootsuite_event or work.element_event
    queue.append((work.notification.instance_id, work.unit.key, event))


@csrf_exempt  # Cloud Elements signs its deliveries; it has no CSRF token
@require_POST
def hootsuite_events(request: HttpRequest) -> HttpResponse:
    # The raw bytes (the signature covers them exactly), verified, then each unit once, however
    # often it is delivered (retries, split batches, replays). With opentelemetry-api
    # installed, each delivery is a span tree and counts in the receiver's metrics.
    receipt = he.receive(KEYS, store, request.headers, request.body, handle)
    if receipt.error is not None:
        log.warning("delivery answered %s: %r", receipt.status, receipt.error)
    # A signed batch is not refused for an event that cannot be read (a refused delivery is
    # retried until Cloud Elements switches the subscription off): it is recorded once, here.
    for r in receipt.outcome.rejected if receipt.outcome else []:
        log.warning("rejected event %s at %s: %s", r.key, r.path, r.message)
    # 200, 409 while another process holds a unit, 500 after a failure, 401 or 400 refused.
    return HttpResponse(status=receipt.status)


urlpatterns = [path("hootsuite/events", hootsuite_events)]
application = get_wsgi_application()

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
