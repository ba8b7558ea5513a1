//! A receiver of Hootsuite events on axum that writes each Hootsuite event into the
//! application's own PostgreSQL table through the transactional inbox
//! (`hootsuite-events-postgres`): the event's row and the record of its unit of work commit in
//! one transaction, so each event is written exactly once (retries, replays, split batches, a
//! crash mid-handler) by a plain `INSERT`: the handler need not be idempotent.
//!
//! 1. take the **raw body** (`Bytes`) and verify it with the current and the previous key;
//! 2. process the units on a blocking thread (`spawn_blocking`: rust-postgres is synchronous),
//!    each in its own transaction on one of the receiver's connections;
//! 3. answer the outcome's status (200, 409 while another transaction holds a unit, 500 after
//!    a failure, which rolled the unit back): Cloud Elements retries anything but a 2xx.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hootsuite_events::error::format_path;
use hootsuite_events::events::{Rejected, Work};
use hootsuite_events::idempotency::ProcessError;
use hootsuite_events::signature::Verifier;
use hootsuite_events_postgres::PostgresInbox;
use postgres::{Client, NoTls, Transaction};

/// The application's table: one row per Hootsuite event (no unique key needed).
pub const APP_TABLE: &str = "CREATE TABLE IF NOT EXISTS hootsuite_events_received (
    unit_key text NOT NULL,
    seq_no text,
    type text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
)";

/// What the application does with one unit, on the inbox's open transaction: an error rolls
/// the unit back and makes Cloud Elements retry.
pub type Handler = dyn Fn(&mut Transaction<'_>, Work<'_>) -> Result<(), String> + Send + Sync;

/// The default handler: the Hootsuite event as one row of [`APP_TABLE`].
pub fn write_event(tx: &mut Transaction<'_>, work: Work<'_>) -> Result<(), String> {
    let Some(event) = work.hootsuite_event else {
        // A Cloud Elements event without Hootsuite's raw payload: nothing to store here.
        return Ok(());
    };
    tx.execute(
        "INSERT INTO hootsuite_events_received (unit_key, seq_no, type) VALUES ($1, $2, $3)",
        &[&work.unit.key, &event.seq_no, &event.event_type],
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// The receiver's state: the verifier, the inbox, a few connections, the handler.
pub struct Receiver {
    verifier: Verifier,
    inbox: PostgresInbox,
    params: String,
    idle: Mutex<Vec<Client>>,
    handler: Box<Handler>,
    rejected: Mutex<Vec<Rejected>>,
}

impl Receiver {
    /// A receiver verifying with `verifier`, connecting with `params` (rust-postgres's
    /// `host=… user=… dbname=…`), handing each new unit to `handler`.
    pub fn new(verifier: Verifier, params: &str, handler: Box<Handler>) -> Arc<Self> {
        Arc::new(Receiver {
            verifier,
            inbox: PostgresInbox::new(),
            params: params.to_string(),
            idle: Mutex::new(Vec::new()),
            handler,
            rejected: Mutex::new(Vec::new()),
        })
    }

    /// Creates the inbox table and the application's (once at deploy time, like any
    /// migration).
    pub fn migrate(&self) -> Result<(), String> {
        let mut client = self.client()?;
        self.inbox.migrate(&mut client).map_err(|e| e.to_string())?;
        client.batch_execute(APP_TABLE).map_err(|e| e.to_string())
    }

    /// The events that could not be read, each once (a stand-in for your log).
    pub fn rejected(&self) -> Vec<Rejected> {
        self.rejected.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// An idle connection, or a new one (a stand-in for your pool: r2d2, deadpool).
    fn client(&self) -> Result<Client, String> {
        if let Some(c) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            if !c.is_closed() {
                return Ok(c);
            }
        }
        Client::connect(&self.params, NoTls).map_err(|e| e.to_string())
    }

    fn put_back(&self, client: Client) {
        if let Ok(mut idle) = self.idle.lock() {
            if !client.is_closed() && idle.len() < 8 {
                idle.push(client);
            }
        }
    }

    /// Verifies and processes one delivery: the status to answer and a short text.
    fn receive(&self, headers: &HeaderMap, body: &[u8]) -> (StatusCode, String) {
        let notification = match self.verifier.verify_event(headers, body) {
            Ok(n) => n,
            // A forged or mis-keyed delivery: never processed.
            Err(e) if e.code().starts_with("signature") => {
                return (StatusCode::UNAUTHORIZED, e.code().to_string())
            }
            Err(e) => return (StatusCode::BAD_REQUEST, e.code().to_string()),
        };
        let mut client = match self.client() {
            Ok(c) => c,
            Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e),
        };
        let outcome = self.inbox.process(&mut client, &notification, |tx, work| {
            (self.handler)(tx, work)
        });
        self.put_back(client);
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
                    "processed {}, skipped {}, in progress {}, rejected {}",
                    o.processed,
                    o.skipped,
                    o.in_progress,
                    o.rejected.len()
                );
                if let Ok(mut log) = self.rejected.lock() {
                    log.extend(o.rejected);
                }
                (
                    StatusCode::from_u16(o.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    answer,
                )
            }
            // The unit's transaction was rolled back: the retry processes it.
            Err(ProcessError::Failed { error, .. }) => (StatusCode::INTERNAL_SERVER_ERROR, error),
            Err(ProcessError::Store(e)) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            Err(ProcessError::Answers(e)) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    }
}

/// The routes: `POST /hootsuite/events`.
pub fn router(receiver: Arc<Receiver>) -> Router {
    Router::new()
        .route("/hootsuite/events", post(events))
        .with_state(receiver)
}

async fn events(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    // rust-postgres blocks: off the async workers.
    tokio::task::spawn_blocking(move || receiver.receive(&headers, &body))
        .await
        .unwrap_or_else(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}
