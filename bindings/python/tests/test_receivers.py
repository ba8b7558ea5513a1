"""The example receivers (examples/*.py) on real loopback servers, getting the emulator's real
signed deliveries: a replay under other `Elements-Webhook-Id`s, a 45-event batch split in three,
a failure followed by Cloud Elements' retry, and a key rotation. Every wait is bounded."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

import hootsuite_events as he
from conftest import start_emulator
from test_flow import consent, send

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NEW_KEY, OLD_KEY = "receiver-key-new-5b1", "receiver-key-old-9c7"
WAIT_S = 15


@pytest.fixture(scope="module")
def emu() -> Iterator[Dict[str, str]]:
    # Retries at 2, 8, 32, 128, 512 ms, 2 s... after the first attempt: the rotation test
    # changes the key between two attempts.
    with start_emulator(retry_unit_us=500) as info:
        yield info


def load(name: str) -> Any:
    """An example file as a module, with the current and the previous key in its environment;
    once per process (Django configures its settings once), shared by the modules that test it,
    each with a store and a queue of its own (each module's emulator numbers its instances from
    the start)."""
    if name in sys.modules:
        module = sys.modules[name]
        module.store = he.MemoryStore()
        module.queue.clear()
        return module
    saved = {k: os.environ.get(k) for k in ("HOOTSUITE_EVENTS_SIGNATURE_KEY", "HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY")}
    os.environ["HOOTSUITE_EVENTS_SIGNATURE_KEY"] = NEW_KEY
    os.environ["HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY"] = OLD_KEY
    try:
        spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # Django imports its ROOT_URLCONF by name
        spec.loader.exec_module(module)
        return module
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


Seen = List[Tuple[Optional[str], int]]


def wsgi_recorder(app: Callable, seen: Seen) -> Callable:
    """Notes each request's `Elements-Webhook-Id` and the status answered."""

    def wrapped(environ: Dict[str, Any], start_response: Callable) -> Any:
        webhook_id = environ.get("HTTP_ELEMENTS_WEBHOOK_ID")

        def noting(status: str, headers: Any, exc_info: Any = None) -> Any:
            seen.append((webhook_id, int(status.split()[0])))
            return start_response(status, headers, exc_info)

        return app(environ, noting)

    return wrapped


def asgi_recorder(app: Callable, seen: Seen) -> Callable:
    async def wrapped(scope: Dict[str, Any], receive: Callable, send_: Callable) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send_)
        webhook_id = dict(scope["headers"]).get(b"elements-webhook-id", b"").decode() or None

        async def noting(message: Dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen.append((webhook_id, message["status"]))
            await send_(message)

        await app(scope, receive, noting)

    return wrapped


class Receiver:
    def __init__(self, name: str, module: Any, url: str, seen: Seen) -> None:
        self.name, self.module, self.url, self.seen = name, module, url, seen


@pytest.fixture(scope="module", params=["flask", "fastapi", "django"])
def receiver(request: Any) -> Iterator[Receiver]:
    name = request.param
    module = load(f"{name}_receiver")
    seen: Seen = []
    if name == "fastapi":
        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        uv = uvicorn.Server(uvicorn.Config(asgi_recorder(module.app, seen), log_level="critical", lifespan="off"))
        thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + WAIT_S
        while not uv.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.01)
        try:
            yield Receiver(name, module, f"http://127.0.0.1:{sock.getsockname()[1]}/hootsuite/events", seen)
        finally:
            uv.should_exit = True
            thread.join(timeout=WAIT_S)
            sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"
        return
    from werkzeug.serving import make_server

    app = module.app if name == "flask" else module.application
    server = make_server("127.0.0.1", 0, wsgi_recorder(app, seen), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(name, module, f"http://127.0.0.1:{server.server_port}/hootsuite/events", seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT_S)


class Calls:
    """The handler's calls: every attempt, and the units processed (the attempts that returned)."""

    def __init__(self) -> None:
        self.attempts: List[str] = []
        self.processed: List[Tuple[str, Optional[int]]] = []
        self.fail: Callable[[he.Work], bool] = lambda work: False


@pytest.fixture()
def calls(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Wraps the example's own `handle` (which still runs) to count and, when asked, fail."""
    c = Calls()
    original = receiver.module.handle
    receiver.seen.clear()

    def attempt(work: he.Work) -> None:
        c.attempts.append(work.unit.key)
        if c.fail(work):
            raise RuntimeError("processing failed (test)")

    def done(work: he.Work) -> None:
        c.processed.append((work.unit.key, work.notification.key_index))

    if asyncio.iscoroutinefunction(original):

        async def wrapped_async(work: he.Work) -> None:
            attempt(work)
            await asyncio.sleep(0)  # a real suspension point inside the handler
            await original(work)
            done(work)

        monkeypatch.setattr(receiver.module, "handle", wrapped_async)
    else:

        def wrapped(work: he.Work) -> None:
            attempt(work)
            original(work)
            done(work)

        monkeypatch.setattr(receiver.module, "handle", wrapped)
    return c


def emulator_post(emu: Dict[str, str], path: str, body: Optional[Dict[str, Any]] = None) -> Any:
    data = json.dumps(body).encode() if body is not None else b""
    r = urllib.request.Request(emu["base_url"] + path, data=data, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=10) as resp:
        return json.loads(resp.read())


def connect(emu: Dict[str, str], url: str, key: str) -> Tuple[he.Config, int]:
    """A new instance whose events go to `url`, signed with `key`."""
    config = he.Config(emu["base_url"], emu["user_secret"], emu["organization_secret"])
    callback = "https://app.example/cb"
    consent_url = he.parse_redirect_url(*send(he.redirect_url_request(config, "cid", "csecret", callback, state="st"))).oauth_url
    code = he.parse_callback(consent(consent_url), "st")
    body = {
        "element": {"key": "hootsuite"},
        "providerData": {"code": code.get_secret_value()},
        "configuration": {
            "oauth.callback.url": callback, "oauth.api.key": "cid", "oauth.api.secret": "csecret",
            "event.notification.enabled": True, "event.notification.callback.url": url,
            "event.notification.signature.key": key,
        },
        "name": "receiver test",
    }
    return config, he.parse_instance(*send(he.create_instance_request(config, body))).id


def sample(emu: Dict[str, str], instance_id: int, count: int = 1) -> List[int]:
    return emulator_post(emu, f"/emulator/instances/{instance_id}/sample-event?type=message&count={count}")["eventIds"]


def delivered(config: he.Config, instance_id: int, event_id: int) -> bool:
    """Whether the emulator recorded the event as delivered (it can then be replayed)."""
    events = he.parse_instance_events(*send(he.instance_events_request(config, instance_id)))
    return any(e.id == str(event_id) and e.status == "NOTIFIED" for e in events)


def wait_for(what: str, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not ready():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_a_replay_under_other_webhook_ids_is_processed_once(emu, receiver, calls):
    config, instance = connect(emu, receiver.url, NEW_KEY)
    [event_id] = sample(emu, instance)
    wait_for("the delivery", lambda: delivered(config, instance, event_id))
    for webhook_id in ("a", "b", "a"):
        emulator_post(emu, "/emulator/replay", {"event_id": event_id, "webhook_id": webhook_id})
    wait_for("the three replays", lambda: len(receiver.seen) == 4)
    assert [w for w, _ in receiver.seen[1:]] == ["a", "b", "a"]
    assert [s for _, s in receiver.seen] == [200] * 4
    assert len(calls.attempts) == 1 and len(calls.processed) == 1
    key, key_index = calls.processed[0]
    assert key.startswith(f"hs:{instance}:") and key_index == 0
    # The example's own handler ran: the unit reached its queue once.
    assert [k for _, k, _ in receiver.module.queue].count(key) == 1


def test_a_45_event_batch_split_in_three_is_processed_45_times(emu, receiver, calls):
    _, instance = connect(emu, receiver.url, NEW_KEY)
    ids = sample(emu, instance, count=45)
    assert len(ids) == 3  # 20 + 20 + 5 events, each notification carrying the whole batch
    wait_for("three answered deliveries", lambda: sum(1 for _, s in receiver.seen if s == 200) == 3)
    keys = [k for k, _ in calls.processed]
    assert len(keys) == 45 and len(set(keys)) == 45 and all(k.startswith(f"hs:{instance}:") for k in keys)
    assert len(calls.attempts) == 45


def test_a_failure_then_the_retry_processes_once(emu, receiver, calls):
    config, instance = connect(emu, receiver.url, NEW_KEY)
    calls.fail = lambda work: len(calls.attempts) == 1  # the first attempt only
    [event_id] = sample(emu, instance)
    wait_for("the retry", lambda: delivered(config, instance, event_id))
    assert [s for _, s in receiver.seen] == [500, 200]
    assert len(calls.attempts) == 2 and calls.attempts[0] == calls.attempts[1]
    assert calls.processed == [(calls.attempts[0], 0)]
    # Delivered: replays from now on are skipped.
    emulator_post(emu, "/emulator/replay", {"event_id": event_id, "webhook_id": "again"})
    wait_for("the replay", lambda: len(receiver.seen) == 3)
    assert receiver.seen[2] == ("again", 200) and len(calls.processed) == 1


def test_a_delivery_signed_with_the_previous_key_verifies_after_rotation(emu, receiver, calls):
    config, instance = connect(emu, receiver.url, OLD_KEY)
    rotated = threading.Event()
    calls.fail = lambda work: not rotated.is_set()
    sample(emu, instance)
    wait_for("a failed first attempt", lambda: len(receiver.seen) >= 1)
    # Rotate: Cloud Elements signs new deliveries with the new key; retries keep the old signature.
    status, _, _ = send(he.set_signature_key_request(config, instance, NEW_KEY))
    assert status == 200
    rotated.set()
    wait_for("the retry after rotation", lambda: len(calls.processed) == 1)
    assert receiver.seen[0][1] == 500 and receiver.seen[-1][1] == 200
    assert calls.processed[0][1] == 1, "signed with the previous key (index 1)"
    # A new delivery is signed with the new key.
    sample(emu, instance)
    wait_for("a new delivery", lambda: len(calls.processed) == 2)
    assert calls.processed[1][1] == 0


def hootsuite_posts(emu: Dict[str, str], instance_id: int, batch: List[Dict[str, Any]]) -> None:
    """What anyone can do: POST a batch to the instance's public Hootsuite webhook URL; Cloud
    Elements (the emulator) signs it and delivers it to the receiver."""
    url = he.hootsuite_webhook_url(emu["base_url"], instance_id)
    r = urllib.request.Request(url, data=json.dumps(batch).encode(), method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=10) as resp:
        assert resp.status == 200


def test_a_batch_with_an_event_that_cannot_be_read_is_answered_200_and_the_rest_processed(emu, receiver, calls, caplog):
    config, instance = connect(emu, receiver.url, NEW_KEY)
    good = {"seq_no": "9001", "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT", "message": {"id": "m-1"}}}
    bad = {"seq_no": "9002", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}}
    with caplog.at_level("WARNING"):
        hootsuite_posts(emu, instance, [good, bad])
        wait_for("the delivery", lambda: len(receiver.seen) >= 1)
        # A second part of the same batch, or a replay: nothing new.
        hootsuite_posts(emu, instance, [good, bad])
        wait_for("the second delivery", lambda: len(receiver.seen) >= 2)
    assert [s for _, s in receiver.seen] == [200, 200], "a 4xx/5xx would be retried, then the subscription switched off"
    assert [k for k, _ in calls.processed] == [f"hs:{instance}:9001"]
    assert len(calls.attempts) == 1, "the handler never sees the bad event"
    logged = [r.getMessage() for r in caplog.records if "rejected event" in r.getMessage()]
    assert len(logged) == 1, logged
    assert f"hs:{instance}:@" in logged[0] and "'raw', 1, 'data', 'message'" in logged[0]
