//! `cargo run -p hootsuite-events-example-axum`: receives Hootsuite events on
//! `http://127.0.0.1:8767/hootsuite/events` (try it with `hootsuite-events trigger message
//! --to http://127.0.0.1:8767/hootsuite/events --key <key>`).
//!
//! Keys come from the environment: `HOOTSUITE_EVENTS_SIGNATURE_KEY` (the current one) and,
//! during a rotation, `HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY`; the Redis shared by every
//! process from `REDIS_URL` (default `redis://127.0.0.1:6379/`).

use std::sync::Arc;

use hootsuite_events::signature::Verifier;
use hootsuite_events_example_axum::{router, Receiver};
use hootsuite_events_redis::AsyncRedisStore;
use hootsuite_events_tower::Telemetry;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let current = std::env::var("HOOTSUITE_EVENTS_SIGNATURE_KEY")
        .map_err(|_| "set HOOTSUITE_EVENTS_SIGNATURE_KEY to the instance's signature key")?;
    let mut keys = vec![current];
    keys.extend(std::env::var("HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY").ok());
    let verifier = Verifier::with_keys(keys)?;
    let redis_url =
        std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_string());
    let store = AsyncRedisStore::connect(&redis_url).await?;
    let app = router(
        Receiver::new(),
        verifier,
        store,
        Arc::new(|job| {
            Box::pin(async move {
                // Your processing: enqueue a job, update a record. Keep it quick (Cloud
                // Elements waits for the answer) and idempotent (an upsert keyed by the unit).
                let work = job.work();
                println!(
                    "{} {:?}",
                    work.unit.key,
                    work.hootsuite_event.map(|e| &e.event_type)
                );
                Ok(())
            })
        }),
        // OpenTelemetry's global providers: no-op until the application installs an SDK
        // (opentelemetry_sdk with an OTLP exporter) before this line.
        Telemetry::global(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8767").await?;
    eprintln!(
        "listening on http://{}/hootsuite/events",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
