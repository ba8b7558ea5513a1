//! [`CreateInstanceBuilder`]: a body from typed fields, checked by the same rules as JSON.

use serde_json::Value;

use super::body::CreateInstance;
use crate::config::Secret;
use crate::error::Error;
use crate::fields::*;
use crate::redact::mask_entry;

impl CreateInstance {
    /// Starts a body from the required fields: instance name, the OAuth code from the callback,
    /// the callback URL of step 1, and the Hootsuite app's client id and secret.
    pub fn builder(
        name: impl Into<String>,
        code: impl Into<Secret>,
        callback_url: impl Into<String>,
        api_key: impl Into<String>,
        api_secret: impl Into<Secret>,
    ) -> CreateInstanceBuilder {
        CreateInstanceBuilder {
            name: name.into(),
            code: code.into(),
            callback_url: callback_url.into(),
            api_key: api_key.into(),
            api_secret: api_secret.into(),
            events: None,
            signature_key: None,
            vendor_type: None,
            tags: None,
            configuration: Vec::new(),
        }
    }
}

/// Builds a [`CreateInstance`]; [`CreateInstanceBuilder::build`] runs the same rules as
/// [`validate`](super::validate).
///
/// ```
/// use hootsuite_events::instance::CreateInstance;
/// let body = CreateInstance::builder("API Instance", "xoz8AFqScK2ngM04kSSM",
///         "https://mycoolapp.com/auth", "client-id", "client-secret")
///     .events("https://mycoolapp.com/events")
///     .signature_key("MySecretEventSignatureKey")
///     .tag("Docs")
///     .build()?;
/// assert!(body.events_enabled());
/// assert!(body.warnings().is_empty());
/// # Ok::<(), hootsuite_events::Error>(())
/// ```
#[derive(Clone)]
pub struct CreateInstanceBuilder {
    name: String,
    code: Secret,
    callback_url: String,
    api_key: String,
    api_secret: Secret,
    events: Option<String>,
    signature_key: Option<Secret>,
    vendor_type: Option<String>,
    tags: Option<Vec<String>>,
    configuration: Vec<(String, Value)>,
}

/// The fields with every secret masked, extra configuration keys included.
impl std::fmt::Debug for CreateInstanceBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let configuration: Vec<(&str, Value)> = self
            .configuration
            .iter()
            .map(|(k, v)| {
                let mut v = v.clone();
                mask_entry(k, &mut v);
                (k.as_str(), v)
            })
            .collect();
        f.debug_struct("CreateInstanceBuilder")
            .field("name", &self.name)
            .field("code", &self.code)
            .field(
                "callback_url",
                &crate::redact::redact_url(&self.callback_url),
            )
            .field("api_key", &self.api_key)
            .field("api_secret", &self.api_secret)
            .field("events", &self.events)
            .field("signature_key", &self.signature_key)
            .field("vendor_type", &self.vendor_type)
            .field("tags", &self.tags)
            .field("configuration", &configuration)
            .finish()
    }
}

impl CreateInstanceBuilder {
    /// Enables events, delivered to `callback_url`.
    pub fn events(mut self, callback_url: impl Into<String>) -> Self {
        self.events = Some(callback_url.into());
        self
    }
    /// Sets the signature key that makes Cloud Elements sign each event.
    pub fn signature_key(mut self, key: impl Into<Secret>) -> Self {
        self.signature_key = Some(key.into());
        self
    }
    /// Sets `event.vendor.type` (`webhook` or `polling`).
    pub fn vendor_type(mut self, vendor_type: impl Into<String>) -> Self {
        self.vendor_type = Some(vendor_type.into());
        self
    }
    /// Adds a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.get_or_insert_with(Vec::new).push(tag.into());
        self
    }
    /// Sets any other configuration key (they pass through unchanged).
    pub fn configuration(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.configuration.push((key.into(), value.into()));
        self
    }
    /// Checks the body; all problems come back in [`Error::Invalid`].
    pub fn build(self) -> Result<CreateInstance, Error> {
        use crate::jsonv::{Map, Value as V};
        let mut config = Map::new();
        config.insert(KEY_CALLBACK_URL.into(), self.callback_url.into());
        config.insert(KEY_API_KEY.into(), self.api_key.into());
        config.insert(KEY_API_SECRET.into(), self.api_secret.expose().into());
        config.insert(KEY_EVENTS_ENABLED.into(), self.events.is_some().into());
        if let Some(url) = self.events {
            config.insert(KEY_EVENT_CALLBACK_URL.into(), url.into());
        }
        if let Some(key) = self.signature_key {
            config.insert(KEY_SIGNATURE_KEY.into(), key.expose().into());
        }
        if let Some(t) = self.vendor_type {
            config.insert(KEY_VENDOR_TYPE.into(), t.into());
        }
        for (k, v) in self.configuration {
            config.insert(k, crate::json::to_jsonv(&v));
        }
        let mut element = Map::new();
        element.insert("key".into(), ELEMENT_KEY.into());
        let mut provider = Map::new();
        provider.insert("code".into(), self.code.expose().into());
        let mut body = Map::new();
        body.insert("element".into(), element.into());
        body.insert("providerData".into(), provider.into());
        body.insert("configuration".into(), config.into());
        if let Some(tags) = self.tags {
            let tags: Vec<V> = tags.into_iter().map(V::from).collect();
            body.insert("tags".into(), tags.into());
        }
        body.insert("name".into(), self.name.into());
        CreateInstance::from_jsonv(&V::Object(body))
    }
}
