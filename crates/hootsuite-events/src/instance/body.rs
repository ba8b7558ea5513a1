//! [`CreateInstance`]: a create-instance body that passed the rules, and how it is written.

use serde::Serialize;

use crate::config::Secret;
use crate::fields::*;
use crate::jsonv::{Map, Value};
use crate::redact::mask_json;

/// A create-instance body that passed [`validate`](super::validate): what `POST /instances` sends.
///
/// Make one with [`CreateInstance::builder`], or from JSON with [`CreateInstance::from_json`] /
/// [`CreateInstance::from_value`]. The warnings found while checking it stay available.
#[derive(Clone, PartialEq)]
pub struct CreateInstance {
    pub(super) name: String,
    pub(super) code: Secret,
    pub(super) callback_url: String,
    pub(super) api_key: String,
    pub(super) api_secret: Secret,
    pub(super) events_enabled: bool,
    pub(super) event_callback_url: Option<String>,
    pub(super) signature_key: Option<Secret>,
    pub(super) vendor_type: Option<String>,
    pub(super) tags: Option<Vec<String>>,
    pub(super) extra_provider_data: Map,
    pub(super) extra_configuration: Map,
    pub(super) extra_fields: Map,
    pub(super) warnings: Vec<crate::validate::Issue>,
}

impl CreateInstance {
    /// The instance name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The OAuth code.
    pub fn code(&self) -> &Secret {
        &self.code
    }
    /// `oauth.callback.url`.
    pub fn callback_url(&self) -> &str {
        &self.callback_url
    }
    /// `oauth.api.key`.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }
    /// Whether events are enabled.
    pub fn events_enabled(&self) -> bool {
        self.events_enabled
    }
    /// `event.notification.callback.url`.
    pub fn event_callback_url(&self) -> Option<&str> {
        self.event_callback_url.as_deref()
    }
    /// Whether a signature key is set.
    pub fn has_signature_key(&self) -> bool {
        self.signature_key.is_some()
    }
    /// The tags, when given.
    pub fn tags(&self) -> Option<&[String]> {
        self.tags.as_deref()
    }
    /// The warnings found when the body was checked.
    pub fn warnings(&self) -> &[crate::validate::Issue] {
        &self.warnings
    }

    /// The body as JSON, in a stable key order (element, providerData, configuration, tags,
    /// name, then unknown fields as given), with `event.notification.enabled` a JSON boolean.
    pub fn to_value(&self) -> serde_json::Value {
        crate::json::from_jsonv(&self.to_jsonv())
    }

    /// The body as the form path's JSON value: [`CreateInstance::to_value`]'s order, numbers
    /// of passed-through fields as given.
    pub fn to_jsonv(&self) -> Value {
        let mut provider = Map::new();
        provider.insert("code".into(), self.code.expose().into());
        for (k, v) in self.extra_provider_data.iter() {
            provider.insert(k.clone(), v.clone());
        }
        let mut config = Map::new();
        config.insert(KEY_CALLBACK_URL.into(), self.callback_url.as_str().into());
        config.insert(KEY_API_KEY.into(), self.api_key.as_str().into());
        config.insert(KEY_API_SECRET.into(), self.api_secret.expose().into());
        config.insert(KEY_EVENTS_ENABLED.into(), self.events_enabled.into());
        if let Some(url) = &self.event_callback_url {
            config.insert(KEY_EVENT_CALLBACK_URL.into(), url.as_str().into());
        }
        if let Some(key) = &self.signature_key {
            config.insert(KEY_SIGNATURE_KEY.into(), key.expose().into());
        }
        if let Some(t) = &self.vendor_type {
            config.insert(KEY_VENDOR_TYPE.into(), t.as_str().into());
        }
        for (k, v) in self.extra_configuration.iter() {
            config.insert(k.clone(), v.clone());
        }
        let mut element = Map::new();
        element.insert("key".into(), ELEMENT_KEY.into());
        let mut body = Map::new();
        body.insert("element".into(), element.into());
        body.insert("providerData".into(), provider.into());
        body.insert("configuration".into(), config.into());
        if let Some(tags) = &self.tags {
            let tags: Vec<Value> = tags.iter().map(|t| t.as_str().into()).collect();
            body.insert("tags".into(), tags.into());
        }
        body.insert("name".into(), self.name.as_str().into());
        for (k, v) in self.extra_fields.iter() {
            body.insert(k.clone(), v.clone());
        }
        body.into()
    }

    /// The body as sent (secrets included): compact JSON text of [`CreateInstance::to_jsonv`],
    /// written straight from the fields rather than through a tree.
    pub fn to_json(&self) -> String {
        use crate::jsonv::{write_json, write_str};
        let mut out = String::with_capacity(512);
        let entry = |out: &mut String, first: bool, key: &str| {
            if !first {
                out.push(',');
            }
            write_str(out, key);
            out.push(':');
        };
        out.push_str("{\"element\":{\"key\":");
        write_str(&mut out, ELEMENT_KEY);
        out.push_str("},\"providerData\":{");
        entry(&mut out, true, "code");
        write_str(&mut out, self.code.expose());
        for (k, v) in self.extra_provider_data.iter() {
            entry(&mut out, false, k);
            write_json(&mut out, v);
        }
        out.push_str("},\"configuration\":{");
        entry(&mut out, true, KEY_CALLBACK_URL);
        write_str(&mut out, &self.callback_url);
        entry(&mut out, false, KEY_API_KEY);
        write_str(&mut out, &self.api_key);
        entry(&mut out, false, KEY_API_SECRET);
        write_str(&mut out, self.api_secret.expose());
        entry(&mut out, false, KEY_EVENTS_ENABLED);
        out.push_str(if self.events_enabled { "true" } else { "false" });
        for (key, value) in [
            (KEY_EVENT_CALLBACK_URL, self.event_callback_url.as_deref()),
            (
                KEY_SIGNATURE_KEY,
                self.signature_key.as_ref().map(Secret::expose),
            ),
            (KEY_VENDOR_TYPE, self.vendor_type.as_deref()),
        ] {
            if let Some(value) = value {
                entry(&mut out, false, key);
                write_str(&mut out, value);
            }
        }
        for (k, v) in self.extra_configuration.iter() {
            entry(&mut out, false, k);
            write_json(&mut out, v);
        }
        out.push('}');
        if let Some(tags) = &self.tags {
            out.push_str(",\"tags\":[");
            for (i, t) in tags.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(&mut out, t);
            }
            out.push(']');
        }
        entry(&mut out, false, "name");
        write_str(&mut out, &self.name);
        for (k, v) in self.extra_fields.iter() {
            entry(&mut out, false, k);
            write_json(&mut out, v);
        }
        out.push('}');
        out
    }
}

/// The body as sent — secrets included — as [`CreateInstance::to_value`] gives it.
impl Serialize for CreateInstance {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

/// The body with every secret masked (any configuration key, not only the documented ones).
impl std::fmt::Debug for CreateInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut body = self.to_value();
        mask_json(&mut body);
        f.debug_struct("CreateInstance")
            .field("body", &format_args!("{body}"))
            .field("warnings", &self.warnings.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The direct writer and the tree must give the same bytes, extras and all.
    #[test]
    fn to_json_writes_what_the_tree_holds() {
        let text = r#"{"element":{"key":"hootsuite"},"name":"n \"q\" é","tags":["a","b\n"],
            "providerData":{"code":"c","state":{"x":[1e5,null]}},"zz":1.50,
            "retrieveObjectsAfterInstantiation":true,
            "configuration":{"oauth.callback.url":"https://app.example/cb",
            "oauth.api.key":"k","oauth.api.secret":"s","event.notification.enabled":"true",
            "event.notification.callback.url":"https://app.example/ev",
            "event.notification.signature.key":"0123456789abcdef0123",
            "event.vendor.type":"webhook","other":18446744073709551617}}"#;
        let body = CreateInstance::from_json(text).expect("valid body");
        assert_eq!(body.to_json(), body.to_jsonv().to_json());
        assert!(body.to_json().contains("\"other\":18446744073709551617"));
        let bare = CreateInstance::from_json(
            r#"{"element":{"key":"hootsuite"},"name":"n","providerData":{"code":"c"},
            "configuration":{"oauth.callback.url":"https://app.example/cb",
            "oauth.api.key":"k","oauth.api.secret":"s"}}"#,
        )
        .expect("valid body");
        assert_eq!(bare.to_json(), bare.to_jsonv().to_json());
    }
}
