"""Processing every unit of work once: claim → handle → complete (or release on failure).

The loop is the Rust core's step machine (``Steps``): it says what to do next (claim every unit,
run the handler on one, settle the claims, answer), and this module does it, because that calls
your code: the handler and the store (yours may be a Redis client, sync or async).
"""

from __future__ import annotations

from ._native import DEFAULT_LEASE_MS, MemoryStore, Steps, outcome_status
from .redis import RedisStore
from .telemetry import reporter
from .types import Outcome, Work

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only; `typing` is not imported at run time
    from typing import Any, Awaitable, Callable, Iterator, List, Tuple, TypeVar, Union

    from typing_extensions import TypeIs

    T = TypeVar("T")

    from .stores import AsyncStore, Store
    from .types import Notification, Rejected

__all__ = ["process", "process_async", "works"]

_new = object.__new__


def works(notification: Notification) -> Iterator[Work]:
    """The units of ``notification`` with the event each refers to, in order."""
    # Each list is read only when a unit refers to it: a notification's fields convert on first read.
    hootsuite_events = events = rejected = None
    for unit in notification.units:
        w = _new(Work)
        kind, index = unit.kind, unit.index
        hootsuite_event = element_event = record = None
        if index is not None:
            if kind == "hootsuite_event":
                if hootsuite_events is None:
                    hootsuite_events = notification.hootsuite_events
                hootsuite_event = hootsuite_events[index]
            elif kind == "element_event":
                if events is None:
                    events = notification.events
                element_event = events[index]
            elif kind == "rejected":
                if rejected is None:
                    rejected = notification.rejected
                record = rejected[index]
        w.__dict__.update(
            unit=unit,
            hootsuite_event=hootsuite_event,
            element_event=element_event,
            rejected=record,
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


def _tally_outcome(tally: Tuple[int, int, int, int, int, int, List[int]], all_works: List[Work]) -> Outcome:
    """The Outcome of the Steps' tally (a failure raises instead: never returned). The records
    come from the works made before the loop: a handler editing ``notification.units`` cannot
    attach another unit's record."""
    _status, processed, skipped, in_progress, _failed, lost_leases, rejected = tally
    records = [all_works[i].rejected for i in rejected]
    return _outcome(processed, skipped, in_progress, lost_leases, [r for r in records if r is not None])


def _is_awaitable(value: Union[T, Awaitable[T]]) -> TypeIs[Awaitable[T]]:
    return hasattr(value, "__await__")


def _keep_handler_error(settle_error: BaseException, handler_error: Union[BaseException, None]) -> None:
    """A settle that fails after a handler raised: the handler's exception stays readable as
    the settle error's ``__context__`` (Python's own chaining, had the settle run in its
    ``except``), so that neither failure is lost."""
    if handler_error is not None and settle_error.__context__ is None and settle_error is not handler_error:
        settle_error.__context__ = handler_error


def _refuse_awaitable(value: Any, what: str) -> None:
    if _is_awaitable(value):
        close = getattr(value, "close", None)
        if close is not None:
            close()  # a coroutine never awaited would warn later, far from the cause
        raise TypeError(f"{what} returned an awaitable; use process_async with an async store or handler")


def process(store: Store, notification: Notification, handler: Callable[[Work], Any], *, lease_ms: int = DEFAULT_LEASE_MS) -> Outcome:
    """Calls ``handler(work)`` once per unit of ``notification`` not processed before: claims
    every unit in ``store`` at once (``store.claim_all`` when it has one: one round trip on
    Redis), calls the handler on each unit claimed now, then completes them at once
    (``store.settle``). When the handler raises, the units before it are completed, that one
    and the rest released (Cloud Elements' retry processes them) and the exception propagates:
    let your framework answer 500. Answer ``outcome.status`` otherwise (200, or 409 when another
    process holds a unit). An event that could not be read (a ``rejected`` unit) is recorded
    once without calling the handler and listed in ``outcome.rejected``. The loop is the Rust
    core's (``Steps``)."""
    tel: Any = reporter()  # None without opentelemetry-api
    if tel is None and (type(store) is MemoryStore or type(store) is RedisStore):
        # Nothing watches the steps and the store is this package's: the loop runs in one
        # native call (RedisStore's calls its client for the claim and the settle).
        return store._process(notification, handler, lease_ms)
    all_works = list(works(notification))
    steps = Steps(notification.units)
    error: Union[BaseException, None] = None
    while True:
        step: Any = steps.next_step()  # a tuple tagged by step[0]: see Steps
        kind = step[0]
        if kind == "handle":
            index = step[1]
            span = tel.handle(notification, index) if tel else None
            try:
                _refuse_awaitable(handler(all_works[index]), "the handler")
            except BaseException as e:
                error = e
            if span is not None:
                tel.handled(span, notification, index, error)
            steps.handled(error is None)
        elif kind == "claim":
            keys = step[1]
            span = tel.claim(notification) if tel else None
            try:
                claim_all = getattr(store, "claim_all", None)
                if claim_all is not None:
                    answers = claim_all(keys, lease_ms)
                    _refuse_awaitable(answers, "store.claim_all")
                else:
                    answers = []
                    for key in keys:
                        claim = store.claim(key, lease_ms)
                        _refuse_awaitable(claim, "store.claim")
                        answers.append(claim)
            except BaseException:
                if span is not None:
                    tel.store_failed(span)
                raise
            if span is not None:
                tel.claimed(span, answers)
            steps.claimed(answers)
        elif kind == "settle":
            complete, release = step[1], step[2]
            span = tel.settle(complete, release) if tel else None
            try:
                settle = getattr(store, "settle", None)
                if settle is not None:
                    changed = settle(complete, release)
                    _refuse_awaitable(changed, "store.settle")
                else:
                    changed = []
                    for key, token in complete:
                        done = store.complete(key, token)
                        _refuse_awaitable(done, "store.complete")
                        changed.append(done)
                    for key, token in release:
                        released = store.release(key, token)
                        _refuse_awaitable(released, "store.release")
                        changed.append(released)
            except BaseException as e:
                if span is not None:
                    tel.store_failed(span)
                _keep_handler_error(e, error)
                raise
            flags = [bool(c) for c in changed]
            if span is not None:
                tel.settled(span, flags, len(complete))
            steps.settled(flags)
        else:
            if tel:
                tel.done(step[1][2], step[1][3], step[1][5])
            if error is not None:
                raise error
            return _tally_outcome(step[1], all_works)


async def _maybe(value: Union[T, Awaitable[T]]) -> T:
    return await value if _is_awaitable(value) else value


async def process_async(
    store: Union[Store, AsyncStore],
    notification: Notification,
    handler: Callable[[Work], Union[Any, Awaitable[Any]]],
    *,
    lease_ms: int = DEFAULT_LEASE_MS,
) -> Outcome:
    """``process`` for async code: the store's and the handler's results are awaited when
    they are awaitables (a ``MemoryStore`` and a plain function work too). A cancellation
    releases the claims like any exception."""
    all_works = list(works(notification))
    steps = Steps(notification.units)
    error: Union[BaseException, None] = None
    tel: Any = reporter()  # None without opentelemetry-api
    while True:
        step: Any = steps.next_step()  # a tuple tagged by step[0]: see Steps
        kind = step[0]
        if kind == "handle":
            index = step[1]
            span = tel.handle(notification, index) if tel else None
            try:
                await _maybe(handler(all_works[index]))
            except BaseException as e:
                error = e
            if span is not None:
                tel.handled(span, notification, index, error)
            steps.handled(error is None)
        elif kind == "claim":
            keys = step[1]
            span = tel.claim(notification) if tel else None
            try:
                claim_all = getattr(store, "claim_all", None)
                if claim_all is not None:
                    answers = await _maybe(claim_all(keys, lease_ms))
                else:
                    answers = [await _maybe(store.claim(key, lease_ms)) for key in keys]
            except BaseException:
                if span is not None:
                    tel.store_failed(span)
                raise
            if span is not None:
                tel.claimed(span, answers)
            steps.claimed(answers)
        elif kind == "settle":
            complete, release = step[1], step[2]
            span = tel.settle(complete, release) if tel else None
            try:
                settle = getattr(store, "settle", None)
                if settle is not None:
                    changed = await _maybe(settle(complete, release))
                else:
                    changed = [await _maybe(store.complete(key, token)) for key, token in complete]
                    changed += [await _maybe(store.release(key, token)) for key, token in release]
            except BaseException as e:
                if span is not None:
                    tel.store_failed(span)
                _keep_handler_error(e, error)
                raise
            flags = [bool(c) for c in changed]
            if span is not None:
                tel.settled(span, flags, len(complete))
            steps.settled(flags)
        else:
            if tel:
                tel.done(step[1][2], step[1][3], step[1][5])
            if error is not None:
                raise error
            return _tally_outcome(step[1], all_works)
