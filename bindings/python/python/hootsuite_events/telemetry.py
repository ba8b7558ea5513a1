"""OpenTelemetry for receivers, optional: with ``opentelemetry-api`` installed, ``receive`` and
``process`` report a span per delivery (children: verify, claim, one handle per unit, settle)
and the receiver's metrics to the providers your application installs (an SDK and its
exporters); without it, nothing is imported and nothing is reported.

The names come from the Rust core's table (``TABLE``, the same in Rust and Node). Attributes
come from the signed content only: the instance, event ids and ``seq_no``s, unit keys, which key
verified the body, and the outcome; never a header that is not signed, the body or a key.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from ._native import TELEMETRY as TABLE
from ._native import __version__, parse_traceparent

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

    from .types import Notification

__all__ = ["TABLE", "SPANS", "ATTRIBUTES", "METRICS", "enabled", "parse_traceparent"]

#: Span names by id (``delivery``, ``verify``, ``claim``, ``handle``, ``settle``).
SPANS: Dict[str, str] = {s["id"]: s["name"] for s in TABLE["spans"]}
#: Attribute keys by id.
ATTRIBUTES: Dict[str, str] = {a["id"]: a["name"] for a in TABLE["attributes"]}
#: Metric specifications by id (``name``, ``instrument``, ``unit``, ``description``).
METRICS: Dict[str, Dict[str, Any]] = {m["id"]: m for m in TABLE["metrics"]}

_context: Any = None
_metrics: Any = None
_trace: Any = None

_A = ATTRIBUTES

#: The handler's last error in this thread or task: tells a delivery's handler failure from its
#: store's.
handler_error: ContextVar[Optional[BaseException]] = ContextVar("hootsuite_events_handler_error", default=None)


def _outcome(status: int) -> str:
    if 200 <= status < 300:
        return "processed"
    if status == 409:
        return "in_progress"
    if 500 <= status < 600:
        return "failed"
    return "refused"


def _header(headers: Any, name: str) -> Optional[str]:
    """The first value of header ``name`` (case-insensitive) in a mapping or in pairs."""
    if headers is None:
        return None
    get = getattr(headers, "get", None)
    if get is not None:
        value = get(name)
        if value is not None:
            return str(value)
        items: Iterable[Tuple[Any, Any]] = headers.items()
    else:
        items = headers
    for k, v in items:
        if str(k).lower() == name:
            return str(v)
    return None


class _Telemetry:
    """The tracer and instruments, made once (OpenTelemetry's proxies follow the providers
    installed later)."""

    def __init__(self) -> None:
        tracer = _trace.get_tracer(TABLE["scope"], __version__)
        meter = _metrics.get_meter(TABLE["scope"], __version__)

        def counter(id_: str) -> Any:
            m = METRICS[id_]
            return meter.create_counter(m["name"], unit=m["unit"], description=m["description"])

        self.tracer = tracer
        self.deliveries = counter("deliveries")
        self.verification_failures = counter("verification_failures")
        self.units_processed = counter("units_processed")
        self.duplicates = counter("duplicates")
        self.in_progress = counter("in_progress")
        self.handler_failures = counter("handler_failures")
        self.lost_leases = counter("lost_leases")
        d = METRICS["handler_duration"]
        try:
            self.handler_duration = meter.create_histogram(
                d["name"], unit=d["unit"], description=d["description"],
                explicit_bucket_boundaries_advisory=TABLE["duration_boundaries"],
            )
        except TypeError:  # an API before the advisory parameter
            self.handler_duration = meter.create_histogram(d["name"], unit=d["unit"], description=d["description"])

    # The delivery (``receive``).

    def delivery(self, headers: Any) -> Any:
        """The delivery's span, child of the active span, else of the ``traceparent``."""
        parent = None
        if not _trace.get_current_span().get_span_context().is_valid:
            header = _header(headers, "traceparent")
            parts = parse_traceparent(header) if header else None
            if parts is not None:
                trace_id, span_id, flags = parts
                remote = _trace.SpanContext(int(trace_id, 16), int(span_id, 16), is_remote=True, trace_flags=_trace.TraceFlags(flags))
                parent = _trace.set_span_in_context(_trace.NonRecordingSpan(remote))
        return self.tracer.start_span(SPANS["delivery"], context=parent, kind=_trace.SpanKind.CONSUMER)

    def use(self, span: Any) -> Any:
        """Makes ``span`` the active one; returns the token for ``leave``."""
        return _context.attach(_trace.set_span_in_context(span))

    def leave(self, token: Any) -> None:
        _context.detach(token)

    def verify(self) -> Any:
        return self.tracer.start_span(SPANS["verify"])

    def verified(self, delivery: Any, verify: Any, n: Notification) -> None:
        if n.key_index is not None:
            verify.set_attribute(_A["key_index"], n.key_index)
        verify.end()
        if delivery.is_recording():
            delivery.set_attributes(delivery_attributes(n))

    def refused(self, delivery: Any, verify: Optional[Any], status: int, code: str) -> None:
        error = _trace.Status(_trace.StatusCode.ERROR, code)
        if verify is not None:
            verify.set_attribute(_A["error_type"], code)
            verify.set_status(error)
            verify.end()
        self.verification_failures.add(1, {_A["error_type"]: code})
        delivery.set_attribute(_A["error_type"], code)
        delivery.set_status(error)
        self.finish(delivery, status)

    def finish(self, delivery: Any, status: int, outcome: Any = None, error_type: Optional[str] = None) -> None:
        result = _outcome(status)
        if outcome is not None and delivery.is_recording():
            delivery.set_attributes({
                _A["processed"]: outcome.processed, _A["skipped"]: outcome.skipped,
                _A["in_progress"]: outcome.in_progress, _A["failed"]: outcome.failed,
                _A["lost_leases"]: outcome.lost_leases, _A["rejected"]: len(outcome.rejected),
            })
        if error_type is not None:
            delivery.set_attribute(_A["error_type"], error_type)
            delivery.set_status(_trace.Status(_trace.StatusCode.ERROR, error_type))
        labels = {_A["outcome"]: result, _A["status_code"]: status}
        delivery.set_attributes(labels)
        self.deliveries.add(1, labels)
        delivery.end()

    # The claim loop (``process``), under the active span.

    def claim(self, n: Notification) -> Any:
        return self.tracer.start_span(SPANS["claim"], attributes={_A["unit_count"]: len(n.units), _A["unit_keys"]: [u.key for u in n.units]})

    def claimed(self, span: Any, answers: List[Any]) -> None:
        if span.is_recording():
            statuses = [getattr(a, "status", None) or (a.get("status") if isinstance(a, dict) else None) for a in answers]
            span.set_attributes({
                _A["claimed"]: statuses.count("claimed"),
                _A["skipped"]: statuses.count("done"),
                _A["in_progress"]: statuses.count("in_progress"),
            })
        span.end()

    def store_failed(self, span: Any) -> None:
        span.set_attribute(_A["error_type"], "store")
        span.set_status(_trace.Status(_trace.StatusCode.ERROR, "store"))
        span.end()

    def handle(self, n: Notification, index: int) -> Tuple[Any, Any, float]:
        """The unit's span, made active; returns it, the token and the start time."""
        span = self.tracer.start_span(SPANS["handle"], attributes=unit_attributes(n, index))
        return span, _context.attach(_trace.set_span_in_context(span)), time.perf_counter()

    def handled(self, handle: Tuple[Any, Any, float], n: Notification, index: int, error: Optional[BaseException]) -> None:
        span, token, started = handle
        seconds = time.perf_counter() - started
        _context.detach(token)
        kind = {_A["unit_kind"]: n.units[index].kind}
        if error is None:
            outcome = "processed"
            self.units_processed.add(1, kind)
        else:
            outcome = "failed"
            handler_error.set(error)
            self.handler_failures.add(1, kind)
            span.set_attribute(_A["error_type"], "handler")
            span.set_status(_trace.Status(_trace.StatusCode.ERROR, "handler"))
        self.handler_duration.record(seconds, {**kind, _A["outcome"]: outcome})
        span.set_attribute(_A["outcome"], outcome)
        span.end()

    def settle(self, complete: List[Any], release: List[Any]) -> Any:
        return self.tracer.start_span(SPANS["settle"], attributes={_A["completed"]: len(complete), _A["released"]: len(release)})

    def settled(self, span: Any, changed: List[bool], completing: int) -> None:
        # A completion that changed nothing lost its lease to a takeover.
        span.set_attribute(_A["lost_leases"], sum(1 for c in changed[:completing] if not c))
        span.end()

    def done(self, skipped: int, in_progress: int, lost_leases: int) -> None:
        if skipped:
            self.duplicates.add(skipped)
        if in_progress:
            self.in_progress.add(in_progress)
        if lost_leases:
            self.lost_leases.add(lost_leases)


def delivery_attributes(n: Notification) -> Dict[str, Any]:
    """The delivery span's attributes of a verified notification (signed content only)."""
    a: Dict[str, Any] = {
        _A["messaging_system"]: TABLE["messaging_system"],
        _A["operation"]: TABLE["operation"],
        _A["unit_count"]: len(n.units),
        _A["seq_nos"]: [e.seq_no for e in n.hootsuite_events if e.seq_no is not None],
    }
    if n.event_id is not None:
        a[_A["message_id"]] = n.event_id
    if n.instance_id is not None:
        a[_A["instance_id"]] = n.instance_id
    if n.key_index is not None:
        a[_A["key_index"]] = n.key_index
    return a


def unit_attributes(n: Notification, index: int) -> Dict[str, Union[str, int]]:
    """The handle span's attributes of the unit at ``index``."""
    unit = n.units[index]
    a: Dict[str, Union[str, int]] = {_A["unit_key"]: unit.key, _A["unit_kind"]: unit.kind}
    if n.instance_id is not None:
        a[_A["instance_id"]] = n.instance_id
    if unit.kind == "hootsuite_event" and unit.index is not None:
        seq_no = n.hootsuite_events[unit.index].seq_no
        if seq_no is not None:
            a[_A["seq_no"]] = seq_no
    return a


_reporter: Any = False


def reporter() -> Optional[_Telemetry]:
    """The reporter, or None without ``opentelemetry-api``; the API is imported on the first
    call (a delivery), not with the package."""
    global _reporter, _context, _metrics, _trace
    if _reporter is False:
        try:
            from opentelemetry import context, metrics, trace
        except ImportError:  # the API is optional: no telemetry
            _reporter = None
        else:
            _context, _metrics, _trace = context, metrics, trace
            _reporter = _Telemetry()
    if _reporter is None or _idle():
        return None
    return _reporter  # type: ignore[no-any-return]


def _idle() -> bool:
    """Whether the application installed no tracer provider and no meter provider: the API's
    own no-op ones would record nothing, at a cost."""
    tracers = _trace.get_tracer_provider()
    meters = type(_metrics.get_meter_provider()).__name__
    return isinstance(tracers, (_trace.ProxyTracerProvider, _trace.NoOpTracerProvider)) and meters in ("_ProxyMeterProvider", "NoOpMeterProvider")


def enabled() -> bool:
    """Whether deliveries are reported: ``opentelemetry-api`` is installed and the application
    installed a tracer or a meter provider."""
    return reporter() is not None
