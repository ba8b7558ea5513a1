//! The WebAssembly binding: converts values and maps errors, nothing else. Values cross the
//! boundary as JSON (the browser's own `JSON.parse`/`JSON.stringify`), which keeps the module
//! small; every rule, request and message is the core crate's. The form's results are written
//! by the core's `jsonv` writers, so the browser build carries no serde code (build.sh checks).
//!
//! Results use camelCase keys, like the Node package; raw JSON (`raw`, `extra`, configuration
//! keys) is passed through unchanged.

use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::jsonv::write_str;
use hootsuite_events::naming::camel_case;
use hootsuite_events::{BaseUrl, Config, Error, HttpRequest};
use js_sys::{Reflect, JSON};
use wasm_bindgen::prelude::*;

// The browser build is single-threaded and short-lived per call: a free list is enough there.
#[cfg(all(target_arch = "wasm32", not(feature = "full")))]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// A result as a JavaScript value, through JSON text and the browser's `JSON.parse` (small
/// and fast); a serializable struct goes straight to text, without a `Value` tree. The full
/// build's results only: the form's are written without serde.
#[cfg(feature = "full")]
fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    JSON::parse(&serde_json::to_string(value).map_err(|e| type_error(&e.to_string()))?)
}

/// A form as JSON text: a string is JSON text, any other value is written by `JSON.stringify`;
/// the rules read the text with the form path's reader (`jsonv`).
fn form_text(value: &JsValue) -> Result<String, JsValue> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    JSON::stringify(value)?
        .as_string()
        .ok_or_else(|| type_error("expected an object or JSON text"))
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// The one place where a core error becomes a JavaScript `Error`, with `name`, `code`,
/// `details` and the details' fields as camelCase properties.
fn js_error(e: Error) -> JsValue {
    let error = js_sys::Error::new(&message(&e));
    error.set_name(e.class_name());
    let target: &JsValue = error.as_ref();
    let _ = Reflect::set(target, &"code".into(), &e.code().into());
    let (text, keys) = details(&e);
    // One `JSON.parse` of the details; their fields are copied from it, not parsed again.
    if let Ok(d) = JSON::parse(&text) {
        let _ = Reflect::set(target, &"details".into(), &d);
        for k in &keys {
            let k: &str = k;
            if matches!(k, "code" | "display" | "message") {
                continue;
            }
            if let Ok(v) = Reflect::get(&d, &k.into()) {
                let _ = Reflect::set(target, &camel_case(k).into(), &v);
            }
        }
    }
    error.into()
}

/// The error's message: its `Display` text.
#[cfg(feature = "full")]
fn message(e: &Error) -> String {
    e.to_string()
}

/// The error's message, the same text as its `Display`, for the two errors the form's
/// operations raise: `Display` of the other variants (signatures, callbacks, API answers) is
/// code and text the browser never runs.
#[cfg(not(feature = "full"))]
fn message(e: &Error) -> String {
    match e {
        Error::InvalidArgument { field, reason } => ["`", field, "` ", reason].concat(),
        Error::Invalid(report) => report.to_string(),
        // Not raised by the form's operations: the stable code says which error it is.
        other => other.code().to_owned(),
    }
}

/// The error as data (JSON text) and its keys: the core's [`Error::to_value`] in the full build.
#[cfg(feature = "full")]
fn details(e: &Error) -> (String, Vec<String>) {
    let v = e.to_value();
    let keys = v
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    (v.to_string(), keys)
}

/// The error as data, for the only two errors the form's operations raise (a bad body, a bad
/// base URL), with the same keys and text as [`Error::to_value`], written without serde: the
/// other arms of that conversion are code the browser never runs. The vectors check both
/// builds give the same details.
#[cfg(not(feature = "full"))]
fn details(e: &Error) -> (String, Vec<&'static str>) {
    use hootsuite_events::Issue;
    let mut out = String::with_capacity(256);
    out.push_str("{\"code\":");
    write_str(&mut out, e.code());
    out.push_str(",\"display\":");
    write_str(&mut out, &message(e));
    let keys = match e {
        Error::InvalidArgument { field, .. } => {
            out.push_str(",\"field\":");
            write_str(&mut out, field);
            vec!["code", "display", "field"]
        }
        Error::Invalid(report) => {
            out.push_str(",\"errors\":");
            Issue::write_json_array(&mut out, &report.errors);
            out.push_str(",\"warnings\":");
            Issue::write_json_array(&mut out, &report.warnings);
            vec!["code", "display", "errors", "warnings"]
        }
        // Not raised by the form's operations: the code and the message say what it is.
        _ => vec!["code", "display"],
    };
    out.push('}');
    (out, keys)
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A create-instance body: an object, or its JSON text. */
export type CreateInstanceForm = Record<string, unknown> | string;
/** The canonical create-instance body, as Cloud Elements receives it. */
export type CreateInstanceBody = Record<string, unknown>;
/** One problem of a body: where, a stable code, the message, the form label if any. */
export interface Issue {
  path: Array<string | number>;
  code: string;
  message: string;
  label: string | null;
  line?: number | null;
  column?: number | null;
}
/** Every problem at once; `valid` when there is no error (warnings allowed). */
export interface ValidationReport {
  valid: boolean;
  errors: Issue[];
  warnings: Issue[];
}
/** A request for `fetch(url, {method, headers, body})`. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}
/** A request safe to show: secrets masked, plus a `curl` command line. */
export interface RequestPreview extends HttpRequest {
  curl: string;
}
"#;

fn create_body(form: &JsValue) -> Result<CreateInstance, JsValue> {
    CreateInstance::from_json(&form_text(form)?).map_err(js_error)
}

#[cfg(feature = "full")]
fn config(value: &JsValue) -> Result<Config, JsValue> {
    let get = |k: &str| -> Result<String, JsValue> {
        Reflect::get(value, &k.into())?
            .as_string()
            .ok_or_else(|| type_error(&format!("config.{k} must be a string")))
    };
    let base = BaseUrl::parse(&get("baseUrl")?).map_err(js_error)?;
    Config::new(base, get("userSecret")?, get("organizationSecret")?).map_err(js_error)
}

/// `{method, url, headers, body}` (and `curl` when given) as a JavaScript object, written as
/// JSON text by jsonv's string writer and read by `JSON.parse`: no serde in the browser build.
fn request_js(r: &HttpRequest, curl: Option<&str>) -> Result<JsValue, JsValue> {
    let mut out = String::with_capacity(256 + r.body.len() + curl.map_or(0, str::len));
    out.push_str("{\"method\":");
    write_str(&mut out, r.method.as_str());
    out.push_str(",\"url\":");
    write_str(&mut out, &r.url);
    out.push_str(",\"headers\":{");
    for (i, (k, v)) in r.headers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(&mut out, k);
        out.push(':');
        write_str(&mut out, v);
    }
    out.push_str("},\"body\":");
    if r.body.is_empty() {
        out.push_str("null");
    } else {
        write_str(&mut out, r.body_text());
    }
    if let Some(curl) = curl {
        out.push_str(",\"curl\":");
        write_str(&mut out, curl);
    }
    out.push('}');
    JSON::parse(&out)
}

/// Every problem of a create-instance body (an object or JSON text), as data:
/// `{valid, errors, warnings}`, each issue `{path, code, message, label}`. Never throws on
/// invalid data.
/// With `callbackUrl` (step 1's), `oauth.callback.url` must equal it (`callback_mismatch`).
#[wasm_bindgen(js_name = validateInstance, unchecked_return_type = "ValidationReport")]
pub fn validate_instance(
    #[wasm_bindgen(unchecked_param_type = "CreateInstanceForm")] form: &JsValue,
    callback_url: Option<String>,
) -> Result<JsValue, JsValue> {
    let report = instance::validate_json_against(&form_text(form)?, callback_url.as_deref());
    JSON::parse(&report.to_json())
}

/// The canonical body of a valid input; throws a `ValidationError` otherwise.
#[wasm_bindgen(js_name = buildInstanceBody, unchecked_return_type = "CreateInstanceBody")]
pub fn build_instance_body(
    #[wasm_bindgen(unchecked_param_type = "CreateInstanceForm")] form: &JsValue,
) -> Result<JsValue, JsValue> {
    JSON::parse(&create_body(form)?.to_json())
}

/// `POST /instances` for `fetch`: `{method, url, headers, body}`. `config` is
/// `{baseUrl, userSecret, organizationSecret}`: the account's secrets, so this is in the full
/// build only (servers and edge runtimes), never in the browser's.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = createInstanceRequest, unchecked_return_type = "HttpRequest")]
pub fn create_instance_request(
    #[wasm_bindgen(unchecked_param_type = "Account")] config_value: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "CreateInstanceForm")] form: &JsValue,
) -> Result<JsValue, JsValue> {
    let r = instance::create_request(&config(config_value)?, &create_body(form)?);
    request_js(&r, None)
}

/// The request `POST /instances` would be, made safe to show: built with placeholder account
/// secrets (a browser never holds the real ones), every secret masked, the body
/// pretty-printed, and a `curl` command line.
#[wasm_bindgen(js_name = previewInstanceRequest, unchecked_return_type = "RequestPreview")]
pub fn preview_instance_request(
    base_url: &str,
    #[wasm_bindgen(unchecked_param_type = "CreateInstanceForm")] form: &JsValue,
) -> Result<JsValue, JsValue> {
    let account = Config::with_placeholder_secrets(BaseUrl::parse(base_url).map_err(js_error)?);
    let r = instance::create_request(&account, &create_body(form)?).redacted();
    request_js(&r, Some(&r.to_curl()))
}

/// `<base URL>/events/hootsuite/<Base64 of the id>`: the URL to paste into the Hootsuite app.
#[wasm_bindgen(js_name = hootsuiteWebhookUrl)]
pub fn hootsuite_webhook_url(base_url: &str, instance_id: f64) -> Result<String, JsValue> {
    let id = hootsuite_events::js::instance_id(instance_id).map_err(|m| type_error(&m))?;
    let base = BaseUrl::parse(base_url).map_err(js_error)?;
    Ok(instance::hootsuite_webhook_url(&base, id))
}

// Everything a server (or an edge runtime) does: events, signatures, OAuth and the other
// instance calls. Left out of the browser build, which only checks and previews the form (and
// must never hold a signature key).
#[cfg(feature = "full")]
mod full;
