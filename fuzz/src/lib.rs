//! The fuzzed entry points, shared by the fuzz targets and by the regression test that
//! replays the committed corpus (`crates/hootsuite-events/tests/fuzz_corpus.rs` includes
//! this file), so that both run the same code.

use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::signature::{self, SignatureKey, Verifier};
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
        // Every notification names at least one unit, and each unit points at its event.
        assert!(!n.units.is_empty(), "a notification without units");
        assert_eq!(n.work().count(), n.units.len());
        for w in n.work() {
            assert!(
                w.unit.index.is_none() || w.hootsuite_event.is_some() || w.element_event.is_some()
            );
        }
    }
}

/// `key \0 header \0 body`.
pub fn signature(data: &[u8]) {
    let (key, header, body) = split3(data);
    let key = String::from_utf8_lossy(key);
    let header = String::from_utf8_lossy(header);
    let verifier = Verifier::new(SignatureKey::new(key.as_ref())).allow_legacy_sha1(true);
    let single = verifier.verify(body, Some(&header));
    // Many candidates: the same answer up to the cap (one MAC per key whatever their number),
    // a precise refusal past it.
    if !header.contains([',', ' ']) && !header.is_empty() && header.trim() == header {
        let n = signature::MAX_CANDIDATES;
        let at_cap = vec![header.as_ref(); n].join(",");
        let over = vec![header.as_ref(); n + 1].join(",");
        let many = verifier.verify(body, Some(&at_cap));
        if single.is_ok() {
            assert_eq!(many, single);
        }
        if body.len() <= hootsuite_events::json::DEFAULT_MAX_BODY_SIZE && !key.is_empty() {
            let refused = verifier.verify(body, Some(&over)).map_err(|e| e.code());
            assert_eq!(refused, Err("signature_too_many"));
        }
    }
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
