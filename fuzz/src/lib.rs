//! The fuzzed entry points, shared by the fuzz targets and by the regression test that
//! replays the committed corpus (`crates/hootsuite-events/tests/fuzz_corpus.rs` includes
//! this file), so that both run the same code.

use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::signature::{SignatureKey, Verifier};
use hootsuite_events::{events, oauth, HttpResponse};

/// Splits the input at the first two NUL bytes: `(a, b, rest)`.
fn split3(data: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let mut parts = data.splitn(3, |b| *b == 0);
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

/// The notification parser; its typed fast path must agree with the reference path on every
/// input (same notification, or the same error).
pub fn notification(data: &[u8]) {
    let limits = hootsuite_events::json::Limits::default();
    let fast = events::parse_notification_with(data, &limits);
    let reference = events::reference_parse_with(data, &limits);
    assert_eq!(
        fast, reference,
        "the fast path disagrees with the reference path"
    );
    if let Ok(n) = fast {
        let _ = n.dedup_key();
    }
}

/// `key \0 header \0 body`.
pub fn signature(data: &[u8]) {
    let (key, header, body) = split3(data);
    let key = String::from_utf8_lossy(key);
    let header = String::from_utf8_lossy(header);
    let verifier = Verifier::new(SignatureKey::new(key.as_ref())).allow_legacy_sha1(true);
    let _ = verifier.verify(body, Some(&header));
    let headers = [("Elements-Webhook-Signature", header.as_ref())];
    let _ = verifier.verify_event(&headers[..], body);
}

/// `status (2 bytes) body`.
pub fn responses(data: &[u8]) {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]) % 600, rest),
        _ => (200, data),
    };
    let r = HttpResponse::new(
        status,
        vec![("Retry-After".into(), "1".into())],
        body.to_vec(),
    );
    let _ = instance::parse_instance(&r);
    let _ = instance::parse_instance_page(&r);
    let _ = instance::parse_instance_events(&r);
    let _ = instance::parse_instance_event_page(&r);
    let _ = instance::parse_instance_event(&r);
    let _ = instance::parse_configuration(&r);
    let _ = instance::parse_configuration_entry(&r);
    let _ = instance::parse_empty(&r);
    let _ = oauth::parse_redirect_url(&r);
}

/// `expected state \0 url`.
pub fn callback(data: &[u8]) {
    let (state, url, _) = split3(data);
    let _ = oauth::parse_callback(
        &String::from_utf8_lossy(url),
        &String::from_utf8_lossy(state),
    );
}

/// Validation of any text.
pub fn validate(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let a = instance::validate_json(&text);
    let b = instance::validate_json(&text);
    assert_eq!(a, b, "validation is deterministic");
    match CreateInstance::from_json(&text) {
        Ok(body) => {
            assert!(a.valid);
            assert!(
                instance::validate(&body.to_value()).valid,
                "a built body validates"
            );
        }
        Err(_) => assert!(!a.valid),
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        let _ = instance::validate_update(&v);
    }
}
