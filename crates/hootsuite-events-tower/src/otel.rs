//! OpenTelemetry for the layer (the `opentelemetry` feature): the core's span tree and metrics
//! ([`hootsuite_events::telemetry`]) through the OpenTelemetry API crate. Providers are given,
//! not read from globals at each delivery, so that tests and applications choose them.

use std::future::Future;
use std::time::Instant;

use hootsuite_events::events::Notification;
use hootsuite_events::idempotency::{AsyncStore, Claim, Outcome};
use hootsuite_events::telemetry::{self as names, attribute, metric, Value as AttrValue};
use opentelemetry::context::FutureExt as _;
use opentelemetry::global::{BoxedSpan, BoxedTracer};
use opentelemetry::metrics::{Counter, Histogram, Meter, MeterProvider};
use opentelemetry::trace::{
    Span as _, SpanContext, SpanId, SpanKind, Status, TraceContextExt as _, TraceFlags, TraceId,
    TraceState, Tracer as _, TracerProvider,
};
use opentelemetry::{Array, Context, InstrumentationScope, KeyValue, StringValue, Value};

/// The tracer and the instruments a [`crate::ReceiveLayer`] reports to
/// ([`crate::ReceiveLayer::telemetry`]).
#[derive(Clone)]
pub struct Telemetry {
    inner: std::sync::Arc<Inner>,
}

struct Inner {
    tracer: BoxedTracer,
    deliveries: Counter<u64>,
    verification_failures: Counter<u64>,
    units_processed: Counter<u64>,
    duplicates: Counter<u64>,
    in_progress: Counter<u64>,
    handler_failures: Counter<u64>,
    lost_leases: Counter<u64>,
    handler_duration: Histogram<f64>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry").finish_non_exhaustive()
    }
}

fn scope() -> InstrumentationScope {
    InstrumentationScope::builder(names::SCOPE)
        .with_version(env!("CARGO_PKG_VERSION"))
        .build()
}

impl Telemetry {
    /// The providers installed as OpenTelemetry's globals now
    /// (`opentelemetry::global::set_tracer_provider` and `set_meter_provider`): install them
    /// first. No-op ones when none is.
    pub fn global() -> Self {
        let tracer = opentelemetry::global::tracer_with_scope(scope());
        Telemetry::with(tracer, &opentelemetry::global::meter_with_scope(scope()))
    }

    /// Spans from `tracers`, metrics from `meters`.
    pub fn new<T, M>(tracers: &T, meters: &M) -> Self
    where
        T: TracerProvider,
        T::Tracer: Send + Sync + 'static,
        <T::Tracer as opentelemetry::trace::Tracer>::Span: Send + Sync + 'static,
        M: MeterProvider,
    {
        let tracer = BoxedTracer::new(Box::new(tracers.tracer_with_scope(scope())));
        Telemetry::with(tracer, &meters.meter_with_scope(scope()))
    }

    fn with(tracer: BoxedTracer, meter: &Meter) -> Self {
        let counter = |id: &str| {
            let m = metric(id);
            meter
                .u64_counter(m.name)
                .with_unit(m.unit)
                .with_description(m.description)
                .build()
        };
        let duration = metric("handler_duration");
        Telemetry {
            inner: std::sync::Arc::new(Inner {
                tracer,
                deliveries: counter("deliveries"),
                verification_failures: counter("verification_failures"),
                units_processed: counter("units_processed"),
                duplicates: counter("duplicates"),
                in_progress: counter("in_progress"),
                handler_failures: counter("handler_failures"),
                lost_leases: counter("lost_leases"),
                handler_duration: meter
                    .f64_histogram(duration.name)
                    .with_unit(duration.unit)
                    .with_description(duration.description)
                    .with_boundaries(names::DURATION_BOUNDARIES.to_vec())
                    .build(),
            }),
        }
    }
}

fn value(v: AttrValue) -> Value {
    match v {
        AttrValue::Int(n) => Value::I64(n),
        AttrValue::Str(s) => Value::String(s.into()),
        AttrValue::List(items) => Value::Array(Array::String(
            items.into_iter().map(StringValue::from).collect(),
        )),
    }
}

fn key_values(pairs: Vec<(&'static str, AttrValue)>) -> Vec<KeyValue> {
    pairs
        .into_iter()
        .map(|(k, v)| KeyValue::new(k, value(v)))
        .collect()
}

fn int(id: &str, n: usize) -> KeyValue {
    KeyValue::new(attribute(id), i64::try_from(n).unwrap_or(i64::MAX))
}

/// The parent of a delivery's span: the active span when the server's own instrumentation
/// made one (it continued the caller's trace already), else the `traceparent` header's
/// remote span, else none.
fn parent(headers: &http::HeaderMap) -> Context {
    let current = Context::current();
    if current.has_active_span() {
        return current;
    }
    let remote = headers
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(names::parse_traceparent);
    match remote {
        Some(p) => current.with_remote_span_context(SpanContext::new(
            TraceId::from_bytes(p.trace_id),
            SpanId::from_bytes(p.span_id),
            TraceFlags::new(p.flags),
            true,
            TraceState::default(),
        )),
        None => current,
    }
}

/// One delivery's span and what it reports; every method is a no-op without telemetry.
pub(crate) struct Delivery {
    telemetry: Option<Telemetry>,
    cx: Context,
}

impl Delivery {
    pub(crate) fn start(telemetry: Option<&Telemetry>, headers: &http::HeaderMap) -> Self {
        let Some(t) = telemetry else {
            return Delivery {
                telemetry: None,
                cx: Context::new(),
            };
        };
        let parent = parent(headers);
        let span = t
            .inner
            .tracer
            .span_builder(names::span("delivery"))
            .with_kind(SpanKind::Consumer)
            .start_with_context(&t.inner.tracer, &parent);
        Delivery {
            cx: parent.with_span(span),
            telemetry: Some(t.clone()),
        }
    }

    fn child(&self, t: &Telemetry, id: &str, attributes: Vec<KeyValue>) -> BoxedSpan {
        t.inner
            .tracer
            .span_builder(names::span(id))
            .with_kind(SpanKind::Internal)
            .with_attributes(attributes)
            .start_with_context(&t.inner.tracer, &self.cx)
    }

    /// Runs the verification in its span.
    pub(crate) fn verify<T>(
        &self,
        f: impl FnOnce() -> Result<T, hootsuite_events::Error>,
        key_index: impl Fn(&T) -> Option<usize>,
    ) -> Result<T, hootsuite_events::Error> {
        let Some(t) = &self.telemetry else {
            return f();
        };
        let mut span = self.child(t, "verify", Vec::new());
        let result = f();
        match &result {
            Ok(v) => {
                if let Some(i) = key_index(v) {
                    span.set_attribute(int("key_index", i));
                }
            }
            Err(e) => {
                span.set_attribute(KeyValue::new(attribute("error_type"), e.code().to_string()));
                span.set_status(Status::error(e.code().to_string()));
            }
        }
        span.end();
        result
    }

    /// The verified notification's attributes on the delivery span.
    pub(crate) fn verified(&self, n: &Notification) {
        if self.telemetry.is_some() {
            self.cx
                .span()
                .set_attributes(key_values(names::delivery_attributes(n)));
        }
    }

    /// `store` with a span around each of its calls.
    pub(crate) fn store<'a, St: AsyncStore>(
        &'a self,
        store: &'a St,
        notification: &'a Notification,
    ) -> Observed<'a, St> {
        Observed {
            delivery: self,
            store,
            notification,
        }
    }

    /// The handler's future on one unit, in its span, timed.
    pub(crate) fn handle<F, E>(
        &self,
        notification: &Notification,
        index: usize,
        handler: F,
    ) -> impl Future<Output = Result<(), E>> + Send + use<F, E>
    where
        F: Future<Output = Result<(), E>> + Send,
    {
        let observed = self.telemetry.clone().map(|t| {
            let attributes = key_values(names::unit_attributes(notification, index));
            let kind = notification
                .units
                .get(index)
                .map_or("notification", |u| names::unit_kind(u.kind));
            let span = self.child(&t, "handle", attributes);
            (t, self.cx.with_span(span), kind)
        });
        async move {
            let Some((t, cx, kind)) = observed else {
                return handler.await;
            };
            let started = Instant::now();
            let result = handler.with_context(cx.clone()).await;
            let seconds = started.elapsed().as_secs_f64();
            let span = cx.span();
            let kind_kv = KeyValue::new(attribute("unit_kind"), kind);
            let outcome = match &result {
                Ok(()) => {
                    t.inner
                        .units_processed
                        .add(1, std::slice::from_ref(&kind_kv));
                    "processed"
                }
                Err(_) => {
                    t.inner
                        .handler_failures
                        .add(1, std::slice::from_ref(&kind_kv));
                    span.set_attribute(KeyValue::new(attribute("error_type"), "handler"));
                    span.set_status(Status::error("handler"));
                    "failed"
                }
            };
            let outcome_kv = KeyValue::new(attribute("outcome"), outcome);
            t.inner
                .handler_duration
                .record(seconds, &[kind_kv, outcome_kv.clone()]);
            span.set_attribute(outcome_kv);
            span.end();
            result
        }
    }

    /// The answer: the delivery span's outcome and the delivery metrics. `refused` is the
    /// error code of a request that was not processed.
    pub(crate) fn finish(
        self,
        status: u16,
        outcome: Option<&Outcome>,
        error_type: Option<&str>,
        refused: bool,
    ) {
        let Some(t) = &self.telemetry else {
            return;
        };
        let span = self.cx.span();
        let delivery_outcome = names::delivery_outcome(status);
        let status_kv = KeyValue::new(attribute("status_code"), i64::from(status));
        let outcome_kv = KeyValue::new(attribute("outcome"), delivery_outcome);
        if let Some(o) = outcome {
            span.set_attributes([
                int("processed", o.processed),
                int("skipped", o.skipped),
                int("in_progress", o.in_progress),
                int("failed", o.failed),
                int("lost_leases", o.lost_leases),
                int("rejected", o.rejected.len()),
            ]);
            let add = |c: &Counter<u64>, n: usize| {
                if n > 0 {
                    c.add(u64::try_from(n).unwrap_or(u64::MAX), &[]);
                }
            };
            add(&t.inner.duplicates, o.skipped);
            add(&t.inner.in_progress, o.in_progress);
            add(&t.inner.lost_leases, o.lost_leases);
        }
        if let Some(e) = error_type {
            span.set_attribute(KeyValue::new(attribute("error_type"), e.to_string()));
            if refused {
                t.inner
                    .verification_failures
                    .add(1, &[KeyValue::new(attribute("error_type"), e.to_string())]);
            }
        }
        if delivery_outcome == "failed" || refused {
            span.set_status(Status::error(delivery_outcome));
        }
        t.inner
            .deliveries
            .add(1, &[outcome_kv.clone(), status_kv.clone()]);
        span.set_attributes([outcome_kv, status_kv]);
        span.end();
    }
}

/// A store whose calls are spans under the delivery's.
pub(crate) struct Observed<'a, St> {
    delivery: &'a Delivery,
    store: &'a St,
    notification: &'a Notification,
}

impl<St: AsyncStore> AsyncStore for Observed<'_, St> {
    type Error = St::Error;

    async fn claim_all(
        &self,
        keys: &[&str],
        lease_ms: u64,
        now_ms: u64,
    ) -> Result<Vec<Claim>, St::Error> {
        let Some(t) = &self.delivery.telemetry else {
            return self.store.claim_all(keys, lease_ms, now_ms).await;
        };
        let mut span = self.delivery.child(
            t,
            "claim",
            key_values(names::claim_attributes(self.notification)),
        );
        let answers = self.store.claim_all(keys, lease_ms, now_ms).await;
        match &answers {
            Ok(a) => {
                let count = |f: fn(&Claim) -> bool| a.iter().filter(|c| f(c)).count();
                span.set_attributes([
                    int("claimed", count(|c| matches!(c, Claim::Claimed { .. }))),
                    int("skipped", count(|c| *c == Claim::Done)),
                    int("in_progress", count(|c| *c == Claim::InProgress)),
                ]);
            }
            Err(_) => {
                span.set_attribute(KeyValue::new(attribute("error_type"), "store"));
                span.set_status(Status::error("store"));
            }
        }
        span.end();
        answers
    }

    async fn settle(
        &self,
        complete: &[(&str, &str)],
        release: &[(&str, &str)],
        now_ms: u64,
    ) -> Result<Vec<bool>, St::Error> {
        let Some(t) = &self.delivery.telemetry else {
            return self.store.settle(complete, release, now_ms).await;
        };
        let mut span = self.delivery.child(
            t,
            "settle",
            vec![
                int("completed", complete.len()),
                int("released", release.len()),
            ],
        );
        let changed = self.store.settle(complete, release, now_ms).await;
        match &changed {
            Ok(c) => {
                // A completion that changed nothing lost its lease to a takeover.
                let lost = c.iter().take(complete.len()).filter(|c| !**c).count();
                span.set_attribute(int("lost_leases", lost));
            }
            Err(_) => {
                span.set_attribute(KeyValue::new(attribute("error_type"), "store"));
                span.set_status(Status::error("store"));
            }
        }
        span.end();
        changed
    }
}
