//! Properties over random input: nothing panics, validation is deterministic, and a signature
//! verifies exactly when nothing was changed.

use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::signature::{sign, SignatureKey, Verifier};
use hootsuite_events::{events, oauth, HttpResponse};
use proptest::prelude::*;
use serde_json::Value;

/// Arbitrary JSON values, biased towards the keys the rules look at.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("element".to_string()),
        Just("key".to_string()),
        Just("providerData".to_string()),
        Just("code".to_string()),
        Just("configuration".to_string()),
        Just("oauth.callback.url".to_string()),
        Just("event.notification.enabled".to_string()),
        Just("event.notification.callback.url".to_string()),
        Just("tags".to_string()),
        Just("name".to_string()),
        "[a-z.]{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just("hootsuite".to_string()),
            Just("https://a.example".to_string()),
            Just("true".to_string()),
            ".{0,20}"
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn validation_is_total_and_deterministic(v in json_value()) {
        let a = instance::validate(&v);
        let b = instance::validate(&v);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.valid, a.errors.is_empty());
        // Validation and building agree, and a built body validates again to the same warnings.
        match CreateInstance::from_value(&v) {
            Ok(body) => {
                prop_assert!(a.valid);
                let again = instance::validate(&body.to_value());
                prop_assert!(again.valid);
                prop_assert_eq!(CreateInstance::from_value(&body.to_value()).map(|b| b.to_value()).ok(), Some(body.to_value()));
            }
            Err(_) => prop_assert!(!a.valid),
        }
    }

    #[test]
    fn text_inputs_never_panic(text in ".{0,200}") {
        let _ = instance::validate_json(&text);
        let _ = events::parse_notification(text.as_bytes());
        let _ = oauth::parse_callback(&text, "state");
        let response = HttpResponse::new(200, vec![], text.as_bytes().to_vec());
        let _ = instance::parse_instance(&response);
        let _ = instance::parse_instance_page(&response);
        let _ = oauth::parse_redirect_url(&response);
    }

    #[test]
    fn json_inputs_never_panic(v in json_value()) {
        let bytes = serde_json::to_vec(&v).expect("serializes");
        let _ = events::parse_notification(&bytes);
        let wrapped = serde_json::to_vec(&serde_json::json!({"message": v})).expect("serializes");
        let _ = events::parse_notification(&wrapped);
        let _ = instance::parse_instance(&HttpResponse::new(200, vec![], bytes));
    }

    #[test]
    fn sign_then_verify(key in ".{1,40}", body in prop::collection::vec(any::<u8>(), 0..300), flip in any::<prop::sample::Index>(), bit in 0u8..8) {
        let k = SignatureKey::new(key.as_str());
        let header = sign(&k, &body);
        let verifier = Verifier::new(k);
        prop_assert!(verifier.verify(&body, Some(&header)).is_ok());
        if !body.is_empty() {
            let mut changed = body.clone();
            let i = flip.index(changed.len());
            changed[i] ^= 1 << bit;
            prop_assert_eq!(verifier.verify(&changed, Some(&header)).map_err(|e| e.code()), Err("signature_mismatch"));
        }
        let mut bad_header = header.clone().into_bytes();
        let i = 7 + flip.index(bad_header.len() - 8); // inside the Base64, before the padding
        bad_header[i] = if bad_header[i] == b'A' { b'B' } else { b'A' };
        let bad_header = String::from_utf8(bad_header).expect("ascii");
        prop_assert!(verifier.verify(&body, Some(&bad_header)).is_err());
        let other = Verifier::new(SignatureKey::new(format!("{key}x").as_str()));
        prop_assert!(other.verify(&body, Some(&header)).is_err());
    }
}
