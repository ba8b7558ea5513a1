//! A small, strict reader of absolute `http(s)` URLs.
//!
//! Why not the `url` crate: its IDNA tables cost about 70 KB gzipped in the browser build, and
//! the library only needs to answer "is this an absolute http(s) URL with a host, and is that
//! host loopback?" with a precise reason when the answer is no.

use crate::text::fill;
use std::fmt;

/// The parts of an absolute `http(s)` URL that the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HttpUrl<'a> {
    /// `http` or `https`, lower-cased by the caller's comparison (the input keeps its case).
    pub secure: bool,
    /// The host as written (brackets kept for IPv6 literals).
    pub host: &'a str,
    /// The explicit port, when one is written.
    pub port: Option<u16>,
    /// Everything from the first `/`, `?` or `#` after the authority.
    pub rest: &'a str,
}

/// Why a string is not an absolute `http(s)` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UrlProblem {
    Empty,
    Whitespace,
    /// No `scheme://` at the start; `found` is what stands where `://` should be.
    NoScheme {
        found: String,
    },
    Scheme {
        scheme: String,
    },
    NoHost,
    BadHost {
        host: String,
    },
    BadPort {
        port: String,
    },
}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl UrlProblem {
    /// The `Display` text, built without a `Formatter` (the browser build carries none).
    fn text(&self) -> String {
        match self {
            UrlProblem::Empty => "is empty; expected an absolute URL such as `https://example.com/callback`".into(),
            UrlProblem::Whitespace => "contains white space; expected an absolute URL such as `https://example.com/callback`".into(),
            UrlProblem::NoScheme { found } if found.is_empty() => {
                "is not an absolute URL: expected it to start with `https://` or `http://`".into()
            }
            UrlProblem::NoScheme { found } => fill("is not an absolute URL: expected `://` after the scheme, found `{}` (write `https://`)", &[found]),
            UrlProblem::Scheme { scheme } => fill("uses the scheme `{}`; expected `https` (or `http`)", &[scheme]),
            UrlProblem::NoHost => "has no host; expected `https://<host>/...`".into(),
            UrlProblem::BadHost { host } => fill("has an invalid host `{}`; expected a domain name or an IP address", &[host]),
            UrlProblem::BadPort { port } => fill("has an invalid port `{}`; expected a number from 1 to 65535", &[port]),
        }
    }
}

impl UrlProblem {
    /// The problem without the parts of the value it names (scheme, host, port), for a value
    /// that is not shown.
    fn without_parts(&self) -> String {
        match self {
            UrlProblem::NoScheme { .. } => UrlProblem::NoScheme {
                found: String::new(),
            }
            .text(),
            UrlProblem::Scheme { .. } => "uses a scheme other than `https` (or `http`)".into(),
            UrlProblem::BadHost { .. } => {
                "has an invalid host; expected a domain name or an IP address".into()
            }
            UrlProblem::BadPort { .. } => {
                "has an invalid port; expected a number from 1 to 65535".into()
            }
            other => other.text(),
        }
    }
}

/// A message about a bad URL: "`value` problem", the value named by
/// [`crate::redact::quote_url`]; when the value is not shown, the problem names none of its
/// parts either.
pub(crate) fn describe(input: &str, problem: &UrlProblem) -> String {
    let quoted = crate::redact::quote_url(input);
    if crate::redact::shows_url(input) {
        fill("{} {}", &[&quoted, &problem.text()])
    } else {
        fill("{} {}", &[&quoted, &problem.without_parts()])
    }
}

/// Checks that `input` is an absolute `http(s)` URL with a valid host; the error, about the
/// argument `field`, names the value through [`crate::redact::quote_url`].
pub fn check_url(field: &str, input: &str) -> Result<(), crate::Error> {
    parse_http_url(input)
        .map(|_| ())
        .map_err(|problem| crate::Error::InvalidArgument {
            field: field.into(),
            reason: describe(input, &problem),
        })
}

/// Reads `input` as an absolute `http` or `https` URL.
pub(crate) fn parse_http_url(input: &str) -> Result<HttpUrl<'_>, UrlProblem> {
    if input.is_empty() {
        return Err(UrlProblem::Empty);
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlProblem::Whitespace);
    }
    let scheme_len = input
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    let (scheme, after) = input.split_at(scheme_len);
    let Some(after_scheme) = after.strip_prefix("://") else {
        let found: String = after.chars().take(3).collect();
        return Err(UrlProblem::NoScheme {
            found: if scheme.is_empty() {
                String::new()
            } else {
                found
            },
        });
    };
    let secure = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return Err(UrlProblem::Scheme {
            scheme: scheme.to_string(),
        });
    };
    let authority_end = crate::search::find_any(after_scheme, b"/?#").unwrap_or(after_scheme.len());
    let (authority, rest) = after_scheme.split_at(authority_end);
    // Drop user information: it is allowed by RFC 3986 and carries no host.
    let host_port = crate::search::rsplit_once_byte(authority, b'@').map_or(authority, |(_, h)| h);
    let (host, port) = split_host_port(host_port)?;
    if host.is_empty() {
        return Err(UrlProblem::NoHost);
    }
    if !valid_host(host) {
        return Err(UrlProblem::BadHost {
            host: host.to_string(),
        });
    }
    Ok(HttpUrl {
        secure,
        host,
        port,
        rest,
    })
}

fn split_host_port(host_port: &str) -> Result<(&str, Option<u16>), UrlProblem> {
    let (host, port) = if host_port.starts_with("[") {
        match crate::search::find_byte(host_port, b']') {
            Some(end) => {
                let (h, p) = host_port.split_at(end + 1);
                (h, p.strip_prefix(":"))
            }
            None => {
                return Err(UrlProblem::BadHost {
                    host: host_port.to_string(),
                })
            }
        }
    } else {
        match crate::search::rsplit_once_byte(host_port, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => {
                return Err(UrlProblem::BadPort {
                    port: p.to_string(),
                })
            }
        },
    };
    Ok((host, port))
}

fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix("[").and_then(|h| h.strip_suffix("]")) {
        return !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    }
    // Registered names: letters, digits, `-`, `_`, `.`, percent-escapes and non-ASCII (IDN) labels.
    !host.starts_with(".")
        && crate::search::find(host, "..").is_none()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '%'))
}

/// Whether a host names this machine (`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    // Compared in place, without a lower-case copy and three splits (the browser build's size).
    let h = host.as_bytes();
    let suffix = b".localhost";
    if host.eq_ignore_ascii_case("localhost")
        || (h.len() >= suffix.len() && h[h.len() - suffix.len()..].eq_ignore_ascii_case(suffix))
        || host == "[::1]"
    {
        return true;
    }
    let mut parts = 0;
    host.starts_with("127.")
        && crate::search::split_byte(host, b'.').all(|p| {
            parts += 1;
            p.parse::<u8>().is_ok()
        })
        && parts == 4
}

/// The characters left as they are in a query component: RFC 3986's unreserved set.
pub(crate) const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Appends `pairs` to `url` as a percent-encoded query (spaces as `%20`, not `+`).
pub(crate) fn with_query(mut url: String, pairs: &[(&str, String)]) -> String {
    for (i, (k, v)) in pairs.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.extend(percent_encoding::utf8_percent_encode(k, QUERY));
        url.push('=');
        url.extend(percent_encoding::utf8_percent_encode(v, QUERY));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_as_the_lower_case_and_split_check_found_them() {
        let reference = |host: &str| {
            let lower = host.to_ascii_lowercase();
            lower == "localhost"
                || lower.ends_with(".localhost")
                || lower == "[::1]"
                || (lower.split('.').next() == Some("127")
                    && lower.split('.').count() == 4
                    && lower.split('.').all(|p| p.parse::<u8>().is_ok()))
        };
        for host in [
            "localhost",
            "LocalHost",
            "a.LOCALHOST",
            ".localhost",
            "xlocalhost",
            "localhost.",
            "[::1]",
            "[::2]",
            "127.0.0.1",
            "127.1.2.255",
            "127.1.2.256",
            "127.+1.0.1",
            "127.0.0",
            "127.0.0.1.5",
            "127..0.1",
            "127.0.0.01",
            "128.0.0.1",
            "127",
            "127.",
            "",
            "é.localhost",
        ] {
            assert_eq!(is_loopback_host(host), reference(host), "{host}");
        }
    }

    #[test]
    fn reads_good_urls() {
        let u = parse_http_url("https://mycoolapp.com:8443/events?x=1").expect("valid");
        assert!(u.secure);
        assert_eq!(u.host, "mycoolapp.com");
        assert_eq!(u.port, Some(8443));
        assert_eq!(u.rest, "/events?x=1");
        let u = parse_http_url("http://[::1]:80").expect("valid");
        assert_eq!(u.host, "[::1]");
        assert!(is_loopback_host(u.host));
        assert!(is_loopback_host("127.0.0.1"));
        assert!(!is_loopback_host("127.example.com"));
    }

    #[test]
    fn names_what_is_wrong() {
        assert_eq!(
            parse_http_url("https;//mycoolapp.com"),
            Err(UrlProblem::NoScheme {
                found: ";//".into()
            })
        );
        assert_eq!(
            parse_http_url("ftp://x"),
            Err(UrlProblem::Scheme {
                scheme: "ftp".into()
            })
        );
        assert_eq!(parse_http_url("https://"), Err(UrlProblem::NoHost));
        assert_eq!(
            parse_http_url("https://a:99999/"),
            Err(UrlProblem::BadPort {
                port: "99999".into()
            })
        );
        assert_eq!(parse_http_url("https://a b"), Err(UrlProblem::Whitespace));
        let secret = parse_http_url("S3CRET!value").expect_err("not a URL");
        let message = describe("S3CRET!value", &secret);
        assert!(
            !message.contains("S3CRET") && !message.contains("!va"),
            "{message}"
        );
        assert!(message.contains("12 characters"), "{message}");
        let typo = parse_http_url("https;//a.example/cb?code=C0DE").expect_err("typo");
        let message = describe("https;//a.example/cb?code=C0DE", &typo);
        assert!(message.starts_with("`https;//a.example/cb…` "), "{message}");
        let userinfo = parse_http_url("ftp://user:PASS@h").expect_err("scheme");
        assert!(!describe("ftp://user:PASS@h", &userinfo).contains("PASS"));
        assert_eq!(
            parse_http_url("mycoolapp.com"),
            Err(UrlProblem::NoScheme {
                found: String::new()
            })
        );
    }
}
