//! Limits: size and depth errors, and work that grows linearly with the input.

use std::time::{Duration, Instant};

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

/// The fastest of several runs, to keep scheduling noise out.
fn fastest(mut f: impl FnMut()) -> Duration {
    (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Doubling the input twice (×4) must not multiply the work by 16: quadratic behaviour would
/// give a ratio near 16, linear near 4. The wide gap keeps cache effects and a busy machine
/// from deciding the outcome.
fn assert_linear(what: &str, small: Duration, large: Duration) {
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-9);
    assert!(
        ratio < 9.0,
        "{what}: a 4× larger input multiplied the time by {ratio:.2} ({small:?} → {large:?})"
    );
}

#[test]
fn cost_is_linear_in_size() {
    let (a, b) = (notification(1_000), notification(4_000));
    assert_linear(
        "notification",
        fastest(|| drop(parse_notification(&a))),
        fastest(|| drop(parse_notification(&b))),
    );

    let key = SignatureKey::new("k");
    let (ha, hb) = (sign(&key, &a), sign(&key, &b));
    let v = Verifier::new(key);
    assert_linear(
        "signature",
        fastest(|| drop(v.verify(&a, Some(&ha)))),
        fastest(|| drop(v.verify(&b, Some(&hb)))),
    );

    let body = |n: usize| serde_json::json!({"name": "n", "tags": vec!["t"; n], "configuration": (0..n).map(|i| (format!("x.key{i}"), serde_json::Value::from(i))).collect::<serde_json::Map<_, _>>()});
    let (va, vb) = (body(2_500), body(10_000));
    assert_linear(
        "validation",
        fastest(|| drop(validate(&va))),
        fastest(|| drop(validate(&vb))),
    );

    let query = |n: usize| format!("?state=s&code=c{}", "&x=1".repeat(n));
    let (qa, qb) = (query(10_000), query(40_000));
    assert_linear(
        "callback",
        fastest(|| drop(parse_callback(&qa, "s"))),
        fastest(|| drop(parse_callback(&qb, "s"))),
    );
}
