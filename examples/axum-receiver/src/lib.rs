//! A receiver of Hootsuite events on axum, as an application writes it:
//!
//! 1. take the **raw body** (`Bytes`): the signature covers the exact bytes;
//! 2. verify it with the current key and, during a rotation, the previous one;
//! 3. process each unit of work once (`idempotency::process`): retries, replays under another
//!    `Elements-Webhook-Id` and the other parts of a split batch are acknowledged, not processed
//!    again; a failure releases the claim so that Cloud Elements' retry processes it;
//! 4. answer the outcome's status (200, 409 while another process holds a unit, 500 after a
//!    failure): Cloud Elements retries anything but a 2xx. An event that cannot be read does
//!    not fail its batch (a refused batch is retried until Cloud Elements switches the
//!    subscription off): `process` records it once and lists it in `Outcome::rejected`.
//!
//! The store here is the in-process `MemoryStore`; several processes share one store instead.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hootsuite_events::error::format_path;
use hootsuite_events::events::{Rejected, Work};
use hootsuite_events::idempotency::{self, MemoryStore, ProcessError, DEFAULT_LEASE_MS};
use hootsuite_events::signature::Verifier;

/// What the application does with one unit of work: an error makes Cloud Elements retry.
pub type Handler = dyn Fn(Work<'_>) -> Result<(), String> + Send + Sync;

/// The receiver's state: the verifier, the store of claims, and the application's handler.
pub struct Receiver {
    verifier: Verifier,
    store: MemoryStore,
    handler: Box<Handler>,
    rejected: Mutex<Vec<Rejected>>,
}

impl Receiver {
    /// A receiver verifying with `verifier` and handing each new unit to `handler`.
    pub fn new(verifier: Verifier, handler: Box<Handler>) -> Arc<Self> {
        Arc::new(Receiver {
            verifier,
            store: MemoryStore::new(),
            handler,
            rejected: Mutex::new(Vec::new()),
        })
    }

    /// The events that could not be read, each once (a stand-in for your log).
    pub fn rejected(&self) -> Vec<Rejected> {
        self.rejected.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// The routes: `POST /hootsuite/events`.
pub fn router(receiver: Arc<Receiver>) -> Router {
    Router::new()
        .route("/hootsuite/events", post(events))
        .with_state(receiver)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

async fn events(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let notification = match receiver.verifier.verify_event(&headers, &body) {
        Ok(n) => n,
        // A forged or mis-keyed delivery: never processed.
        Err(e) if e.code().starts_with("signature") => {
            return (StatusCode::UNAUTHORIZED, e.code().to_string())
        }
        Err(e) => return (StatusCode::BAD_REQUEST, e.code().to_string()),
    };
    let outcome = idempotency::process(
        &receiver.store,
        &notification,
        now_ms,
        DEFAULT_LEASE_MS,
        |work| (receiver.handler)(work),
    );
    match outcome {
        Ok(o) => {
            for r in &o.rejected {
                eprintln!(
                    "rejected event {} at {}: {}",
                    r.key.as_deref().unwrap_or("-"),
                    format_path(&r.path),
                    r.message
                );
            }
            let answer = format!(
                "processed {}, skipped {}, rejected {}",
                o.processed,
                o.skipped,
                o.rejected.len()
            );
            if let Ok(mut log) = receiver.rejected.lock() {
                log.extend(o.rejected);
            }
            (
                StatusCode::from_u16(o.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                answer,
            )
        }
        Err(ProcessError::Failed { error, .. }) => (StatusCode::INTERNAL_SERVER_ERROR, error),
        // The in-memory store fails only for a lease outside the range rule.
        Err(ProcessError::Store(e) | ProcessError::Answers(e)) => {
            (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        }
    }
}
