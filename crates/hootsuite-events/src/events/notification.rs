//! The notification as the library hands it out: its types, its units of work, and the keys
//! each shape of the body may hold.

use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::path::PathSegment;

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
    pub(super) fn from_text(s: &str) -> Self {
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

/// A JSON value of a notification kept as the signed body it is in and read into a [`Value`]
/// the first time it is asked for: building it was most of the parse, and most receivers never
/// read it (docs/benchmarks.md, issue 28). It reads, compares, prints and serializes as that
/// [`Value`].
#[derive(Clone)]
pub struct LazyJson {
    /// The body, until the value is built (JSON the fast path read whole: see `typed.rs`).
    source: Option<RawSource>,
    value: OnceLock<Value>,
}

/// Where a [`LazyJson`] is: `raw` of the body's `message`, or of its root (the older shape).
#[derive(Clone)]
struct RawSource {
    body: Box<[u8]>,
    in_message: bool,
}

impl RawSource {
    /// `raw` as the reference path reads it (the last of repeated keys counts, as in a `Value`).
    fn read(&self) -> Option<Value> {
        let Value::Object(mut root) = serde_json::from_slice(&self.body).ok()? else {
            return None;
        };
        let mut fields = match self.in_message {
            true => match root.remove("message")? {
                Value::Object(m) => m,
                _ => return None,
            },
            false => root,
        };
        fields.remove("raw")
    }
}

impl LazyJson {
    /// `raw` of `body` (of its `message` with `in_message`), which the caller has read whole.
    pub(super) fn in_body(body: &[u8], in_message: bool) -> Self {
        LazyJson {
            source: Some(RawSource {
                body: body.into(),
                in_message,
            }),
            value: OnceLock::new(),
        }
    }

    /// The value, built on first use.
    pub fn get(&self) -> &Value {
        self.value.get_or_init(|| {
            // The fast path read this body as serde_json reads a `Value`: Null is unreachable.
            self.source
                .as_ref()
                .and_then(RawSource::read)
                .unwrap_or(Value::Null)
        })
    }

    /// The value, owned.
    pub fn into_value(self) -> Value {
        match self.value.into_inner() {
            Some(v) => v,
            None => self
                .source
                .as_ref()
                .and_then(RawSource::read)
                .unwrap_or(Value::Null),
        }
    }
}

impl From<Value> for LazyJson {
    fn from(value: Value) -> Self {
        LazyJson {
            source: None,
            value: OnceLock::from(value),
        }
    }
}

impl std::ops::Deref for LazyJson {
    type Target = Value;
    fn deref(&self) -> &Value {
        self.get()
    }
}

impl PartialEq for LazyJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl PartialEq<Value> for LazyJson {
    fn eq(&self, other: &Value) -> bool {
        self.get() == other
    }
}

impl fmt::Debug for LazyJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl Serialize for LazyJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
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
    /// Hootsuite's own events, decoded from `raw` (those that could not be read are in
    /// [`Notification::rejected`]).
    pub hootsuite_events: Vec<HootsuiteEvent>,
    /// The events of `raw` and of `events` that could not be read. A signed batch is not
    /// refused for one bad event (anyone can post to the Hootsuite webhook URL, and a refused
    /// delivery is retried until Cloud Elements deactivates the subscription): the others are
    /// processed, and each of these is a [`UnitKind::Rejected`] unit, recorded once.
    pub rejected: Vec<Rejected>,
    /// `raw` as received, read into a [`Value`] the first time it is asked for
    /// ([`LazyJson::get`], or through `Deref`).
    pub raw: Option<LazyJson>,
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
        self.units.iter().map(move |unit| {
            let at = |kind: UnitKind| unit.index.filter(|_| unit.kind == kind);
            Work {
                unit,
                hootsuite_event: at(UnitKind::HootsuiteEvent)
                    .and_then(|i| self.hootsuite_events.get(i)),
                element_event: at(UnitKind::ElementEvent).and_then(|i| self.events.get(i)),
                rejected: at(UnitKind::Rejected).and_then(|i| self.rejected.get(i)),
            }
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
    /// The event that could not be read, for a [`UnitKind::Rejected`].
    pub rejected: Option<&'n Rejected>,
}

/// An event of a notification that could not be read: where it was, why, and its JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The list it was in: [`UnitKind::HootsuiteEvent`] (`raw`) or
    /// [`UnitKind::ElementEvent`] (`events`).
    pub source: UnitKind,
    /// Its position in that list, as received.
    pub position: usize,
    /// The key of its [`UnitKind::Rejected`] unit; `None` for a Cloud Elements event when the
    /// units are the Hootsuite events.
    pub key: Option<String>,
    /// What is wrong, as a stable code (`wrong_type`, `missing_field`, ...).
    pub code: &'static str,
    /// Where in the body.
    pub path: Vec<PathSegment>,
    /// What is wrong and what was expected.
    pub message: String,
    /// The event's JSON as received.
    pub raw: Value,
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

/// What a [`Unit`] refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// One event of Hootsuite's `raw` payload ([`Notification::hootsuite_events`]).
    HootsuiteEvent,
    /// One normalized Cloud Elements event ([`Notification::events`]).
    ElementEvent,
    /// The notification as a whole (it names no event).
    Notification,
    /// An event that could not be read ([`Notification::rejected`]): recorded once, never
    /// handed to the handler.
    Rejected,
}

/// One unit of work of a notification: process each [`Unit::key`] once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Unit {
    /// The idempotency key, made only of signed bytes (see the module documentation).
    pub key: String,
    /// What the unit refers to.
    pub kind: UnitKind,
    /// The index of the event in [`Notification::hootsuite_events`],
    /// [`Notification::events`] or [`Notification::rejected`]; `None` for
    /// [`UnitKind::Notification`].
    pub index: Option<usize>,
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
        rejected: Vec::new(),
        raw: None,
        units: Vec::new(),
        webhook_id: None,
        key_index: None,
        message_extra: Map::new(),
        extra: Map::new(),
    }
}

pub(crate) const EVENT_KEYS: &[&str] = &[
    "objectType",
    "objectId",
    "eventType",
    "elementKey",
    "date",
    "hubKey",
];
