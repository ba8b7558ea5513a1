//! The HTTP side: requests as the handlers see them, injected faults, answers. The bytes on
//! the wire are hyper's ([`crate::serve`]); `server.rs` converts.

use std::time::Duration;

use serde_json::Value;

/// The largest request body read (Cloud Elements' own limits are larger; the library's
/// default is 1 MiB, so this keeps the two in step).
pub(crate) const MAX_BODY: u64 = 1024 * 1024;

/// A request as the handlers see it.
pub(crate) struct Req {
    pub method: String,
    /// The path, percent-encoded as received, without the query.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body was over [`MAX_BODY`] (and is not kept).
    pub too_large: bool,
}

/// A request from its parts; `target` is the request target as sent (path and query).
pub(crate) fn request(
    method: String,
    target: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    too_large: bool,
) -> Req {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Req {
        method,
        path: path.to_string(),
        query: form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        headers,
        body,
        too_large,
    }
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn query_all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// An answer.
pub(crate) struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Write only part of the body and close the connection (an injected fault).
    pub truncate: bool,
    /// Answer after this long (an injected fault); the server waits, not the handler.
    pub delay: Duration,
}

impl Resp {
    pub fn json(status: u16, value: &Value) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(value).unwrap_or_default(),
            truncate: false,
            delay: Duration::ZERO,
        }
    }

    pub fn redirect(location: &str) -> Resp {
        Resp {
            status: 302,
            headers: vec![("Location".into(), location.to_string())],
            body: Vec::new(),
            truncate: false,
            delay: Duration::ZERO,
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Resp {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// A fault to inject into the next matching requests.
#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub method: Option<String>,
    pub path_prefix: Option<String>,
    pub status: u16,
    pub times: u32,
    pub retry_after: Option<u64>,
    pub delay: Duration,
    pub truncate: bool,
    /// The handler panics (to test that a failing request costs its server nothing).
    pub panic: bool,
    pub body: Option<String>,
    /// The answer's whole body, as given (for "200 with a body that is not JSON").
    pub raw_body: Option<String>,
}

impl Fault {
    pub fn from_json(v: &Value) -> Result<Fault, String> {
        let obj = v.as_object().ok_or("the fault must be a JSON object")?;
        let status = obj.get("status").and_then(Value::as_u64).unwrap_or(500);
        let status = u16::try_from(status)
            .ok()
            .filter(|s| (100..600).contains(s))
            .ok_or("`status` must be an HTTP status code")?;
        Ok(Fault {
            method: obj
                .get("method")
                .and_then(Value::as_str)
                .map(str::to_ascii_uppercase),
            path_prefix: obj.get("path").and_then(Value::as_str).map(str::to_string),
            status,
            times: obj
                .get("times")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .min(1000) as u32,
            retry_after: obj.get("retry_after").and_then(Value::as_u64),
            delay: Duration::from_millis(
                obj.get("delay_ms")
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    .min(60_000),
            ),
            truncate: obj
                .get("truncate")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            panic: obj.get("panic").and_then(Value::as_bool).unwrap_or(false),
            body: obj.get("body").and_then(Value::as_str).map(str::to_string),
            raw_body: obj
                .get("raw_body")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    pub(crate) fn matches(&self, req: &Req, api_path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == req.method)
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| api_path.starts_with(p))
    }
}
