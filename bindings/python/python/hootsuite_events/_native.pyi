"""Type stubs of the native module (checked against it by mypy.stubtest in the tests)."""

from typing import Any, Callable, Iterable, List, Literal, Mapping, Optional, Sequence, Tuple, Union

from typing_extensions import final

from .types import BaseUrlPreset, Claim, CreateInstanceForm, ConfigurationEntry, Delivery, DeliveryPage, Instance, InstanceEvent, InstanceEventPage, InstancePage, Notification, RedirectUrl, Unit, ValidationReport, Work
from .types import Outcome

__all__ = [
    "DEFAULT_CAPACITY",
    "DEFAULT_LEASE_MS",
    "DEFAULT_RETENTION_MS",
    "MAX_KEYS",
    "MAX_SIGNATURE_CANDIDATES",
    "STATUS_FAILED",
    "STATUS_IN_PROGRESS",
    "STATUS_OK",
    "base_url_presets",
    "configuration_request",
    "instance_event_request",
    "instance_events_page_request",
    "parse_configuration",
    "parse_configuration_entry",
    "parse_instance_event",
    "parse_instance_event_page",
    "list_deliveries_request",
    "redeliver_request",
    "reenable_request",
    "failure_policy_request",
    "set_failure_policy_request",
    "parse_deliveries",
    "parse_delivery_page",
    "parse_failure_policy",
    "update_configuration_request",
    "AuthorizationCode",
    "Config",
    "MemoryStore",
    "Steps",
    "RedisProtocol",
    "PostgresProtocol",
    "DEFAULT_TABLE",
    "MIGRATION",
    "CLEANUP",
    "DEFAULT_NAMESPACE",
    "new_claim_token",
    "Request",
    "build_instance_body",
    "create_instance_request",
    "create_instance_schema",
    "delete_instance_request",
    "get_instance_request",
    "hootsuite_webhook_url",
    "instance_events_request",
    "list_instances_request",
    "outcome_status",
    "TELEMETRY",
    "parse_traceparent",
    "is_secret_name",
    "parse_callback",
    "parse_empty",
    "parse_event_notification",
    "parse_instance",
    "parse_instance_events",
    "parse_instance_page",
    "parse_redirect_url",
    "reauthenticate_code_request",
    "reauthenticate_request",
    "redirect_url_request",
    "set_enabled_request",
    "set_events_request",
    "set_signature_key_request",
    "sign",
    "update_event_callback_request",
    "validate_instance",
    "validate_instance_update",
    "verify_event",
    "verify_signature",
]

_Json = Union[Mapping[str, Any], str, bytes]
_Form = Union[CreateInstanceForm, str, bytes]
_Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]], None]
_Body = Union[bytes, bytearray, memoryview]
_Keys = Union[str, Sequence[str]]

#: How long a claim is held before another process may take it over (60 s).
DEFAULT_LEASE_MS: int
#: How long a completed key is kept (7 days, past Cloud Elements' last retry at about 73 h).
DEFAULT_RETENTION_MS: int
#: How many keys a ``MemoryStore`` holds by default before it forgets the oldest.
DEFAULT_CAPACITY: int
#: The header carrying the signature of an event notification.
SIGNATURE_HEADER: str
#: The header naming one delivery: information only (the signature does not cover it, so it
#: is no idempotency key; ``Notification.units`` are).
WEBHOOK_ID_HEADER: str
#: The answers: every unit processed or done (200), another process holds one (409), a
#: handler failed (500).
STATUS_OK: int
STATUS_IN_PROGRESS: int
STATUS_FAILED: int
#: At most this many signatures in one ``Elements-Webhook-Signature`` header.
MAX_SIGNATURE_CANDIDATES: int
#: At most this many verifier keys (the current one first).
MAX_KEYS: int

#: The package version (the workspace Cargo.toml's).
__version__: str

@final
class Config:
    """Where to call (base URL or a preset of ``base_url_presets()``: ``us``, ``us-legacy``,
    ``us-staging``, ``eu``, ``eu-console``, ``sap-us2``, ``sap-trial-us10``, ``sap-trial-eu10``) and with
    which account. Secrets never appear in ``repr``."""

    def __new__(cls, base_url: str, user_secret: str, organization_secret: str) -> "Config": ...
    @property
    def base_url(self) -> str: ...
    def instance_authorization(self, token: str) -> str:
        """``User <user secret>, Element <token>``: the header for calls made as an instance."""

@final
class Request:
    """A request to send: ``requests.request(r.method, r.url, headers=r.headers, data=r.body)``."""

    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def body(self) -> bytes: ...
    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""

@final
class AuthorizationCode:
    """The OAuth code from the callback: single use, secret; ``repr`` and ``str`` mask it."""

    def get_secret_value(self) -> str: ...

@final
class MemoryStore:
    """The in-process claim store (the Rust core's): bounded (past ``capacity`` keys the oldest
    is forgotten), completed keys kept ``retention_ms``, safe to share between threads.
    ``now_ms=None`` reads the host clock (``time.time()``)."""

    def __new__(cls, capacity: int = 100000, retention_ms: int = 604800000) -> "MemoryStore":
        """The defaults are ``DEFAULT_CAPACITY`` and ``DEFAULT_RETENTION_MS``."""
    def claim(self, key: str, lease_ms: int = 60000, now_ms: Optional[int] = None) -> Claim:
        """``claimed`` (with a token: process, then complete or release), ``done`` or ``in_progress``."""
    def complete(self, key: str, token: str, now_ms: Optional[int] = None) -> bool:
        """Marks the claim done; False when ``token`` is not the live claim's (a lost lease)."""
    def release(self, key: str, token: str) -> bool:
        """Gives the claim up so that the next delivery processes the key."""
    def claim_all(self, keys: List[str], lease_ms: Optional[int] = None, now_ms: Optional[int] = None) -> List[Claim]:
        """One ``Claim`` per key (the units of one notification), in order."""
    def settle(self, complete: List[Tuple[str, str]], release: List[Tuple[str, str]], now_ms: Optional[int] = None) -> List[bool]:
        """Completes ``complete``'s and releases ``release``'s ``(key, token)`` claims: whether each changed its key."""
    def _process(self, notification: Notification, handler: Callable[[Work], Any], lease_ms: int) -> Outcome:
        """``process``'s loop on this store, in one call (no telemetry): the outcome, or the handler's exception."""
    def __len__(self) -> int: ...

_Tally = Tuple[int, int, int, int, int, int, List[int]]

@final
class Steps:
    """The claim loop of one notification (the Rust core's): ``process`` and ``process_async``
    drive it around the store and the handler."""

    def __new__(cls, units: List[Unit]) -> "Steps": ...
    def next_step(
        self,
    ) -> Union[
        Tuple[Literal["claim"], List[str]],
        Tuple[Literal["handle"], int],
        Tuple[Literal["settle"], List[Tuple[str, str]], List[Tuple[str, str]]],
        Tuple[Literal["done"], _Tally],
    ]:
        """What to do next; ``("done", (status, processed, skipped, in_progress, failed, lost_leases, rejected_indices))`` at the end."""
    def claimed(self, answers: List[Claim]) -> None: ...
    def handled(self, ok: bool) -> None: ...
    def settled(self, changed: List[bool]) -> None: ...

#: The namespace of the Redis store's keys unless another is given.
DEFAULT_NAMESPACE: str

_Call = Tuple[str, str, str, List[str]]

@final
class RedisProtocol:
    """The Redis protocol of a shared store (the core's ``idempotency::redis``): each method
    gives the script call to send, ``(sha1, source, key, args)``, and parses the replies."""

    def __new__(cls, namespace: str = "hootsuite-events", retention_ms: int = 604800000) -> "RedisProtocol": ...
    def claim(self, key: str, lease_ms: Optional[int] = None) -> Tuple[str, str, str, List[str], str]:
        """The claim call with a new token: ``(sha1, source, key, args, token)``."""
    def complete(self, key: str, token: str) -> _Call: ...
    def release(self, key: str, token: str) -> _Call: ...
    def parse_claim(self, reply: Union[bytes, str], token: str) -> Claim:
        """The ``Claim`` the claim script answered; ``InvalidArgumentError`` on another reply."""
    def key(self, unit_key: str) -> str:
        """The Redis key of a unit key: ``<namespace>:{<group>}<rest>`` (the group: up to its second ``:``)."""
    def claim_all(self, keys: List[str], lease_ms: Optional[int] = None) -> Tuple[str, str, List[str], List[str], str]:
        """The claim of every unit of one notification in one script: ``(sha1, source, keys, args, token)``."""
    def settle(self, complete: List[Tuple[str, str]], release: List[Tuple[str, str]]) -> Tuple[str, str, List[str], List[str]]:
        """The completion and release of one notification's claims in one script: ``(sha1, source, keys, args)``."""
    def parse_claim_all(self, replies: List[Union[bytes, str]], count: int, token: str) -> List[Claim]: ...
    def claim_set(self, keys: List[str], lease_ms: Optional[int] = None) -> Tuple[List[str], str, int, str]:
        """``(keys, value, lease_ms, token)``: ``SET <key> <value> NX PX <lease_ms> GET`` per key (Redis 7.0+)."""
    def parse_claim_set(self, replies: List[Union[bytes, str, None]], count: int, token: str) -> List[Claim]: ...
    def claim_set_unsupported(self, message: str) -> bool:
        """Whether Redis's error to a ``claim_set`` command says the server predates 7.0 (claim by script)."""
    def parse_settle(self, replies: List[int], count: int) -> List[bool]: ...
    def _process(self, scripts: Any, notification: Notification, handler: Callable[[Work], Any], lease_ms: int) -> Outcome:
        """``RedisStore``'s ``process`` loop in one call (no telemetry), sending through ``scripts`` (its ``_Scripts``)."""
    def parse_flag(self, reply: int) -> bool:
        """Whether a complete or release script changed the key (1 or 0)."""
    @property
    def namespace(self) -> str: ...
    @property
    def retention_ms(self) -> int: ...

#: The PostgreSQL inbox's table unless another is given.
DEFAULT_TABLE: str
#: The migration of the default inbox table: the table and the index of its cleanup.
MIGRATION: str
#: The cleanup of the default inbox table with the default retention (7 days).
CLEANUP: str

@final
class PostgresProtocol:
    """The PostgreSQL inbox's protocol (the core's ``idempotency::postgres``): the migration,
    the claim, seal and cleanup statements, and what the claim's row means."""

    def __new__(cls, table: str = "hootsuite_events_inbox", retention_ms: int = 604800000) -> "PostgresProtocol": ...
    def claim(self, key: str, kind: str) -> Tuple[str, List[str]]:
        """``(sql, [key, kind])``: run inside the unit's transaction; its row is ``(locked, inserted)``."""
    @staticmethod
    def parse_claim(locked: bool, inserted: bool) -> str:
        """``claimed``, ``done`` or ``in_progress``; ``InvalidArgumentError`` for an impossible row."""
    @property
    def table(self) -> str: ...
    @property
    def retention_ms(self) -> int: ...
    @property
    def migration(self) -> str: ...
    @property
    def migration_lock(self) -> str: ...
    @property
    def cleanup(self) -> str: ...
    @property
    def claim_sql(self) -> str: ...
    @property
    def seal(self) -> str: ...

def new_claim_token() -> str:
    """128 random bits of the operating system as 32 hexadecimal digits."""

#: The core's telemetry table: span, attribute and metric names (see
#: ``hootsuite_events.telemetry``).
TELEMETRY: Any

def parse_traceparent(header: str) -> Optional[Tuple[str, str, int]]:
    """A W3C ``traceparent`` header's trace id and span id (hex) and flags, or None when it
    breaks the rules."""

def is_secret_name(name: str) -> bool:
    """Whether values under ``name`` are secret (the core's one redaction rule)."""

def outcome_status(in_progress: int, failed: int) -> int:
    """What to answer after claiming a notification's units: 500 when one failed, 409 when
    another process holds one, else 200."""

def redirect_url_request(
    config: Config,
    api_key: str,
    api_secret: str,
    callback_url: str,
    *,
    state: Optional[str] = None,
    scope: Optional[str] = None,
    site_address: Optional[str] = None,
    callback_proxy: Optional[bool] = None,
    request_token: Optional[str] = None,
    post: bool = False,
    oauth_proxy_name: Optional[str] = None,
    extra: Optional[Mapping[str, str]] = None,
) -> Request:
    """Step 1: ``GET /elements/hootsuite/oauth/url`` (``post=True``: the POST form, which keeps the
    client secret out of the URL; the proxy flag is then ``isOAuthProxy``). ``extra`` parameters
    pass through unchanged. Raises ValidationError."""

def parse_redirect_url(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> RedirectUrl:
    """Reads step 1's answer: ``(status, headers, body)`` or a requests/httpx response."""

def parse_callback(url: str, expected_state: str) -> AuthorizationCode:
    """Step 2: checks ``state`` (constant time), then refusal, then returns the code.
    Raises CallbackError or InvalidArgumentError."""

def validate_instance(data: _Json, callback_url: Optional[str] = None) -> ValidationReport:
    """Every problem of a create-instance body; never raises on invalid data. With
    ``callback_url`` (step 1's), ``oauth.callback.url`` must equal it (``callback_mismatch``)."""

def validate_instance_update(data: _Json) -> ValidationReport:
    """Every problem of a PATCH body (only the keys present are checked)."""

def build_instance_body(data: _Form) -> dict[str, Any]:
    """The canonical body of a valid input. Raises ValidationError."""

def create_instance_request(config: Config, data: _Form) -> Request:
    """Step 3: ``POST /instances``. Raises ValidationError with every problem."""

def reauthenticate_request(config: Config, instance_id: int, data: _Form) -> Request:
    """``PUT /instances/{id}`` with a full body."""

def reauthenticate_code_request(config: Config, instance_id: int, code: Union[str, AuthorizationCode]) -> Request:
    """``PATCH /instances/{id}`` with a new ``providerData.code``."""

def get_instance_request(config: Config, instance_id: int) -> Request: ...
def delete_instance_request(config: Config, instance_id: int) -> Request: ...
def set_enabled_request(config: Config, instance_id: int, enabled: bool) -> Request: ...
def set_events_request(config: Config, instance_id: int, enabled: bool) -> Request: ...
def update_event_callback_request(config: Config, instance_id: int, url: str) -> Request:
    """``PATCH /instances/{id}`` with the final ``event.notification.callback.url``."""

def set_signature_key_request(config: Config, instance_id: int, key: str) -> Request:
    """``PATCH /instances/{id}`` with a new ``event.notification.signature.key`` (a rotation):
    verify with ``[new, previous]`` while deliveries signed before are retried (about 73 h)."""

def instance_events_request(config: Config, instance_id: int) -> Request: ...
def instance_events_page_request(
    config: Config, instance_id: Optional[int], *, page_size: Optional[int] = None, next_page: Optional[str] = None
) -> Request:
    """``GET /instances/{id}/events``, or ``GET /instances/events`` (the whole account) with ``None``."""

def instance_event_request(config: Config, instance_id: Optional[int], event_id: str) -> Request:
    """``GET /instances/{id}/events/{eventId}``, or ``/instances/events/{eventId}`` with ``None``."""

def list_deliveries_request(
    config: Config,
    *,
    status: Optional[str] = None,
    url: Optional[str] = None,
    instance_id: Optional[int] = None,
    page_size: Optional[int] = None,
    next_page: Optional[str] = None,
) -> Request:
    """``GET /notifications/subscriptions/deliveries?where=channel='webhook' and ...``."""

def redeliver_request(
    config: Config, *, status: Optional[str] = None, url: Optional[str] = None, instance_id: Optional[int] = None
) -> Request:
    """``PUT /notifications/subscriptions/deliveries?where=...``: releases the queued deliveries
    (the status clause is always ``queued``) and re-enables their subscriptions."""

def reenable_request(config: Config, instance_id: int) -> Request:
    """The redelivery ``PUT`` scoped to one instance: re-enables its deactivated subscription."""

def failure_policy_request(config: Config) -> Request:
    """``GET /accounts/settings``."""

def set_failure_policy_request(config: Config, policy: str) -> Request:
    """``PATCH /accounts/settings`` with ``notification.webhook.failure.policy``: ``retry`` or ``queue``."""

def configuration_request(config: Config, instance_id: int) -> Request: ...
def update_configuration_request(config: Config, instance_id: int, config_id: int, property_value: str) -> Request:
    """``PATCH /instances/{id}/configuration/{configId}`` with ``{"propertyValue": ...}``."""

def base_url_presets() -> List[BaseUrlPreset]:
    """The region presets: ``BaseUrlPreset(name, url)`` (also a ``(name, url)`` pair):
    ``us``, ``eu``, ``sap-us2``, ..."""

def list_instances_request(
    config: Config,
    *,
    tags: Optional[Sequence[str]] = None,
    search_text: Optional[str] = None,
    page_size: Optional[int] = None,
    next_page: Optional[str] = None,
    hydrate: Optional[bool] = None,
) -> Request: ...
def parse_instance(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> Instance:
    """Reads an instance; raises ApiError (non-2xx) or ParseError."""

def parse_instance_page(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> InstancePage: ...
def parse_instance_events(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> List[InstanceEvent]: ...
def parse_instance_event_page(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> InstanceEventPage: ...
def parse_instance_event(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> InstanceEvent: ...
def parse_deliveries(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> List[Delivery]: ...
def parse_delivery_page(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> DeliveryPage: ...
def parse_failure_policy(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> str:
    """``retry`` or ``queue`` (``retry`` when the account has not set it)."""
def parse_configuration(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> List[ConfigurationEntry]: ...
def parse_configuration_entry(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> ConfigurationEntry: ...
def parse_empty(response: Any, headers: _Headers = None, body: Optional[_Body] = None) -> None:
    """Checks the status of delete/enable/disable answers; raises ApiError."""

def hootsuite_webhook_url(base_url: str, instance_id: int) -> str:
    """``<base URL>/events/hootsuite/<Base64 of the id>``: paste it into the Hootsuite app."""

def sign(key: str, body: _Body) -> str:
    """``sha256=<Base64 HMAC-SHA256>`` of the raw body."""

def verify_signature(
    key: _Keys,
    body: _Body,
    header: Optional[str],
    *,
    allow_legacy_sha1: bool = False,
    max_body_size: Optional[int] = None,
) -> int:
    """Returns the index of the key (``key`` or one of a sequence, the current first) that
    signed ``body``; raises SignatureError when none did."""

def verify_event(
    key: _Keys,
    headers: _Headers,
    body: _Body,
    *,
    allow_legacy_sha1: bool = False,
    max_body_size: Optional[int] = None,
) -> Notification:
    """Verifies the raw body's signature with ``key`` (or a sequence of keys, the current one
    first: ``Notification.key_index`` tells which matched), then parses it. A ``str`` body
    raises TypeError: the signature covers the exact bytes."""

def parse_event_notification(body: Union[_Body, str], headers: _Headers = None) -> Notification:
    """Parses a notification without verifying it (for unsigned deliveries)."""

def create_instance_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of the create-instance body."""
