//! The server side of the binding (feature `full`): event notifications, signatures, OAuth and
//! every instance request and response. Same conversions as the form part in `lib.rs`.

use hootsuite_events::api::{self, Outcome as _};
use hootsuite_events::events;
use hootsuite_events::idempotency::{self, redis};
use hootsuite_events::instance::WithSecrets;
use hootsuite_events::redact::MASK;
use hootsuite_events::{js, naming, HttpRequest, InstanceToken, Method, Secret};
use js_sys::Reflect;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::{config, form_text, js_error, request_js, to_js, type_error};

// The server API's types, written once for the Node package and this build; then this
// package's own: the plain account, the constants' object, `parseTraceparent`'s result.
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("../../node/types.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const TS_OWN_TYPES: &'static str = r#"
/** The account a server makes requests with: a base URL (or preset) and its two secrets. */
export interface Account {
  baseUrl: string;
  userSecret: string;
  organizationSecret: string;
}
/** A W3C `traceparent` header's parts. */
export interface TraceParent {
  /** 32 hexadecimal digits. */
  traceId: string;
  /** 16 hexadecimal digits. */
  spanId: string;
  /** Bit 0: sampled. */
  traceFlags: number;
}
/** The receiving API's constants, the core's values. */
export interface Constants {
  DEFAULT_NAMESPACE: string;
  DEFAULT_TABLE: string;
  SIGNATURE_HEADER: string;
  WEBHOOK_ID_HEADER: string;
  DEFAULT_LEASE_MS: number;
  DEFAULT_RETENTION_MS: number;
  DEFAULT_CAPACITY: number;
  STATUS_OK: number;
  STATUS_IN_PROGRESS: number;
  STATUS_FAILED: number;
  MAX_KEYS: number;
  MAX_SIGNATURE_CANDIDATES: number;
}
"#;

/// Text or bytes (a Redis reply).
fn bytes(v: &JsValue) -> Result<Vec<u8>, JsValue> {
    read::text_or_bytes(&WArg(v.clone()), "reply")
}

#[path = "../../js/read.rs"]
mod read;

/// An argument as the browser hands it over.
struct WArg(JsValue);

impl read::JsIn for WArg {
    type Err = JsValue;
    type Bytes = Vec<u8>;

    fn is_nullish(&self) -> bool {
        self.0.is_undefined() || self.0.is_null()
    }

    fn kind(&self) -> Result<&'static str, JsValue> {
        if self.0.is_null() {
            return Ok("null");
        }
        Ok(match self.0.js_typeof().as_string().as_deref() {
            Some("undefined") => "undefined",
            Some("boolean") => "boolean",
            Some("number") => "number",
            Some("string") => "string",
            Some("symbol") => "symbol",
            Some("function") => "function",
            Some("bigint") => "bigint",
            _ => "object",
        })
    }

    fn text(&self) -> Result<Option<String>, JsValue> {
        Ok(self.0.as_string())
    }

    fn number(&self) -> Result<Option<f64>, JsValue> {
        Ok(self.0.as_f64())
    }

    fn flag(&self) -> Result<Option<bool>, JsValue> {
        Ok(self.0.as_bool())
    }

    fn bytes(&self) -> Result<Option<Vec<u8>>, JsValue> {
        let v = &self.0;
        Ok(
            (v.is_instance_of::<js_sys::Uint8Array>() || v.is_instance_of::<js_sys::ArrayBuffer>())
                .then(|| js_sys::Uint8Array::new(v).to_vec()),
        )
    }

    fn get(&self, key: &str) -> Result<Self, JsValue> {
        Ok(WArg(if self.0.is_object() {
            Reflect::get(&self.0, &key.into())?
        } else {
            JsValue::UNDEFINED
        }))
    }

    fn items(&self, max: u32) -> Result<Option<Result<Vec<Self>, u32>>, JsValue> {
        if !js_sys::Array::is_array(&self.0) {
            return Ok(None);
        }
        // The array itself (`Array::from` would copy it first).
        let array: &js_sys::Array = self.0.unchecked_ref();
        let len = array.length();
        if len > max {
            return Ok(Some(Err(len)));
        }
        Ok(Some(Ok(array.iter().map(WArg).collect())))
    }

    fn entries(&self) -> Result<Vec<(String, Self)>, JsValue> {
        if !self.0.is_object() {
            return Ok(Vec::new());
        }
        // fetch's Headers (and Maps) iterate as pairs; plain objects through Object.entries.
        let method = |name: &str| Reflect::get(&self.0, &name.into()).map(|f| f.is_function());
        let pairs = if method("entries")? && method("get")? {
            let f: js_sys::Function = Reflect::get(&self.0, &"entries".into())?.dyn_into()?;
            js_sys::Array::from(&f.call0(&self.0)?)
        } else {
            js_sys::Object::entries(self.0.unchecked_ref())
        };
        Ok(pairs
            .iter()
            .filter_map(|pair| {
                let pair = js_sys::Array::from(&pair);
                Some((pair.get(0).as_string()?, WArg(pair.get(1))))
            })
            .collect())
    }

    fn form(&self) -> Result<api::Form, JsValue> {
        form_text(&self.0).map(api::Form::Text)
    }

    fn json(&self) -> Result<Option<String>, JsValue> {
        Ok(js_sys::JSON::stringify(&self.0)?.as_string())
    }

    fn code(&self) -> Result<Option<Secret>, JsValue> {
        if let Some(s) = self.0.as_string() {
            return Ok(Some(Secret::new(s)));
        }
        // The AuthorizationCode of parseCallback: its code through its own method.
        let get = self.get("getSecretValue")?.0;
        match get.dyn_ref::<js_sys::Function>() {
            Some(f) => Ok(f.call0(&self.0)?.as_string().map(Secret::new)),
            None => Ok(None),
        }
    }

    fn type_error(message: &str) -> JsValue {
        type_error(message)
    }

    fn core_error(e: hootsuite_events::Error) -> JsValue {
        js_error(e)
    }
}

/// The account of a request: a `Config`, or (this package only) a plain account
/// `{baseUrl, userSecret, organizationSecret}`.
fn config_arg(v: &WArg) -> Result<std::rc::Rc<hootsuite_events::Config>, JsValue> {
    if !v.0.is_object() {
        return Err(type_error(NOT_A_CONFIG));
    }
    // A freed Config's getter throws: refused as any other value that is not a Config.
    let id = read::JsIn::get(v, "__account").map_err(|_| type_error(NOT_A_CONFIG))?;
    match id.0.as_f64() {
        Some(id) => account_of(id),
        None => config(&v.0).map(std::rc::Rc::new),
    }
}

/// A notification through the core's naming rule (struct fields in camelCase, user data as
/// sent), straight to JSON text and the browser's `JSON.parse`.
fn notification(n: &events::Notification) -> Result<JsValue, JsValue> {
    let text = naming::to_camel_json(n).map_err(|e| type_error(&e.to_string()))?;
    js_sys::JSON::parse(&text)
}

/// Parses a notification body (Uint8Array, ArrayBuffer or string) without verifying it.
#[wasm_bindgen(js_name = parseEventNotification, unchecked_return_type = "Notification")]
pub fn parse_event_notification(
    #[wasm_bindgen(unchecked_param_type = "Bytes | string")] body: JsValue,
    headers: Option<TsHeaders>,
) -> Result<JsValue, JsValue> {
    let headers = read::headers(&WArg(headers.into()))?;
    let raw = read::text_or_bytes(&WArg(body), "body")?;
    notification(&events::parse_delivery(&headers, &raw).map_err(js_error)?)
}

fn ok_value<T: serde::Serialize>(
    r: Result<T, hootsuite_events::Error>,
) -> Result<JsValue, JsValue> {
    to_js(&naming::Camel(&r.map_err(js_error)?))
}

// The TypeScript types of the table's arguments and results (declared in TS_TYPES and the
// form build's section): a parameter or result of one of these types is declared with it.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "Config | Account")]
    pub type TsAccount;
    #[wasm_bindgen(typescript_type = "CreateInstanceForm")]
    pub type TsForm;
    #[wasm_bindgen(typescript_type = "Bytes")]
    pub type TsBytes;
    #[wasm_bindgen(typescript_type = "number")]
    pub type TsNumber;
    #[wasm_bindgen(typescript_type = "boolean")]
    pub type TsBoolean;
    #[wasm_bindgen(typescript_type = "string")]
    pub type TsString;
    #[wasm_bindgen(typescript_type = "string | string[]")]
    pub type TsKeys;
    #[wasm_bindgen(typescript_type = "string | AuthorizationCode")]
    pub type TsCode;
    #[wasm_bindgen(typescript_type = "HeadersInput")]
    pub type TsHeaders;
    #[wasm_bindgen(typescript_type = "ResponseInput")]
    pub type TsResponse;
    #[wasm_bindgen(typescript_type = "RedirectUrlOptions")]
    pub type TsRedirectOptions;
    #[wasm_bindgen(typescript_type = "PageOptions")]
    pub type TsPageOptions;
    #[wasm_bindgen(typescript_type = "DeliveryOptions")]
    pub type TsDeliveryFilter;
    #[wasm_bindgen(typescript_type = "ListOptions")]
    pub type TsListOptions;
    #[wasm_bindgen(typescript_type = "VerifyOptions")]
    pub type TsVerifyOptions;
    #[wasm_bindgen(typescript_type = "\"retry\" | \"queue\"")]
    pub type TsPolicy;
    #[wasm_bindgen(typescript_type = "HttpRequest")]
    pub type TsRequest;
    #[wasm_bindgen(typescript_type = "RedirectUrl")]
    pub type TsRedirectUrl;
    #[wasm_bindgen(typescript_type = "Instance")]
    pub type TsInstance;
    #[wasm_bindgen(typescript_type = "InstancePage")]
    pub type TsInstancePage;
    #[wasm_bindgen(typescript_type = "InstanceEvent")]
    pub type TsInstanceEvent;
    #[wasm_bindgen(typescript_type = "InstanceEvent[]")]
    pub type TsInstanceEventList;
    #[wasm_bindgen(typescript_type = "InstanceEventPage")]
    pub type TsInstanceEventPage;
    #[wasm_bindgen(typescript_type = "Delivery[]")]
    pub type TsDeliveryList;
    #[wasm_bindgen(typescript_type = "DeliveryPage")]
    pub type TsDeliveryPage;
    #[wasm_bindgen(typescript_type = "ConfigurationEntry")]
    pub type TsConfigurationEntry;
    #[wasm_bindgen(typescript_type = "ConfigurationEntry[]")]
    pub type TsConfigurationEntryList;
    #[wasm_bindgen(typescript_type = "ValidationReport")]
    pub type TsReport;
    #[wasm_bindgen(typescript_type = "BaseUrlPreset[]")]
    pub type TsPresets;
    #[wasm_bindgen(typescript_type = "JsonSchema")]
    pub type TsSchema;
}

/// The wasm type of an argument kind: a JavaScript value declared with its TypeScript type,
/// read by `read.rs` (wasm-bindgen's own conversions would coerce a wrong type silently).
macro_rules! wasm_ty {
    (Config) => { TsAccount };
    (Id) => { TsNumber };
    (OptId) => { Option<TsNumber> };
    (Flag) => { TsBoolean };
    (OptText) => { Option<TsString> };
    (Form) => { TsForm };
    (Body) => { TsBytes };
    (Keys) => { TsKeys };
    (Code) => { TsCode };
    (Response) => { TsResponse };
    ($text:ident) => { TsString };
}

/// The argument as a JavaScript value (an absent optional one is `undefined`).
macro_rules! wasm_raw {
    (OptText, $a:ident) => {
        WArg($a.map_or(JsValue::UNDEFINED, JsValue::from))
    };
    (OptId, $a:ident) => {
        WArg($a.map_or(JsValue::UNDEFINED, JsValue::from))
    };
    ($kind:ident, $a:ident) => {
        WArg(JsValue::from($a))
    };
}

/// The option object type of each of the core's option structs (optional but the redirect's,
/// as in Node's declarations; wasm-bindgen reads null and an absent one as `None`).
macro_rules! wasm_options {
    (RedirectOptions) => {
        TsRedirectOptions
    };
    (PageOptions) => {
        Option<TsPageOptions>
    };
    (DeliveryFilter) => {
        Option<TsDeliveryFilter>
    };
    (ListOptions) => {
        Option<TsListOptions>
    };
    (VerifyOptions) => {
        Option<TsVerifyOptions>
    };
}

/// The wasm type of a result kind.
macro_rules! wasm_ret_ty {
    (Request) => {
        TsRequest
    };
    (Record(RedirectUrl)) => {
        TsRedirectUrl
    };
    (Record(InstanceEvent)) => {
        TsInstanceEvent
    };
    (Record(InstanceEventPage)) => {
        TsInstanceEventPage
    };
    (Record(DeliveryPage)) => {
        TsDeliveryPage
    };
    (Record(ConfigurationEntry)) => {
        TsConfigurationEntry
    };
    (List(InstanceEvent)) => {
        TsInstanceEventList
    };
    (List(Delivery)) => {
        TsDeliveryList
    };
    (List(ConfigurationEntry)) => {
        TsConfigurationEntryList
    };
    (Secrets(Instance)) => {
        TsInstance
    };
    (Secrets(InstancePage)) => {
        TsInstancePage
    };
    (Report) => {
        TsReport
    };
    (Policy) => {
        TsPolicy
    };
    (Presets) => {
        TsPresets
    };
    (Schema) => {
        TsSchema
    };
    (Nothing) => {
        ()
    };
    (Index) => {
        u32
    };
    (Code) => {
        AuthorizationCode
    };
    (Text) => {
        String
    };
}

/// A result made JavaScript's.
macro_rules! wasm_ret {
    ($v:ident, Request) => { Ok(request_js(&$v, None)?.unchecked_into()) };
    ($v:ident, Secrets(Instance)) => {{
        let obj = to_js(&naming::Camel(&WithSecrets(&$v)))?;
        hide_secrets(&obj)?;
        Ok(obj.unchecked_into())
    }};
    ($v:ident, Secrets(InstancePage)) => {{
        let obj = to_js(&naming::Camel(&WithSecrets(&$v)))?;
        for i in js_sys::Array::from(&prop(&obj, "instances")).iter() {
            hide_secrets(&i)?;
        }
        Ok(obj.unchecked_into())
    }};
    ($v:ident, Presets) => {{
        let list: Vec<Value> = $v
            .into_iter()
            .map(|(name, url)| serde_json::json!({ "name": name, "url": url }))
            .collect();
        Ok(to_js(&list)?.unchecked_into())
    }};
    ($v:ident, Code) => { Ok(AuthorizationCode { inner: $v }) };
    // At most MAX_KEYS (8) keys: the index fits.
    ($v:ident, Index) => { Ok(u32::try_from($v).unwrap_or(u32::MAX)) };
    ($v:ident, Nothing) => { Ok($v) };
    ($v:ident, Text) => { Ok($v) };
    ($v:ident, $($other:tt)*) => { Ok(to_js(&naming::Camel(&$v))?.unchecked_into()) };
}

/// Every `table` export of the core's table but the form build's, `createInstanceRequest`
/// (written below, where the browser build's messages are kept) and `validateInstanceUpdate`
/// (below: a validator takes any value), as a function; the `hand` ones are written in this
/// file.
macro_rules! wasm_exports {
    ($(
        #[doc = $doc:literal]
        $how:ident $where:ident $rust:ident $js:ident $sig:tt $(+ $opts:ident $fields:tt)?
        -> $ret:ident $(($rtype:ident))? = $core:path;
    )*) => {
        $(wasm_exports!(@fn $how $where [$doc] $rust $js $sig $(+ $opts $fields)? -> $ret $(($rtype))? = $core);)*
    };
    (@fn hand $($rest:tt)*) => {};
    (@fn table browser $($rest:tt)*) => {};
    (@fn table $where:ident [$doc:literal] create_instance_request $($rest:tt)*) => {};
    (@fn table $where:ident [$doc:literal] validate_instance_update $($rest:tt)*) => {};
    (@fn table $where:ident [$doc:literal] $rust:ident $js:ident ($($arg:ident : $kind:ident $(= $adef:tt)?),*)
        $(+ $opts:ident $fields:tt)? -> $ret:ident $(($rtype:ident))? = $core:path) => {
        #[doc = $doc]
        #[wasm_bindgen(js_name = $js)]
        pub fn $rust(
            $($arg: wasm_ty!($kind),)*
            $(options: wasm_options!($opts),)?
        ) -> Result<wasm_ret_ty!($ret $(($rtype))?), JsValue> {
            $(let $arg = read::read_arg!($kind, &wasm_raw!($kind, $arg), stringify!($arg));)*
            $(let options: api::$opts = read::read_options!($opts, &WArg(options.into()))?;)?
            let out = $core($(read::pass_arg!($kind, $arg),)* $(&options as &api::$opts)?)
                .outcome()
                .map_err(js_error)?;
            wasm_ret!(out, $ret $(($rtype))?)
        }
    };
}

hootsuite_events::for_each_export!(wasm_exports);

/// Verifies a delivery (its headers and raw body) with one key or several, then parses it.
#[wasm_bindgen(js_name = verifyEvent, unchecked_return_type = "Notification")]
pub fn verify_event(
    #[wasm_bindgen(unchecked_param_type = "string | string[]")] key_or_keys: JsValue,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Bytes")] body: JsValue,
    options: Option<TsVerifyOptions>,
) -> Result<JsValue, JsValue> {
    let headers = read::headers(&WArg(headers))?;
    let body = read::body(&WArg(body))?;
    let n = read::verifier(&WArg(key_or_keys), &WArg(options.into()))?
        .verify_event(&headers, &body)
        .map_err(js_error)?;
    notification(&n)
}

/// Every problem of a create-instance body (an object or JSON text), as data:
/// `{valid, errors, warnings}`, each issue `{path, code, message, label}`. Never throws on
/// invalid data (a value with no JSON text, such as `undefined`, is a `TypeError`).
/// With `callbackUrl` (step 1's), `oauth.callback.url` must equal it (`callback_mismatch`).
#[wasm_bindgen(js_name = validateInstance, unchecked_return_type = "ValidationReport")]
pub fn validate_instance(
    #[wasm_bindgen(unchecked_param_type = "unknown")] form: JsValue,
    callback_url: Option<TsString>,
) -> Result<JsValue, JsValue> {
    let form = read::form(&WArg(form))?;
    let callback_url = WArg(callback_url.map_or(JsValue::UNDEFINED, JsValue::from));
    let callback_url = read::opt_text(&callback_url, "callback_url")?;
    js_sys::JSON::parse(&api::validate_instance(&form, callback_url.as_deref()).to_json())
}

/// Every problem of an instance update (an object or JSON text), as data; never throws on
/// invalid data (a value with no JSON text, such as `undefined`, is a `TypeError`).
#[wasm_bindgen(js_name = validateInstanceUpdate, unchecked_return_type = "ValidationReport")]
pub fn validate_instance_update(
    #[wasm_bindgen(unchecked_param_type = "unknown")] form: JsValue,
) -> Result<JsValue, JsValue> {
    let form = read::form(&WArg(form))?;
    to_js(&naming::Camel(&api::validate_instance_update(&form)))
}

/// The canonical body of a valid input; throws a `ValidationError` otherwise.
#[wasm_bindgen(js_name = buildInstanceBody, unchecked_return_type = "CreateInstanceBody")]
pub fn build_instance_body(
    #[wasm_bindgen(unchecked_param_type = "CreateInstanceForm")] form: JsValue,
) -> Result<JsValue, JsValue> {
    let body = read::form(&WArg(form))?.body().map_err(js_error)?;
    js_sys::JSON::parse(&body.to_json())
}

/// `POST /instances` for `fetch`: `{method, url, headers, body}`. `config` is a `Config` or
/// `{baseUrl, userSecret, organizationSecret}`: the account's secrets, so this is in the full
/// build only (servers and edge runtimes), never in the browser's.
#[wasm_bindgen(js_name = createInstanceRequest, unchecked_return_type = "HttpRequest")]
pub fn create_instance_request(
    #[wasm_bindgen(unchecked_param_type = "Config | Account")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CreateInstanceForm")] form: JsValue,
) -> Result<JsValue, JsValue> {
    let config = config_arg(&WArg(config))?;
    let form = read::form(&WArg(form))?;
    request_js(
        &api::create_instance_request(&config, &form).map_err(js_error)?,
        None,
    )
}

/// The request `POST /instances` would be, made safe to show: built with placeholder account
/// secrets (a browser never holds the real ones), every secret masked, the body
/// pretty-printed, and a `curl` command line.
#[wasm_bindgen(js_name = previewInstanceRequest, unchecked_return_type = "RequestPreview")]
pub fn preview_instance_request(
    #[wasm_bindgen(unchecked_param_type = "string")] base_url: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CreateInstanceForm")] form: JsValue,
) -> Result<JsValue, JsValue> {
    // Both arguments' types first, then their values, as the browser entry checks them.
    let base = read::text(&WArg(base_url), "base_url")?;
    let form = read::form(&WArg(form))?;
    let base = hootsuite_events::BaseUrl::parse(&base).map_err(js_error)?;
    let body = form.body().map_err(js_error)?;
    js_sys::JSON::parse(&crate::preview_of(base, &body))
}

/// `<base URL>/events/hootsuite/<Base64 of the id>`: the URL to paste into the Hootsuite app.
#[wasm_bindgen(js_name = hootsuiteWebhookUrl)]
pub fn hootsuite_webhook_url(
    #[wasm_bindgen(unchecked_param_type = "string")] base_url: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] instance_id: JsValue,
) -> Result<String, JsValue> {
    let base = read::text(&WArg(base_url), "base_url")?;
    let id = read::id(&WArg(instance_id), "instance_id")?;
    api::hootsuite_webhook_url(&base, id).map_err(js_error)
}

fn prop(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn opt_string(obj: &JsValue, key: &str) -> Option<String> {
    prop(obj, key).as_string()
}

/// An optional number argument (`undefined`/`null` for none), refused when not a number.
fn opt_number(v: Option<TsNumber>, name: &str) -> Result<Option<f64>, JsValue> {
    read::opt_number(&WArg(v.map_or(JsValue::UNDEFINED, JsValue::from)), name)
}

/// A refusal of the core's [`js`] checks, as a `TypeError`.
fn number<T>(r: Result<T, String>) -> Result<T, JsValue> {
    r.map_err(|m| type_error(&m))
}

/// The OAuth code from the callback: single use, secret. `String(code)` and `JSON.stringify`
/// show `********`; `getSecretValue()` gives the code, and the package's functions take the
/// wrapper where the code goes (`providerData: {code}`) and send the real value.
#[wasm_bindgen]
pub struct AuthorizationCode {
    inner: Secret,
}

#[wasm_bindgen]
impl AuthorizationCode {
    /// The code itself, for the create-instance body.
    #[wasm_bindgen(js_name = getSecretValue)]
    pub fn get_secret_value(&self) -> String {
        self.inner.expose().to_string()
    }

    /// `********`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_display(&self) -> String {
        MASK.to_string()
    }

    /// `********`: a serialized object never carries the code by accident.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> String {
        MASK.to_string()
    }
}

/// Makes an instance's `token` and `configurationSecrets` (the secret configuration values in
/// clear) readable by name through getters that are not enumerable, so that `console.log`
/// (also `'%o'` and `showHidden`, which show a getter as `[Getter]`), `JSON.stringify`,
/// spreading and `structuredClone` leave their values out.
fn hide_secrets(obj: &JsValue) -> Result<(), JsValue> {
    // A getter without a closure or `eval`: `Array.prototype.at` bound to `[value]` and `0`.
    let at: js_sys::Function = Reflect::get(&js_sys::Array::new(), &"at".into())?.dyn_into()?;
    for key in ["token", "configurationSecrets"] {
        let value = Reflect::get(obj, &key.into())?;
        let getter = at.bind1(&js_sys::Array::of1(&value), &JsValue::from(0));
        let descriptor = js_sys::Object::new();
        Reflect::set(&descriptor, &"get".into(), &getter)?;
        Reflect::set(&descriptor, &"enumerable".into(), &false.into())?;
        js_sys::Object::define_property(
            obj.unchecked_ref::<js_sys::Object>(),
            &key.into(),
            &descriptor,
        );
    }
    Ok(())
}

thread_local! {
    /// The accounts of the live `Config`s by id: a table function reads its `Config` argument's
    /// account here (wasm-bindgen hands Rust a class instance only as a parameter of its type).
    /// Ids are random (52 bits, exact in a number), so that an object made up with another
    /// `Config`'s id cannot borrow its account without having been handed that `Config`.
    static ACCOUNTS: std::cell::RefCell<std::collections::HashMap<u64, std::rc::Rc<hootsuite_events::Config>>> =
        std::cell::RefCell::default();
}

/// Where to call and with which account, as the Node package's `Config`: the secrets stay in
/// the module; `JSON.stringify` shows the base URL only (and `util.inspect` no secret).
#[wasm_bindgen]
pub struct Config {
    id: u64,
    base_url: String,
}

#[wasm_bindgen]
impl Config {
    /// `baseUrl` is a URL or a preset of `baseUrlPresets()`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] base_url: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] user_secret: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] organization_secret: JsValue,
    ) -> Result<Config, JsValue> {
        let base = read::text(&WArg(base_url), "baseUrl")?;
        let user = read::text(&WArg(user_secret), "userSecret")?;
        let organization = read::text(&WArg(organization_secret), "organizationSecret")?;
        let base = hootsuite_events::BaseUrl::parse(&base).map_err(js_error)?;
        let inner = hootsuite_events::Config::new(base, user, organization).map_err(js_error)?;
        let base_url = inner.base_url().as_str().to_string();
        let id = loop {
            let token = new_token()?;
            // 13 hexadecimal digits: 52 random bits.
            let id = u64::from_str_radix(token.get(..13).unwrap_or("0"), 16).unwrap_or(0);
            if ACCOUNTS.with(|a| !a.borrow().contains_key(&id)) {
                break id;
            }
        };
        ACCOUNTS.with(|a| a.borrow_mut().insert(id, std::rc::Rc::new(inner)));
        Ok(Config { id, base_url })
    }

    /// The base URL, without a trailing `/`.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// `User <user secret>, Element <token>`: the header for calls made as an instance.
    #[wasm_bindgen(js_name = instanceAuthorization)]
    pub fn instance_authorization(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    ) -> Result<String, JsValue> {
        let token = read::text(&WArg(token), "token")?;
        let account = ACCOUNTS
            .with(|a| a.borrow().get(&self.id).cloned())
            .ok_or_else(|| type_error(NOT_A_CONFIG))?;
        let auth = account
            .instance_authorization(&InstanceToken::new(token))
            .map_err(js_error)?;
        Ok(auth.expose().to_string())
    }

    /// `JSON.stringify(config)` shows the base URL only.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "{ baseUrl: string }")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        to_js(&serde_json::json!({ "baseUrl": self.base_url }))
    }

    /// The key of the account in the module (no secret): how the functions find it.
    #[wasm_bindgen(getter, js_name = __account)]
    pub fn account(&self) -> f64 {
        // At most 2^52: exact.
        self.id as f64
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        ACCOUNTS.with(|a| a.borrow_mut().remove(&self.id));
    }
}

fn account_of(id: f64) -> Result<std::rc::Rc<hootsuite_events::Config>, JsValue> {
    if !(id.is_finite() && id >= 0.0 && id.fract() == 0.0 && id < 4_503_599_627_370_496.0) {
        return Err(type_error(NOT_A_CONFIG));
    }
    ACCOUNTS
        .with(|a| a.borrow().get(&(id as u64)).cloned())
        .ok_or_else(|| type_error(NOT_A_CONFIG))
}

const NOT_A_CONFIG: &str =
    "config must be a hootsuite-events Config (new Config(baseUrl, userSecret, organizationSecret))";

/// `User <user secret>, Element <token>` for a plain account (`{baseUrl, userSecret,
/// organizationSecret}`): the header for calls made as an instance.
#[wasm_bindgen(js_name = instanceAuthorization)]
pub fn instance_authorization(
    #[wasm_bindgen(unchecked_param_type = "Account")] config_value: &JsValue,
    token: TsString,
) -> Result<String, JsValue> {
    let config = config(config_value)?;
    let token = read::text(&WArg(token.into()), "token")?;
    let auth = config
        .instance_authorization(&InstanceToken::new(token))
        .map_err(js_error)?;
    Ok(auth.expose().to_string())
}

/// The same request made safe to show: `Authorization`, secret query parameters and secret
/// body fields masked.
#[wasm_bindgen(js_name = redactRequest, unchecked_return_type = "HttpRequest")]
pub fn redact_request(
    #[wasm_bindgen(unchecked_param_type = "HttpRequest")] request: &JsValue,
) -> Result<JsValue, JsValue> {
    let name = opt_string(request, "method").unwrap_or_default();
    let method =
        Method::parse(&name).ok_or_else(|| type_error(&format!("unknown method {name}")))?;
    let r = HttpRequest {
        method,
        url: opt_string(request, "url").unwrap_or_default(),
        headers: read::headers(&WArg(prop(request, "headers")))?,
        body: opt_string(request, "body").unwrap_or_default().into_bytes(),
    };
    request_js(&r.redacted(), None)
}

/// What to answer Cloud Elements after claiming a notification's units: 500 when a unit
/// failed, 409 when another process holds one, else 200 (the core's rule).
#[wasm_bindgen(js_name = outcomeStatus)]
pub fn outcome_status(in_progress: TsNumber, failed: TsNumber) -> Result<u32, JsValue> {
    let in_progress = read::count(&WArg(in_progress.into()), "in_progress")?;
    let failed = read::count(&WArg(failed.into()), "failed")?;
    Ok(u32::from(idempotency::status(
        in_progress as usize,
        failed as usize,
    )))
}

/// The constants of the core's table: leases, retention, capacity, statuses, key limits.
#[wasm_bindgen(unchecked_return_type = "Constants")]
pub fn constants() -> Result<JsValue, JsValue> {
    let table: serde_json::Map<String, Value> = api::CONSTANTS
        .iter()
        .map(|(name, value)| {
            let value = match value {
                api::Constant::Int(n) => Value::from(*n),
                api::Constant::Text(t) => Value::from(*t),
            };
            (name.to_string(), value)
        })
        .collect();
    to_js(&table)
}

/// The core's bounded in-process store of claims; the methods take the time explicitly.
#[wasm_bindgen]
pub struct NativeMemoryStore {
    inner: idempotency::MemoryStore,
}

#[wasm_bindgen]
impl NativeMemoryStore {
    /// At most `capacity` keys (default 100 000), completed keys kept `retentionMs` (default
    /// 7 days).
    #[wasm_bindgen(constructor)]
    pub fn new(
        capacity: Option<TsNumber>,
        retention_ms: Option<TsNumber>,
    ) -> Result<NativeMemoryStore, JsValue> {
        let capacity = opt_number(capacity, "capacity")?;
        let retention_ms = opt_number(retention_ms, "retention_ms")?;
        Ok(NativeMemoryStore {
            inner: idempotency::MemoryStore::with_limits(
                number(js::capacity(capacity))?,
                number(js::retention_ms(retention_ms))?,
            )
            .map_err(js_error)?,
        })
    }

    /// Claims `key` for `leaseMs` from `nowMs`.
    #[wasm_bindgen(unchecked_return_type = "Claim")]
    pub fn claim(
        &self,
        key: TsString,
        lease_ms: TsNumber,
        now_ms: TsNumber,
    ) -> Result<JsValue, JsValue> {
        let key = read::text(&WArg(key.into()), "key")?;
        let lease = read::millis(&WArg(lease_ms.into()), "lease_ms")?;
        let now = read::millis(&WArg(now_ms.into()), "now_ms")?;
        to_js(&naming::Camel(
            &self.inner.claim(&key, lease, now).map_err(js_error)?,
        ))
    }

    /// Marks the claimed key processed; false when the token is no longer the claim's.
    pub fn complete(
        &self,
        key: TsString,
        token: TsString,
        now_ms: TsNumber,
    ) -> Result<bool, JsValue> {
        let key = read::text(&WArg(key.into()), "key")?;
        let token = read::text(&WArg(token.into()), "token")?;
        let now = read::millis(&WArg(now_ms.into()), "now_ms")?;
        Ok(self.inner.complete(&key, &token, now))
    }

    /// Gives a claim up after a failure; false when the token is no longer the claim's.
    pub fn release(&self, key: TsString, token: TsString) -> Result<bool, JsValue> {
        let key = read::text(&WArg(key.into()), "key")?;
        let token = read::text(&WArg(token.into()), "token")?;
        Ok(self.inner.release(&key, &token))
    }

    /// How many keys are held.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// Claims every key (the units of one notification): one claim per key, in order.
    #[wasm_bindgen(js_name = claimAll, unchecked_return_type = "Claim[]")]
    pub fn claim_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] keys: &JsValue,
        lease_ms: TsNumber,
        now_ms: TsNumber,
    ) -> Result<JsValue, JsValue> {
        let keys = read::strings(&WArg(keys.clone()), "keys")?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let lease = read::millis(&WArg(lease_ms.into()), "lease_ms")?;
        let now = read::millis(&WArg(now_ms.into()), "now_ms")?;
        let claims =
            idempotency::Store::claim_all(&self.inner, &keys, lease, now).map_err(js_error)?;
        to_js(&naming::Camel(&claims))
    }

    /// Completes `complete`'s and releases `release`'s `[key, token]` claims: whether each
    /// changed its key, in order.
    #[wasm_bindgen(unchecked_return_type = "boolean[]")]
    pub fn settle(
        &self,
        #[wasm_bindgen(unchecked_param_type = "[string, string][]")] complete: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "[string, string][]")] release: &JsValue,
        now_ms: TsNumber,
    ) -> Result<JsValue, JsValue> {
        let (complete, release) = (
            read::claim_pairs(&WArg(complete.clone()), "complete")?,
            read::claim_pairs(&WArg(release.clone()), "release")?,
        );
        let now = read::millis(&WArg(now_ms.into()), "now_ms")?;
        let changed =
            idempotency::Store::settle(&self.inner, &pairs(&complete), &pairs(&release), now)
                .map_err(js_error)?;
        to_js(&changed)
    }
}

/// A JavaScript value read as JSON (undefined and functions refused).
fn json_of(field: &str, value: &JsValue) -> Result<Value, JsValue> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| type_error(&format!("{field} must be an array")))?;
    serde_json::from_str(&text).map_err(|e| type_error(&format!("{field}: {e}")))
}

/// An array of strings.
fn strings(field: &str, value: &JsValue) -> Result<Vec<String>, JsValue> {
    match json_of(field, value)? {
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(type_error(&format!("{field} must be an array of strings"))),
            })
            .collect(),
        _ => Err(type_error(&format!("{field} must be an array of strings"))),
    }
}

/// Borrowed `(key, token)` pairs.
fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, t)| (k.as_str(), t.as_str())).collect()
}

/// The claim loop of one notification (the core's `idempotency::Steps`): the Node package's
/// `process` drives it around the store and the handler.
#[wasm_bindgen]
pub struct Steps {
    inner: idempotency::Steps,
}

#[wasm_bindgen]
impl Steps {
    /// The loop over `units` (the notification's units: `{key, kind}`, in order).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Unit[]")] units: &JsValue,
    ) -> Result<Steps, JsValue> {
        let Value::Array(items) = json_of("units", units)? else {
            return Err(type_error(
                "units must be an array of the notification's units",
            ));
        };
        let units = items
            .iter()
            .map(js::step_unit)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| type_error(&e))?;
        Ok(Steps {
            inner: idempotency::Steps::new(units),
        })
    }

    /// What to do next.
    #[wasm_bindgen(js_name = nextStep, unchecked_return_type = "Step")]
    pub fn next_step(&mut self) -> Result<JsValue, JsValue> {
        to_js(&js::step_value(self.inner.next_step()))
    }

    /// The store's answers to the claim step, one per key.
    pub fn claimed(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Claim[]")] answers: &JsValue,
    ) -> Result<(), JsValue> {
        let Value::Array(items) = json_of("answers", answers)? else {
            return Err(type_error("answers must be an array of claims"));
        };
        let claims = items
            .iter()
            .map(js::claim_answer)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| type_error(&e))?;
        self.inner.claimed(claims).map_err(js_error)
    }

    /// Whether the handler of the handle step succeeded.
    pub fn handled(&mut self, ok: bool) -> Result<(), JsValue> {
        self.inner.handled(ok).map_err(js_error)
    }

    /// The store's answers to the settle step, one per claim.
    pub fn settled(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "boolean[]")] changed: &JsValue,
    ) -> Result<(), JsValue> {
        let Value::Array(items) = json_of("changed", changed)? else {
            return Err(type_error("changed must be an array of booleans"));
        };
        let flags = items
            .iter()
            .map(|v| {
                v.as_bool()
                    .ok_or_else(|| type_error("changed must be an array of booleans"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.inner.settled(&flags).map_err(js_error)
    }
}

/// A new claim token, or the error that says why there is no randomness.
fn new_token() -> Result<String, JsValue> {
    redis::new_token()
        .map_err(|e| js_sys::Error::new(&format!("no randomness for a claim token: {e}")).into())
}

/// The core's telemetry table as JSON text: span, attribute and metric names of a receiver.
#[wasm_bindgen(js_name = telemetryTable)]
pub fn telemetry_table() -> String {
    hootsuite_events::telemetry::table().to_string()
}

/// The parts of a W3C `traceparent` header (`traceId`, `spanId`, `traceFlags`), or null when
/// it breaks the rules.
#[wasm_bindgen(js_name = parseTraceparent, unchecked_return_type = "TraceParent | null")]
pub fn parse_traceparent(header: TsString) -> Result<JsValue, JsValue> {
    let header = read::text(&WArg(header.into()), "header")?;
    match hootsuite_events::telemetry::parse_traceparent(&header) {
        Some(p) => to_js(&serde_json::json!({
            "traceId": p.trace_id_hex(),
            "spanId": p.span_id_hex(),
            "traceFlags": p.flags,
        })),
        None => Ok(JsValue::NULL),
    }
}

/// Whether values under `name` are secret: the core's one redaction rule.
#[wasm_bindgen(js_name = isSecretName)]
pub fn is_secret_name(name: TsString) -> Result<bool, JsValue> {
    let name = read::text(&WArg(name.into()), "name")?;
    Ok(hootsuite_events::redact::is_secret_name(&name))
}

/// A new claim token: 128 random bits of `crypto.getRandomValues`, 32 hexadecimal digits.
#[wasm_bindgen(js_name = newClaimToken)]
pub fn new_claim_token() -> Result<String, JsValue> {
    new_token()
}

/// The Redis protocol of a shared store (the core's `idempotency::redis`): the script calls to
/// send and the parsing of their replies.
#[wasm_bindgen]
pub struct RedisProtocol {
    inner: redis::Protocol,
}

#[wasm_bindgen]
impl RedisProtocol {
    /// Keys under `namespace` (default `hootsuite-events`), completed keys kept `retentionMs`
    /// (default 7 days).
    #[wasm_bindgen(constructor)]
    pub fn new(
        namespace: Option<TsString>,
        retention_ms: Option<TsNumber>,
    ) -> Result<RedisProtocol, JsValue> {
        let namespace = WArg(namespace.map_or(JsValue::UNDEFINED, JsValue::from));
        let namespace = read::opt_text(&namespace, "namespace")?;
        let retention_ms = opt_number(retention_ms, "retention_ms")?;
        let retention = number(js::retention_ms(retention_ms))?;
        let namespace = namespace.as_deref().unwrap_or(redis::DEFAULT_NAMESPACE);
        Ok(RedisProtocol {
            inner: redis::Protocol::new(namespace, retention).map_err(js_error)?,
        })
    }

    /// The claim of `key` for `leaseMs` with a new token.
    #[wasm_bindgen(unchecked_return_type = "RedisCall")]
    pub fn claim(&self, key: TsString, lease_ms: TsNumber) -> Result<JsValue, JsValue> {
        let key = read::text(&WArg(key.into()), "key")?;
        let lease = read::millis(&WArg(lease_ms.into()), "lease_ms")?;
        let token = new_token()?;
        ok_value(self.inner.claim(&key, lease, &token))
    }

    /// The completion of the claim of `key` made with `token`.
    #[wasm_bindgen(unchecked_return_type = "RedisCall")]
    pub fn complete(&self, key: TsString, token: TsString) -> Result<JsValue, JsValue> {
        let key = read::text(&WArg(key.into()), "key")?;
        let token = read::text(&WArg(token.into()), "token")?;
        ok_value(self.inner.complete(&key, &token))
    }

    /// The release of the claim of `key` made with `token`.
    #[wasm_bindgen(unchecked_return_type = "RedisCall")]
    pub fn release(&self, key: TsString, token: TsString) -> Result<JsValue, JsValue> {
        let key = read::text(&WArg(key.into()), "key")?;
        let token = read::text(&WArg(token.into()), "token")?;
        ok_value(self.inner.release(&key, &token))
    }

    /// The claim the claim script answered (a string or bytes) for the claim of `token`.
    #[wasm_bindgen(js_name = parseClaim, unchecked_return_type = "Claim")]
    pub fn parse_claim(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Bytes")] reply: &JsValue,
        token: TsString,
    ) -> Result<JsValue, JsValue> {
        let bytes = match reply.as_string() {
            Some(s) => s.into_bytes(),
            None => bytes(reply)?,
        };
        let token = read::text(&WArg(token.into()), "token")?;
        ok_value(redis::parse_claim_reply(&bytes, &token))
    }

    /// Whether a complete or release script changed the key (its integer reply, 1 or 0).
    #[wasm_bindgen(js_name = parseFlag)]
    pub fn parse_flag(&self, reply: TsNumber) -> Result<bool, JsValue> {
        let reply = read::number(&WArg(reply.into()), "reply")?;
        redis::parse_flag_reply(number(js::flag_reply(reply))?).map_err(js_error)
    }

    /// The Redis key of a unit key: `<namespace>:{<group>}<rest>`.
    pub fn key(&self, unit_key: TsString) -> Result<String, JsValue> {
        let unit_key = read::text(&WArg(unit_key.into()), "unit_key")?;
        self.inner.key(&unit_key).map_err(js_error)
    }

    /// The claim of every unit of `keys` (one notification) with a new token, in one script.
    #[wasm_bindgen(js_name = claimAll, unchecked_return_type = "RedisCall")]
    pub fn claim_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] keys: &JsValue,
        lease_ms: TsNumber,
    ) -> Result<JsValue, JsValue> {
        let keys = read::strings(&WArg(keys.clone()), "keys")?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let lease = read::millis(&WArg(lease_ms.into()), "lease_ms")?;
        let token = new_token()?;
        ok_value(self.inner.claim_all(&keys, lease, &token))
    }

    /// The claim of every unit of `keys` (one notification) with a new token, as one `SET …
    /// NX PX … GET` per key to send in one pipeline (Redis 7.0 and later):
    /// `{keys, value, leaseMs, token}`.
    #[wasm_bindgen(js_name = claimSet, unchecked_return_type = "{keys: string[], value: string, leaseMs: number, token: string}")]
    pub fn claim_set(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] keys: &JsValue,
        lease_ms: TsNumber,
    ) -> Result<JsValue, JsValue> {
        let keys = read::strings(&WArg(keys.clone()), "keys")?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let lease = read::millis(&WArg(lease_ms.into()), "lease_ms")?;
        let token = new_token()?;
        let set = self
            .inner
            .claim_set(&keys, lease, &token)
            .map_err(js_error)?;
        to_js(&serde_json::json!({
            "keys": set.keys, "value": set.value, "leaseMs": set.lease_ms, "token": set.token,
        }))
    }

    /// The claims the pipeline of `claimSet` answered (null, strings or bytes), for `count`
    /// keys claimed with `token`.
    #[wasm_bindgen(js_name = parseClaimSet, unchecked_return_type = "Claim[]")]
    pub fn parse_claim_set(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(string | Bytes | null)[]")] replies: &JsValue,
        count: TsNumber,
        token: TsString,
    ) -> Result<JsValue, JsValue> {
        if !js_sys::Array::is_array(replies) {
            return Err(type_error("replies must be an array of strings or nulls"));
        }
        let replies = js_sys::Array::from(replies)
            .iter()
            .map(|r| {
                if r.is_null() || r.is_undefined() {
                    Ok(None)
                } else if let Some(s) = r.as_string() {
                    Ok(Some(s.into_bytes()))
                } else {
                    bytes(&r).map(Some)
                }
            })
            .collect::<Result<Vec<_>, JsValue>>()?;
        // In the order the addon reads them: the replies, the count, the token.
        let count = read::count(&WArg(count.into()), "count")?;
        let token = read::text(&WArg(token.into()), "token")?;
        ok_value(redis::parse_claim_set_replies(
            replies.iter().map(Option::as_deref),
            count as usize,
            &token,
        ))
    }

    /// Whether Redis's error to a `claimSet` command (its message) says that the server
    /// predates Redis 7.0: nothing changed, and the claims go through the `claimAll` script.
    #[wasm_bindgen(js_name = claimSetUnsupported)]
    pub fn claim_set_unsupported(&self, message: TsString) -> Result<bool, JsValue> {
        let message = read::text(&WArg(message.into()), "message")?;
        Ok(redis::claim_set_unsupported(&message))
    }

    /// The completion of `complete`'s and the release of `release`'s `[key, token]` claims,
    /// in one script.
    #[wasm_bindgen(unchecked_return_type = "RedisCall")]
    pub fn settle(
        &self,
        #[wasm_bindgen(unchecked_param_type = "[string, string][]")] complete: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "[string, string][]")] release: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let (complete, release) = (
            read::claim_pairs(&WArg(complete.clone()), "complete")?,
            read::claim_pairs(&WArg(release.clone()), "release")?,
        );
        ok_value(self.inner.settle(&pairs(&complete), &pairs(&release)))
    }

    /// The claims the claim-all script answered (strings), for `count` keys claimed with
    /// `token`.
    #[wasm_bindgen(js_name = parseClaimAll, unchecked_return_type = "Claim[]")]
    pub fn parse_claim_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] replies: &JsValue,
        count: TsNumber,
        token: TsString,
    ) -> Result<JsValue, JsValue> {
        let replies = strings("replies", replies)?;
        let count = read::count(&WArg(count.into()), "count")?;
        let token = read::text(&WArg(token.into()), "token")?;
        ok_value(redis::parse_claim_all_reply(
            replies.iter().map(String::as_bytes),
            count as usize,
            &token,
        ))
    }

    /// What the settle script answered (integers), for `count` claims.
    #[wasm_bindgen(js_name = parseSettle, unchecked_return_type = "boolean[]")]
    pub fn parse_settle(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number[]")] replies: &JsValue,
        count: TsNumber,
    ) -> Result<JsValue, JsValue> {
        let Value::Array(items) = json_of("replies", replies)? else {
            return Err(type_error("replies must be an array of integers"));
        };
        let ints = items
            .iter()
            .map(|v| {
                v.as_f64()
                    .ok_or_else(|| type_error("replies must be an array of integers"))
            })
            .map(|n| n.and_then(|n| number(js::flag_reply(n))))
            .collect::<Result<Vec<_>, _>>()?;
        let count = read::count(&WArg(count.into()), "count")?;
        to_js(&redis::parse_settle_reply(ints, count as usize).map_err(js_error)?)
    }

    /// The namespace of the keys.
    #[wasm_bindgen(getter)]
    pub fn namespace(&self) -> String {
        self.inner.namespace().to_string()
    }
}

/// The PostgreSQL inbox's protocol (the core's `idempotency::postgres`): the migration, the
/// claim, seal and cleanup statements, and what the claim's row means.
#[wasm_bindgen]
pub struct PostgresProtocol {
    inner: idempotency::postgres::Protocol,
}

#[wasm_bindgen]
impl PostgresProtocol {
    /// The inbox in `table` (default `hootsuite_events_inbox`), rows kept `retentionMs`
    /// (default 7 days) before the cleanup deletes them.
    #[wasm_bindgen(constructor)]
    pub fn new(
        table: Option<TsString>,
        retention_ms: Option<TsNumber>,
    ) -> Result<PostgresProtocol, JsValue> {
        let table = read::opt_text(
            &WArg(table.map_or(JsValue::UNDEFINED, JsValue::from)),
            "table",
        )?;
        let retention_ms = opt_number(retention_ms, "retention_ms")?;
        let retention = number(js::retention_ms(retention_ms))?;
        let table = table
            .as_deref()
            .unwrap_or(idempotency::postgres::DEFAULT_TABLE);
        Ok(PostgresProtocol {
            inner: idempotency::postgres::Protocol::new(table, retention).map_err(js_error)?,
        })
    }

    /// The claim of `key` (a unit of kind `kind`): `{sql, params}`.
    #[wasm_bindgen(unchecked_return_type = "PostgresStatement")]
    pub fn claim(&self, key: TsString, kind: TsString) -> Result<JsValue, JsValue> {
        let key = read::text(&WArg(key.into()), "key")?;
        let kind = read::text(&WArg(kind.into()), "kind")?;
        let kind = idempotency::postgres::parse_kind(&kind).map_err(js_error)?;
        ok_value(self.inner.claim(&key, kind))
    }

    /// What the claim's row means: `claimed`, `done` or `in_progress`.
    #[wasm_bindgen(js_name = parseClaim)]
    pub fn parse_claim(&self, locked: TsBoolean, inserted: TsBoolean) -> Result<String, JsValue> {
        let locked = read::flag(&WArg(locked.into()), "locked")?;
        let inserted = read::flag(&WArg(inserted.into()), "inserted")?;
        idempotency::postgres::Protocol::parse_claim(locked, inserted)
            .map(|e| e.status().to_string())
            .map_err(js_error)
    }

    /// The table.
    #[wasm_bindgen(getter)]
    pub fn table(&self) -> String {
        self.inner.table().to_string()
    }

    /// How long rows are kept before the cleanup deletes them, in milliseconds.
    #[wasm_bindgen(getter, js_name = retentionMs)]
    pub fn retention_ms(&self) -> f64 {
        self.inner.retention_ms() as f64
    }

    /// The migration: the table and its index (several statements, no parameters).
    #[wasm_bindgen(getter)]
    pub fn migration(&self) -> String {
        self.inner.migration().to_string()
    }

    /// The statement that serializes migrations (run first in the migration's transaction).
    #[wasm_bindgen(getter, js_name = migrationLock)]
    pub fn migration_lock(&self) -> String {
        self.inner.migration_lock().to_string()
    }

    /// The cleanup: deletes the rows done more than the retention ago (no parameters).
    #[wasm_bindgen(getter)]
    pub fn cleanup(&self) -> String {
        self.inner.cleanup().to_string()
    }

    /// The claim statement's text (`$1` the key, `$2` the kind).
    #[wasm_bindgen(getter, js_name = claimSql)]
    pub fn claim_sql(&self) -> String {
        self.inner.claim_sql().to_string()
    }

    /// The statement run after the handler and before `COMMIT`.
    #[wasm_bindgen(getter)]
    pub fn seal(&self) -> String {
        idempotency::postgres::SEAL.to_string()
    }
}
