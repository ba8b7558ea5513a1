//! A receiver of Hootsuite events on axum, as an application writes it, on tokio all the way:
//!
//! 1. the endpoint is `hootsuite_events_tower::ReceiveLayer` around the application's async
//!    handler of one unit of work: it takes the **raw body** (the signature covers the exact
//!    bytes) and verifies it with the current key and, during a rotation, the previous one;
//! 2. it processes each unit of work once over the async Redis store (`AsyncRedisStore`, shared
//!    by every process of the receiver): retries, replays under another `Elements-Webhook-Id`
//!    and the other parts of a split batch are acknowledged, not processed again; a failure
//!    releases the claim so that Cloud Elements' retry processes it;
//! 3. it answers the outcome's status (200, 409 while another process holds a unit, 500 after a
//!    failure): Cloud Elements retries anything but a 2xx. An event that cannot be read does
//!    not fail its batch: it is recorded once and reported (`Receiver::rejected`);
//! 4. each delivery is a span tree and metrics on OpenTelemetry (`Telemetry`): install an SDK
//!    and an exporter as OpenTelemetry's globals and pass `Telemetry::global()`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::Router;
use hootsuite_events::error::format_path;
use hootsuite_events::events::Rejected;
use hootsuite_events::idempotency::AsyncStore;
use hootsuite_events::signature::Verifier;
use hootsuite_events_tower::{handler_fn, Job, ReceiveLayer, Report, Telemetry};
use tower_layer::Layer;

/// What the application does with one unit of work: an error makes Cloud Elements retry.
pub type Handler =
    Arc<dyn Fn(Job) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// The receiver's log: the events that could not be read (a stand-in for your log).
#[derive(Debug, Default)]
pub struct Receiver {
    rejected: Mutex<Vec<Rejected>>,
}

impl Receiver {
    /// An empty log.
    pub fn new() -> Arc<Self> {
        Arc::new(Receiver::default())
    }

    /// The events that could not be read, each once.
    pub fn rejected(&self) -> Vec<Rejected> {
        self.rejected.lock().map(|r| r.clone()).unwrap_or_default()
    }

    fn report(&self, report: &Report<'_>) {
        match report {
            Report::Processed(o) => {
                for r in &o.rejected {
                    eprintln!(
                        "rejected event {} at {}: {}",
                        r.key.as_deref().unwrap_or("-"),
                        format_path(&r.path),
                        r.message
                    );
                }
                if let Ok(mut log) = self.rejected.lock() {
                    log.extend(o.rejected.iter().cloned());
                }
            }
            Report::Failed { error, .. } => eprintln!("processing failed: {error}"),
            Report::StoreFailed(e) => eprintln!("the store failed: {e}"),
            Report::Refused { status, code } => eprintln!("refused a delivery ({status}): {code}"),
            _ => {}
        }
    }
}

/// The routes: `POST /hootsuite/events`, verified with `verifier`, claimed in `store`, each
/// new unit handed to `handler`, each delivery reported to `telemetry`'s OpenTelemetry
/// providers.
pub fn router<St>(
    receiver: Arc<Receiver>,
    verifier: Verifier,
    store: St,
    handler: Handler,
    telemetry: Telemetry,
) -> Router
where
    St: AsyncStore + Send + 'static,
    St::Error: std::fmt::Display,
{
    let endpoint = ReceiveLayer::new(verifier, store)
        .telemetry(telemetry)
        .on_report(move |r| receiver.report(r))
        .layer(handler_fn(move |job| handler(job)));
    Router::new().route_service("/hootsuite/events", endpoint)
}
