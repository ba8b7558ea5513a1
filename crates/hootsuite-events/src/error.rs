//! The crate's one error type, [`Error`], and the structured details it carries.
//!
//! Every variant has a stable machine-readable [`Error::code`]; the bindings map the variants
//! to exception classes (Python) or `Error` subclasses (Node) in one place each.
//! No message contains a secret: values of secret fields are never quoted.

use std::fmt;

use serde::Serialize;

pub use crate::path::{format_path, PathSegment};
use crate::validate::ValidationReport;

/// Whether an answer with this status may succeed when tried again later: 429 (rate limited)
/// and 5xx. Whether a request may be sent again at all is [`HttpRequest::is_retry_safe`](crate::HttpRequest::is_retry_safe).
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

/// The error of every fallible function of the crate.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// An argument given to a builder was unusable (a blank secret, a bad base URL).
    InvalidArgument {
        /// The argument's name.
        field: String,
        /// What is wrong and what was expected.
        reason: String,
    },
    /// A create-instance body (or another request input) broke the rules: all problems at once.
    Invalid(ValidationReport),
    /// Cloud Elements answered with a non-2xx status.
    Api(Box<ApiError>),
    /// A 2xx body (or an event notification) could not be read.
    Parse(Box<ParseError>),
    /// The OAuth callback did not carry a usable code.
    Callback(CallbackError),
    /// An event notification's signature did not verify.
    Signature(SignatureError),
}

impl Error {
    /// A stable, machine-readable code: `invalid_argument`, `validation`, `api`, a
    /// [`ParseErrorKind::code`], a [`CallbackError::code`] or a [`SignatureError::code`].
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidArgument { .. } => "invalid_argument",
            Error::Invalid(_) => "validation",
            Error::Api(_) => "api",
            Error::Parse(e) => e.kind.code(),
            Error::Callback(e) => e.code(),
            Error::Signature(e) => e.code(),
        }
    }
}

impl Error {
    /// The name of the exception class the bindings raise for this error:
    /// `InvalidArgumentError`, `ValidationError`, `ApiError`, `ParseError`, `CallbackError`,
    /// `SignatureError`. One table, so that Python, Node and the browser agree.
    pub fn class_name(&self) -> &'static str {
        match self {
            Error::InvalidArgument { .. } => "InvalidArgumentError",
            Error::Invalid(_) => "ValidationError",
            Error::Api(_) => "ApiError",
            Error::Parse(_) => "ParseError",
            Error::Callback(_) => "CallbackError",
            Error::Signature(_) => "SignatureError",
        }
    }

    /// The error as data: `code`, `display` (the message) and the variant's fields. This is
    /// what the bindings attach to their exceptions and what the shared test vectors compare.
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::{json, Value};
        let mut m = serde_json::Map::new();
        m.insert("code".into(), self.code().into());
        m.insert("display".into(), self.to_string().into());
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        match self {
            Error::InvalidArgument { field, .. } => put("field", field.as_str().into()),
            Error::Invalid(report) => {
                put("errors", json!(report.errors));
                put("warnings", json!(report.warnings));
            }
            Error::Api(e) => {
                put("status", e.status.into());
                put("message", json!(e.message));
                put("request_id", json!(e.request_id));
                put("provider_message", json!(e.provider_message));
                put("header_request_id", json!(e.header_request_id));
                put("retry_after", json!(e.retry_after));
                put("retry_after_at", json!(e.retry_after_at));
                put("is_retryable", e.is_retryable().into());
                // The excerpt, masked, not the body: this data becomes exception details and
                // messages in every binding. The caller holds the response it passed in.
                put("body", json!(e.body_excerpt()));
                put("body_size", e.body.len().into());
            }
            Error::Parse(e) => {
                put("kind", json!(e.kind));
                put("path", json!(e.path));
                put("line", json!(e.line));
                put("column", json!(e.column));
            }
            Error::Callback(CallbackError::Refused { error, description }) => {
                put("error", error.as_str().into());
                put("description", json!(description));
            }
            Error::Callback(_) => {}
            Error::Signature(SignatureError::BodyTooLarge { limit, size }) => {
                put("limit", (*limit).into());
                put("size", (*size).into());
            }
            Error::Signature(SignatureError::TooManyCandidates { limit, count }) => {
                put("limit", (*limit).into());
                put("count", (*count).into());
            }
            Error::Signature(SignatureError::UnsupportedScheme { scheme }) => {
                put("scheme", scheme.as_str().into())
            }
            Error::Signature(_) => {}
        }
        Value::Object(m)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument { field, reason } => write!(f, "`{field}` {reason}"),
            Error::Invalid(report) => write!(f, "{report}"),
            Error::Api(e) => write!(f, "{e}"),
            Error::Parse(e) => write!(f, "{e}"),
            Error::Callback(e) => write!(f, "{e}"),
            Error::Signature(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}
impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::Parse(Box::new(e))
    }
}
impl From<CallbackError> for Error {
    fn from(e: CallbackError) -> Self {
        Error::Callback(e)
    }
}
impl From<SignatureError> for Error {
    fn from(e: SignatureError) -> Self {
        Error::Signature(e)
    }
}

/// A non-2xx answer from Cloud Elements.
///
/// Cloud Elements sends `{"message", "requestId", "providerMessage"}`; a proxy may send HTML or
/// nothing. Either way the status and the raw body are kept, and the JSON fields when present.
///
/// The body may echo a token: `Debug`, serialization and [`Error::to_value`] show its size and
/// [`ApiError::body_excerpt`] (masked, cut short), never the body itself; the field
/// [`ApiError::body`] has it.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The body's `message`.
    pub message: Option<String>,
    /// The body's `requestId`.
    pub request_id: Option<String>,
    /// The body's `providerMessage`: what Hootsuite itself said.
    pub provider_message: Option<String>,
    /// The `Elements-Request-Id` response header.
    pub header_request_id: Option<String>,
    /// The `Retry-After` header in seconds, when it is a number.
    pub retry_after: Option<u64>,
    /// The `Retry-After` header as Unix seconds, when it is an HTTP date. The library has no
    /// clock: subtract your own "now" ([`ApiError::retry_after_from`] does it for Rust).
    pub retry_after_at: Option<u64>,
    /// The body as text (lossy UTF-8), at most 64 KiB, as received: it may hold a secret.
    #[serde(rename = "body", serialize_with = "serialize_excerpt")]
    pub body: String,
}

fn serialize_excerpt<S: serde::Serializer>(body: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::redact::body_excerpt(body.as_bytes()).unwrap_or_default())
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("provider_message", &self.provider_message)
            .field("header_request_id", &self.header_request_id)
            .field("retry_after", &self.retry_after)
            .field("retry_after_at", &self.retry_after_at)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("body_excerpt", &self.body_excerpt())
            .finish()
    }
}

impl ApiError {
    /// The body as JSON with every secret masked (see [`crate::redact`]), compact, cut to 200
    /// characters; `None` when the body is not JSON (free text cannot be masked, so none of it
    /// is shown).
    pub fn body_excerpt(&self) -> Option<String> {
        crate::redact::body_excerpt(self.body.as_bytes())
    }

    /// How long `Retry-After` asks to wait, seen from `now`: the seconds form as it is, the
    /// date form minus `now` (zero once the date has passed).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use hootsuite_events::{ApiError, HttpResponse};
    /// let answer = HttpResponse::new(503, vec![("Retry-After".into(),
    ///     "Wed, 21 Oct 2015 07:28:00 GMT".into())], "");
    /// let e = ApiError::from_response(&answer);
    /// let now = UNIX_EPOCH + Duration::from_secs(1_445_412_470);
    /// assert_eq!(e.retry_after_from(now), Some(Duration::from_secs(10)));
    /// ```
    pub fn retry_after_from(&self, now: std::time::SystemTime) -> Option<std::time::Duration> {
        use std::time::{Duration, UNIX_EPOCH};
        if let Some(s) = self.retry_after {
            return Some(Duration::from_secs(s));
        }
        let at = UNIX_EPOCH + Duration::from_secs(self.retry_after_at?);
        Some(at.duration_since(now).unwrap_or(Duration::ZERO))
    }

    /// Whether trying again later may succeed: 429 (rate limited) and 5xx.
    pub fn is_retryable(&self) -> bool {
        is_retryable_status(self.status)
    }

    /// The request id from the body, else from the `Elements-Request-Id` header: quote it to
    /// Cloud Elements support.
    pub fn any_request_id(&self) -> Option<&str> {
        self.request_id
            .as_deref()
            .or(self.header_request_id.as_deref())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cloud Elements answered {}", self.status)?;
        match &self.message {
            Some(m) => write!(f, ": {m}")?,
            None if self.body.trim().is_empty() => f.write_str(" with an empty body")?,
            None => f.write_str(" with a body that is not a Cloud Elements error")?,
        }
        if let Some(p) = &self.provider_message {
            write!(f, " (Hootsuite said: {p})")?;
        }
        if let Some(id) = self.any_request_id() {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// What kind of problem a [`ParseError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParseErrorKind {
    /// Not JSON (with line and column).
    Syntax,
    /// A required field is absent.
    Missing,
    /// A field has the wrong JSON type.
    Type,
    /// A field has the right type but an unusable value.
    Value,
    /// The body is larger than the configured limit.
    TooLarge,
    /// The JSON nests deeper than [`crate::json::MAX_DEPTH`] (127) levels.
    TooDeep,
}

impl ParseErrorKind {
    /// A stable code: `json_syntax`, `missing_field`, `wrong_type`, `invalid_value`,
    /// `too_large`, `too_deep`.
    pub fn code(self) -> &'static str {
        match self {
            ParseErrorKind::Syntax => "json_syntax",
            ParseErrorKind::Missing => "missing_field",
            ParseErrorKind::Type => "wrong_type",
            ParseErrorKind::Value => "invalid_value",
            ParseErrorKind::TooLarge => "too_large",
            ParseErrorKind::TooDeep => "too_deep",
        }
    }
}

/// A body that could not be read: where (JSON path, line and column for syntax errors), what,
/// and the raw body.
///
/// `Debug` and `Display` show the body's size, not its content, since a response body can hold
/// an instance token; the field [`ParseError::body`] has it.
#[derive(Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The kind of problem.
    pub kind: ParseErrorKind,
    /// Where in the document (empty for the whole document).
    pub path: Vec<PathSegment>,
    /// What is wrong and what was expected.
    pub message: String,
    /// 1-based line of a syntax error.
    pub line: Option<usize>,
    /// 1-based column of a syntax error.
    pub column: Option<usize>,
    /// The body as received (lossy UTF-8).
    pub body: String,
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseError")
            .field("kind", &self.kind)
            .field("path", &format_path(&self.path))
            .field("message", &self.message)
            .field("line", &self.line)
            .field("column", &self.column)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(
                f,
                "malformed JSON at line {l}, column {c}: {}",
                self.message
            ),
            _ => write!(f, "at {}: {}", format_path(&self.path), self.message),
        }
    }
}

/// Why an OAuth callback gave no code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackError {
    /// The user refused, or Hootsuite failed: `error=...` came instead of `code`.
    Refused {
        /// The `error` parameter, such as `access_denied`.
        error: String,
        /// The `error_description` parameter, when present.
        description: Option<String>,
    },
    /// Neither `code` nor `error` is present, or `code` is empty.
    MissingCode,
    /// The callback has no `state`, but one was expected.
    MissingState,
    /// `state` differs from the one the app sent: possibly a forged callback (CSRF).
    StateMismatch,
    /// The callback URL or query could not be read (for example a parameter twice).
    Malformed {
        /// What is wrong.
        reason: String,
    },
}

impl CallbackError {
    /// `callback_refused`, `callback_missing_code`, `callback_missing_state`,
    /// `callback_state_mismatch`, `callback_malformed`.
    pub fn code(&self) -> &'static str {
        match self {
            CallbackError::Refused { .. } => "callback_refused",
            CallbackError::MissingCode => "callback_missing_code",
            CallbackError::MissingState => "callback_missing_state",
            CallbackError::StateMismatch => "callback_state_mismatch",
            CallbackError::Malformed { .. } => "callback_malformed",
        }
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackError::Refused { error, description } => {
                write!(f, "Hootsuite did not grant access: {error}")?;
                if let Some(d) = description {
                    write!(f, " ({d})")?;
                }
                Ok(())
            }
            CallbackError::MissingCode => {
                f.write_str("the callback has no `code` parameter (nor an `error`); was this URL the OAuth callback?")
            }
            CallbackError::MissingState => f.write_str(
                "the callback has no `state` parameter, but the redirect URL was made with one",
            ),
            CallbackError::StateMismatch => f.write_str(
                "the callback's `state` differs from the one sent: the callback may be forged (CSRF); start the connection again",
            ),
            CallbackError::Malformed { reason } => write!(f, "the callback cannot be read: {reason}"),
        }
    }
}

/// Why an event notification's signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// No `Elements-Webhook-Signature` header.
    MissingHeader,
    /// The header is not `sha256=<Base64>` (the reason says what is off).
    MalformedHeader {
        /// What is wrong.
        reason: String,
    },
    /// A scheme other than `sha256` (or `sha1`).
    UnsupportedScheme {
        /// The scheme found.
        scheme: String,
    },
    /// A legacy `sha1=` signature, and the verifier was not told to accept them.
    LegacyNotAllowed,
    /// The signature does not match the body and key.
    Mismatch,
    /// The body exceeds the verifier's size limit.
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
        /// The body's size in bytes.
        size: usize,
    },
    /// The body is empty, so no signature matches: the raw bytes were not read.
    EmptyBody,
    /// The header holds more signatures than a verifier compares.
    TooManyCandidates {
        /// The most signatures compared.
        limit: usize,
        /// How many the header holds.
        count: usize,
    },
}

impl SignatureError {
    /// `signature_missing`, `signature_malformed`, `signature_scheme`, `signature_legacy`,
    /// `signature_mismatch`, `body_too_large`, `signature_empty_body`, `signature_too_many`.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::MissingHeader => "signature_missing",
            SignatureError::MalformedHeader { .. } => "signature_malformed",
            SignatureError::UnsupportedScheme { .. } => "signature_scheme",
            SignatureError::LegacyNotAllowed => "signature_legacy",
            SignatureError::Mismatch => "signature_mismatch",
            SignatureError::BodyTooLarge { .. } => "body_too_large",
            SignatureError::EmptyBody => "signature_empty_body",
            SignatureError::TooManyCandidates { .. } => "signature_too_many",
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::MissingHeader => f.write_str(
                "the request has no Elements-Webhook-Signature header; set `event.notification.signature.key` on the instance so that Cloud Elements signs events",
            ),
            SignatureError::MalformedHeader { reason } => write!(
                f,
                "the Elements-Webhook-Signature header is malformed: {reason}; expected `sha256=<Base64>`"
            ),
            SignatureError::UnsupportedScheme { scheme } => write!(
                f,
                "the Elements-Webhook-Signature header uses `{scheme}=`; expected `sha256=`"
            ),
            SignatureError::LegacyNotAllowed => f.write_str(
                "the signature is a legacy `sha1=` one; accept those only by opting in (allow_legacy_sha1)",
            ),
            SignatureError::Mismatch => f.write_str(
                "the signature does not match the body: wrong key, or the body was changed (verify the raw bytes as received, before any JSON parsing)",
            ),
            SignatureError::BodyTooLarge { limit, size } => write!(
                f,
                "the body is {size} bytes, over the limit of {limit} bytes"
            ),
            SignatureError::EmptyBody => f.write_str(
                "the body is empty, so no signature matches it: the raw bytes of the request were not read (Flask: request.get_data(), not request.data or request.form; Express: express.raw({ type: '*/*' }) on the route)",
            ),
            SignatureError::TooManyCandidates { limit, count } => write!(
                f,
                "the Elements-Webhook-Signature header holds {count} signatures; at most {limit} are compared (Cloud Elements sends one)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_naturally() {
        let p = vec![
            PathSegment::from("configuration"),
            PathSegment::from("oauth.api.key"),
        ];
        assert_eq!(format_path(&p), r#"configuration["oauth.api.key"]"#);
        let p = vec![PathSegment::from("tags"), PathSegment::from(0)];
        assert_eq!(format_path(&p), "tags[0]");
        assert_eq!(format_path(&[]), "$");
    }

    #[test]
    fn api_error_from_html() {
        let resp = crate::HttpResponse::new(
            502,
            vec![("Content-Type".into(), "text/html".into())],
            "<html>Bad Gateway</html>",
        );
        let e = ApiError::from_response(&resp);
        assert_eq!(e.status, 502);
        assert!(e.is_retryable());
        assert_eq!(e.message, None);
        assert!(e.to_string().contains("not a Cloud Elements error"));
    }
}
