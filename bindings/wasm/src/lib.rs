//! The WebAssembly binding: converts values and maps errors, nothing else. Every rule, request
//! and message is the core crate's.
//!
//! The browser build (without `full`) exchanges only text: each form operation takes the form
//! as JSON text and returns its result as JSON text, or an error as `!` and the error as JSON
//! text; the package's entry module (`js/form.js`) calls `JSON.stringify` and `JSON.parse` on
//! the JavaScript side. A keystroke is then one call into the module with no call back out,
//! and the module carries no serde code (build.sh checks) and no JavaScript object handling.
//! The full build takes and returns JavaScript values, through the browser's
//! `JSON.stringify`/`JSON.parse` as well.
//!
//! Results use camelCase keys, like the Node package; raw JSON (`raw`, `extra`, configuration
//! keys) is passed through unchanged.

use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::jsonv::write_str;
use hootsuite_events::{BaseUrl, Config, Error, HttpRequest};
#[cfg(feature = "full")]
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
#[cfg(feature = "full")]
fn form_text(value: &JsValue) -> Result<String, JsValue> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    JSON::stringify(value)?
        .as_string()
        .ok_or_else(|| type_error("expected an object or JSON text"))
}

#[cfg(feature = "full")]
fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// The one place where a core error becomes a JavaScript `Error`, with `name`, `code`,
/// `details` and the details' fields as camelCase properties.
#[cfg(feature = "full")]
fn js_error(e: Error) -> JsValue {
    use hootsuite_events::naming::camel_case;
    let error = js_sys::Error::new(&e.to_string());
    error.set_name(e.class_name());
    let target: &JsValue = error.as_ref();
    let _ = Reflect::set(target, &"code".into(), &e.code().into());
    let v = e.to_value();
    let keys: Vec<String> = v
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    // One `JSON.parse` of the details; their fields are copied from it, not parsed again.
    if let Ok(d) = JSON::parse(&v.to_string()) {
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

/// A failed form operation in the browser build: `!` and `{"name", "details"}` as JSON text,
/// which the entry module throws as the error class `name` with `details` (`code`, `display`
/// and the variant's fields, the same keys and text as [`Error::to_value`], written without
/// serde: the vectors check both builds give the same errors).
#[cfg(not(feature = "full"))]
fn failure(e: &Error) -> String {
    use hootsuite_events::Issue;
    let mut out = String::with_capacity(256);
    // The form's operations raise two errors only: `InvalidArgument` (a base URL) and `Invalid`
    // (the form). Any other would be a bug here: it still reaches JavaScript as its class, with
    // the code `unexpected` and its class as the message, not as a panic, and the code and
    // message tables of the other variants (signatures, callbacks, API answers) stay out of the
    // browser build.
    let (name, code) = match e {
        Error::InvalidArgument { .. } => ("InvalidArgumentError", "invalid_argument"),
        Error::Invalid(_) => ("ValidationError", "validation"),
        other => (other.class_name(), "unexpected"),
    };
    out.push_str("!{\"name\":");
    write_str(&mut out, name);
    out.push_str(",\"details\":{\"code\":");
    write_str(&mut out, code);
    out.push_str(",\"display\":");
    // The same text as their `Display`.
    match e {
        Error::InvalidArgument { field, reason } => {
            // Pushed in place: `concat` would link the standard library's generic join.
            let mut display = String::with_capacity(field.len() + reason.len() + 3);
            for piece in ["`", field, "` ", reason] {
                display.push_str(piece);
            }
            write_str(&mut out, &display);
            out.push_str(",\"field\":");
            write_str(&mut out, field);
        }
        Error::Invalid(report) => {
            write_str(&mut out, &report.message());
            out.push_str(",\"errors\":");
            Issue::write_json_array(&mut out, &report.errors);
            out.push_str(",\"warnings\":");
            Issue::write_json_array(&mut out, &report.warnings);
        }
        _ => write_str(&mut out, name),
    }
    out.push_str("}}");
    out
}

/// A JavaScript `TypeError` with `message`, from the browser build (see [`failure`]).
#[cfg(not(feature = "full"))]
fn type_failure(message: &str) -> String {
    let mut out = String::from("!{\"name\":\"TypeError\",\"details\":{\"display\":");
    write_str(&mut out, message);
    out.push_str("}}");
    out
}

// The form's types, written once for the Node package and every WebAssembly build.
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("../../node/form-types.d.ts");

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

/// `{method, url, headers, body}` (and `curl` when given) as JSON text, written by jsonv's
/// string writer: no serde in the browser build.
fn request_json(r: &HttpRequest, curl: Option<&str>) -> String {
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
    out
}

/// [`request_json`] as a JavaScript object (the full build).
#[cfg(feature = "full")]
fn request_js(r: &HttpRequest, curl: Option<&str>) -> Result<JsValue, JsValue> {
    JSON::parse(&request_json(r, curl))
}

/// The preview of `POST /instances` as JSON text: built with placeholder account secrets (a
/// browser never holds the real ones), every secret masked, the body pretty-printed, and a
/// `curl` command line.
#[cfg(not(feature = "full"))]
fn preview_json(base: BaseUrl, form: &str) -> Result<String, Error> {
    Ok(preview_of(base, &CreateInstance::from_json(form)?))
}

/// [`preview_json`] of a body already built.
fn preview_of(base: BaseUrl, body: &CreateInstance) -> String {
    let account = Config::with_placeholder_secrets(base);
    let r = instance::create_request(&account, body).redacted();
    request_json(&r, Some(&r.to_curl()))
}

// The browser build's operations: text in, text out (see the module's documentation). Their
// documented API is the entry module's (`js/form.js`, `js/form.d.ts`), which calls them through
// `formText` with the form as JSON text, or `undefined` when `JSON.stringify` gives none (a
// function, or `undefined` itself): then, after the checks that come first, a `TypeError`.

#[cfg(not(feature = "full"))]
const NO_FORM: &str = "expected an object or JSON text";

/// `validateInstance`'s report as JSON text. Use the package's `validateInstance`, which
/// takes an object too and returns the report as data.
#[cfg(not(feature = "full"))]
fn validate_instance_text(form: Option<String>, callback_url: Option<&str>) -> String {
    match form {
        Some(form) => instance::validate_json_against(&form, callback_url).to_json(),
        None => type_failure(NO_FORM),
    }
}

/// `buildInstanceBody`'s body as JSON text, or `!` and the error. Use the package's
/// `buildInstanceBody`.
#[cfg(not(feature = "full"))]
fn build_instance_body_text(form: Option<String>) -> String {
    let Some(form) = form else {
        return type_failure(NO_FORM);
    };
    match CreateInstance::from_json(&form) {
        Ok(body) => body.to_json(),
        Err(e) => failure(&e),
    }
}

/// `previewInstanceRequest`'s preview as JSON text, or `!` and the error. Use the package's
/// `previewInstanceRequest`.
#[cfg(not(feature = "full"))]
fn preview_instance_request_text(base_url: &str, form: Option<String>) -> String {
    let base = match BaseUrl::parse(base_url) {
        Ok(base) => base,
        Err(e) => return failure(&e),
    };
    let Some(form) = form else {
        return type_failure(NO_FORM);
    };
    preview_json(base, &form).unwrap_or_else(|e| failure(&e))
}

/// `hootsuiteWebhookUrl`'s URL as JSON text, or `!` and the error. Use the package's
/// `hootsuiteWebhookUrl`.
#[cfg(not(feature = "full"))]
fn hootsuite_webhook_url_text(base_url: &str, instance_id: f64) -> String {
    let id = match hootsuite_events::js::instance_id(instance_id) {
        Ok(id) => id,
        Err(m) => return type_failure(&m),
    };
    match BaseUrl::parse(base_url) {
        Ok(base) => {
            let mut out = String::new();
            write_str(&mut out, &instance::hootsuite_webhook_url(&base, id));
            out
        }
        Err(e) => failure(&e),
    }
}

/// The browser build's one export: the operation `op` on the form's JSON text (`None` when
/// `JSON.stringify` gives none) and its other argument; the result as JSON text, or `!` and
/// the error. `op` is 0 for `validateInstance` (`arg`: step 1's callback URL, if any), 1 for
/// `buildInstanceBody`, 2 for `previewInstanceRequest` (`arg`: the base URL) and 3 for
/// `hootsuiteWebhookUrl` (`arg`: the base URL, `id`: the instance id). One export rather than
/// one per operation: the glue then carries one wrapper (the browser package's size). Use the
/// package's functions (`js/form.js`), which check their arguments first.
#[cfg(not(feature = "full"))]
#[wasm_bindgen(js_name = formText)]
pub fn form_text(op: u32, form: Option<String>, arg: Option<String>, id: f64) -> String {
    let arg = arg.as_deref();
    match op {
        0 => validate_instance_text(form, arg),
        1 => build_instance_body_text(form),
        2 => preview_instance_request_text(arg.unwrap_or_default(), form),
        3 => hootsuite_webhook_url_text(arg.unwrap_or_default(), id),
        _ => type_failure("op must be 0, 1, 2 or 3"),
    }
}

// Everything a server (or an edge runtime) does: events, signatures, OAuth and the other
// instance calls. Left out of the browser build, which only checks and previews the form (and
// must never hold a signature key).
#[cfg(feature = "full")]
mod full;
