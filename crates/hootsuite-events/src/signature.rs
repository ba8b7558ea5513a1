//! Signed event notifications: `Elements-Webhook-Signature: sha256=<Base64(HMAC-SHA256(key, body))>`.
//!
//! The signature covers the body *exactly as received*. Parsing the JSON and serializing it
//! again changes whitespace, key order or number formatting and so the bytes, which is why
//! [`Verifier::verify`] takes raw bytes and why frameworks must hand over the raw body
//! (Express `express.raw()`, Flask `request.get_data()`), not a parsed object.
//!
//! Cloud Elements' signature has no timestamp, so there is no clock to inject and no replay
//! window: replays are caught by deduplicating on `Elements-Webhook-Id` / `eventId`
//! ([`crate::events::Notification::dedup_key`]).

use std::fmt;

use base64::Engine as _;
use hmac::{Hmac, Mac};

use crate::config::Secret;
use crate::error::{Error, SignatureError};
use crate::events::{parse_delivery_with, Notification};
use crate::json::{Limits, DEFAULT_MAX_BODY_SIZE};
use crate::request::Headers;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Elements-Webhook-Signature";
/// The header that identifies one delivery (for deduplication).
pub const WEBHOOK_ID_HEADER: &str = "Elements-Webhook-Id";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The value of `event.notification.signature.key`: its UTF-8 bytes are the HMAC key.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureKey(Secret);

impl SignatureKey {
    /// Wraps a key.
    pub fn new(key: impl Into<Secret>) -> Self {
        SignatureKey(key.into())
    }
    fn bytes(&self) -> &[u8] {
        self.0.expose().as_bytes()
    }
}

impl fmt::Debug for SignatureKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SignatureKey(********)")
    }
}

impl From<&str> for SignatureKey {
    fn from(key: &str) -> Self {
        SignatureKey::new(key)
    }
}

/// The header value Cloud Elements would send for `body`: `sha256=<Base64>`.
///
/// ```
/// use hootsuite_events::signature::{sign, SignatureKey};
/// // The documented test vector.
/// let key = SignatureKey::new("MySecretEventSignatureKey");
/// assert_eq!(sign(&key, b"<INSERT_EVENT_NOTIFICATION_RESPONSE_BODY>"),
///            "sha256=jHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ=");
/// ```
pub fn sign(key: &SignatureKey, body: &[u8]) -> String {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail.
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key.bytes()) else {
        return String::new();
    };
    mac.update(body);
    format!("sha256={}", B64.encode(mac.finalize().into_bytes()))
}

/// Checks `header` against `body` with the default verifier (sha256 only, 1 MiB limit).
pub fn verify(key: &SignatureKey, body: &[u8], header: &str) -> Result<(), Error> {
    Verifier::new(key.clone()).verify(body, Some(header))
}

/// Verifies notifications: the key, whether legacy `sha1=` signatures are accepted, and the
/// largest body accepted.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: SignatureKey,
    allow_legacy_sha1: bool,
    max_body_size: usize,
}

impl Verifier {
    /// A verifier for `key`: sha256 only, bodies up to 1 MiB.
    pub fn new(key: impl Into<SignatureKey>) -> Self {
        Verifier {
            key: key.into(),
            allow_legacy_sha1: false,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        }
    }

    /// Also accepts the older `sha1=` signatures (HMAC-SHA1). Off by default: SHA-1 is weaker
    /// and a downgrade should be a decision.
    pub fn allow_legacy_sha1(mut self, allow: bool) -> Self {
        self.allow_legacy_sha1 = allow;
        self
    }

    /// The largest body accepted, in bytes (checked before any hashing).
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Checks the signature header of `body`. `header` is `None` when the request had none.
    ///
    /// A header may hold several signatures separated by `,` or spaces (as during a key
    /// rotation); one that matches is enough.
    pub fn verify(&self, body: &[u8], header: Option<&str>) -> Result<(), Error> {
        if self.key.bytes().is_empty() {
            return Err(SignatureError::EmptyKey.into());
        }
        if body.len() > self.max_body_size {
            return Err(SignatureError::BodyTooLarge {
                limit: self.max_body_size,
                size: body.len(),
            }
            .into());
        }
        let header = match header.map(str::trim) {
            None => return Err(SignatureError::MissingHeader.into()),
            Some("") => {
                return Err(SignatureError::MalformedHeader {
                    reason: "it is empty".into(),
                }
                .into())
            }
            Some(h) => h,
        };
        // The most telling failure wins when no candidate matches.
        let mut failure: Option<SignatureError> = None;
        let note = |e: SignatureError, failure: &mut Option<SignatureError>| {
            let rank = |e: &SignatureError| match e {
                SignatureError::Mismatch => 4,
                SignatureError::LegacyNotAllowed => 3,
                SignatureError::MalformedHeader { .. } => 2,
                _ => 1,
            };
            if failure.as_ref().is_none_or(|f| rank(&e) > rank(f)) {
                *failure = Some(e);
            }
        };
        for candidate in header.split([',', ' ']).filter(|c| !c.is_empty()) {
            let scheme_like = |s: &str| {
                // A scheme is a short token (`sha256`); a bare Base64 signature is longer.
                !s.is_empty()
                    && s.len() <= 16
                    && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            };
            let Some((scheme, encoded)) = candidate.split_once('=').filter(|(s, _)| scheme_like(s))
            else {
                note(
                    SignatureError::MalformedHeader {
                        reason: "it does not start with a scheme such as `sha256=`".into(),
                    },
                    &mut failure,
                );
                continue;
            };
            let (expected_len, legacy) = match scheme.trim().to_ascii_lowercase().as_str() {
                "sha256" => (32, false),
                "sha1" => (20, true),
                other => {
                    note(
                        SignatureError::UnsupportedScheme {
                            scheme: other.to_string(),
                        },
                        &mut failure,
                    );
                    continue;
                }
            };
            if legacy && !self.allow_legacy_sha1 {
                note(SignatureError::LegacyNotAllowed, &mut failure);
                continue;
            }
            let Ok(given) = B64.decode(encoded.trim()) else {
                note(
                    SignatureError::MalformedHeader {
                        reason: "the signature is not standard Base64".into(),
                    },
                    &mut failure,
                );
                continue;
            };
            if given.len() != expected_len {
                note(
                    SignatureError::MalformedHeader {
                        reason: format!(
                            "the signature is {} bytes; {scheme} gives {expected_len}",
                            given.len()
                        ),
                    },
                    &mut failure,
                );
                continue;
            }
            // `verify_slice` compares in constant time.
            let ok = if legacy {
                Hmac::<sha1::Sha1>::new_from_slice(self.key.bytes())
                    .map(|mut m| {
                        m.update(body);
                        m.verify_slice(&given).is_ok()
                    })
                    .unwrap_or(false)
            } else {
                Hmac::<sha2::Sha256>::new_from_slice(self.key.bytes())
                    .map(|mut m| {
                        m.update(body);
                        m.verify_slice(&given).is_ok()
                    })
                    .unwrap_or(false)
            };
            if ok {
                return Ok(());
            }
            note(SignatureError::Mismatch, &mut failure);
        }
        Err(failure
            .unwrap_or(SignatureError::MalformedHeader {
                reason: "it holds no signature".into(),
            })
            .into())
    }

    /// Verifies the signature of a delivery, then parses it: the one call a webhook handler
    /// needs. `headers` are the request's headers, `body` its raw bytes.
    ///
    /// ```
    /// use hootsuite_events::signature::{sign, SignatureKey, Verifier};
    /// let key = SignatureKey::new("k");
    /// let body = br#"{"message":{"eventId":"e1","instanceId":7,"events":[]}}"#;
    /// let headers = vec![("Elements-Webhook-Signature", sign(&key, body)),
    ///                    ("Elements-Webhook-Id", "w-1".to_string())];
    /// let n = Verifier::new(key).verify_event(&headers, body)?;
    /// assert_eq!(n.dedup_key(), Some("w-1"));
    /// # Ok::<(), hootsuite_events::Error>(())
    /// ```
    pub fn verify_event<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<Notification, Error> {
        self.verify(body, headers.get_header(SIGNATURE_HEADER))?;
        parse_delivery_with(
            headers,
            body,
            &Limits {
                max_body_size: self.max_body_size,
            },
        )
    }
}

impl From<SignatureKey> for Verifier {
    fn from(key: SignatureKey) -> Self {
        Verifier::new(key)
    }
}

/// [`Verifier::verify_event`] with the default settings.
pub fn verify_event<H: Headers + ?Sized>(
    key: &SignatureKey,
    headers: &H,
    body: &[u8],
) -> Result<Notification, Error> {
    Verifier::new(key.clone()).verify_event(headers, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"<INSERT_EVENT_NOTIFICATION_RESPONSE_BODY>";

    #[test]
    fn documented_vector_and_failures() {
        let key = SignatureKey::new("MySecretEventSignatureKey");
        let good = "sha256=jHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ=";
        assert_eq!(verify(&key, BODY, good), Ok(()));
        let code = |h: Option<&str>| {
            Verifier::new(key.clone())
                .verify(BODY, h)
                .unwrap_err()
                .code()
        };
        assert_eq!(code(None), "signature_missing");
        assert_eq!(
            code(Some("jHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ=")),
            "signature_malformed"
        );
        assert_eq!(code(Some("md5=abc")), "signature_scheme");
        assert_eq!(code(Some("sha256=%%%")), "signature_malformed");
        assert_eq!(
            code(Some("sha256=kHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ=")),
            "signature_mismatch"
        );
        assert_eq!(
            code(Some(
                "md5=abc, sha256=kHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ="
            )),
            "signature_mismatch"
        );
        assert_eq!(
            Verifier::new(key.clone()).verify(BODY, Some(&format!("sha1=abc, {good}"))),
            Ok(())
        );
        let big = Verifier::new(key)
            .max_body_size(10)
            .verify(BODY, Some(good))
            .unwrap_err();
        assert_eq!(big.code(), "body_too_large");
    }

    #[test]
    fn legacy_sha1_only_when_opted_in() {
        let key = SignatureKey::new("k");
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(b"k").expect("any key length");
        mac.update(BODY);
        let header = format!("sha1={}", B64.encode(mac.finalize().into_bytes()));
        assert_eq!(
            verify(&key, BODY, &header).unwrap_err().code(),
            "signature_legacy"
        );
        assert_eq!(
            Verifier::new(key)
                .allow_legacy_sha1(true)
                .verify(BODY, Some(&header)),
            Ok(())
        );
    }
}
