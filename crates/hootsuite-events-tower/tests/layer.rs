//! The layer's answers, on the in-process store: processed, replayed, failed and retried,
//! held by another process, a bad signature, a body that is not a notification, one too large.

use std::sync::{Arc, Mutex};

use hootsuite_events::idempotency::{Claim, MemoryStore};
use hootsuite_events::signature::{sign, SignatureKey, Verifier};
use hootsuite_events_tower::{handler_fn, Job, ReceiveLayer};
use tower_layer::Layer;
use tower_service::Service;

const BODY: &[u8] = br#"{"message": {"instanceId": 4, "raw": [{"seq_no": "1", "type": "t"}, {"seq_no": "2", "type": "t"}]}}"#;

fn request(body: &[u8], key: &str) -> http::Request<String> {
    http::Request::post("/events")
        .header(
            "Elements-Webhook-Signature",
            sign(&SignatureKey::new(key), body),
        )
        .body(String::from_utf8(body.to_vec()).expect("text"))
        .expect("request")
}

#[test]
fn answers() {
    let store = Arc::new(MemoryStore::new());
    let handled = Arc::new(Mutex::new(Vec::new()));
    let reports = Arc::new(Mutex::new(Vec::new()));
    let (h, r) = (Arc::clone(&handled), Arc::clone(&reports));
    let mut endpoint = ReceiveLayer::new(
        Verifier::with_keys(["k"]).expect("key"),
        SharedStore(Arc::clone(&store)),
    )
    .max_body(4096)
    .on_report(move |report| r.lock().expect("lock").push(format!("{report:?}")))
    .layer(handler_fn(move |job: Job| {
        let h = Arc::clone(&h);
        async move {
            let key = job.work().unit.key.clone();
            let mut handled = h.lock().expect("lock");
            handled.push(key.clone());
            // The first attempt at the second unit fails.
            if key == "hs:4:2" && handled.iter().filter(|k| **k == key).count() == 1 {
                return Err("down");
            }
            Ok(())
        }
    }));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut send = |req: http::Request<String>| {
        let response = runtime.block_on(endpoint.call(req)).expect("infallible");
        (response.status().as_u16(), response.into_body())
    };
    assert_eq!(send(request(BODY, "k")).0, 500, "the second unit failed");
    assert_eq!(
        send(request(BODY, "k")),
        (
            200,
            "processed 1, skipped 1, in progress 0, rejected 0".into()
        )
    );
    assert_eq!(
        send(request(BODY, "k")).1,
        "processed 0, skipped 2, in progress 0, rejected 0"
    );
    assert_eq!(
        send(request(BODY, "wrong")),
        (401, "signature_mismatch".into())
    );
    assert_eq!(send(request(b"[]", "k")).0, 400);
    assert_eq!(
        send(request(&vec![b' '; 5000], "k")),
        (413, "body_too_large".into())
    );
    // Another process holds a unit: 409.
    let other = br#"{"message": {"instanceId": 5, "raw": [{"seq_no": "1", "type": "t"}]}}"#;
    assert!(matches!(
        store.claim("hs:5:1", 60_000, now_ms()).expect("claim"),
        Claim::Claimed { .. }
    ));
    assert_eq!(send(request(other, "k")).0, 409);
    assert_eq!(
        *handled.lock().expect("lock"),
        ["hs:4:1", "hs:4:2", "hs:4:2"]
    );
    let reports = reports.lock().expect("lock");
    assert!(
        reports[0].starts_with("Failed") && reports[0].contains("down"),
        "{reports:?}"
    );
    assert!(reports[3].contains("signature_mismatch"), "{reports:?}");
    // Nothing secret in a report: neither key nor signature.
    assert!(
        reports.iter().all(|r| !r.contains("sha256=")),
        "{reports:?}"
    );
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The store shared with the test, which claims a unit as another process would.
struct SharedStore(Arc<MemoryStore>);

impl hootsuite_events::idempotency::AsyncStore for SharedStore {
    type Error = hootsuite_events::Error;
    fn claim_all(
        &self,
        keys: &[&str],
        lease_ms: u64,
        now_ms: u64,
    ) -> impl std::future::Future<Output = Result<Vec<Claim>, Self::Error>> + Send {
        hootsuite_events::idempotency::AsyncStore::claim_all(&*self.0, keys, lease_ms, now_ms)
    }
    fn settle(
        &self,
        complete: &[(&str, &str)],
        release: &[(&str, &str)],
        now_ms: u64,
    ) -> impl std::future::Future<Output = Result<Vec<bool>, Self::Error>> + Send {
        hootsuite_events::idempotency::AsyncStore::settle(&*self.0, complete, release, now_ms)
    }
}
