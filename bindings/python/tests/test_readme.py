"""The README's examples run, in order, against the emulator; the Flask receiver (the README
shows examples/flask_receiver.py as it is) runs on a real loopback server and receives a real
delivery."""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_examples_run(emulator, monkeypatch):
    from werkzeug.serving import make_server

    monkeypatch.setenv("HOOTSUITE_EVENTS_BASE_URL", emulator["base_url"])
    monkeypatch.setenv("HOOTSUITE_EVENTS_USER_SECRET", emulator["user_secret"])
    monkeypatch.setenv("HOOTSUITE_EVENTS_ORGANIZATION_SECRET", emulator["organization_secret"])
    monkeypatch.setenv("HOOTSUITE_EVENTS_SIGNATURE_KEY", "readme-signature-key-41d")
    monkeypatch.delenv("HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY", raising=False)
    code = blocks()
    assert len(code) == 5
    receivers = [b for b in code if "he.receive(" in b]
    assert receivers == [(EXAMPLES / "flask_receiver.py").read_text(encoding="utf-8")], "the README's receiver is not examples/flask_receiver.py"
    ns: dict = {"__name__": "readme"}
    for block in code:
        exec(compile(block, str(README), "exec"), ns)

    server = make_server("127.0.0.1", 0, ns["app"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ns["EVENTS_URL"] = f"http://127.0.0.1:{server.server_port}/hootsuite/events"
        session: dict = {}
        consent_url = ns["start_connect"](session)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):  # type: ignore[no-untyped-def]
                return None

        try:
            urllib.request.build_opener(NoRedirect).open(consent_url, timeout=10)
            raise AssertionError("no redirect")
        except urllib.error.HTTPError as e:
            location = e.headers["Location"]
        instance = ns["finish_connect"](session, location)
        sample = f"{emulator['base_url']}/emulator/instances/{instance.id}/sample-event?type=app"
        urllib.request.urlopen(urllib.request.Request(sample, data=b"", method="POST"), timeout=10)
        deadline = time.monotonic() + 10
        while not ns["queue"]:
            assert time.monotonic() < deadline, "no event reached the Flask app"
            time.sleep(0.02)
        instance_id, key, event = ns["queue"][0]
        assert instance_id == instance.id and key.startswith(f"hs:{instance.id}:")
        assert event.type == "com.hootsuite.apps.event.v1" and event.data["state"] == "INSTALLED"
    finally:
        server.shutdown()
