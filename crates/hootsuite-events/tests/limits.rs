//! Limits: size and depth errors, and work that grows linearly with the input.

use std::alloc::System;
use std::sync::Mutex;

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

use hootsuite_events::events::parse_notification;
use hootsuite_events::instance::validate;
use hootsuite_events::json::{Limits, DEFAULT_MAX_BODY_SIZE};
use hootsuite_events::oauth::parse_callback;
use hootsuite_events::signature::{sign, SignatureKey, Verifier};

fn notification(events: usize) -> Vec<u8> {
    let items: Vec<String> = (0..events)
        .map(|i| format!(r#"{{"objectType":"messages","objectId":"{i}","eventType":"UPDATED","extra":[[[{{"a":[1,2,3]}}]]]}}"#))
        .collect();
    format!(
        r#"{{"message":{{"eventId":"e","events":[{}]}}}}"#,
        items.join(",")
    )
    .into_bytes()
}

#[test]
fn size_and_depth_have_their_own_errors() {
    let big = vec![b' '; DEFAULT_MAX_BODY_SIZE + 1];
    assert_eq!(parse_notification(&big).unwrap_err().code(), "too_large");
    let limited = hootsuite_events::events::parse_notification_with(
        &notification(100),
        &Limits {
            max_body_size: 1000,
        },
    );
    assert_eq!(limited.unwrap_err().code(), "too_large");
    let deep = format!(
        r#"{{"message": {{"raw": {}{}}}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    assert_eq!(
        parse_notification(deep.as_bytes()).unwrap_err().code(),
        "too_deep"
    );
    let key = SignatureKey::new("k");
    let err = Verifier::new(key.clone())
        .max_body_size(10)
        .verify(b"01234567890", Some(&sign(&key, b"x")))
        .unwrap_err();
    assert_eq!(err.code(), "body_too_large");
}

// Counts allocations and bytes allocated, so that the work a call does is measured
// deterministically, whatever else the machine runs.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Serializes the measuring tests: the counters are global to the test binary.
static MEASURE: Mutex<()> = Mutex::new(());

/// Allocation calls and bytes allocated by `f`.
fn cost(f: impl FnOnce()) -> (u64, u64) {
    let _one_at_a_time = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let region = Region::new(GLOBAL);
    f();
    let s = region.change();
    let grown = u64::try_from(s.bytes_reallocated).unwrap_or(0);
    (
        (s.allocations + s.reallocations) as u64,
        s.bytes_allocated as u64 + grown,
    )
}

/// Quadrupling the input must not multiply the work by 16 (quadratic): allocations and bytes
/// allocated (the copies a quadratic parser makes) stay under ×6, near ×4 when linear. Time
/// ratios are in the `linear` bench (`make bench`), not here: a test must not depend on a clock.
fn assert_linear(what: &str, small: impl FnOnce(), large: impl FnOnce()) {
    let ((c1, b1), (c4, b4)) = (cost(small), cost(large));
    assert!(c1 > 0 && b1 > 0, "{what}: nothing was measured");
    let (calls, bytes) = (c4 as f64 / c1 as f64, b4 as f64 / b1 as f64);
    assert!(
        calls < 6.0 && bytes < 6.0,
        "{what}: a 4× larger input multiplied allocations by {calls:.2} ({c1} → {c4}) and bytes by {bytes:.2} ({b1} → {b4})"
    );
}

#[test]
fn cost_is_linear_in_size() {
    let (a, b) = (notification(1_000), notification(4_000));
    assert_linear(
        "notification",
        || drop(parse_notification(&a)),
        || drop(parse_notification(&b)),
    );

    let key = SignatureKey::new("k");
    let (ha, hb) = (sign(&key, &a), sign(&key, &b));
    let v = Verifier::new(key);
    assert_linear(
        "signature",
        || drop(v.verify_event(&[("Elements-Webhook-Signature", ha.as_str())][..], &a)),
        || drop(v.verify_event(&[("Elements-Webhook-Signature", hb.as_str())][..], &b)),
    );

    let body = |n: usize| serde_json::json!({"name": "n", "tags": vec!["t"; n], "configuration": (0..n).map(|i| (format!("x.key{i}"), serde_json::Value::from(i))).collect::<serde_json::Map<_, _>>()});
    let (va, vb) = (body(2_500), body(10_000));
    assert_linear("validation", || drop(validate(&va)), || drop(validate(&vb)));

    let query = |n: usize| format!("?state=s&code=c{}", "&x=1".repeat(n));
    let (qa, qb) = (query(10_000), query(40_000));
    assert_linear(
        "callback",
        || drop(parse_callback(&qa, "s")),
        || drop(parse_callback(&qb, "s")),
    );
}
