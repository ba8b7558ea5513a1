//! JavaScript's arguments as the core's values, for the two JavaScript packages (the Node
//! addon and the WebAssembly build): one check and one message each, so that the Node
//! package's WebAssembly fallback refuses what the native addon refuses, in the same words.
//! A refusal is a message for a `TypeError` (a programmer error, not a [`crate::Error`]).
//!
//! ```
//! use hootsuite_events::js;
//! assert_eq!(js::instance_id(12.0), Ok(12));
//! assert!(js::millis("leaseMs", 1.5).unwrap_err().contains("leaseMs"));
//! assert_eq!(
//!     js::max_body_size(-1.0).unwrap_err(),
//!     "maxBodySize must be an integer number of bytes from 0 to 4294967295, got -1"
//! );
//! ```

use crate::idempotency;

/// Why a string was refused where the raw bytes of a signed body belong.
pub const BODY_IS_TEXT: &str = "the body must be the raw bytes as received (a Buffer, Uint8Array or ArrayBuffer), not a string: the signature covers the exact bytes; with Express use express.raw({ type: '*/*' }) on the route, with fetch use new Uint8Array(await request.arrayBuffer())";

/// Why no body (undefined, null or an empty object) was refused there: what a framework hands
/// over when no raw-body parser matched the request (a bare `express.raw()` reads only
/// `application/octet-stream`).
pub const BODY_IS_MISSING: &str = "the body is missing (undefined, null or an empty object): no raw-body parser matched the request's Content-Type, so the raw bytes were never read; with Express use express.raw({ type: '*/*' }) on the route (a bare express.raw() reads only application/octet-stream), with fetch use new Uint8Array(await request.arrayBuffer())";

/// Why parsed JSON (or any other value) was refused there.
pub const BODY_IS_PARSED: &str = "the body must be the raw bytes as received (a Buffer, Uint8Array or ArrayBuffer), not parsed JSON: re-serializing changes the bytes and the signature no longer matches (the express.json() mistake: use express.raw({ type: '*/*' }) on the route)";

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// The largest `u32`, and the largest `usize` of the WebAssembly build: the bound of the
/// numbers both builds must read alike.
const MAX_U32: f64 = 4_294_967_295.0;

/// `n` when it is a whole number from 0 to `Number.MAX_SAFE_INTEGER`.
fn whole(n: f64) -> Option<u64> {
    whole_up_to(n, MAX_SAFE_INTEGER)
}

/// `n` when it is a whole number from 0 to `max` (at most `Number.MAX_SAFE_INTEGER`).
fn whole_up_to(n: f64, max: f64) -> Option<u64> {
    (n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= max).then_some(n as u64)
}

/// `n` as JavaScript's `String(n)` writes it, so that a message quotes what the caller passed.
fn number_text(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n == 0.0 {
        "0".into()
    } else if n.abs() >= 1e21 || n.abs() < 1e-6 {
        // JavaScript writes these with an exponent, and a sign on a positive one.
        let e = format!("{n:e}");
        match e.split_once('e') {
            Some((m, exp)) if !exp.starts_with('-') => format!("{m}e+{exp}"),
            _ => e,
        }
    } else {
        format!("{n}")
    }
}

/// Why a value that is not a number (`kind`: its `typeof`) was refused where `field`, a
/// number, belongs.
pub fn not_a_number(field: &str, kind: &str) -> String {
    format!("{field} must be a number, got a value of type {kind}")
}

/// An instance (or configuration entry) id: a non-negative integer.
pub fn instance_id(n: f64) -> Result<u64, String> {
    whole(n).ok_or_else(|| "an instance id must be a non-negative integer".to_string())
}

/// A time or a duration in milliseconds, named `field` in the message.
pub fn millis(field: &str, n: f64) -> Result<u64, String> {
    whole(n).ok_or_else(|| {
        format!(
            "{field} must be a non-negative integer number of milliseconds, got {}",
            number_text(n)
        )
    })
}

/// A verifier's `maxBodySize`: a whole number of bytes up to the largest `usize` of the
/// WebAssembly build, so that both builds take the same values.
pub fn max_body_size(n: f64) -> Result<usize, String> {
    whole_up_to(n, MAX_U32)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| {
            format!(
                "maxBodySize must be an integer number of bytes from 0 to 4294967295, got {}",
                number_text(n)
            )
        })
}

/// A page size (`pageSize`): a whole number that fits the core's `u32`.
pub fn page_size(n: f64) -> Result<u32, String> {
    count("pageSize", n)
}

/// A count named `field` (of the core's `u32`s).
pub fn count(field: &str, n: f64) -> Result<u32, String> {
    whole_up_to(n, MAX_U32)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| {
            format!(
                "{field} must be an integer from 0 to 4294967295, got {}",
                number_text(n)
            )
        })
}

/// The `status` of a response as received: a three-digit HTTP status code (0 allowed, as
/// fetch reports an opaque response).
pub fn http_status(n: f64) -> Result<u16, String> {
    whole_up_to(n, 999.0)
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| {
            format!(
                "status must be an integer HTTP status code from 0 to 999, got {}",
                number_text(n)
            )
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
    let whole = whole(c)
        .ok_or_else(|| format!("capacity must be a whole number, got {}", number_text(c)))?;
    idempotency::check_capacity("capacity", whole).map_err(|e| e.to_string())
}

/// A step of the claim loop as the JavaScript packages hand it over: `{type: 'claim', keys}`,
/// `{type: 'handle', index}`, `{type: 'settle', complete: [[key, token]…], release}` or
/// `{type: 'done', tally: {status, processed, skipped, inProgress, failed, lostLeases,
/// rejected}}`.
pub fn step_value(step: idempotency::Step) -> serde_json::Value {
    use serde_json::json;
    match step {
        idempotency::Step::Claim(keys) => json!({"type": "claim", "keys": keys}),
        idempotency::Step::Handle(index) => json!({"type": "handle", "index": index}),
        idempotency::Step::Settle { complete, release } => {
            json!({"type": "settle", "complete": complete, "release": release})
        }
        idempotency::Step::Done(t) => json!({"type": "done", "tally": {
            "status": t.status, "processed": t.processed, "skipped": t.skipped,
            "inProgress": t.in_progress, "failed": t.failed, "lostLeases": t.lost_leases,
            "rejected": t.rejected,
        }}),
    }
}

/// A unit of a notification as the loop needs it: its `key` and whether its `kind` is
/// `rejected` (an event that could not be read).
pub fn step_unit(unit: &serde_json::Value) -> Result<(String, bool), String> {
    match (unit.get("key").and_then(|k| k.as_str()), unit.get("kind").and_then(|k| k.as_str())) {
        (Some(key), Some(kind)) => Ok((key.to_string(), kind == "rejected")),
        _ => Err("a unit must be an object with a string `key` and a string `kind` (the notification's units)".into()),
    }
}

/// A store's answer to a claim: `{status: 'claimed', token}`, `{status: 'done'}` or
/// `{status: 'in_progress'}`. The message names the status only: a token proves a claim.
pub fn claim_answer(answer: &serde_json::Value) -> Result<idempotency::Claim, String> {
    let status = answer.get("status");
    match status.and_then(|s| s.as_str()) {
        Some("claimed") => match answer.get("token").and_then(|t| t.as_str()) {
            Some(token) => Ok(idempotency::Claim::Claimed {
                token: token.to_string(),
            }),
            None => Err("the store answered a claim with status 'claimed' without a string token".into()),
        },
        Some("done") => Ok(idempotency::Claim::Done),
        Some("in_progress") => Ok(idempotency::Claim::InProgress),
        _ => Err(format!(
            "the store answered a claim with status {}; expected {{status: 'claimed', token}}, {{status: 'done'}} or {{status: 'in_progress'}}",
            status.map_or_else(|| "undefined".to_string(), |s| s.to_string())
        )),
    }
}

/// The integer reply of the Redis store's complete or release script.
pub fn flag_reply(n: f64) -> Result<i64, String> {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15 {
        Ok(n as i64)
    } else {
        Err(format!(
            "reply must be the script's integer 1 or 0, got {}",
            number_text(n)
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

    #[test]
    fn numbers_that_both_builds_read_alike() {
        assert_eq!(max_body_size(0.0), Ok(0));
        assert_eq!(max_body_size(MAX_U32), Ok(4_294_967_295));
        for (bad, shown) in [
            (-1.0, "-1"),
            (MAX_U32 + 1.0, "4294967296"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
            (1.5, "1.5"),
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
        ] {
            assert_eq!(
                max_body_size(bad),
                Err(format!(
                    "maxBodySize must be an integer number of bytes from 0 to 4294967295, got {shown}"
                ))
            );
        }
        assert_eq!(page_size(MAX_U32), Ok(u32::MAX));
        assert_eq!(
            page_size(-0.5),
            Err("pageSize must be an integer from 0 to 4294967295, got -0.5".into())
        );
        assert_eq!(count("failed", 3.0), Ok(3));
        assert_eq!(http_status(0.0), Ok(0));
        assert_eq!(http_status(999.0), Ok(999));
        for bad in [-1.0, 1000.0, 200.5, 4_294_967_496.0, f64::NAN] {
            assert!(http_status(bad).unwrap_err().starts_with("status must be"));
        }
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(
            not_a_number("maxBodySize", "string"),
            "maxBodySize must be a number, got a value of type string"
        );
    }
}
