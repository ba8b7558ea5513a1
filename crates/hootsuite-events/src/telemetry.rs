//! What a receiver reports to OpenTelemetry: the one list of span, attribute and metric names
//! that the Rust layer (`hootsuite-events-tower`'s `opentelemetry` feature), the Python package
//! and the Node package all use (they read [`table`] from the native module), the values
//! each attribute takes from a notification ([`delivery_attributes`], [`unit_attributes`]), and
//! the W3C `traceparent` rule ([`parse_traceparent`]). Nothing here records anything: the
//! hosts call the OpenTelemetry API of their language.
//!
//! The span tree of one delivery:
//!
//! ```text
//! hootsuite_events.delivery            (the incoming traceparent's child, or the active span's)
//! ├── hootsuite_events.verify
//! ├── hootsuite_events.claim           (one call for every unit)
//! ├── hootsuite_events.handle          (one per unit claimed now, in order)
//! └── hootsuite_events.settle          (one call: complete the handled, release the others)
//! ```
//!
//! Attributes come from the signed content only (the instance, the event ids and `seq_no`s,
//! the unit keys, which key verified it) and the outcome: never a header that is not signed,
//! never the body or an event's data, never a key or a token. Names follow OpenTelemetry's
//! semantic conventions where one fits (`messaging.*`, `error.type`,
//! `http.response.status_code`, durations in seconds).

use serde::Serialize;

use crate::events::{Notification, UnitKind};

/// The instrumentation scope (tracer and meter name) of every language.
pub const SCOPE: &str = "hootsuite-events";

/// One span of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SpanSpec {
    /// How the hosts refer to it.
    pub id: &'static str,
    /// The span's name.
    pub name: &'static str,
    /// The id of its parent in the tree (`None`: the delivery, child of the caller's context).
    pub parent: Option<&'static str>,
    /// The ids of the attributes it carries.
    pub attributes: &'static [&'static str],
    /// What it covers.
    pub description: &'static str,
}

/// One attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AttributeSpec {
    /// How the hosts refer to it.
    pub id: &'static str,
    /// The attribute's key.
    pub name: &'static str,
    /// `string`, `int` or `string[]`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Where its value comes from.
    pub description: &'static str,
}

/// One metric instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricSpec {
    /// How the hosts refer to it.
    pub id: &'static str,
    /// The instrument's name.
    pub name: &'static str,
    /// `counter` (monotonic) or `histogram`.
    pub instrument: &'static str,
    /// UCUM unit: `{delivery}`, `{unit}`, `s`.
    pub unit: &'static str,
    /// The ids of the attributes of its data points.
    pub attributes: &'static [&'static str],
    /// What it counts.
    pub description: &'static str,
}

/// Every attribute.
pub const ATTRIBUTES: &[AttributeSpec] = &[
    AttributeSpec {
        id: "messaging_system",
        name: "messaging.system",
        kind: "string",
        description: "always `cloud_elements`: who delivers",
    },
    AttributeSpec {
        id: "operation",
        name: "messaging.operation.type",
        kind: "string",
        description: "always `process`",
    },
    AttributeSpec {
        id: "message_id",
        name: "messaging.message.id",
        kind: "string",
        description: "the notification's signed `eventId`, when it has one",
    },
    AttributeSpec {
        id: "unit_count",
        name: "messaging.batch.message_count",
        kind: "int",
        description: "the notification's units of work",
    },
    AttributeSpec {
        id: "instance_id",
        name: "hootsuite_events.instance.id",
        kind: "int",
        description: "the signed `instanceId`",
    },
    AttributeSpec {
        id: "seq_nos",
        name: "hootsuite_events.seq_nos",
        kind: "string[]",
        description: "the `seq_no` of each Hootsuite event, in order",
    },
    AttributeSpec {
        id: "seq_no",
        name: "hootsuite_events.seq_no",
        kind: "string",
        description: "the unit's Hootsuite `seq_no`",
    },
    AttributeSpec {
        id: "unit_keys",
        name: "hootsuite_events.unit.keys",
        kind: "string[]",
        description: "every unit key, in order",
    },
    AttributeSpec {
        id: "unit_key",
        name: "hootsuite_events.unit.key",
        kind: "string",
        description: "the unit's key (signed bytes only)",
    },
    AttributeSpec {
        id: "unit_kind",
        name: "hootsuite_events.unit.kind",
        kind: "string",
        description:
            "`hootsuite_event`, `element_event`, `notification` or `rejected` (as the unit says)",
    },
    AttributeSpec {
        id: "key_index",
        name: "hootsuite_events.key_index",
        kind: "int",
        description: "which signature key verified the body (0: the current one)",
    },
    AttributeSpec {
        id: "outcome",
        name: "hootsuite_events.outcome",
        kind: "string",
        description:
            "delivery: `processed`, `in_progress`, `failed`, `refused`; unit: `processed`, `failed`",
    },
    AttributeSpec {
        id: "status_code",
        name: "http.response.status_code",
        kind: "int",
        description: "the status answered",
    },
    AttributeSpec {
        id: "error_type",
        name: "error.type",
        kind: "string",
        description:
            "why it failed: the core's error code (`signature_mismatch`, ...), `handler` or `store`",
    },
    AttributeSpec {
        id: "processed",
        name: "hootsuite_events.units.processed",
        kind: "int",
        description: "units handled now",
    },
    AttributeSpec {
        id: "skipped",
        name: "hootsuite_events.units.skipped",
        kind: "int",
        description: "units processed before (duplicates)",
    },
    AttributeSpec {
        id: "in_progress",
        name: "hootsuite_events.units.in_progress",
        kind: "int",
        description: "units another process holds",
    },
    AttributeSpec {
        id: "failed",
        name: "hootsuite_events.units.failed",
        kind: "int",
        description: "units whose handler failed",
    },
    AttributeSpec {
        id: "lost_leases",
        name: "hootsuite_events.units.lost_leases",
        kind: "int",
        description: "units completed after another process took their lease over",
    },
    AttributeSpec {
        id: "rejected",
        name: "hootsuite_events.units.rejected",
        kind: "int",
        description: "events that could not be read, recorded now",
    },
    AttributeSpec {
        id: "claimed",
        name: "hootsuite_events.units.claimed",
        kind: "int",
        description: "units claimed now",
    },
    AttributeSpec {
        id: "completed",
        name: "hootsuite_events.units.completed",
        kind: "int",
        description: "claims completed",
    },
    AttributeSpec {
        id: "released",
        name: "hootsuite_events.units.released",
        kind: "int",
        description: "claims released",
    },
];

/// The span tree.
pub const SPANS: &[SpanSpec] = &[
    SpanSpec {
        id: "delivery",
        name: "hootsuite_events.delivery",
        parent: None,
        attributes: &[
            "messaging_system",
            "operation",
            "message_id",
            "unit_count",
            "instance_id",
            "seq_nos",
            "key_index",
            "outcome",
            "status_code",
            "error_type",
            "processed",
            "skipped",
            "in_progress",
            "failed",
            "lost_leases",
            "rejected",
        ],
        description: "one delivery: read, verify, process, answer",
    },
    SpanSpec {
        id: "verify",
        name: "hootsuite_events.verify",
        parent: Some("delivery"),
        attributes: &["key_index", "error_type"],
        description: "the signature check and the parse",
    },
    SpanSpec {
        id: "claim",
        name: "hootsuite_events.claim",
        parent: Some("delivery"),
        attributes: &[
            "unit_count",
            "unit_keys",
            "claimed",
            "skipped",
            "in_progress",
        ],
        description: "the claim of every unit (one store call)",
    },
    SpanSpec {
        id: "handle",
        name: "hootsuite_events.handle",
        parent: Some("delivery"),
        attributes: &[
            "instance_id",
            "unit_key",
            "unit_kind",
            "seq_no",
            "outcome",
            "error_type",
        ],
        description: "the application's handler on one unit",
    },
    SpanSpec {
        id: "settle",
        name: "hootsuite_events.settle",
        parent: Some("delivery"),
        attributes: &["completed", "released", "lost_leases"],
        description: "completing the handled units and releasing the others (one store call)",
    },
];

/// The metrics.
pub const METRICS: &[MetricSpec] = &[
    MetricSpec {
        id: "deliveries",
        name: "hootsuite_events.deliveries",
        instrument: "counter",
        unit: "{delivery}",
        attributes: &["outcome", "status_code"],
        description: "deliveries received",
    },
    MetricSpec {
        id: "verification_failures",
        name: "hootsuite_events.verification.failures",
        instrument: "counter",
        unit: "{delivery}",
        attributes: &["error_type"],
        description: "deliveries refused, by reason",
    },
    MetricSpec {
        id: "units_processed",
        name: "hootsuite_events.units.processed",
        instrument: "counter",
        unit: "{unit}",
        attributes: &["unit_kind"],
        description: "units handled now",
    },
    MetricSpec {
        id: "duplicates",
        name: "hootsuite_events.units.duplicates",
        instrument: "counter",
        unit: "{unit}",
        attributes: &[],
        description: "units skipped as processed before (retries, replays, split batches)",
    },
    MetricSpec {
        id: "in_progress",
        name: "hootsuite_events.units.in_progress",
        instrument: "counter",
        unit: "{unit}",
        attributes: &[],
        description: "units another process held (answered 409)",
    },
    MetricSpec {
        id: "handler_failures",
        name: "hootsuite_events.handler.failures",
        instrument: "counter",
        unit: "{unit}",
        attributes: &["unit_kind"],
        description: "handler errors (claims released, answered 500)",
    },
    MetricSpec {
        id: "lost_leases",
        name: "hootsuite_events.leases.lost",
        instrument: "counter",
        unit: "{unit}",
        attributes: &[],
        description: "completions refused after another process took the lease over",
    },
    MetricSpec {
        id: "handler_duration",
        name: "hootsuite_events.handler.duration",
        instrument: "histogram",
        unit: "s",
        attributes: &["unit_kind", "outcome"],
        description: "how long the handler took on one unit",
    },
];

/// The bucket boundaries of `hootsuite_events.handler.duration`, in seconds (OpenTelemetry's
/// advice for HTTP durations).
pub const DURATION_BOUNDARIES: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// The value of `messaging.system`.
pub const MESSAGING_SYSTEM: &str = "cloud_elements";
/// The value of `messaging.operation.type`.
pub const OPERATION: &str = "process";

/// The whole table as JSON (`scope`, `spans`, `attributes`, `metrics`, and the constant
/// values), as the Python and Node packages read it.
pub fn table() -> serde_json::Value {
    serde_json::json!({
        "scope": SCOPE,
        "messaging_system": MESSAGING_SYSTEM,
        "operation": OPERATION,
        "spans": SPANS,
        "attributes": ATTRIBUTES,
        "metrics": METRICS,
        "duration_boundaries": DURATION_BOUNDARIES,
    })
}

/// The key of the attribute `id`.
///
/// # Panics
/// When `id` is not in [`ATTRIBUTES`] (a typo in a host, caught by its tests).
pub fn attribute(id: &str) -> &'static str {
    match ATTRIBUTES.iter().find(|a| a.id == id) {
        Some(a) => a.name,
        None => panic!("no telemetry attribute {id:?}"),
    }
}

/// The metric `id`.
///
/// # Panics
/// When `id` is not in [`METRICS`].
pub fn metric(id: &str) -> &'static MetricSpec {
    match METRICS.iter().find(|m| m.id == id) {
        Some(m) => m,
        None => panic!("no telemetry metric {id:?}"),
    }
}

/// The span `id`'s name.
///
/// # Panics
/// When `id` is not in [`SPANS`].
pub fn span(id: &str) -> &'static str {
    match SPANS.iter().find(|s| s.id == id) {
        Some(s) => s.name,
        None => panic!("no telemetry span {id:?}"),
    }
}

/// An attribute's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// `int`.
    Int(i64),
    /// `string`.
    Str(String),
    /// `string[]`.
    List(Vec<String>),
}

fn int(n: impl TryInto<i64>) -> Value {
    Value::Int(n.try_into().unwrap_or(i64::MAX))
}

/// The kind of a unit as the `unit_kind` attribute says it.
pub fn unit_kind(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::HootsuiteEvent => "hootsuite_event",
        UnitKind::ElementEvent => "element_event",
        UnitKind::Notification => "notification",
        UnitKind::Rejected => "rejected",
    }
}

/// The delivery span's attributes known once the notification is verified (the outcome's
/// come later): keys and values, from signed content only.
pub fn delivery_attributes(n: &Notification) -> Vec<(&'static str, Value)> {
    let mut a = vec![
        (
            attribute("messaging_system"),
            Value::Str(MESSAGING_SYSTEM.into()),
        ),
        (attribute("operation"), Value::Str(OPERATION.into())),
        (attribute("unit_count"), int(n.units.len())),
        (
            attribute("seq_nos"),
            Value::List(
                n.hootsuite_events
                    .iter()
                    .filter_map(|e| e.seq_no.clone())
                    .collect(),
            ),
        ),
    ];
    if let Some(id) = &n.event_id {
        a.push((attribute("message_id"), Value::Str(id.clone())));
    }
    if let Some(id) = n.instance_id {
        a.push((attribute("instance_id"), int(id)));
    }
    if let Some(i) = n.key_index {
        a.push((attribute("key_index"), int(i)));
    }
    a
}

/// The claim span's attributes before the store answers.
pub fn claim_attributes(n: &Notification) -> Vec<(&'static str, Value)> {
    vec![
        (attribute("unit_count"), int(n.units.len())),
        (
            attribute("unit_keys"),
            Value::List(n.units.iter().map(|u| u.key.clone()).collect()),
        ),
    ]
}

/// The handle span's attributes of the unit at `index` (none past the units).
pub fn unit_attributes(n: &Notification, index: usize) -> Vec<(&'static str, Value)> {
    let Some(unit) = n.units.get(index) else {
        return Vec::new();
    };
    let mut a = vec![
        (attribute("unit_key"), Value::Str(unit.key.clone())),
        (
            attribute("unit_kind"),
            Value::Str(unit_kind(unit.kind).into()),
        ),
    ];
    if let Some(id) = n.instance_id {
        a.push((attribute("instance_id"), int(id)));
    }
    let seq_no = unit
        .index
        .filter(|_| unit.kind == UnitKind::HootsuiteEvent)
        .and_then(|i| n.hootsuite_events.get(i))
        .and_then(|e| e.seq_no.clone());
    if let Some(s) = seq_no {
        a.push((attribute("seq_no"), Value::Str(s)));
    }
    a
}

/// The delivery's `outcome` for the status answered: `processed` (2xx), `in_progress` (409),
/// `failed` (5xx), else `refused` (the request was not processed).
pub fn delivery_outcome(status: u16) -> &'static str {
    match status {
        200..=299 => "processed",
        409 => "in_progress",
        500..=599 => "failed",
        _ => "refused",
    }
}

/// A W3C `traceparent` header's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    /// The trace id (16 bytes, not all zero).
    pub trace_id: [u8; 16],
    /// The caller's span id (8 bytes, not all zero).
    pub span_id: [u8; 8],
    /// The trace flags (bit 0: sampled).
    pub flags: u8,
}

impl TraceParent {
    /// The trace id as 32 lower-case hex digits.
    pub fn trace_id_hex(&self) -> String {
        hex(&self.trace_id)
    }
    /// The span id as 16 lower-case hex digits.
    pub fn span_id_hex(&self) -> String {
        hex(&self.span_id)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = text.as_bytes();
    if bytes.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in bytes.chunks(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// The parts of a W3C Trace Context `traceparent` header (`00-<trace id>-<span id>-<flags>`,
/// lower-case hex), or `None` when it breaks the rules: a version of `ff` or not hex, an
/// all-zero trace or span id, version `00` with anything after the flags. A later version's
/// extra fields are ignored, as the specification asks.
///
/// ```
/// use hootsuite_events::telemetry::parse_traceparent;
/// let p = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").expect("valid");
/// assert_eq!((p.trace_id_hex().as_str(), p.flags), ("4bf92f3577b34da6a3ce929d0e0e4736", 1));
/// assert!(parse_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none());
/// ```
pub fn parse_traceparent(header: &str) -> Option<TraceParent> {
    let header = header.trim_matches([' ', '\t']);
    let mut parts = header.splitn(5, '-');
    let version = unhex::<1>(parts.next()?)?[0];
    let trace_id = unhex::<16>(parts.next()?)?;
    let span_id = unhex::<8>(parts.next()?)?;
    let flags = unhex::<1>(parts.next()?)?[0];
    let rest = parts.next();
    if version == 0xff
        || (version == 0 && rest.is_some())
        || trace_id == [0; 16]
        || span_id == [0; 8]
    {
        return None;
    }
    Some(TraceParent {
        trace_id,
        span_id,
        flags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::is_secret_name;

    #[test]
    fn the_table_is_whole_and_names_no_secret() {
        let ids: Vec<&str> = ATTRIBUTES.iter().map(|a| a.id).collect();
        for span in SPANS {
            for a in span.attributes {
                assert!(ids.contains(a), "span {}: no attribute {a}", span.id);
            }
            if let Some(p) = span.parent {
                assert!(
                    SPANS.iter().any(|s| s.id == p),
                    "span {}: no parent {p}",
                    span.id
                );
            }
        }
        for m in METRICS {
            for a in m.attributes {
                assert!(ids.contains(a), "metric {}: no attribute {a}", m.id);
            }
            assert!(matches!(m.instrument, "counter" | "histogram"), "{m:?}");
        }
        for a in ATTRIBUTES {
            assert!(!is_secret_name(a.name), "{} is a secret name", a.name);
            assert!(matches!(a.kind, "string" | "int" | "string[]"), "{a:?}");
        }
        let mut names: Vec<&str> = ATTRIBUTES.iter().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ATTRIBUTES.len(), "one name per attribute");
        let t = table();
        assert_eq!(t["spans"][0]["name"], "hootsuite_events.delivery");
        assert_eq!(t["metrics"].as_array().map(Vec::len), Some(METRICS.len()));
    }

    #[test]
    fn attributes_come_from_signed_content_only() {
        let body = br#"{"message": {"eventId": "e-9", "instanceId": 12, "raw": [
            {"seq_no": "5", "type": "com.hootsuite.messages.event.v1", "data": {"message": {"id": "m"}, "accessToken": "SECRET-IN-DATA"}},
            {"seq_no": "6", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}}]}}"#;
        let mut n = crate::events::parse_notification(body).expect("parses");
        n.key_index = Some(1);
        let d = delivery_attributes(&n);
        assert!(d.contains(&(attribute("instance_id"), Value::Int(12))));
        assert!(d.contains(&(attribute("key_index"), Value::Int(1))));
        assert!(d.contains(&(attribute("message_id"), Value::Str("e-9".into()))));
        assert!(d.contains(&(attribute("seq_nos"), Value::List(vec!["5".into()]))));
        let u = unit_attributes(&n, 0);
        assert!(
            u.contains(&(attribute("seq_no"), Value::Str("5".into()))),
            "{u:?}"
        );
        assert!(u.contains(&(attribute("unit_key"), Value::Str("hs:12:5".into()))));
        let rejected = unit_attributes(&n, 1);
        assert!(rejected.contains(&(attribute("unit_kind"), Value::Str("rejected".into()))));
        assert!(unit_attributes(&n, 9).is_empty());
        let shown = format!("{d:?} {u:?} {rejected:?} {:?}", claim_attributes(&n));
        assert!(!shown.contains("SECRET"), "{shown}");
    }

    #[test]
    fn traceparent_rules() {
        let ok = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let p = parse_traceparent(ok).expect("valid");
        assert_eq!(p.span_id_hex(), "00f067aa0ba902b7");
        assert!(parse_traceparent(&format!(" {ok}\t")).is_some());
        assert!(
            parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-later")
                .is_some()
        );
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            assert!(parse_traceparent(bad).is_none(), "{bad:?}");
        }
        assert_eq!(delivery_outcome(200), "processed");
        assert_eq!(delivery_outcome(401), "refused");
    }
}
