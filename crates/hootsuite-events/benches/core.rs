//! Criterion benches of the core, each next to the peer a Rust user would otherwise write:
//! serde derive (no rules) for the create-instance body, and hand-rolled hmac + base64 +
//! `serde_json::from_slice` for a notification. `make bench` runs them and reports ratios.

use std::hint::black_box;

use base64::Engine as _;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use hmac::{Hmac, Mac};
use hootsuite_events::idempotency::{process, MemoryStore, DEFAULT_LEASE_MS};
use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::signature::{sign, SignatureKey, Verifier, MAX_CANDIDATES};
use hootsuite_events::{BaseUrl, Config};
use serde::{Deserialize, Serialize};

const BODY: &str = r#"{"element":{"key":"hootsuite"},"providerData":{"code":"xoz8AFqScK2ngM04kSSM"},"configuration":{"oauth.callback.url":"https://mycoolapp.com","oauth.api.key":"xxxxxxxxxxxxxxxxxx","oauth.api.secret":"xxxxxxxxxxxxxxxxxxxxxx","event.notification.enabled":true,"event.notification.callback.url":"https://mycoolapp.com/events","event.notification.signature.key":"MySecretEventSignatureKey"},"tags":["Docs"],"name":"API Instance"}"#;

/// The peer: the body as a derived struct — types only, none of the rules.
#[derive(Serialize, Deserialize)]
struct PeerBody {
    element: PeerElement,
    #[serde(rename = "providerData")]
    provider_data: PeerProvider,
    configuration: serde_json::Map<String, serde_json::Value>,
    tags: Option<Vec<String>>,
    name: String,
}
#[derive(Serialize, Deserialize)]
struct PeerElement {
    key: String,
}
#[derive(Serialize, Deserialize)]
struct PeerProvider {
    code: String,
}

/// A signed notification of about `size` bytes.
pub fn notification(size: usize) -> Vec<u8> {
    let mut events = Vec::new();
    let mut i = 0;
    loop {
        let body = format!(
            r#"{{"message":{{"eventId":"e-1","instanceId":12345,"elementKey":"hootsuite","events":[{}],"raw":[{{"seq_no":"1","type":"com.hootsuite.messages.event.v1","data":{{"state":"SENT","message":{{"id":"m-1"}}}}}}]}}}}"#,
            events.join(",")
        );
        if body.len() >= size {
            return body.into_bytes();
        }
        events.push(format!(r#"{{"objectType":"messages","objectId":"{i}","eventType":"UPDATED","elementKey":"hootsuite","date":"2026-11-26T10:00:00Z"}}"#));
        i += 1;
    }
}

/// A notification of at least 2 KB (element events pad it) carrying `events` Hootsuite events:
/// `notification_of` in `bench/python_bench.py`, byte for byte.
pub fn notification_of(events: usize) -> Vec<u8> {
    let raw: Vec<String> = (1..=events)
        .map(|s| format!(r#"{{"seq_no":"{s}","type":"com.hootsuite.messages.event.v1","data":{{"state":"SENT","message":{{"id":"m-{s}"}}}}}}"#))
        .collect();
    let mut element_events: Vec<String> = Vec::new();
    loop {
        let body = format!(
            r#"{{"message":{{"eventId":"e-1","instanceId":12345,"elementKey":"hootsuite","events":[{}],"raw":[{}]}}}}"#,
            element_events.join(","),
            raw.join(",")
        );
        if body.len() >= 2048 {
            return body.into_bytes();
        }
        let i = element_events.len();
        element_events.push(format!(r#"{{"objectType":"messages","objectId":"{i}","eventType":"UPDATED","elementKey":"hootsuite","date":"2026-11-26T10:00:00Z"}}"#));
    }
}

fn peer_verify_parse(key: &[u8], body: &[u8], header: &str) -> Option<serde_json::Value> {
    let given = base64::engine::general_purpose::STANDARD
        .decode(header.strip_prefix("sha256=")?)
        .ok()?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).ok()?;
    mac.update(body);
    mac.verify_slice(&given).ok()?;
    serde_json::from_slice(body).ok()
}

fn benches(c: &mut Criterion) {
    let config = Config::new(BaseUrl::us(), "user", "org").expect("config");
    let value: serde_json::Value = serde_json::from_str(BODY).expect("json");
    let mut g = c.benchmark_group("create_instance");
    g.bench_function(
        "ours: validate + build the request (from a JSON value)",
        |b| {
            b.iter(|| {
                instance::create_request(
                    &config,
                    &CreateInstance::from_value(black_box(&value)).expect("valid"),
                )
            })
        },
    );
    g.bench_function("ours: from JSON text", |b| {
        b.iter(|| {
            instance::create_request(
                &config,
                &CreateInstance::from_json(black_box(BODY)).expect("valid"),
            )
        })
    });
    g.bench_function("peer: serde derive from text + to_vec (no rules)", |b| {
        b.iter(|| {
            serde_json::to_vec(&serde_json::from_str::<PeerBody>(black_box(BODY)).expect("parses"))
                .expect("serializes")
        })
    });
    g.finish();

    // The browser build's reader against serde_json's, on the same texts (issue 18).
    let mut g = c.benchmark_group("json");
    let note = String::from_utf8(notification(2 * 1024)).expect("UTF-8");
    for (name, text) in [
        ("create-instance body", BODY),
        ("2 KB notification", note.as_str()),
    ] {
        g.bench_function(format!("jsonv: read a {name}"), |b| {
            b.iter(|| hootsuite_events::jsonv::from_str(black_box(text)).expect("valid"))
        });
        g.bench_function(format!("serde_json: read a {name} into a Value"), |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(text)).expect("valid"))
        });
        let ours = hootsuite_events::jsonv::from_str(text).expect("valid");
        let theirs: serde_json::Value = serde_json::from_str(text).expect("valid");
        g.bench_function(format!("jsonv: write a {name}"), |b| {
            b.iter(|| black_box(&ours).to_json())
        });
        g.bench_function(format!("serde_json: write a {name}"), |b| {
            b.iter(|| serde_json::to_string(black_box(&theirs)).expect("text"))
        });
    }
    g.finish();

    let key = SignatureKey::new("MySecretEventSignatureKey");
    for size in [2 * 1024, 64 * 1024] {
        let body = notification(size);
        let header = sign(&key, &body);
        let headers = [("Elements-Webhook-Signature", header.as_str())];
        let verifier = Verifier::new(key.clone());
        let mut g = c.benchmark_group(format!("verify_parse_{}k", size / 1024));
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_function("ours: verify_event", |b| {
            b.iter(|| {
                verifier
                    .verify_event(&headers[..], black_box(&body))
                    .expect("valid")
            })
        });
        g.bench_function("parts: parse_notification alone (no signature)", |b| {
            b.iter(|| {
                hootsuite_events::events::parse_notification(black_box(&body)).expect("valid")
            })
        });
        g.bench_function("parts: verify alone (no parsing)", |b| {
            b.iter(|| {
                verifier
                    .verify(black_box(&body), Some(&header))
                    .expect("valid")
            })
        });
        g.bench_function("peer: hmac + base64 + serde_json::Value", |b| {
            b.iter(|| {
                peer_verify_parse(b"MySecretEventSignatureKey", black_box(&body), &header)
                    .expect("valid")
            })
        });
        g.finish();
    }
    // The rows of the Python and Node benches: cost per Hootsuite event in a batch.
    for events in [1, 5, 20] {
        let body = notification_of(events);
        let header = sign(&key, &body);
        let headers = [("Elements-Webhook-Signature", header.as_str())];
        let verifier = Verifier::new(key.clone());
        let mut g = c.benchmark_group(format!("verify_parse_{events}_events"));
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_function("ours: verify_event", |b| {
            b.iter(|| {
                verifier
                    .verify_event(&headers[..], black_box(&body))
                    .expect("valid")
            })
        });
        g.bench_function("parts: parse_notification alone (no signature)", |b| {
            b.iter(|| {
                hootsuite_events::events::parse_notification(black_box(&body)).expect("valid")
            })
        });
        g.bench_function("peer: hmac + base64 + serde_json::Value", |b| {
            b.iter(|| {
                peer_verify_parse(b"MySecretEventSignatureKey", black_box(&body), &header)
                    .expect("valid")
            })
        });
        g.finish();
    }
}

/// The receiver a Rust user would write by hand: hmac + base64 + serde_json, then a set of
/// the Hootsuite events' `seq_no`s.
fn peer_receive(
    key: &[u8],
    body: &[u8],
    header: &str,
    seen: &mut std::collections::HashSet<String>,
) -> Option<usize> {
    let v = peer_verify_parse(key, body, header)?;
    let raw = v.get("message")?.get("raw")?.as_array()?;
    Some(
        raw.iter()
            .filter_map(|e| e.get("seq_no")?.as_str())
            .filter(|s| seen.insert((*s).to_string()))
            .count(),
    )
}

fn receiving(c: &mut Criterion) {
    let key = SignatureKey::new("MySecretEventSignatureKey");
    let body = notification(2 * 1024);
    let header = sign(&key, &body);
    let headers = [("Elements-Webhook-Signature", header.as_str())];
    let verifier = Verifier::new(key.clone());
    let mut g = c.benchmark_group("receive_2k");
    // A fresh store (or set) per iteration: every unit is claimed and completed, not skipped.
    g.bench_function("ours: verify_event + claim + complete (MemoryStore)", |b| {
        b.iter_batched(
            || MemoryStore::with_limits(16, 1_000).expect("limits"),
            |store| {
                let n = verifier
                    .verify_event(&headers[..], black_box(&body))
                    .expect("valid");
                process(&store, &n, || 1, DEFAULT_LEASE_MS, |_| Ok::<(), ()>(()))
                    .expect("processed")
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function(
        "peer: hmac + base64 + serde_json::Value + a HashSet of seq_no",
        |b| {
            b.iter_batched(
                std::collections::HashSet::new,
                |mut seen| {
                    peer_receive(
                        b"MySecretEventSignatureKey",
                        black_box(&body),
                        &header,
                        &mut seen,
                    )
                    .expect("valid")
                },
                BatchSize::SmallInput,
            )
        },
    );
    g.finish();

    // An unauthenticated header cannot multiply the work: the MAC is computed once per key.
    let big = vec![b'x'; 1024 * 1024];
    let one = sign(&key, &big);
    let at_cap = [one.as_str(); MAX_CANDIDATES].join(",");
    let mut g = c.benchmark_group("candidates_1mib");
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("ours: 8 signatures in the header (the cap)", |b| {
        b.iter(|| {
            verifier
                .verify(black_box(&big), Some(&at_cap))
                .expect("valid")
        })
    });
    g.bench_function("one signature", |b| {
        b.iter(|| verifier.verify(black_box(&big), Some(&one)).expect("valid"))
    });
    g.finish();
}

criterion_group!(core, benches, receiving);
criterion_main!(core);
