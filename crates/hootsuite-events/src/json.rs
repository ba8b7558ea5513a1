//! Reading JSON with precise errors: size limits, line and column for syntax errors, and a JSON
//! path for every field that is missing or of the wrong type.
//!
//! Paths are kept as a linked list on the stack while walking a document and turned into a
//! `Vec` only when an error is reported, so that the happy path does not allocate for them.

use serde_json::{Map, Value};

use crate::error::{ApiError, Error, ParseError, ParseErrorKind};
use crate::path::{Path, PathSegment};
use crate::request::HttpResponse;
use crate::validate::{Issue, ValidationReport};

/// The default limit for response and notification bodies: 1 MiB.
pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;

pub use crate::jsonv::MAX_DEPTH;

/// Limits applied to every body the library reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest body accepted, in bytes.
    pub max_body_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        }
    }
}

/// `map.get(key)`, by a linear scan when the object is small. The library's objects have a
/// handful of keys, and comparing a few short keys costs less than hashing the key with
/// SipHash (`preserve_order` maps hash every lookup): map lookups were a quarter of the time
/// of validating a create-instance body.
#[inline]
pub(crate) fn field<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    if map.len() <= 12 {
        map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

/// The JSON type of a value, as a word for messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A serde_json value as the form path's small JSON value ([`jsonv`](crate::jsonv)): numbers as
/// serde_json writes them, objects in their order.
pub fn to_jsonv(value: &Value) -> crate::jsonv::Value {
    use crate::jsonv::{Number, Value as V};
    match value {
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Number(n) => V::Number(Number::from_json_text(n.to_string())),
        Value::String(s) => V::String(s.clone()),
        Value::Array(items) => V::Array(items.iter().map(to_jsonv).collect()),
        Value::Object(map) => {
            V::Object(map.iter().map(|(k, v)| (k.clone(), to_jsonv(v))).collect())
        }
    }
}

/// The form path's JSON value as a serde_json value (numbers read by serde_json).
pub fn from_jsonv(value: &crate::jsonv::Value) -> Value {
    use crate::jsonv::Value as V;
    match value {
        V::Null => Value::Null,
        V::Bool(b) => Value::Bool(*b),
        // jsonv accepts exactly serde_json's numbers, so this read cannot fail.
        V::Number(n) => serde_json::from_str(n.as_str()).map_or(Value::Null, Value::Number),
        V::String(s) => Value::String(s.clone()),
        V::Array(items) => Value::Array(items.iter().map(from_jsonv).collect()),
        V::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), from_jsonv(v)))
                .collect(),
        ),
    }
}

/// A float as a JSON number written as serde_json writes it; `None` for NaN and infinities.
pub fn jsonv_number(f: f64) -> Option<crate::jsonv::Number> {
    serde_json::Number::from_f64(f).map(|n| crate::jsonv::Number::from_json_text(n.to_string()))
}

/// Turns a serde_json error into line, column and a message without serde's own position suffix.
pub(crate) fn syntax_parts(e: &serde_json::Error) -> (ParseErrorKind, usize, usize, String) {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    let kind = if message.contains("recursion limit") {
        ParseErrorKind::TooDeep
    } else {
        ParseErrorKind::Syntax
    };
    (kind, e.line(), e.column(), message)
}

impl ValidationReport {
    /// One `json_syntax` error for text that is not JSON, as read by [`jsonv`](crate::jsonv)
    /// (serde_json's messages and positions).
    pub(crate) fn syntax_v(e: &crate::jsonv::SyntaxError) -> Self {
        let kind = if e.code == crate::jsonv::Code::RecursionLimitExceeded {
            ParseErrorKind::TooDeep
        } else {
            ParseErrorKind::Syntax
        };
        Self::syntax_report(kind, e.line, e.column, e.code.message().to_string())
    }

    fn syntax_report(kind: ParseErrorKind, line: usize, column: usize, message: String) -> Self {
        let code = if kind == ParseErrorKind::TooDeep {
            "too_deep"
        } else {
            "json_syntax"
        };
        let mut report = ValidationReport::new();
        report.valid = false;
        report.errors.push(Issue {
            path: Vec::new(),
            code,
            message: crate::text::fill(
                "malformed JSON at line {}, column {}: {}",
                &[
                    &crate::text::decimal(line),
                    &crate::text::decimal(column),
                    &message,
                ],
            ),
            label: None,
            line: Some(line),
            column: Some(column),
        });
        report
    }
}

/// A document being read, kept for error reports (which carry the raw body) and for the text
/// of numbers as written.
pub(crate) struct Doc<'b> {
    pub body: &'b [u8],
    /// The body read again keeping every number's text, the first time a number that
    /// serde_json holds as an `f64` is read as an identifier.
    literal: std::cell::OnceCell<Option<crate::jsonv::Value>>,
}

impl<'b> Doc<'b> {
    pub(crate) fn new(body: &'b [u8]) -> Self {
        Doc {
            body,
            literal: std::cell::OnceCell::new(),
        }
    }

    /// Parses `body` as JSON within `limits`.
    pub(crate) fn parse(body: &'b [u8], limits: &Limits) -> Result<(Doc<'b>, Value), ParseError> {
        let doc = Doc::new(body);
        if body.len() > limits.max_body_size {
            return Err(doc.error(
                ParseErrorKind::TooLarge,
                Path::ROOT,
                format!(
                    "the body is {} bytes, over the limit of {} bytes",
                    body.len(),
                    limits.max_body_size
                ),
            ));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => Ok((doc, v)),
            Err(e) => {
                let (kind, line, column, message) = syntax_parts(&e);
                let message = if body.iter().all(u8::is_ascii_whitespace) {
                    "the body is empty; expected JSON".to_string()
                } else {
                    message
                };
                let mut err = doc.error(kind, Path::ROOT, message);
                err.line = Some(line);
                err.column = Some(column);
                Err(err)
            }
        }
    }

    pub(crate) fn error(
        &self,
        kind: ParseErrorKind,
        path: Path<'_>,
        message: String,
    ) -> ParseError {
        ParseError {
            kind,
            path: path.to_vec(),
            message,
            line: None,
            column: None,
            body: String::from_utf8_lossy(self.body).into_owned(),
        }
    }

    pub(crate) fn missing(&self, path: Path<'_>, what: &str) -> ParseError {
        self.error(
            ParseErrorKind::Missing,
            path,
            format!("the required field is missing; expected {what}"),
        )
    }

    pub(crate) fn wrong_type(&self, path: Path<'_>, expected: &str, found: &Value) -> ParseError {
        self.error(
            ParseErrorKind::Type,
            path,
            format!("expected {expected}, found {}", type_name(found)),
        )
    }

    pub(crate) fn object<'v>(
        &self,
        value: &'v Value,
        path: Path<'_>,
    ) -> Result<&'v Map<String, Value>, ParseError> {
        value
            .as_object()
            .ok_or_else(|| self.wrong_type(path, "an object", value))
    }

    /// A required string field.
    pub(crate) fn req_str<'v>(
        &self,
        obj: &'v Map<String, Value>,
        path: Path<'_>,
        key: &str,
    ) -> Result<&'v str, ParseError> {
        match field(obj, key) {
            Some(Value::String(s)) => Ok(s),
            None | Some(Value::Null) => Err(self.missing(path.key(key), "a string")),
            Some(other) => Err(self.wrong_type(path.key(key), "a string", other)),
        }
    }

    /// An optional string field (absent or null gives `None`).
    pub(crate) fn opt_str<'v>(
        &self,
        obj: &'v Map<String, Value>,
        path: Path<'_>,
        key: &str,
    ) -> Result<Option<&'v str>, ParseError> {
        match field(obj, key) {
            Some(Value::String(s)) => Ok(Some(s)),
            None | Some(Value::Null) => Ok(None),
            Some(other) => Err(self.wrong_type(path.key(key), "a string", other)),
        }
    }

    /// An optional boolean field; `"true"`/`"false"` strings are read too, since Cloud Elements
    /// writes booleans both ways.
    pub(crate) fn opt_bool(
        &self,
        obj: &Map<String, Value>,
        path: Path<'_>,
        key: &str,
    ) -> Result<Option<bool>, ParseError> {
        match field(obj, key) {
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s == "true" => Ok(Some(true)),
            Some(Value::String(s)) if s == "false" => Ok(Some(false)),
            None | Some(Value::Null) => Ok(None),
            Some(other) => Err(self.wrong_type(path.key(key), "a boolean", other)),
        }
    }

    /// An optional identifier that may be written as a number or as a string; kept as text,
    /// a number as written (`18446744073709551617` stays itself, where an `f64` would make it
    /// `1.8446744073709552e19`, the same as its neighbour's).
    pub(crate) fn opt_id(
        &self,
        obj: &Map<String, Value>,
        path: Path<'_>,
        key: &str,
    ) -> Result<Option<String>, ParseError> {
        match field(obj, key) {
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) if n.is_f64() => Ok(Some(
                self.number_text(path.key(key))
                    .unwrap_or_else(|| n.to_string()),
            )),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            None | Some(Value::Null) => Ok(None),
            Some(other) => Err(self.wrong_type(path.key(key), "a string or a number", other)),
        }
    }

    /// The text of the number at `path` as written in the body. Integers that fit 64 bits
    /// print as written already; this is for the others, which serde_json rounds to an `f64`.
    fn number_text(&self, path: Path<'_>) -> Option<String> {
        let root = self
            .literal
            .get_or_init(|| {
                std::str::from_utf8(self.body)
                    .ok()
                    .and_then(|t| crate::jsonv::from_str(t).ok())
            })
            .as_ref()?;
        let mut at = root;
        for seg in path.to_vec() {
            at = match (seg, at) {
                (PathSegment::Key(k), crate::jsonv::Value::Object(m)) => m.get(&k)?,
                (PathSegment::Index(i), crate::jsonv::Value::Array(a)) => a.get(i)?,
                _ => return None,
            };
        }
        match at {
            crate::jsonv::Value::Number(n) => Some(n.as_str().to_string()),
            _ => None,
        }
    }

    /// An optional non-negative integer, also accepted as a string of digits.
    pub(crate) fn opt_u64(
        &self,
        obj: &Map<String, Value>,
        path: Path<'_>,
        key: &str,
    ) -> Result<Option<u64>, ParseError> {
        match field(obj, key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => self.u64_value(v, path.key(key)).map(Some),
        }
    }

    pub(crate) fn u64_value(&self, value: &Value, path: Path<'_>) -> Result<u64, ParseError> {
        match value {
            Value::Number(n) => n.as_u64().ok_or_else(|| {
                self.error(
                    ParseErrorKind::Value,
                    path,
                    format!("expected a non-negative integer, found {n}"),
                )
            }),
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<u64>().map_err(|_| {
                    self.error(
                        ParseErrorKind::Value,
                        path,
                        "the number is too large".into(),
                    )
                })
            }
            other => Err(self.wrong_type(path, "a non-negative integer", other)),
        }
    }
}

impl ApiError {
    /// Reads an error response. Never fails: a body that is not the documented JSON still
    /// gives an `ApiError` with the status and the raw body.
    pub fn from_response(response: &HttpResponse) -> Self {
        const KEEP: usize = 64 * 1024;
        let raw = &response.body[..response.body.len().min(KEEP)];
        let mut error = ApiError {
            status: response.status,
            message: None,
            request_id: None,
            provider_message: None,
            header_request_id: response.header("Elements-Request-Id").map(str::to_string),
            retry_after: response
                .header("Retry-After")
                .and_then(|v| v.trim().parse::<u64>().ok()),
            retry_after_at: response
                .header("Retry-After")
                .and_then(|v| httpdate::parse_http_date(v.trim()).ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs()),
            body: String::from_utf8_lossy(raw).into_owned(),
        };
        if let Ok(serde_json::Value::Object(map)) =
            serde_json::from_slice::<serde_json::Value>(&response.body)
        {
            let text = |k: &str| match map.get(k) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(v @ serde_json::Value::Number(_)) => Some(v.to_string()),
                _ => None,
            };
            error.message = text("message");
            error.request_id = text("requestId");
            error.provider_message = text("providerMessage");
        }
        error
    }
}

/// Checks the status (non-2xx gives [`Error::Api`]) and reads the JSON body.
pub(crate) fn read_json<'b>(
    response: &'b HttpResponse,
    limits: &Limits,
) -> Result<(Doc<'b>, Value), Error> {
    if !response.is_success() {
        return Err(Error::Api(Box::new(ApiError::from_response(response))));
    }
    Ok(Doc::parse(&response.body, limits)?)
}

/// The paging headers: next-page token, total count, returned count.
type PageHeaders = (Option<String>, Option<u64>, Option<u64>);

/// The paging headers of an answer. A count that is not a number is an error, not a silent
/// `None`.
pub(crate) fn page_headers(
    doc: &Doc<'_>,
    response: &HttpResponse,
) -> Result<PageHeaders, crate::error::ParseError> {
    let next_page = response
        .header("Elements-Next-Page-Token")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let count = |name: &str| match response.header(name).map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
            doc.error(
                crate::error::ParseErrorKind::Value,
                Path::ROOT,
                format!("the `{name}` header is `{v}`; expected a non-negative integer"),
            )
        }),
    };
    Ok((
        next_page,
        count("Elements-Total-Count")?,
        count("Elements-Returned-Count")?,
    ))
}
