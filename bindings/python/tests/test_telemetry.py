"""OpenTelemetry through the example receivers (Flask, FastAPI, Django) on real loopback servers,
for the emulator's real deliveries, in the SDK's in-memory exporters: a split batch and its
replays, a failure and its retry, a key rotation, a continued traceparent; the spans, their
parents, their attributes and the metrics' values; no attribute holds a secret; and without
opentelemetry-api nothing is imported and receiving works the same."""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import hootsuite_events as he
from hootsuite_events.telemetry import ATTRIBUTES, METRICS, SPANS
from test_flow import send
from test_receivers import (  # noqa: F401 (fixtures)
    NEW_KEY,
    OLD_KEY,
    calls,
    connect,
    delivered,
    emu,
    emulator_post,
    receiver,
    sample,
    wait_for,
)


class _Gate(SimpleSpanProcessor):
    """Exports only while a test of this module runs (the providers stay for the session)."""

    open = False

    def on_end(self, span: ReadableSpan) -> None:
        if _Gate.open:
            super().on_end(span)


EXPORTER = InMemorySpanExporter()
READER = InMemoryMetricReader()


@pytest.fixture(scope="module", autouse=True)
def providers() -> Iterator[None]:
    provider = TracerProvider()
    provider.add_span_processor(_Gate(EXPORTER))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[READER]))
    assert he.telemetry.enabled()
    _Gate.open = True
    yield
    _Gate.open = False
    EXPORTER.clear()


@pytest.fixture(autouse=True)
def fresh_spans() -> None:
    EXPORTER.clear()


def metric(id_: str, **labels: Any) -> float:
    """The metric's value now, over the data points whose attributes hold ``labels`` (ids)."""
    want = {ATTRIBUTES[k]: v for k, v in labels.items()}
    data = READER.get_metrics_data()
    total = 0.0
    for rm in data.resource_metrics if data else []:
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                if m.name != METRICS[id_]["name"]:
                    continue
                for p in m.data.data_points:
                    if all(p.attributes.get(k) == v for k, v in want.items()):
                        total += getattr(p, "value", None) if hasattr(p, "value") else p.count
    return total


def deliveries(instance: int) -> List[Tuple[ReadableSpan, List[ReadableSpan]]]:
    """The delivery spans of ``instance``, oldest first, each with its children."""
    spans = EXPORTER.get_finished_spans()
    children: Dict[int, List[ReadableSpan]] = {}
    for s in spans:
        if s.parent is not None:
            children.setdefault(s.parent.span_id, []).append(s)
    out = []
    for s in spans:
        if s.name == SPANS["delivery"] and (s.attributes or {}).get(ATTRIBUTES["instance_id"]) == instance:
            kids = sorted(children.get(s.context.span_id, []), key=lambda c: c.start_time or 0)
            out.append((s, kids))
    return sorted(out, key=lambda d: d[0].start_time or 0)


def names(spans: List[ReadableSpan]) -> List[str]:
    return [s.name.removeprefix("hootsuite_events.") for s in spans]


def attr(span: ReadableSpan, id_: str) -> Any:
    return (span.attributes or {}).get(ATTRIBUTES[id_])


def no_secret(spans: List[ReadableSpan], secrets: List[str]) -> None:
    """No attribute key is a secret name (the core's redaction rule) and no value holds a key,
    a signature or the body's data."""
    for s in spans:
        for k, v in (s.attributes or {}).items():
            assert not he.is_secret_name(k), (s.name, k)
            shown = str(v)
            assert "sha256=" not in shown, (s.name, k)
            for secret in secrets:
                assert secret not in shown, (s.name, k, secret)


def tree(delivery: ReadableSpan, children: List[ReadableSpan]) -> str:
    def show(s: ReadableSpan) -> str:
        return f"{s.name} [{', '.join(f'{k}={v}' for k, v in sorted((s.attributes or {}).items()))}]"

    lines = [show(delivery)]
    for i, c in enumerate(children):
        lines.append(("└── " if i == len(children) - 1 else "├── ") + show(c))
    return "\n".join(lines)


def test_a_split_batch_and_its_replays_in_spans_and_metrics(emu, receiver, calls):
    duplicates, processed = metric("duplicates"), metric("units_processed", unit_kind="hootsuite_event")
    config, instance = connect(emu, receiver.url, NEW_KEY)
    ids = sample(emu, instance, count=45)
    wait_for("the three parts", lambda: len(deliveries(instance)) == 3)
    wait_for("the delivery", lambda: delivered(config, instance, ids[0]))
    for webhook_id in ("a", "b"):
        emulator_post(emu, "/emulator/replay", {"event_id": ids[0], "webhook_id": webhook_id})
    wait_for("two replays", lambda: len(deliveries(instance)) == 5)
    all_ = deliveries(instance)
    first, children = all_[0]
    assert names(children) == ["verify", "claim"] + ["handle"] * 45 + ["settle"], tree(first, children)
    assert all(c.context.trace_id == first.context.trace_id for c in children)
    assert attr(first, "processed") == 45 and attr(first, "status_code") == 200
    assert attr(first, "outcome") == "processed" and attr(first, "key_index") == 0
    assert attr(first, "unit_count") == 45 and len(attr(first, "seq_nos")) == 45
    handle = children[2]
    assert attr(handle, "unit_key") == f"hs:{instance}:{attr(handle, 'seq_no')}"
    assert attr(handle, "outcome") == "processed" and attr(handle, "unit_kind") == "hootsuite_event"
    assert attr(children[1], "claimed") == 45 and attr(children[-1], "completed") == 45
    for d, c in all_[1:]:
        assert names(c) == ["verify", "claim"], tree(d, c)
        assert (attr(d, "skipped"), attr(d, "processed")) == (45, 0)
    assert metric("duplicates") - duplicates == 4 * 45
    assert metric("units_processed", unit_kind="hootsuite_event") - processed == 45
    print(f"\n{receiver.name}: the first part of a split batch (2 of 45 handle spans shown):")
    print(tree(first, children[:4] + children[-1:]))
    no_secret([s for d, c in all_ for s in [d, *c]], [NEW_KEY, OLD_KEY, "SENT"])


def test_a_failure_its_retry_and_a_rotation_in_spans_and_metrics(emu, receiver, calls):
    failures = metric("handler_failures")
    failed_deliveries = metric("deliveries", outcome="failed", status_code=500)
    config, instance = connect(emu, receiver.url, OLD_KEY)
    rotated = threading.Event()
    calls.fail = lambda work: not rotated.is_set()
    sample(emu, instance)
    wait_for("a failed first attempt", lambda: len(deliveries(instance)) >= 1)
    status, _, _ = send(he.set_signature_key_request(config, instance, NEW_KEY))
    assert status == 200
    rotated.set()
    wait_for("the retry", lambda: len(calls.processed) == 1)
    sample(emu, instance)
    wait_for("a new delivery", lambda: len(calls.processed) == 2)
    wait_for("its span", lambda: sum(1 for d, _ in deliveries(instance) if attr(d, "status_code") == 200) == 2)
    all_ = deliveries(instance)
    # The failed attempts (one, or more when a retry came before the rotation), then the two.
    failed_ones = [d for d in all_ if attr(d[0], "status_code") == 500]
    assert len(failed_ones) == len(all_) - 2 >= 1
    failed, children = all_[0]
    assert names(children) == ["verify", "claim", "handle", "settle"]
    assert all(c.parent is not None and c.parent.span_id == failed.context.span_id for c in children)
    assert (attr(failed, "status_code"), attr(failed, "outcome"), attr(failed, "error_type")) == (500, "failed", "handler")
    assert not failed.status.is_ok and not children[2].status.is_ok
    assert attr(children[2], "outcome") == "failed" and attr(children[3], "released") == 1
    assert attr(failed, "key_index") == 1 and attr(children[0], "key_index") == 1
    retry, _ = all_[-2]
    assert (attr(retry, "key_index"), attr(retry, "outcome")) == (1, "processed"), "the retry keeps the old signature"
    assert attr(all_[-1][0], "key_index") == 0, "signed with the new key"
    assert metric("handler_failures") - failures == len(failed_ones)
    assert metric("deliveries", outcome="failed", status_code=500) - failed_deliveries == len(failed_ones)
    print(f"\n{receiver.name}: a failed delivery:\n{tree(failed, children)}")
    no_secret([s for d, c in all_ for s in [d, *c]], [NEW_KEY, OLD_KEY])


def test_a_traceparent_is_continued_and_a_forgery_counted_by_reason(emu, receiver, calls):
    refused = metric("verification_failures", error_type="signature_mismatch")
    body = b'{"message": {"instanceId": 424242, "raw": [{"seq_no": "1", "type": "t"}]}}'
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    def post(signature: str, extra: Optional[Dict[str, str]] = None) -> int:
        headers = {"Elements-Webhook-Signature": signature, "Content-Type": "application/json", **(extra or {})}
        try:
            with urllib.request.urlopen(urllib.request.Request(receiver.url, data=body, headers=headers), timeout=10) as r:
                return int(r.status)
        except urllib.error.HTTPError as e:
            return int(e.code)

    assert post(he.sign(NEW_KEY, body), {"traceparent": traceparent}) == 200
    assert post(he.sign("not-the-key", body)) == 401
    [(continued, _)] = deliveries(424242)
    assert format(continued.context.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
    # The caller's span is the parent, or an ancestor when the framework traced the request
    # itself (FastAPI does, with the SDK installed): the delivery is then its span's child.
    by_id = {sp.context.span_id: sp for sp in EXPORTER.get_finished_spans()}
    span = continued
    while span.parent is not None and not span.parent.is_remote:
        span = by_id[span.parent.span_id]
    assert span.parent is not None and format(span.parent.span_id, "016x") == "00f067aa0ba902b7"
    assert metric("verification_failures", error_type="signature_mismatch") - refused == 1


def test_without_opentelemetry_nothing_is_imported_and_receiving_works():
    script = (
        "import sys\n"
        "sys.modules['opentelemetry'] = None\n"  # what an environment without the API gives
        "import hootsuite_events as he\n"
        "body = b'{\"message\": {\"instanceId\": 1, \"raw\": [{\"seq_no\": \"1\", \"type\": \"t\"}]}}'\n"
        "seen = []\n"
        "r = he.receive('k', he.MemoryStore(), {'Elements-Webhook-Signature': he.sign('k', body)}, body, seen.append)\n"
        "assert (r.status, r.outcome.processed, len(seen)) == (200, 1, 1), r\n"
        "assert not he.telemetry.enabled()\n"
        "assert he.receive('k', he.MemoryStore(), {}, body, seen.append).status == 401\n"
        "assert not any(m.startswith('opentelemetry.') for m in sys.modules), 'imported'\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stdout + result.stderr
    # The API installed but no provider: nothing reported, nothing spent on no-op spans.
    idle = subprocess.run([sys.executable, "-c", script.replace("sys.modules['opentelemetry'] = None\n", "").replace("assert not any(m.startswith('opentelemetry.') for m in sys.modules), 'imported'\n", "")], capture_output=True, text=True, timeout=60)
    assert idle.stdout.strip() == "ok", idle.stdout + idle.stderr
    # Importing the package does not import the API either (it is imported on the first delivery).
    cold = subprocess.run([sys.executable, "-c", "import sys, hootsuite_events; print(any(m.startswith('opentelemetry') for m in sys.modules))"], capture_output=True, text=True, timeout=60)
    assert cold.stdout.strip() == "False", cold.stdout + cold.stderr
