//! Step 3 and after: creating a Hootsuite element instance, and managing it.
//!
//! [`validate`] holds the rule set that every binding shares (Python, Node and the browser run
//! this very code); [`CreateInstance`] is a body that passed it. The request builders take a
//! [`Config`] and return [`HttpRequest`]s; the parsers take [`HttpResponse`]s.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::{BaseUrl, Config, InstanceToken, Secret};
use crate::error::{ApiError, Error};
use crate::json::{field, type_name, Doc, Limits, Path};
use crate::redact::{is_secret_name, mask_json, MASK};
use crate::request::{HttpRequest, HttpResponse, Method};
use crate::url::{describe, is_loopback_host, parse_http_url};
use crate::validate::{did_you_mean, ValidationReport};

/// The element key of Hootsuite at Cloud Elements.
pub const ELEMENT_KEY: &str = "hootsuite";

/// `oauth.callback.url`: the callback URL registered at Hootsuite.
pub const KEY_CALLBACK_URL: &str = "oauth.callback.url";
/// `oauth.api.key`: the REST API client id.
pub const KEY_API_KEY: &str = "oauth.api.key";
/// `oauth.api.secret`: the REST API client secret.
pub const KEY_API_SECRET: &str = "oauth.api.secret";
/// `event.notification.enabled`: whether Cloud Elements sends events.
pub const KEY_EVENTS_ENABLED: &str = "event.notification.enabled";
/// `event.notification.callback.url`: where Cloud Elements POSTs events.
pub const KEY_EVENT_CALLBACK_URL: &str = "event.notification.callback.url";
/// `event.notification.signature.key`: the key that signs each event.
pub const KEY_SIGNATURE_KEY: &str = "event.notification.signature.key";
/// `event.vendor.type`: `webhook` or `polling`.
pub const KEY_VENDOR_TYPE: &str = "event.vendor.type";

/// A field of the create-instance body, as the Cloud Elements UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Where the field sits in the body.
    pub path: &'static [&'static str],
    /// The UI label, when the UI shows the field.
    pub label: Option<&'static str>,
    /// What the field is for.
    pub description: &'static str,
    /// Whether it is required (the event callback URL is required only with events on).
    pub required: bool,
    /// Whether its value is a secret.
    pub secret: bool,
}

/// Every documented field of the create-instance body, in the order of the built body.
/// The JSON Schema ([`crate::schema`]) and the validation messages are made from this table.
pub const FIELDS: &[Field] = &[
    Field {
        path: &["element", "key"],
        label: None,
        description: "The element key: always `hootsuite`.",
        required: true,
        secret: false,
    },
    Field {
        path: &["providerData", "code"],
        label: None,
        description: "The OAuth authorization grant code from the callback (step 2). Single use.",
        required: true,
        secret: true,
    },
    Field {
        path: &["configuration", KEY_CALLBACK_URL],
        label: Some("API Callback URL"),
        description:
            "The callback URL registered at Hootsuite; the same `callbackUrl` as in step 1.",
        required: true,
        secret: false,
    },
    Field {
        path: &["configuration", KEY_API_KEY],
        label: Some("REST API Client ID"),
        description: "The REST API client id of your Hootsuite app.",
        required: true,
        secret: false,
    },
    Field {
        path: &["configuration", KEY_API_SECRET],
        label: Some("REST API Client Secret"),
        description: "The REST API client secret of your Hootsuite app.",
        required: true,
        secret: true,
    },
    Field {
        path: &["configuration", KEY_EVENTS_ENABLED],
        label: Some("Events Enabled"),
        description: "Whether Cloud Elements sends events for this instance. Default false.",
        required: false,
        secret: false,
    },
    Field {
        path: &["configuration", KEY_EVENT_CALLBACK_URL],
        label: Some("Event Notification Callback URL"),
        description:
            "Where Cloud Elements POSTs event notifications. Required when events are enabled.",
        required: false,
        secret: false,
    },
    Field {
        path: &["configuration", KEY_SIGNATURE_KEY],
        label: Some("Callback Notification Signature Key"),
        description: "Makes Cloud Elements sign each event (Elements-Webhook-Signature).",
        required: false,
        secret: true,
    },
    Field {
        path: &["configuration", KEY_VENDOR_TYPE],
        label: None,
        description: "How Cloud Elements gets events from Hootsuite: `webhook` or `polling`.",
        required: false,
        secret: false,
    },
    Field {
        path: &["tags"],
        label: Some("Tags"),
        description: "User-defined tags for the instance.",
        required: false,
        secret: false,
    },
    Field {
        path: &["name"],
        label: Some("Name"),
        description: "The name of the instance.",
        required: true,
        secret: false,
    },
];

/// `retrieveObjectsAfterInstantiation`: a documented optional boolean of the create body
/// (the platform's "authenticate an instance" page).
pub const KEY_RETRIEVE_OBJECTS: &str = "retrieveObjectsAfterInstantiation";

const TOP_LEVEL: &[&str] = &[
    "element",
    "providerData",
    "configuration",
    "tags",
    "name",
    KEY_RETRIEVE_OBJECTS,
];
const KNOWN_CONFIG: &[&str] = &[
    KEY_CALLBACK_URL,
    KEY_API_KEY,
    KEY_API_SECRET,
    KEY_EVENTS_ENABLED,
    KEY_EVENT_CALLBACK_URL,
    KEY_SIGNATURE_KEY,
    KEY_VENDOR_TYPE,
];

fn label_of(key: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|f| f.path.last() == Some(&key))
        .and_then(|f| f.label)
}

/// How a field is named in messages: its UI label with the key, or the key alone.
fn display(key: &str) -> String {
    match label_of(key) {
        Some(label) => format!("{label} (`{key}`)"),
        None => format!("`{key}`"),
    }
}

/// A create-instance body that passed [`validate`]: what `POST /instances` sends.
///
/// Make one with [`CreateInstance::builder`], or from JSON with [`CreateInstance::from_json`] /
/// [`CreateInstance::from_value`]. The warnings found while checking it stay available.
#[derive(Clone, PartialEq)]
pub struct CreateInstance {
    name: String,
    code: Secret,
    callback_url: String,
    api_key: String,
    api_secret: Secret,
    events_enabled: bool,
    event_callback_url: Option<String>,
    signature_key: Option<Secret>,
    vendor_type: Option<String>,
    tags: Option<Vec<String>>,
    extra_provider_data: Map<String, Value>,
    extra_configuration: Map<String, Value>,
    extra_fields: Map<String, Value>,
    warnings: Vec<crate::validate::Issue>,
}

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

    /// Reads and checks a body from JSON text; all problems come back in [`Error::Invalid`].
    pub fn from_json(text: &str) -> Result<Self, Error> {
        // `from_slice` like every other reader of the crate: one JSON reader in the wasm build.
        match serde_json::from_slice::<Value>(text.as_bytes()) {
            Ok(v) => Self::from_value(&v),
            Err(e) => Err(Error::Invalid(ValidationReport::syntax(&e))),
        }
    }

    /// Checks a body given as a JSON value.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let (report, body) = check(value);
        body.ok_or(Error::Invalid(report))
    }

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

/// Builds a [`CreateInstance`]; [`CreateInstanceBuilder::build`] runs the same rules as
/// [`validate`].
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

/// The fields with every secret masked, extra configuration keys included.
impl std::fmt::Debug for CreateInstanceBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let configuration: Vec<(&str, Value)> = self
            .configuration
            .iter()
            .map(|(k, v)| {
                let mut v = v.clone();
                if is_secret_name(k) && !v.is_null() {
                    v = MASK.into();
                } else {
                    mask_json(&mut v);
                }
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
            config.insert(k, v);
        }
        let mut body = Map::new();
        body.insert("element".into(), serde_json::json!({ "key": ELEMENT_KEY }));
        body.insert(
            "providerData".into(),
            serde_json::json!({ "code": self.code.expose() }),
        );
        body.insert("configuration".into(), Value::Object(config));
        if let Some(tags) = self.tags {
            body.insert("tags".into(), tags.into());
        }
        body.insert("name".into(), self.name.into());
        CreateInstance::from_value(&Value::Object(body))
    }
}

/// Checks a create-instance body and returns every problem at once.
///
/// ```
/// use hootsuite_events::instance::validate_json;
/// // The events page's own cURL example lacks a comma:
/// let report = validate_json(r#"{"configuration": {"oauth.api.secret": "x"
///     "event.notification.enabled": true}}"#);
/// assert!(!report.valid);
/// assert_eq!(report.errors[0].code, "json_syntax");
/// assert_eq!((report.errors[0].line, report.errors[0].column), (Some(2), Some(5)));
/// ```
pub fn validate(value: &Value) -> ValidationReport {
    check(value).0
}

/// [`validate`], plus the check that only a caller holding both can make: `oauth.callback.url`
/// must equal the `callbackUrl` of step 1 ([`crate::oauth::RedirectUrlParams::callback_url`]),
/// since Hootsuite binds the OAuth code to the redirect URI it was issued for (`callback_mismatch`).
///
/// ```
/// use hootsuite_events::instance::validate_with_callback;
/// let body = serde_json::json!({"element": {"key": "hootsuite"}, "providerData": {"code": "c"},
///     "name": "n", "configuration": {"oauth.callback.url": "https://app.example/cb2",
///     "oauth.api.key": "k", "oauth.api.secret": "s"}});
/// let report = validate_with_callback(&body, "https://app.example/cb");
/// assert_eq!(report.errors[0].code, "callback_mismatch");
/// ```
pub fn validate_with_callback(value: &Value, step1_callback_url: &str) -> ValidationReport {
    let mut r = validate(value);
    let given = value
        .get("configuration")
        .and_then(|c| c.get(KEY_CALLBACK_URL))
        .and_then(Value::as_str);
    if let Some(given) = given {
        if given != step1_callback_url {
            r.error(
                Path::ROOT.key("configuration").key(KEY_CALLBACK_URL),
                "callback_mismatch",
                label_of(KEY_CALLBACK_URL),
                format!("{} `{}` differs from the `callbackUrl` of step 1 (`{}`); Hootsuite only accepts the code for the redirect URI it was issued to, so both must be the same URL", display(KEY_CALLBACK_URL), crate::redact::redact_url(given), crate::redact::redact_url(step1_callback_url)),
            );
        }
    }
    r
}

/// [`validate`], and with step 1's callback URL also [`validate_with_callback`]'s check: what
/// the bindings call with an optional callback URL.
pub fn validate_against(value: &Value, step1_callback_url: Option<&str>) -> ValidationReport {
    match step1_callback_url {
        Some(cb) => validate_with_callback(value, cb),
        None => validate(value),
    }
}

/// [`validate_against`] for JSON text: malformed JSON gives one `json_syntax` error.
pub fn validate_json_against(text: &str, step1_callback_url: Option<&str>) -> ValidationReport {
    match serde_json::from_slice::<Value>(text.as_bytes()) {
        Ok(v) => validate_against(&v, step1_callback_url),
        Err(e) => ValidationReport::syntax(&e),
    }
}

/// [`validate`] for JSON text: malformed JSON gives one `json_syntax` error with line and column.
pub fn validate_json(text: &str) -> ValidationReport {
    match serde_json::from_slice::<Value>(text.as_bytes()) {
        Ok(v) => validate(&v),
        Err(e) => ValidationReport::syntax(&e),
    }
}

/// The body's root object, or a `type` error naming `what` it should have been.
fn root_object<'v>(
    r: &mut ValidationReport,
    value: &'v Value,
    what: &str,
) -> Option<&'v Map<String, Value>> {
    let obj = value.as_object();
    if obj.is_none() {
        r.error(
            Path::ROOT,
            "type",
            None,
            format!("{what} must be a JSON object, found {}", type_name(value)),
        );
    }
    obj
}

/// The rule set: validates and, when there is no error, extracts the typed body in one pass.
fn check(value: &Value) -> (ValidationReport, Option<CreateInstance>) {
    let mut r = ValidationReport::new();
    let root = Path::ROOT;
    let Some(obj) = root_object(&mut r, value, "the create-instance body") else {
        return (r, None);
    };

    // element.key
    let element = root.key("element");
    match field(obj, "element") {
        None => r.error(
            element,
            "required",
            None,
            "`element` is required: {\"key\": \"hootsuite\"}".into(),
        ),
        Some(Value::Object(e)) => match field(e, "key") {
            None => r.error(
                element.key("key"),
                "required",
                None,
                "`element.key` is required; expected \"hootsuite\"".into(),
            ),
            Some(Value::String(k)) if k == ELEMENT_KEY => {}
            Some(Value::String(k)) => r.error(
                element.key("key"),
                "invalid_element",
                None,
                format!("`element.key` must be \"hootsuite\", found \"{k}\""),
            ),
            Some(other) => r.error(
                element.key("key"),
                "type",
                None,
                format!(
                    "`element.key` must be the string \"hootsuite\", found {}",
                    type_name(other)
                ),
            ),
        },
        Some(other) => r.error(
            element,
            "type",
            None,
            format!(
                "`element` must be an object like {{\"key\": \"hootsuite\"}}, found {}",
                type_name(other)
            ),
        ),
    }

    // providerData.code
    let provider = root.key("providerData");
    let mut code = None;
    let mut extra_provider_data = Map::new();
    match field(obj, "providerData") {
        None => r.error(
            provider.key("code"),
            "required",
            None,
            "`providerData.code` is required: the authorization grant code from the OAuth callback"
                .into(),
        ),
        Some(Value::Object(p)) => {
            code = required_string(
                &mut r,
                p,
                provider,
                "code",
                Some("`providerData.code`"),
                None,
                "the authorization grant code from the OAuth callback",
            );
            for (k, v) in p.iter().filter(|(k, _)| *k != "code") {
                extra_provider_data.insert(k.clone(), v.clone());
            }
        }
        Some(other) => r.error(
            provider,
            "type",
            None,
            format!(
                "`providerData` must be an object like {{\"code\": \"...\"}}, found {}",
                type_name(other)
            ),
        ),
    }

    // configuration
    let cpath = root.key("configuration");
    let empty = Map::new();
    let config = match field(obj, "configuration") {
        None => Some(&empty),
        Some(Value::Object(c)) => Some(c),
        Some(other) => {
            r.error(
                cpath,
                "type",
                None,
                format!(
                    "`configuration` must be an object, found {}",
                    type_name(other)
                ),
            );
            None
        }
    };
    let mut c = ConfigValues::default();
    if let Some(config) = config {
        c = check_configuration(&mut r, config, cpath, false);
    }

    // tags
    let tags = field(obj, "tags").and_then(|v| check_tags(&mut r, v, root.key("tags")));

    // name
    let name = required_string(
        &mut r,
        obj,
        root,
        "name",
        Some("Name (`name`)"),
        Some("Name"),
        "the name of the instance",
    );

    // retrieveObjectsAfterInstantiation: documented, sent as given when it is a boolean.
    let mut extra_fields = Map::new();
    match field(obj, KEY_RETRIEVE_OBJECTS) {
        None => {}
        Some(v @ Value::Bool(_)) => {
            extra_fields.insert(KEY_RETRIEVE_OBJECTS.into(), v.clone());
        }
        Some(other) => r.error(
            root.key(KEY_RETRIEVE_OBJECTS),
            "type",
            None,
            format!(
                "`{KEY_RETRIEVE_OBJECTS}` must be true or false, found {}",
                type_name(other)
            ),
        ),
    }

    // unknown top-level fields
    for (k, v) in obj.iter().filter(|(k, _)| !TOP_LEVEL.contains(&k.as_str())) {
        let hint = match did_you_mean(k, TOP_LEVEL) {
            Some(s) => format!("; did you mean `{s}`?"),
            None => "; it is sent as given".to_string(),
        };
        r.warning(
            root.key(k),
            "unknown_field",
            None,
            format!("unknown field `{k}`{hint}"),
        );
        extra_fields.insert(k.clone(), v.clone());
    }

    if !r.errors.is_empty() {
        return (r, None);
    }
    let (Some(code), Some(name), Some(callback_url), Some(api_key), Some(api_secret)) =
        (code, name, c.callback_url, c.api_key, c.api_secret)
    else {
        // Unreachable in practice: each missing piece above reported an error.
        return (r, None);
    };
    let body = CreateInstance {
        name: name.to_string(),
        code: Secret::new(code),
        callback_url: callback_url.to_string(),
        api_key: api_key.to_string(),
        api_secret: Secret::new(api_secret),
        events_enabled: c.events_enabled,
        event_callback_url: c.event_callback_url.map(str::to_string),
        signature_key: c.signature_key.map(Secret::new),
        vendor_type: c.vendor_type.map(str::to_string),
        tags,
        extra_provider_data,
        extra_configuration: c.extra,
        extra_fields,
        warnings: r.warnings.clone(),
    };
    (r, Some(body))
}

/// Checks the body of `PATCH /instances/{id}`: any of `name`, `tags`, `configuration` (only
/// the keys present are checked, with the same rules as [`validate`]) and `providerData.code`.
/// Fields the API does not update by PATCH are warned about.
///
/// ```
/// use hootsuite_events::instance::validate_update;
/// let report = validate_update(&serde_json::json!({
///     "configuration": {"event.notification.callback.url": "https;//x"}}));
/// assert_eq!(report.errors[0].code, "invalid_url");
/// ```
pub fn validate_update(value: &Value) -> ValidationReport {
    validate_update_checked(value)
}

/// [`validate_update`] for JSON text: malformed JSON gives one `json_syntax` error.
pub fn validate_update_json(text: &str) -> ValidationReport {
    match serde_json::from_slice::<Value>(text.as_bytes()) {
        Ok(v) => validate_update(&v),
        Err(e) => ValidationReport::syntax(&e),
    }
}

fn validate_update_checked(value: &Value) -> ValidationReport {
    let mut r = ValidationReport::new();
    let root = Path::ROOT;
    let Some(obj) = root_object(&mut r, value, "the update body") else {
        return r;
    };
    for (k, v) in obj {
        let path = root.key(k);
        match (k.as_str(), v) {
            ("name", _) => {
                required_string(
                    &mut r,
                    obj,
                    root,
                    "name",
                    Some("Name (`name`)"),
                    Some("Name"),
                    "the name of the instance",
                );
            }
            ("tags", v) => {
                check_tags(&mut r, v, path);
            }
            ("configuration", Value::Object(c)) => {
                check_configuration(&mut r, c, path, true);
            }
            ("configuration", other) => r.error(
                path,
                "type",
                None,
                format!(
                    "`configuration` must be an object, found {}",
                    type_name(other)
                ),
            ),
            ("providerData", Value::Object(p)) => {
                required_string(
                    &mut r,
                    p,
                    path,
                    "code",
                    Some("`providerData.code`"),
                    None,
                    "the authorization grant code from the OAuth callback",
                );
            }
            ("providerData", other) => r.error(
                path,
                "type",
                None,
                format!(
                    "`providerData` must be an object like {{\"code\": \"...\"}}, found {}",
                    type_name(other)
                ),
            ),
            _ => {
                let hint = did_you_mean(k, &["name", "tags", "configuration", "providerData"])
                    .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
                r.warning(
                    path,
                    "unknown_field",
                    None,
                    format!("`{k}` is not updated by PATCH{hint}"),
                );
            }
        }
    }
    r
}

#[derive(Default)]
struct ConfigValues<'v> {
    callback_url: Option<&'v str>,
    api_key: Option<&'v str>,
    api_secret: Option<&'v str>,
    events_enabled: bool,
    event_callback_url: Option<&'v str>,
    signature_key: Option<&'v str>,
    vendor_type: Option<&'v str>,
    extra: Map<String, Value>,
}

fn check_configuration<'v>(
    r: &mut ValidationReport,
    config: &'v Map<String, Value>,
    cpath: Path<'_>,
    partial: bool,
) -> ConfigValues<'v> {
    // In a partial update only the keys present are checked.
    let skip = |key: &str| partial && !config.contains_key(key);
    let mut c = ConfigValues {
        callback_url: if skip(KEY_CALLBACK_URL) {
            None
        } else {
            required_string(
                r,
                config,
                cpath,
                KEY_CALLBACK_URL,
                None,
                label_of(KEY_CALLBACK_URL),
                "the callback URL registered at Hootsuite",
            )
        },
        ..ConfigValues::default()
    };
    if let Some(url) = c.callback_url {
        if !check_url(r, cpath.key(KEY_CALLBACK_URL), KEY_CALLBACK_URL, url) {
            c.callback_url = None;
        }
    }
    c.api_key = if skip(KEY_API_KEY) {
        None
    } else {
        required_string(
            r,
            config,
            cpath,
            KEY_API_KEY,
            None,
            label_of(KEY_API_KEY),
            "the REST API Client ID of your Hootsuite app",
        )
    };
    c.api_secret = if skip(KEY_API_SECRET) {
        None
    } else {
        required_string(
            r,
            config,
            cpath,
            KEY_API_SECRET,
            None,
            label_of(KEY_API_SECRET),
            "the REST API Client Secret of your Hootsuite app",
        )
    };

    let enabled_label = label_of(KEY_EVENTS_ENABLED);
    let mut enabled_known = true;
    match field(config, KEY_EVENTS_ENABLED) {
        None => {}
        Some(Value::Bool(b)) => c.events_enabled = *b,
        Some(Value::String(s)) if s == "true" => c.events_enabled = true,
        Some(Value::String(s)) if s == "false" => c.events_enabled = false,
        Some(other) => {
            enabled_known = false;
            let found = match other {
                Value::String(s) => format!("\"{s}\""),
                v => type_name(v).to_string(),
            };
            r.error(cpath.key(KEY_EVENTS_ENABLED), "invalid_boolean", enabled_label, format!("{} must be true or false (a JSON boolean, or the string \"true\" or \"false\"), found {found}", display(KEY_EVENTS_ENABLED)));
        }
    }

    let cb_path = cpath.key(KEY_EVENT_CALLBACK_URL);
    let cb_label = label_of(KEY_EVENT_CALLBACK_URL);
    match field(config, KEY_EVENT_CALLBACK_URL) {
        None if c.events_enabled && !partial => r.error(
            cb_path,
            "required",
            cb_label,
            format!(
                "{} is required when Events Enabled is true: where Cloud Elements sends events",
                display(KEY_EVENT_CALLBACK_URL)
            ),
        ),
        None => {}
        Some(Value::String(s)) if s.trim().is_empty() && (c.events_enabled || !enabled_known) => r
            .error(
                cb_path,
                "blank",
                cb_label,
                format!(
                    "{} must not be blank when Events Enabled is true",
                    display(KEY_EVENT_CALLBACK_URL)
                ),
            ),
        Some(Value::String(s)) if s.trim().is_empty() => {}
        Some(Value::String(s)) if is_placeholder(s) => {
            placeholder(r, cb_path, cb_label, &display(KEY_EVENT_CALLBACK_URL))
        }
        Some(Value::String(s)) if check_url(r, cb_path, KEY_EVENT_CALLBACK_URL, s) => {
            if partial && is_platform_webhook_url(s) {
                r.warning(cb_path, "callback_loop", cb_label, format!("{} is Cloud Elements' own Hootsuite webhook endpoint (`/events/hootsuite`), where Hootsuite posts: notifications would loop back to the platform. Use your receiver's URL", display(KEY_EVENT_CALLBACK_URL)));
            }
            c.event_callback_url = Some(s);
        }
        Some(Value::String(_)) => {}
        Some(other) => r.error(
            cb_path,
            "type",
            cb_label,
            format!(
                "{} must be a URL string, found {}",
                display(KEY_EVENT_CALLBACK_URL),
                type_name(other)
            ),
        ),
    }

    let key_path = cpath.key(KEY_SIGNATURE_KEY);
    let key_label = label_of(KEY_SIGNATURE_KEY);
    match field(config, KEY_SIGNATURE_KEY) {
        None if c.events_enabled && !partial => r.warning(key_path, "unsigned_events", key_label, format!("events are enabled without {}: anyone who learns the callback URL can forge events", display(KEY_SIGNATURE_KEY))),
        None => {}
        Some(Value::String(s)) if s.trim().is_empty() => r.error(key_path, "blank", key_label, format!("{} must not be blank; leave it out to send unsigned events", display(KEY_SIGNATURE_KEY))),
        Some(Value::String(s)) if is_placeholder(s) => {
            placeholder(r, key_path, key_label, &display(KEY_SIGNATURE_KEY))
        }
        Some(Value::String(s)) => c.signature_key = Some(s),
        Some(other) => r.error(key_path, "type", key_label, format!("{} must be a string, found {}", display(KEY_SIGNATURE_KEY), type_name(other))),
    }

    let vt_path = cpath.key(KEY_VENDOR_TYPE);
    match field(config, KEY_VENDOR_TYPE) {
        None => {}
        Some(Value::String(s)) if s == "webhook" => c.vendor_type = Some(s),
        Some(Value::String(s)) if s == "polling" => {
            r.warning(vt_path, "polling_unsupported", None, "`event.vendor.type` \"polling\": Hootsuite events are webhook-only (pushed to the webhook URL of step 4), so none would arrive; use \"webhook\"".into());
            c.vendor_type = Some(s);
        }
        Some(Value::String(s)) if s == "webhooks" => {
            r.warning(vt_path, "vendor_type_spelling", None, "`event.vendor.type` \"webhooks\": Cloud Elements' pages write \"webhook\" and \"webhooks\" about equally; its own test suite sets \"webhook\", the safer choice".into());
            c.vendor_type = Some(s);
        }
        Some(Value::String(s)) => r.error(
            vt_path,
            "invalid_enum",
            None,
            format!("`event.vendor.type` must be \"webhook\" or \"polling\", found \"{s}\""),
        ),
        Some(other) => r.error(
            vt_path,
            "type",
            None,
            format!(
                "`event.vendor.type` must be the string \"webhook\" or \"polling\", found {}",
                type_name(other)
            ),
        ),
    }

    for (k, v) in config
        .iter()
        .filter(|(k, _)| !KNOWN_CONFIG.contains(&k.as_str()))
    {
        if let Some(s) = did_you_mean(k, KNOWN_CONFIG) {
            r.warning(
                cpath.key(k),
                "unknown_key",
                None,
                format!("unknown configuration key `{k}`; did you mean `{s}`? It is sent as given"),
            );
        }
        c.extra.insert(k.clone(), v.clone());
    }
    c
}

/// `tags`: an array of non-blank strings. Returns the tags when the array is well-formed
/// enough to keep.
fn check_tags(r: &mut ValidationReport, value: &Value, path: Path<'_>) -> Option<Vec<String>> {
    let Value::Array(items) = value else {
        r.error(
            path,
            "type",
            Some("Tags"),
            format!(
                "`tags` must be an array of strings such as [\"Docs\"], found {}",
                type_name(value)
            ),
        );
        return None;
    };
    let mut tags = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if s.trim().is_empty() => r.error(
                path.index(i),
                "blank",
                Some("Tags"),
                "a tag must not be blank".into(),
            ),
            Value::String(s) => tags.push(s.clone()),
            other => r.error(
                path.index(i),
                "type",
                Some("Tags"),
                format!("a tag must be a string, found {}", type_name(other)),
            ),
        }
    }
    Some(tags)
}

/// A required, non-blank string; reports `required`, `type` or `blank`.
fn required_string<'v>(
    r: &mut ValidationReport,
    obj: &'v Map<String, Value>,
    parent: Path<'_>,
    key: &str,
    // How the field is named in messages; `None` for its label and key (made only on error).
    shown: Option<&str>,
    label: Option<&'static str>,
    what: &str,
) -> Option<&'v str> {
    let path = parent.key(key);
    let shown = || shown.map_or_else(|| display(key), str::to_string);
    match field(obj, key) {
        None => {
            r.error(
                path,
                "required",
                label,
                format!("{} is required: {what}", shown()),
            );
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            r.error(
                path,
                "blank",
                label,
                format!("{} must not be blank: {what}", shown()),
            );
            None
        }
        Some(Value::String(s)) if is_placeholder(s) => {
            placeholder(r, path, label, &shown());
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            r.error(
                path,
                "type",
                label,
                format!("{} must be a string, found {}", shown(), type_name(other)),
            );
            None
        }
    }
}

/// A value copied from a documentation example: `<...>` as a whole (`<CONSUMER_KEY>`,
/// `<INSERT_USER_SECRET>`, `<Authorization Grant Code>`).
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    v.len() > 2 && v.starts_with('<') && v.ends_with('>') && !v[1..v.len() - 1].contains(['<', '>'])
}

/// The `placeholder` error; the value is not quoted, since the field may be a secret.
fn placeholder(r: &mut ValidationReport, path: Path<'_>, label: Option<&'static str>, shown: &str) {
    r.error(
        path,
        "placeholder",
        label,
        format!(
            "{shown} is a placeholder from the documentation (`<...>`); put the real value there"
        ),
    );
}

/// Whether a URL is Cloud Elements' own Hootsuite webhook endpoint (`…/elements/api-v2/events/hootsuite[/…]`):
/// as the final event callback URL it would send every notification back to the platform.
pub fn is_platform_webhook_url(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .trim_end_matches('/');
    let needle = "/elements/api-v2/events/hootsuite";
    match path.find(needle) {
        Some(at) => {
            let rest = &path[at + needle.len()..];
            rest.is_empty() || (rest.starts_with('/') && !rest[1..].contains('/'))
        }
        None => false,
    }
}

/// URL rules: absolute http(s) with a host (error), plain http off loopback (warning).
fn check_url(r: &mut ValidationReport, path: Path<'_>, key: &str, url: &str) -> bool {
    match parse_http_url(url) {
        Ok(u) => {
            if !u.secure && !is_loopback_host(u.host) {
                r.warning(path, "insecure_url", label_of(key), format!("{} uses plain http: secrets and events would cross the network unencrypted; use https", display(key)));
            }
            true
        }
        Err(problem) => {
            r.error(
                path,
                "invalid_url",
                label_of(key),
                format!("{} {}", display(key), describe(url, &problem)),
            );
            false
        }
    }
}

/// `POST /instances` with the body, platform authorization.
pub fn create_request(config: &Config, body: &CreateInstance) -> HttpRequest {
    HttpRequest::new(
        Method::Post,
        config.base_url().join("/instances"),
        config.platform_authorization(),
    )
    .with_json(body)
}

/// `GET /instances/{id}`.
pub fn get_request(config: &Config, id: u64) -> HttpRequest {
    HttpRequest::new(
        Method::Get,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
}

/// `DELETE /instances/{id}`, with platform authorization only (no Element token), as the docs
/// require.
pub fn delete_request(config: &Config, id: u64) -> HttpRequest {
    HttpRequest::new(
        Method::Delete,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
}

/// `PUT /instances/{id}/enabled` (enable) or `DELETE /instances/{id}/enabled` (disable).
pub fn set_enabled_request(config: &Config, id: u64, enabled: bool) -> HttpRequest {
    let method = if enabled { Method::Put } else { Method::Delete };
    HttpRequest::new(
        method,
        instance_url(config, id, "/enabled"),
        config.platform_authorization(),
    )
}

/// `PUT /instances/{id}` with a full create body: re-authenticates with a new code.
pub fn reauthenticate_request(config: &Config, id: u64, body: &CreateInstance) -> HttpRequest {
    HttpRequest::new(
        Method::Put,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
    .with_json(body)
}

/// `PATCH /instances/{id}` with `{"providerData": {"code": ...}}`: re-authenticates with a
/// new OAuth code and keeps everything else.
pub fn reauthenticate_code_request(
    config: &Config,
    id: u64,
    code: &Secret,
) -> Result<HttpRequest, Error> {
    if code.is_blank() {
        return Err(Error::InvalidArgument {
            field: "code".into(),
            reason: "is empty; expected the authorization grant code from the OAuth callback"
                .into(),
        });
    }
    let body = serde_json::json!({ "providerData": { "code": code.expose() } });
    Ok(HttpRequest::new(
        Method::Patch,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
    .with_json(&body))
}

/// `PATCH /instances/{id}` setting `event.notification.callback.url`: the second phase of the
/// event wiring (see [`hootsuite_webhook_url`]).
pub fn update_event_callback_request(
    config: &Config,
    id: u64,
    url: &str,
) -> Result<HttpRequest, Error> {
    if let Err(problem) = parse_http_url(url) {
        return Err(Error::InvalidArgument {
            field: KEY_EVENT_CALLBACK_URL.into(),
            reason: describe(url, &problem),
        });
    }
    // The builder has no warning channel, and this URL is never right as the final one.
    if is_platform_webhook_url(url) {
        return Err(Error::InvalidArgument {
            field: KEY_EVENT_CALLBACK_URL.into(),
            reason: format!("`{}` is Cloud Elements' own Hootsuite webhook endpoint (`/events/hootsuite`), where Hootsuite sends events; as the final callback URL every notification would loop back to the platform. Expected your receiver's URL", crate::redact::redact_url(url)),
        });
    }
    let body = serde_json::json!({ "configuration": { KEY_EVENT_CALLBACK_URL: url } });
    Ok(HttpRequest::new(
        Method::Patch,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
    .with_json(&body))
}

/// `PATCH /instances/{id}` setting `event.notification.enabled`: events are switched on and off
/// through configuration; there is no separate endpoint.
pub fn set_events_request(config: &Config, id: u64, enabled: bool) -> HttpRequest {
    let body = serde_json::json!({ "configuration": { KEY_EVENTS_ENABLED: enabled } });
    HttpRequest::new(
        Method::Patch,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
    .with_json(&body)
}

/// `PATCH /instances/{id}` setting `event.notification.signature.key`: a key rotation.
/// Deliveries Cloud Elements signed before keep their signature through their retries (about
/// 73 hours), so verify with the new key first and the previous one after
/// ([`crate::signature::Verifier::with_keys`]) until then.
pub fn set_signature_key_request(
    config: &Config,
    id: u64,
    key: &Secret,
) -> Result<HttpRequest, Error> {
    if key.is_blank() {
        return Err(Error::InvalidArgument {
            field: KEY_SIGNATURE_KEY.into(),
            reason: "is empty; expected the new signature key (leave events unsigned by not setting one)".into(),
        });
    }
    let body = serde_json::json!({ "configuration": { KEY_SIGNATURE_KEY: key.expose() } });
    Ok(HttpRequest::new(
        Method::Patch,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
    .with_json(&body))
}

/// `GET /instances/{id}/events`: events received for the instance (the first page, at the
/// platform's default page size). [`events_page_request`] pages through them.
pub fn events_request(config: &Config, id: u64) -> HttpRequest {
    events_page_request(config, Some(id), &PageQuery::default())
}

/// Paging of the event lists: `pageSize` and `nextPage` (the `Elements-Next-Page-Token` of the
/// previous page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// The page size (`pageSize`).
    pub page_size: Option<u32>,
    /// The token of the page to read (`nextPage`), from [`InstanceEventPage::next_page`].
    pub next_page: Option<String>,
}

impl PageQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(n) = self.page_size {
            q.push(("pageSize", n.to_string()));
        }
        if let Some(p) = &self.next_page {
            q.push(("nextPage", p.clone()));
        }
        q
    }
}

/// `GET /instances/{id}/events` with `id`, or `GET /instances/events` (every instance of the
/// account) without; read the answer with [`parse_instance_event_page`].
pub fn events_page_request(config: &Config, id: Option<u64>, query: &PageQuery) -> HttpRequest {
    let path = match id {
        Some(id) => format!("/instances/{id}/events"),
        None => "/instances/events".to_string(),
    };
    let url = crate::oauth::with_query(config.base_url().join(&path), &query.pairs());
    HttpRequest::new(Method::Get, url, config.platform_authorization())
}

/// `GET /instances/{id}/events/{eventId}` with `id`, or `GET /instances/events/{eventId}`
/// without: one event, which is how a receiver checks what a notification claims (the
/// notification's `eventId`). Read the answer with [`parse_instance_event`].
pub fn event_request(
    config: &Config,
    id: Option<u64>,
    event_id: &str,
) -> Result<HttpRequest, Error> {
    let segment = path_segment("event_id", event_id, "the `eventId` of a notification")?;
    let path = match id {
        Some(id) => format!("/instances/{id}/events/{segment}"),
        None => format!("/instances/events/{segment}"),
    };
    Ok(HttpRequest::new(
        Method::Get,
        config.base_url().join(&path),
        config.platform_authorization(),
    ))
}

/// A value that goes into one path segment: not blank, percent-encoded.
fn path_segment(field: &str, value: &str, expected: &str) -> Result<String, Error> {
    if value.trim().is_empty() {
        return Err(Error::InvalidArgument {
            field: field.into(),
            reason: format!("is empty; expected {expected}"),
        });
    }
    Ok(percent_encoding::utf8_percent_encode(value, crate::oauth::QUERY).to_string())
}

/// `GET /instances/{id}/configuration`: the instance's configuration entries, each with the
/// `id` that [`update_configuration_request`] needs. Read it with [`parse_configuration`].
pub fn configuration_request(config: &Config, id: u64) -> HttpRequest {
    HttpRequest::new(
        Method::Get,
        instance_url(config, id, "/configuration"),
        config.platform_authorization(),
    )
}

/// `PATCH /instances/{id}/configuration/{configId}` with `{"propertyValue": value}`: changes
/// one configuration value. The answer is the entry ([`parse_configuration_entry`]).
pub fn update_configuration_request(
    config: &Config,
    id: u64,
    config_id: u64,
    property_value: &str,
) -> HttpRequest {
    let body = serde_json::json!({ "propertyValue": property_value });
    HttpRequest::new(
        Method::Patch,
        instance_url(config, id, &format!("/configuration/{config_id}")),
        config.platform_authorization(),
    )
    .with_json(&body)
}

/// Query of `GET /instances`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only instances with all these tags (`tags[]`).
    pub tags: Vec<String>,
    /// Free-text search (`searchText`).
    pub search_text: Option<String>,
    /// The page size (`pageSize`).
    pub page_size: Option<u32>,
    /// The token of the page to read (`nextPage`), from [`InstancePage::next_page`].
    pub next_page: Option<String>,
    /// Whether to return full objects (`hydrate`).
    pub hydrate: Option<bool>,
}

/// `GET /instances` with the query; read the answer with [`parse_instance_page`].
pub fn list_request(config: &Config, query: &ListQuery) -> HttpRequest {
    let mut q: Vec<(&str, String)> = Vec::new();
    for t in &query.tags {
        q.push(("tags[]", t.clone()));
    }
    if let Some(s) = &query.search_text {
        q.push(("searchText", s.clone()));
    }
    if let Some(n) = query.page_size {
        q.push(("pageSize", n.to_string()));
    }
    if let Some(p) = &query.next_page {
        q.push(("nextPage", p.clone()));
    }
    if let Some(h) = query.hydrate {
        q.push(("hydrate", h.to_string()));
    }
    let url = crate::oauth::with_query(config.base_url().join("/instances"), &q);
    HttpRequest::new(Method::Get, url, config.platform_authorization())
}

fn instance_url(config: &Config, id: u64, suffix: &str) -> String {
    config.base_url().join(&format!("/instances/{id}{suffix}"))
}

/// The URL to paste into the "Webhook URL" of the Hootsuite app:
/// `<base URL>/events/hootsuite/<Base64 of the decimal instance id>`.
///
/// No source shows a worked example; this uses the standard Base64 alphabet with padding.
///
/// ```
/// use hootsuite_events::{BaseUrl, instance::hootsuite_webhook_url};
/// assert_eq!(hootsuite_webhook_url(&BaseUrl::us(), 12345),
///     "https://api.cloud-elements.com/elements/api-v2/events/hootsuite/MTIzNDU=");
/// ```
pub fn hootsuite_webhook_url(base_url: &BaseUrl, instance_id: u64) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(instance_id.to_string());
    base_url.join(&format!("/events/{ELEMENT_KEY}/{encoded}"))
}

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
    /// The `Elements-Next-Page-Token` header: pass it as [`ListQuery::next_page`].
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
    /// `Elements-Next-Page-Token`: pass it as [`PageQuery::next_page`].
    pub next_page: Option<String>,
    /// `Elements-Total-Count`, when sent.
    pub total_count: Option<u64>,
    /// `Elements-Returned-Count`, when sent.
    pub returned_count: Option<u64>,
}

/// One entry of `GET /instances/{id}/configuration`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigurationEntry {
    /// The entry's id: the `configId` of [`update_configuration_request`].
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

/// Checks the status (non-2xx gives [`Error::Api`]) and reads the JSON body.
pub(crate) fn read_json<'b>(
    response: &'b HttpResponse,
    limits: &Limits,
) -> Result<(Doc<'b>, Value), Error> {
    if !response.is_success() {
        return Err(Error::Api(Box::new(ApiError::from_response(response))));
    }
    Ok(Doc::parse(&response.body, limits)?)
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

/// The paging headers: next-page token, total count, returned count.
type PageHeaders = (Option<String>, Option<u64>, Option<u64>);

/// The paging headers of an answer. A count that is not a number is an error, not a silent
/// `None`.
pub(crate) fn page_headers(
    doc: &Doc<'_>,
    response: &HttpResponse,
) -> Result<PageHeaders, crate::error::ParseError> {
    let next_page = response
        .header("Elements-Next-Page-Token")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let count = |name: &str| match response.header(name).map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
            doc.error(
                crate::error::ParseErrorKind::Value,
                Path::ROOT,
                format!("the `{name}` header is `{v}`; expected a non-negative integer"),
            )
        }),
    };
    Ok((
        next_page,
        count("Elements-Total-Count")?,
        count("Elements-Returned-Count")?,
    ))
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
            if is_secret_name(k) && !v.is_null() {
                v = MASK.into();
            } else {
                mask_json(&mut v);
            }
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
mod platform_tests {
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

    #[test]
    fn final_callback_pointing_at_the_platform_is_a_loop() {
        let loop_url = "https://api.cloud-elements.com/elements/api-v2/events/hootsuite/MTIz";
        let report = validate_update(&serde_json::json!({
            "configuration": { KEY_EVENT_CALLBACK_URL: loop_url }
        }));
        assert!(report.is_valid());
        assert_eq!(report.warnings.len(), 1);
        assert_eq!(report.warnings[0].code, "callback_loop");
        // Phase one of the documented wiring creates the instance with this very URL: no warning.
        let ok = validate_update(&serde_json::json!({
            "configuration": { KEY_EVENT_CALLBACK_URL: "https://app.example/events/hootsuite" }
        }));
        assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
        assert!(is_platform_webhook_url(
            "http://127.0.0.1:9/elements/api-v2/events/hootsuite"
        ));
        assert!(!is_platform_webhook_url(
            "https://app.example/elements/api-v2/events/hootsuite/a/b"
        ));
    }
}
