//! The event notification Cloud Elements POSTs to `event.notification.callback.url`.
//!
//! Two shapes exist and both parse:
//! - the current one, `{"message": {"eventId", "instanceId", "elementKey", "events": [...], "raw": ...}}`;
//! - an older documented one, `{"eventId", "instanceId", "response": {"events": [...]}, "notificationId"}`.
//!
//! `raw` is Hootsuite's own payload, a JSON array of `{seq_no, type, data}`; it is decoded
//! into [`HootsuiteEvent`]s, and unknown types are kept as JSON.
//! Verify the signature first ([`crate::signature::Verifier::verify_event`]); parse alone only
//! for unsigned deliveries.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, ParseError};
use crate::json::{type_name, Doc, Limits, Path};
use crate::request::Headers;
use crate::signature::WEBHOOK_ID_HEADER;

mod typed;

/// The normalized kind of change (`eventType`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub enum EventType {
    /// `CREATED`
    Created,
    /// `UPDATED`
    Updated,
    /// `DELETED`
    Deleted,
    /// `UNKNOWN`
    Unknown,
    /// Any other string, kept as sent.
    Other(String),
}

impl EventType {
    fn from_text(s: &str) -> Self {
        match s {
            "CREATED" => EventType::Created,
            "UPDATED" => EventType::Updated,
            "DELETED" => EventType::Deleted,
            "UNKNOWN" => EventType::Unknown,
            other => EventType::Other(other.to_string()),
        }
    }

    /// The type as Cloud Elements writes it.
    pub fn as_str(&self) -> &str {
        match self {
            EventType::Created => "CREATED",
            EventType::Updated => "UPDATED",
            EventType::Deleted => "DELETED",
            EventType::Unknown => "UNKNOWN",
            EventType::Other(s) => s,
        }
    }
}

impl From<EventType> for String {
    fn from(t: EventType) -> String {
        t.as_str().to_string()
    }
}

/// One normalized event of a notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementEvent {
    /// The kind of object (`messages`, `comments`, ...).
    pub object_type: Option<String>,
    /// The object's id (kept as text).
    pub object_id: Option<String>,
    /// What happened.
    pub event_type: EventType,
    /// The element key, `hootsuite`.
    pub element_key: Option<String>,
    /// `date`, as sent.
    pub date: Option<String>,
    /// Every other field (`instanceId`, `hubKey`, ...).
    pub extra: Map<String, Value>,
}

/// Which documented shape the notification had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `{"message": {...}}`
    Message,
    /// `{"eventId", "response": {"events"}}`
    Legacy,
}

impl Shape {
    /// The shape's name, as serialized: `message` or `legacy`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Shape::Message => "message",
            Shape::Legacy => "legacy",
        }
    }
}

/// A notification from Cloud Elements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    /// Which shape it had.
    pub shape: Shape,
    /// `eventId` (number or string in the wild; kept as text).
    pub event_id: Option<String>,
    /// `instanceId`.
    pub instance_id: Option<u64>,
    /// `elementKey`.
    pub element_key: Option<String>,
    /// `notificationId` (older shape).
    pub notification_id: Option<String>,
    /// The normalized events (at most 20 per notification).
    pub events: Vec<ElementEvent>,
    /// Hootsuite's own events, decoded from `raw`.
    pub hootsuite_events: Vec<HootsuiteEvent>,
    /// `raw` as received.
    pub raw: Option<Value>,
    /// The `Elements-Webhook-Id` header, when the notification came through a verifier.
    pub webhook_id: Option<String>,
}

impl Notification {
    /// The key to deduplicate deliveries by: `Elements-Webhook-Id`, else `eventId`.
    /// Cloud Elements retries failed deliveries and splits large batches (each part carries the
    /// full `raw`), so a receiver should process each key once; deduplicate Hootsuite events
    /// by [`HootsuiteEvent::seq_no`].
    pub fn dedup_key(&self) -> Option<&str> {
        self.webhook_id.as_deref().or(self.event_id.as_deref())
    }
}

/// One event of Hootsuite's webhook payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HootsuiteEvent {
    /// `seq_no`: a 64-bit sequence number as text, distinct per event.
    pub seq_no: Option<String>,
    /// `type`, such as `com.hootsuite.messages.event.v1`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The decoded data.
    pub data: HootsuiteData,
}

/// The data of a Hootsuite event, by type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HootsuiteData {
    /// `com.hootsuite.messages.event.v1`
    Message {
        /// `SCHEDULED`, `PENDING_APPROVAL`, `APPROVED`, `SUBMITTED`, `SENT`,
        /// `SEND_FAILED_PERMANENTLY`, `DELETED`, `REJECTED`, or another string.
        state: Option<String>,
        /// `message.id`
        message_id: Option<String>,
        /// `organization.id` (may be null)
        organization_id: Option<String>,
        /// `timestamp`
        timestamp: Option<String>,
    },
    /// `com.hootsuite.comments.event.v1`
    Comment {
        /// `PENDING_APPROVAL`, `EXPIRED_APPROVAL`, `COMPLETED`, `FAILED`, `DELETED`, `REJECTED`, ...
        state: Option<String>,
        /// `comment.id`
        comment_id: Option<String>,
        /// `organization.id`
        organization_id: Option<String>,
        /// `timestamp`
        timestamp: Option<String>,
    },
    /// `com.hootsuite.apps.event.v1`
    App {
        /// `INSTALLED`, `UNINSTALLED`, ...
        state: Option<String>,
        /// `app.id`
        app_id: Option<String>,
        /// `member.id`
        member_id: Option<String>,
        /// `organization.id`
        organization_id: Option<String>,
        /// `timestamp`
        timestamp: Option<String>,
    },
    /// `com.hootsuite.ping.event.v1`: answer 200 to re-enable a disabled webhook URL.
    Ping,
    /// Any other type: the data as received.
    Other {
        /// `data`, as received (null when absent).
        data: Value,
    },
}

/// Parses a notification body with the default limits (1 MiB).
///
/// ```
/// use hootsuite_events::events::{parse_notification, EventType, HootsuiteData};
/// let body = br#"{"message": {"eventId": "e-1", "instanceId": 12345, "elementKey": "hootsuite",
///   "events": [{"objectType": "messages", "objectId": "m-9", "eventType": "UPDATED"}],
///   "raw": [{"seq_no": "100", "type": "com.hootsuite.messages.event.v1",
///            "data": {"state": "SENT", "message": {"id": "m-9"}}}]}}"#;
/// let n = parse_notification(body)?;
/// assert_eq!(n.instance_id, Some(12345));
/// assert_eq!(n.events[0].event_type, EventType::Updated);
/// assert!(matches!(&n.hootsuite_events[0].data,
///     HootsuiteData::Message { state: Some(s), .. } if s == "SENT"));
/// # Ok::<(), hootsuite_events::Error>(())
/// ```
pub fn parse_notification(body: &[u8]) -> Result<Notification, Error> {
    parse_notification_with(body, &Limits::default())
}

/// Parses a notification body within `limits`.
pub fn parse_notification_with(body: &[u8], limits: &Limits) -> Result<Notification, Error> {
    if body.len() <= limits.max_body_size {
        if let Some(n) = typed::parse(body) {
            return Ok(n);
        }
    }
    reference_parse_with(body, limits)
}

/// The reference reader: a `serde_json::Value` first, then the walk that gives every error its
/// path. [`parse_notification_with`] uses it whenever the typed fast path gives up; it is public
/// only so that the fuzz targets can check that both paths agree.
#[doc(hidden)]
pub fn reference_parse_with(body: &[u8], limits: &Limits) -> Result<Notification, Error> {
    let (doc, value) = Doc::parse(body, limits)?;
    Ok(notification_from(&doc, &value)?)
}

/// Parses a delivery without verifying it (for unsigned deliveries): the body, and the
/// `Elements-Webhook-Id` header as [`Notification::webhook_id`] for deduplication.
/// [`crate::signature::Verifier::verify_event`] does the same after checking the signature.
pub fn parse_delivery<H: Headers + ?Sized>(
    headers: &H,
    body: &[u8],
) -> Result<Notification, Error> {
    parse_delivery_with(headers, body, &Limits::default())
}

/// [`parse_delivery`] within `limits`.
pub fn parse_delivery_with<H: Headers + ?Sized>(
    headers: &H,
    body: &[u8],
    limits: &Limits,
) -> Result<Notification, Error> {
    let mut n = parse_notification_with(body, limits)?;
    n.webhook_id = headers.get_header(WEBHOOK_ID_HEADER).map(str::to_string);
    Ok(n)
}

fn notification_from(doc: &Doc<'_>, value: &Value) -> Result<Notification, ParseError> {
    let root = Path::ROOT;
    let obj = doc.object(value, root)?;
    if let Some(message) = obj.get("message") {
        let mpath = root.key("message");
        let m = doc.object(message, mpath)?;
        let events = match m.get("events") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => events_from(doc, v, mpath.key("events"))?,
        };
        let raw = m.get("raw").filter(|v| !v.is_null()).cloned();
        let hootsuite_events = match &raw {
            Some(v) => hootsuite_from(doc, v, mpath.key("raw"))?,
            None => Vec::new(),
        };
        return Ok(Notification {
            shape: Shape::Message,
            event_id: doc.opt_id(m, mpath, "eventId")?,
            instance_id: doc.opt_u64(m, mpath, "instanceId")?,
            element_key: doc.opt_str(m, mpath, "elementKey")?.map(str::to_string),
            notification_id: doc.opt_id(m, mpath, "notificationId")?,
            events,
            hootsuite_events,
            raw,
            webhook_id: None,
        });
    }
    if let Some(response) = obj.get("response") {
        let rpath = root.key("response");
        let r = doc.object(response, rpath)?;
        let events = match r.get("events") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => events_from(doc, v, rpath.key("events"))?,
        };
        let raw = obj.get("raw").filter(|v| !v.is_null()).cloned();
        let hootsuite_events = match &raw {
            Some(v) => hootsuite_from(doc, v, root.key("raw"))?,
            None => Vec::new(),
        };
        return Ok(Notification {
            shape: Shape::Legacy,
            event_id: doc.opt_id(obj, root, "eventId")?,
            instance_id: doc.opt_u64(obj, root, "instanceId")?,
            element_key: doc.opt_str(obj, root, "elementKey")?.map(str::to_string),
            notification_id: doc.opt_id(obj, root, "notificationId")?,
            events,
            hootsuite_events,
            raw,
            webhook_id: None,
        });
    }
    Err(doc.missing(
        root.key("message"),
        "an object with `message` (or the older `eventId` with `response.events`)",
    ))
}

const EVENT_KNOWN: &[&str] = &["objectType", "objectId", "eventType", "elementKey", "date"];

fn events_from(
    doc: &Doc<'_>,
    value: &Value,
    path: Path<'_>,
) -> Result<Vec<ElementEvent>, ParseError> {
    let Value::Array(items) = value else {
        return Err(doc.wrong_type(path, "an array of events", value));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let e = doc.object(item, p)?;
        let event_type = match e.get("eventType") {
            Some(Value::String(s)) => EventType::from_text(s),
            None | Some(Value::Null) => EventType::Unknown,
            Some(other) => return Err(doc.wrong_type(p.key("eventType"), "a string", other)),
        };
        out.push(ElementEvent {
            object_type: doc.opt_str(e, p, "objectType")?.map(str::to_string),
            object_id: doc.opt_id(e, p, "objectId")?,
            event_type,
            element_key: doc.opt_str(e, p, "elementKey")?.map(str::to_string),
            date: doc.opt_id(e, p, "date")?,
            extra: e
                .iter()
                .filter(|(k, _)| !EVENT_KNOWN.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        });
    }
    Ok(out)
}

/// Decodes Hootsuite's array. Anything that is not an array (another provider's shape) gives
/// no Hootsuite events and stays available as `raw`.
fn hootsuite_from(
    doc: &Doc<'_>,
    value: &Value,
    path: Path<'_>,
) -> Result<Vec<HootsuiteEvent>, ParseError> {
    let Value::Array(items) = value else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let e = doc.object(item, p)?;
        let event_type = doc.req_str(e, p, "type")?.to_string();
        let data_value = e.get("data").unwrap_or(&Value::Null);
        let data = data_from(doc, &event_type, data_value, p.key("data"))?;
        out.push(HootsuiteEvent {
            seq_no: doc.opt_id(e, p, "seq_no")?,
            event_type,
            data,
        });
    }
    Ok(out)
}

fn data_from(
    doc: &Doc<'_>,
    event_type: &str,
    value: &Value,
    path: Path<'_>,
) -> Result<HootsuiteData, ParseError> {
    let known = matches!(
        event_type,
        "com.hootsuite.messages.event.v1"
            | "com.hootsuite.comments.event.v1"
            | "com.hootsuite.apps.event.v1"
    );
    if event_type == "com.hootsuite.ping.event.v1" {
        return Ok(HootsuiteData::Ping);
    }
    if !known {
        return Ok(HootsuiteData::Other {
            data: value.clone(),
        });
    }
    let empty = Map::new();
    let d = match value {
        Value::Null => &empty,
        Value::Object(o) => o,
        other => return Err(doc.wrong_type(path, "an object", other)),
    };
    let nested_id = |key: &'static str| -> Result<Option<String>, ParseError> {
        match d.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) => doc.opt_id(o, path.key(key), "id"),
            Some(other) => Err(doc.error(
                crate::error::ParseErrorKind::Type,
                path.key(key),
                format!("expected an object with `id`, found {}", type_name(other)),
            )),
        }
    };
    let state = doc.opt_str(d, path, "state")?.map(str::to_string);
    let timestamp = doc.opt_id(d, path, "timestamp")?;
    let organization_id = nested_id("organization")?;
    Ok(match event_type {
        "com.hootsuite.messages.event.v1" => HootsuiteData::Message {
            state,
            message_id: nested_id("message")?,
            organization_id,
            timestamp,
        },
        "com.hootsuite.comments.event.v1" => HootsuiteData::Comment {
            state,
            comment_id: nested_id("comment")?,
            organization_id,
            timestamp,
        },
        _ => HootsuiteData::App {
            state,
            app_id: nested_id("app")?,
            member_id: nested_id("member")?,
            organization_id,
            timestamp,
        },
    })
}

/// Remembers the last `capacity` dedup keys, so that a receiver processes each delivery once
/// when Cloud Elements redelivers it (after a timeout, or from the queue).
///
/// Memory is bounded: past `capacity` keys the oldest is forgotten, so choose a capacity
/// above the number of deliveries a redelivery can lag behind (Cloud Elements retries for
/// about 73 hours). For several processes, keep the keys in a shared store instead.
///
/// ```
/// use hootsuite_events::events::Deduplicator;
/// let mut seen = Deduplicator::new(2);
/// assert!(seen.first_time("wh-1"));
/// assert!(!seen.first_time("wh-1"));
/// assert!(seen.first_time("wh-2"));
/// assert!(seen.first_time("wh-3")); // forgets wh-1
/// assert!(seen.first_time("wh-1"));
/// ```
#[derive(Debug, Clone)]
pub struct Deduplicator {
    capacity: usize,
    seen: std::collections::HashSet<String>,
    order: std::collections::VecDeque<String>,
}

impl Deduplicator {
    /// Remembers up to `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        Deduplicator {
            capacity: capacity.max(1),
            seen: std::collections::HashSet::new(),
            order: std::collections::VecDeque::new(),
        }
    }

    /// Whether `key` is new; it is remembered from now on.
    pub fn first_time(&mut self, key: &str) -> bool {
        if self.seen.contains(key) {
            return false;
        }
        if self.order.len() == self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.seen.insert(key.to_string());
        self.order.push_back(key.to_string());
        true
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_names_are_the_serialized_ones() {
        for shape in [Shape::Message, Shape::Legacy] {
            assert_eq!(
                serde_json::to_value(shape).expect("serializes"),
                serde_json::Value::from(shape.as_str())
            );
        }
    }

    #[test]
    fn legacy_shape() {
        let n = parse_notification(br#"{"eventId": 1088, "instanceId": 31, "response": {"events": [{"objectType": "messages", "objectId": 5, "eventType": "CREATED"}]}, "notificationId": 1047}"#).expect("parses");
        assert_eq!(n.shape, Shape::Legacy);
        assert_eq!(n.event_id.as_deref(), Some("1088"));
        assert_eq!(n.notification_id.as_deref(), Some("1047"));
        assert_eq!(n.events[0].object_id.as_deref(), Some("5"));
        assert_eq!(n.dedup_key(), Some("1088"));
    }

    #[test]
    fn deliveries_take_their_webhook_id_from_the_header() {
        let headers = [("elements-webhook-id", "wh-7")];
        let n =
            parse_delivery(&headers[..], br#"{"message": {"eventId": "e-1"}}"#).expect("parses");
        assert_eq!(
            (n.webhook_id.as_deref(), n.dedup_key()),
            (Some("wh-7"), Some("wh-7"))
        );
        let none: [(&str, &str); 0] = [];
        let n = parse_delivery(&none[..], br#"{"message": {"eventId": "e-1"}}"#).expect("parses");
        assert_eq!(n.dedup_key(), Some("e-1"));
    }

    #[test]
    fn errors_have_paths() {
        let e = parse_notification(br#"{"message": {"events": [{"eventType": 5}]}}"#).unwrap_err();
        let Error::Parse(p) = e else {
            panic!("expected a parse error")
        };
        assert_eq!(
            crate::error::format_path(&p.path),
            "message.events[0].eventType"
        );
        let e = parse_notification(b"{\"message\": ").unwrap_err();
        let Error::Parse(p) = e else {
            panic!("expected a parse error")
        };
        assert_eq!((p.line, p.column), (Some(1), Some(12)));
    }
}
