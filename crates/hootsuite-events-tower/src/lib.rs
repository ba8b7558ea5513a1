//! # hootsuite-events-tower
//!
//! A [tower](https://docs.rs/tower) layer that turns your handler of one unit of work into
//! the HTTP endpoint Cloud Elements delivers to: it reads the raw body, verifies it
//! ([`Verifier`]), runs [`process_async`] over an [`AsyncStore`] (the in-process
//! [`MemoryStore`](hootsuite_events::idempotency::MemoryStore), or
//! `hootsuite_events_redis::AsyncRedisStore` shared by several processes), calls your
//! service once per unit claimed now, and answers the outcome's status: 200, 409 while another
//! process holds a unit, 500 after a failure (Cloud Elements retries), 401 for a bad
//! signature, 400 for a body that is not a notification, 413 past the body limit.
//!
//! ```no_run
//! use hootsuite_events::idempotency::MemoryStore;
//! use hootsuite_events::signature::Verifier;
//! use hootsuite_events_tower::{handler_fn, Job, ReceiveLayer};
//! use tower_layer::Layer;
//!
//! let verifier = Verifier::with_keys(["<current key>", "<previous key>"])?;
//! let endpoint = ReceiveLayer::new(verifier, MemoryStore::new()).layer(handler_fn(|job: Job| async move {
//!     println!("{}", job.work().unit.key);
//!     Ok::<(), std::io::Error>(())
//! }));
//! // axum: Router::new().route_service("/hootsuite/events", endpoint)
//! # Ok::<(), hootsuite_events::Error>(())
//! ```
//!
//! Why a layer around a per-unit service rather than an axum extractor: the answer depends on
//! what the handler did with every unit, so the code that verifies must also run the loop and
//! answer; an extractor ends before the handler runs. The layer owns the whole delivery, works
//! in any tower server (axum's `route_service`, hyper through `hyper-util`), and the per-unit
//! service takes tower middleware of its own (a timeout, a concurrency limit).

use std::convert::Infallible;
use std::fmt::Display;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hootsuite_events::events::{Notification, Work};
use hootsuite_events::idempotency::{
    process_async, AsyncStore, Outcome, ProcessError, DEFAULT_LEASE_MS, STATUS_FAILED,
};
use hootsuite_events::json::DEFAULT_MAX_BODY_SIZE;
use hootsuite_events::signature::Verifier;
use http_body_util::BodyExt;
use tower_layer::Layer;
use tower_service::Service;

#[cfg(not(feature = "opentelemetry"))]
mod noop;
#[cfg(not(feature = "opentelemetry"))]
use noop::Delivery;
#[cfg(feature = "opentelemetry")]
mod otel;
#[cfg(feature = "opentelemetry")]
use otel::Delivery;
#[cfg(feature = "opentelemetry")]
pub use otel::Telemetry;

/// One unit of work of a verified notification, handed to the inner service: owned, so that
/// the service's future may hold it.
#[derive(Debug, Clone)]
pub struct Job {
    notification: Arc<Notification>,
    index: usize,
}

impl Job {
    /// The unit with the event it refers to.
    pub fn work(&self) -> Work<'_> {
        self.notification
            .work()
            .nth(self.index)
            .unwrap_or_else(|| unreachable!("a job's index is one of its notification's units"))
    }

    /// The notification the unit belongs to.
    pub fn notification(&self) -> &Notification {
        &self.notification
    }

    /// The unit's position among the notification's units.
    pub fn index(&self) -> usize {
        self.index
    }
}

/// What happened to one delivery, for your log (see [`ReceiveLayer::on_report`]).
#[non_exhaustive]
pub enum Report<'a> {
    /// The request was answered `status` without processing: a bad signature (401), a body
    /// that is not a notification (400) or one past the limit (413). `code` is the core's
    /// error code (`signature_mismatch`, `body_too_large`, ...).
    Refused {
        /// The status answered.
        status: u16,
        /// The error's stable code.
        code: &'a str,
    },
    /// Every unit was processed now or before, or another process holds one (409). List
    /// `outcome.rejected`: events of a signed batch that could not be read.
    Processed(&'a Outcome),
    /// The service failed on a unit: its claim and those after it were released (500).
    Failed {
        /// The counts so far.
        outcome: &'a Outcome,
        /// The service's error, as it displays.
        error: &'a dyn Display,
    },
    /// The store failed or broke its contract (500).
    StoreFailed(&'a dyn Display),
}

impl std::fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Report::Refused { status, code } => f
                .debug_struct("Refused")
                .field("status", status)
                .field("code", code)
                .finish(),
            Report::Processed(o) => f.debug_tuple("Processed").field(o).finish(),
            Report::Failed { outcome, error } => f
                .debug_struct("Failed")
                .field("outcome", outcome)
                .field("error", &format_args!("{error}"))
                .finish(),
            Report::StoreFailed(e) => f
                .debug_tuple("StoreFailed")
                .field(&format_args!("{e}"))
                .finish(),
        }
    }
}

type OnReport = Arc<dyn Fn(&Report<'_>) + Send + Sync>;

struct Shared<St> {
    verifier: Verifier,
    store: St,
    lease_ms: u64,
    max_body: usize,
    on_report: Option<OnReport>,
    #[cfg(feature = "opentelemetry")]
    telemetry: Option<Telemetry>,
}

/// The layer: wraps a service of [`Job`]s into an HTTP endpoint ([`Receive`]).
pub struct ReceiveLayer<St> {
    shared: Arc<Shared<St>>,
}

impl<St> Clone for ReceiveLayer<St> {
    fn clone(&self) -> Self {
        ReceiveLayer {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<St> std::fmt::Debug for ReceiveLayer<St> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiveLayer")
            .field("lease_ms", &self.shared.lease_ms)
            .field("max_body", &self.shared.max_body)
            .finish_non_exhaustive()
    }
}

impl<St> ReceiveLayer<St> {
    /// Verifies with `verifier` (give it the previous key too during a rotation), claims in
    /// `store` with [`DEFAULT_LEASE_MS`], reads bodies up to 1 MiB.
    pub fn new(verifier: Verifier, store: St) -> Self {
        ReceiveLayer {
            shared: Arc::new(Shared {
                verifier,
                store,
                lease_ms: DEFAULT_LEASE_MS,
                max_body: DEFAULT_MAX_BODY_SIZE,
                on_report: None,
                #[cfg(feature = "opentelemetry")]
                telemetry: None,
            }),
        }
    }

    fn with(self, change: impl FnOnce(&mut Shared<St>)) -> Self {
        let mut shared = match Arc::try_unwrap(self.shared) {
            Ok(shared) => shared,
            Err(_) => unreachable!("configured before it is cloned"),
        };
        change(&mut shared);
        ReceiveLayer {
            shared: Arc::new(shared),
        }
    }

    /// The claims' lease: above the slowest processing of one unit.
    pub fn lease_ms(self, lease_ms: u64) -> Self {
        self.with(|s| s.lease_ms = lease_ms)
    }

    /// The largest body read, in bytes (answered 413 past it).
    pub fn max_body(self, bytes: usize) -> Self {
        self.with(|s| s.max_body = bytes)
    }

    /// Reports each delivery to OpenTelemetry (the `opentelemetry` feature): the span tree
    /// and the metrics of [`hootsuite_events::telemetry`].
    #[cfg(feature = "opentelemetry")]
    pub fn telemetry(self, telemetry: Telemetry) -> Self {
        self.with(|s| s.telemetry = Some(telemetry))
    }

    /// Calls `f` with what happened to each delivery: log rejected events and failures there.
    pub fn on_report(self, f: impl Fn(&Report<'_>) + Send + Sync + 'static) -> Self {
        self.with(|s| s.on_report = Some(Arc::new(f)))
    }
}

impl<St, H> Layer<H> for ReceiveLayer<St> {
    type Service = Receive<St, H>;
    fn layer(&self, handler: H) -> Receive<St, H> {
        Receive {
            shared: Arc::clone(&self.shared),
            handler,
        }
    }
}

/// The endpoint: a `Service<http::Request<B>>` answering `http::Response<String>`.
pub struct Receive<St, H> {
    shared: Arc<Shared<St>>,
    handler: H,
}

impl<St, H: Clone> Clone for Receive<St, H> {
    fn clone(&self) -> Self {
        Receive {
            shared: Arc::clone(&self.shared),
            handler: self.handler.clone(),
        }
    }
}

impl<St, H> std::fmt::Debug for Receive<St, H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receive").finish_non_exhaustive()
    }
}

/// What a boxed error of a body is.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<St, H, B> Service<http::Request<B>> for Receive<St, H>
where
    St: AsyncStore + Send + 'static,
    St::Error: Display,
    H: Service<Job, Response = ()> + Clone + Send + 'static,
    H::Future: Send,
    H::Error: Display + Send,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = http::Response<String>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Each delivery clones the inner service and waits for its readiness per unit.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let shared = Arc::clone(&self.shared);
        let handler = self.handler.clone();
        Box::pin(async move { Ok(receive(&shared, handler, request).await) })
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn answer(status: u16, text: impl Into<String>) -> http::Response<String> {
    let mut response = http::Response::new(text.into());
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

async fn receive<St, H, B>(
    shared: &Shared<St>,
    handler: H,
    request: http::Request<B>,
) -> http::Response<String>
where
    St: AsyncStore,
    St::Error: Display,
    H: Service<Job, Response = ()> + Clone + Send + 'static,
    H::Future: Send,
    H::Error: Display + Send,
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    let (parts, body) = request.into_parts();
    #[cfg(feature = "opentelemetry")]
    let delivery = Delivery::start(shared.telemetry.as_ref(), &parts.headers);
    #[cfg(not(feature = "opentelemetry"))]
    let delivery = Delivery;
    let report = |r: Report<'_>| {
        if let Some(f) = &shared.on_report {
            f(&r);
        }
    };
    let refuse = |delivery: Delivery, status: u16, code: &str| {
        report(Report::Refused { status, code });
        delivery.finish(status, None, Some(code), true);
        answer(status, code)
    };
    let body = match read(body, shared.max_body).await {
        Ok(body) => body,
        Err((status, code)) => return refuse(delivery, status, code),
    };
    let verified = delivery.verify(
        || shared.verifier.verify_event(&parts.headers, &body),
        |n| n.key_index,
    );
    let notification = match verified {
        Ok(n) => Arc::new(n),
        // A forged or mis-keyed delivery is never processed.
        Err(e) => {
            let status = if e.code().starts_with("signature") {
                401
            } else {
                400
            };
            return refuse(delivery, status, e.code());
        }
    };
    delivery.verified(&notification);
    let of = Arc::clone(&notification);
    let d = &delivery;
    let outcome = process_async(
        &delivery.store(&shared.store, &notification),
        &notification,
        now_ms,
        shared.lease_ms,
        move |work| {
            let index = position(&of, work);
            let job = Job {
                index,
                notification: Arc::clone(&of),
            };
            let mut handler = handler.clone();
            d.handle(&of, index, async move {
                poll_fn(|cx| handler.poll_ready(cx)).await?;
                handler.call(job).await
            })
        },
    )
    .await;
    let (status, text, error_type) = match &outcome {
        Ok(o) => {
            report(Report::Processed(o));
            let text = format!(
                "processed {}, skipped {}, in progress {}, rejected {}",
                o.processed,
                o.skipped,
                o.in_progress,
                o.rejected.len()
            );
            (o.status, text, None)
        }
        Err(ProcessError::Failed { outcome, error }) => {
            report(Report::Failed { outcome, error });
            (STATUS_FAILED, "processing failed".into(), Some("handler"))
        }
        Err(ProcessError::Store(e)) => {
            report(Report::StoreFailed(e));
            (STATUS_FAILED, "the store failed".into(), Some("store"))
        }
        Err(ProcessError::Answers(e)) => {
            report(Report::StoreFailed(e));
            (STATUS_FAILED, "the store failed".into(), Some("store"))
        }
    };
    let counts = match &outcome {
        Ok(o) | Err(ProcessError::Failed { outcome: o, .. }) => Some(o),
        _ => None,
    };
    delivery.finish(status, counts, error_type, false);
    answer(status, text)
}

/// The position of `work`'s unit among the notification's units.
fn position(notification: &Notification, work: Work<'_>) -> usize {
    notification
        .units
        .iter()
        .position(|u| std::ptr::eq(u, work.unit))
        .unwrap_or_else(|| unreachable!("the loop hands out the notification's own units"))
}

/// The body, at most `max` bytes; else the status and code to answer.
async fn read<B>(body: B, max: usize) -> Result<Bytes, (u16, &'static str)>
where
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    match http_body_util::Limited::new(body, max).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err((413, "body_too_large")),
        Err(_) => Err((400, "body_unreadable")),
    }
}

/// A service of [`Job`]s made of an async function (tower's `service_fn` without tower).
pub fn handler_fn<F>(f: F) -> HandlerFn<F> {
    HandlerFn { f }
}

/// See [`handler_fn`].
#[derive(Clone, Copy)]
pub struct HandlerFn<F> {
    f: F,
}

impl<F> std::fmt::Debug for HandlerFn<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerFn").finish_non_exhaustive()
    }
}

impl<F, Fut, E> Service<Job> for HandlerFn<F>
where
    F: FnMut(Job) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    type Response = ();
    type Error = E;
    type Future = Fut;
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), E>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, job: Job) -> Fut {
        (self.f)(job)
    }
}
