"""The whole flow against the real emulator: urllib does the HTTP, an http.server receiver
verifies and parses the delivered event. Loopback only; every wait is bounded."""

from __future__ import annotations

import http.server
import json
import queue
import threading
import time
import urllib.error
import urllib.request

import pytest

import hootsuite_events as he


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def send(req: he.Request):
    """(status, headers, body) of a request, whatever the status."""
    r = urllib.request.Request(req.url, data=req.body or None, headers=req.headers, method=req.method)
    try:
        with OPENER.open(r, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


def consent(url: str) -> str:
    try:
        OPENER.open(url, timeout=10)
    except urllib.error.HTTPError as e:
        assert e.code == 302
        return e.headers["Location"]
    raise AssertionError("the consent page did not redirect")


@pytest.fixture()
def receiver():
    """An http.server that verifies each delivery and queues the parsed notification."""
    got: "queue.Queue[he.Notification]" = queue.Queue()
    key = "py-flow-key"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                got.put(he.verify_event(key, self.headers, body))
                self.send_response(200)
            except he.HootsuiteEventsError:
                self.send_response(401)
            self.end_headers()

        def log_message(self, *args):  # keep test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/events", key, got
    server.shutdown()
    server.server_close()


def test_connect_and_receive(emulator, receiver):
    url, key, got = receiver
    config = he.Config(emulator["base_url"], emulator["user_secret"], emulator["organization_secret"])
    callback = "https://app.example/cb"

    consent_url = he.parse_redirect_url(*send(he.redirect_url_request(config, "cid", "csecret", callback, state="s-42"))).oauth_url
    code = he.parse_callback(consent(consent_url), "s-42")
    body = {
        "element": {"key": "hootsuite"},
        "providerData": {"code": code.get_secret_value()},
        "configuration": {
            "oauth.callback.url": callback, "oauth.api.key": "cid", "oauth.api.secret": "csecret",
            "event.notification.enabled": "true",
            "event.notification.callback.url": emulator["base_url"] + "/events/hootsuite",
            "event.notification.signature.key": key,
        },
        "name": "Python flow",
    }
    instance = he.parse_instance(*send(he.create_instance_request(config, body)))
    assert instance.events_enabled and instance.configuration["event.notification.signature.key"] == "********"
    assert instance.token and instance.token not in repr(instance)

    updated = he.parse_instance(*send(he.update_event_callback_request(config, instance.id, url)))
    assert updated.configuration["event.notification.callback.url"] == url

    webhook = he.hootsuite_webhook_url(config.base_url, instance.id)
    payload = json.dumps([{"seq_no": "77", "type": "com.hootsuite.messages.event.v1",
                           "data": {"state": "SENT", "message": {"id": "m-77"}}}]).encode()
    status, _, _ = send_raw("POST", webhook, payload)
    assert status == 200
    n = got.get(timeout=10)
    assert n.instance_id == instance.id and n.webhook_id and n.key_index == 0
    assert [(u.key, u.kind, u.index) for u in n.units] == [(f"hs:{instance.id}:77", "hootsuite_event", 0)]
    # The envelope and message fields the emulator sends as Cloud Elements does, kept.
    assert (n.topic, n.action, n.instance_name, n.account_id, n.user_id) == ("events", "create", "Python flow", "10", "1")
    assert n.id and n.created_date and n.user["id"] == 1 and n.message_extra == {} and n.extra == {}
    assert n.events[0].object_id == "m-77" and n.events[0].event_type == "UPDATED"
    assert n.hootsuite_events[0].data == {"kind": "message", "state": "SENT", "message_id": "m-77",
                                          "organization_id": None, "timestamp": None}

    deadline = time.monotonic() + 10
    while True:
        events = he.parse_instance_events(*send(he.instance_events_request(config, instance.id)))
        if events and events[0].status == "NOTIFIED":
            break
        assert time.monotonic() < deadline, events
        time.sleep(0.02)

    page = he.parse_instance_page(*send(he.list_instances_request(config, search_text="python flow")))
    assert [i.id for i in page.instances] == [instance.id]
    assert (page.total_count, page.returned_count) == (1, 1)

    # The events API: paged per instance and across the account, one event back by the
    # notification's eventId, as a receiver checks what a notification claims.
    ev_page = he.parse_instance_event_page(*send(he.instance_events_page_request(config, instance.id, page_size=1)))
    assert ev_page.total_count == 1 and ev_page.next_page is None and ev_page.events[0].event_date
    account = he.parse_instance_event_page(*send(he.instance_events_page_request(config, None)))
    assert [e.id for e in account.events] == [ev_page.events[0].id]
    one = he.parse_instance_event(*send(he.instance_event_request(config, None, n.event_id)))
    assert one.id == n.event_id and one.status == "NOTIFIED" and "m-77" in (one.provider_data or "")

    # Configuration: read the entries, switch events off through the entry's id.
    entries = he.parse_configuration(*send(he.configuration_request(config, instance.id)))
    switch = next(e for e in entries if e.key == "event.notification.enabled")
    assert next(e for e in entries if e.key == "oauth.api.secret").property_value == "********"
    entry = he.parse_configuration_entry(*send(he.update_configuration_request(config, instance.id, switch.id, "false")))
    assert (entry.id, entry.property_value) == (switch.id, "false")
    assert not he.parse_instance(*send(he.get_instance_request(config, instance.id))).events_enabled

    he.parse_empty(*send(he.delete_instance_request(config, instance.id)))
    with pytest.raises(he.ApiError) as info:
        he.parse_instance(*send(he.get_instance_request(config, instance.id)))
    assert info.value.status == 404 and info.value.request_id


def send_raw(method: str, url: str, body: bytes):
    r = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method=method)
    with OPENER.open(r, timeout=10) as resp:
        return resp.status, dict(resp.headers.items()), resp.read()


def test_requests_and_httpx_style_responses(emulator):
    requests = pytest.importorskip("requests")
    config = he.Config(emulator["base_url"], "wrong", "secrets")
    req = he.get_instance_request(config, 1)
    resp = requests.request(req.method, req.url, headers=req.headers, data=req.body, timeout=10)
    with pytest.raises(he.ApiError) as info:
        he.parse_instance(resp)  # the response object as it is
    assert info.value.status == 401
    assert "wrong" not in str(info.value) and "secrets" not in str(info.value)
