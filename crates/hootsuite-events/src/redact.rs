//! The one redaction rule of the crate, used by every rendering: `Debug`, `Display`, error
//! data, redacted requests, and (through the bindings) `repr`, `util.inspect`/`toJSON` and the
//! CLI's output.
//!
//! A name (a JSON key, a query parameter, a configuration key) is secret when, compared without
//! regard to ASCII case, it is the last key of a secret field of [`crate::instance::FIELDS`], or
//! one of [`OTHER_SECRET_NAMES`], or contains `secret`, `token` or `password`. Over-masking a
//! harmless value costs a `********` in a log; under-masking leaks a credential.

use crate::text::fill;
use serde_json::Value;

use crate::fields::KEYS;
use crate::text::decimal;

/// What a secret value is replaced with.
pub const MASK: &str = "********";

/// Secret names that are not fields of the create-instance body: the redirect-URL parameters
/// (`apiSecret`, `requestToken`), the OAuth code of a callback or reauthentication, an
/// instance's `token`, the configuration keys Cloud Elements returns for OAuth elements
/// (`oauth.user.token`, `oauth.user.refresh_token`), the CSRF `state`, and the `Authorization`
/// and cookie headers.
pub const OTHER_SECRET_NAMES: &[&str] = &[
    "apiSecret",
    "requestToken",
    "code",
    "token",
    "state",
    "oauth.user.token",
    "oauth.user.refresh_token",
    "oauth.user.secret",
    "authorization",
    "cookie",
    "set-cookie",
];

/// Fragments that make any name containing them secret (`client_secret`, `refresh_token`,
/// `x-api-password`).
const SECRET_FRAGMENTS: &[&str] = &["secret", "token", "password"];

/// Whether values under `name` are secret (ASCII case-insensitive).
pub fn is_secret_name(name: &str) -> bool {
    let from_fields = KEYS
        .iter()
        .any(|(k, _, secret)| *secret && k.eq_ignore_ascii_case(name));
    from_fields
        || OTHER_SECRET_NAMES
            .iter()
            .any(|k| k.eq_ignore_ascii_case(name))
        || SECRET_FRAGMENTS
            .iter()
            .any(|f| contains_ignore_case(name.as_bytes(), f.as_bytes()))
}

/// Whether `hay` contains `needle` (lower-case ASCII), ignoring ASCII case, without allocating.
fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Replaces, at any depth, every non-null value under a secret name with [`MASK`], and redacts
/// the query and fragment of every string that is a URL ([`redact_url`]).
pub fn mask_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                mask_entry(k, v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        // A URL's secret query parameters and fragment (`https://a.example/cb?code=...`).
        Value::String(text)
            if contains_ignore_case(text.as_bytes(), b"://")
                && crate::search::find_any(text, b"?#").is_some() =>
        {
            *text = redact_url(text);
        }
        _ => {}
    }
}

/// Masks the value of the entry `key`: whole under a secret name (unless null), else as
/// [`mask_json`] does inside it.
pub fn mask_entry(key: &str, value: &mut Value) {
    if is_secret_name(key) && !value.is_null() {
        *value = MASK.into();
    } else {
        mask_json(value);
    }
}

/// [`mask_json`] of the form path's JSON value ([`jsonv`](crate::jsonv)): the same rule, for
/// the request preview, which must not pull serde into the browser build.
pub fn mask_jsonv(value: &mut crate::jsonv::Value) {
    use crate::jsonv::Value as V;
    match value {
        V::Object(map) => {
            for (k, v) in map.iter_mut() {
                mask_entry_v(k, v);
            }
        }
        V::Array(items) => items.iter_mut().for_each(mask_jsonv),
        V::String(text)
            if contains_ignore_case(text.as_bytes(), b"://")
                && crate::search::find_any(text, b"?#").is_some() =>
        {
            *text = redact_url(text);
        }
        _ => {}
    }
}

/// [`mask_entry`] of the form path's JSON value.
pub fn mask_entry_v(key: &str, value: &mut crate::jsonv::Value) {
    if is_secret_name(key) && !value.is_null() {
        *value = MASK.into();
    } else {
        mask_jsonv(value);
    }
}

/// `url` with the value of every secret query parameter replaced by [`MASK`] (the name is
/// compared after percent-decoding, so `api%53ecret` is caught too).
pub fn redact_url(url: &str) -> String {
    redact_url_at(url, 0)
}

/// URLs nested in query values deeper than this are masked whole: the recursion (and the
/// copying at each level) stays bounded whatever the input.
const MAX_URL_NESTING: u8 = 2;

/// `text` with every byte but ASCII letters and digits percent-encoded, as
/// `utf8_percent_encode(text, NON_ALPHANUMERIC)` writes it, without that crate's 768-byte
/// table and `Display` in the browser build (a test compares the two).
fn encode_non_alphanumeric(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// `percent_decode_str(text).decode_utf8_lossy()`: `%` and two hex digits is that byte, any
/// other byte itself, then invalid UTF-8 replaced by U+FFFD; without that crate's decoding
/// iterator in the browser build (a test compares the two).
fn percent_decode_lossy(text: &str) -> String {
    fn hex(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let b = text.as_bytes();
    if crate::search::find_byte(text, b'%').is_none() {
        return text.to_string();
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let mut c = b[i];
        i += 1;
        if c == b'%' {
            if let (Some(&h), Some(&l)) = (b.get(i), b.get(i + 1)) {
                if let (Some(h), Some(l)) = (hex(h), hex(l)) {
                    c = h << 4 | l;
                    i += 2;
                }
            }
        }
        out.push(c);
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => crate::text::from_utf8_lossy(e.as_bytes()),
    }
}

fn redact_url_at(url: &str, depth: u8) -> String {
    let (before_fragment, fragment) = match crate::search::split_once_byte(url, b'#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let Some((base, query)) = crate::search::split_once_byte(before_fragment, b'?') else {
        return url.to_string();
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(base);
    out.push('?');
    for (i, pair) in crate::search::split_byte(query, b'&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        let Some((k, v)) = crate::search::split_once_byte(pair, b'=') else {
            out.push_str(pair);
            continue;
        };
        let replaced = if is_secret_name(&percent_decode_lossy(k)) {
            Some(MASK.to_string())
        } else {
            // A value that is itself a URL (`callbackUrl=https%3A...%3Fcode%3D...`) is
            // redacted too, then encoded again.
            let value = percent_decode_lossy(v);
            if crate::search::find_any(&value, b"?#").is_none() {
                None
            } else if depth >= MAX_URL_NESTING {
                Some(MASK.to_string())
            } else {
                let redacted = redact_url_at(&value, depth + 1);
                (redacted != value).then(|| encode_non_alphanumeric(&redacted))
            }
        };
        match replaced {
            Some(r) => {
                out.push_str(k);
                out.push('=');
                out.push_str(&r);
            }
            None => out.push_str(pair),
        }
    }
    // A fragment can carry a token too (the implicit OAuth grant): never shown.
    if fragment.is_some() {
        out.push('#');
        out.push_str(MASK);
    }
    out
}

/// How many characters of a URL a message quotes.
const QUOTED_URL_CHARS: usize = 80;

/// How a message names a value given where a URL belongs: in backquotes, cut to 80
/// characters, without its query and fragment (`…` marks a cut), when it starts like a URL
/// (`scheme:/`, `scheme;//`) and holds no user information; otherwise by its length only,
/// since it may be a secret passed in the wrong argument.
///
/// ```
/// use hootsuite_events::redact::quote_url;
/// assert_eq!(quote_url("https://a.example/cb?token=T"), "`https://a.example/cb…`");
/// assert!(quote_url("http://u:pw@localhost/cb").ends_with("holds user information (`user:password@`), which may be a secret)"));
/// assert!(quote_url("S3CRET").starts_with("(a value of 6 characters, not shown"));
/// ```
pub fn quote_url(input: &str) -> String {
    let chars = input.chars().count();
    if !starts_like_url(input) {
        return fill("(a value of {} characters, not shown: it does not start like a URL and may be a secret)", &[&decimal(chars)]);
    }
    if crate::search::find_byte(input, b'@').is_some() {
        return fill("(a value of {} characters, not shown: it holds user information (`user:password@`), which may be a secret)", &[&decimal(chars)]);
    }
    let end = crate::search::find_any(input, b"?#").unwrap_or(input.len());
    let mut shown = truncate(&input[..end], QUOTED_URL_CHARS);
    if end < input.len() && !shown.ends_with("…") {
        shown.push('…');
    }
    fill("`{}`", &[&shown])
}

/// Whether [`quote_url`] shows `input`: it starts with a scheme of at most 10 characters
/// followed by `:` or `;` and a `/`, and holds no `@` (user information may be a password).
pub fn shows_url(input: &str) -> bool {
    starts_like_url(input) && crate::search::find_byte(input, b'@').is_none()
}

/// Whether `input` starts with a scheme of at most 10 characters, then `:` or `;` and a `/`.
fn starts_like_url(input: &str) -> bool {
    let scheme_len = input
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    let after = &input.as_bytes()[scheme_len..];
    (1..=10).contains(&scheme_len)
        && input.as_bytes()[0].is_ascii_alphabetic()
        && matches!(after, [b':' | b';', b'/', ..])
}

/// How many characters of a body an excerpt keeps.
pub const EXCERPT_CHARS: usize = 200;

/// A short form of a body that is safe to show: the JSON with every secret masked, compact,
/// cut to [`EXCERPT_CHARS`] characters; `None` when the body is not JSON (free text cannot be
/// masked field by field, so none of it is shown).
pub fn body_excerpt(body: &[u8]) -> Option<String> {
    let mut value = serde_json::from_slice::<Value>(body).ok()?;
    mask_json(&mut value);
    let text = value.to_string();
    Some(truncate(&text, EXCERPT_CHARS))
}

/// `text` cut to `max` characters, with `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    // Counts the bytes that start a character: cheaper in the browser build than `char_indices().nth`.
    let mut chars = 0;
    for (at, &b) in text.as_bytes().iter().enumerate() {
        if !(0x80..0xC0).contains(&b) {
            if chars == max {
                return fill("{}…", &[&text[..at]]);
            }
            chars += 1;
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decode_lossy_matches_percent_encoding() {
        let all: String = (0u32..0x250).filter_map(char::from_u32).collect();
        let encoded =
            percent_encoding::utf8_percent_encode(&all, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        for text in [
            "",
            "plain",
            "%",
            "%4",
            "%4g",
            "a%41%4a%4A%zz%%41%",
            "%e2%82%ac %E2%82 %c3%28 %ff%fe x%C3%A9y %ED%A0%80 %F0%9F%98",
            "caf\u{e9}%20%",
            all.as_str(),
            encoded.as_str(),
        ] {
            assert_eq!(
                percent_decode_lossy(text),
                percent_encoding::percent_decode_str(text).decode_utf8_lossy(),
                "{text}"
            );
        }
    }

    #[test]
    fn encode_non_alphanumeric_matches_percent_encoding() {
        let all: String = (0u32..0x250).filter_map(char::from_u32).collect();
        for text in [
            "",
            "aZ09",
            "https://a.example/cb?code=1&x=é €",
            all.as_str(),
        ] {
            assert_eq!(
                encode_non_alphanumeric(text),
                percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
            );
        }
    }

    #[test]
    fn deeply_nested_urls_stay_bounded() {
        let deep = format!("https://x?{}", "a=?".repeat(30_000));
        let shown = redact_url(&deep);
        assert!(shown.len() <= deep.len() + 64, "{}", shown.len());
        let two = "https://x/cb?next=https%3A%2F%2Fy%3Fcode%3DSECRET-1";
        assert!(!redact_url(two).contains("SECRET-1"), "{}", redact_url(two));
    }

    #[test]
    fn names_are_secret_in_any_case() {
        for name in [
            "apiSecret",
            "APISECRET",
            "Code",
            "oauth.api.secret",
            "OAuth.User.Refresh_Token",
            "event.notification.signature.KEY",
            "client_secret",
            "Authorization",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["apiKey", "oauth.api.key", "name", "callbackUrl", "id"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn urls_and_bodies_are_masked() {
        assert_eq!(
            redact_url("https://x/y?apiKey=k&APISECRET=s1&api%53ecret=s2&state=s3#frag"),
            "https://x/y?apiKey=k&APISECRET=********&api%53ecret=********&state=********#********"
        );
        let excerpt = body_excerpt(br#"{"a":{"Token":"T1"},"b":[{"CODE":"C1"}],"n":null}"#);
        assert_eq!(
            excerpt.as_deref(),
            Some(r#"{"a":{"Token":"********"},"b":[{"CODE":"********"}],"n":null}"#)
        );
        assert_eq!(body_excerpt(b"<html>T1</html>"), None);
        assert_eq!(truncate("abcdef", 3), "abc…");
        assert_eq!(truncate("abc", 3), "abc");
        for text in ["", "a", "héllo wörld €uro 😀 x", "😀😀😀"] {
            for max in 0..8 {
                let reference = match text.char_indices().nth(max) {
                    None => text.to_string(),
                    Some((end, _)) => format!("{}…", &text[..end]),
                };
                assert_eq!(truncate(text, max), reference, "{text} {max}");
            }
        }
    }
}
