//! The receiver through the tower layer on a 2 KB notification, without and with OpenTelemetry
//! (the SDK with exporters that drop what they get: the cost of making the spans and the
//! measures), on the MemoryStore and, with `HOOTSUITE_EVENTS_BENCH_REDIS` (a redis:// URL, as
//! `bench/run.py` sets it), on `AsyncRedisStore`; beside the sync `process` on the MemoryStore,
//! today's receiver row, in the same run.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use hootsuite_events::idempotency::{
    process, AsyncStore, MemoryStore, DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS,
};
use hootsuite_events::signature::{sign, SignatureKey, Verifier};
use hootsuite_events_tower::{handler_fn, Job, ReceiveLayer, Telemetry};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use tower_layer::Layer;
use tower_service::Service;

const KEY: &str = "MySecretEventSignatureKey";
/// Distinct deliveries per round: each is claimed once, then the store starts afresh.
const ROUND: usize = 2048;

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

/// Spans go nowhere.
#[derive(Debug)]
struct Dropped;

impl SpanExporter for Dropped {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

/// Providers whose exporters drop everything (metrics are read once a minute, never here).
fn providers() -> (SdkTracerProvider, SdkMeterProvider) {
    let tracers = SdkTracerProvider::builder()
        .with_batch_exporter(Dropped)
        .build();
    let reader = PeriodicReader::builder(InMemoryMetricExporter::default())
        .with_interval(Duration::from_secs(3600))
        .build();
    (
        tracers,
        SdkMeterProvider::builder().with_reader(reader).build(),
    )
}

type Endpoint<St> = hootsuite_events_tower::Receive<
    St,
    hootsuite_events_tower::HandlerFn<fn(Job) -> std::future::Ready<Result<(), Infallible>>>,
>;

fn handled(_job: Job) -> std::future::Ready<Result<(), Infallible>> {
    std::future::ready(Ok(()))
}

fn endpoint<St>(store: St, telemetry: Option<Telemetry>) -> Endpoint<St> {
    let layer = ReceiveLayer::new(Verifier::new(SignatureKey::new(KEY)), store);
    let layer = match telemetry {
        Some(t) => layer.telemetry(t),
        None => layer,
    };
    layer.layer(handler_fn(handled as fn(Job) -> _))
}

/// Times `iters` deliveries through the endpoint `make` gives, `ROUND` distinct ones per
/// endpoint, `reset` (untimed) before each round.
fn rounds<St>(
    runtime: &tokio::runtime::Runtime,
    bodies: &[(Bytes, String)],
    iters: u64,
    mut make: impl FnMut() -> Endpoint<St>,
) -> Duration
where
    St: AsyncStore + Send + 'static,
    St::Error: std::fmt::Display,
{
    let mut total = Duration::ZERO;
    let mut done = 0u64;
    while done < iters {
        let mut endpoint = make();
        let n = (iters - done).min(ROUND as u64) as usize;
        let start = Instant::now();
        runtime.block_on(async {
            for (body, header) in &bodies[..n] {
                let request = http::Request::post("/events")
                    .header("Elements-Webhook-Signature", header.as_str())
                    .body(http_body_util::Full::new(body.clone()))
                    .expect("request");
                let response = endpoint.call(request).await.expect("infallible");
                assert_eq!(response.status(), 200);
            }
        });
        total += start.elapsed();
        done += n as u64;
    }
    total
}

fn receiving(c: &mut Criterion) {
    let key = SignatureKey::new(KEY);
    let bodies: Vec<(Bytes, String)> = (0..ROUND)
        .map(|i| {
            let b = notification(i);
            let h = sign(&key, &b);
            (Bytes::from(b), h)
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (tracers, meters) = providers();
    let memory = || MemoryStore::with_limits(ROUND, DEFAULT_RETENTION_MS).expect("limits");

    let mut g = c.benchmark_group("receive_tower_2k");
    let verifier = Verifier::new(key.clone());
    g.bench_function("sync process (MemoryStore)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0u64;
            while done < iters {
                let store = memory();
                let n = (iters - done).min(ROUND as u64) as usize;
                let start = Instant::now();
                for (body, header) in &bodies[..n] {
                    let v = verifier
                        .verify_event(
                            &[("Elements-Webhook-Signature", header.as_str())][..],
                            black_box(body),
                        )
                        .expect("valid");
                    let o = process(&store, &v, || 1, DEFAULT_LEASE_MS, |_| Ok::<(), ()>(()))
                        .expect("processed");
                    assert_eq!(o.processed, 1);
                }
                total += start.elapsed();
                done += n as u64;
            }
            total
        })
    });
    g.bench_function("tower (MemoryStore)", |b| {
        b.iter_custom(|iters| rounds(&runtime, &bodies, iters, || endpoint(memory(), None)))
    });
    g.bench_function(
        "tower + OpenTelemetry, no-op exporters (MemoryStore)",
        |b| {
            b.iter_custom(|iters| {
                rounds(&runtime, &bodies, iters, || {
                    endpoint(memory(), Some(Telemetry::new(&tracers, &meters)))
                })
            })
        },
    );
    if let Ok(url) = std::env::var("HOOTSUITE_EVENTS_BENCH_REDIS") {
        let client = redis::Client::open(url.as_str()).expect("a redis:// URL");
        let mut admin = client.get_connection().expect("redis-server answers");
        let store = runtime.block_on(async {
            hootsuite_events_redis::AsyncRedisStore::connect(&url)
                .await
                .expect("connects")
        });
        let mut flushed = || {
            let _: () = redis::cmd("FLUSHDB").query(&mut admin).expect("FLUSHDB");
        };
        g.bench_function("tower (AsyncRedisStore)", |b| {
            b.iter_custom(|iters| {
                rounds(&runtime, &bodies, iters, || {
                    flushed();
                    endpoint(store.clone(), None)
                })
            })
        });
        g.bench_function(
            "tower + OpenTelemetry, no-op exporters (AsyncRedisStore)",
            |b| {
                b.iter_custom(|iters| {
                    rounds(&runtime, &bodies, iters, || {
                        flushed();
                        endpoint(store.clone(), Some(Telemetry::new(&tracers, &meters)))
                    })
                })
            },
        );
    } else {
        eprintln!("receiver bench: set HOOTSUITE_EVENTS_BENCH_REDIS=redis://127.0.0.1:PORT/ for the Redis rows");
    }
    g.finish();
}

criterion_group!(benches, receiving);
criterion_main!(benches);
