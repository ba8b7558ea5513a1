//! The emulated platform's records as Cloud Elements renders them in JSON.

use hootsuite_events::instance::{self, KEY_API_KEY};
use hootsuite_events::redact::{is_secret_name, MASK};
use serde_json::{json, Map, Value};

use crate::state::*;

/// Whether the platform answers `********` for a configuration key: churros masks the OAuth
/// client id and secret, and the core's rule covers every other secret name.
fn masked(key: &str) -> bool {
    key == KEY_API_KEY || is_secret_name(key)
}

/// Configuration values as Cloud Elements keeps them: strings, or null.
pub(crate) fn stored_value(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::String(s) => Value::String(s.clone()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Number(n) => Value::String(n.to_string()),
        other => Value::String(other.to_string()),
    }
}

pub(crate) fn instance_json(i: &InstanceRec) -> Value {
    let config: Map<String, Value> = i
        .config
        .iter()
        .map(|(k, v)| {
            let shown = if masked(k) && !v.is_null() {
                Value::from(MASK)
            } else {
                v.clone()
            };
            (k.clone(), shown)
        })
        .collect();
    json!({
        "id": i.id,
        "name": i.name,
        "createdDate": i.created,
        "token": i.token,
        "element": {
            "id": 6791, "name": "Hootsuite", "hookName": "", "key": "hootsuite",
            "description": "Add a Hootsuite instance to connect to Hootsuite account to the social Hub",
            "image": "elements/provider_hootsuite.png", "active": true, "deleted": false,
            "typeOauth": false, "trialAccount": false, "resources": [], "transformationsEnabled": true,
            "bulkDownloadEnabled": true, "bulkUploadEnabled": true, "cloneable": true, "extendable": false,
            "beta": true, "authentication": {"type": "oauth2"}, "extended": false, "hub": "social",
            "protocolType": "http", "parameters": [], "private": false
        },
        "elementId": 6791,
        "tags": i.tags,
        "provisionInteractions": [],
        "valid": true,
        "disabled": i.disabled,
        "maxCacheSize": 0,
        "cacheTimeToLive": 0,
        "configuration": config,
        "eventsEnabled": i.events_enabled(),
        "traceLoggingEnabled": false,
        "cachingEnabled": false,
        "externalAuthentication": "none",
        "user": {"id": 1, "emailAddress": "emulator@example.com", "firstName": "Emulator", "lastName": "User"}
    })
}

pub(crate) fn event_json(instance_id: u64, e: &EventRec) -> Value {
    json!({
        "id": e.id.to_string(),
        "eventDate": e.created,
        "status": e.status,
        "providerData": e.provider_data,
        "notifiedData": [],
        "instanceId": instance_id,
        "elementKey": "hootsuite",
        "objectCount": e.object_count,
        "webhookId": e.webhook_id,
    })
}

/// One delivery item. `hydrate` adds the `notification` and the `subscription` it names by id,
/// as the resources of churros' `notification.schema.json` and `subscription.schema.json`.
pub(crate) fn delivery_json(d: &Delivery, hydrate: bool) -> Value {
    let mut item = json!({
        "id": d.id,
        "notificationId": d.event_id,
        "subscriptionId": d.instance_id,
        "webhookId": d.webhook_id,
        "instanceId": d.instance_id,
        "eventId": d.event_id,
        "url": d.url,
        "attempts": d.attempts,
        "status": d.status_name(),
        "createdDate": d.created,
        "updatedDate": d.updated,
    });
    if hydrate {
        let envelope: Value = serde_json::from_slice(&d.body).unwrap_or(Value::Null);
        // The schema types `message` as a string: the delivered message, as JSON text.
        let message = envelope
            .get("message")
            .map(Value::to_string)
            .unwrap_or_default();
        let topic = envelope
            .get("topic")
            .and_then(Value::as_str)
            .unwrap_or("events");
        item["notification"] = json!({
            "id": d.event_id,
            "from": instance::ELEMENT_KEY,
            "topic": topic,
            // The schema's enum is low, medium, high; churros' notifications default to low.
            "severity": "low",
            "message": message,
            "createdDate": d.created,
            "active": true,
            "acknowledged": false,
        });
        item["subscription"] = json!({
            "id": d.instance_id,
            "channel": "webhook",
            "topics": [topic],
            "config": {"url": d.url},
        });
    }
    item
}

/// One entry of `GET /instances/{id}/configuration`: ids are the instance id times 10 000 plus
/// the key's position, stable because keys are only ever added.
pub(crate) fn config_entry_json(
    i: &InstanceRec,
    position: usize,
    key: &str,
    value: &Value,
) -> Value {
    let field = instance::FIELDS
        .iter()
        .find(|f| f.path.last() == Some(&key));
    let shown = if masked(key) && !value.is_null() {
        Value::from(MASK)
    } else {
        value.clone()
    };
    json!({
        "id": config_entry_id(i.id, position),
        "key": key,
        "name": field.and_then(|f| f.label).unwrap_or(key),
        "description": field.map_or("", |f| f.description),
        "propertyValue": shown,
        "type": "value",
        "active": true,
        "required": field.is_some_and(|f| f.required),
        "hideFromConsole": false,
    })
}

pub(crate) fn config_entry_id(instance_id: u64, position: usize) -> u64 {
    instance_id.saturating_mul(10_000) + position as u64 + 1
}

/// The key of a configuration entry id of this instance.
pub(crate) fn config_key_of(i: &InstanceRec, config_id: &str) -> Option<String> {
    let n = config_id.parse::<u64>().ok()?;
    i.config
        .keys()
        .enumerate()
        .find(|(pos, _)| config_entry_id(i.id, *pos) == n)
        .map(|(_, k)| k.clone())
}

/// The platform strips HTML from instance names (churros: "should sanitize element instance
/// name on create and update"): tags go, their text stays.
pub(crate) fn strip_html(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_tag = false;
    for c in name.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}
