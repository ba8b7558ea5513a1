//! The Node.js binding: converts values and maps errors, nothing else. The protocol is the
//! core crate's. A core error crosses into JavaScript as an `Error` whose message is
//! `hootsuite-events:` followed by the error's data as JSON; `index.js` turns it into the
//! matching `Error` subclass in one generic place. Argument type errors cross with the code
//! `InvalidArg` and become `TypeError`s there.
//!
//! Results are the core's serde types in JavaScript's naming ([`naming`]: struct fields in
//! camelCase, absent values null, user data as sent), the very shape the WebAssembly build
//! gives, so that the package's WebAssembly fallback serves the same API.

use hootsuite_events::api::{self, Outcome as _};
use hootsuite_events::events;
use hootsuite_events::idempotency::{self, MemoryStore as CoreMemoryStore};
use hootsuite_events::instance::WithSecrets;
use hootsuite_events::{js, naming};
use hootsuite_events::{BaseUrl, Error, HttpRequest, Method, Secret};
use napi::bindgen_prelude::{
    Array, ArrayBuffer, Buffer, ClassInstance, Either, External, FromNapiValue as _, Object,
    Uint8Array, Unknown,
};
use napi::{Env, ValueType};
use napi::{JsString, JsValue as _};
use napi_derive::napi;
use serde::Serialize;
use serde_json::Value;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The prefix of messages that carry core error data.
const ERROR_MARKER: &str = "hootsuite-events:";

/// The one place where a core error becomes a JavaScript error.
fn js_err(e: Error) -> napi::Error {
    let class = e.class_name();
    let mut data = e.to_value();
    data["class"] = class.into();
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("{ERROR_MARKER}{data}"),
    )
}

/// A programmer error (a wrong argument type): `index.js` throws it as a `TypeError`.
fn type_err(message: &str) -> napi::Error {
    napi::Error::new(napi::Status::InvalidArg, message.to_string())
}

trait OrThrow<T> {
    fn or_throw(self) -> napi::Result<T>;
}

impl<T> OrThrow<T> for Result<T, Error> {
    fn or_throw(self) -> napi::Result<T> {
        self.map_err(js_err)
    }
}

/// A number the core's [`js`] checks refused: a `TypeError` in JavaScript.
trait OrTypeError<T> {
    fn or_type_error(self) -> napi::Result<T>;
}

impl<T> OrTypeError<T> for Result<T, String> {
    fn or_type_error(self) -> napi::Result<T> {
        self.map_err(|m| type_err(&m))
    }
}

/// A result as JSON text in JavaScript's naming, which `index.js` parses with V8's
/// `JSON.parse`: faster than building the object property by property through N-API (figures
/// in docs/benchmarks.md).
fn camel<T: Serialize + ?Sized>(value: &T) -> napi::Result<String> {
    naming::to_camel_json(value).map_err(|e| type_err(&e.to_string()))
}

/// A small result (a claim, a script call) as a JavaScript value in JavaScript's naming.
fn camel_value<T: Serialize + ?Sized>(value: &T) -> napi::Result<Value> {
    naming::to_camel_value(value).map_err(|e| type_err(&e.to_string()))
}

#[path = "../../js/read.rs"]
mod read;

/// An argument as napi hands it over (`None` for a property that is `undefined`), with its type
/// read once: the readers ask it several times.
#[derive(Clone, Copy)]
struct Arg<'env>(Option<Unknown<'env>>, ValueType);

impl<'env> Arg<'env> {
    fn of(v: impl Into<Option<Unknown<'env>>>) -> Self {
        let v = v.into();
        let ty = v.map_or(ValueType::Undefined, |v| {
            v.get_type().unwrap_or(ValueType::Unknown)
        });
        Arg(v, ty)
    }

    fn ty(&self) -> napi::Result<ValueType> {
        Ok(self.1)
    }

    fn object(&self) -> napi::Result<Option<Object<'env>>> {
        match (self.0, self.ty()?) {
            (Some(v), ValueType::Object) => Object::from_unknown(v).map(Some),
            _ => Ok(None),
        }
    }
}

/// A body's bytes: a typed array's or an ArrayBuffer's own memory, not a copy.
enum NodeBytes<'env> {
    Typed(Uint8Array),
    Buffer(ArrayBuffer<'env>),
}

impl AsRef<[u8]> for NodeBytes<'_> {
    fn as_ref(&self) -> &[u8] {
        match self {
            NodeBytes::Typed(b) => b,
            NodeBytes::Buffer(b) => b,
        }
    }
}

impl<'env> read::JsIn for Arg<'env> {
    type Err = napi::Error;
    type Bytes = NodeBytes<'env>;

    fn is_nullish(&self) -> bool {
        matches!(self.ty(), Ok(ValueType::Undefined | ValueType::Null))
    }

    fn kind(&self) -> napi::Result<&'static str> {
        Ok(match self.ty()? {
            ValueType::Undefined => "undefined",
            ValueType::Null => "null",
            ValueType::Boolean => "boolean",
            ValueType::Number => "number",
            ValueType::String => "string",
            ValueType::Symbol => "symbol",
            ValueType::Function => "function",
            ValueType::BigInt => "bigint",
            _ => "object",
        })
    }

    fn text(&self) -> napi::Result<Option<String>> {
        match (self.0, self.ty()?) {
            (Some(v), ValueType::String) => String::from_unknown(v).map(Some),
            _ => Ok(None),
        }
    }

    fn number(&self) -> napi::Result<Option<f64>> {
        match (self.0, self.ty()?) {
            (Some(v), ValueType::Number) => f64::from_unknown(v).map(Some),
            _ => Ok(None),
        }
    }

    fn flag(&self) -> napi::Result<Option<bool>> {
        match (self.0, self.ty()?) {
            (Some(v), ValueType::Boolean) => bool::from_unknown(v).map(Some),
            _ => Ok(None),
        }
    }

    fn bytes(&self) -> napi::Result<Option<NodeBytes<'env>>> {
        let Some(v) = self
            .0
            .filter(|_| matches!(self.ty(), Ok(ValueType::Object)))
        else {
            return Ok(None);
        };
        if v.is_typedarray()? {
            return Ok(Uint8Array::from_unknown(v).ok().map(NodeBytes::Typed));
        }
        if v.is_arraybuffer()? {
            return ArrayBuffer::from_unknown(v).map(|b| Some(NodeBytes::Buffer(b)));
        }
        Ok(None)
    }

    fn get(&self, key: &str) -> napi::Result<Self> {
        Ok(Arg::of(match self.object()? {
            Some(o) => o.get::<Unknown>(key)?,
            None => None,
        }))
    }

    fn items(&self, max: u32) -> napi::Result<Option<Result<Vec<Self>, u32>>> {
        let Some(v) = self
            .0
            .filter(|v| self.1 == ValueType::Object && v.is_array().unwrap_or(false))
        else {
            return Ok(None);
        };
        let array = Array::from_unknown(v)?;
        if array.len() > max {
            return Ok(Some(Err(array.len())));
        }
        (0..array.len())
            .map(|i| array.get::<Unknown>(i).map(Arg::of))
            .collect::<napi::Result<Vec<_>>>()
            .map(|items| Some(Ok(items)))
    }

    fn entries(&self) -> napi::Result<Vec<(String, Self)>> {
        let Some(o) = self.object()? else {
            return Ok(Vec::new());
        };
        Object::keys(&o)?
            .into_iter()
            .map(|k| Ok((k.clone(), Arg::of(o.get::<Unknown>(&k)?))))
            .collect()
    }

    fn form(&self) -> napi::Result<api::Form> {
        match self.0 {
            Some(v) => Value::from_unknown(v).map(api::Form::Json),
            None => Ok(api::Form::Json(Value::Null)),
        }
    }

    fn json(&self) -> napi::Result<Option<String>> {
        match (self.0, self.ty()?) {
            (Some(v), ty) if ty != ValueType::Undefined => {
                Value::from_unknown(v).map(|v| Some(v.to_string()))
            }
            _ => Ok(None),
        }
    }

    fn code(&self) -> napi::Result<Option<Secret>> {
        let Some(v) = self.0 else {
            return Ok(None);
        };
        Ok(
            match Either::<String, ClassInstance<'_, AuthorizationCode>>::from_unknown(v) {
                Ok(Either::A(s)) => Some(Secret::new(s)),
                Ok(Either::B(c)) => Some(c.inner.clone()),
                Err(_) => None,
            },
        )
    }

    fn type_error(message: &str) -> napi::Error {
        type_err(message)
    }

    fn core_error(e: Error) -> napi::Error {
        js_err(e)
    }
}

/// The account of a request: the `Config` made with `new Config(...)`.
struct Account<'env>(ClassInstance<'env, Config>);

impl std::ops::Deref for Account<'_> {
    type Target = hootsuite_events::Config;
    fn deref(&self) -> &hootsuite_events::Config {
        &self.0.inner
    }
}

fn config_arg<'env>(v: &Arg<'env>) -> napi::Result<Account<'env>> {
    let instance =
        v.0.and_then(|v| Either::<ClassInstance<'env, Config>, Unknown>::from_unknown(v).ok());
    match instance {
        Some(Either::A(c)) => Ok(Account(c)),
        _ => Err(type_err(
            "config must be a hootsuite-events Config (new Config(baseUrl, userSecret, organizationSecret))",
        )),
    }
}

/// A request to send: `fetch(r.url, {method: r.method, headers: r.headers, body: r.body})`.
#[napi(object, use_nullable = true)]
pub struct Request {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// Header names and values.
    pub headers: indexmap::IndexMap<String, String>,
    /// The JSON body, or null for requests without one.
    pub body: Option<String>,
}

fn request(r: HttpRequest) -> Request {
    Request {
        method: r.method.as_str().to_string(),
        url: r.url.clone(),
        headers: r.headers.iter().cloned().collect(),
        body: if r.body.is_empty() {
            None
        } else {
            Some(r.body_text().to_string())
        },
    }
}

/// The same request made safe to show (`Authorization`, secret query parameters and secret body
/// fields masked). `index.js` uses it for `util.inspect` and `JSON.stringify` of every request.
#[napi(catch_unwind)]
pub fn redact_request(request: Request) -> napi::Result<Request> {
    let method = Method::parse(&request.method)
        .ok_or_else(|| type_err(&format!("unknown method {}", request.method)))?;
    let r = HttpRequest {
        method,
        url: request.url,
        headers: request.headers.into_iter().collect(),
        body: request.body.unwrap_or_default().into_bytes(),
    };
    Ok(self::request(r.redacted()))
}

/// Where to call and with which account. Secrets are kept in Rust and never shown by
/// `util.inspect` or `JSON.stringify`.
#[napi]
pub struct Config {
    inner: hootsuite_events::Config,
}

#[napi]
impl Config {
    /// `baseUrl` is a URL or a preset of `baseUrlPresets()`: `us`, `us-legacy`, `us-staging`,
    /// `eu`, `eu-console`, `sap-us2`, `sap-trial-us10`, `sap-trial-eu10`.
    #[napi(catch_unwind, constructor)]
    pub fn new(
        #[napi(ts_arg_type = "string")] base_url: Unknown<'_>,
        #[napi(ts_arg_type = "string")] user_secret: Unknown<'_>,
        #[napi(ts_arg_type = "string")] organization_secret: Unknown<'_>,
    ) -> napi::Result<Self> {
        let base_url = read::text(&Arg::of(base_url), "baseUrl")?;
        let user_secret = read::text(&Arg::of(user_secret), "userSecret")?;
        let organization_secret = read::text(&Arg::of(organization_secret), "organizationSecret")?;
        let base = BaseUrl::parse(&base_url).or_throw()?;
        Ok(Config {
            inner: hootsuite_events::Config::new(base, user_secret, organization_secret)
                .or_throw()?,
        })
    }

    /// The base URL, without a trailing `/`.
    #[napi(catch_unwind, getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().as_str().to_string()
    }

    /// `User <user secret>, Element <token>`: the header for calls made as an instance.
    #[napi(catch_unwind)]
    pub fn instance_authorization(
        &self,
        #[napi(ts_arg_type = "string")] token: Unknown<'_>,
    ) -> napi::Result<String> {
        let token = read::text(&Arg::of(token), "token")?;
        let auth = self
            .inner
            .instance_authorization(&hootsuite_events::InstanceToken::new(token))
            .or_throw()?;
        Ok(auth.expose().to_string())
    }

    /// `JSON.stringify(config)` shows the base URL only.
    #[napi(catch_unwind, js_name = "toJSON")]
    pub fn to_json(&self) -> std::collections::HashMap<String, String> {
        [("baseUrl".to_string(), self.base_url())]
            .into_iter()
            .collect()
    }
}

/// The OAuth code from the callback: single use, secret. `util.inspect`, `String(code)` and
/// `JSON.stringify` show `********`; `getSecretValue()` gives the code. The create-instance
/// functions take it where the code goes (`providerData: {code}`) and send the real value.
#[napi]
pub struct AuthorizationCode {
    inner: Secret,
}

#[napi]
impl AuthorizationCode {
    /// The code itself, for the create-instance body.
    #[napi(catch_unwind)]
    pub fn get_secret_value(&self) -> String {
        self.inner.expose().to_string()
    }

    /// `********`.
    #[napi(catch_unwind, js_name = "toString")]
    pub fn to_display(&self) -> String {
        MASKED_CODE.to_string()
    }

    /// `********`: a serialized object never carries the code by accident.
    #[napi(catch_unwind, js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        MASKED_CODE.to_string()
    }
}

const MASKED_CODE: &str = "********";

/// A result made JavaScript's.
macro_rules! js_ret {
    ($v:ident, Request) => { Ok(request($v)) };
    ($v:ident, Record($t:ident)) => { camel(&$v) };
    ($v:ident, List($t:ident)) => { camel(&$v) };
    ($v:ident, Secrets($t:ident)) => { camel(&WithSecrets(&$v)) };
    ($v:ident, Report) => { camel(&$v) };
    ($v:ident, Body) => { Ok($v.to_json()) };
    ($v:ident, Policy) => { Ok($v.as_str().to_string()) };
    ($v:ident, Code) => { Ok(AuthorizationCode { inner: $v }) };
    // At most MAX_KEYS (8) keys: the index fits.
    ($v:ident, Index) => { Ok(u32::try_from($v).unwrap_or(u32::MAX)) };
    ($v:ident, Presets) => {
        Ok($v.into_iter().map(|(name, url)| serde_json::json!({ "name": name, "url": url })).collect())
    };
    ($v:ident, $other:ident) => { Ok($v) };
}

/// The Rust type of each result kind, and the TypeScript type of those that cross as JSON
/// text (records, which `index.js` parses); then the export itself. napi declares a function
/// from its written types, so each type is written here, not made by a macro.
macro_rules! js_ts {
    (Record(RedirectUrl) $($f:tt)*) => { js_exports!(@ret "import('./index').RedirectUrl" (String) $($f)*); };
    (Record(InstanceEventPage) $($f:tt)*) => { js_exports!(@ret "import('./index').InstanceEventPage" (String) $($f)*); };
    (Record(InstanceEvent) $($f:tt)*) => { js_exports!(@ret "import('./index').InstanceEvent" (String) $($f)*); };
    (Record(DeliveryPage) $($f:tt)*) => { js_exports!(@ret "import('./index').DeliveryPage" (String) $($f)*); };
    (Record(ConfigurationEntry) $($f:tt)*) => { js_exports!(@ret "import('./index').ConfigurationEntry" (String) $($f)*); };
    (List(InstanceEvent) $($f:tt)*) => { js_exports!(@ret "import('./index').InstanceEvent[]" (String) $($f)*); };
    (List(Delivery) $($f:tt)*) => { js_exports!(@ret "import('./index').Delivery[]" (String) $($f)*); };
    (List(ConfigurationEntry) $($f:tt)*) => { js_exports!(@ret "import('./index').ConfigurationEntry[]" (String) $($f)*); };
    (Secrets(Instance) $($f:tt)*) => { js_exports!(@ret "import('./index').Instance" (String) $($f)*); };
    (Secrets(InstancePage) $($f:tt)*) => { js_exports!(@ret "import('./index').InstancePage" (String) $($f)*); };
    (Report $($f:tt)*) => { js_exports!(@ret "import('./index').ValidationResult" (String) $($f)*); };
    (Body $($f:tt)*) => { js_exports!(@ret "Record<string, unknown>" (String) $($f)*); };
    (Policy $($f:tt)*) => { js_exports!(@ret "'retry' | 'queue'" (String) $($f)*); };
    (Presets $($f:tt)*) => { js_exports!(@ret "import('./index').BaseUrlPreset[]" (Value) $($f)*); };
    (Schema $($f:tt)*) => { js_exports!(@ret "import('./index').JsonSchema" (Value) $($f)*); };
    (Request $($f:tt)*) => { js_exports!(@ret _ (Request) $($f)*); };
    (Nothing $($f:tt)*) => { js_exports!(@ret _ (()) $($f)*); };
    (Index $($f:tt)*) => { js_exports!(@ret _ (u32) $($f)*); };
    (Code $($f:tt)*) => { js_exports!(@ret _ (AuthorizationCode) $($f)*); };
    (Text $($f:tt)*) => { js_exports!(@ret _ (String) $($f)*); };
}

/// Every `table` export of the core's table as a function (the `hand` ones are written below):
/// the parameters written one kind at a time (`@params`), the option object (`@opts`), then
/// the function (`@emit`).
macro_rules! js_exports {
    ($(
        #[doc = $doc:literal]
        $how:ident $where:ident $rust:ident $js:ident $sig:tt $(+ $opts:ident $fields:tt)?
        -> $ret:ident $(($rtype:ident))? = $core:path;
    )*) => {
        $(js_exports!(@fn $how $where [$doc] $rust $sig $(+ $opts $fields)? -> $ret $(($rtype))? = $core);)*
    };
    (@fn hand $($rest:tt)*) => {};
    (@fn table wasm $($rest:tt)*) => {};
    (@fn table $where:ident $doc:tt $rust:ident $sig:tt $(+ $opts:ident $fields:tt)?
        -> $ret:ident $(($rtype:ident))? = $core:path) => {
        js_ts!($ret $(($rtype))? $doc $rust $sig $(+ $opts $fields)? -> $ret $(($rtype))? = $core);
    };
    (@ret $ts:tt $rty:tt $doc:tt $rust:ident ($($args:tt)*) $($rest:tt)*) => {
        js_exports!(@params [] [$($args)*] $ts $rty $doc $rust ($($args)*) $($rest)*);
    };
    (@params [$($p:tt)*] [$a:ident : Config $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "Config")] $a: Unknown<'_>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : Id $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "number")] $a: Unknown<'_>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : OptId $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "number | null | undefined")] $a: Option<Unknown<'_>>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : Flag $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "boolean")] $a: Unknown<'_>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : OptText $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "string | null")] $a: Option<Unknown<'_>>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : Form $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "import('./index').CreateInstanceForm")] $a: Unknown<'_>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : Code $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "string | AuthorizationCode")] $a: Unknown<'_>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : Body $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "Uint8Array | ArrayBuffer")] $a: Unknown<'_>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : Keys $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "string | string[]")] $a: Unknown<'_>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : Response $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "import('./index').ResponseInput")] $a: Unknown<'_>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : Text $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "string")] $a: Unknown<'_>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [$a:ident : Secret $(= $d:tt)? $(, $($r:tt)*)?] $($k:tt)*) => { js_exports!(@params [$($p)* #[napi(ts_arg_type = "string")] $a: Unknown<'_>,] [$($($r)*)?] $($k)*); };
    (@params [$($p:tt)*] [] $ts:tt $rty:tt $doc:tt $rust:ident $sig:tt -> $($rest:tt)*) => {
        js_exports!(@emit $ts $rty $doc $rust $sig [$($p)*] -> $($rest)*);
    };
    (@params [$($p:tt)*] [] $ts:tt $rty:tt $doc:tt $rust:ident $sig:tt + $opts:ident $fields:tt -> $($rest:tt)*) => {
        js_exports!(@opts [$($p)*] $opts options $ts $rty $doc $rust $sig -> $($rest)*);
    };
    (@opts [$($p:tt)*] RedirectOptions $o:ident $ts:tt $rty:tt $doc:tt $rust:ident $sig:tt -> $($rest:tt)*) => {
        js_exports!(@emit $ts $rty $doc $rust $sig [$($p)* #[napi(ts_arg_type = "import('./index').RedirectUrlOptions")] $o: Unknown<'_>] [RedirectOptions $o] -> $($rest)*);
    };
    (@opts [$($p:tt)*] PageOptions $o:ident $ts:tt $rty:tt $doc:tt $rust:ident $sig:tt -> $($rest:tt)*) => {
        js_exports!(@emit $ts $rty $doc $rust $sig [$($p)* #[napi(ts_arg_type = "import('./index').PageOptions | null")] $o: Option<Unknown<'_>>] [PageOptions $o] -> $($rest)*);
    };
    (@opts [$($p:tt)*] DeliveryFilter $o:ident $ts:tt $rty:tt $doc:tt $rust:ident $sig:tt -> $($rest:tt)*) => {
        js_exports!(@emit $ts $rty $doc $rust $sig [$($p)* #[napi(ts_arg_type = "import('./index').DeliveryOptions | null")] $o: Option<Unknown<'_>>] [DeliveryFilter $o] -> $($rest)*);
    };
    (@opts [$($p:tt)*] ListOptions $o:ident $ts:tt $rty:tt $doc:tt $rust:ident $sig:tt -> $($rest:tt)*) => {
        js_exports!(@emit $ts $rty $doc $rust $sig [$($p)* #[napi(ts_arg_type = "import('./index').ListOptions | null")] $o: Option<Unknown<'_>>] [ListOptions $o] -> $($rest)*);
    };
    (@opts [$($p:tt)*] VerifyOptions $o:ident $ts:tt $rty:tt $doc:tt $rust:ident $sig:tt -> $($rest:tt)*) => {
        js_exports!(@emit $ts $rty $doc $rust $sig [$($p)* #[napi(ts_arg_type = "import('./index').VerifyOptions | null")] $o: Option<Unknown<'_>>] [VerifyOptions $o] -> $($rest)*);
    };
    (@emit $ts:tt ($($rty:tt)*) [$doc:literal] $rust:ident ($($arg:ident : $kind:ident $(= $adef:tt)?),*)
        [$($p:tt)*] $([$opts:ident $o:ident])? -> $ret:ident $(($rtype:ident))? = $core:path) => {
        js_exports!(@attr $ts
            #[doc = $doc]
            pub fn $rust($($p)*) -> napi::Result<$($rty)*> {
                $(let $arg = read::read_arg!($kind, &Arg::of($arg), stringify!($arg));)*
                $(let $o: api::$opts = read::read_options!($opts, &Arg::of($o))?;)?
                let out = $core($(read::pass_arg!($kind, $arg),)* $(&$o as &api::$opts)?)
                    .outcome()
                    .or_throw()?;
                js_ret!(out, $ret $(($rtype))?)
            }
        );
    };
    (@attr _ $($f:tt)*) => {
        #[napi(catch_unwind)]
        $($f)*
    };
    (@attr $ts:literal $($f:tt)*) => {
        #[napi(catch_unwind, ts_return_type = $ts)]
        $($f)*
    };
}

hootsuite_events::for_each_export!(js_exports);

/// Verifies the raw body's signature with one key or several, then parses it. `headers`: an
/// object or `[name, value]` pairs; `body`: a Buffer or Uint8Array (a string throws a
/// TypeError: the signature covers the exact bytes). `index.js` makes the notification from
/// the JSON lines that `notification_bytes` writes (and the body after them, see below).
#[napi(catch_unwind, ts_return_type = "import('./index').Notification")]
pub fn verify_event<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "string | string[]")] key_or_keys: Unknown<'_>,
    #[napi(ts_arg_type = "import('./index').HeadersInput")] headers: Unknown<'_>,
    #[napi(ts_arg_type = "Uint8Array | ArrayBuffer")] body: Unknown<'_>,
    #[napi(ts_arg_type = "import('./index').VerifyOptions | null")] options: Option<Unknown<'_>>,
) -> napi::Result<JsString<'env>> {
    let headers = read::headers(&Arg::of(headers))?;
    let body = read::body(&Arg::of(body))?;
    let n = read::verifier(&Arg::of(key_or_keys), &Arg::of(options))?
        .verify_event(&headers, body.as_ref())
        .or_throw()?;
    // Within the default limit `parseEventNotification(body)` parses it alike, so `index.js`
    // gets `events` and `raw` from there when they are read, the body following the text after
    // an empty line (a copy in the same string costs less than a Buffer's); past it they come
    // now.
    let body = body.as_ref();
    if body.len() <= hootsuite_events::json::Limits::default().max_body_size {
        let mut text = notification_bytes(&n, false)?;
        text.extend_from_slice(b"\n\n");
        text.extend_from_slice(body);
        // A body that was parsed is UTF-8: the core's parsers refuse any other.
        if let Some(text) = js_text(env, text)? {
            return Ok(text);
        }
    }
    js_text(env, notification_bytes(&n, true)?)?
        .ok_or_else(|| type_err("the notification's text is not UTF-8"))
}

/// UTF-8 `text` as a JavaScript string (`None` when it is not UTF-8). ASCII, the usual case, is
/// the same in Latin-1, which V8 copies without decoding or Rust's check.
fn js_text(env: &Env, text: Vec<u8>) -> napi::Result<Option<JsString<'_>>> {
    if text.is_ascii() {
        return env.create_string_latin1(&text).map(Some);
    }
    match String::from_utf8(text) {
        Ok(text) => env.create_string_from_std(text).map(Some),
        Err(_) => Ok(None),
    }
}

/// Parses a notification without verifying it (for unsigned deliveries).
#[napi(catch_unwind, ts_return_type = "import('./index').Notification")]
pub fn parse_event_notification(
    #[napi(ts_arg_type = "string | Uint8Array | ArrayBuffer")] body: Unknown<'_>,
    #[napi(ts_arg_type = "import('./index').HeadersInput | null")] headers: Option<Unknown<'_>>,
) -> napi::Result<String> {
    let headers = read::headers(&Arg::of(headers))?;
    let body = read::text_or_bytes(&Arg::of(body), "body")?;
    let n = events::parse_delivery(&headers, &body).or_throw()?;
    notification_text(&n, true)
}

/// The notification as JSON texts in JavaScript's naming, one a line (compact JSON has no raw
/// newline): the head, then `units`, `hootsuite_events`, then, when `lists`, `events` and `raw`.
/// The head is an array of the other fields' values in the core's order, then the number of
/// units (`index.js`'s
/// `lazyNotification` names them: an array and an object literal parse faster than the same
/// object in JSON). `index.js` parses all but the head only when read (`process` hands the units'
/// line back to the addon unparsed), and without `lists` gets `events` and `raw` from
/// `parseEventNotification` of the same body then: writing them cost more than the parse at
/// one Hootsuite event. One string, not a handle: a napi class per notification cost more in
/// finalizers and page faults than it saved.
fn notification_text(n: &events::Notification, lists: bool) -> napi::Result<String> {
    // serde_json writes UTF-8 only.
    String::from_utf8(notification_bytes(n, lists)?).map_err(|e| type_err(&e.to_string()))
}

/// `notification_text`'s bytes.
fn notification_bytes(n: &events::Notification, lists: bool) -> napi::Result<Vec<u8>> {
    let count = n.units.len();
    let head: [&dyn erased::Ser; 22] = [
        &n.shape,
        &n.id,
        &n.topic,
        &n.action,
        &n.severity,
        &n.created_date,
        &n.user,
        &n.event_id,
        &n.instance_id,
        &n.instance_name,
        &n.instance_tags,
        &n.element_key,
        &n.account_id,
        &n.company_id,
        &n.user_id,
        &n.notification_id,
        &n.rejected,
        &n.webhook_id,
        &n.key_index,
        &n.message_extra,
        &n.extra,
        // Not a field: how many units, for `process` (`claimUnits` may answer the slot alone).
        &count,
    ];
    let mut out = Vec::with_capacity(4096);
    for (i, value) in head.iter().enumerate() {
        out.push(if i == 0 { b'[' } else { b',' });
        value.write(&mut out)?;
    }
    out.extend_from_slice(b"]\n");
    write::units(&n.units, &mut out)?;
    out.push(b'\n');
    write::hootsuite_events(&n.hootsuite_events, &mut out)?;
    if lists {
        out.push(b'\n');
        erased::Ser::write(&n.events, &mut out)?;
        out.push(b'\n');
        erased::Ser::write(&n.raw, &mut out)?;
    }
    Ok(out)
}

mod erased {
    /// A value written as camelCase JSON, behind one `dyn` so that the four parts share a writer.
    pub(super) trait Ser {
        fn write(&self, out: &mut Vec<u8>) -> napi::Result<()>;
    }

    impl<T: serde::Serialize> Ser for T {
        fn write(&self, out: &mut Vec<u8>) -> napi::Result<()> {
            serde_json::to_writer(out, &hootsuite_events::naming::Camel(self))
                .map_err(|e| super::type_err(&e.to_string()))
        }
    }
}

/// The units and Hootsuite events as `erased::Ser` writes them (camelCase JSON), written
/// field by field: the generic writer's renaming and map machinery cost more than the parse of
/// the events themselves. Each struct is destructured whole, so that a field added in the core
/// fails to compile here instead of going missing from the text.
mod write {
    use hootsuite_events::events::{HootsuiteData, HootsuiteEvent, Unit, UnitKind};

    /// A JSON string: copied as is when nothing in it needs an escape, else serde_json's.
    fn text(s: &str, out: &mut Vec<u8>) -> napi::Result<()> {
        if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            out.reserve(s.len() + 2);
            out.push(b'"');
            out.extend_from_slice(s.as_bytes());
            out.push(b'"');
            Ok(())
        } else {
            value(s, out)
        }
    }

    fn opt_text(s: &Option<String>, out: &mut Vec<u8>) -> napi::Result<()> {
        match s {
            Some(s) => text(s, out),
            None => {
                out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }

    /// Any other value (maps whose keys are data, not renamed) through serde_json.
    fn value<T: serde::Serialize + ?Sized>(v: &T, out: &mut Vec<u8>) -> napi::Result<()> {
        serde_json::to_writer(out, v).map_err(|e| super::type_err(&e.to_string()))
    }

    /// `"name":` then the value's text.
    fn field(name: &str, out: &mut Vec<u8>) {
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    }

    pub(super) fn units(units: &[Unit], out: &mut Vec<u8>) -> napi::Result<()> {
        out.push(b'[');
        for (i, unit) in units.iter().enumerate() {
            let Unit { key, kind, index } = unit;
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"key\":");
            text(key, out)?;
            out.extend_from_slice(match kind {
                UnitKind::HootsuiteEvent => b",\"kind\":\"hootsuite_event\",\"index\":".as_slice(),
                UnitKind::ElementEvent => b",\"kind\":\"element_event\",\"index\":",
                UnitKind::Notification => b",\"kind\":\"notification\",\"index\":",
                UnitKind::Rejected => b",\"kind\":\"rejected\",\"index\":",
            });
            match index {
                Some(i) => value(i, out)?,
                None => out.extend_from_slice(b"null"),
            }
            out.push(b'}');
        }
        out.push(b']');
        Ok(())
    }

    pub(super) fn hootsuite_events(
        events: &[HootsuiteEvent],
        out: &mut Vec<u8>,
    ) -> napi::Result<()> {
        out.push(b'[');
        for (i, event) in events.iter().enumerate() {
            let HootsuiteEvent {
                seq_no,
                event_type,
                data,
                extra,
            } = event;
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"seqNo\":");
            opt_text(seq_no, out)?;
            out.extend_from_slice(b",\"type\":");
            text(event_type, out)?;
            out.extend_from_slice(b",\"data\":");
            self::data(data, out)?;
            out.extend_from_slice(b",\"extra\":");
            value(extra, out)?;
            out.push(b'}');
        }
        out.push(b']');
        Ok(())
    }

    /// Internally tagged by `kind`, the variants' fields in camelCase.
    fn data(data: &HootsuiteData, out: &mut Vec<u8>) -> napi::Result<()> {
        let fields: &[(&str, &Option<String>)] = match data {
            HootsuiteData::Message {
                state,
                message_id,
                organization_id,
                timestamp,
            } => {
                out.extend_from_slice(b"{\"kind\":\"message\"");
                &[
                    ("state", state),
                    ("messageId", message_id),
                    ("organizationId", organization_id),
                    ("timestamp", timestamp),
                ]
            }
            HootsuiteData::Comment {
                state,
                comment_id,
                organization_id,
                timestamp,
            } => {
                out.extend_from_slice(b"{\"kind\":\"comment\"");
                &[
                    ("state", state),
                    ("commentId", comment_id),
                    ("organizationId", organization_id),
                    ("timestamp", timestamp),
                ]
            }
            HootsuiteData::App {
                state,
                app_id,
                member_id,
                organization_id,
                timestamp,
            } => {
                out.extend_from_slice(b"{\"kind\":\"app\"");
                &[
                    ("state", state),
                    ("appId", app_id),
                    ("memberId", member_id),
                    ("organizationId", organization_id),
                    ("timestamp", timestamp),
                ]
            }
            HootsuiteData::Ping => {
                out.extend_from_slice(b"{\"kind\":\"ping\"}");
                return Ok(());
            }
            HootsuiteData::Other { data } => {
                out.extend_from_slice(b"{\"kind\":\"other\",\"data\":");
                value(data, out)?;
                out.push(b'}');
                return Ok(());
            }
        };
        for (name, v) in fields {
            out.push(b',');
            field(name, out);
            opt_text(v, out)?;
        }
        out.push(b'}');
        Ok(())
    }
}

fn millis(field: &str, n: f64) -> napi::Result<u64> {
    js::millis(field, n).or_type_error()
}

/// The core's bounded in-process store of claims. `index.js` wraps it with `Date.now()`
/// defaults; the methods here take the time explicitly.
#[napi]
pub struct NativeMemoryStore {
    inner: CoreMemoryStore,
    /// The claim loops of `process()` calls between `claimUnits` and `settleUnits`, by slot
    /// number: a number crosses to JavaScript, not an External (which V8 finalizes one by one).
    loops: std::cell::RefCell<Loops>,
}

/// Claim loops by slot, the free slots reused. A slot's id is its index and a random tag drawn
/// when the slot is filled: an id that is not the live loop's (settled already, another
/// store's, or made up by code holding `NativeMemoryStore`) finds no loop.
#[derive(Default)]
struct Loops {
    slots: Vec<Option<(u32, idempotency::Steps)>>,
    free: Vec<u32>,
    /// xorshift64* state, seeded from the operating system on first use.
    rng: u64,
}

/// Slot ids are `tag * SLOTS + index`: exact in a JavaScript number (at most 2^52).
const SLOTS: f64 = 1_048_576.0;

impl Loops {
    /// Whether `put` will succeed: randomness drawn and a slot free. Asked before claiming, so
    /// that no claim is made for a loop that could not be kept.
    fn ready(&mut self) -> napi::Result<()> {
        if self.rng == 0 {
            self.tag()?;
        }
        if self.free.is_empty() && (self.slots.len() as f64) >= SLOTS {
            return Err(type_err("too many claim loops at once (1048576)"));
        }
        Ok(())
    }

    fn tag(&mut self) -> napi::Result<u32> {
        if self.rng == 0 {
            let token = api::claim_token().map_err(no_randomness)?;
            self.rng = u64::from_str_radix(token.get(..16).unwrap_or("1"), 16).unwrap_or(1) | 1;
        }
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        Ok((self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32)
    }

    fn put(&mut self, steps: idempotency::Steps) -> napi::Result<f64> {
        let tag = self.tag()?;
        let index = match self.free.pop() {
            Some(index) => {
                if let Some(place) = self.slots.get_mut(index as usize) {
                    *place = Some((tag, steps));
                }
                index
            }
            None if (self.slots.len() as f64) < SLOTS => {
                self.slots.push(Some((tag, steps)));
                count_of(self.slots.len() - 1)
            }
            None => return Err(type_err("too many claim loops at once (1048576)")),
        };
        Ok(f64::from(tag) * SLOTS + f64::from(index))
    }

    fn take(&mut self, id: f64) -> Option<idempotency::Steps> {
        if !(id.is_finite() && id >= 0.0 && id.fract() == 0.0) {
            return None;
        }
        // Integer arithmetic: an f64 remainder is a call to `fmod`.
        let whole = id as u64;
        let index = (whole % (SLOTS as u64)) as u32;
        let tag = (whole / (SLOTS as u64)) as f64;
        let place = self.slots.get_mut(index as usize)?;
        if place.as_ref().map(|(t, _)| f64::from(*t)) != Some(tag) {
            return None;
        }
        let (_, steps) = place.take()?;
        self.free.push(index);
        Some(steps)
    }
}

#[napi]
impl NativeMemoryStore {
    /// At most `capacity` keys (default 100 000), completed keys kept `retentionMs` (default
    /// 7 days).
    #[napi(catch_unwind, constructor)]
    pub fn new(
        #[napi(ts_arg_type = "number | null")] capacity: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "number | null")] retention_ms: Option<Unknown<'_>>,
    ) -> napi::Result<Self> {
        let capacity = read::opt_number(&Arg::of(capacity), "capacity")?;
        let retention_ms = read::opt_number(&Arg::of(retention_ms), "retention_ms")?;
        Ok(NativeMemoryStore {
            inner: CoreMemoryStore::with_limits(
                js::capacity(capacity).or_type_error()?,
                js::retention_ms(retention_ms).or_type_error()?,
            )
            .or_throw()?,
            loops: std::cell::RefCell::default(),
        })
    }

    /// Claims `key` for `leaseMs` from `nowMs`.
    #[napi(catch_unwind, ts_return_type = "import('./index').Claim")]
    pub fn claim(
        &self,
        #[napi(ts_arg_type = "string")] key: Unknown<'_>,
        #[napi(ts_arg_type = "number")] lease_ms: Unknown<'_>,
        #[napi(ts_arg_type = "number")] now_ms: Unknown<'_>,
    ) -> napi::Result<ClaimOut> {
        let key = read::text(&Arg::of(key), "key")?;
        let lease = read::millis(&Arg::of(lease_ms), "lease_ms")?;
        let now = read::millis(&Arg::of(now_ms), "now_ms")?;
        Ok(claim_out(self.inner.claim(&key, lease, now).or_throw()?))
    }

    /// Marks the claimed key processed; false when the token is no longer the claim's.
    #[napi(catch_unwind)]
    pub fn complete(
        &self,
        #[napi(ts_arg_type = "string")] key: Unknown<'_>,
        #[napi(ts_arg_type = "string")] token: Unknown<'_>,
        #[napi(ts_arg_type = "number")] now_ms: Unknown<'_>,
    ) -> napi::Result<bool> {
        let key = read::text(&Arg::of(key), "key")?;
        let token = read::text(&Arg::of(token), "token")?;
        let now = read::millis(&Arg::of(now_ms), "now_ms")?;
        Ok(self.inner.complete(&key, &token, now))
    }

    /// Gives a claim up after a failure; false when the token is no longer the claim's.
    #[napi(catch_unwind)]
    pub fn release(
        &self,
        #[napi(ts_arg_type = "string")] key: Unknown<'_>,
        #[napi(ts_arg_type = "string")] token: Unknown<'_>,
    ) -> napi::Result<bool> {
        let key = read::text(&Arg::of(key), "key")?;
        let token = read::text(&Arg::of(token), "token")?;
        Ok(self.inner.release(&key, &token))
    }

    /// How many keys are held.
    #[napi(catch_unwind, getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// Claims every key (the units of one notification): one claim per key, in order.
    #[napi(catch_unwind, ts_return_type = "import('./index').Claim[]")]
    pub fn claim_all(
        &self,
        #[napi(ts_arg_type = "string[]")] keys: Unknown<'_>,
        #[napi(ts_arg_type = "number")] lease_ms: Unknown<'_>,
        #[napi(ts_arg_type = "number")] now_ms: Unknown<'_>,
    ) -> napi::Result<Vec<ClaimOut>> {
        let keys = read::strings(&Arg::of(keys), "keys")?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let lease = read::millis(&Arg::of(lease_ms), "lease_ms")?;
        let now = read::millis(&Arg::of(now_ms), "now_ms")?;
        let claims = idempotency::Store::claim_all(&self.inner, &keys, lease, now).or_throw()?;
        Ok(claims.into_iter().map(claim_out).collect())
    }

    /// `process`'s loop on `store`: claims the units (JSON text of the notification's units)
    /// and answers with `[slot, count, ...indices]`, the loop's slot id for `settleUnits`, how
    /// many units to handle and which, in order (no indices: units 0 to count - 1), or the slot
    /// id alone when every unit is to be handled, in order. Static, so that `index.js` calls it
    /// without the class methods' receiver check (the store is its own MemoryStore's).
    #[napi(catch_unwind)]
    pub fn claim_units(
        store: &NativeMemoryStore,
        units: String,
        #[napi(ts_arg_type = "number")] lease_ms: Unknown<'_>,
        #[napi(ts_arg_type = "number")] now_ms: Unknown<'_>,
    ) -> napi::Result<Either<f64, Vec<f64>>> {
        let mut steps = loop_of(&units)?.steps;
        store.loops.borrow_mut().ready()?;
        if steps.advance() == idempotency::Advance::Claim {
            // Checked only where a claim is made, as the store's claimAll did.
            let lease = read::millis(&Arg::of(lease_ms), "lease_ms")?;
            let now = read::millis(&Arg::of(now_ms), "now_ms")?;
            store.inner.claim_steps(&mut steps, lease, now).or_throw()?;
        }
        let handles = steps.handles();
        // Each element of an array is a call into V8: every unit to handle, in order (the usual
        // case), is the slot id alone (`index.js` knows how many units it gave); units 0, 1, …
        // in order are their count.
        let in_order = handles.iter().enumerate().all(|(i, &h)| i == h);
        if in_order && handles.len() == steps.keys().len() {
            return Ok(Either::A(store.loops.borrow_mut().put(steps)?));
        }
        let mut out = Vec::with_capacity(if in_order { 2 } else { handles.len() + 2 });
        out.push(0.0);
        out.push(f64::from(count_of(handles.len())));
        if !in_order {
            out.extend(handles.into_iter().map(|i| f64::from(count_of(i))));
        }
        out[0] = store.loops.borrow_mut().put(steps)?;
        Ok(Either::B(out))
    }

    /// The handle steps of `claimUnits`'s loop in `slot` answered (the first `ok` succeeded,
    /// then, when `failed`, the next failed), the settle made on `store`: the tally as
    /// `[status, processed, skipped, inProgress, failed, lostLeases, ...rejected]`, or the
    /// status alone when the `ok` units were processed and nothing else happened (no unit
    /// skipped, in progress, failed, lost or rejected). The slot is freed whatever happens.
    #[napi(catch_unwind)]
    pub fn settle_units(
        store: &NativeMemoryStore,
        slot: f64,
        ok: u32,
        failed: bool,
        now_ms: f64,
    ) -> napi::Result<Either<u32, Vec<u32>>> {
        // Checked before the loop is taken: a refusal then leaves it to a later call.
        let now = millis("nowMs", now_ms)?;
        let taken = store.loops.borrow_mut().take(slot);
        let Some(mut steps) = taken else {
            return Err(type_err(
                "no claim loop in this slot: settleUnits after claimUnits, once",
            ));
        };
        handled_all(&mut steps, ok, failed)?;
        if steps.advance() == idempotency::Advance::Settle {
            store.inner.settle_steps(&mut steps, now).or_throw()?;
        }
        match steps.advance() {
            idempotency::Advance::Done => {
                let t = steps.tally();
                // The usual outcome crosses as one number: each element of an array is a call
                // into V8.
                if t.processed == ok as usize
                    && t.skipped == 0
                    && t.in_progress == 0
                    && t.failed == 0
                    && t.lost_leases == 0
                    && t.rejected.is_empty()
                {
                    return Ok(Either::A(u32::from(t.status)));
                }
                let mut out = Vec::with_capacity(6 + t.rejected.len());
                out.extend([
                    u32::from(t.status),
                    count_of(t.processed),
                    count_of(t.skipped),
                    count_of(t.in_progress),
                    count_of(t.failed),
                    count_of(t.lost_leases),
                ]);
                out.extend(t.rejected.into_iter().map(count_of));
                Ok(Either::B(out))
            }
            other => Err(type_err(&format!(
                "the claim loop is not done: the next step is {other:?}"
            ))),
        }
    }

    /// Completes `complete`'s and releases `release`'s `[key, token]` claims: whether each
    /// changed its key, in order.
    #[napi(catch_unwind)]
    pub fn settle(
        &self,
        #[napi(ts_arg_type = "Array<[string, string]>")] complete: Unknown<'_>,
        #[napi(ts_arg_type = "Array<[string, string]>")] release: Unknown<'_>,
        #[napi(ts_arg_type = "number")] now_ms: Unknown<'_>,
    ) -> napi::Result<Vec<bool>> {
        let complete = read::claim_pairs(&Arg::of(complete), "complete")?;
        let release = read::claim_pairs(&Arg::of(release), "release")?;
        let now = read::millis(&Arg::of(now_ms), "now_ms")?;
        idempotency::Store::settle(&self.inner, &pairs(&complete), &pairs(&release), now).or_throw()
    }
}

/// Borrowed `(key, token)` pairs.
fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, t)| (k.as_str(), t.as_str())).collect()
}

/// A step of the claim loop as `process` reads it: `type` and the fields of that type (typed,
/// so that no step goes through `serde_json::Value`).
#[napi(object)]
pub struct StepOut {
    /// `claim`, `handle`, `settle` or `done`.
    #[napi(js_name = "type")]
    pub kind: String,
    /// `claim`: the keys to claim, in order.
    pub keys: Option<Vec<String>>,
    /// `handle`: the index of the unit to handle.
    pub index: Option<u32>,
    /// `settle`: the `[key, token]` claims to complete.
    pub complete: Option<Vec<(String, String)>>,
    /// `settle`: the `[key, token]` claims to release.
    pub release: Option<Vec<(String, String)>>,
    /// `done`: what happened.
    pub tally: Option<TallyOut>,
}

/// What happened to a notification's units (the core's `idempotency::Tally`).
#[napi(object)]
pub struct TallyOut {
    /// What to answer Cloud Elements (200, 409 or 500).
    pub status: u32,
    /// Units handled now.
    pub processed: u32,
    /// Units processed before.
    pub skipped: u32,
    /// Units another process holds.
    pub in_progress: u32,
    /// Units whose handler failed.
    pub failed: u32,
    /// Units completed after their lease had been taken over.
    pub lost_leases: u32,
    /// The indices of the units that could not be read, recorded now.
    pub rejected: Vec<u32>,
}

fn step_out(step: idempotency::Step) -> StepOut {
    let mut out = StepOut {
        kind: String::new(),
        keys: None,
        index: None,
        complete: None,
        release: None,
        tally: None,
    };
    match step {
        idempotency::Step::Claim(keys) => {
            out.kind = "claim".into();
            out.keys = Some(keys);
        }
        idempotency::Step::Handle(index) => {
            out.kind = "handle".into();
            out.index = Some(count_of(index));
        }
        idempotency::Step::Settle { complete, release } => {
            out.kind = "settle".into();
            out.complete = Some(complete);
            out.release = Some(release);
        }
        idempotency::Step::Done(t) => {
            out.kind = "done".into();
            out.tally = Some(tally_out(t));
        }
    }
    out
}

fn count_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn tally_out(t: idempotency::Tally) -> TallyOut {
    TallyOut {
        status: u32::from(t.status),
        processed: count_of(t.processed),
        skipped: count_of(t.skipped),
        in_progress: count_of(t.in_progress),
        failed: count_of(t.failed),
        lost_leases: count_of(t.lost_leases),
        rejected: t.rejected.into_iter().map(count_of).collect(),
    }
}

/// A claim as JavaScript reads it (the core's `Claim`, typed: no `serde_json::Value`).
fn claim_out(c: idempotency::Claim) -> ClaimOut {
    match c {
        idempotency::Claim::Claimed { token } => ClaimOut {
            status: "claimed".into(),
            token: Some(token),
        },
        idempotency::Claim::Done => ClaimOut {
            status: "done".into(),
            token: None,
        },
        idempotency::Claim::InProgress => ClaimOut {
            status: "in_progress".into(),
            token: None,
        },
    }
}

/// A JavaScript value as an error message shows it (a claim's status): strings quoted, no
/// object's content.
fn shown(value: Option<Unknown<'_>>) -> napi::Result<String> {
    let Some(value) = value else {
        return Ok("undefined".into());
    };
    Ok(match value.get_type()? {
        ValueType::String => {
            let text: String = value.coerce_to_string()?.into_utf8()?.as_str()?.to_string();
            serde_json::to_string(&text).unwrap_or(text)
        }
        ValueType::Number => value.coerce_to_number()?.get_double()?.to_string(),
        ValueType::Boolean => value.coerce_to_bool()?.to_string(),
        ValueType::Null => "null".into(),
        other => format!("of type {other}"),
    })
}

/// The object in `value`, or the TypeError that `what` must be an object.
fn object_of<'env>(value: &Unknown<'env>, what: &str) -> napi::Result<Object<'env>> {
    match value.get_type()? {
        ValueType::Object => value.coerce_to_object(),
        _ => Err(type_err(what)),
    }
}

/// A store's answer to a claim, read field by field (the core's `js::claim_answer` rules).
fn claim_answer(answer: &Unknown<'_>) -> napi::Result<idempotency::Claim> {
    let bad_status = |status: String| {
        type_err(&format!(
            "the store answered a claim with status {status}; expected {{status: 'claimed', token}}, {{status: 'done'}} or {{status: 'in_progress'}}"
        ))
    };
    let Ok(answer) = object_of(answer, "") else {
        return Err(bad_status("undefined".into()));
    };
    match answer.get::<String>("status") {
        Ok(Some(status)) => match status.as_str() {
            "claimed" => match answer.get::<String>("token") {
                Ok(Some(token)) => Ok(idempotency::Claim::Claimed { token }),
                _ => Err(type_err(
                    "the store answered a claim with status 'claimed' without a string token",
                )),
            },
            "done" => Ok(idempotency::Claim::Done),
            "in_progress" => Ok(idempotency::Claim::InProgress),
            _ => Err(bad_status(shown(answer.get::<Unknown>("status")?)?)),
        },
        _ => Err(bad_status(shown(answer.get::<Unknown>("status")?)?)),
    }
}

/// The claim loop of one notification (the core's `idempotency::Steps`): `process` drives it
/// around the store and the handler.
#[napi]
pub struct Steps {
    inner: idempotency::Steps,
}

#[napi]
impl Steps {
    /// The loop over `units` (the notification's units: `{key, kind}`, in order).
    #[napi(catch_unwind, constructor)]
    pub fn new(units: Vec<Unknown<'_>>) -> napi::Result<Self> {
        let units = units
            .iter()
            .map(|unit| {
                let unit = object_of(unit, UNIT)?;
                match (unit.get::<String>("key"), unit.get::<String>("kind")) {
                    (Ok(Some(key)), Ok(Some(kind))) => Ok((key, kind == "rejected")),
                    _ => Err(type_err(UNIT)),
                }
            })
            .collect::<napi::Result<Vec<_>>>()?;
        Ok(Steps {
            inner: idempotency::Steps::new(units),
        })
    }

    /// What to do next.
    #[napi(catch_unwind, ts_return_type = "import('./index').Step")]
    pub fn next_step(&mut self) -> StepOut {
        step_out(self.inner.next_step())
    }

    /// The store's answers to the claim step, one per key.
    #[napi(catch_unwind)]
    pub fn claimed(&mut self, answers: Vec<Unknown<'_>>) -> napi::Result<()> {
        let claims = answers
            .iter()
            .map(claim_answer)
            .collect::<napi::Result<Vec<_>>>()?;
        self.inner.claimed(claims).or_throw()
    }

    /// Whether the handler of the handle step succeeded.
    #[napi(catch_unwind)]
    pub fn handled(&mut self, ok: bool) -> napi::Result<()> {
        self.inner.handled(ok).or_throw()
    }

    /// The store's answers to the settle step, one per claim.
    #[napi(catch_unwind)]
    pub fn settled(&mut self, changed: Vec<bool>) -> napi::Result<()> {
        self.inner.settled(&changed).or_throw()
    }
}

/// The state of one notification's claim loop between `process`'s calls: an External, not a
/// class instance (a `new Steps` cost more than the rest of the loop).
pub struct Loop {
    steps: idempotency::Steps,
    /// The token of a claim sent by `RedisProtocol.claimSetOf`, for its replies.
    token: Option<String>,
}

/// The units as `JSON.stringify(notification.units)` gives them: each unit's key and kind.
#[derive(serde::Deserialize)]
struct UnitIn<'a> {
    key: String,
    /// Borrowed from the text unless escaped (it never is in the addon's own units).
    #[serde(borrow)]
    kind: std::borrow::Cow<'a, str>,
}

/// The claim loop over `units` (JSON text of the notification's units: one string crosses,
/// where reading each unit's fields cost several calls into V8 each).
fn loop_of(units: &str) -> napi::Result<Loop> {
    let units: Vec<UnitIn> = serde_json::from_str(units).map_err(|_| type_err(UNIT))?;
    Ok(Loop {
        steps: idempotency::Steps::new(
            units
                .into_iter()
                .map(|u| (u.key, u.kind == "rejected"))
                .collect(),
        ),
        token: None,
    })
}

const UNIT: &str =
    "a unit must be an object with a string `key` and a string `kind` (the notification's units)";

/// `[loop, ...items]` for `process`: the loop's External, then numbers or strings.
fn with_loop<'env, T: napi::bindgen_prelude::ToNapiValue>(
    env: &'env Env,
    state: Loop,
    items: Vec<T>,
) -> napi::Result<Array<'env>> {
    let mut out = env.create_array(u32::try_from(items.len() + 1).unwrap_or(u32::MAX))?;
    out.set(0, External::new(state))?;
    for (i, item) in items.into_iter().enumerate() {
        out.set(count_of(i + 1), item)?;
    }
    Ok(out)
}

/// The done step's tally; any other step is a misuse (answers missing).
fn tally_of(steps: &mut idempotency::Steps) -> napi::Result<TallyOut> {
    match steps.next_step() {
        idempotency::Step::Done(t) => Ok(tally_out(t)),
        other => Err(type_err(&format!(
            "the claim loop is not done: the next step is {other:?}"
        ))),
    }
}

/// The Handle steps answered at once (the first `ok` succeeded, then, when `failed`, the next
/// failed): what a notification without units, never claimed, skips.
fn handled_all(steps: &mut idempotency::Steps, ok: u32, failed: bool) -> napi::Result<()> {
    if ok > 0 || failed || !steps.handles().is_empty() {
        steps.handled_all(ok as usize, failed).or_throw()?;
    }
    Ok(())
}

#[napi]
impl Steps {
    /// `process`'s loop over any store: `[loop, ...keys]`, the keys to claim (none when
    /// `units`, the JSON text of the notification's units, is empty: the loop is done).
    #[napi(catch_unwind, ts_return_type = "[unknown, ...string[]]")]
    pub fn begin<'env>(env: &'env Env, units: String) -> napi::Result<Array<'env>> {
        let mut state = loop_of(&units)?;
        let keys = match state.steps.next_step() {
            idempotency::Step::Claim(keys) => keys,
            _ => Vec::new(),
        };
        with_loop(env, state, keys)
    }

    /// The store's answers to the claim: the indices of the units to handle, in order (the
    /// Handle steps when each handler succeeds).
    #[napi(catch_unwind)]
    pub fn claimed_with(
        #[napi(ts_arg_type = "unknown")] state: &mut External<Loop>,
        answers: Vec<Unknown<'_>>,
    ) -> napi::Result<Vec<u32>> {
        let claims = answers
            .iter()
            .map(claim_answer)
            .collect::<napi::Result<Vec<_>>>()?;
        state.steps.claimed(claims).or_throw()?;
        Ok(state.steps.handles().into_iter().map(count_of).collect())
    }

    /// The Handle steps answered at once (the first `ok` succeeded, then, when `failed`, the
    /// next failed), then what to do next: a settle step or done.
    #[napi(catch_unwind, ts_return_type = "import('./index').Step")]
    pub fn handled_with(
        #[napi(ts_arg_type = "unknown")] state: &mut External<Loop>,
        ok: u32,
        failed: bool,
    ) -> napi::Result<StepOut> {
        handled_all(&mut state.steps, ok, failed)?;
        Ok(step_out(state.steps.next_step()))
    }

    /// The store's answers to the settle step: the tally.
    #[napi(catch_unwind)]
    pub fn settled_with(
        #[napi(ts_arg_type = "unknown")] state: &mut External<Loop>,
        changed: Vec<bool>,
    ) -> napi::Result<TallyOut> {
        state.steps.settled(&changed).or_throw()?;
        tally_of(&mut state.steps)
    }
}

/// The claims of one notification without a script (the core's `Protocol::claim_set`): one
/// `SET <key> <value> NX PX <leaseMs> GET` per key, sent in one pipeline.
#[napi(object)]
pub struct RedisClaimSet {
    /// The Redis keys, in the units' order (one hash slot).
    pub keys: Vec<String>,
    /// The value each key is set to: `c:<token>`.
    pub value: String,
    /// The lease (`PX`), in milliseconds.
    pub lease_ms: f64,
    /// The claim's token.
    pub token: String,
}

/// A claim as the Redis store answers it: `{status, token}` (the token when claimed only).
#[napi(object)]
pub struct ClaimOut {
    /// `claimed`, `done` or `in_progress`.
    pub status: String,
    /// The claim's token, when claimed now.
    pub token: Option<String>,
}

fn no_randomness(e: impl std::fmt::Display) -> napi::Error {
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("no randomness for a claim token: {e}"),
    )
}

/// The Redis protocol of a shared store (the core's `idempotency::redis`): the script calls
/// to send and the parsing of their replies. `hootsuite-events/redis` sends the calls.
#[napi]
pub struct RedisProtocol {
    inner: idempotency::redis::Protocol,
}

#[napi]
impl RedisProtocol {
    /// Keys under `namespace` (default `hootsuite-events`), completed keys kept `retentionMs`
    /// (default 7 days).
    #[napi(catch_unwind, constructor)]
    pub fn new(
        #[napi(ts_arg_type = "string | null")] namespace: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "number | null")] retention_ms: Option<Unknown<'_>>,
    ) -> napi::Result<Self> {
        let retention_ms = read::opt_number(&Arg::of(retention_ms), "retention_ms")?;
        let namespace = read::opt_text(&Arg::of(namespace), "namespace")?;
        let retention = js::retention_ms(retention_ms).or_type_error()?;
        let namespace = namespace
            .as_deref()
            .unwrap_or(idempotency::redis::DEFAULT_NAMESPACE);
        Ok(RedisProtocol {
            inner: idempotency::redis::Protocol::new(namespace, retention).or_throw()?,
        })
    }

    /// The claim of `key` for `leaseMs` with a new token: `{sha1, source, key, args, token}`.
    #[napi(catch_unwind, ts_return_type = "import('./index').RedisCall")]
    pub fn claim(
        &self,
        #[napi(ts_arg_type = "string")] key: Unknown<'_>,
        #[napi(ts_arg_type = "number")] lease_ms: Unknown<'_>,
    ) -> napi::Result<Value> {
        let key = read::text(&Arg::of(key), "key")?;
        let lease = read::millis(&Arg::of(lease_ms), "lease_ms")?;
        let token = idempotency::redis::new_token().map_err(no_randomness)?;
        camel_value(&self.inner.claim(&key, lease, &token).or_throw()?)
    }

    /// The completion of the claim of `key` made with `token`.
    #[napi(catch_unwind, ts_return_type = "import('./index').RedisCall")]
    pub fn complete(
        &self,
        #[napi(ts_arg_type = "string")] key: Unknown<'_>,
        #[napi(ts_arg_type = "string")] token: Unknown<'_>,
    ) -> napi::Result<Value> {
        let key = read::text(&Arg::of(key), "key")?;
        let token = read::text(&Arg::of(token), "token")?;
        camel_value(&self.inner.complete(&key, &token).or_throw()?)
    }

    /// The release of the claim of `key` made with `token`.
    #[napi(catch_unwind, ts_return_type = "import('./index').RedisCall")]
    pub fn release(
        &self,
        #[napi(ts_arg_type = "string")] key: Unknown<'_>,
        #[napi(ts_arg_type = "string")] token: Unknown<'_>,
    ) -> napi::Result<Value> {
        let key = read::text(&Arg::of(key), "key")?;
        let token = read::text(&Arg::of(token), "token")?;
        camel_value(&self.inner.release(&key, &token).or_throw()?)
    }

    /// The claim the claim script answered (a string or a Buffer) for the claim of `token`.
    #[napi(catch_unwind, ts_return_type = "import('./index').Claim")]
    pub fn parse_claim(
        &self,
        reply: Either<String, Buffer>,
        #[napi(ts_arg_type = "string")] token: Unknown<'_>,
    ) -> napi::Result<Value> {
        let token = read::text(&Arg::of(token), "token")?;
        let bytes: &[u8] = match &reply {
            Either::A(s) => s.as_bytes(),
            Either::B(b) => b.as_ref(),
        };
        camel_value(&idempotency::redis::parse_claim_reply(bytes, &token).or_throw()?)
    }

    /// Whether a complete or release script changed the key (its integer reply, 1 or 0).
    #[napi(catch_unwind)]
    pub fn parse_flag(
        &self,
        #[napi(ts_arg_type = "number")] reply: Unknown<'_>,
    ) -> napi::Result<bool> {
        let reply = read::number(&Arg::of(reply), "reply")?;
        idempotency::redis::parse_flag_reply(js::flag_reply(reply).or_type_error()?).or_throw()
    }

    /// The Redis key of a unit key: `<namespace>:{<group>}<rest>`.
    #[napi(catch_unwind)]
    pub fn key(
        &self,
        #[napi(ts_arg_type = "string")] unit_key: Unknown<'_>,
    ) -> napi::Result<String> {
        let unit_key = read::text(&Arg::of(unit_key), "unit_key")?;
        self.inner.key(&unit_key).or_throw()
    }

    /// The claim of every unit of `keys` (one notification) with a new token, in one script.
    #[napi(catch_unwind, ts_return_type = "import('./index').RedisCall")]
    pub fn claim_all(
        &self,
        #[napi(ts_arg_type = "string[]")] keys: Unknown<'_>,
        #[napi(ts_arg_type = "number")] lease_ms: Unknown<'_>,
    ) -> napi::Result<Value> {
        let keys = read::strings(&Arg::of(keys), "keys")?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let lease = read::millis(&Arg::of(lease_ms), "lease_ms")?;
        let token = idempotency::redis::new_token().map_err(no_randomness)?;
        camel_value(&self.inner.claim_all(&keys, lease, &token).or_throw()?)
    }

    /// The claim of every unit of `keys` (one notification) with a new token, as one `SET …
    /// NX PX … GET` per key to send in one pipeline (Redis 7.0 and later).
    #[napi(catch_unwind)]
    pub fn claim_set(
        &self,
        #[napi(ts_arg_type = "string[]")] keys: Unknown<'_>,
        #[napi(ts_arg_type = "number")] lease_ms: Unknown<'_>,
    ) -> napi::Result<RedisClaimSet> {
        let keys = read::strings(&Arg::of(keys), "keys")?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let lease = read::millis(&Arg::of(lease_ms), "lease_ms")?;
        let token = idempotency::redis::new_token().map_err(no_randomness)?;
        let set = self.inner.claim_set(&keys, lease, &token).or_throw()?;
        Ok(RedisClaimSet {
            keys: set.keys,
            value: set.value,
            lease_ms: set.lease_ms as f64,
            token: set.token,
        })
    }

    /// The claims the pipeline of `claimSet` answered (null, strings or Buffers), for `count`
    /// keys claimed with `token`.
    #[napi(catch_unwind)]
    pub fn parse_claim_set(
        &self,
        replies: Vec<Option<Either<String, Buffer>>>,
        #[napi(ts_arg_type = "number")] count: Unknown<'_>,
        #[napi(ts_arg_type = "string")] token: Unknown<'_>,
    ) -> napi::Result<Vec<ClaimOut>> {
        let count = read::count(&Arg::of(count), "count")?;
        let token = read::text(&Arg::of(token), "token")?;
        let bytes = replies.iter().map(|r| {
            r.as_ref().map(|r| match r {
                Either::A(s) => s.as_bytes(),
                Either::B(b) => b.as_ref(),
            })
        });
        let claims = idempotency::redis::parse_claim_set_replies(bytes, count as usize, &token)
            .or_throw()?;
        Ok(claims.into_iter().map(claim_out).collect())
    }

    /// Whether Redis's error to a `claimSet` command (its message) says that the server
    /// predates Redis 7.0: nothing changed, and the claims go through the `claimAll` script.
    #[napi(catch_unwind)]
    pub fn claim_set_unsupported(
        &self,
        #[napi(ts_arg_type = "string")] message: Unknown<'_>,
    ) -> napi::Result<bool> {
        let message = read::text(&Arg::of(message), "message")?;
        Ok(idempotency::redis::claim_set_unsupported(&message))
    }

    /// The completion of `complete`'s and the release of `release`'s `[key, token]` claims,
    /// in one script.
    #[napi(catch_unwind, ts_return_type = "import('./index').RedisCall")]
    pub fn settle(
        &self,
        #[napi(ts_arg_type = "Array<[string, string]>")] complete: Unknown<'_>,
        #[napi(ts_arg_type = "Array<[string, string]>")] release: Unknown<'_>,
    ) -> napi::Result<Value> {
        let complete = read::claim_pairs(&Arg::of(complete), "complete")?;
        let release = read::claim_pairs(&Arg::of(release), "release")?;
        camel_value(
            &self
                .inner
                .settle(&pairs(&complete), &pairs(&release))
                .or_throw()?,
        )
    }

    /// The claims the claim-all script answered (strings or Buffers), for `count` keys claimed
    /// with `token`.
    #[napi(catch_unwind, ts_return_type = "import('./index').Claim[]")]
    pub fn parse_claim_all(
        &self,
        replies: Vec<Either<String, Buffer>>,
        #[napi(ts_arg_type = "number")] count: Unknown<'_>,
        #[napi(ts_arg_type = "string")] token: Unknown<'_>,
    ) -> napi::Result<Value> {
        let count = read::count(&Arg::of(count), "count")?;
        let token = read::text(&Arg::of(token), "token")?;
        let bytes: Vec<&[u8]> = replies
            .iter()
            .map(|r| match r {
                Either::A(s) => s.as_bytes(),
                Either::B(b) => b.as_ref(),
            })
            .collect();
        camel_value(
            &idempotency::redis::parse_claim_all_reply(bytes, count as usize, &token).or_throw()?,
        )
    }

    /// What the settle script answered (integers), for `count` claims.
    #[napi(catch_unwind)]
    pub fn parse_settle(
        &self,
        replies: Vec<f64>,
        #[napi(ts_arg_type = "number")] count: Unknown<'_>,
    ) -> napi::Result<Vec<bool>> {
        let count = read::count(&Arg::of(count), "count")?;
        let ints = replies
            .iter()
            .map(|r| js::flag_reply(*r))
            .collect::<Result<Vec<_>, _>>()
            .or_type_error()?;
        idempotency::redis::parse_settle_reply(ints, count as usize).or_throw()
    }

    /// The namespace of the keys.
    #[napi(catch_unwind, getter)]
    pub fn namespace(&self) -> String {
        self.inner.namespace().to_string()
    }

    /// `process`'s claim on Redis: the claim set of the loop's keys (as `claimSet`), its
    /// token kept in the loop for `claimedSet`.
    #[napi(catch_unwind)]
    pub fn claim_set_of(
        &self,
        #[napi(ts_arg_type = "unknown")] state: &mut External<Loop>,
        #[napi(ts_arg_type = "number")] lease_ms: Unknown<'_>,
    ) -> napi::Result<RedisClaimSet> {
        let lease = read::millis(&Arg::of(lease_ms), "lease_ms")?;
        let idempotency::Step::Claim(keys) = state.steps.next_step() else {
            return Err(type_err("the claim loop has no claim to make"));
        };
        let token = idempotency::redis::new_token().map_err(no_randomness)?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let set = self.inner.claim_set(&keys, lease, &token).or_throw()?;
        state.token = Some(token);
        Ok(RedisClaimSet {
            keys: set.keys,
            value: set.value,
            lease_ms: set.lease_ms as f64,
            // Kept in the loop: no secret crosses that JavaScript does not send.
            token: String::new(),
        })
    }

    /// The replies of `claimSetOf`'s pipeline (as `parseClaimSet`) answering the loop's claim:
    /// the indices of the units to handle, in order.
    #[napi(catch_unwind)]
    pub fn claimed_set(
        &self,
        #[napi(ts_arg_type = "unknown")] state: &mut External<Loop>,
        replies: Vec<Option<Either<String, Buffer>>>,
    ) -> napi::Result<Vec<u32>> {
        let Some(token) = state.token.take() else {
            return Err(type_err("the claim loop sent no claim set"));
        };
        let bytes = replies.iter().map(|r| {
            r.as_ref().map(|r| match r {
                Either::A(s) => s.as_bytes(),
                Either::B(b) => b.as_ref(),
            })
        });
        let count = match state.steps.next_step() {
            idempotency::Step::Claim(keys) => keys.len(),
            _ => return Err(type_err("the claim loop has no claim to answer")),
        };
        let claims =
            idempotency::redis::parse_claim_set_replies(bytes, count, &token).or_throw()?;
        state.steps.claimed(claims).or_throw()?;
        Ok(state.steps.handles().into_iter().map(count_of).collect())
    }

    /// The loop's Handle steps answered (as `Steps.handledWith`), then the settle script to
    /// send (as `settle`), or the tally when there is nothing to settle.
    #[napi(catch_unwind)]
    pub fn settle_of(
        &self,
        #[napi(ts_arg_type = "unknown")] state: &mut External<Loop>,
        ok: u32,
        failed: bool,
    ) -> napi::Result<RedisSettle> {
        handled_all(&mut state.steps, ok, failed)?;
        match state.steps.next_step() {
            idempotency::Step::Settle { complete, release } => {
                let call = self
                    .inner
                    .settle(&pairs(&complete), &pairs(&release))
                    .or_throw()?;
                Ok(RedisSettle {
                    sha1: Some(call.script.sha1.to_string()),
                    source: Some(call.script.source.to_string()),
                    keys: Some(call.keys),
                    args: Some(call.args),
                    tally: None,
                })
            }
            idempotency::Step::Done(t) => Ok(RedisSettle {
                sha1: None,
                source: None,
                keys: None,
                args: None,
                tally: Some(tally_out(t)),
            }),
            other => Err(type_err(&format!(
                "the claim loop is not at its settle step: the next step is {other:?}"
            ))),
        }
    }

    /// The settle script's replies (as `parseSettle`) answering the loop's settle: the tally.
    #[napi(catch_unwind)]
    pub fn settled_of(
        &self,
        #[napi(ts_arg_type = "unknown")] state: &mut External<Loop>,
        replies: Vec<f64>,
    ) -> napi::Result<TallyOut> {
        let ints = replies
            .iter()
            .map(|r| js::flag_reply(*r))
            .collect::<Result<Vec<_>, _>>()
            .or_type_error()?;
        let count = match state.steps.next_step() {
            idempotency::Step::Settle { complete, release } => complete.len() + release.len(),
            _ => return Err(type_err("the claim loop has no settle to answer")),
        };
        let changed = idempotency::redis::parse_settle_reply(ints, count).or_throw()?;
        state.steps.settled(&changed).or_throw()?;
        tally_of(&mut state.steps)
    }
}

/// `RedisProtocol.settleOf`: the settle script's call (`sha1`, `source`, `keys`, `args`), or
/// the `tally` when there is nothing to settle.
#[napi(object)]
pub struct RedisSettle {
    /// The script's SHA-1.
    pub sha1: Option<String>,
    /// The script's source (for `EVAL` when the server does not have it).
    pub source: Option<String>,
    /// The script's keys.
    pub keys: Option<Vec<String>>,
    /// The script's arguments.
    pub args: Option<Vec<String>>,
    /// What happened, when nothing was settled.
    pub tally: Option<TallyOut>,
}

/// The PostgreSQL inbox's protocol (the core's `idempotency::postgres`): the migration, the
/// claim, seal and cleanup statements, and what the claim's row means.
/// `hootsuite-events/postgres` runs them.
#[napi]
pub struct PostgresProtocol {
    inner: idempotency::postgres::Protocol,
}

#[napi]
impl PostgresProtocol {
    /// The inbox in `table` (default `hootsuite_events_inbox`), rows kept `retentionMs`
    /// (default 7 days) before the cleanup deletes them.
    #[napi(catch_unwind, constructor)]
    pub fn new(
        #[napi(ts_arg_type = "string | null")] table: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "number | null")] retention_ms: Option<Unknown<'_>>,
    ) -> napi::Result<Self> {
        let retention_ms = read::opt_number(&Arg::of(retention_ms), "retention_ms")?;
        let table = read::opt_text(&Arg::of(table), "table")?;
        let retention = js::retention_ms(retention_ms).or_type_error()?;
        let table = table
            .as_deref()
            .unwrap_or(idempotency::postgres::DEFAULT_TABLE);
        Ok(PostgresProtocol {
            inner: idempotency::postgres::Protocol::new(table, retention).or_throw()?,
        })
    }

    /// The claim of `key` (a unit of kind `kind`): `{sql, params}`, to run inside the unit's
    /// transaction; its one row is `(locked, inserted)`.
    #[napi(catch_unwind, ts_return_type = "import('./index').PostgresStatement")]
    pub fn claim(
        &self,
        #[napi(ts_arg_type = "string")] key: Unknown<'_>,
        #[napi(ts_arg_type = "string")] kind: Unknown<'_>,
    ) -> napi::Result<Value> {
        let key = read::text(&Arg::of(key), "key")?;
        let kind = read::text(&Arg::of(kind), "kind")?;
        let kind = idempotency::postgres::parse_kind(&kind).or_throw()?;
        camel_value(&self.inner.claim(&key, kind).or_throw()?)
    }

    /// What the claim's row means: `claimed`, `done` or `in_progress`.
    #[napi(catch_unwind)]
    pub fn parse_claim(
        &self,
        #[napi(ts_arg_type = "boolean")] locked: Unknown<'_>,
        #[napi(ts_arg_type = "boolean")] inserted: Unknown<'_>,
    ) -> napi::Result<String> {
        let locked = read::flag(&Arg::of(locked), "locked")?;
        let inserted = read::flag(&Arg::of(inserted), "inserted")?;
        Ok(
            idempotency::postgres::Protocol::parse_claim(locked, inserted)
                .or_throw()?
                .status()
                .to_string(),
        )
    }

    /// The table.
    #[napi(catch_unwind, getter)]
    pub fn table(&self) -> String {
        self.inner.table().to_string()
    }

    /// How long rows are kept before the cleanup deletes them, in milliseconds.
    #[napi(catch_unwind, getter)]
    pub fn retention_ms(&self) -> f64 {
        self.inner.retention_ms() as f64
    }

    /// The migration: the table and its index (several statements, no parameters).
    #[napi(catch_unwind, getter)]
    pub fn migration(&self) -> String {
        self.inner.migration().to_string()
    }

    /// The statement that serializes migrations (run first in the migration's transaction).
    #[napi(catch_unwind, getter)]
    pub fn migration_lock(&self) -> String {
        self.inner.migration_lock().to_string()
    }

    /// The cleanup: deletes the rows done more than the retention ago (no parameters).
    #[napi(catch_unwind, getter)]
    pub fn cleanup(&self) -> String {
        self.inner.cleanup().to_string()
    }

    /// The claim statement's text (`$1` the key, `$2` the kind).
    #[napi(catch_unwind, getter)]
    pub fn claim_sql(&self) -> String {
        self.inner.claim_sql().to_string()
    }

    /// The statement run after the handler and before `COMMIT`: it fails in a transaction
    /// that an error aborted, whose `COMMIT` would silently roll back.
    #[napi(catch_unwind, getter)]
    pub fn seal(&self) -> String {
        idempotency::postgres::SEAL.to_string()
    }
}

/// The core's telemetry table as JSON text: span, attribute and metric names of a receiver.
#[napi(catch_unwind)]
pub fn telemetry_table() -> String {
    hootsuite_events::telemetry::table().to_string()
}

/// A W3C `traceparent` header's parts.
#[napi(object)]
pub struct TraceParent {
    /// 32 hexadecimal digits.
    pub trace_id: String,
    /// 16 hexadecimal digits.
    pub span_id: String,
    /// Bit 0: sampled.
    pub trace_flags: u32,
}

/// The parts of a W3C `traceparent` header, or null when it breaks the rules.
#[napi(catch_unwind)]
pub fn parse_traceparent(
    #[napi(ts_arg_type = "string")] header: Unknown<'_>,
) -> napi::Result<Option<TraceParent>> {
    let header = read::text(&Arg::of(header), "header")?;
    Ok(
        hootsuite_events::telemetry::parse_traceparent(&header).map(|p| TraceParent {
            trace_id: p.trace_id_hex(),
            span_id: p.span_id_hex(),
            trace_flags: u32::from(p.flags),
        }),
    )
}

/// Whether values under `name` are secret: the core's one redaction rule.
#[napi(catch_unwind)]
pub fn is_secret_name(#[napi(ts_arg_type = "string")] name: Unknown<'_>) -> napi::Result<bool> {
    let name = read::text(&Arg::of(name), "name")?;
    Ok(hootsuite_events::redact::is_secret_name(&name))
}

/// A new claim token: 128 random bits of the operating system, 32 hexadecimal digits.
#[napi(catch_unwind)]
pub fn new_claim_token() -> napi::Result<String> {
    api::claim_token().map_err(|m| napi::Error::new(napi::Status::GenericFailure, m))
}

/// The namespace of the Redis store's keys unless another is given.
#[napi]
pub const DEFAULT_NAMESPACE: &str = "hootsuite-events";

/// The PostgreSQL inbox's table unless another is given.
#[napi]
pub const DEFAULT_TABLE: &str = "hootsuite_events_inbox";

/// What to answer Cloud Elements after claiming a notification's units: 500 when a unit
/// failed, 409 when another process holds one, else 200 (the core's rule).
#[napi(catch_unwind)]
pub fn outcome_status(
    #[napi(ts_arg_type = "number")] in_progress: Unknown<'_>,
    #[napi(ts_arg_type = "number")] failed: Unknown<'_>,
) -> napi::Result<u32> {
    let in_progress = read::count(&Arg::of(in_progress), "in_progress")?;
    let failed = read::count(&Arg::of(failed), "failed")?;
    Ok(u32::from(idempotency::status(
        in_progress as usize,
        failed as usize,
    )))
}

/// How long a claim is held before another process may take it over (60 s).
#[napi]
pub const DEFAULT_LEASE_MS: u32 = 60_000;
/// How long a completed key is kept (7 days).
#[napi]
pub const DEFAULT_RETENTION_MS: u32 = 604_800_000;
/// How many keys a MemoryStore holds by default.
#[napi]
pub const DEFAULT_CAPACITY: u32 = 100_000;
/// The answer when every unit was processed or had been.
#[napi]
pub const STATUS_OK: u32 = 200;
/// The answer when another process holds a unit.
#[napi]
pub const STATUS_IN_PROGRESS: u32 = 409;
/// The answer when processing failed.
#[napi]
pub const STATUS_FAILED: u32 = 500;
/// The most keys a verifier holds.
#[napi]
pub const MAX_KEYS: u32 = 8;
/// The most signatures one header may hold.
#[napi]
pub const MAX_SIGNATURE_CANDIDATES: u32 = 8;
/// The header carrying the signature of an event notification.
#[napi]
pub const SIGNATURE_HEADER: &str = "Elements-Webhook-Signature";
/// The header naming one delivery: information only (the signature does not cover it).
#[napi]
pub const WEBHOOK_ID_HEADER: &str = "Elements-Webhook-Id";

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

// napi exports literals only: these checks keep the exported values the core's.
const _: () = {
    assert!(DEFAULT_LEASE_MS as u64 == idempotency::DEFAULT_LEASE_MS);
    assert!(const_str_eq(
        DEFAULT_NAMESPACE,
        idempotency::redis::DEFAULT_NAMESPACE
    ));
    assert!(const_str_eq(
        DEFAULT_TABLE,
        idempotency::postgres::DEFAULT_TABLE
    ));
    assert!(const_str_eq(
        SIGNATURE_HEADER,
        hootsuite_events::events::SIGNATURE_HEADER
    ));
    assert!(const_str_eq(
        WEBHOOK_ID_HEADER,
        hootsuite_events::events::WEBHOOK_ID_HEADER
    ));
    assert!(DEFAULT_RETENTION_MS as u64 == idempotency::DEFAULT_RETENTION_MS);
    assert!(DEFAULT_CAPACITY as usize == idempotency::DEFAULT_CAPACITY);
    assert!(STATUS_OK as u16 == idempotency::STATUS_OK);
    assert!(STATUS_IN_PROGRESS as u16 == idempotency::STATUS_IN_PROGRESS);
    assert!(STATUS_FAILED as u16 == idempotency::STATUS_FAILED);
    assert!(MAX_KEYS as usize == hootsuite_events::signature::MAX_KEYS);
    assert!(MAX_SIGNATURE_CANDIDATES as usize == hootsuite_events::signature::MAX_CANDIDATES);
};

/// Panics on purpose: the tests' proof that a panic in an export becomes a JavaScript
/// exception, not an abort. Built only with the `test-hooks` feature (`make test-node`).
#[cfg(feature = "test-hooks")]
#[napi(catch_unwind, js_name = "__panicForTests")]
pub fn panic_for_tests() {
    panic!("a panic forced by the test hook");
}
