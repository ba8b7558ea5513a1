"""One delivery, whole: verify the raw body, process each unit of work once, say what to
answer. With ``opentelemetry-api`` installed, each delivery is a span (children: verify, claim,
one per unit, settle) and counts in the receiver's metrics (``hootsuite_events.telemetry``)."""

from __future__ import annotations

from ._native import DEFAULT_LEASE_MS, STATUS_FAILED, verify_event
from .errors import HootsuiteEventsError, SignatureError
from .idempotency import process, process_async
from .telemetry import handler_error, reporter

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from typing import Any, Awaitable, Callable, Optional, Union

    from ._native import _Body, _Headers, _Keys
    from .stores import AsyncStore, Store
    from .types import Notification, Outcome, Work

__all__ = ["Receipt", "receive", "receive_async"]


class Receipt:
    """What ``receive`` did: answer ``status``. ``outcome`` is the claim loop's (None when the
    delivery was refused or the handler or the store failed); ``error`` is why it was refused
    (a ``SignatureError`` or ``ParseError``: 401 or 400) or what the handler or the store
    raised (500): log it."""

    __slots__ = ("status", "outcome", "error", "notification")

    def __init__(self, status: int, outcome: Optional[Outcome], error: Optional[BaseException], notification: Optional[Notification]) -> None:
        self.status = status
        self.outcome = outcome
        self.error = error
        self.notification = notification

    def __repr__(self) -> str:
        return f"Receipt(status={self.status}, outcome={self.outcome!r}, error={type(self.error).__name__ if self.error else None})"


def _verify(keys: _Keys, headers: _Headers, body: _Body) -> Union[Notification, Receipt]:
    try:
        return verify_event(keys, headers, body)
    except SignatureError as e:
        return Receipt(401, None, e, None)
    except HootsuiteEventsError as e:
        return Receipt(400, None, e, None)


def _code(error: BaseException) -> str:
    return str(getattr(error, "code", None) or type(error).__name__)


def receive(
    keys: _Keys, store: Store, headers: _Headers, body: _Body, handler: Callable[[Work], Any], *, lease_ms: int = DEFAULT_LEASE_MS,
) -> Receipt:
    """Verifies ``body`` with ``keys`` (the current one, then the previous during a rotation)
    and runs ``process`` on it: answer the receipt's ``status`` (200, 409 while another process
    holds a unit, 500 after a failure, 401 for a bad signature, 400 for a body that is not a
    notification)."""
    tel = reporter()
    if tel is None:
        n = _verify(keys, headers, body)
        if isinstance(n, Receipt):
            return n
        try:
            outcome = process(store, n, handler, lease_ms=lease_ms)
        except Exception as e:
            return Receipt(STATUS_FAILED, None, e, n)
        return Receipt(outcome.status, outcome, None, n)
    delivery = tel.delivery(headers)
    token = tel.use(delivery)
    try:
        verify = tel.verify()
        n = _verify(keys, headers, body)
        if isinstance(n, Receipt):
            tel.refused(delivery, verify, n.status, _code(n.error) if n.error else "refused")
            return n
        tel.verified(delivery, verify, n)
        try:
            outcome = process(store, n, handler, lease_ms=lease_ms)
        except Exception as e:
            tel.finish(delivery, STATUS_FAILED, None, _failure(e))
            return Receipt(STATUS_FAILED, None, e, n)
        tel.finish(delivery, outcome.status, outcome)
        return Receipt(outcome.status, outcome, None, n)
    finally:
        tel.leave(token)


async def receive_async(
    keys: _Keys,
    store: Union[Store, AsyncStore],
    headers: _Headers,
    body: _Body,
    handler: Callable[[Work], Union[Any, Awaitable[Any]]],
    *,
    lease_ms: int = DEFAULT_LEASE_MS,
) -> Receipt:
    """``receive`` for async code: ``process_async`` awaits the store and the handler."""
    tel = reporter()
    if tel is None:
        n = _verify(keys, headers, body)
        if isinstance(n, Receipt):
            return n
        try:
            outcome = await process_async(store, n, handler, lease_ms=lease_ms)
        except Exception as e:
            return Receipt(STATUS_FAILED, None, e, n)
        return Receipt(outcome.status, outcome, None, n)
    delivery = tel.delivery(headers)
    token = tel.use(delivery)
    try:
        verify = tel.verify()
        n = _verify(keys, headers, body)
        if isinstance(n, Receipt):
            tel.refused(delivery, verify, n.status, _code(n.error) if n.error else "refused")
            return n
        tel.verified(delivery, verify, n)
        try:
            outcome = await process_async(store, n, handler, lease_ms=lease_ms)
        except Exception as e:
            tel.finish(delivery, STATUS_FAILED, None, _failure(e))
            return Receipt(STATUS_FAILED, None, e, n)
        tel.finish(delivery, outcome.status, outcome)
        return Receipt(outcome.status, outcome, None, n)
    finally:
        tel.leave(token)


def _failure(error: BaseException) -> str:
    """``handler`` when the handler raised ``error``, else ``store``."""
    return "handler" if handler_error.get() is error else "store"
