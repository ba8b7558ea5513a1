//! [`CreateInstance`]: a create-instance body that passed the rules, and how it is written.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::Secret;
use crate::fields::*;
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
    pub(super) extra_provider_data: Map<String, Value>,
    pub(super) extra_configuration: Map<String, Value>,
    pub(super) extra_fields: Map<String, Value>,
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
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The body as sent — secrets included — in the stable key order of [`CreateInstance::to_value`],
/// written straight from the struct (no intermediate `Value`).
impl Serialize for CreateInstance {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        struct Element;
        impl Serialize for Element {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("key", ELEMENT_KEY)?;
                m.end()
            }
        }
        struct Provider<'a>(&'a CreateInstance);
        impl Serialize for Provider<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(1 + self.0.extra_provider_data.len()))?;
                m.serialize_entry("code", self.0.code.expose())?;
                for (k, v) in &self.0.extra_provider_data {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        struct Configuration<'a>(&'a CreateInstance);
        impl Serialize for Configuration<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let b = self.0;
                let mut m = s.serialize_map(None)?;
                m.serialize_entry(KEY_CALLBACK_URL, &b.callback_url)?;
                m.serialize_entry(KEY_API_KEY, &b.api_key)?;
                m.serialize_entry(KEY_API_SECRET, b.api_secret.expose())?;
                m.serialize_entry(KEY_EVENTS_ENABLED, &b.events_enabled)?;
                if let Some(url) = &b.event_callback_url {
                    m.serialize_entry(KEY_EVENT_CALLBACK_URL, url)?;
                }
                if let Some(key) = &b.signature_key {
                    m.serialize_entry(KEY_SIGNATURE_KEY, key.expose())?;
                }
                if let Some(t) = &b.vendor_type {
                    m.serialize_entry(KEY_VENDOR_TYPE, t)?;
                }
                for (k, v) in &b.extra_configuration {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("element", &Element)?;
        m.serialize_entry("providerData", &Provider(self))?;
        m.serialize_entry("configuration", &Configuration(self))?;
        if let Some(tags) = &self.tags {
            m.serialize_entry("tags", tags)?;
        }
        m.serialize_entry("name", &self.name)?;
        for (k, v) in &self.extra_fields {
            m.serialize_entry(k, v)?;
        }
        m.end()
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
