//! Plain HTTP values: what the library hands out ([`HttpRequest`]) and what it takes back
//! ([`HttpResponse`]).
//!
//! The library never performs I/O: the host (ureq, `requests`, `fetch`) sends the request and
//! passes the answer back. These types are deliberately plain — a method, a URL, a list of
//! headers, bytes — so that every language's HTTP client takes them as they are.

use crate::text::fill;
use std::fmt;

/// An HTTP method used by the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name, upper-case.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The method of an upper-case name (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`).
    pub fn parse(name: &str) -> Option<Method> {
        match name {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "PATCH" => Some(Method::Patch),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }

    /// Whether repeating the request cannot do more than doing it once (`GET`, `PUT`,
    /// `DELETE`). A client may retry only these.
    pub fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub use crate::error::is_retryable_status;
use crate::redact::{is_secret_name, mask_jsonv, redact_url, MASK};

/// Quotes a word for a POSIX shell.
fn shell_quote(s: &str) -> String {
    // Byte search, not `str::replace` with a char (its searcher weighs on the browser build).
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    let mut rest = s;
    while let Some((before, after)) = crate::search::split_once_byte(rest, b'\'') {
        out.push_str(before);
        out.push_str("'\\''");
        rest = after;
    }
    out.push_str(rest);
    out.push('\'');
    out
}

/// A request ready to send: method, absolute URL, headers, body (JSON or empty).
///
/// `Debug` masks the `Authorization` header, secret query parameters and the body (which may
/// carry an OAuth code or client secret); use the fields to send it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, query included, percent-encoded.
    pub url: String,
    /// Header names and values, in the order to send them.
    pub headers: Vec<(String, String)>,
    /// The body: JSON bytes, or empty for requests without one.
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub(crate) fn new(method: Method, url: String, authorization: crate::Secret) -> Self {
        // Room for Content-Type too, which most requests add.
        let mut headers = Vec::with_capacity(3);
        headers.push(("Authorization".into(), authorization.expose().to_string()));
        headers.push(("Accept".into(), "application/json".into()));
        HttpRequest {
            method,
            url,
            headers,
            body: Vec::new(),
        }
    }

    /// The body, already JSON text (the form path writes its own).
    pub(crate) fn with_json_text(mut self, body: String) -> Self {
        self.body = body.into_bytes();
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self
    }

    pub(crate) fn with_json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Self {
        // Serializing into a `Vec` cannot fail for the library's bodies: keys are strings and
        // numbers come from parsed JSON, so they are finite. 512 bytes hold a typical create
        // body without growing.
        let mut out = Vec::with_capacity(512);
        self.body = match serde_json::to_writer(&mut out, body) {
            Ok(()) => out,
            Err(_) => Vec::new(),
        };
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self
    }

    /// Whether sending it again after a failure is safe: an idempotent method, and no
    /// single-use OAuth code in the body (re-authentication: `PUT /instances/{id}` with a create
    /// body, whose `providerData.code` a first attempt may already have spent).
    ///
    /// ```
    /// # use hootsuite_events::{instance, BaseUrl, Config, Secret};
    /// let config = Config::new(BaseUrl::us(), "u", "o")?;
    /// assert!(instance::get_request(&config, 1).is_retry_safe());
    /// let code = Secret::new("single-use");
    /// assert!(!instance::reauthenticate_code_request(&config, 1, &code)?.is_retry_safe());
    /// # Ok::<(), hootsuite_events::Error>(())
    /// ```
    pub fn is_retry_safe(&self) -> bool {
        if !self.method.is_idempotent() {
            return false;
        }
        if self.body.is_empty() {
            return true;
        }
        // Only a JSON body without `providerData.code` is safe to resend.
        !serde_json::from_slice::<serde_json::Value>(&self.body)
            .map_or(true, |v| v.pointer("/providerData/code").is_some())
    }

    /// The first header of that name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body as UTF-8 text (the library only builds JSON bodies).
    pub fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("")
    }

    /// The URL with the values of secret query parameters (`apiSecret`, `requestToken`,
    /// `state`: see [`crate::redact`]) replaced by `********`.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }

    /// A copy that is safe to show a person: the `Authorization` header, secret query
    /// parameters and secret body fields (OAuth code, client secret, signature key) read
    /// `********`. For previews and logs; it cannot be sent.
    ///
    /// ```
    /// use hootsuite_events::{BaseUrl, Config, instance::{self, CreateInstance}};
    /// let config = Config::new(BaseUrl::us(), "user", "org")?;
    /// let body = CreateInstance::builder("n", "the-code", "https://a.example/cb", "id", "the-secret").build()?;
    /// let shown = instance::create_request(&config, &body).redacted();
    /// assert_eq!(shown.header("Authorization"), Some("********"));
    /// assert!(!shown.body_text().contains("the-secret") && !shown.body_text().contains("the-code"));
    /// # Ok::<(), hootsuite_events::Error>(())
    /// ```
    pub fn redacted(&self) -> HttpRequest {
        let headers = self
            .headers
            .iter()
            .map(|(n, v)| {
                let v = if is_secret_name(n) {
                    MASK.to_string()
                } else {
                    v.clone()
                };
                (n.clone(), v)
            })
            .collect();
        // Read and written by jsonv (serde_json's grammar and layout, numbers as given): the
        // browser build previews requests without serde.
        let parsed = std::str::from_utf8(&self.body)
            .ok()
            .and_then(|text| crate::jsonv::from_str(text).ok());
        let body = match parsed {
            Some(mut v) => {
                mask_jsonv(&mut v);
                v.to_json_pretty().into_bytes()
            }
            None => self.body.clone(),
        };
        HttpRequest {
            method: self.method,
            url: self.redacted_url(),
            headers,
            body,
        }
    }

    /// The request as a `curl` command line (POSIX shell quoting). Call it on
    /// [`HttpRequest::redacted`] to show it.
    pub fn to_curl(&self) -> String {
        let mut out = fill(
            "curl -X {} {}",
            &[self.method.as_str(), &shell_quote(&self.url)],
        );
        for (n, v) in &self.headers {
            out.push_str(" \\\n  -H ");
            out.push_str(&shell_quote(&fill("{}: {}", &[n, v])));
        }
        if !self.body.is_empty() {
            out.push_str(" \\\n  -d ");
            out.push_str(&shell_quote(self.body_text()));
        }
        out
    }

    /// Converts into an `http::Request`, which `ureq` 3 (and hyper, reqwest's blocking
    /// client via its builders) runs directly.
    #[cfg(feature = "http")]
    pub fn into_http(self) -> Result<http::Request<Vec<u8>>, crate::Error> {
        let mut builder = http::Request::builder()
            .method(self.method.as_str())
            .uri(self.url.as_str());
        for (name, value) in &self.headers {
            let mut value =
                http::HeaderValue::from_str(value).map_err(|_| crate::Error::InvalidArgument {
                    field: name.clone(),
                    reason: "cannot be sent as an HTTP header value".into(),
                })?;
            value.set_sensitive(name.eq_ignore_ascii_case("authorization"));
            builder = builder.header(name.as_str(), value);
        }
        builder
            .body(self.body)
            .map_err(|e| crate::Error::InvalidArgument {
                field: "url".into(),
                reason: format!("cannot be sent by the `http` crate: {e}"),
            })
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                if is_secret_name(n) {
                    (n.as_str(), MASK)
                } else {
                    (n.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.redacted_url())
            .field("headers", &headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// An HTTP response as the host received it: status, headers, body bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values (names in any case).
    pub headers: Vec<(String, String)>,
    /// The body exactly as received.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response from its parts.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status,
            headers,
            body: body.into(),
        }
    }

    /// The first header of that name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A response body can hold an instance token: show only its size.
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str(),
                    if is_secret_name(n) { MASK } else { v.as_str() },
                )
            })
            .collect();
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

#[cfg(feature = "http")]
impl<B: Into<Vec<u8>>> From<http::Response<B>> for HttpResponse {
    fn from(response: http::Response<B>) -> Self {
        let (parts, body) = response.into_parts();
        let headers = parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        HttpResponse {
            status: parts.status.as_u16(),
            headers,
            body: body.into(),
        }
    }
}

/// Something that answers "what is the value of header X?": a list of name/value pairs, or an
/// `http::HeaderMap`. Lookups are ASCII case-insensitive, as HTTP header names are.
pub trait Headers {
    /// The first value of the header `name`.
    fn get_header(&self, name: &str) -> Option<&str>;
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for [(K, V)] {
    fn get_header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for Vec<(K, V)> {
    fn get_header(&self, name: &str) -> Option<&str> {
        self.as_slice().get_header(name)
    }
}

#[cfg(feature = "http")]
impl Headers for http::HeaderMap {
    fn get_header(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.to_str().ok())
    }
}

pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.get_header(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let mut req = HttpRequest::new(
            Method::Get,
            "https://x/y?apiKey=k&apiSecret=SHH-123&state=s".into(),
            crate::Secret::new("User SHH-456, Organization SHH-789"),
        );
        req.body = b"{\"code\":\"SHH-000\"}".to_vec();
        let shown = format!("{req:?}");
        assert!(!shown.contains("SHH"), "{shown}");
        assert!(shown.contains("apiKey=k"), "{shown}");
        assert!(shown.contains("<18 bytes>"), "{shown}");
        let redacted = req.redacted();
        assert_eq!(redacted.body_text(), "{\n  \"code\": \"********\"\n}");
        let curl = redacted.to_curl();
        assert!(!curl.contains("SHH"), "{curl}");
        assert!(
            curl.starts_with(
                "curl -X GET 'https://x/y?apiKey=k&apiSecret=********&state=********'"
            ),
            "{curl}"
        );
    }

    // The preview's masking and layout moved from serde_json to jsonv: the same text for every
    // body serde_json would write, and a passed-through number keeps its spelling.
    #[test]
    fn redacted_body_is_what_serde_json_wrote() {
        for body in [
            r#"{"a":{"Token":"T1","u":"https://x/cb?code=C1#f"},"b":[{"CODE":"C2"},1,-2.5,true],"n":null,"s":"é\u0001\"","e":{},"l":[]}"#,
            r#"[{"client_secret":"s"},"https://y/?state=1",12345678901234567890]"#,
            "\"plain\"",
        ] {
            let mut req =
                HttpRequest::new(Method::Post, "https://x/".into(), crate::Secret::new("a"));
            req.body = body.as_bytes().to_vec();
            let mut theirs: serde_json::Value = serde_json::from_str(body).expect("JSON");
            crate::redact::mask_json(&mut theirs);
            let theirs = serde_json::to_string_pretty(&theirs).expect("text");
            assert_eq!(req.redacted().body_text(), theirs, "{body}");
        }
        let mut req = HttpRequest::new(Method::Post, "https://x/".into(), crate::Secret::new("a"));
        req.body = br#"{"n":1e5,"m":1.50}"#.to_vec();
        assert_eq!(
            req.redacted().body_text(),
            "{\n  \"n\": 1e5,\n  \"m\": 1.50\n}"
        );
        req.body = b"{not json".to_vec();
        assert_eq!(req.redacted().body_text(), "{not json");
    }

    #[test]
    fn curl_quotes_for_the_shell() {
        let mut req = HttpRequest::new(Method::Post, "https://x/".into(), crate::Secret::new("a"));
        req.body = b"{\"name\": \"it's\"}".to_vec();
        assert!(
            req.to_curl().ends_with(r#"-d '{"name": "it'\''s"}'"#),
            "{}",
            req.to_curl()
        );
    }
}
