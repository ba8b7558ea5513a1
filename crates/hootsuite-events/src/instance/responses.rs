//! The parsers of the instance calls' answers.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::{InstanceToken, Secret};
use crate::error::{ApiError, Error};
use crate::fields::*;
use crate::json::{field, page_headers, read_json, Doc, Limits};
use crate::path::Path;
use crate::redact::{is_secret_name, mask_entry, mask_json, MASK};
use crate::request::HttpResponse;

/// The element as an instance response describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementInfo {
    /// The element's numeric id (differs between environments).
    pub id: Option<u64>,
    /// The element key, `hootsuite`.
    pub key: Option<String>,
    /// The element's display name.
    pub name: Option<String>,
    /// The hub, `social`.
    pub hub: Option<String>,
}

/// An element instance as Cloud Elements returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instance {
    /// The instance id: every later call needs it.
    pub id: u64,
    /// The instance name.
    pub name: String,
    /// The instance token: calls made as this instance need it.
    #[serde(serialize_with = "serialize_masked")]
    pub token: InstanceToken,
    /// The tags.
    pub tags: Vec<String>,
    /// Whether Cloud Elements considers the instance's authentication valid; `false` when the
    /// answer does not say (unknown is not valid; a `bool` keeps every binding's type).
    pub valid: bool,
    /// Whether the instance is disabled.
    pub disabled: bool,
    /// Whether events are enabled.
    pub events_enabled: bool,
    /// Configuration values as Cloud Elements returns them: strings or null; booleans and
    /// numbers are given as their text. The value of every secret key ([`crate::redact`]:
    /// `oauth.api.secret`, `oauth.user.token`, `oauth.user.refresh_token`...) reads `********`
    /// here even when Cloud Elements sent it in clear; [`Instance::expose_configuration`] has it.
    pub configuration: BTreeMap<String, Option<String>>,
    /// The secret configuration values as received, out of `Debug` and serialization.
    #[serde(skip)]
    configuration_secrets: BTreeMap<String, Secret>,
    /// The element.
    pub element: Option<ElementInfo>,
    /// `elementId`.
    pub element_id: Option<u64>,
    /// `createdDate`, as given.
    pub created_date: Option<String>,
    /// `user.id`.
    pub user_id: Option<u64>,
    /// Every other field, unchanged, except that values under secret names (at any depth)
    /// read `********`.
    pub extra: Map<String, Value>,
}

impl Instance {
    /// The configuration value of `key` as Cloud Elements sent it, secret or not (`None` when
    /// the key is absent or null). For the program that must use a secret value; never log it.
    pub fn expose_configuration(&self, key: &str) -> Option<&str> {
        match self.configuration_secrets.get(key) {
            Some(secret) => Some(secret.expose()),
            None => self.configuration.get(key).and_then(|v| v.as_deref()),
        }
    }

    /// The secret configuration values in clear, keyed as in `configuration`.
    pub fn configuration_secrets(&self) -> impl Iterator<Item = (&str, &str)> {
        self.configuration_secrets
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
    }

    /// The instance as JSON for a program that must keep the token (a binding, an app storing
    /// it): [`WithSecrets`] as a value. The plain serialization (`serde_json::to_value(&instance)`)
    /// masks `token` and leaves the secrets out instead.
    pub fn to_value_with_token(&self) -> Value {
        serde_json::to_value(WithSecrets(self)).unwrap_or(Value::Null)
    }
}

/// An instance, or a page of them, serialized with its secrets, for a program that must keep
/// them (the bindings, an app storing the token): `token` is the real token, `token_masked` the
/// form safe to log, and `configuration_secrets` the secret configuration values in clear. Every
/// binding shows an instance through this one serializer (Python as snake_case, JavaScript
/// through [`crate::naming::Camel`]).
///
/// ```
/// use hootsuite_events::{instance, HttpResponse};
/// let r = HttpResponse::new(200, vec![], br#"{"id": 1, "name": "n", "token": "TOKEN-123456789"}"#.to_vec());
/// let i = instance::parse_instance(&r)?;
/// let v = serde_json::to_value(instance::WithSecrets(&i))?;
/// assert_eq!((v["token"].as_str(), v["token_masked"].as_str()), (Some("TOKEN-123456789"), Some("TOKE********")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct WithSecrets<'a, T: ?Sized>(pub &'a T);

impl Serialize for WithSecrets<'_, Instance> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let i = self.0;
        let mut st = s.serialize_struct("Instance", 15)?;
        st.serialize_field("id", &i.id)?;
        st.serialize_field("name", &i.name)?;
        st.serialize_field("token", i.token.expose())?;
        st.serialize_field("token_masked", &i.token.masked())?;
        st.serialize_field("tags", &i.tags)?;
        st.serialize_field("valid", &i.valid)?;
        st.serialize_field("disabled", &i.disabled)?;
        st.serialize_field("events_enabled", &i.events_enabled)?;
        st.serialize_field("configuration", &i.configuration)?;
        st.serialize_field(
            "configuration_secrets",
            &ClearSecrets(&i.configuration_secrets),
        )?;
        st.serialize_field("element", &i.element)?;
        st.serialize_field("element_id", &i.element_id)?;
        st.serialize_field("created_date", &i.created_date)?;
        st.serialize_field("user_id", &i.user_id)?;
        st.serialize_field("extra", &i.extra)?;
        st.end()
    }
}

impl Serialize for WithSecrets<'_, [Instance]> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(WithSecrets))
    }
}

impl Serialize for WithSecrets<'_, InstancePage> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let p = self.0;
        let mut st = s.serialize_struct("InstancePage", 4)?;
        st.serialize_field("instances", &WithSecrets(p.instances.as_slice()))?;
        st.serialize_field("next_page", &p.next_page)?;
        st.serialize_field("total_count", &p.total_count)?;
        st.serialize_field("returned_count", &p.returned_count)?;
        st.end()
    }
}

/// Secret configuration values in clear, as a map keyed as in `configuration`.
struct ClearSecrets<'a>(&'a BTreeMap<String, Secret>);

impl Serialize for ClearSecrets<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v.expose())))
    }
}

fn serialize_masked<S: serde::Serializer>(token: &InstanceToken, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&token.masked())
}

/// One page of `GET /instances`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstancePage {
    /// The instances on this page.
    pub instances: Vec<Instance>,
    /// The `Elements-Next-Page-Token` header: pass it as [`ListQuery::next_page`](super::ListQuery::next_page).
    pub next_page: Option<String>,
    /// `Elements-Total-Count`: how many match in all, when sent.
    pub total_count: Option<u64>,
    /// `Elements-Returned-Count`: how many this page holds, when sent.
    pub returned_count: Option<u64>,
}

/// An event Cloud Elements recorded for an instance (`GET /instances/{id}/events`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceEvent {
    /// The event's id (a string in the platform's schema, a number in older answers; kept as
    /// text).
    pub id: String,
    /// `NEW`, `RECEIVED`, `DISPATCHED`, `CONSUMED`, `NOTIFIED`, or another string.
    pub status: Option<String>,
    /// `eventDate`, as given.
    pub event_date: Option<String>,
    /// `providerData`: what the provider sent, as text (the platform's schema types it a string).
    pub provider_data: Option<String>,
    /// The whole object as received, except that values under secret names read `********`.
    pub raw: Value,
}

/// One page of `GET /instances/{id}/events` or `GET /instances/events`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceEventPage {
    /// The events on this page.
    pub events: Vec<InstanceEvent>,
    /// `Elements-Next-Page-Token`: pass it as [`PageQuery::next_page`](super::PageQuery::next_page).
    pub next_page: Option<String>,
    /// `Elements-Total-Count`, when sent.
    pub total_count: Option<u64>,
    /// `Elements-Returned-Count`, when sent.
    pub returned_count: Option<u64>,
}

/// One entry of `GET /instances/{id}/configuration`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigurationEntry {
    /// The entry's id: the `configId` of [`update_configuration_request`](super::update_configuration_request).
    pub id: u64,
    /// The configuration key, such as `event.notification.enabled`.
    pub key: String,
    /// The value as text (secrets come back as `********`), or null.
    pub property_value: Option<String>,
    /// The display name, when given.
    pub name: Option<String>,
    /// Every other field, unchanged.
    pub extra: Map<String, Value>,
}

/// Reads the answer of create, get, PUT or PATCH: one instance.
pub fn parse_instance(response: &HttpResponse) -> Result<Instance, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    Ok(instance_from(&doc, &value, Path::ROOT)?)
}

/// Reads the answer of `GET /instances`: an array of instances and the next-page header.
pub fn parse_instance_page(response: &HttpResponse) -> Result<InstancePage, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    let Value::Array(items) = &value else {
        return Err(doc
            .wrong_type(Path::ROOT, "an array of instances", &value)
            .into());
    };
    let mut instances = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        instances.push(instance_from(&doc, item, Path::ROOT.index(i))?);
    }
    let (next_page, total_count, returned_count) = page_headers(&doc, response)?;
    Ok(InstancePage {
        instances,
        next_page,
        total_count,
        returned_count,
    })
}

/// Reads the answer of `GET /instances/{id}/events`.
pub fn parse_instance_events(response: &HttpResponse) -> Result<Vec<InstanceEvent>, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    Ok(events_from(&doc, &value)?)
}

fn events_from(
    doc: &Doc<'_>,
    value: &Value,
) -> Result<Vec<InstanceEvent>, crate::error::ParseError> {
    let Value::Array(items) = &value else {
        return Err(doc.wrong_type(Path::ROOT, "an array of events", value));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(event_from(doc, item, Path::ROOT.index(i))?);
    }
    Ok(out)
}

/// Reads a page of `GET /instances/{id}/events` or `GET /instances/events`: the events and
/// the paging headers.
pub fn parse_instance_event_page(response: &HttpResponse) -> Result<InstanceEventPage, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    let events = events_from(&doc, &value)?;
    let (next_page, total_count, returned_count) = page_headers(&doc, response)?;
    Ok(InstanceEventPage {
        events,
        next_page,
        total_count,
        returned_count,
    })
}

/// Reads the answer of `GET /instances/{id}/events/{eventId}`: one event.
pub fn parse_instance_event(response: &HttpResponse) -> Result<InstanceEvent, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    Ok(event_from(&doc, &value, Path::ROOT)?)
}

fn event_from(
    doc: &Doc<'_>,
    item: &Value,
    path: Path<'_>,
) -> Result<InstanceEvent, crate::error::ParseError> {
    let obj = doc.object(item, path)?;
    let id = doc
        .opt_id(obj, path, "id")?
        .ok_or_else(|| doc.missing(path.key("id"), "the event id"))?;
    let provider_data = match field(obj, "providerData") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        // Older answers carry an object: kept as its JSON text, as the schema's string would be.
        Some(v @ (Value::Object(_) | Value::Array(_))) => Some(v.to_string()),
        Some(other) => {
            return Err(doc.wrong_type(path.key("providerData"), "a string or an object", other))
        }
    };
    let mut raw = item.clone();
    mask_json(&mut raw);
    Ok(InstanceEvent {
        id,
        status: doc.opt_str(obj, path, "status")?.map(str::to_string),
        event_date: doc.opt_str(obj, path, "eventDate")?.map(str::to_string),
        provider_data,
        raw,
    })
}

/// Reads the answer of `GET /instances/{id}/configuration`: an array of entries.
pub fn parse_configuration(response: &HttpResponse) -> Result<Vec<ConfigurationEntry>, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    let Value::Array(items) = &value else {
        return Err(doc
            .wrong_type(Path::ROOT, "an array of configuration entries", &value)
            .into());
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(configuration_from(&doc, item, Path::ROOT.index(i))?);
    }
    Ok(out)
}

/// Reads the answer of `PATCH /instances/{id}/configuration/{configId}`: one entry.
pub fn parse_configuration_entry(response: &HttpResponse) -> Result<ConfigurationEntry, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    Ok(configuration_from(&doc, &value, Path::ROOT)?)
}

fn configuration_from(
    doc: &Doc<'_>,
    item: &Value,
    path: Path<'_>,
) -> Result<ConfigurationEntry, crate::error::ParseError> {
    let obj = doc.object(item, path)?;
    let id = match field(obj, "id") {
        None | Some(Value::Null) => {
            return Err(doc.missing(path.key("id"), "the configuration entry id (a number)"))
        }
        Some(v) => doc.u64_value(v, path.key("id"))?,
    };
    let key = doc.req_str(obj, path, "key")?.to_string();
    let property_value = match field(obj, "propertyValue") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(doc.wrong_type(path.key("propertyValue"), "a string or null", other))
        }
    };
    let extra = obj
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "id" | "key" | "propertyValue" | "name"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(ConfigurationEntry {
        id,
        key,
        property_value,
        name: doc.opt_str(obj, path, "name")?.map(str::to_string),
        extra,
    })
}

/// Reads an answer whose body does not matter (delete, enable, disable): only the status.
pub fn parse_empty(response: &HttpResponse) -> Result<(), Error> {
    if response.is_success() {
        Ok(())
    } else {
        Err(Error::Api(Box::new(ApiError::from_response(response))))
    }
}

const INSTANCE_KNOWN: &[&str] = &[
    "id",
    "name",
    "token",
    "tags",
    "valid",
    "disabled",
    "eventsEnabled",
    "configuration",
    "element",
    "elementId",
    "createdDate",
    "user",
];

fn instance_from(
    doc: &Doc<'_>,
    value: &Value,
    path: Path<'_>,
) -> Result<Instance, crate::error::ParseError> {
    let obj = doc.object(value, path)?;
    let id = match field(obj, "id") {
        None | Some(Value::Null) => {
            return Err(doc.missing(path.key("id"), "the instance id (a number)"))
        }
        Some(v) => doc.u64_value(v, path.key("id"))?,
    };
    let name = doc
        .opt_str(obj, path, "name")?
        .unwrap_or_default()
        .to_string();
    let token = InstanceToken::new(doc.req_str(obj, path, "token")?);
    let tags = match field(obj, "tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let tpath = path.key("tags");
            let mut tags = Vec::with_capacity(items.len());
            for (i, t) in items.iter().enumerate() {
                match t {
                    Value::String(s) => tags.push(s.clone()),
                    other => return Err(doc.wrong_type(tpath.index(i), "a string", other)),
                }
            }
            tags
        }
        Some(other) => return Err(doc.wrong_type(path.key("tags"), "an array of strings", other)),
    };
    let mut configuration = BTreeMap::new();
    let mut configuration_secrets = BTreeMap::new();
    match field(obj, "configuration") {
        None | Some(Value::Null) => {}
        Some(Value::Object(c)) => {
            for (k, v) in c {
                let text = match v {
                    Value::Null => None,
                    Value::String(s) => Some(s.clone()),
                    Value::Bool(b) => Some(b.to_string()),
                    Value::Number(n) => Some(n.to_string()),
                    other => {
                        return Err(doc.wrong_type(
                            path.key("configuration").key(k),
                            "a string or null",
                            other,
                        ))
                    }
                };
                let text = match text {
                    Some(t) if is_secret_name(k) => {
                        configuration_secrets.insert(k.clone(), Secret::new(t));
                        Some(MASK.to_string())
                    }
                    other => other,
                };
                configuration.insert(k.clone(), text);
            }
        }
        Some(other) => return Err(doc.wrong_type(path.key("configuration"), "an object", other)),
    }
    let element = match field(obj, "element") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let epath = path.key("element");
            let e = doc.object(v, epath)?;
            Some(ElementInfo {
                id: doc.opt_u64(e, epath, "id")?,
                key: doc.opt_str(e, epath, "key")?.map(str::to_string),
                name: doc.opt_str(e, epath, "name")?.map(str::to_string),
                hub: doc.opt_str(e, epath, "hub")?.map(str::to_string),
            })
        }
    };
    let user_id = match field(obj, "user") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let upath = path.key("user");
            let u = doc.object(v, upath)?;
            doc.opt_u64(u, upath, "id")?
        }
    };
    let events_enabled = match doc.opt_bool(obj, path, "eventsEnabled")? {
        Some(b) => b,
        None => configuration
            .get(KEY_EVENTS_ENABLED)
            .is_some_and(|v| v.as_deref() == Some("true")),
    };
    let extra = obj
        .iter()
        .filter(|(k, _)| !INSTANCE_KNOWN.contains(&k.as_str()))
        .map(|(k, v)| {
            let mut v = v.clone();
            mask_entry(k, &mut v);
            (k.clone(), v)
        })
        .collect();
    Ok(Instance {
        id,
        name,
        token,
        tags,
        // Unknown is not valid: an answer without `valid` must not pass for a working instance.
        valid: doc.opt_bool(obj, path, "valid")?.unwrap_or(false),
        disabled: doc.opt_bool(obj, path, "disabled")?.unwrap_or(false),
        events_enabled,
        configuration,
        configuration_secrets,
        element,
        element_id: doc.opt_u64(obj, path, "elementId")?,
        created_date: doc.opt_str(obj, path, "createdDate")?.map(str::to_string),
        user_id,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_secrets_shows_what_the_plain_form_hides() {
        let body = br#"{"id": 3, "name": "n", "token": "TOKEN-123456789", "extra_field": 1,
            "configuration": {"oauth.api.secret": "AS-1", "oauth.api.key": "k"}}"#;
        let page = parse_instance_page(&HttpResponse::new(
            200,
            vec![],
            [b"[", &body[..], b"]"].concat(),
        ))
        .expect("parses");
        let v = serde_json::to_value(WithSecrets(&page)).expect("serializes");
        let i = &v["instances"][0];
        let keys: Vec<&str> = i
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "name",
                "token",
                "token_masked",
                "tags",
                "valid",
                "disabled",
                "events_enabled",
                "configuration",
                "configuration_secrets",
                "element",
                "element_id",
                "created_date",
                "user_id",
                "extra"
            ]
        );
        assert_eq!(
            (i["token"].as_str(), i["token_masked"].as_str()),
            (Some("TOKEN-123456789"), Some("TOKE********"))
        );
        assert_eq!(i["configuration"]["oauth.api.secret"], "********");
        assert_eq!(
            i["configuration_secrets"],
            serde_json::json!({"oauth.api.secret": "AS-1"})
        );
        assert_eq!(v["next_page"], Value::Null);
        let plain = serde_json::to_value(&page.instances[0]).expect("serializes");
        assert_eq!(plain["token"], "TOKE********");
        assert!(plain.get("configuration_secrets").is_none());
        assert_eq!(page.instances[0].to_value_with_token(), *i);
    }
}
