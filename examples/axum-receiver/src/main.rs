//! `cargo run -p hootsuite-events-example-axum`: receives Hootsuite events on
//! `http://127.0.0.1:8767/hootsuite/events` (try it with `hootsuite-events trigger message
//! --to http://127.0.0.1:8767/hootsuite/events --key <key>`).
//!
//! Keys come from the environment: `HOOTSUITE_EVENTS_SIGNATURE_KEY` (the current one) and,
//! during a rotation, `HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY`.

use hootsuite_events::signature::Verifier;
use hootsuite_events_example_axum::{router, Receiver};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let current = std::env::var("HOOTSUITE_EVENTS_SIGNATURE_KEY")
        .map_err(|_| "set HOOTSUITE_EVENTS_SIGNATURE_KEY to the instance's signature key")?;
    let mut keys = vec![current];
    keys.extend(std::env::var("HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY").ok());
    let verifier = Verifier::with_keys(keys)?;
    let receiver = Receiver::new(
        verifier,
        Box::new(|work| {
            // Your processing: enqueue a job, update a record. Keep it quick (Hootsuite's
            // side expects answers within seconds), idempotent work goes here.
            println!(
                "{} {:?}",
                work.unit.key,
                work.hootsuite_event.map(|e| &e.event_type)
            );
            Ok(())
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8767").await?;
    eprintln!(
        "listening on http://{}/hootsuite/events",
        listener.local_addr()?
    );
    axum::serve(listener, router(receiver)).await?;
    Ok(())
}
