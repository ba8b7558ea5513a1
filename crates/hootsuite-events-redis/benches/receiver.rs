//! Receiver throughput on notifications of 1, 5 and 20 Hootsuite events (at least 2 KB):
//! verify + parse + claim + settle with the Redis store on loopback (and with the MemoryStore
//! at 1 event), beside a hand-written peer (hmac + base64 + serde_json + one `SET NX PX` per
//! `seq_no` on the same connection). The redis-server is the one `bench/run.py` starts
//! (`HOOTSUITE_EVENTS_BENCH_REDIS`, a redis:// URL).

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use hmac::{Hmac, Mac};
use hootsuite_events::idempotency::{process, MemoryStore, DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS};
use hootsuite_events::signature::{sign, SignatureKey, Verifier};
use hootsuite_events_redis::RedisStore;

const KEY: &str = "MySecretEventSignatureKey";
/// Distinct deliveries per round: each is claimed once, then the database is flushed.
const ROUND: usize = 2048;
/// Hootsuite events per notification, one row each.
const EVENTS: [usize; 3] = [1, 5, 20];

/// A notification of at least 2 KB (element events pad it) carrying `events` Hootsuite events
/// with the `seq_no`s from `first` on.
fn notification(first: usize, events: usize) -> Vec<u8> {
    let raw: Vec<String> = (first..first + events)
        .map(|seq_no| format!(r#"{{"seq_no":"{seq_no}","type":"com.hootsuite.messages.event.v1","data":{{"state":"SENT","message":{{"id":"m-{seq_no}"}}}}}}"#))
        .collect();
    let mut element_events = Vec::new();
    let mut i = 0;
    loop {
        let body = format!(
            r#"{{"message":{{"eventId":"e-1","instanceId":12345,"elementKey":"hootsuite","events":[{}],"raw":[{}]}}}}"#,
            element_events.join(","),
            raw.join(",")
        );
        if body.len() >= 2 * 1024 {
            return body.into_bytes();
        }
        element_events.push(format!(r#"{{"objectType":"messages","objectId":"{i}","eventType":"UPDATED","elementKey":"hootsuite","date":"2026-11-26T10:00:00Z"}}"#));
        i += 1;
    }
}

/// The hand-written receiver: check the HMAC, parse, `SET <seq_no> 1 NX PX <retention>`.
fn peer(connection: &mut redis::Connection, body: &[u8], header: &str) -> Option<usize> {
    let given = base64::engine::general_purpose::STANDARD
        .decode(header.strip_prefix("sha256=")?)
        .ok()?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).ok()?;
    mac.update(body);
    mac.verify_slice(&given).ok()?;
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut fresh = 0;
    for e in v.get("message")?.get("raw")?.as_array()? {
        let seq = e.get("seq_no")?.as_str()?;
        let set: Option<String> = redis::cmd("SET")
            .arg(format!("peer:12345:{seq}"))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(DEFAULT_RETENTION_MS)
            .query(connection)
            .ok()?;
        fresh += usize::from(set.is_some());
    }
    Some(fresh)
}

/// Times `iters` deliveries, `ROUND` distinct ones at a time, flushing between rounds (untimed).
fn rounds(iters: u64, flush: &mut dyn FnMut(), mut one: impl FnMut(usize)) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0u64;
    while done < iters {
        flush();
        let n = (iters - done).min(ROUND as u64) as usize;
        let start = Instant::now();
        for i in 0..n {
            one(i);
        }
        total += start.elapsed();
        done += n as u64;
    }
    total
}

fn receiving(c: &mut Criterion) {
    let Ok(url) = std::env::var("HOOTSUITE_EVENTS_BENCH_REDIS") else {
        eprintln!("receiver bench: set HOOTSUITE_EVENTS_BENCH_REDIS=redis://127.0.0.1:PORT/ (bench/run.py does)");
        return;
    };
    let key = SignatureKey::new(KEY);
    let verifier = Verifier::new(key.clone());
    let client = redis::Client::open(url.as_str()).expect("a redis:// URL");
    let mut admin = client.get_connection().expect("redis-server answers");
    let mut flush = move || {
        let _: () = redis::cmd("FLUSHDB").query(&mut admin).expect("FLUSHDB");
    };
    let store =
        RedisStore::new(client.get_connection().expect("redis-server answers")).expect("a store");
    let mut connection = client.get_connection().expect("redis-server answers");

    let mut g = c.benchmark_group("receive_redis");
    for events in EVENTS {
        let bodies: Vec<(Vec<u8>, String)> = (0..ROUND)
            .map(|i| {
                let b = notification(i * events, events);
                let h = sign(&key, &b);
                (b, h)
            })
            .collect();
        let verify = |i: usize| {
            let (body, header) = &bodies[i];
            verifier
                .verify_event(
                    &[("Elements-Webhook-Signature", header.as_str())][..],
                    black_box(body),
                )
                .expect("valid")
        };
        if events == 1 {
            g.bench_function(BenchmarkId::new("ours MemoryStore", events), |b| {
                b.iter_custom(|iters| {
                    let fresh =
                        || MemoryStore::with_limits(ROUND, DEFAULT_RETENTION_MS).expect("limits");
                    let store = std::cell::RefCell::new(fresh());
                    rounds(iters, &mut || *store.borrow_mut() = fresh(), |i| {
                        let n = verify(i);
                        let o = process(
                            &*store.borrow(),
                            &n,
                            || 1,
                            DEFAULT_LEASE_MS,
                            |_| Ok::<(), ()>(()),
                        )
                        .expect("processed");
                        assert_eq!(o.processed, events);
                    })
                })
            });
        }
        g.bench_function(BenchmarkId::new("ours RedisStore", events), |b| {
            b.iter_custom(|iters| {
                rounds(iters, &mut flush, |i| {
                    let n = verify(i);
                    let o = process(&store, &n, || 1, DEFAULT_LEASE_MS, |_| Ok::<(), ()>(()))
                        .expect("processed");
                    assert_eq!(o.processed, events);
                })
            })
        });
        g.bench_function(BenchmarkId::new("peer SET NX PX", events), |b| {
            b.iter_custom(|iters| {
                rounds(iters, &mut flush, |i| {
                    let (body, header) = &bodies[i];
                    assert_eq!(peer(&mut connection, black_box(body), header), Some(events));
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, receiving);
criterion_main!(benches);
