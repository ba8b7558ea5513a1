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

mod typed;
mod units;

pub use units::{Unit, UnitKind};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Elements-Webhook-Signature";
/// The header that names one delivery attempt's notification. Informational only: the
/// signature does not cover it, so it never decides whether an event is new (see [`Unit`]).
pub const WEBHOOK_ID_HEADER: &str = "Elements-Webhook-Id";

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
    /// `hubKey`, such as `social`.
    pub hub_key: Option<String>,
    /// Every other field (`instanceId`, ...), unchanged.
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
///
/// Every field of the body is kept: the fields the sources name have their own member, the
/// others are in [`Notification::extra`] (top level) and [`Notification::message_extra`]
/// (inside `message`, or the older shape's `response`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    /// Which shape it had.
    pub shape: Shape,
    /// The top-level `id` of Cloud Elements' notification envelope.
    pub id: Option<String>,
    /// `topic`.
    pub topic: Option<String>,
    /// `action`.
    pub action: Option<String>,
    /// `severity`.
    pub severity: Option<String>,
    /// `createdDate`, as sent.
    pub created_date: Option<String>,
    /// `user`, as sent.
    pub user: Option<Value>,
    /// `eventId` (number or string in the wild; kept as text).
    pub event_id: Option<String>,
    /// `instanceId`.
    pub instance_id: Option<u64>,
    /// `instanceName`.
    pub instance_name: Option<String>,
    /// `instanceTags`.
    pub instance_tags: Option<Vec<String>>,
    /// `elementKey`.
    pub element_key: Option<String>,
    /// `accountId` (kept as text).
    pub account_id: Option<String>,
    /// `companyId` (kept as text).
    pub company_id: Option<String>,
    /// `userId` (kept as text).
    pub user_id: Option<String>,
    /// `notificationId` (older shape).
    pub notification_id: Option<String>,
    /// The normalized events (at most 20 per notification).
    pub events: Vec<ElementEvent>,
    /// Hootsuite's own events, decoded from `raw`.
    pub hootsuite_events: Vec<HootsuiteEvent>,
    /// `raw` as received.
    pub raw: Option<Value>,
    /// The units of work this notification names, each with an idempotency key made only
    /// of signed bytes: process each key once.
    pub units: Vec<Unit>,
    /// The `Elements-Webhook-Id` header, when the notification came through a verifier.
    /// Information only: the signature does not cover it.
    pub webhook_id: Option<String>,
    /// Which key of the verifier matched (0 is the first), when verified.
    pub key_index: Option<usize>,
    /// Other fields of `message` (or of the older shape's `response`).
    pub message_extra: Map<String, Value>,
    /// Other top-level fields.
    pub extra: Map<String, Value>,
}

impl Notification {
    /// The units of work of [`Notification::units`] with the event each one refers to.
    pub fn work(&self) -> impl Iterator<Item = Work<'_>> {
        self.units.iter().map(move |unit| Work {
            unit,
            hootsuite_event: match unit.kind {
                UnitKind::HootsuiteEvent => unit.index.and_then(|i| self.hootsuite_events.get(i)),
                _ => None,
            },
            element_event: match unit.kind {
                UnitKind::ElementEvent => unit.index.and_then(|i| self.events.get(i)),
                _ => None,
            },
        })
    }
}

/// One unit of work and the event it refers to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Work<'n> {
    /// The unit: its key and kind.
    pub unit: &'n Unit,
    /// The Hootsuite event, for a [`UnitKind::HootsuiteEvent`].
    pub hootsuite_event: Option<&'n HootsuiteEvent>,
    /// The Cloud Elements event, for a [`UnitKind::ElementEvent`].
    pub element_event: Option<&'n ElementEvent>,
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
    /// Other fields of the event, unchanged.
    pub extra: Map<String, Value>,
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
    let mut n = notification_from(&doc, &value)?;
    n.units = units::derive(&n, body);
    Ok(n)
}

/// Parses a delivery without verifying it (for unsigned deliveries): the body, and the
/// `Elements-Webhook-Id` header as [`Notification::webhook_id`] (information only).
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

/// Top-level fields of Cloud Elements' notification envelope, in both shapes.
pub(crate) const ENVELOPE_KEYS: &[&str] =
    &["id", "topic", "action", "severity", "createdDate", "user"];

/// Fields of `message` (and of the older shape's root).
pub(crate) const MESSAGE_KEYS: &[&str] = &[
    "eventId",
    "instanceId",
    "instanceName",
    "instanceTags",
    "elementKey",
    "accountId",
    "companyId",
    "userId",
    "notificationId",
    "events",
    "raw",
];

/// An empty notification of `shape`, to be filled by a reader.
pub(crate) fn empty(shape: Shape) -> Notification {
    Notification {
        shape,
        id: None,
        topic: None,
        action: None,
        severity: None,
        created_date: None,
        user: None,
        event_id: None,
        instance_id: None,
        instance_name: None,
        instance_tags: None,
        element_key: None,
        account_id: None,
        company_id: None,
        user_id: None,
        notification_id: None,
        events: Vec::new(),
        hootsuite_events: Vec::new(),
        raw: None,
        units: Vec::new(),
        webhook_id: None,
        key_index: None,
        message_extra: Map::new(),
        extra: Map::new(),
    }
}

fn notification_from(doc: &Doc<'_>, value: &Value) -> Result<Notification, ParseError> {
    let root = Path::ROOT;
    let obj = doc.object(value, root)?;
    // `message` (the current shape) holds the fields; the older shape has them at the root,
    // with its events in `response`.
    let mpath = root.key("message");
    let rpath = root.key("response");
    let (mut n, fields, fpath, events_in) = if let Some(message) = obj.get("message") {
        let m = doc.object(message, mpath)?;
        (
            empty(Shape::Message),
            m,
            mpath,
            m.get("events").map(|e| (e, mpath)),
        )
    } else if let Some(response) = obj.get("response") {
        let r = doc.object(response, rpath)?;
        let mut n = empty(Shape::Legacy);
        n.message_extra = r
            .iter()
            .filter(|(k, _)| *k != "events")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (n, obj, root, r.get("events").map(|e| (e, rpath)))
    } else {
        return Err(doc.missing(
            root.key("message"),
            "an object with `message` (or the older `eventId` with `response.events`)",
        ));
    };
    n.id = doc.opt_id(obj, root, "id")?;
    n.topic = doc.opt_str(obj, root, "topic")?.map(str::to_string);
    n.action = doc.opt_str(obj, root, "action")?.map(str::to_string);
    n.severity = doc.opt_str(obj, root, "severity")?.map(str::to_string);
    n.created_date = doc.opt_id(obj, root, "createdDate")?;
    n.user = obj.get("user").filter(|v| !v.is_null()).cloned();
    n.event_id = doc.opt_id(fields, fpath, "eventId")?;
    n.instance_id = doc.opt_u64(fields, fpath, "instanceId")?;
    n.instance_name = doc
        .opt_str(fields, fpath, "instanceName")?
        .map(str::to_string);
    n.instance_tags = match fields.get("instanceTags") {
        None | Some(Value::Null) => None,
        Some(v) => Some(strings_from(doc, v, fpath.key("instanceTags"))?),
    };
    n.element_key = doc
        .opt_str(fields, fpath, "elementKey")?
        .map(str::to_string);
    n.account_id = doc.opt_id(fields, fpath, "accountId")?;
    n.company_id = doc.opt_id(fields, fpath, "companyId")?;
    n.user_id = doc.opt_id(fields, fpath, "userId")?;
    n.notification_id = doc.opt_id(fields, fpath, "notificationId")?;
    n.events = match events_in {
        None | Some((Value::Null, _)) => Vec::new(),
        Some((v, parent)) => events_from(doc, v, parent.key("events"))?,
    };
    n.raw = fields.get("raw").filter(|v| !v.is_null()).cloned();
    if let Some(v) = &n.raw {
        n.hootsuite_events = hootsuite_from(doc, v, fpath.key("raw"))?;
    }
    let is_root_field = |k: &str| match n.shape {
        Shape::Message => k == "message" || ENVELOPE_KEYS.contains(&k),
        Shape::Legacy => {
            k == "response"
                || ENVELOPE_KEYS.contains(&k)
                || (MESSAGE_KEYS.contains(&k) && k != "events")
        }
    };
    let extra = obj
        .iter()
        .filter(|(k, _)| !is_root_field(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    n.extra = extra;
    if n.shape == Shape::Message {
        n.message_extra = fields
            .iter()
            .filter(|(k, _)| !MESSAGE_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
    Ok(n)
}

/// An array of strings.
fn strings_from(doc: &Doc<'_>, value: &Value, path: Path<'_>) -> Result<Vec<String>, ParseError> {
    let Value::Array(items) = value else {
        return Err(doc.wrong_type(path, "an array of strings", value));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Ok(s.clone()),
            other => Err(doc.wrong_type(path.index(i), "a string", other)),
        })
        .collect()
}

pub(crate) const EVENT_KEYS: &[&str] = &[
    "objectType",
    "objectId",
    "eventType",
    "elementKey",
    "date",
    "hubKey",
];

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
            hub_key: doc.opt_str(e, p, "hubKey")?.map(str::to_string),
            extra: e
                .iter()
                .filter(|(k, _)| !EVENT_KEYS.contains(&k.as_str()))
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
            extra: e
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "seq_no" | "type" | "data"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
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
        assert_eq!(n.units.len(), 1);
        assert_eq!(n.units[0].key, "ce:31:1088:0");
    }

    #[test]
    fn deliveries_take_their_webhook_id_from_the_header() {
        let headers = [("elements-webhook-id", "wh-7")];
        let n =
            parse_delivery(&headers[..], br#"{"message": {"eventId": "e-1"}}"#).expect("parses");
        assert_eq!(n.webhook_id.as_deref(), Some("wh-7"));
        // The header is information only: the keys come from the signed body.
        let none: [(&str, &str); 0] = [];
        let m = parse_delivery(&none[..], br#"{"message": {"eventId": "e-1"}}"#).expect("parses");
        assert_eq!(n.units, m.units);
    }

    #[test]
    fn every_field_is_kept() {
        let body = br#"{"id": 77, "topic": "events", "action": "create", "severity": "normal",
            "createdDate": "2026-11-26T10:00:00Z", "user": {"id": 5}, "future": [1],
            "message": {"eventId": "e", "instanceId": 9, "instanceName": "Acme",
              "instanceTags": ["a"], "accountId": 3, "companyId": "c", "userId": 4, "other": true,
              "events": [{"eventType": "CREATED", "hubKey": "social", "instanceId": 9}],
              "raw": [{"seq_no": "1", "type": "com.hootsuite.ping.event.v1", "more": 2}]}}"#;
        let n = parse_notification(body).expect("parses");
        assert_eq!(n.id.as_deref(), Some("77"));
        assert_eq!(
            (
                n.topic.as_deref(),
                n.action.as_deref(),
                n.severity.as_deref()
            ),
            (Some("events"), Some("create"), Some("normal"))
        );
        assert_eq!(n.created_date.as_deref(), Some("2026-11-26T10:00:00Z"));
        assert_eq!(n.user, Some(serde_json::json!({"id": 5})));
        assert_eq!(n.instance_name.as_deref(), Some("Acme"));
        assert_eq!(n.instance_tags, Some(vec!["a".to_string()]));
        assert_eq!(
            (
                n.account_id.as_deref(),
                n.company_id.as_deref(),
                n.user_id.as_deref()
            ),
            (Some("3"), Some("c"), Some("4"))
        );
        assert_eq!(n.extra["future"], serde_json::json!([1]));
        assert_eq!(n.message_extra["other"], serde_json::json!(true));
        assert_eq!(n.events[0].hub_key.as_deref(), Some("social"));
        assert_eq!(n.events[0].extra["instanceId"], serde_json::json!(9));
        assert_eq!(n.hootsuite_events[0].extra["more"], serde_json::json!(2));
        let reference = reference_parse_with(body, &Limits::default()).expect("parses");
        assert_eq!(n, reference);
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
