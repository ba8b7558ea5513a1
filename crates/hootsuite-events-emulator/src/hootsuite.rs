//! Hootsuite's side: what its webhooks look like, and how Cloud Elements normalizes them.

use serde_json::{json, Map, Value};

/// At most this many normalized events go into one notification (protocol.md §6).
pub const EVENTS_PER_NOTIFICATION: usize = 20;

/// The emulated account, as notifications name it.
pub(crate) const USER_ID: u64 = 1;
const USER_EMAIL: &str = "developer@example.com";
const ACCOUNT_ID: u64 = 10;
const COMPANY_ID: u64 = 20;

/// The instance a notification is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceInfo {
    /// `instanceId`.
    pub id: u64,
    /// `instanceName`.
    pub name: String,
    /// `instanceTags`.
    pub tags: Vec<String>,
}

/// The notifications Cloud Elements makes of one Hootsuite webhook `payload`, as JSON bytes:
/// the events normalized, at most [`EVENTS_PER_NOTIFICATION`] per notification, each in the
/// notification envelope and carrying the whole `raw` payload. Their `eventId`s count up from
/// `first_event_id`. Returns an error message when the payload is not Hootsuite's array.
pub fn notifications(
    payload: &Value,
    instance: &InstanceInfo,
    first_event_id: u64,
    date: &str,
) -> Result<Vec<Vec<u8>>, String> {
    let events = normalize(payload, instance.id, date)?;
    Ok(events
        .chunks(EVENTS_PER_NOTIFICATION)
        .zip(first_event_id..)
        .map(|(chunk, event_id)| envelope(payload, instance, event_id, date, chunk))
        .collect())
}

/// One notification as Cloud Elements sends it: the envelope, the message with its routing
/// fields, the normalized `events`, and the whole Hootsuite `payload` as `raw`.
pub fn envelope(
    payload: &Value,
    instance: &InstanceInfo,
    event_id: u64,
    date: &str,
    events: &[Value],
) -> Vec<u8> {
    let body = json!({
        "id": format!("{:032x}", u128::from(event_id) << 64 | u128::from(instance.id)),
        "topic": "events",
        "action": "create",
        "severity": "normal",
        "createdDate": date,
        "user": {"id": USER_ID, "emailAddress": USER_EMAIL},
        "message": {
            "eventId": event_id.to_string(),
            "instanceId": instance.id,
            "instanceName": instance.name,
            "instanceTags": instance.tags,
            "elementKey": "hootsuite",
            "accountId": ACCOUNT_ID,
            "companyId": COMPANY_ID,
            "userId": USER_ID,
            "events": events,
            "raw": payload,
        },
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// Normalizes Hootsuite's array into Cloud Elements' event objects. Pings are not forwarded.
/// Returns an error message when the payload is not Hootsuite's array of `{seq_no, type, data}`.
pub(crate) fn normalize(
    payload: &Value,
    instance_id: u64,
    date: &str,
) -> Result<Vec<Value>, String> {
    let items = payload
        .as_array()
        .ok_or("Hootsuite webhooks are a JSON array of {seq_no, type, data}")?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let obj = item
            .as_object()
            .ok_or_else(|| format!("item {i} is not an object"))?;
        let kind = obj
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("item {i} has no string `type`"))?;
        if kind == "com.hootsuite.ping.event.v1" {
            continue;
        }
        let empty = Map::new();
        let data = obj.get("data").and_then(Value::as_object).unwrap_or(&empty);
        let state = data.get("state").and_then(Value::as_str).unwrap_or("");
        let nested = |k: &str| -> Value {
            match data.get(k).and_then(|v| v.get("id")) {
                Some(Value::String(s)) => s.as_str().into(),
                Some(Value::Number(n)) => n.to_string().into(),
                _ => Value::Null,
            }
        };
        let (object_type, object_id) = match kind {
            "com.hootsuite.messages.event.v1" => ("messages", nested("message")),
            "com.hootsuite.comments.event.v1" => ("comments", nested("comment")),
            "com.hootsuite.apps.event.v1" => ("apps", nested("app")),
            _ => ("unknown", Value::Null),
        };
        let event_type = match state {
            "SCHEDULED" | "PENDING_APPROVAL" | "INSTALLED" => "CREATED",
            "DELETED" | "UNINSTALLED" => "DELETED",
            "" => "UNKNOWN",
            _ => "UPDATED",
        };
        out.push(json!({
            "objectType": object_type,
            "objectId": object_id,
            "eventType": event_type,
            "elementKey": "hootsuite",
            "date": date,
            "instanceId": instance_id,
            "hubKey": "social",
        }));
    }
    Ok(out)
}

/// A sample Hootsuite payload of `count` events of `kind` (`message`, `comment`, `app`,
/// `ping`), numbered from `first_seq_no`.
pub fn sample(kind: &str, first_seq_no: u64, count: u64, timestamp: &str) -> Option<Value> {
    let items = (first_seq_no..first_seq_no.saturating_add(count))
        .map(|seq_no| sample_event(kind, seq_no, timestamp))
        .collect::<Option<Vec<Value>>>()?;
    Some(Value::Array(items))
}

fn sample_event(kind: &str, seq_no: u64, timestamp: &str) -> Option<Value> {
    let (event_type, data) = match kind {
        "message" => (
            "com.hootsuite.messages.event.v1",
            json!({"state": "SENT", "organization": {"id": "814"}, "message": {"id": format!("msg-{seq_no}")}, "timestamp": timestamp}),
        ),
        "comment" => (
            "com.hootsuite.comments.event.v1",
            json!({"state": "PENDING_APPROVAL", "organization": {"id": "814"}, "comment": {"id": format!("cmt-{seq_no}")}, "timestamp": timestamp}),
        ),
        "app" => (
            "com.hootsuite.apps.event.v1",
            json!({"state": "INSTALLED", "app": {"id": "app-1"}, "member": {"id": "member-1"}, "timestamp": timestamp}),
        ),
        "ping" => ("com.hootsuite.ping.event.v1", Value::Null),
        _ => return None,
    };
    let mut item = json!({"seq_no": seq_no.to_string(), "type": event_type});
    if !data.is_null() {
        item["data"] = data;
    }
    Some(item)
}
