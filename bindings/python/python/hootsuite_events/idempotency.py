"""Processing every unit of work once: claim → handle → complete (or release on failure).

The loop lives here, not in the native module, because it calls your code: the handler and
the store (yours may be a Redis client, sync or async). Its rules come from the Rust core: the
units and their keys (``Notification.units``), the store semantics (``MemoryStore``), the
answer (``outcome_status``) and the constants.
"""

from __future__ import annotations

from ._native import DEFAULT_LEASE_MS, outcome_status
from .types import Outcome, Work

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only; `typing` is not imported at run time
    from typing import Any, Awaitable, Callable, Iterator, List, TypeVar, Union

    from typing_extensions import TypeIs

    T = TypeVar("T")

    from .stores import AsyncStore, Store
    from .types import Claim, Notification, Rejected

__all__ = ["process", "process_async", "works"]

_new = object.__new__


def works(notification: Notification) -> Iterator[Work]:
    """The units of ``notification`` with the event each refers to, in order."""
    hootsuite_events = notification.hootsuite_events
    events = notification.events
    rejected = notification.rejected
    for unit in notification.units:
        w = _new(Work)
        kind, index = unit.kind, unit.index
        w.__dict__.update(
            unit=unit,
            hootsuite_event=hootsuite_events[index] if kind == "hootsuite_event" and index is not None else None,
            element_event=events[index] if kind == "element_event" and index is not None else None,
            rejected=rejected[index] if kind == "rejected" and index is not None else None,
            notification=notification,
        )
        yield w


def _outcome(processed: int, skipped: int, in_progress: int, lost_leases: int, rejected: List[Rejected]) -> Outcome:
    o = _new(Outcome)
    o.__dict__.update(
        status=outcome_status(in_progress, 0),
        processed=processed,
        skipped=skipped,
        in_progress=in_progress,
        failed=0,
        lost_leases=lost_leases,
        rejected=rejected,
    )
    return o


def _is_awaitable(value: Union[T, Awaitable[T]]) -> TypeIs[Awaitable[T]]:
    return hasattr(value, "__await__")


def _refuse_awaitable(value: Any, what: str) -> None:
    if _is_awaitable(value):
        close = getattr(value, "close", None)
        if close is not None:
            close()  # a coroutine never awaited would warn later, far from the cause
        raise TypeError(f"{what} returned an awaitable; use process_async with an async store or handler")


def _token(claim: Claim, key: str) -> Union[str, None]:
    """The claim's token when it is ours, None when the unit is done or held elsewhere."""
    status = claim.status
    if status == "claimed":
        token = claim.token
        if not isinstance(token, str):
            raise TypeError(f"store.claim({key!r}) returned status 'claimed' without a str token")
        return token
    if status == "done" or status == "in_progress":
        return None
    raise ValueError(f"store.claim({key!r}) returned status {status!r}; expected 'claimed', 'done' or 'in_progress'")


def process(store: Store, notification: Notification, handler: Callable[[Work], Any], *, lease_ms: int = DEFAULT_LEASE_MS) -> Outcome:
    """Calls ``handler(work)`` once per unit of ``notification`` not processed before: claims
    the unit in ``store``, calls the handler, completes the claim. When the handler raises, the
    claim is released (Cloud Elements' retry processes the unit) and the exception propagates:
    let your framework answer 500. Answer ``outcome.status`` otherwise (200, or 409 when another
    process holds a unit). An event that could not be read (a ``rejected`` unit) is recorded
    once without calling the handler and listed in ``outcome.rejected``."""
    processed = skipped = in_progress = lost_leases = 0
    rejected: List[Rejected] = []
    for work in works(notification):
        key = work.unit.key
        claim = store.claim(key, lease_ms)
        _refuse_awaitable(claim, "store.claim")
        token = _token(claim, key)
        if token is None:
            if claim.status == "done":
                skipped += 1
            else:
                in_progress += 1
            continue
        if work.rejected is not None:
            rejected.append(work.rejected)
        else:
            try:
                _refuse_awaitable(handler(work), "the handler")
            except BaseException:
                store.release(key, token)
                raise
            processed += 1
        completed = store.complete(key, token)
        _refuse_awaitable(completed, "store.complete")
        if not completed:
            lost_leases += 1
    return _outcome(processed, skipped, in_progress, lost_leases, rejected)


async def process_async(
    store: Union[Store, AsyncStore],
    notification: Notification,
    handler: Callable[[Work], Union[Any, Awaitable[Any]]],
    *,
    lease_ms: int = DEFAULT_LEASE_MS,
) -> Outcome:
    """``process`` for async code: the store's and the handler's results are awaited when
    they are awaitables (a ``MemoryStore`` and a plain function work too). A cancellation
    releases the claim like any exception."""
    processed = skipped = in_progress = lost_leases = 0
    rejected: List[Rejected] = []
    for work in works(notification):
        key = work.unit.key
        claimed = store.claim(key, lease_ms)
        claim = await claimed if _is_awaitable(claimed) else claimed
        token = _token(claim, key)
        if token is None:
            if claim.status == "done":
                skipped += 1
            else:
                in_progress += 1
            continue
        if work.rejected is not None:
            rejected.append(work.rejected)
        else:
            try:
                result = handler(work)
                if _is_awaitable(result):
                    await result
            except BaseException:
                released = store.release(key, token)
                if _is_awaitable(released):
                    await released
                raise
            processed += 1
        completing = store.complete(key, token)
        completed = await completing if _is_awaitable(completing) else completing
        if not completed:
            lost_leases += 1
    return _outcome(processed, skipped, in_progress, lost_leases, rejected)
