//! `cargo run -p hootsuite-events-example-axum-postgres`: receives Hootsuite events on
//! `http://127.0.0.1:8768/hootsuite/events` and writes each into the table
//! `hootsuite_events_received` of the database `DATABASE_PARAMS` names (rust-postgres's
//! `host=… user=… dbname=…`). Keys: `HOOTSUITE_EVENTS_SIGNATURE_KEY` and, during a rotation,
//! `HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY`.

use hootsuite_events::signature::Verifier;
use hootsuite_events_example_axum_postgres::{router, write_event, Receiver};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let current = std::env::var("HOOTSUITE_EVENTS_SIGNATURE_KEY")
        .map_err(|_| "set HOOTSUITE_EVENTS_SIGNATURE_KEY to the instance's signature key")?;
    let params = std::env::var("DATABASE_PARAMS")
        .map_err(|_| "set DATABASE_PARAMS, such as `host=127.0.0.1 user=app dbname=app`")?;
    let mut keys = vec![current];
    keys.extend(std::env::var("HOOTSUITE_EVENTS_PREVIOUS_SIGNATURE_KEY").ok());
    let receiver = Receiver::new(Verifier::with_keys(keys)?, &params, Box::new(write_event));
    let migrating = std::sync::Arc::clone(&receiver);
    tokio::task::spawn_blocking(move || migrating.migrate()).await??;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8768").await?;
    eprintln!(
        "listening on http://{}/hootsuite/events",
        listener.local_addr()?
    );
    axum::serve(listener, router(receiver)).await?;
    Ok(())
}
