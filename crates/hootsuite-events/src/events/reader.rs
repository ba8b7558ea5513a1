//! The reference reader: a walk over a `serde_json::Value` that gives every error its JSON
//! path.

use serde_json::{Map, Value};

use super::notification::*;
use crate::error::ParseError;
use crate::json::{type_name, Doc};
use crate::path::Path;

pub(super) fn notification_from(doc: &Doc<'_>, value: &Value) -> Result<Notification, ParseError> {
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
    if let Some((v, parent)) = events_in.filter(|(v, _)| !v.is_null()) {
        n.events = events_from(doc, v, parent.key("events"), &mut n.rejected)?;
    }
    n.raw = fields
        .get("raw")
        .filter(|v| !v.is_null())
        .cloned()
        .map(LazyJson::from);
    if let Some(v) = &n.raw {
        n.hootsuite_events = hootsuite_from(doc, v.get(), fpath.key("raw"), &mut n.rejected);
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

/// The event at `position` of `source`'s list that could not be read (its unit key comes
/// later, from [`super::units`]).
fn rejected(source: UnitKind, position: usize, error: ParseError, item: &Value) -> Rejected {
    Rejected {
        source,
        position,
        key: None,
        code: error.kind.code(),
        path: error.path,
        message: error.message,
        raw: item.clone(),
    }
}

/// Cloud Elements' events; one that cannot be read goes to `rejected`, since a signed batch
/// must not be refused for one event.
fn events_from(
    doc: &Doc<'_>,
    value: &Value,
    path: Path<'_>,
    rejects: &mut Vec<Rejected>,
) -> Result<Vec<ElementEvent>, ParseError> {
    let Value::Array(items) = value else {
        return Err(doc.wrong_type(path, "an array of events", value));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match element_event(doc, item, path.index(i)) {
            Ok(e) => out.push(e),
            Err(e) => rejects.push(rejected(UnitKind::ElementEvent, i, e, item)),
        }
    }
    Ok(out)
}

fn element_event(doc: &Doc<'_>, item: &Value, p: Path<'_>) -> Result<ElementEvent, ParseError> {
    let e = doc.object(item, p)?;
    let event_type = match e.get("eventType") {
        Some(Value::String(s)) => EventType::from_text(s),
        None | Some(Value::Null) => EventType::Unknown,
        Some(other) => return Err(doc.wrong_type(p.key("eventType"), "a string", other)),
    };
    Ok(ElementEvent {
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
    })
}

/// Decodes Hootsuite's array; an event that cannot be read goes to `rejects`. Anything that
/// is not an array (another provider's shape) gives no Hootsuite events and stays available
/// as `raw`.
fn hootsuite_from(
    doc: &Doc<'_>,
    value: &Value,
    path: Path<'_>,
    rejects: &mut Vec<Rejected>,
) -> Vec<HootsuiteEvent> {
    let Value::Array(items) = value else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match hootsuite_event(doc, item, path.index(i)) {
            Ok(e) => out.push(e),
            Err(e) => rejects.push(rejected(UnitKind::HootsuiteEvent, i, e, item)),
        }
    }
    out
}

fn hootsuite_event(doc: &Doc<'_>, item: &Value, p: Path<'_>) -> Result<HootsuiteEvent, ParseError> {
    let e = doc.object(item, p)?;
    let event_type = doc.req_str(e, p, "type")?.to_string();
    let data_value = e.get("data").unwrap_or(&Value::Null);
    let data = data_from(doc, &event_type, data_value, p.key("data"))?;
    Ok(HootsuiteEvent {
        seq_no: doc.opt_id(e, p, "seq_no")?,
        event_type,
        data,
        extra: e
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "seq_no" | "type" | "data"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
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
