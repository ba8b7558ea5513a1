//! The rules of the create-instance and update bodies: every problem at once, with paths,
//! codes and messages.

use super::body::CreateInstance;
use crate::config::Secret;
use crate::error::Error;
use crate::fields::*;
use crate::jsonv::{self, Map};
use crate::path::Path;
use crate::text::fill;
use crate::text::{decimal, is_blank, trim};
use crate::url::{describe, is_loopback_host, parse_http_url};
use crate::validate::{did_you_mean, ValidationReport};
use crate::view::{Json, JsonObject, Node};

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

impl CreateInstance {
    /// Reads and checks a body from JSON text; all problems come back in [`Error::Invalid`].
    /// Numbers of fields passed through keep the text's spelling (`1e5` stays `1e5`).
    pub fn from_json(text: &str) -> Result<Self, Error> {
        match jsonv::from_str(text) {
            Ok(v) => Self::from_jsonv(&v),
            Err(e) => Err(Error::Invalid(ValidationReport::syntax_v(&e))),
        }
    }

    /// Checks a body given as a JSON value.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, Error> {
        let (report, body) = check(value);
        body.ok_or(Error::Invalid(report))
    }

    /// Checks a body given as the form path's JSON value ([`jsonv`]).
    pub fn from_jsonv(value: &jsonv::Value) -> Result<Self, Error> {
        let (report, body) = check(value);
        body.ok_or(Error::Invalid(report))
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
pub fn validate(value: &serde_json::Value) -> ValidationReport {
    check(value).0
}

/// [`validate`] of the form path's JSON value ([`jsonv`]).
pub fn validate_jsonv(value: &jsonv::Value) -> ValidationReport {
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
pub fn validate_with_callback(
    value: &serde_json::Value,
    step1_callback_url: &str,
) -> ValidationReport {
    check_against(value, Some(step1_callback_url))
}

/// [`validate`], and with step 1's callback URL also [`validate_with_callback`]'s check: what
/// the bindings call with an optional callback URL.
pub fn validate_against(
    value: &serde_json::Value,
    step1_callback_url: Option<&str>,
) -> ValidationReport {
    check_against(value, step1_callback_url)
}

/// [`validate_against`] of the form path's JSON value ([`jsonv`]).
pub fn validate_jsonv_against(
    value: &jsonv::Value,
    step1_callback_url: Option<&str>,
) -> ValidationReport {
    check_against(value, step1_callback_url)
}

fn check_against<J: Json>(value: &J, step1_callback_url: Option<&str>) -> ValidationReport {
    let mut r = check(value).0;
    let Some(step1_callback_url) = step1_callback_url else {
        return r;
    };
    let given = object_of(value)
        .and_then(|o| o.get("configuration"))
        .and_then(object_of)
        .and_then(|c| field::<J>(c, KEY_CALLBACK_URL));
    if let Some(Node::String(given)) = given {
        if given != step1_callback_url {
            r.error(
                Path::ROOT.key("configuration").key(KEY_CALLBACK_URL),
                "callback_mismatch",
                label_of(KEY_CALLBACK_URL),
                fill("{} `{}` differs from the `callbackUrl` of step 1 (`{}`); Hootsuite only accepts the code for the redirect URI it was issued to, so both must be the same URL", &[&display(KEY_CALLBACK_URL), &crate::redact::redact_url(given), &crate::redact::redact_url(step1_callback_url)]),
            );
        }
    }
    r
}

/// [`validate_against`] for JSON text: malformed JSON gives one `json_syntax` error.
pub fn validate_json_against(text: &str, step1_callback_url: Option<&str>) -> ValidationReport {
    match jsonv::from_str(text) {
        Ok(v) => validate_jsonv_against(&v, step1_callback_url),
        Err(e) => ValidationReport::syntax_v(&e),
    }
}

/// [`validate`] for JSON text: malformed JSON gives one `json_syntax` error with line and column.
pub fn validate_json(text: &str) -> ValidationReport {
    validate_json_against(text, None)
}

/// `map[key]`, seen as a [`Node`].
fn field<'v, J: Json + 'v>(map: &'v J::Object, key: &str) -> Option<Node<'v, J>> {
    map.get(key).map(Json::node)
}

/// The object, when `value` is one.
fn object_of<J: Json>(value: &J) -> Option<&J::Object> {
    match value.node() {
        Node::Object(o) => Some(o),
        _ => None,
    }
}

/// The body's root object, or a `type` error naming `what` it should have been.
fn root_object<'v, J: Json>(
    r: &mut ValidationReport,
    value: &'v J,
    what: &str,
) -> Option<&'v J::Object> {
    let obj = object_of(value);
    if obj.is_none() {
        r.error(
            Path::ROOT,
            "type",
            None,
            fill(
                "{} must be a JSON object, found {}",
                &[what, value.node().type_name()],
            ),
        );
    }
    obj
}

/// The rule set: validates and, when there is no error, extracts the typed body in one pass.
fn check<J: Json>(value: &J) -> (ValidationReport, Option<CreateInstance>) {
    let mut r = ValidationReport::new();
    let root = Path::ROOT;
    let Some(obj) = root_object(&mut r, value, "the create-instance body") else {
        return (r, None);
    };

    // element.key
    let element = root.key("element");
    match field::<J>(obj, "element") {
        None => r.error(
            element,
            "required",
            None,
            "`element` is required: {\"key\": \"hootsuite\"}".into(),
        ),
        Some(Node::Object(e)) => match field::<J>(e, "key") {
            None => r.error(
                element.key("key"),
                "required",
                None,
                "`element.key` is required; expected \"hootsuite\"".into(),
            ),
            Some(Node::String(k)) if k == ELEMENT_KEY => {}
            Some(Node::String(k)) => r.error(
                element.key("key"),
                "invalid_element",
                None,
                fill("`element.key` must be \"hootsuite\", found \"{}\"", &[k]),
            ),
            Some(other) => r.error(
                element.key("key"),
                "type",
                None,
                fill(
                    "`element.key` must be the string \"hootsuite\", found {}",
                    &[other.type_name()],
                ),
            ),
        },
        Some(other) => r.error(
            element,
            "type",
            None,
            fill(
                "`element` must be an object like {\"key\": \"hootsuite\"}, found {}",
                &[other.type_name()],
            ),
        ),
    }

    // providerData.code
    let provider = root.key("providerData");
    let mut code = None;
    let mut extra_provider_data = Map::new();
    match field::<J>(obj, "providerData") {
        None => r.error(
            provider.key("code"),
            "required",
            None,
            "`providerData.code` is required: the authorization grant code from the OAuth callback"
                .into(),
        ),
        Some(Node::Object(p)) => {
            code = required_string(
                &mut r,
                field::<J>(p, "code"),
                provider,
                "code",
                Some("`providerData.code`"),
                None,
                "the authorization grant code from the OAuth callback",
            );
            for (k, v) in p.entries().filter(|(k, _)| *k != "code") {
                extra_provider_data.insert(k.to_string(), v.to_jsonv());
            }
        }
        Some(other) => r.error(
            provider,
            "type",
            None,
            fill(
                "`providerData` must be an object like {\"code\": \"...\"}, found {}",
                &[other.type_name()],
            ),
        ),
    }

    // configuration
    let cpath = root.key("configuration");
    let config = match field::<J>(obj, "configuration") {
        None => None,
        Some(Node::Object(c)) => Some(c),
        Some(other) => {
            r.error(
                cpath,
                "type",
                None,
                fill(
                    "`configuration` must be an object, found {}",
                    &[other.type_name()],
                ),
            );
            None
        }
    };
    let c = match config {
        Some(config) => check_configuration::<J>(&mut r, Some(config), cpath, false),
        // No configuration at all: every required key is missing.
        None if !obj.contains_key("configuration") => {
            check_configuration::<J>(&mut r, None, cpath, false)
        }
        None => ConfigValues::default(),
    };

    // tags
    let tags = obj
        .get("tags")
        .and_then(|v| check_tags(&mut r, v, root.key("tags")));

    // name
    let name = required_string(
        &mut r,
        field::<J>(obj, "name"),
        root,
        "name",
        Some("Name (`name`)"),
        Some("Name"),
        "the name of the instance",
    );

    // retrieveObjectsAfterInstantiation: documented, sent as given when it is a boolean.
    let mut extra_fields = Map::new();
    match field::<J>(obj, KEY_RETRIEVE_OBJECTS) {
        None => {}
        Some(Node::Bool(b)) => {
            extra_fields.insert(KEY_RETRIEVE_OBJECTS.into(), b.into());
        }
        Some(other) => r.error(
            root.key(KEY_RETRIEVE_OBJECTS),
            "type",
            None,
            fill(
                "`{}` must be true or false, found {}",
                &[KEY_RETRIEVE_OBJECTS, other.type_name()],
            ),
        ),
    }

    // unknown top-level fields
    for (k, v) in obj.entries().filter(|(k, _)| !TOP_LEVEL.contains(k)) {
        let hint = match did_you_mean(k, TOP_LEVEL) {
            Some(s) => fill("; did you mean `{}`?", &[s]),
            None => "; it is sent as given".to_string(),
        };
        r.warning(
            root.key(k),
            "unknown_field",
            None,
            fill("unknown field `{}`{}", &[k, &hint]),
        );
        extra_fields.insert(k.to_string(), v.to_jsonv());
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
pub fn validate_update(value: &serde_json::Value) -> ValidationReport {
    validate_update_checked(value)
}

/// [`validate_update`] of the form path's JSON value ([`jsonv`]).
pub fn validate_update_jsonv(value: &jsonv::Value) -> ValidationReport {
    validate_update_checked(value)
}

/// [`validate_update`] for JSON text: malformed JSON gives one `json_syntax` error.
pub fn validate_update_json(text: &str) -> ValidationReport {
    match jsonv::from_str(text) {
        Ok(v) => validate_update_checked(&v),
        Err(e) => ValidationReport::syntax_v(&e),
    }
}

fn validate_update_checked<J: Json>(value: &J) -> ValidationReport {
    let mut r = ValidationReport::new();
    let root = Path::ROOT;
    let Some(obj) = root_object(&mut r, value, "the update body") else {
        return r;
    };
    for (k, v) in obj.entries() {
        let path = root.key(k);
        match (k, v.node()) {
            ("name", _) => {
                required_string(
                    &mut r,
                    field::<J>(obj, "name"),
                    root,
                    "name",
                    Some("Name (`name`)"),
                    Some("Name"),
                    "the name of the instance",
                );
            }
            ("tags", _) => {
                check_tags(&mut r, v, path);
            }
            ("configuration", Node::Object(c)) => {
                check_configuration::<J>(&mut r, Some(c), path, true);
            }
            ("configuration", other) => r.error(
                path,
                "type",
                None,
                fill(
                    "`configuration` must be an object, found {}",
                    &[other.type_name()],
                ),
            ),
            ("providerData", Node::Object(p)) => {
                required_string(
                    &mut r,
                    field::<J>(p, "code"),
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
                fill(
                    "`providerData` must be an object like {\"code\": \"...\"}, found {}",
                    &[other.type_name()],
                ),
            ),
            _ => {
                let hint = did_you_mean(k, &["name", "tags", "configuration", "providerData"])
                    .map_or_else(String::new, |s| fill("; did you mean `{}`?", &[s]));
                r.warning(
                    path,
                    "unknown_field",
                    None,
                    fill("`{}` is not updated by PATCH{}", &[k, &hint]),
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
    extra: Map,
}

/// `config` is `None` when the body has no `configuration` at all.
fn check_configuration<'v, J: Json + 'v>(
    r: &mut ValidationReport,
    config: Option<&'v J::Object>,
    cpath: Path<'_>,
    partial: bool,
) -> ConfigValues<'v> {
    let get = |key: &str| config.and_then(|c| field::<J>(c, key));
    // In a partial update only the keys present are checked.
    let skip = |key: &str| partial && get(key).is_none();
    let mut c = ConfigValues {
        callback_url: if skip(KEY_CALLBACK_URL) {
            None
        } else {
            required_string(
                r,
                get(KEY_CALLBACK_URL),
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
            get(KEY_API_KEY),
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
            get(KEY_API_SECRET),
            cpath,
            KEY_API_SECRET,
            None,
            label_of(KEY_API_SECRET),
            "the REST API Client Secret of your Hootsuite app",
        )
    };

    let enabled_label = label_of(KEY_EVENTS_ENABLED);
    let mut enabled_known = true;
    match get(KEY_EVENTS_ENABLED) {
        None => {}
        Some(Node::Bool(b)) => c.events_enabled = b,
        Some(Node::String("true")) => c.events_enabled = true,
        Some(Node::String("false")) => c.events_enabled = false,
        Some(other) => {
            enabled_known = false;
            let found = match other {
                Node::String(s) => fill("\"{}\"", &[s]),
                v => v.type_name().to_string(),
            };
            r.error(cpath.key(KEY_EVENTS_ENABLED), "invalid_boolean", enabled_label, fill("{} must be true or false (a JSON boolean, or the string \"true\" or \"false\"), found {}", &[&display(KEY_EVENTS_ENABLED), &found]));
        }
    }

    let cb_path = cpath.key(KEY_EVENT_CALLBACK_URL);
    let cb_label = label_of(KEY_EVENT_CALLBACK_URL);
    match get(KEY_EVENT_CALLBACK_URL) {
        None if c.events_enabled && !partial => r.error(
            cb_path,
            "required",
            cb_label,
            fill(
                "{} is required when Events Enabled is true: where Cloud Elements sends events",
                &[&display(KEY_EVENT_CALLBACK_URL)],
            ),
        ),
        None => {}
        Some(Node::String(s)) if is_blank(s) && (c.events_enabled || !enabled_known) => r.error(
            cb_path,
            "blank",
            cb_label,
            fill(
                "{} must not be blank when Events Enabled is true",
                &[&display(KEY_EVENT_CALLBACK_URL)],
            ),
        ),
        Some(Node::String(s)) if is_blank(s) => {}
        Some(Node::String(s)) if is_placeholder(s) => {
            placeholder(r, cb_path, cb_label, &display(KEY_EVENT_CALLBACK_URL))
        }
        Some(Node::String(s)) if check_url(r, cb_path, KEY_EVENT_CALLBACK_URL, s) => {
            if partial && is_platform_webhook_url(s) {
                r.warning(cb_path, "callback_loop", cb_label, fill("{} is Cloud Elements' own Hootsuite webhook endpoint (`/events/hootsuite`), where Hootsuite posts: notifications would loop back to the platform. Use your receiver's URL", &[&display(KEY_EVENT_CALLBACK_URL)]));
            }
            c.event_callback_url = Some(s);
        }
        Some(Node::String(_)) => {}
        Some(other) => r.error(
            cb_path,
            "type",
            cb_label,
            fill(
                "{} must be a URL string, found {}",
                &[&display(KEY_EVENT_CALLBACK_URL), other.type_name()],
            ),
        ),
    }

    let key_path = cpath.key(KEY_SIGNATURE_KEY);
    let key_label = label_of(KEY_SIGNATURE_KEY);
    match get(KEY_SIGNATURE_KEY) {
        None if c.events_enabled && !partial => r.warning(
            key_path,
            "unsigned_events",
            key_label,
            fill("events are enabled without {}: anyone who learns the callback URL can forge events", &[&display(KEY_SIGNATURE_KEY)]),
        ),
        None => {}
        Some(Node::String(s)) if is_blank(s) => r.error(
            key_path,
            "blank",
            key_label,
            fill("{} must not be blank; leave it out to send unsigned events", &[&display(KEY_SIGNATURE_KEY)]),
        ),
        Some(Node::String(s)) if is_placeholder(s) => {
            placeholder(r, key_path, key_label, &display(KEY_SIGNATURE_KEY))
        }
        Some(Node::String(s)) => {
            let chars = s.chars().count();
            if chars < MIN_SIGNATURE_KEY_CHARS {
                let length = if chars == 1 {
                    "1".to_string()
                } else {
                    decimal(chars)
                };
                let unit = if chars == 1 {
                    " character"
                } else {
                    " characters"
                };
                r.warning(key_path, "short_signature_key", key_label, fill("{} is {}{}: a short key can be guessed from one signed delivery; use a long random one (at least {} characters, such as 32 random bytes in Base64)", &[&display(KEY_SIGNATURE_KEY), &length, unit, &decimal(MIN_SIGNATURE_KEY_CHARS)]));
            }
            c.signature_key = Some(s);
        }
        Some(other) => r.error(
            key_path,
            "type",
            key_label,
            fill("{} must be a string, found {}", &[&display(KEY_SIGNATURE_KEY), other.type_name()]),
        ),
    }

    let vt_path = cpath.key(KEY_VENDOR_TYPE);
    match get(KEY_VENDOR_TYPE) {
        None => {}
        Some(Node::String(s)) if s == "webhook" => c.vendor_type = Some(s),
        Some(Node::String(s)) if s == "polling" => {
            r.warning(vt_path, "polling_unsupported", None, "`event.vendor.type` \"polling\": Hootsuite events are webhook-only (pushed to the webhook URL of step 4), so none would arrive; use \"webhook\"".into());
            c.vendor_type = Some(s);
        }
        Some(Node::String(s)) if s == "webhooks" => {
            r.warning(vt_path, "vendor_type_spelling", None, "`event.vendor.type` \"webhooks\": Cloud Elements' pages write \"webhook\" and \"webhooks\" about equally; its own test suite sets \"webhook\", the safer choice".into());
            c.vendor_type = Some(s);
        }
        Some(Node::String(s)) => r.error(
            vt_path,
            "invalid_enum",
            None,
            fill(
                "`event.vendor.type` must be \"webhook\" or \"polling\", found \"{}\"",
                &[s],
            ),
        ),
        Some(other) => r.error(
            vt_path,
            "type",
            None,
            fill(
                "`event.vendor.type` must be the string \"webhook\" or \"polling\", found {}",
                &[other.type_name()],
            ),
        ),
    }

    let entries = config.into_iter().flat_map(|c| c.entries());
    for (k, v) in entries.filter(|(k, _)| !KNOWN_CONFIG.contains(k)) {
        if let Some(s) = did_you_mean(k, KNOWN_CONFIG) {
            r.warning(
                cpath.key(k),
                "unknown_key",
                None,
                fill(
                    "unknown configuration key `{}`; did you mean `{}`? It is sent as given",
                    &[k, s],
                ),
            );
        }
        c.extra.insert(k.to_string(), v.to_jsonv());
    }
    c
}

/// `tags`: an array of non-blank strings. Returns the tags when the array is well-formed
/// enough to keep.
fn check_tags<J: Json>(r: &mut ValidationReport, value: &J, path: Path<'_>) -> Option<Vec<String>> {
    let Node::Array(items) = value.node() else {
        r.error(
            path,
            "type",
            Some("Tags"),
            fill(
                "`tags` must be an array of strings such as [\"Docs\"], found {}",
                &[value.node().type_name()],
            ),
        );
        return None;
    };
    let mut tags = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.node() {
            Node::String(s) if is_blank(s) => r.error(
                path.index(i),
                "blank",
                Some("Tags"),
                "a tag must not be blank".into(),
            ),
            Node::String(s) => tags.push(s.to_string()),
            other => r.error(
                path.index(i),
                "type",
                Some("Tags"),
                fill("a tag must be a string, found {}", &[other.type_name()]),
            ),
        }
    }
    Some(tags)
}

/// A required, non-blank string; reports `required`, `type` or `blank`.
fn required_string<'v, J: Json + 'v>(
    r: &mut ValidationReport,
    found: Option<Node<'v, J>>,
    parent: Path<'_>,
    key: &str,
    // How the field is named in messages; `None` for its label and key (made only on error).
    shown: Option<&str>,
    label: Option<&'static str>,
    what: &str,
) -> Option<&'v str> {
    let path = parent.key(key);
    let shown = || shown.map_or_else(|| display(key), str::to_string);
    match found {
        None => {
            r.error(
                path,
                "required",
                label,
                fill("{} is required: {}", &[&shown(), what]),
            );
            None
        }
        Some(Node::String(s)) if is_blank(s) => {
            r.error(
                path,
                "blank",
                label,
                fill("{} must not be blank: {}", &[&shown(), what]),
            );
            None
        }
        Some(Node::String(s)) if is_placeholder(s) => {
            placeholder(r, path, label, &shown());
            None
        }
        Some(Node::String(s)) => Some(s),
        Some(other) => {
            r.error(
                path,
                "type",
                label,
                fill(
                    "{} must be a string, found {}",
                    &[&shown(), other.type_name()],
                ),
            );
            None
        }
    }
}

/// Below this many characters a signature key gets a warning: an HMAC key is only as strong as
/// it is long and random, and one signed delivery is enough to try guesses offline.
const MIN_SIGNATURE_KEY_CHARS: usize = 16;

/// A value copied from a documentation example: `<...>` as a whole (`<CONSUMER_KEY>`,
/// `<INSERT_USER_SECRET>`, `<Authorization Grant Code>`).
fn is_placeholder(value: &str) -> bool {
    let v = trim(value);
    v.len() > 2
        && v.starts_with("<")
        && v.ends_with(">")
        && crate::search::find_any(&v[1..v.len() - 1], b"<>").is_none()
}

/// The `placeholder` error; the value is not quoted, since the field may be a secret.
fn placeholder(r: &mut ValidationReport, path: Path<'_>, label: Option<&'static str>, shown: &str) {
    r.error(
        path,
        "placeholder",
        label,
        fill(
            "{} is a placeholder from the documentation (`<...>`); put the real value there",
            &[shown],
        ),
    );
}

/// Whether a URL is Cloud Elements' own Hootsuite webhook endpoint (`…/elements/api-v2/events/hootsuite[/…]`):
/// as the final event callback URL it would send every notification back to the platform.
pub fn is_platform_webhook_url(url: &str) -> bool {
    let mut path = &url[..crate::search::find_any(url, b"?#").unwrap_or(url.len())];
    while let Some(p) = path.strip_suffix("/") {
        path = p;
    }
    let needle = "/elements/api-v2/events/hootsuite";
    match crate::search::find(path, needle) {
        Some(at) => {
            let rest = &path[at + needle.len()..];
            rest.is_empty()
                || (rest.starts_with("/") && crate::search::find_byte(&rest[1..], b'/').is_none())
        }
        None => false,
    }
}

/// URL rules: absolute http(s) with a host (error), plain http off loopback (warning).
fn check_url(r: &mut ValidationReport, path: Path<'_>, key: &str, url: &str) -> bool {
    match parse_http_url(url) {
        Ok(u) => {
            if !u.secure && !is_loopback_host(u.host) {
                r.warning(path, "insecure_url", label_of(key), fill("{} uses plain http: secrets and events would cross the network unencrypted; use https", &[&display(key)]));
            }
            true
        }
        Err(problem) => {
            r.error(
                path,
                "invalid_url",
                label_of(key),
                fill("{} {}", &[&display(key), &describe(url, &problem)]),
            );
            false
        }
    }
}

#[cfg(test)]
mod platform_tests {
    use super::*;

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
