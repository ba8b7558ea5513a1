"""hootsuite_events: connect Hootsuite accounts through Cloud Elements and receive their events.

The library builds every HTTP request of the flow (``Request``: ``method``, ``url``,
``headers``, ``body``) and parses every answer; your HTTP client (``requests``, ``httpx``,
``urllib``) sends them. It validates the create-instance body with the same rules as the Rust,
Node and browser packages, verifies the signed event notifications Cloud Elements sends, and
processes each of their units of work once (``process``, ``process_async``, ``MemoryStore``).
"""

from ._native import (
    DEFAULT_CAPACITY,
    DEFAULT_LEASE_MS,
    DEFAULT_RETENTION_MS,
    MAX_KEYS,
    MAX_SIGNATURE_CANDIDATES,
    STATUS_FAILED,
    STATUS_IN_PROGRESS,
    STATUS_OK,
    AuthorizationCode,
    Config,
    MemoryStore,
    Request,
    build_instance_body,
    create_instance_request,
    create_instance_schema,
    delete_instance_request,
    get_instance_request,
    hootsuite_webhook_url,
    instance_events_request,
    list_instances_request,
    outcome_status,
    parse_callback,
    parse_empty,
    parse_event_notification,
    parse_instance,
    parse_instance_events,
    parse_instance_page,
    parse_redirect_url,
    reauthenticate_code_request,
    reauthenticate_request,
    redirect_url_request,
    set_enabled_request,
    set_events_request,
    set_signature_key_request,
    sign,
    update_event_callback_request,
    validate_instance,
    validate_instance_update,
    verify_event,
    verify_signature,
)
from .errors import (
    ApiError,
    CallbackError,
    HootsuiteEventsError,
    InvalidArgumentError,
    ParseError,
    SignatureError,
    ValidationError,
)
from .idempotency import process, process_async, works
from .types import (
    Claim,
    ElementEvent,
    HootsuiteEvent,
    Instance,
    InstanceEvent,
    InstancePage,
    Issue,
    Notification,
    Outcome,
    RedirectUrl,
    Unit,
    ValidationReport,
    Work,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .stores import AsyncStore, Store

#: The header carrying the signature of an event notification.
SIGNATURE_HEADER = "Elements-Webhook-Signature"
#: The header naming one delivery: information only (the signature does not cover it, so it
#: is no idempotency key; ``Notification.units`` are).
WEBHOOK_ID_HEADER = "Elements-Webhook-Id"


def __getattr__(name: str) -> object:
    # The store protocols need `typing`, which the package otherwise does not import (it
    # costs milliseconds of import time): they load on first use.
    if name in ("Store", "AsyncStore"):
        from . import stores

        return getattr(stores, name)
    raise AttributeError(f"module 'hootsuite_events' has no attribute {name!r}")

__all__ = [
    "DEFAULT_CAPACITY",
    "DEFAULT_LEASE_MS",
    "DEFAULT_RETENTION_MS",
    "MAX_KEYS",
    "MAX_SIGNATURE_CANDIDATES",
    "STATUS_FAILED",
    "STATUS_IN_PROGRESS",
    "STATUS_OK",
    "ApiError",
    "AsyncStore",
    "AuthorizationCode",
    "CallbackError",
    "Claim",
    "Config",
    "ElementEvent",
    "HootsuiteEvent",
    "HootsuiteEventsError",
    "Instance",
    "InstanceEvent",
    "InstancePage",
    "InvalidArgumentError",
    "Issue",
    "MemoryStore",
    "Notification",
    "Outcome",
    "ParseError",
    "RedirectUrl",
    "Request",
    "SIGNATURE_HEADER",
    "SignatureError",
    "Store",
    "Unit",
    "ValidationError",
    "ValidationReport",
    "WEBHOOK_ID_HEADER",
    "Work",
    "build_instance_body",
    "create_instance_request",
    "create_instance_schema",
    "delete_instance_request",
    "get_instance_request",
    "hootsuite_webhook_url",
    "instance_events_request",
    "list_instances_request",
    "outcome_status",
    "parse_callback",
    "parse_empty",
    "parse_event_notification",
    "parse_instance",
    "parse_instance_events",
    "parse_instance_page",
    "parse_redirect_url",
    "process",
    "process_async",
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
    "works",
]
