"""Typed results. The Rust core fills them; these classes only give them attributes.

Each is an immutable record: attributes, ``==``, a ``repr`` without secrets, and ``to_dict()``
for the whole value as plain dicts and lists. JSON that the library does not model (unknown
fields, Hootsuite's raw payload) stays available as plain dicts and lists (``extra``, ``raw``).

They are deliberately not dataclasses: importing ``dataclasses`` (and ``typing`` at run time)
would slow the package's import (figures in docs/benchmarks.md).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only; `typing` is not imported at run time
    from typing import Any, Dict, List, Literal, Optional, Tuple, TypedDict, Union

    class MessageData(TypedDict):
        """``HootsuiteEvent.data`` of ``com.hootsuite.messages.event.v1``."""

        kind: Literal["message"]
        state: Optional[str]
        message_id: Optional[str]
        organization_id: Optional[str]
        timestamp: Optional[str]

    class CommentData(TypedDict):
        """``HootsuiteEvent.data`` of ``com.hootsuite.comments.event.v1``."""

        kind: Literal["comment"]
        state: Optional[str]
        comment_id: Optional[str]
        organization_id: Optional[str]
        timestamp: Optional[str]

    class AppData(TypedDict):
        """``HootsuiteEvent.data`` of ``com.hootsuite.apps.event.v1``."""

        kind: Literal["app"]
        state: Optional[str]
        app_id: Optional[str]
        member_id: Optional[str]
        organization_id: Optional[str]
        timestamp: Optional[str]

    class PingData(TypedDict):
        """``HootsuiteEvent.data`` of ``com.hootsuite.ping.event.v1``."""

        kind: Literal["ping"]

    class OtherData(TypedDict):
        """``HootsuiteEvent.data`` of any other type: its data as received."""

        kind: Literal["other"]
        data: Any

    #: The decoded data of a Hootsuite event, told apart by ``kind`` (as Node's union is).
    HootsuiteData = Union[MessageData, CommentData, AppData, PingData, OtherData]

    from typing_extensions import NotRequired

    from ._native import AuthorizationCode

    class Element(TypedDict):
        key: Literal["hootsuite"]

    class ProviderData(TypedDict):
        #: What ``parse_callback`` returned, or its text.
        code: Union[str, AuthorizationCode]

    #: The instance's configuration: its keys hold dots, hence this form.
    Configuration = TypedDict(
        "Configuration",
        {
            "oauth.callback.url": str,
            "oauth.api.key": str,
            "oauth.api.secret": str,
            "event.notification.enabled": bool,
            "event.notification.callback.url": str,
            "event.notification.signature.key": str,
            "event.vendor.type": Literal["webhook", "polling"],
        },
        total=False,
    )

    class CreateInstanceForm(TypedDict):
        """The create-instance body, typed: a type checker refuses a misspelled field. The
        functions also take JSON text; ``validate_instance`` takes any mapping (checking
        unknown data is its job)."""

        element: Element
        providerData: ProviderData
        configuration: Configuration
        name: str
        tags: NotRequired[List[str]]
        retrieveObjectsAfterInstantiation: NotRequired[bool]

__all__ = [
    "Issue",
    "ValidationReport",
    "RedirectUrl",
    "Instance",
    "InstancePage",
    "InstanceEvent",
    "InstanceEventPage",
    "Delivery",
    "DeliveryPage",
    "ConfigurationEntry",
    "ElementEvent",
    "HootsuiteEvent",
    "BaseUrlPreset",
    "Rejected",
    "Notification",
    "Unit",
    "Work",
    "Claim",
    "Outcome",
]


def _plain(value: Any) -> Any:
    if isinstance(value, _Record):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Record:
    """An immutable record with named fields; ``_hidden`` fields stay out of ``repr``."""

    _fields: Tuple[str, ...] = ()
    _hidden: Tuple[str, ...] = ()

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(self._fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field(s) {sorted(unknown)}")
        d = self.__dict__
        for name in self._fields:
            d[name] = values.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{f}={self.__dict__[f]!r}" for f in self._fields if f not in self._hidden)
        return f"{type(self).__name__}({shown})"

    def to_dict(self) -> Dict[str, Any]:
        """The whole value as plain dicts and lists (hidden fields included)."""
        return {f: _plain(self.__dict__[f]) for f in self._fields}


class Issue(_Record):
    """One validation problem: where (``path``), what (``code``, ``message``), the UI label."""

    _fields = ('path', 'code', 'message', 'label', 'line', 'column',)

    path: Tuple[Any, ...]
    code: str
    message: str
    label: Optional[str]
    line: Optional[int]
    column: Optional[int]


class ValidationReport(_Record):
    """Every error and warning of one input, in a stable order."""

    _fields = ('valid', 'errors', 'warnings',)

    valid: bool
    errors: List[Issue]
    warnings: List[Issue]


class RedirectUrl(_Record):
    """The answer of step 1: where to send the user."""

    _fields = ('element', 'oauth_url',)

    element: Optional[str]
    oauth_url: str


class Instance(_Record):
    """An element instance. ``token`` authorizes calls made as the instance; it is left out of
    ``repr``, which shows ``token_masked`` (safe to log) instead. ``configuration`` shows every
    secret value (``oauth.api.secret``, ``oauth.user.token``...) as ``********`` even when Cloud
    Elements sent it in clear; ``configuration_secrets`` (out of ``repr``) has those values."""

    _fields = ('id', 'name', 'token', 'token_masked', 'tags', 'valid', 'disabled', 'events_enabled', 'configuration', 'configuration_secrets', 'element', 'element_id', 'created_date', 'user_id', 'extra',)
    _hidden = ('token', 'configuration_secrets')

    id: int
    name: str
    token: str
    token_masked: str
    tags: List[str]
    valid: bool
    disabled: bool
    events_enabled: bool
    configuration: Dict[str, Optional[str]]
    configuration_secrets: Dict[str, str]
    element: Optional[Dict[str, Any]]
    element_id: Optional[int]
    created_date: Optional[str]
    user_id: Optional[int]
    extra: Dict[str, Any]


class InstancePage(_Record):
    """One page of ``GET /instances``; pass ``next_page`` to get the next one."""

    _fields = ('instances', 'next_page', 'total_count', 'returned_count',)

    instances: List[Instance]
    next_page: Optional[str]
    total_count: Optional[int]
    returned_count: Optional[int]


class InstanceEvent(_Record):
    """An event Cloud Elements recorded for an instance."""

    _fields = ('id', 'status', 'event_date', 'provider_data', 'raw',)

    id: str
    status: Optional[str]
    event_date: Optional[str]
    provider_data: Optional[str]
    raw: Dict[str, Any]


class InstanceEventPage(_Record):
    """One page of an instance's (or the account's) events; pass ``next_page`` on."""

    _fields = ('events', 'next_page', 'total_count', 'returned_count',)

    events: List[InstanceEvent]
    next_page: Optional[str]
    total_count: Optional[int]
    returned_count: Optional[int]


class Delivery(_Record):
    """One webhook delivery of ``GET /notifications/subscriptions/deliveries``; ``status`` is
    ``created``, ``retry``, ``delivered``, ``notified`` or ``queued``; secret values masked."""

    _fields = ('id', 'status', 'notification_id', 'subscription_id', 'instance_id', 'event_id', 'url', 'attempts', 'webhook_id', 'created_date', 'updated_date', 'extra',)

    id: Optional[str]
    status: str
    notification_id: int
    subscription_id: int
    instance_id: Optional[int]
    event_id: Optional[int]
    url: Optional[str]
    attempts: Optional[int]
    webhook_id: Optional[str]
    created_date: str
    updated_date: Optional[str]
    extra: Dict[str, Any]


class DeliveryPage(_Record):
    """One page of the delivery list; pass ``next_page`` on."""

    _fields = ('deliveries', 'next_page', 'total_count', 'returned_count',)

    deliveries: List[Delivery]
    next_page: Optional[str]
    total_count: Optional[int]
    returned_count: Optional[int]


class ConfigurationEntry(_Record):
    """One configuration entry of an instance; ``id`` is what an update needs."""

    _fields = ('id', 'key', 'property_value', 'name', 'extra',)

    id: int
    key: str
    property_value: Optional[str]
    name: Optional[str]
    extra: Dict[str, Any]


class ElementEvent(_Record):
    """One normalized event of a notification."""

    _fields = ('object_type', 'object_id', 'event_type', 'element_key', 'date', 'hub_key', 'extra',)

    object_type: Optional[str]
    object_id: Optional[str]
    event_type: str
    element_key: Optional[str]
    date: Optional[str]
    hub_key: Optional[str]
    extra: Dict[str, Any]


class HootsuiteEvent(_Record):
    """One event of Hootsuite's own payload; ``data["kind"]`` is ``message``, ``comment``,
    ``app``, ``ping`` or ``other``; ``extra`` holds the event's other fields."""

    _fields = ('seq_no', 'type', 'data', 'extra',)

    seq_no: Optional[str]
    type: str
    data: HootsuiteData
    extra: Dict[str, Any]


class BaseUrlPreset(tuple):
    """A region preset: ``name`` (what ``Config`` takes) and ``url``; also a ``(name, url)``
    pair, so that ``for name, url in base_url_presets()`` works."""

    __slots__ = ()

    def __new__(cls, pair: Tuple[str, str]) -> BaseUrlPreset:
        return tuple.__new__(cls, pair)

    @property
    def name(self) -> str:
        return str(self[0])

    @property
    def url(self) -> str:
        return str(self[1])

    def __repr__(self) -> str:
        return f"BaseUrlPreset(name={self[0]!r}, url={self[1]!r})"


class Rejected(_Record):
    """An event of a notification that could not be read: ``source`` is the list it was in
    (``hootsuite_event`` for ``raw``, ``element_event`` for ``events``), ``position`` its place
    there, ``key`` its unit's key (None for a Cloud Elements event when the units are the
    Hootsuite events), ``code``, ``path`` and ``message`` what is wrong, ``raw`` its JSON.
    A signed batch is not refused for one such event: ``process`` records it once without
    calling the handler and lists it in ``Outcome.rejected``."""

    _fields = ('source', 'position', 'key', 'code', 'path', 'message', 'raw',)

    source: str
    position: int
    key: Optional[str]
    code: str
    path: Tuple[Any, ...]
    message: str
    raw: Any


class Unit(_Record):
    """One unit of work of a notification: process each ``key`` once. The key is made only of
    signed bytes (``hs:<instance>:<seq_no>`` for a Hootsuite event, ``ce:...`` for a Cloud
    Elements event, ``nb:...`` for a notification naming none). ``kind`` is
    ``hootsuite_event``, ``element_event``, ``notification`` or ``rejected`` (an event that
    could not be read); ``index`` is the event's position in ``hootsuite_events``, ``events``
    or ``rejected`` (None for ``notification``)."""

    _fields = ('key', 'kind', 'index',)

    key: str
    kind: str
    index: Optional[int]


class Notification(_Record):
    """An event notification from Cloud Elements, every field kept: the named ones below, the
    rest in ``message_extra`` (inside ``message``) and ``extra`` (top level). Process each of
    ``units`` once (see ``process``). ``webhook_id`` (the ``Elements-Webhook-Id`` header) is
    information only: the signature does not cover it. ``key_index`` says which verifier key
    matched (0: the current one). Its lists and dicts (``events``, ``units``, ``raw``, ...) are
    built on first read and then kept, so a receiver pays only for the fields it reads."""

    _fields = ('shape', 'id', 'topic', 'action', 'severity', 'created_date', 'user', 'event_id', 'instance_id', 'instance_name', 'instance_tags', 'element_key', 'account_id', 'company_id', 'user_id', 'notification_id', 'events', 'hootsuite_events', 'rejected', 'raw', 'units', 'webhook_id', 'key_index', 'message_extra', 'extra',)

    shape: str
    id: Optional[str]
    topic: Optional[str]
    action: Optional[str]
    severity: Optional[str]
    created_date: Optional[str]
    user: Any
    event_id: Optional[str]
    instance_id: Optional[int]
    instance_name: Optional[str]
    instance_tags: Optional[List[str]]
    element_key: Optional[str]
    account_id: Optional[str]
    company_id: Optional[str]
    user_id: Optional[str]
    notification_id: Optional[str]
    events: List[ElementEvent]
    hootsuite_events: List[HootsuiteEvent]
    rejected: List[Rejected]
    raw: Any
    units: List[Unit]
    webhook_id: Optional[str]
    key_index: Optional[int]
    message_extra: Dict[str, Any]
    extra: Dict[str, Any]

    if not TYPE_CHECKING:  # at run time only: a type checker would accept any attribute

        def __getattr__(self, name: str) -> Any:
            # Reached only for a field not read yet: converted once from the native notification.
            lazy = self.__dict__.get("_lazy")
            if lazy is None or name not in _LAZY:
                raise AttributeError(f"'Notification' object has no attribute '{name}'")
            value = self.__dict__[name] = lazy.field(name)
            return value

    def _whole(self) -> Dict[str, Any]:
        """Every field in ``__dict__`` (the ones not read yet converted now)."""
        d = self.__dict__
        lazy = d.pop("_lazy", None)
        if lazy is not None:
            for name in _LAZY:
                if name not in d:
                    d[name] = lazy.field(name)
        return d

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._whole() == other._whole()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        self._whole()
        return _Record.__repr__(self)

    def to_dict(self) -> Dict[str, Any]:
        """The whole value as plain dicts and lists."""
        self._whole()
        return _Record.to_dict(self)

    def __getstate__(self) -> Dict[str, Any]:
        return self._whole()


#: The fields of a Notification that the native module converts on first read (the containers).
_LAZY = frozenset(('user', 'instance_tags', 'events', 'hootsuite_events', 'rejected', 'raw', 'units', 'message_extra', 'extra'))


class Work(_Record):
    """What a ``process`` handler gets: the ``unit``, its event (``hootsuite_event`` or
    ``element_event``, the other None; both None for a ``notification`` unit) and the whole
    ``notification`` (its ``instance_id``, ``account_id``, ... route the event). ``rejected``
    is set for a ``rejected`` unit, which ``process`` never hands to the handler."""

    _fields = ('unit', 'hootsuite_event', 'element_event', 'rejected', 'notification',)

    unit: Unit
    hootsuite_event: Optional[HootsuiteEvent]
    element_event: Optional[ElementEvent]
    rejected: Optional[Rejected]
    notification: Notification

    def _whole(self) -> Dict[str, Any]:
        """Every field in ``__dict__`` (the events not read yet looked up now)."""
        d = self.__dict__
        for name in _WORK_EVENTS:
            if name not in d:
                getattr(self, name)
        return d

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._whole() == other._whole()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        self._whole()
        return _Record.__repr__(self)

    def to_dict(self) -> Dict[str, Any]:
        """The whole value as plain dicts and lists."""
        self._whole()
        return _Record.to_dict(self)

    def __getstate__(self) -> Dict[str, Any]:
        return self._whole()


class _UnitEvent:
    """A ``Work`` event field that ``process``'s native loop leaves out of the record: on first
    read, the unit's event from its notification (then kept), so that a handler that reads only
    ``work.unit`` never has the notification's events built. A non-data descriptor: a field in
    the record's ``__dict__`` (every ``Work(...)``) hides it."""

    __slots__ = ("name", "of")

    def __init__(self, name: str, of: str) -> None:
        self.name = name  # also the unit kind whose event it is
        self.of = of  # the notification's list holding it

    def __get__(self, work: Optional[Work], owner: Any = None) -> Any:
        if work is None:
            return self
        d = work.__dict__
        unit = d.get("unit")
        if unit is None or "notification" not in d:
            raise AttributeError(self.name)
        value = None
        if unit.kind == self.name and unit.index is not None:
            value = getattr(d["notification"], self.of)[unit.index]
        d[self.name] = value
        return value


#: The Work fields read on first access when the record lacks them, and the list each is in.
_WORK_EVENTS = {"hootsuite_event": "hootsuite_events", "element_event": "events", "rejected": "rejected"}
for _name, _of in _WORK_EVENTS.items():
    setattr(Work, _name, _UnitEvent(_name, _of))
del _name, _of


class Claim(_Record):
    """A store's answer to a claim: ``status`` is ``claimed`` (process the unit, then complete
    or release it with ``token``), ``done`` (processed before: skip it) or ``in_progress``
    (another process holds it). The token stays out of ``repr``."""

    _fields = ('status', 'token',)
    _hidden = ('token',)

    status: str
    token: Optional[str]


class Outcome(_Record):
    """What ``process`` did with one notification; answer Cloud Elements ``status``.

    ``failed`` is the core's field and is 0 here: when a handler raises, ``process`` releases
    the claim and lets the exception through (answer 500) instead of returning. ``rejected``
    lists the events that could not be read and were recorded by this call (log them; a
    later delivery of the same batch counts them in ``skipped``)."""

    _fields = ('status', 'processed', 'skipped', 'in_progress', 'failed', 'lost_leases', 'rejected',)

    status: int
    processed: int
    skipped: int
    in_progress: int
    failed: int
    lost_leases: int
    rejected: List[Rejected]


def _make(cls: Any, data: Dict[str, Any]) -> Any:
    """A record from complete data, without the field-by-field ``__init__``: the native module
    always sends every field (building records one field at a time dominated the cost of
    parsing a notification)."""
    obj = object.__new__(cls)
    obj.__dict__.update(data)
    return obj


def _issues(items: List[Dict[str, Any]]) -> List[Issue]:
    return [Issue(**{"label": None, "line": None, "column": None, **i, "path": tuple(i["path"])}) for i in items]


def _build(kind: str, d: Any) -> Any:
    """Called by the native module: turns the core's data into these classes (``kind``: the
    export table's result type, ``[]`` for a list)."""
    if kind == "ValidationReport":
        return ValidationReport(valid=d["valid"], errors=_issues(d["errors"]), warnings=_issues(d["warnings"]))
    if kind == "RedirectUrl":
        return RedirectUrl(**d)
    if kind == "Instance":
        return _make(Instance, d)
    if kind == "InstancePage":
        return InstancePage(instances=[_make(Instance, i) for i in d["instances"]], next_page=d["next_page"], total_count=d["total_count"], returned_count=d["returned_count"])
    if kind == "InstanceEvent[]":
        return [InstanceEvent(**e) for e in d]
    if kind == "InstanceEvent":
        return InstanceEvent(**d)
    if kind == "InstanceEventPage":
        return InstanceEventPage(**{**d, "events": [InstanceEvent(**e) for e in d["events"]]})
    if kind == "Delivery[]":
        return [Delivery(**e) for e in d]
    if kind == "DeliveryPage":
        return DeliveryPage(**{**d, "deliveries": [Delivery(**e) for e in d["deliveries"]]})
    if kind == "ConfigurationEntry[]":
        return [ConfigurationEntry(**e) for e in d]
    if kind == "ConfigurationEntry":
        return ConfigurationEntry(**d)
    raise ValueError(f"unknown kind {kind}")
