"""Typed results. The Rust core fills them; these classes only give them attributes.

Each is a frozen dataclass: attributes, ``==``, and a ``repr`` without secrets. JSON that the
library does not model (unknown fields, Hootsuite's raw payload) stays available as plain
dicts and lists (``extra``, ``raw``); ``dataclasses.asdict(x)`` gives the whole value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

__all__ = [
    "Issue",
    "ValidationReport",
    "RedirectUrl",
    "Instance",
    "InstancePage",
    "InstanceEvent",
    "ElementEvent",
    "HootsuiteEvent",
    "Notification",
]


@dataclass(frozen=True)
class Issue:
    """One validation problem: where (``path``), what (``code``, ``message``), the UI label."""

    path: Tuple[Any, ...]
    code: str
    message: str
    label: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None


@dataclass(frozen=True)
class ValidationReport:
    """Every error and warning of one input, in a stable order."""

    valid: bool
    errors: List[Issue]
    warnings: List[Issue]


@dataclass(frozen=True)
class RedirectUrl:
    """The answer of step 1: where to send the user."""

    element: Optional[str]
    oauth_url: str


@dataclass(frozen=True)
class Instance:
    """An element instance. ``token`` authorizes calls made as the instance; it is left out of
    ``repr``, which shows ``token_masked`` (safe to log) instead."""

    id: int
    name: str
    token: str = field(repr=False)
    token_masked: str = ""
    tags: List[str] = field(default_factory=list)
    valid: bool = True
    disabled: bool = False
    events_enabled: bool = False
    configuration: Dict[str, Optional[str]] = field(default_factory=dict)
    element: Optional[Dict[str, Any]] = None
    element_id: Optional[int] = None
    created_date: Optional[str] = None
    user_id: Optional[int] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InstancePage:
    """One page of ``GET /instances``; pass ``next_page`` to get the next one."""

    instances: List[Instance]
    next_page: Optional[str]


@dataclass(frozen=True)
class InstanceEvent:
    """An event Cloud Elements recorded for an instance."""

    id: str
    status: Optional[str]
    raw: Dict[str, Any]


@dataclass(frozen=True)
class ElementEvent:
    """One normalized event of a notification."""

    object_type: Optional[str]
    object_id: Optional[str]
    event_type: str
    element_key: Optional[str]
    date: Optional[str]
    extra: Dict[str, Any]


@dataclass(frozen=True)
class HootsuiteEvent:
    """One event of Hootsuite's own payload; ``data["kind"]`` is ``message``, ``comment``,
    ``app``, ``ping`` or ``other``."""

    seq_no: Optional[str]
    type: str
    data: Dict[str, Any]


@dataclass(frozen=True)
class Notification:
    """An event notification from Cloud Elements. Process each ``dedup_key`` once."""

    shape: str
    event_id: Optional[str]
    instance_id: Optional[int]
    element_key: Optional[str]
    notification_id: Optional[str]
    events: List[ElementEvent]
    hootsuite_events: List[HootsuiteEvent]
    raw: Any
    webhook_id: Optional[str]
    dedup_key: Optional[str]


def _make(cls: Any, data: Dict[str, Any]) -> Any:
    """An instance of a frozen dataclass from complete data, without running its ``__init__``:
    the native module always sends every field, and a frozen ``__init__`` sets them one by one
    through ``object.__setattr__``, which dominated the cost of parsing a notification."""
    obj = object.__new__(cls)
    obj.__dict__.update(data)
    return obj


def _issues(items: List[Dict[str, Any]]) -> List[Issue]:
    return [Issue(**{"label": None, "line": None, "column": None, **i, "path": tuple(i["path"])}) for i in items]


def _build(kind: str, d: Any) -> Any:
    """Called by the native module: turns the core's data into these classes."""
    if kind == "report":
        return ValidationReport(valid=d["valid"], errors=_issues(d["errors"]), warnings=_issues(d["warnings"]))
    if kind == "redirect_url":
        return RedirectUrl(**d)
    if kind == "instance":
        return _make(Instance, d)
    if kind == "instance_page":
        return InstancePage(instances=[_make(Instance, i) for i in d["instances"]], next_page=d["next_page"])
    if kind == "instance_events":
        return [InstanceEvent(**e) for e in d]
    if kind == "notification":
        d["events"] = [_make(ElementEvent, e) for e in d["events"]]
        d["hootsuite_events"] = [_make(HootsuiteEvent, h) for h in d["hootsuite_events"]]
        return _make(Notification, d)
    raise ValueError(f"unknown kind {kind}")
