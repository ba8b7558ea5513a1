//! JavaScript's arguments read once for both JavaScript builds: the Node addon (napi,
//! `bindings/node/src/lib.rs`) and the WebAssembly package (wasm-bindgen,
//! `bindings/wasm/src/full.rs`) include this file (`#[path]`), each implementing [`JsIn`] for
//! its value type. Every argument of the export table arrives as the host's raw value and is
//! read here, so that the native addon, its WebAssembly fallback and the WebAssembly package
//! refuse the same values with the same `TypeError` messages, in the same order.

use hootsuite_events::naming::camel_case;
use hootsuite_events::signature::{SignatureKey, Verifier};
use hootsuite_events::{api, js, Error, HttpResponse, Secret};

/// A JavaScript value as one build sees it: what the readers below ask of it.
pub(crate) trait JsIn: Sized {
    /// The build's error (a thrown JavaScript value).
    type Err;
    /// Raw bytes borrowed or copied from a `Uint8Array` (a Buffer) or an `ArrayBuffer`.
    type Bytes: AsRef<[u8]>;
    /// `undefined` or `null`.
    fn is_nullish(&self) -> bool;
    /// What a message says the value is: `typeof`, with `null` and arrays named as such.
    fn kind(&self) -> Result<&'static str, Self::Err>;
    /// A string's text; `None` for any other value.
    fn text(&self) -> Result<Option<String>, Self::Err>;
    /// A number; `None` for any other value (no coercion).
    fn number(&self) -> Result<Option<f64>, Self::Err>;
    /// A boolean; `None` for any other value.
    fn flag(&self) -> Result<Option<bool>, Self::Err>;
    /// A `Uint8Array` (a Buffer) or an `ArrayBuffer`; `None` for any other value.
    fn bytes(&self) -> Result<Option<Self::Bytes>, Self::Err>;
    /// `value[key]` of an object (`undefined` when absent).
    fn get(&self, key: &str) -> Result<Self, Self::Err>;
    /// An array's elements; `None` when the value is no array, `Some(Err(length))` (nothing
    /// read) when it has more than `max`.
    #[allow(clippy::type_complexity)]
    fn items(&self, max: u32) -> Result<Option<Result<Vec<Self>, u32>>, Self::Err>;
    /// An object's own enumerable string-keyed entries in their order, or the pairs its
    /// `entries()` gives (fetch's Headers, a Map) where the build reads those.
    fn entries(&self) -> Result<Vec<(String, Self)>, Self::Err>;
    /// A form object as the core reads it (JSON text or a JSON value).
    fn form(&self) -> Result<api::Form, Self::Err>;
    /// A value as JSON text (a header value that is not a string); `None` for `undefined`.
    fn json(&self) -> Result<Option<String>, Self::Err>;
    /// An OAuth code: a string, or the build's `AuthorizationCode`.
    fn code(&self) -> Result<Option<Secret>, Self::Err>;
    /// A programmer error: a `TypeError` with `message`.
    fn type_error(message: &str) -> Self::Err;
    /// A core error: the package's error class.
    fn core_error(e: Error) -> Self::Err;
}

/// `Err(TypeError(message))`.
fn refuse<V: JsIn, T>(message: String) -> Result<T, V::Err> {
    Err(V::type_error(&message))
}

/// `{name} must be {what}, got a value of type {kind}`.
fn wrong<V: JsIn, T>(v: &V, name: &str, what: &str) -> Result<T, V::Err> {
    refuse::<V, T>(format!(
        "{} must be {what}, got a value of type {}",
        camel_case(name),
        v.kind()?
    ))
}

/// The most elements read from one array: a longer one (a sparse array's length costs nothing
/// to set) is refused before any is read, so that reading cannot exhaust memory.
pub(crate) const MAX_ITEMS: u32 = 65_536;

/// `v`'s elements (`None`: no array), refused past [`MAX_ITEMS`].
fn items<V: JsIn>(v: &V, name: &str) -> Result<Option<Vec<V>>, V::Err> {
    match v.items(MAX_ITEMS)? {
        None => Ok(None),
        Some(Ok(items)) => Ok(Some(items)),
        Some(Err(len)) => refuse::<V, _>(format!(
            "{} must have at most {MAX_ITEMS} elements, got an array of {len}",
            camel_case(name)
        )),
    }
}

/// A string.
pub(crate) fn text<V: JsIn>(v: &V, name: &str) -> Result<String, V::Err> {
    match v.text()? {
        Some(t) => Ok(t),
        None => wrong(v, name, "a string"),
    }
}

/// A string, or `undefined`/`null` for none.
pub(crate) fn opt_text<V: JsIn>(v: &V, name: &str) -> Result<Option<String>, V::Err> {
    if v.is_nullish() {
        return Ok(None);
    }
    text(v, name).map(Some)
}

/// A boolean.
pub(crate) fn flag<V: JsIn>(v: &V, name: &str) -> Result<bool, V::Err> {
    match v.flag()? {
        Some(b) => Ok(b),
        None => wrong(v, name, "a boolean"),
    }
}

/// A boolean, or `undefined`/`null` for none.
pub(crate) fn opt_flag<V: JsIn>(v: &V, name: &str) -> Result<Option<bool>, V::Err> {
    if v.is_nullish() {
        return Ok(None);
    }
    flag(v, name).map(Some)
}

/// A number (the range is the caller's check), or `undefined`/`null` for none.
pub(crate) fn opt_number<V: JsIn>(v: &V, name: &str) -> Result<Option<f64>, V::Err> {
    if v.is_nullish() {
        return Ok(None);
    }
    match v.number()? {
        Some(n) => Ok(Some(n)),
        None => refuse::<V, _>(js::not_a_number(&camel_case(name), v.kind()?)),
    }
}

/// A number (the range is the caller's check).
pub(crate) fn number<V: JsIn>(v: &V, name: &str) -> Result<f64, V::Err> {
    match v.number()? {
        Some(n) => Ok(n),
        None => refuse::<V, _>(js::not_a_number(&camel_case(name), v.kind()?)),
    }
}

/// A time or a duration in milliseconds: a number, then a non-negative integer.
pub(crate) fn millis<V: JsIn>(v: &V, name: &str) -> Result<u64, V::Err> {
    let n = number(v, name)?;
    checked::<V, _>(js::millis(&camel_case(name), n))
}

/// An array of strings (a notification's keys).
pub(crate) fn strings<V: JsIn>(v: &V, name: &str) -> Result<Vec<String>, V::Err> {
    match items(v, name)? {
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, t)| text(t, &format!("{name}[{i}]")))
            .collect(),
        None => wrong(v, name, "an array of strings"),
    }
}

/// An array of `[key, token]` pairs (the claims to settle).
pub(crate) fn claim_pairs<V: JsIn>(v: &V, name: &str) -> Result<Vec<(String, String)>, V::Err> {
    let Some(items) = items(v, name)? else {
        return wrong(v, name, "an array of [key, token] pairs");
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, pair) in items.iter().enumerate() {
        let at = format!("{name}[{i}]");
        match <[String; 2]>::try_from(strings(pair, &at)?) {
            Ok([key, token]) => out.push((key, token)),
            Err(_) => return wrong(pair, &at, "a [key, token] pair"),
        }
    }
    Ok(out)
}

/// A count: a number, then an integer from 0 to 4294967295.
pub(crate) fn count<V: JsIn>(v: &V, name: &str) -> Result<u32, V::Err> {
    let n = number(v, name)?;
    checked::<V, _>(js::count(&camel_case(name), n))
}

/// A refusal of the core's [`js`] checks as a `TypeError`.
pub(crate) fn checked<V: JsIn, T>(r: Result<T, String>) -> Result<T, V::Err> {
    r.map_err(|m| V::type_error(&m))
}

/// An instance (or configuration entry) id.
pub(crate) fn id<V: JsIn>(v: &V, name: &str) -> Result<u64, V::Err> {
    checked::<V, _>(js::instance_id(number(v, name)?))
}

/// An instance id, or `undefined`/`null` for the whole account.
pub(crate) fn opt_id<V: JsIn>(v: &V) -> Result<Option<u64>, V::Err> {
    if v.is_nullish() {
        return Ok(None);
    }
    match v.number()? {
        Some(n) => checked::<V, _>(js::instance_id(n)).map(Some),
        None => refuse::<V, _>(
            "an instance id must be a non-negative integer, or null for the whole account".into(),
        ),
    }
}

/// The raw bytes of a signed body: a string, nothing or parsed JSON is refused with what to do.
pub(crate) fn body<V: JsIn>(v: &V) -> Result<V::Bytes, V::Err> {
    if let Some(b) = v.bytes()? {
        return Ok(b);
    }
    let message = if v.text()?.is_some() {
        js::BODY_IS_TEXT
    } else if v.is_nullish() || (v.kind()? == "object" && v.entries()?.is_empty()) {
        js::BODY_IS_MISSING
    } else {
        js::BODY_IS_PARSED
    };
    Err(V::type_error(message))
}

/// Text or bytes (a body that is not signed, a Redis reply).
pub(crate) fn text_or_bytes<V: JsIn>(v: &V, name: &str) -> Result<Vec<u8>, V::Err> {
    if let Some(t) = v.text()? {
        return Ok(t.into_bytes());
    }
    match v.bytes()? {
        Some(b) => Ok(b.as_ref().to_vec()),
        None => wrong(
            v,
            name,
            "a string or bytes (a Buffer, Uint8Array or ArrayBuffer)",
        ),
    }
}

/// Headers: an object, `[name, value]` pairs (or what `entries()` gives); `undefined`/`null`
/// for none. A value that is not a string is its JSON text; an `undefined` one, or an item
/// that is not a pair, is left out.
pub(crate) fn headers<V: JsIn>(v: &V) -> Result<Vec<(String, String)>, V::Err> {
    if v.is_nullish() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let push = |k: &V, value: &V, out: &mut Vec<(String, String)>| -> Result<(), V::Err> {
        if let (Some(k), Some(value)) = (value_text(k)?, value_text(value)?) {
            out.push((k, value));
        }
        Ok(())
    };
    if let Some(list) = items(v, "headers")? {
        for (i, item) in list.iter().enumerate() {
            if let Some(pair) = items(item, &format!("headers[{i}]"))? {
                if let [k, value] = pair.as_slice() {
                    push(k, value, &mut out)?;
                }
            }
        }
        return Ok(out);
    }
    if v.kind()? != "object" {
        return wrong(v, "headers", "an object or an array of [name, value] pairs");
    }
    for (k, value) in v.entries()? {
        if let Some(value) = value_text(&value)? {
            out.push((k, value));
        }
    }
    Ok(out)
}

fn value_text<V: JsIn>(v: &V) -> Result<Option<String>, V::Err> {
    match v.text()? {
        Some(t) => Ok(Some(t)),
        None => v.json(),
    }
}

/// `{status, headers, body}` as received.
pub(crate) fn response<V: JsIn>(v: &V) -> Result<HttpResponse, V::Err> {
    if v.kind()? != "object" {
        return wrong(v, "a response", "an object {status, headers, body}");
    }
    let status = checked::<V, _>(js::http_status(number(&v.get("status")?, "status")?))?;
    let body = v.get("body")?;
    let body = if body.is_nullish() {
        Vec::new()
    } else {
        text_or_bytes(&body, "body")?
    };
    Ok(HttpResponse::new(
        status,
        headers(&v.get("headers")?)?,
        body,
    ))
}

/// A verifier of one key (a string) or several (an array of strings, the current key first).
pub(crate) fn keys<V: JsIn>(v: &V) -> Result<Verifier, V::Err> {
    if let Some(key) = v.text()? {
        return Ok(Verifier::new(SignatureKey::new(key)));
    }
    let Some(given) = items(v, "keys")? else {
        return refuse::<V, _>(
            "the key must be a string, or an array of strings (the current key first)".into(),
        );
    };
    let mut list = Vec::with_capacity(given.len());
    for (i, k) in given.iter().enumerate() {
        list.push(SignatureKey::new(text(k, &format!("keys[{i}]"))?));
    }
    Verifier::with_keys(list).map_err(V::core_error)
}

/// A create-instance form: JSON text, or a JSON value (the rules report what is wrong with it).
pub(crate) fn form<V: JsIn>(v: &V) -> Result<api::Form, V::Err> {
    if let Some(t) = v.text()? {
        return Ok(api::Form::Text(t));
    }
    if matches!(v.kind()?, "undefined" | "function" | "symbol" | "bigint") {
        return wrong(v, "the form", "an object or JSON text");
    }
    v.form()
}

/// An OAuth code: the string, or the `AuthorizationCode` that `parseCallback` returned.
pub(crate) fn code<V: JsIn>(v: &V) -> Result<Secret, V::Err> {
    match v.code()? {
        Some(c) => Ok(c),
        None => wrong(
            v,
            "code",
            "a string or the AuthorizationCode of parseCallback",
        ),
    }
}

/// An option object: `None` when `undefined` or `null` (the defaults).
fn options<V: JsIn>(v: &V) -> Result<Option<&V>, V::Err> {
    if v.is_nullish() {
        return Ok(None);
    }
    if v.kind()? != "object" {
        return wrong(v, "options", "an object");
    }
    Ok(Some(v))
}

/// `pageSize`, when given.
fn page_size<V: JsIn>(o: &V) -> Result<Option<u32>, V::Err> {
    opt_number(&o.get("pageSize")?, "pageSize")?
        .map(|n| checked::<V, _>(js::page_size(n)))
        .transpose()
}

/// The redirect URL's options (required).
pub(crate) fn redirect_options<V: JsIn>(v: &V) -> Result<api::RedirectOptions, V::Err> {
    let Some(o) = options(v)? else {
        return wrong(
            v,
            "options",
            "an object {apiKey, apiSecret, callbackUrl, …}",
        );
    };
    let mut extra = Vec::new();
    let given = o.get("extra")?;
    if !given.is_nullish() {
        if given.kind()? != "object" {
            return wrong(
                &given,
                "extra",
                "an object mapping parameter names to strings",
            );
        }
        for (k, value) in given.entries()? {
            match value.text()? {
                Some(value) => extra.push((k, value)),
                None => {
                    return refuse::<V, _>(format!(
                        "extra.{k} must be a string, got a value of type {}",
                        value.kind()?
                    ))
                }
            }
        }
    }
    Ok(api::RedirectOptions {
        api_key: text(&o.get("apiKey")?, "apiKey")?,
        api_secret: text(&o.get("apiSecret")?, "apiSecret")?,
        callback_url: text(&o.get("callbackUrl")?, "callbackUrl")?,
        state: opt_text(&o.get("state")?, "state")?,
        scope: opt_text(&o.get("scope")?, "scope")?,
        site_address: opt_text(&o.get("siteAddress")?, "siteAddress")?,
        callback_proxy: opt_flag(&o.get("callbackProxy")?, "callbackProxy")?,
        request_token: opt_text(&o.get("requestToken")?, "requestToken")?,
        post: opt_flag(&o.get("post")?, "post")? == Some(true),
        oauth_proxy_name: opt_text(&o.get("oauthProxyName")?, "oauthProxyName")?,
        extra,
    })
}

/// Paging of the event lists.
pub(crate) fn page_options<V: JsIn>(v: &V) -> Result<api::PageOptions, V::Err> {
    let Some(o) = options(v)? else {
        return Ok(api::PageOptions::default());
    };
    Ok(api::PageOptions {
        page_size: page_size(o)?,
        next_page: opt_text(&o.get("nextPage")?, "nextPage")?,
    })
}

/// The deliveries' filters and paging.
pub(crate) fn delivery_filter<V: JsIn>(v: &V) -> Result<api::DeliveryFilter, V::Err> {
    let Some(o) = options(v)? else {
        return Ok(api::DeliveryFilter::default());
    };
    let filter = api::DeliveryFilter {
        status: opt_text(&o.get("status")?, "status")?,
        ..api::DeliveryFilter::default()
    };
    // The status is read first, as it always was.
    filter.query().map_err(V::core_error)?;
    Ok(api::DeliveryFilter {
        url: opt_text(&o.get("url")?, "url")?,
        instance_id: opt_id(&o.get("instanceId")?)?,
        page_size: page_size(o)?,
        next_page: opt_text(&o.get("nextPage")?, "nextPage")?,
        ..filter
    })
}

/// The query of `GET /instances`.
pub(crate) fn list_options<V: JsIn>(v: &V) -> Result<api::ListOptions, V::Err> {
    let Some(o) = options(v)? else {
        return Ok(api::ListOptions::default());
    };
    let given = o.get("tags")?;
    let tags = if given.is_nullish() {
        Vec::new()
    } else {
        let Some(list) = items(&given, "tags")? else {
            return wrong(&given, "tags", "an array of strings");
        };
        list.iter()
            .enumerate()
            .map(|(i, t)| text(t, &format!("tags[{i}]")))
            .collect::<Result<_, _>>()?
    };
    Ok(api::ListOptions {
        tags,
        search_text: opt_text(&o.get("searchText")?, "searchText")?,
        page_size: page_size(o)?,
        next_page: opt_text(&o.get("nextPage")?, "nextPage")?,
        hydrate: opt_flag(&o.get("hydrate")?, "hydrate")?,
    })
}

/// Options of signature verification.
pub(crate) fn verify_options<V: JsIn>(v: &V) -> Result<api::VerifyOptions, V::Err> {
    let Some(o) = options(v)? else {
        return Ok(api::VerifyOptions::default());
    };
    Ok(api::VerifyOptions {
        allow_legacy_sha1: opt_flag(&o.get("allowLegacySha1")?, "allowLegacySha1")?
            .unwrap_or(false),
        max_body_size: opt_number(&o.get("maxBodySize")?, "maxBodySize")?
            .map(|n| checked::<V, _>(js::max_body_size(n)))
            .transpose()?,
    })
}

/// A verifier of `keys` with `options` (`verifyEvent`'s and `verifySignature`'s).
pub(crate) fn verifier<V: JsIn>(keys: &V, options: &V) -> Result<Verifier, V::Err> {
    let keys = self::keys(keys)?;
    Ok(verify_options(options)?.apply(keys))
}

/// The option struct of the table's `+ Options` entries, by the core type's name.
macro_rules! read_options {
    (RedirectOptions, $v:expr) => {
        read::redirect_options($v)
    };
    (PageOptions, $v:expr) => {
        read::page_options($v)
    };
    (DeliveryFilter, $v:expr) => {
        read::delivery_filter($v)
    };
    (ListOptions, $v:expr) => {
        read::list_options($v)
    };
    (VerifyOptions, $v:expr) => {
        read::verify_options($v)
    };
}
pub(crate) use read_options;

/// An argument of the table read by its kind (the checks that can fail throw here, in
/// argument order), named as JavaScript names it in messages. `Config` is the build's own.
macro_rules! read_arg {
    (Config, $v:expr, $name:expr) => {
        config_arg($v)?
    };
    (Id, $v:expr, $name:expr) => {
        read::id($v, $name)?
    };
    (OptId, $v:expr, $name:expr) => {
        read::opt_id($v)?
    };
    (Flag, $v:expr, $name:expr) => {
        read::flag($v, $name)?
    };
    (OptText, $v:expr, $name:expr) => {
        read::opt_text($v, $name)?
    };
    (Form, $v:expr, $name:expr) => {
        read::form($v)?
    };
    (Code, $v:expr, $name:expr) => {
        read::code($v)?
    };
    (Body, $v:expr, $name:expr) => {
        read::body($v)?
    };
    (Keys, $v:expr, $name:expr) => {
        read::keys($v)?
    };
    (Response, $v:expr, $name:expr) => {
        read::response($v)?
    };
    (Text, $v:expr, $name:expr) => {
        read::text($v, $name)?
    };
    (Secret, $v:expr, $name:expr) => {
        hootsuite_events::Secret::new(read::text($v, $name)?)
    };
}
pub(crate) use read_arg;

/// An argument as the core function takes it.
macro_rules! pass_arg {
    (Config, $a:ident) => {
        &*$a
    };
    (OptText, $a:ident) => {
        $a.as_deref()
    };
    (Id, $a:ident) => {
        $a
    };
    (OptId, $a:ident) => {
        $a
    };
    (Flag, $a:ident) => {
        $a
    };
    (Keys, $a:ident) => {
        $a
    };
    (Body, $a:ident) => {
        $a.as_ref()
    };
    ($kind:ident, $a:ident) => {
        &$a
    };
}
pub(crate) use pass_arg;
