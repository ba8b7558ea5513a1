//! JavaScript's arguments as the core's values, for the two JavaScript packages (the Node
//! addon and the WebAssembly build): one check and one message each, so that the Node
//! package's WebAssembly fallback refuses what the native addon refuses, in the same words.
//! A refusal is a message for a `TypeError` (a programmer error, not a [`crate::Error`]).
//!
//! ```
//! use hootsuite_events::js;
//! assert_eq!(js::instance_id(12.0), Ok(12));
//! assert!(js::millis("leaseMs", 1.5).unwrap_err().contains("leaseMs"));
//! ```

use crate::idempotency;

/// Why a string was refused where the raw bytes of a signed body belong.
pub const BODY_IS_TEXT: &str = "the body must be the raw bytes as received (a Buffer, Uint8Array or ArrayBuffer), not a string: the signature covers the exact bytes; with Express use express.raw({type: 'application/json'}), with fetch use new Uint8Array(await request.arrayBuffer())";

/// Why parsed JSON (or any other value) was refused there.
pub const BODY_IS_PARSED: &str = "the body must be the raw bytes as received (a Buffer, Uint8Array or ArrayBuffer), not parsed JSON: re-serializing changes the bytes and the signature no longer matches (the express.json() mistake: use express.raw({type: 'application/json'}))";

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// `n` when it is a whole number from 0 to `Number.MAX_SAFE_INTEGER`.
fn whole(n: f64) -> Option<u64> {
    (n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX_SAFE_INTEGER).then_some(n as u64)
}

/// An instance (or configuration entry) id: a non-negative integer.
pub fn instance_id(n: f64) -> Result<u64, String> {
    whole(n).ok_or_else(|| "an instance id must be a non-negative integer".to_string())
}

/// A time or a duration in milliseconds, named `field` in the message.
pub fn millis(field: &str, n: f64) -> Result<u64, String> {
    whole(n).ok_or_else(|| {
        format!("{field} must be a non-negative integer number of milliseconds, got {n}")
    })
}

/// A store's retention in milliseconds: [`idempotency::DEFAULT_RETENTION_MS`] when not given.
/// Its range is the stores' one rule, checked by the store ([`idempotency::check_expiry`]).
pub fn retention_ms(n: Option<f64>) -> Result<u64, String> {
    n.map_or(Ok(idempotency::DEFAULT_RETENTION_MS), |n| {
        millis("retentionMs", n)
    })
}

/// A memory store's capacity ([`idempotency::check_capacity`]),
/// [`idempotency::DEFAULT_CAPACITY`] when not given.
pub fn capacity(n: Option<f64>) -> Result<usize, String> {
    let Some(c) = n else {
        return Ok(idempotency::DEFAULT_CAPACITY);
    };
    let whole = whole(c).ok_or_else(|| format!("capacity must be a whole number, got {c}"))?;
    idempotency::check_capacity("capacity", whole).map_err(|e| e.to_string())
}

/// The integer reply of the Redis store's complete or release script.
pub fn flag_reply(n: f64) -> Result<i64, String> {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15 {
        Ok(n as i64)
    } else {
        Err(format!(
            "reply must be the script's integer 1 or 0, got {n}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(instance_id(0.0), Ok(0));
        assert_eq!(instance_id(MAX_SAFE_INTEGER), Ok(9_007_199_254_740_991));
        for bad in [-1.0, 1.5, f64::NAN, f64::INFINITY, MAX_SAFE_INTEGER + 2.0] {
            assert!(instance_id(bad).is_err(), "{bad}");
        }
        assert_eq!(
            millis("nowMs", -1.0),
            Err("nowMs must be a non-negative integer number of milliseconds, got -1".into())
        );
        assert_eq!(retention_ms(None), Ok(idempotency::DEFAULT_RETENTION_MS));
        assert!(retention_ms(Some(f64::NAN))
            .unwrap_err()
            .starts_with("retentionMs"));
        assert_eq!(capacity(None), Ok(idempotency::DEFAULT_CAPACITY));
        assert_eq!(capacity(Some(2.0)), Ok(2));
        assert!(capacity(Some(0.0)).is_err() && capacity(Some(2e9)).is_err());
        assert_eq!(flag_reply(1.0), Ok(1));
        assert!(flag_reply(0.5).is_err() && flag_reply(f64::NAN).is_err());
    }
}
