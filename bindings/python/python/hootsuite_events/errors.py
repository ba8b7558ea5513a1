"""The exceptions of hootsuite_events.

Every exception carries the stable machine-readable ``code`` and ``details``, the same data in
every language (``Error.to_value()`` of the Rust core); the attributes below are read from it.
Messages never contain a secret.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only; `typing` is not imported at run time
    from typing import Any, Dict, Optional, Tuple

__all__ = [
    "HootsuiteEventsError",
    "InvalidArgumentError",
    "ValidationError",
    "ApiError",
    "ParseError",
    "CallbackError",
    "SignatureError",
]


class HootsuiteEventsError(Exception):
    """Base class of every error raised by hootsuite_events."""

    code: str
    details: Dict[str, Any]

    def __init__(self, message: str, code: str, details: Dict[str, Any]) -> None:
        super().__init__(message)
        self.code = code
        self.details = details

    def __reduce__(self) -> Tuple[Any, ...]:
        # `args` holds the message only: pickle (multiprocessing, Celery, pytest-xdist) must
        # call __init__ with all three, and keep attributes set later (__notes__ and the like).
        message = self.args[0] if self.args else ""
        return (type(self), (message, self.code, self.details), self.__dict__)


class InvalidArgumentError(HootsuiteEventsError, ValueError):
    """An argument was unusable: a blank secret, a bad base URL, an empty expected state."""

    @property
    def field(self) -> str:
        return str(self.details.get("field", ""))


class ValidationError(HootsuiteEventsError, ValueError):
    """A body broke the rules. ``errors`` and ``warnings`` list every problem at once."""

    @property
    def errors(self) -> list:
        from .types import _issues

        return _issues(self.details.get("errors", []))

    @property
    def warnings(self) -> list:
        from .types import _issues

        return _issues(self.details.get("warnings", []))


class ApiError(HootsuiteEventsError):
    """Cloud Elements answered with a non-2xx status."""

    @property
    def status(self) -> int:
        return int(self.details["status"])

    @property
    def message(self) -> Optional[str]:
        return self.details.get("message")

    @property
    def request_id(self) -> Optional[str]:
        return self.details.get("request_id")

    @property
    def provider_message(self) -> Optional[str]:
        return self.details.get("provider_message")

    @property
    def header_request_id(self) -> Optional[str]:
        return self.details.get("header_request_id")

    @property
    def retry_after(self) -> Optional[int]:
        return self.details.get("retry_after")

    @property
    def retry_after_at(self) -> Optional[int]:
        """``Retry-After`` given as an HTTP date, in Unix seconds: wait ``retry_after_at - time.time()``."""
        return self.details.get("retry_after_at")

    @property
    def is_retryable(self) -> bool:
        return bool(self.details.get("is_retryable"))

    @property
    def body(self) -> str:
        """The body as JSON with every secret masked, cut to 200 characters; empty when the body
        is not JSON. The response you passed in has the body itself."""
        return str(self.details.get("body") or "")

    @property
    def body_size(self) -> int:
        return int(self.details.get("body_size", 0))


class ParseError(HootsuiteEventsError, ValueError):
    """A 2xx body or an event notification could not be read."""

    @property
    def path(self) -> Tuple[Any, ...]:
        return tuple(self.details.get("path", []))

    @property
    def line(self) -> Optional[int]:
        return self.details.get("line")

    @property
    def column(self) -> Optional[int]:
        return self.details.get("column")


class CallbackError(HootsuiteEventsError):
    """The OAuth callback gave no code: refused, state mismatch, missing code."""

    @property
    def error(self) -> Optional[str]:
        return self.details.get("error")

    @property
    def description(self) -> Optional[str]:
        return self.details.get("description")


class SignatureError(HootsuiteEventsError):
    """An event notification's signature did not verify."""
