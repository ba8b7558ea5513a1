//! The server side of the binding (feature `full`): event notifications, signatures, OAuth and
//! every instance request and response. Same conversions as the form part in `lib.rs`.

use hootsuite_events::events;
use hootsuite_events::instance::{self, ListQuery};
use hootsuite_events::naming;
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::signature::{self, SignatureKey, Verifier};
use hootsuite_events::{Error, HttpRequest, HttpResponse, Secret};
use js_sys::Reflect;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::{camel, config, create_body, js_error, request_value, to_js, type_error};

/// Keys whose values are user data and keep their keys as they are.
const RAW_KEYS: &[&str] = &["raw", "extra", "configuration", "headers", "body"];

fn camel_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let raw = RAW_KEYS.contains(&k.as_str());
                    let v = if raw { v } else { camel_keys(v) };
                    (camel(&k), v)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_keys).collect()),
        other => other,
    }
}

fn bytes(body: &JsValue) -> Result<Vec<u8>, JsValue> {
    if body.is_instance_of::<js_sys::Uint8Array>() {
        return Ok(js_sys::Uint8Array::new(body).to_vec());
    }
    if body.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(js_sys::Uint8Array::new(body).to_vec());
    }
    Err(type_error(
        "the body must be the raw bytes as received (Uint8Array or ArrayBuffer, e.g. new Uint8Array(await request.arrayBuffer())), not a string or parsed JSON: the signature covers the exact bytes",
    ))
}

/// A notification through the core's naming rule (struct fields in camelCase, user data as
/// sent), straight to JSON text and the browser's `JSON.parse`.
fn notification(n: &events::Notification) -> Result<JsValue, JsValue> {
    let text = naming::to_camel_json(n).map_err(|e| type_error(&e.to_string()))?;
    js_sys::JSON::parse(&text)
}

fn header_pairs(headers: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if headers.is_undefined() || headers.is_null() {
        return Ok(Vec::new());
    }
    // fetch's Headers (and Maps) iterate as pairs; plain objects through Object.entries.
    let entries: JsValue =
        if Reflect::has(headers, &"entries".into())? && !js_sys::Array::is_array(headers) {
            let f: js_sys::Function = Reflect::get(headers, &"entries".into())?.dyn_into()?;
            js_sys::Array::from(&f.call0(headers)?).into()
        } else if js_sys::Array::is_array(headers) {
            headers.clone()
        } else {
            js_sys::Object::entries(headers.unchecked_ref()).into()
        };
    let mut out = Vec::new();
    for pair in js_sys::Array::from(&entries).iter() {
        let pair = js_sys::Array::from(&pair);
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            out.push((k, v));
        }
    }
    Ok(out)
}

/// Parses a notification body (Uint8Array, ArrayBuffer or string) without verifying it.
#[wasm_bindgen(js_name = parseEventNotification)]
pub fn parse_event_notification(body: &JsValue, headers: &JsValue) -> Result<JsValue, JsValue> {
    let raw = match body.as_string() {
        Some(s) => s.into_bytes(),
        None => bytes(body)?,
    };
    notification(&events::parse_delivery(&header_pairs(headers)?, &raw).map_err(js_error)?)
}

/// A verifier for one key (a string) or several (an array of strings, the current key first).
fn verifier(keys: &JsValue, options: &JsValue) -> Result<Verifier, JsValue> {
    let get = |k: &str| Reflect::get(options, &k.into()).ok();
    let v = if let Some(key) = keys.as_string() {
        Verifier::new(SignatureKey::new(key))
    } else if js_sys::Array::is_array(keys) {
        let mut list = Vec::new();
        for (i, k) in js_sys::Array::from(keys).iter().enumerate() {
            let Some(k) = k.as_string() else {
                return Err(type_error(&format!("keys[{i}] must be a string")));
            };
            list.push(SignatureKey::new(k));
        }
        Verifier::with_keys(list).map_err(js_error)?
    } else {
        return Err(type_error(
            "the key must be a string, or an array of strings (the current key first)",
        ));
    };
    let mut v = v.allow_legacy_sha1(
        get("allowLegacySha1")
            .and_then(|x| x.as_bool())
            .unwrap_or(false),
    );
    if let Some(n) = get("maxBodySize")
        .and_then(|x| x.as_f64())
        .filter(|n| *n >= 0.0)
    {
        v = v.max_body_size(n as usize);
    }
    Ok(v)
}

/// Throws a `SignatureError` unless `header` signs the raw `body` with one of the keys
/// (HMAC-SHA256, constant-time comparison) — for edge runtimes without Node's crypto. Returns
/// the index of the key that matched (0: the first).
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(
    key_or_keys: &JsValue,
    body: &JsValue,
    header: Option<String>,
    options: &JsValue,
) -> Result<u32, JsValue> {
    let index = verifier(key_or_keys, options)?
        .verify(&bytes(body)?, header.as_deref())
        .map_err(js_error)?;
    // At most MAX_KEYS (8) keys: the index fits.
    Ok(u32::try_from(index).unwrap_or(u32::MAX))
}

/// Verifies a delivery (its headers and raw body) with one key or several, then parses it.
#[wasm_bindgen(js_name = verifyEvent)]
pub fn verify_event(
    key_or_keys: &JsValue,
    headers: &JsValue,
    body: &JsValue,
    options: &JsValue,
) -> Result<JsValue, JsValue> {
    let pairs = header_pairs(headers)?;
    let n = verifier(key_or_keys, options)?
        .verify_event(&pairs, &bytes(body)?)
        .map_err(js_error)?;
    notification(&n)
}

/// `sha256=<Base64 HMAC-SHA256>` of the raw body.
#[wasm_bindgen]
pub fn sign(key: &str, body: &JsValue) -> Result<String, JsValue> {
    Ok(signature::sign(&SignatureKey::new(key), &bytes(body)?))
}

fn prop(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn opt_string(obj: &JsValue, key: &str) -> Option<String> {
    prop(obj, key).as_string()
}

fn instance_id(value: f64) -> Result<u64, JsValue> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= 9_007_199_254_740_991.0
    {
        Ok(value as u64)
    } else {
        Err(type_error("an instance id must be a non-negative integer"))
    }
}

fn request_out(r: Result<HttpRequest, Error>) -> Result<JsValue, JsValue> {
    to_js(&request_value(&r.map_err(js_error)?))
}

/// `{status, headers, body}` as received (`headers`: an object, pairs or fetch `Headers`;
/// `body`: a string, Uint8Array or ArrayBuffer).
fn response_in(value: &JsValue) -> Result<HttpResponse, JsValue> {
    let status = prop(value, "status")
        .as_f64()
        .filter(|s| (0.0..=999.0).contains(s))
        .ok_or_else(|| type_error("status must be an HTTP status code"))?;
    let body = prop(value, "body");
    let body = if body.is_undefined() || body.is_null() {
        Vec::new()
    } else if let Some(s) = body.as_string() {
        s.into_bytes()
    } else {
        bytes(&body)?
    };
    Ok(HttpResponse::new(
        status as u16,
        header_pairs(&prop(value, "headers"))?,
        body,
    ))
}

fn ok_value<T: serde::Serialize>(r: Result<T, Error>) -> Result<JsValue, JsValue> {
    to_js(&naming::Camel(&r.map_err(js_error)?))
}

/// Step 1: `{apiKey, apiSecret, callbackUrl, state?, scope?, siteAddress?, callbackProxy?,
/// requestToken?, post?}` → the request for the Hootsuite consent URL.
#[wasm_bindgen(js_name = redirectUrlRequest)]
pub fn redirect_url_request(config_value: &JsValue, options: &JsValue) -> Result<JsValue, JsValue> {
    let config = config(config_value)?;
    let mut p = RedirectUrlParams::new(
        opt_string(options, "apiKey").unwrap_or_default(),
        opt_string(options, "apiSecret").unwrap_or_default(),
        opt_string(options, "callbackUrl").unwrap_or_default(),
    );
    if let Some(v) = opt_string(options, "state") {
        p = p.state(v);
    }
    if let Some(v) = opt_string(options, "scope") {
        p = p.scope(v);
    }
    if let Some(v) = opt_string(options, "siteAddress") {
        p = p.site_address(v);
    }
    if let Some(v) = prop(options, "callbackProxy").as_bool() {
        p = p.callback_proxy(v);
    }
    if let Some(v) = opt_string(options, "requestToken") {
        p = p.request_token(v);
    }
    if prop(options, "post").as_bool() == Some(true) {
        request_out(oauth::redirect_url_post_request(&config, &p))
    } else {
        request_out(oauth::redirect_url_request(&config, &p))
    }
}

/// Reads step 1's answer: `{element, oauthUrl}`.
#[wasm_bindgen(js_name = parseRedirectUrl)]
pub fn parse_redirect_url(response: &JsValue) -> Result<JsValue, JsValue> {
    ok_value(oauth::parse_redirect_url(&response_in(response)?))
}

/// Step 2, for apps that handle the OAuth callback in the browser: checks `state`, then
/// refusal, then returns the code.
#[wasm_bindgen(js_name = parseCallback)]
pub fn parse_callback(url: &str, expected_state: &str) -> Result<String, JsValue> {
    Ok(oauth::parse_callback(url, expected_state)
        .map_err(js_error)?
        .expose()
        .to_string())
}

/// `GET /instances/{id}`.
#[wasm_bindgen(js_name = getInstanceRequest)]
pub fn get_instance_request(config_value: &JsValue, id: f64) -> Result<JsValue, JsValue> {
    request_out(Ok(instance::get_request(
        &config(config_value)?,
        instance_id(id)?,
    )))
}

/// `DELETE /instances/{id}`.
#[wasm_bindgen(js_name = deleteInstanceRequest)]
pub fn delete_instance_request(config_value: &JsValue, id: f64) -> Result<JsValue, JsValue> {
    request_out(Ok(instance::delete_request(
        &config(config_value)?,
        instance_id(id)?,
    )))
}

/// `PUT` / `DELETE /instances/{id}/enabled`.
#[wasm_bindgen(js_name = setEnabledRequest)]
pub fn set_enabled_request(
    config_value: &JsValue,
    id: f64,
    enabled: bool,
) -> Result<JsValue, JsValue> {
    request_out(Ok(instance::set_enabled_request(
        &config(config_value)?,
        instance_id(id)?,
        enabled,
    )))
}

/// `PATCH /instances/{id}` switching events.
#[wasm_bindgen(js_name = setEventsRequest)]
pub fn set_events_request(
    config_value: &JsValue,
    id: f64,
    enabled: bool,
) -> Result<JsValue, JsValue> {
    request_out(Ok(instance::set_events_request(
        &config(config_value)?,
        instance_id(id)?,
        enabled,
    )))
}

/// `PATCH /instances/{id}` with the final event callback URL.
#[wasm_bindgen(js_name = updateEventCallbackRequest)]
pub fn update_event_callback_request(
    config_value: &JsValue,
    id: f64,
    url: &str,
) -> Result<JsValue, JsValue> {
    request_out(instance::update_event_callback_request(
        &config(config_value)?,
        instance_id(id)?,
        url,
    ))
}

/// `GET /instances/{id}/events`.
#[wasm_bindgen(js_name = instanceEventsRequest)]
pub fn instance_events_request(config_value: &JsValue, id: f64) -> Result<JsValue, JsValue> {
    request_out(Ok(instance::events_request(
        &config(config_value)?,
        instance_id(id)?,
    )))
}

/// `PATCH /instances/{id}` with a new OAuth code.
#[wasm_bindgen(js_name = reauthenticateCodeRequest)]
pub fn reauthenticate_code_request(
    config_value: &JsValue,
    id: f64,
    code: &str,
) -> Result<JsValue, JsValue> {
    request_out(instance::reauthenticate_code_request(
        &config(config_value)?,
        instance_id(id)?,
        &Secret::new(code),
    ))
}

/// `PUT /instances/{id}` with a full body.
#[wasm_bindgen(js_name = reauthenticateRequest)]
pub fn reauthenticate_request(
    config_value: &JsValue,
    id: f64,
    form: &JsValue,
) -> Result<JsValue, JsValue> {
    request_out(Ok(instance::reauthenticate_request(
        &config(config_value)?,
        instance_id(id)?,
        &create_body(form)?,
    )))
}

/// `GET /instances` with `{tags?, searchText?, pageSize?, nextPage?, hydrate?}`.
#[wasm_bindgen(js_name = listInstancesRequest)]
pub fn list_instances_request(
    config_value: &JsValue,
    options: &JsValue,
) -> Result<JsValue, JsValue> {
    let tags = prop(options, "tags");
    let q = ListQuery {
        tags: if js_sys::Array::is_array(&tags) {
            js_sys::Array::from(&tags)
                .iter()
                .filter_map(|t| t.as_string())
                .collect()
        } else {
            Vec::new()
        },
        search_text: opt_string(options, "searchText"),
        page_size: prop(options, "pageSize").as_f64().map(|n| n as u32),
        next_page: opt_string(options, "nextPage"),
        hydrate: prop(options, "hydrate").as_bool(),
    };
    request_out(Ok(instance::list_request(&config(config_value)?, &q)))
}

/// Reads an instance (the token in `token`, and masked in `tokenMasked`).
#[wasm_bindgen(js_name = parseInstance)]
pub fn parse_instance(response: &JsValue) -> Result<JsValue, JsValue> {
    let i = instance::parse_instance(&response_in(response)?).map_err(js_error)?;
    to_js(&camel_keys(i.to_value_with_token()))
}

/// Reads `GET /instances`: `{instances, nextPage}`.
#[wasm_bindgen(js_name = parseInstancePage)]
pub fn parse_instance_page(response: &JsValue) -> Result<JsValue, JsValue> {
    let page = instance::parse_instance_page(&response_in(response)?).map_err(js_error)?;
    let instances = page
        .instances
        .iter()
        .map(instance::Instance::to_value_with_token)
        .collect::<Vec<Value>>();
    to_js(&camel_keys(
        serde_json::json!({"instances": instances, "next_page": page.next_page}),
    ))
}

/// Reads `GET /instances/{id}/events`.
#[wasm_bindgen(js_name = parseInstanceEvents)]
pub fn parse_instance_events(response: &JsValue) -> Result<JsValue, JsValue> {
    ok_value(instance::parse_instance_events(&response_in(response)?))
}

/// Checks the status of delete/enable/disable answers.
#[wasm_bindgen(js_name = parseEmpty)]
pub fn parse_empty(response: &JsValue) -> Result<(), JsValue> {
    instance::parse_empty(&response_in(response)?).map_err(js_error)
}

/// The JSON Schema (2020-12) of the create-instance body.
#[wasm_bindgen(js_name = createInstanceSchema)]
pub fn create_instance_schema() -> Result<JsValue, JsValue> {
    to_js(&hootsuite_events::schema::create_instance_schema())
}
