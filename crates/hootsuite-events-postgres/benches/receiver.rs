//! Receiver throughput on a 2 KB notification through the PostgreSQL inbox on loopback:
//! verify + parse + one transaction per unit (claim, the handler's INSERT into an app table,
//! seal, commit), beside a hand-written peer (hmac + base64 + serde_json + `INSERT … ON
//! CONFLICT DO NOTHING` of the key and the app row in one transaction). The server is the one
//! `bench/run.py` starts (`HOOTSUITE_EVENTS_BENCH_POSTGRES`, a postgresql:// URL).

use std::time::{Duration, Instant};

use base64::Engine as _;
use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use hootsuite_events::signature::{sign, SignatureKey, Verifier};
use hootsuite_events_postgres::PostgresInbox;

const KEY: &str = "MySecretEventSignatureKey";
/// Distinct deliveries per round: each is processed once, then the tables are emptied.
const ROUND: usize = 512;

/// A 2 KB notification whose one Hootsuite event has `seq_no`.
fn notification(seq_no: usize) -> Vec<u8> {
    let mut events = Vec::new();
    let mut i = 0;
    loop {
        let body = format!(
            r#"{{"message":{{"eventId":"e-1","instanceId":12345,"elementKey":"hootsuite","events":[{}],"raw":[{{"seq_no":"{seq_no}","type":"com.hootsuite.messages.event.v1","data":{{"state":"SENT","message":{{"id":"m-1"}}}}}}]}}}}"#,
            events.join(",")
        );
        if body.len() >= 2 * 1024 {
            return body.into_bytes();
        }
        events.push(format!(r#"{{"objectType":"messages","objectId":"{i}","eventType":"UPDATED","elementKey":"hootsuite","date":"2026-11-26T10:00:00Z"}}"#));
        i += 1;
    }
}

/// The hand-written receiver: check the HMAC, parse, record the key and write the row in one
/// transaction (`ON CONFLICT DO NOTHING` skips a key seen before).
fn peer(client: &mut postgres::Client, body: &[u8], header: &str) -> Option<u64> {
    let given = base64::engine::general_purpose::STANDARD
        .decode(header.strip_prefix("sha256=")?)
        .ok()?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).ok()?;
    mac.update(body);
    mac.verify_slice(&given).ok()?;
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut fresh = 0;
    for e in v.get("message")?.get("raw")?.as_array()? {
        let key = format!("hs:12345:{}", e.get("seq_no")?.as_str()?);
        let mut tx = client.transaction().ok()?;
        let n = tx
            .execute(
                "INSERT INTO bench_peer_inbox (key) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&key],
            )
            .ok()?;
        if n == 1 {
            tx.execute("INSERT INTO bench_events (key) VALUES ($1)", &[&key])
                .ok()?;
        }
        tx.commit().ok()?;
        fresh += n;
    }
    Some(fresh)
}

/// Times `iters` deliveries, `ROUND` distinct ones at a time, emptying the tables between
/// rounds (untimed).
fn rounds(
    iters: u64,
    client: &mut postgres::Client,
    mut one: impl FnMut(&mut postgres::Client, usize),
) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0u64;
    while done < iters {
        client
            .batch_execute("TRUNCATE bench_inbox, bench_events, bench_peer_inbox")
            .expect("TRUNCATE");
        let n = (iters - done).min(ROUND as u64) as usize;
        let start = Instant::now();
        for i in 0..n {
            one(client, i);
        }
        total += start.elapsed();
        done += n as u64;
    }
    total
}

fn receiving(c: &mut Criterion) {
    let Ok(url) = std::env::var("HOOTSUITE_EVENTS_BENCH_POSTGRES") else {
        eprintln!("receiver bench: set HOOTSUITE_EVENTS_BENCH_POSTGRES=postgresql://… (bench/run.py does)");
        return;
    };
    let key = SignatureKey::new(KEY);
    let verifier = Verifier::new(key.clone());
    let bodies: Vec<(Vec<u8>, String)> = (0..ROUND)
        .map(|i| {
            let b = notification(i);
            let h = sign(&key, &b);
            (b, h)
        })
        .collect();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("postgres answers");
    let inbox = PostgresInbox::with_options("bench_inbox", 7 * 24 * 3_600_000).expect("valid");
    inbox.migrate(&mut client).expect("migrated");
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS bench_events (key text NOT NULL);
             CREATE TABLE IF NOT EXISTS bench_peer_inbox (key text PRIMARY KEY, done_at timestamptz NOT NULL DEFAULT now())",
        )
        .expect("tables");

    let mut g = c.benchmark_group("receive_postgres_2k");
    g.bench_function("ours: verify_event + PostgresInbox::process", |b| {
        b.iter_custom(|iters| {
            rounds(iters, &mut client, |client, i| {
                let (body, header) = &bodies[i];
                let n = verifier
                    .verify_event(
                        &[("Elements-Webhook-Signature", header.as_str())][..],
                        std::hint::black_box(body),
                    )
                    .expect("valid");
                let o = inbox
                    .process(client, &n, |tx, work| {
                        tx.execute(
                            "INSERT INTO bench_events (key) VALUES ($1)",
                            &[&work.unit.key],
                        )
                        .map(|_| ())
                    })
                    .expect("processed");
                assert_eq!(o.processed, 1);
            })
        })
    });
    g.bench_function(
        "peer: hmac + serde_json + INSERT ON CONFLICT in one transaction",
        |b| {
            b.iter_custom(|iters| {
                rounds(iters, &mut client, |client, i| {
                    let (body, header) = &bodies[i];
                    assert_eq!(peer(client, body, header), Some(1));
                })
            })
        },
    );
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = receiving
}
criterion_main!(benches);
