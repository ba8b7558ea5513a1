//! The receiver's OpenTelemetry spans and metrics, in the SDK's in-memory exporters, for the
//! emulator's real deliveries: a split batch and its replays, a failure and its retry, a key
//! rotation, a poisoned batch, a refused delivery and a continued `traceparent`.

use std::collections::HashMap;

use hootsuite_events::redact::is_secret_name;
use hootsuite_events::telemetry::{attribute, metric, span};
use opentelemetry::trace::{SpanId, Status};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};

use super::*;

/// The providers of one test and their exporters.
struct Exported {
    spans: InMemorySpanExporter,
    metrics: InMemoryMetricExporter,
    tracers: SdkTracerProvider,
    meters: SdkMeterProvider,
}

impl Exported {
    fn new() -> Self {
        let spans = InMemorySpanExporter::default();
        let metrics = InMemoryMetricExporter::default();
        let tracers = SdkTracerProvider::builder()
            .with_simple_exporter(spans.clone())
            .build();
        let meters = SdkMeterProvider::builder()
            .with_reader(PeriodicReader::builder(metrics.clone()).build())
            .build();
        Exported {
            spans,
            metrics,
            tracers,
            meters,
        }
    }

    fn telemetry(&self) -> Telemetry {
        Telemetry::new(&self.tracers, &self.meters)
    }

    fn spans(&self) -> Vec<SpanData> {
        self.spans.get_finished_spans().expect("spans")
    }

    /// Every data point of the metric `id` now: its attributes and value (histograms: count).
    fn points(&self, id: &str) -> Vec<(Vec<KeyValue>, f64)> {
        self.metrics.reset();
        self.meters.force_flush().expect("flushed");
        let exported = self.metrics.get_finished_metrics().expect("metrics");
        let Some(last) = exported.last() else {
            return Vec::new();
        };
        let name = metric(id).name;
        let mut points = Vec::new();
        for scope in last.scope_metrics() {
            for m in scope.metrics().filter(|m| m.name() == name) {
                match m.data() {
                    AggregatedMetrics::U64(MetricData::Sum(sum)) => {
                        for p in sum.data_points() {
                            points.push((p.attributes().cloned().collect(), p.value() as f64));
                        }
                    }
                    AggregatedMetrics::F64(MetricData::Histogram(h)) => {
                        for p in h.data_points() {
                            points.push((p.attributes().cloned().collect(), p.count() as f64));
                        }
                    }
                    _ => panic!("{name}: an unexpected kind of data"),
                }
            }
        }
        points
    }

    /// The metric `id`'s total over its data points.
    fn total(&self, id: &str) -> f64 {
        self.points(id).iter().map(|(_, v)| v).sum()
    }
}

fn attr<'a>(span: &'a SpanData, id: &str) -> Option<&'a Value> {
    let key = attribute(id);
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

fn int(span: &SpanData, id: &str) -> Option<i64> {
    match attr(span, id) {
        Some(Value::I64(n)) => Some(*n),
        _ => None,
    }
}

fn text(span: &SpanData, id: &str) -> Option<String> {
    attr(span, id).map(|v| v.as_str().into_owned())
}

/// The delivery spans, each with its children in start order.
fn deliveries(spans: &[SpanData]) -> Vec<(&SpanData, Vec<&SpanData>)> {
    let mut children: HashMap<SpanId, Vec<&SpanData>> = HashMap::new();
    for s in spans {
        children.entry(s.parent_span_id).or_default().push(s);
    }
    let mut out: Vec<_> = spans
        .iter()
        .filter(|s| s.name == span("delivery"))
        .map(|d| {
            let mut c = children
                .remove(&d.span_context.span_id())
                .unwrap_or_default();
            c.sort_by_key(|s| s.start_time);
            (d, c)
        })
        .collect();
    out.sort_by_key(|(d, _)| d.start_time);
    out
}

/// The tree of one delivery, as the report shows it.
fn tree(delivery: &SpanData, children: &[&SpanData]) -> String {
    let show = |s: &SpanData| {
        let mut attrs: Vec<String> = s
            .attributes
            .iter()
            .map(|kv| format!("{}={}", kv.key, kv.value))
            .collect();
        attrs.sort();
        format!("{} [{}]", s.name, attrs.join(", "))
    };
    let mut out = show(delivery);
    for (i, c) in children.iter().enumerate() {
        let branch = if i + 1 == children.len() {
            "└──"
        } else {
            "├──"
        };
        out.push_str(&format!("\n{branch} {}", show(c)));
    }
    out
}

fn names(children: &[&SpanData]) -> Vec<String> {
    children
        .iter()
        .map(|s| s.name.trim_start_matches("hootsuite_events.").to_string())
        .collect()
}

/// No attribute key is a secret name (the core's redaction rule) and no value holds a key,
/// a signature or the body's data.
fn no_secret(spans: &[SpanData], secrets: &[&str]) {
    for s in spans {
        for kv in &s.attributes {
            assert!(!is_secret_name(kv.key.as_str()), "{}: {}", s.name, kv.key);
            let v = kv.value.as_str();
            for secret in secrets {
                assert!(!v.contains(secret), "{}: {} holds {secret}", s.name, kv.key);
            }
            assert!(
                !v.contains("sha256="),
                "{}: {} holds a signature",
                s.name,
                kv.key
            );
        }
    }
}

#[test]
fn a_split_batch_its_replays_and_a_poisoned_batch_in_spans_and_metrics() {
    let exported = Exported::new();
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let rx = start_with(&["k-split-secret"], exported.telemetry());
    let id = instance(&emu, &c, "k-split-secret", &rx.url);
    let sample = format!("/emulator/instances/{id}/sample-event?type=message&count=45");
    assert_eq!(post(&emu, &sample, json!(null)), 200);
    wait_until("45 units", || {
        rx.processed.lock().expect("lock").len() == 45
    });
    for webhook_id in ["a", "b", "a"] {
        wait_until("a replay accepted", || {
            post(&emu, "/emulator/replay", json!({"webhook_id": webhook_id})) == 200
        });
    }
    wait_until("six deliveries", || rx.hits.load(Ordering::SeqCst) == 6);
    wait_until("six delivery spans", || {
        deliveries(&exported.spans()).len() == 6
    });
    let spans = exported.spans();
    let all = deliveries(&spans);
    let (first, children) = &all[0];
    let mut expected = vec!["verify".to_string(), "claim".into()];
    expected.extend(std::iter::repeat_n("handle".to_string(), 45));
    expected.push("settle".into());
    assert_eq!(names(children), expected);
    for c in children {
        assert_eq!(c.span_context.trace_id(), first.span_context.trace_id());
    }
    assert_eq!(int(first, "instance_id"), Some(id as i64));
    assert_eq!(int(first, "unit_count"), Some(45));
    assert_eq!(int(first, "key_index"), Some(0));
    assert_eq!(int(first, "processed"), Some(45));
    assert_eq!(int(first, "status_code"), Some(200));
    assert_eq!(text(first, "outcome").as_deref(), Some("processed"));
    assert!(matches!(attr(first, "seq_nos"), Some(Value::Array(_))));
    let handle = children[2];
    assert_eq!(
        text(handle, "unit_key"),
        Some(format!(
            "hs:{id}:{}",
            text(handle, "seq_no").expect("seq_no")
        ))
    );
    assert_eq!(text(handle, "outcome").as_deref(), Some("processed"));
    assert_eq!(int(children[1], "claimed"), Some(45));
    assert_eq!(int(children[47], "completed"), Some(45));
    assert_eq!(int(children[47], "lost_leases"), Some(0));
    // The two other parts and the three replays: claimed, all skipped, nothing handled.
    for (d, c) in &all[1..] {
        assert_eq!(names(c), ["verify", "claim"], "{}", tree(d, c));
        assert_eq!(
            (int(d, "skipped"), int(d, "processed")),
            (Some(45), Some(0))
        );
        assert_eq!(int(c[1], "skipped"), Some(45));
    }
    println!("span tree of the first part of a 45-event split batch (45 handle spans, 2 shown):");
    let mut shown: Vec<&SpanData> = children[..4].to_vec();
    shown.push(children[47]);
    println!("{}", tree(first, &shown));
    println!("span tree of a replay:\n{}", tree(all[3].0, &all[3].1));

    // A poisoned batch: the readable event processed, the other recorded as rejected.
    let base = BaseUrl::parse(&emu.base_url()).expect("base");
    let webhook = hootsuite_events::instance::hootsuite_webhook_url(&base, id);
    let path = webhook
        .strip_prefix(&emu.base_url())
        .expect("the emulator's");
    let batch = json!([
        {"seq_no": "9001", "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT", "message": {"id": "m-1"}}},
        {"seq_no": "9002", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5, "accessToken": "DATA-SECRET"}},
    ]);
    assert_eq!(post(&emu, path, batch), 200);
    wait_until("the poisoned batch", || {
        deliveries(&exported.spans()).len() == 7
    });
    let spans = exported.spans();
    let all = deliveries(&spans);
    let (poisoned, children) = &all[6];
    assert_eq!(names(children), ["verify", "claim", "handle", "settle"]);
    assert_eq!(
        (int(poisoned, "processed"), int(poisoned, "rejected")),
        (Some(1), Some(1))
    );

    assert_eq!(exported.total("deliveries"), 7.0);
    assert_eq!(exported.total("units_processed"), 46.0);
    assert_eq!(
        exported.total("duplicates"),
        225.0,
        "5 deliveries × 45 units"
    );
    assert_eq!(
        exported.total("handler_duration"),
        46.0,
        "one measure per handler"
    );
    assert_eq!(exported.total("handler_failures"), 0.0);
    let points = exported.points("deliveries");
    assert_eq!(points.len(), 1, "{points:?}");
    assert!(points[0]
        .0
        .contains(&KeyValue::new(attribute("outcome"), "processed")));
    no_secret(&spans, &["k-split-secret", "DATA-SECRET", "m-1", "SENT"]);
}

#[test]
fn a_failure_its_retry_and_a_rotation_in_spans_and_metrics() {
    let exported = Exported::new();
    // Retries 80 ms, 320 ms, ... after the first attempt: time to rotate the key in between.
    let emu = emulator(Duration::from_millis(20));
    let c = client(&emu);
    let rx = start_with(&["new-secret-key", "old-secret-key"], exported.telemetry());
    rx.fail.store(1, Ordering::SeqCst);
    let id = instance(&emu, &c, "old-secret-key", &rx.url);
    let sample = |kind: &str| {
        let path = format!("/emulator/instances/{id}/sample-event?type={kind}");
        assert_eq!(post(&emu, &path, json!(null)), 200);
    };
    sample("message");
    wait_until("the failed first attempt", || {
        rx.fail.load(Ordering::SeqCst) == 0
    });
    c.set_signature_key(id, &Secret::new("new-secret-key"))
        .expect("rotated");
    wait_until("the retry", || {
        rx.processed.lock().expect("lock").len() == 1
    });
    sample("app");
    wait_until("an event signed with the new key", || {
        rx.processed.lock().expect("lock").len() == 2
    });
    wait_until("three delivery spans", || {
        deliveries(&exported.spans()).len() == 3
    });
    let spans = exported.spans();
    let all = deliveries(&spans);
    let (failed, children) = &all[0];
    assert_eq!(names(children), ["verify", "claim", "handle", "settle"]);
    for c in children {
        assert_eq!(c.parent_span_id, failed.span_context.span_id());
    }
    assert_eq!(int(failed, "status_code"), Some(500));
    assert_eq!(text(failed, "outcome").as_deref(), Some("failed"));
    assert_eq!(text(failed, "error_type").as_deref(), Some("handler"));
    assert!(matches!(failed.status, Status::Error { .. }));
    assert_eq!(text(children[2], "outcome").as_deref(), Some("failed"));
    assert_eq!(int(children[3], "released"), Some(1));
    assert_eq!(
        int(failed, "key_index"),
        Some(1),
        "signed with the previous key"
    );
    let (retry, children) = &all[1];
    assert_eq!(
        int(retry, "key_index"),
        Some(1),
        "the retry keeps the old signature"
    );
    assert_eq!(int(children[0], "key_index"), Some(1));
    assert_eq!(text(retry, "outcome").as_deref(), Some("processed"));
    assert_eq!(
        int(all[2].0, "key_index"),
        Some(0),
        "signed with the new key"
    );
    println!(
        "span tree of a failed delivery:\n{}",
        tree(failed, &all[0].1)
    );
    assert_eq!(exported.total("handler_failures"), 1.0);
    assert_eq!(exported.total("units_processed"), 2.0);
    assert_eq!(exported.total("handler_duration"), 3.0);
    let by_status: Vec<_> = exported
        .points("deliveries")
        .into_iter()
        .map(|(a, v)| {
            (
                a.iter()
                    .find(|kv| kv.key.as_str() == attribute("status_code"))
                    .map(|kv| kv.value.clone()),
                v,
            )
        })
        .collect();
    assert!(
        by_status.contains(&(Some(Value::I64(500)), 1.0)),
        "{by_status:?}"
    );
    assert!(
        by_status.contains(&(Some(Value::I64(200)), 2.0)),
        "{by_status:?}"
    );
    no_secret(&spans, &["new-secret-key", "old-secret-key"]);
}

#[test]
fn a_refused_delivery_is_counted_by_reason_and_a_traceparent_is_continued() {
    let exported = Exported::new();
    let rx = start_with(&["k-trace-secret"], exported.telemetry());
    let body = br#"{"message": {"instanceId": 77, "raw": [{"seq_no": "1", "type": "t"}]}}"#;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let signed = hootsuite_events::signature::sign(
        &hootsuite_events::signature::SignatureKey::new("k-trace-secret"),
        body,
    );
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let answer = agent
        .post(&rx.url)
        .header("Elements-Webhook-Signature", &signed)
        .header("traceparent", traceparent)
        .send(&body[..])
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 200);
    let forged = agent
        .post(&rx.url)
        .header("Elements-Webhook-Signature", "sha256=AAAA")
        .send(&body[..])
        .expect("answered");
    assert_eq!(forged.status().as_u16(), 401);
    wait_until("two delivery spans", || {
        deliveries(&exported.spans()).len() == 2
    });
    let spans = exported.spans();
    let all = deliveries(&spans);
    let (continued, _) = &all[0];
    assert_eq!(
        continued.span_context.trace_id().to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(continued.parent_span_id.to_string(), "00f067aa0ba902b7");
    assert!(continued.parent_span_is_remote);
    let (refused, children) = &all[1];
    assert_eq!(names(children), ["verify"]);
    assert_eq!(text(refused, "outcome").as_deref(), Some("refused"));
    let reason = text(children[0], "error_type").expect("a reason");
    assert!(reason.starts_with("signature"), "{reason}");
    let failures = exported.points("verification_failures");
    assert_eq!(failures.len(), 1);
    assert_eq!(
        failures[0].0,
        [KeyValue::new(attribute("error_type"), reason)]
    );
    assert_eq!(failures[0].1, 1.0);
    no_secret(&spans, &["k-trace-secret", "AAAA"]);
}
