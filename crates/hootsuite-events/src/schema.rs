//! The JSON Schema (draft 2020-12) of the create-instance body, for users of ajv, pydantic,
//! form builders and editors.
//!
//! It is made from [`crate::instance::FIELDS`], the same table the validation messages use,
//! with the UI labels as `title`s. A schema cannot say everything the rules say (URL
//! reachability, "did you mean" hints, warnings): [`crate::instance::validate`] stays the
//! reference; the schema accepts what it accepts and rejects the structural errors.

use serde_json::{json, Map, Value};

use crate::fields::{Field, FIELDS, KEY_EVENTS_ENABLED, KEY_EVENT_CALLBACK_URL, KEY_VENDOR_TYPE};

/// The `$id` of the schema.
pub const SCHEMA_ID: &str = "https://hootsuite-events.invalid/schema/create-instance.json";

fn field_schema(field: &Field) -> Value {
    let key = field.path.last().copied().unwrap_or_default();
    let mut s = match key {
        "key" => json!({"const": "hootsuite"}),
        k if k == KEY_EVENTS_ENABLED => {
            json!({"anyOf": [{"type": "boolean"}, {"enum": ["true", "false"]}], "default": false})
        }
        k if k == KEY_VENDOR_TYPE => {
            json!({"type": "string", "enum": ["webhook", "polling", "webhooks"]})
        }
        "tags" => json!({"type": "array", "items": {"type": "string", "pattern": "\\S"}}),
        k if k.ends_with(".url") => {
            json!({"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]+"})
        }
        _ => json!({"type": "string", "pattern": "\\S"}),
    };
    if let Value::Object(m) = &mut s {
        if let Some(label) = field.label {
            m.insert("title".into(), label.into());
        }
        m.insert("description".into(), field.description.into());
        if field.secret {
            m.insert("writeOnly".into(), true.into());
        }
    }
    s
}

/// The schema as a JSON value.
///
/// ```
/// let schema = hootsuite_events::schema::create_instance_schema();
/// assert_eq!(schema["properties"]["name"]["title"], "Name");
/// ```
pub fn create_instance_schema() -> Value {
    let mut config_props = Map::new();
    let mut config_required = Vec::new();
    let mut top = Map::new();
    for field in FIELDS {
        match field.path {
            ["configuration", key] => {
                config_props.insert((*key).to_string(), field_schema(field));
                if field.required {
                    config_required.push(Value::from(*key));
                }
            }
            ["element", _] => {
                top.insert("element".into(), json!({"type": "object", "properties": {"key": field_schema(field)}, "required": ["key"]}));
            }
            ["providerData", _] => {
                top.insert("providerData".into(), json!({"type": "object", "properties": {"code": field_schema(field)}, "required": ["code"]}));
            }
            [key] => {
                top.insert((*key).to_string(), field_schema(field));
            }
            _ => {}
        }
    }
    top.insert(
        "configuration".into(),
        json!({
            "type": "object",
            "properties": config_props,
            "required": config_required,
            "additionalProperties": true,
            "if": {"properties": {KEY_EVENTS_ENABLED: {"enum": [true, "true"]}}, "required": [KEY_EVENTS_ENABLED]},
            "then": {"required": [KEY_EVENT_CALLBACK_URL]}
        }),
    );
    let mut props = Map::new();
    for key in ["element", "providerData", "configuration", "tags", "name"] {
        if let Some(v) = top.remove(key) {
            props.insert(key.into(), v);
        }
    }
    props.insert(
        crate::fields::KEY_RETRIEVE_OBJECTS.into(),
        json!({"type": "boolean", "description": "Whether the answer lists the element's objects (documented by the platform; optional)."}),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Create a Hootsuite element instance",
        "description": "The body of POST /instances for the Cloud Elements Hootsuite element.",
        "type": "object",
        "properties": props,
        "required": ["element", "providerData", "configuration", "name"],
        "additionalProperties": true
    })
}

/// The schema as pretty-printed JSON text.
pub fn create_instance_schema_json() -> String {
    serde_json::to_string_pretty(&create_instance_schema()).unwrap_or_default()
}
