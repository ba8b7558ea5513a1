//! Signed event notifications: `Elements-Webhook-Signature: sha256=<Base64(HMAC-SHA256(key, body))>`.
//!
//! The signature covers the body *exactly as received*. Parsing the JSON and serializing it
//! again changes whitespace, key order or number formatting and so the bytes, which is why
//! [`Verifier::verify`] takes raw bytes and why frameworks must hand over the raw body
//! (Express `express.raw({ type: '*/*' })`, Flask `request.get_data()`), not a parsed object.
//!
//! Cloud Elements' signature has no timestamp, so there is no clock to inject and no replay
//! window: a replayed delivery verifies. Replays are stopped by processing each unit of work
//! once ([`crate::events::Unit`] keys are made of signed bytes only; see
//! [`crate::idempotency`]), for as long as the keys are kept.
//!
//! Key rotation: a [`Verifier`] holds several keys (the current one first) and tells which one
//! matched, so deliveries signed with the previous key, still retried by Cloud Elements for
//! about 73 hours after a change, keep verifying.

use std::fmt;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

use crate::config::Secret;
use crate::error::{Error, SignatureError};
use crate::events::{parse_delivery_with, Notification};
use crate::json::{Limits, DEFAULT_MAX_BODY_SIZE};
use crate::request::Headers;

pub use crate::events::{SIGNATURE_HEADER, WEBHOOK_ID_HEADER};

/// The most signatures one header may hold; more is refused before any hashing, so that a
/// header cannot multiply the work done on a large body.
pub const MAX_CANDIDATES: usize = 8;

/// The most keys one verifier holds (the current key and the ones it replaced).
pub const MAX_KEYS: usize = 8;

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

impl From<String> for SignatureKey {
    fn from(key: String) -> Self {
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
    format!("sha256={}", B64.encode(mac256(key, body)))
}

fn mac256(key: &SignatureKey, body: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail.
    match Hmac::<sha2::Sha256>::new_from_slice(key.bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The HMAC-SHA256 state of each key, before any message: keying hashes two blocks, done
/// once per verifier instead of once per delivery.
fn keyed256(keys: &[SignatureKey]) -> Vec<Option<Hmac<sha2::Sha256>>> {
    keys.iter()
        .map(|key| Hmac::<sha2::Sha256>::new_from_slice(key.bytes()).ok())
        .collect()
}

fn mac1(key: &SignatureKey, body: &[u8]) -> Vec<u8> {
    match Hmac::<sha1::Sha1>::new_from_slice(key.bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Checks `header` against `body` with the default verifier (sha256 only, 1 MiB limit).
pub fn verify(key: &SignatureKey, body: &[u8], header: &str) -> Result<(), Error> {
    Verifier::new(key.clone())
        .verify(body, Some(header))
        .map(|_| ())
}

/// Verifies notifications: the keys, whether legacy `sha1=` signatures are accepted, and the
/// largest body accepted.
///
/// ```
/// use hootsuite_events::signature::{sign, SignatureKey, Verifier};
/// let (old, new) = (SignatureKey::new("old-key"), SignatureKey::new("new-key"));
/// let verifier = Verifier::new(new.clone()).previous_key(old.clone())?;
/// let body = br#"{"message": {}}"#;
/// assert_eq!(verifier.verify(body, Some(&sign(&new, body)))?, 0);
/// assert_eq!(verifier.verify(body, Some(&sign(&old, body)))?, 1);
/// # Ok::<(), hootsuite_events::Error>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    keys: Vec<SignatureKey>,
    /// `keyed256(&keys)`, kept beside them.
    keyed: Vec<Option<Hmac<sha2::Sha256>>>,
    allow_legacy_sha1: bool,
    max_body_size: usize,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The keyed states derive from the keys: never shown.
        f.debug_struct("Verifier")
            .field("keys", &self.keys)
            .field("allow_legacy_sha1", &self.allow_legacy_sha1)
            .field("max_body_size", &self.max_body_size)
            .finish()
    }
}

/// One signature of the header, read.
struct Candidate {
    legacy: bool,
    mac: Vec<u8>,
}

impl Verifier {
    /// A verifier for `key`: sha256 only, bodies up to 1 MiB.
    pub fn new(key: impl Into<SignatureKey>) -> Self {
        let keys = vec![key.into()];
        Verifier {
            keyed: keyed256(&keys),
            keys,
            allow_legacy_sha1: false,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        }
    }

    /// A verifier for several keys, the current one first: during a rotation, deliveries
    /// signed with a previous key still verify. At least one key, at most [`MAX_KEYS`].
    pub fn with_keys<K: Into<SignatureKey>>(
        keys: impl IntoIterator<Item = K>,
    ) -> Result<Self, Error> {
        let keys: Vec<SignatureKey> = keys.into_iter().map(Into::into).collect();
        check_keys(&keys)?;
        if keys.is_empty() || keys.len() > MAX_KEYS {
            return Err(Error::InvalidArgument {
                field: "keys".into(),
                reason: format!(
                    "holds {} keys; expected from 1 to {MAX_KEYS} (the current key first, then the ones it replaced)",
                    keys.len()
                ),
            });
        }
        Ok(Verifier {
            keyed: keyed256(&keys),
            keys,
            ..Verifier::new("")
        })
    }

    /// Adds a key that the current one replaced (tried after the keys already held).
    pub fn previous_key(mut self, key: impl Into<SignatureKey>) -> Result<Self, Error> {
        self.keys.push(key.into());
        Verifier::with_keys(self.keys).map(|v| Verifier {
            allow_legacy_sha1: self.allow_legacy_sha1,
            max_body_size: self.max_body_size,
            ..v
        })
    }

    /// How many keys the verifier holds.
    pub fn key_count(&self) -> usize {
        self.keys.len()
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

    /// Checks the signature header of `body` and returns the index of the key that matched
    /// (0 for the first). `header` is `None` when the request had none.
    ///
    /// A header may hold up to [`MAX_CANDIDATES`] signatures separated by `,` or spaces; one
    /// that matches is enough. The MAC of the body is computed once per key and scheme, and
    /// every comparison takes constant time.
    pub fn verify(&self, body: &[u8], header: Option<&str>) -> Result<usize, Error> {
        check_keys(&self.keys)?;
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
        let count = header.split([',', ' ']).filter(|c| !c.is_empty()).count();
        if count > MAX_CANDIDATES {
            return Err(SignatureError::TooManyCandidates {
                limit: MAX_CANDIDATES,
                count,
            }
            .into());
        }
        // The most telling failure wins when no candidate matches.
        let mut failure: Option<SignatureError> = None;
        let mut candidates = Vec::with_capacity(count);
        for text in header.split([',', ' ']).filter(|c| !c.is_empty()) {
            match self.read_candidate(text) {
                Ok(c) => candidates.push(c),
                Err(e) => note(e, &mut failure),
            }
        }
        // On the stack: a verifier holds at most MAX_KEYS keys (`with_keys`).
        let mut macs256: [Option<Vec<u8>>; MAX_KEYS] = Default::default();
        let mut macs1: [Option<Vec<u8>>; MAX_KEYS] = Default::default();
        for c in &candidates {
            for (i, key) in self.keys.iter().enumerate() {
                let compute = || {
                    if c.legacy {
                        return mac1(key, body);
                    }
                    match self.keyed.get(i) {
                        Some(Some(state)) => {
                            let mut mac = state.clone();
                            mac.update(body);
                            mac.finalize().into_bytes().to_vec()
                        }
                        _ => mac256(key, body),
                    }
                };
                let slot = if c.legacy {
                    macs1.get_mut(i)
                } else {
                    macs256.get_mut(i)
                };
                let fresh;
                let mac = match slot {
                    Some(slot) => slot.get_or_insert_with(compute),
                    None => {
                        fresh = compute();
                        &fresh
                    }
                };
                if bool::from(mac.as_slice().ct_eq(&c.mac)) {
                    return Ok(i);
                }
            }
            // An empty body matches no real signature: its cause is the host's, not the key.
            note(
                if body.is_empty() {
                    SignatureError::EmptyBody
                } else {
                    SignatureError::Mismatch
                },
                &mut failure,
            );
        }
        Err(failure
            .unwrap_or(SignatureError::MalformedHeader {
                reason: "it holds no signature".into(),
            })
            .into())
    }

    /// Reads one `scheme=<Base64>` signature of the header.
    fn read_candidate(&self, text: &str) -> Result<Candidate, SignatureError> {
        let scheme_like = |s: &str| {
            // A scheme is a short token (`sha256`); a bare Base64 signature is longer.
            !s.is_empty()
                && s.len() <= 16
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        let Some((scheme, encoded)) = text.split_once('=').filter(|(s, _)| scheme_like(s)) else {
            return Err(SignatureError::MalformedHeader {
                reason: "it does not start with a scheme such as `sha256=`".into(),
            });
        };
        let (expected_len, legacy) = if scheme.eq_ignore_ascii_case("sha256") {
            (32, false)
        } else if scheme.eq_ignore_ascii_case("sha1") {
            (20, true)
        } else {
            return Err(SignatureError::UnsupportedScheme {
                scheme: scheme.to_ascii_lowercase(),
            });
        };
        if legacy && !self.allow_legacy_sha1 {
            return Err(SignatureError::LegacyNotAllowed);
        }
        let Ok(mac) = B64.decode(encoded.trim()) else {
            return Err(SignatureError::MalformedHeader {
                reason: "the signature is not standard Base64".into(),
            });
        };
        if mac.len() != expected_len {
            return Err(SignatureError::MalformedHeader {
                reason: format!(
                    "the signature is {} bytes; {scheme} gives {expected_len}",
                    mac.len()
                ),
            });
        }
        Ok(Candidate { legacy, mac })
    }

    /// Verifies the signature of a delivery, then parses it: the one call a webhook handler
    /// needs. `headers` are the request's headers, `body` its raw bytes. The result's
    /// [`Notification::key_index`] tells which key matched.
    ///
    /// ```
    /// use hootsuite_events::signature::{sign, SignatureKey, Verifier};
    /// let key = SignatureKey::new("k");
    /// let body = br#"{"message":{"eventId":"e1","instanceId":7,"events":[{"eventType":"CREATED"}]}}"#;
    /// let headers = vec![("Elements-Webhook-Signature", sign(&key, body)),
    ///                    ("Elements-Webhook-Id", "w-1".to_string())];
    /// let n = Verifier::new(key).verify_event(&headers, body)?;
    /// assert_eq!(n.units[0].key, "ce:7:e1:0");
    /// assert_eq!(n.key_index, Some(0));
    /// # Ok::<(), hootsuite_events::Error>(())
    /// ```
    pub fn verify_event<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<Notification, Error> {
        let key_index = self.verify(body, headers.get_header(SIGNATURE_HEADER))?;
        let mut n = parse_delivery_with(
            headers,
            body,
            &Limits {
                max_body_size: self.max_body_size,
            },
        )?;
        n.key_index = Some(key_index);
        Ok(n)
    }
}

/// Keeps the most telling of two failures.
/// An empty key is a setup mistake (an unset variable), told apart from a forged delivery.
fn check_keys(keys: &[SignatureKey]) -> Result<(), Error> {
    match keys.iter().position(|k| k.bytes().is_empty()) {
        None => Ok(()),
        Some(i) => Err(Error::InvalidArgument {
            field: "key".into(),
            reason: format!(
                "{} is empty; expected the signature key the instance was given (event.notification.signature.key)",
                if keys.len() == 1 {
                    "the signature key".to_string()
                } else {
                    format!("key {} of {}", i + 1, keys.len())
                }
            ),
        }),
    }
}

fn note(e: SignatureError, failure: &mut Option<SignatureError>) {
    let rank = |e: &SignatureError| match e {
        SignatureError::Mismatch | SignatureError::EmptyBody => 4,
        SignatureError::LegacyNotAllowed => 3,
        SignatureError::MalformedHeader { .. } => 2,
        _ => 1,
    };
    if failure.as_ref().is_none_or(|f| rank(&e) > rank(f)) {
        *failure = Some(e);
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
            Ok(0)
        );
        let many = [good; MAX_CANDIDATES + 1].join(",");
        assert_eq!(code(Some(&many)), "signature_too_many");
        let at_cap = [good; MAX_CANDIDATES].join(",");
        assert_eq!(
            Verifier::new(key.clone()).verify(BODY, Some(&at_cap)),
            Ok(0)
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
            Ok(0)
        );
    }

    #[test]
    fn rotation_tells_which_key_matched() {
        let (new, old) = (SignatureKey::new("new"), SignatureKey::new("old"));
        let v = Verifier::with_keys([new.clone(), old.clone()]).expect("two keys");
        assert_eq!(v.verify(BODY, Some(&sign(&new, BODY))), Ok(0));
        assert_eq!(v.verify(BODY, Some(&sign(&old, BODY))), Ok(1));
        let other = SignatureKey::new("other");
        assert_eq!(
            v.verify(BODY, Some(&sign(&other, BODY)))
                .unwrap_err()
                .code(),
            "signature_mismatch"
        );
        let none: [SignatureKey; 0] = [];
        assert_eq!(
            Verifier::with_keys(none).unwrap_err().code(),
            "invalid_argument"
        );
        let nine = vec![SignatureKey::new("k"); MAX_KEYS + 1];
        assert!(Verifier::with_keys(nine).is_err());
        let empty = Verifier::with_keys([new.clone(), SignatureKey::new("")]).unwrap_err();
        assert_eq!(empty.code(), "invalid_argument");
        assert!(empty.to_string().contains("key 2 of 2 is empty"), "{empty}");
        assert_eq!(
            Verifier::new("")
                .verify(BODY, Some("sha256=x"))
                .unwrap_err()
                .code(),
            "invalid_argument"
        );
        // An empty body: the raw bytes were not read, told apart from a wrong key.
        let e = Verifier::new(new.clone())
            .verify(b"", Some(&sign(&new, BODY)))
            .unwrap_err();
        assert_eq!(e.code(), "signature_empty_body");
    }
}
