//! The Python binding: converts values and maps errors, nothing else. The protocol — every
//! rule, request, parser and message — is the core crate's; the exception and result classes
//! are plain Python in `python/hootsuite_events/`.

use hootsuite_events::api::{self, Outcome as _};
use hootsuite_events::events;
use hootsuite_events::idempotency::{self, Claim};
use hootsuite_events::instance::WithSecrets;
use hootsuite_events::signature::{SignatureKey, Verifier};
use hootsuite_events::{jsonv, BaseUrl, Error, HttpRequest, HttpResponse, Secret};
use pyo3::exceptions::{PyAttributeError, PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PySequence, PyString,
    PyTuple, PyType,
};
use pyo3::{intern, IntoPyObjectExt};
use serde_json::{Map, Value};
use std::borrow::Cow;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The one place where a core error becomes a Python exception.
fn to_py_err(py: Python<'_>, e: Error) -> PyErr {
    let class = e.class_name();
    let made = (|| -> PyResult<PyErr> {
        let cls = py.import("hootsuite_events.errors")?.getattr(class)?;
        let details = pythonize::pythonize(py, &e.to_value())?;
        Ok(PyErr::from_value(cls.call1((
            e.to_string(),
            e.code(),
            details,
        ))?))
    })();
    made.unwrap_or_else(|failure| failure)
}

trait OrRaise<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, Error> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, e))
    }
}

fn to_py(py: Python<'_>, value: &Value) -> PyResult<Py<PyAny>> {
    Ok(pythonize::pythonize(py, value)?.unbind())
}

/// Hands the core's data to `hootsuite_events.types._build`, which makes the typed objects.
fn build(py: Python<'_>, kind: &str, value: &Value) -> PyResult<Py<PyAny>> {
    let data = pythonize::pythonize(py, value)?;
    Ok(py
        .import("hootsuite_events.types")?
        .getattr("_build")?
        .call1((kind, data))?
        .unbind())
}

fn ser<T: serde::Serialize>(value: &T) -> PyResult<Value> {
    serde_json::to_value(value).map_err(|e| PyTypeError::new_err(e.to_string()))
}

/// A JSON input: a dict/list (any JSON-like value), or JSON text as `str` or `bytes`. Values
/// are read into the form path's JSON value (`jsonv`), which the rules read.
enum JsonInput {
    Text(String),
    Value(jsonv::Value),
}

fn json_input(obj: &Bound<'_, PyAny>) -> PyResult<JsonInput> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(JsonInput::Text(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return String::from_utf8(b.as_bytes().to_vec())
            .map(JsonInput::Text)
            .map_err(|_| PyTypeError::new_err("the JSON bytes are not UTF-8"));
    }
    py_value(obj).map(JsonInput::Value)
}

/// The most values (containers and scalars together) one input may hold: a body Cloud Elements
/// accepts is far smaller, and the bound keeps a huge or endless mapping from exhausting memory.
const MAX_VALUES: usize = 1_000_000;

/// A Python value as JSON, through one walk for every input: exact dict, list, tuple, str,
/// int, float, bool and None are read directly (the common case), and any
/// other `collections.abc.Mapping` or `Sequence` (OrderedDict, UserDict, a custom class) through
/// the same checks. Nesting deeper than [`hootsuite_events::json::MAX_DEPTH`] (a container that
/// holds itself, at any distance) or more than [`MAX_VALUES`] values is a `ValueError`;
/// anything JSON cannot hold is a `TypeError` naming the type.
fn py_value(obj: &Bound<'_, PyAny>) -> PyResult<jsonv::Value> {
    let mut count = 0;
    walk(obj, 0, &mut count)
}

/// `depth` containers enclose a container about to be read: refused past
/// [`hootsuite_events::json::MAX_DEPTH`] levels, the limit of JSON text too.
fn enter(depth: usize) -> PyResult<usize> {
    const MAX_DEPTH: usize = hootsuite_events::json::MAX_DEPTH;
    if depth >= MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "the value is nested deeper than {MAX_DEPTH} levels (does a mapping or list contain itself?); expected a JSON document"
        )));
    }
    Ok(depth + 1)
}

fn walk(obj: &Bound<'_, PyAny>, depth: usize, count: &mut usize) -> PyResult<jsonv::Value> {
    *count += 1;
    if *count > MAX_VALUES {
        return Err(too_many());
    }
    if let Ok(s) = obj.cast_exact::<PyString>() {
        return Ok(jsonv::Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(d) = obj.cast_exact::<PyDict>() {
        let inner = enter(depth)?;
        if d.len() > MAX_VALUES {
            return Err(too_many());
        }
        let mut map = jsonv::Map::new();
        for (k, v) in d.iter() {
            map.insert(key(&k)?, walk(&v, inner, count)?);
        }
        return Ok(jsonv::Value::Object(map));
    }
    if obj.is_none() {
        return Ok(jsonv::Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(jsonv::Value::Bool(b.is_true()));
    }
    // Exact ints and subclasses (IntEnum members).
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(jsonv::Value::Number(i.into()));
        }
        // The value itself stays out of the message: it may be a secret typed as a number.
        return obj
            .extract::<u64>()
            .map(jsonv::Value::from)
            .map_err(|_| not_json("an integer outside the 64-bit range"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return hootsuite_events::json::jsonv_number(f.value())
            .map(jsonv::Value::Number)
            .ok_or_else(|| not_json("a float that JSON cannot hold (NaN or infinite)"));
    }
    if let Ok(l) = obj.cast_exact::<PyList>() {
        let inner = enter(depth)?;
        if l.len() > MAX_VALUES {
            return Err(too_many());
        }
        let mut items = Vec::with_capacity(l.len());
        for v in l.iter() {
            items.push(walk(&v, inner, count)?);
        }
        return Ok(jsonv::Value::Array(items));
    }
    if let Ok(t) = obj.cast_exact::<PyTuple>() {
        let inner = enter(depth)?;
        let mut items = Vec::with_capacity(t.len());
        for v in t.iter() {
            items.push(walk(&v, inner, count)?);
        }
        return Ok(jsonv::Value::Array(items));
    }
    // str subclasses (StrEnum members) are strs; bytes and bytearray are sequences of numbers
    // to Python but not JSON.
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(jsonv::Value::String(s.to_cow()?.into_owned()));
    }
    if obj.cast::<PyBytes>().is_ok() || obj.cast::<PyByteArray>().is_ok() {
        return Err(not_json("bytes inside a value (decode them to str)"));
    }
    // What parse_callback returned, placed where the code goes (`providerData.code`).
    if let Ok(code) = obj.cast::<AuthorizationCode>() {
        return Ok(jsonv::Value::String(code.get().0.expose().to_string()));
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        let inner = enter(depth)?;
        if m.len()? > MAX_VALUES {
            return Err(too_many());
        }
        let mut map = jsonv::Map::new();
        for item in m.items()?.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            map.insert(key(&k)?, walk(&v, inner, count)?);
        }
        return Ok(jsonv::Value::Object(map));
    }
    if let Ok(seq) = obj.cast::<PySequence>() {
        let inner = enter(depth)?;
        let len = seq.len()?;
        if len > MAX_VALUES {
            return Err(too_many());
        }
        let mut items = Vec::with_capacity(len);
        // `walk` counts every value: an endless iterator stops at MAX_VALUES.
        for v in seq.try_iter()? {
            items.push(walk(&v?, inner, count)?);
        }
        return Ok(jsonv::Value::Array(items));
    }
    let kind = obj.get_type().name()?;
    Err(not_json(&format!(
        "a {kind} (expected a mapping, a sequence, str, int, float, bool or None)"
    )))
}

/// A mapping key: any str, str subclasses (StrEnum members) included.
fn key(k: &Bound<'_, PyAny>) -> PyResult<String> {
    match k.cast::<PyString>() {
        Ok(k) => Ok(k.to_cow()?.into_owned()),
        Err(_) => {
            let kind = k.get_type().name()?;
            Err(not_json(&format!("a dict key that is not a str ({kind})")))
        }
    }
}

fn too_many() -> PyErr {
    PyValueError::new_err(format!(
        "the value holds more than {MAX_VALUES} items; expected a JSON document of reasonable size"
    ))
}

fn not_json(why: &str) -> PyErr {
    PyTypeError::new_err(format!(
        "expected a dict, JSON text or bytes; this value cannot be read as JSON: {why}"
    ))
}

/// A string or an [`AuthorizationCode`] (or any object with `get_secret_value()`).
fn secret_arg(obj: &Bound<'_, PyAny>) -> PyResult<Secret> {
    if let Ok(code) = obj.cast::<AuthorizationCode>() {
        return Ok(code.get().0.clone());
    }
    if let Ok(s) = obj.extract::<String>() {
        return Ok(Secret::new(s));
    }
    if let Ok(v) = obj.call_method0("get_secret_value") {
        return Ok(Secret::new(v.extract::<String>()?));
    }
    Err(PyTypeError::new_err(
        "expected a str or an AuthorizationCode",
    ))
}

/// Header pairs from a dict, any mapping with `items()` (requests, httpx, Flask, Starlette
/// headers), or a list of pairs.
fn headers_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    // A plain dict (what frameworks and most callers pass) is read in place, in the order its
    // `items()` gives, without the view, its iterator and a tuple per item.
    if let Ok(dict) = obj.cast_exact::<PyDict>() {
        let mut out = Vec::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            out.push((k.extract::<String>()?, v.extract::<String>()?));
        }
        return Ok(out);
    }
    let py = obj.py();
    let items = if obj.hasattr(intern!(py, "items"))? {
        obj.call_method0(intern!(py, "items"))?
    } else {
        obj.clone()
    };
    let mut out = Vec::new();
    for item in items.try_iter()? {
        let (k, v): (String, String) = item?.extract()?;
        out.push((k, v));
    }
    Ok(out)
}

/// Raw body bytes (borrowed from a `bytes` object, not copied); a `str` is refused where the exact bytes matter.
fn bytes_arg<'a>(obj: &'a Bound<'_, PyAny>, raw_needed: bool) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        if raw_needed {
            return Err(PyTypeError::new_err(
                "the body must be the raw bytes as received (Flask: request.get_data(); FastAPI/Starlette: await request.body(); Django: request.body), not str: the signature covers the exact bytes, and decoding or re-serializing changes them",
            ));
        }
        return Ok(Cow::Owned(s.to_cow()?.as_bytes().to_vec()));
    }
    if obj.cast::<PyDict>().is_ok() {
        return Err(PyTypeError::new_err(
            "the body must be the raw bytes as received, not parsed JSON: the signature covers the exact bytes, and re-serializing changes them",
        ));
    }
    obj.extract::<Vec<u8>>()
        .map(Cow::Owned)
        .map_err(|_| PyTypeError::new_err("the body must be bytes"))
}

/// `(status, headers, body)`, or one response object: `requests` and `httpx` (`status_code`,
/// `headers`, `content`), `aiohttp` (`status`, `headers`, and the body once read).
fn response_arg(
    response: &Bound<'_, PyAny>,
    headers: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
) -> PyResult<HttpResponse> {
    if let Ok(status) = response.extract::<u16>() {
        let body = match body {
            Some(b) => bytes_arg(b, false)?.into_owned(),
            None => Vec::new(),
        };
        return Ok(HttpResponse::new(status, headers_arg(headers)?, body));
    }
    let status: u16 = match response.getattr("status_code") {
        Ok(s) => s.extract()?,
        Err(_) => response
            .getattr("status")
            .map_err(|_| {
                PyTypeError::new_err(
                    "pass a requests, httpx or aiohttp response, or (status, headers, body)",
                )
            })?
            .extract()?,
    };
    let headers_obj = response.getattr("headers")?;
    let body = response_body(response)?;
    Ok(HttpResponse::new(
        status,
        headers_arg(Some(&headers_obj))?,
        body,
    ))
}

/// The body of a response object. httpx's own error (a streamed body not read yet) is kept:
/// it says what to call.
fn response_body(response: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let content = match response.getattr("content") {
        Ok(c) => c,
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyAttributeError>(response.py()) => {
            return Err(PyTypeError::new_err(
                "the response has no `content`: pass a requests, httpx or aiohttp response, or (status, headers, body)",
            ))
        }
        Err(e) => return Err(e),
    };
    if let Ok(bytes) = bytes_arg(&content, false) {
        return Ok(bytes.into_owned());
    }
    // aiohttp: `content` is a stream; the body read by `await response.read()` (or `.json()`,
    // `.text()`) is kept in `_body`, which aiohttp has used since 1.x.
    if response.hasattr("read")? {
        if let Ok(body) = response.getattr("_body") {
            if let Ok(bytes) = bytes_arg(&body, false) {
                return Ok(bytes.into_owned());
            }
        }
        return Err(PyTypeError::new_err(
            "the aiohttp response's body has not been read: `await response.read()` first, then pass the response (or pass (response.status, response.headers, await response.read()))",
        ));
    }
    Err(PyTypeError::new_err(
        "the response's `content` is not bytes: pass (status, headers, body)",
    ))
}

/// Where to call and with which account. Secrets never appear in `repr`.
#[pyclass(frozen, module = "hootsuite_events")]
struct Config {
    inner: hootsuite_events::Config,
}

#[pymethods]
impl Config {
    #[new]
    fn new(
        py: Python<'_>,
        base_url: &str,
        user_secret: &str,
        organization_secret: &str,
    ) -> PyResult<Self> {
        let base = BaseUrl::parse(base_url).or_raise(py)?;
        let inner =
            hootsuite_events::Config::new(base, user_secret, organization_secret).or_raise(py)?;
        Ok(Config { inner })
    }

    /// The base URL, without a trailing `/`.
    #[getter]
    fn base_url(&self) -> String {
        self.inner.base_url().as_str().to_string()
    }

    /// `User <user secret>, Element <token>`: the header for calls made as an instance.
    fn instance_authorization(&self, py: Python<'_>, token: &str) -> PyResult<String> {
        let auth = self
            .inner
            .instance_authorization(&hootsuite_events::InstanceToken::new(token))
            .or_raise(py)?;
        Ok(auth.expose().to_string())
    }

    fn __repr__(&self) -> String {
        format!(
            "Config(base_url='{}', user_secret='********', organization_secret='********')",
            self.inner.base_url()
        )
    }
}

/// A request to send: `method`, `url`, `headers` (dict), `body` (bytes).
#[pyclass(frozen, eq, module = "hootsuite_events")]
#[derive(PartialEq)]
struct Request {
    inner: HttpRequest,
}

#[pymethods]
impl Request {
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method.as_str()
    }
    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.inner.headers {
            d.set_item(k, v)?;
        }
        Ok(d)
    }
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.body)
    }
    /// The body parsed as JSON (None when empty).
    fn json(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if self.inner.body.is_empty() {
            return Ok(py.None());
        }
        let v: Value = serde_json::from_slice(&self.inner.body)
            .map_err(|e| PyTypeError::new_err(e.to_string()))?;
        to_py(py, &v)
    }
    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}

fn request(inner: HttpRequest) -> Request {
    Request { inner }
}

/// The OAuth code from the callback: single use, secret. `repr`/`str` mask it;
/// `get_secret_value()` gives it.
#[pyclass(frozen, eq, module = "hootsuite_events")]
#[derive(PartialEq)]
struct AuthorizationCode(Secret);

#[pymethods]
impl AuthorizationCode {
    fn get_secret_value(&self) -> &str {
        self.0.expose()
    }
    fn __repr__(&self) -> &'static str {
        "AuthorizationCode('********')"
    }
    fn __str__(&self) -> &'static str {
        "********"
    }
}

/// The verifier's keys: one `str`, or a sequence of `str` (the current key first). Errors name
/// the position and the type, never a key.
fn keys_arg(py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Verifier> {
    let expected =
        "expected a str or a sequence of str (the current key first, then the ones it replaced)";
    if let Ok(s) = key.cast::<PyString>() {
        Ok(Verifier::new(SignatureKey::new(s.to_cow()?.into_owned())))
    } else {
        // bytes and mappings iterate, but not as keys: refused by name rather than read oddly.
        if key.cast::<PyBytes>().is_ok() || key.cast::<PyDict>().is_ok() || key.is_none() {
            let kind = key.get_type().name()?;
            return Err(PyTypeError::new_err(format!("key: {expected}, got {kind}")));
        }
        let items = key.try_iter().map_err(|_| {
            let kind = key
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            PyTypeError::new_err(format!("key: {expected}, got {kind}"))
        })?;
        let mut keys = Vec::new();
        // One more than the core takes, so that an endless iterable still gets its error.
        for (i, item) in items
            .enumerate()
            .take(hootsuite_events::signature::MAX_KEYS + 1)
        {
            let item = item?;
            let Ok(s) = item.cast::<PyString>() else {
                let kind = item.get_type().name()?;
                return Err(PyTypeError::new_err(format!(
                    "key[{i}]: expected a str, got {kind}"
                )));
            };
            keys.push(SignatureKey::new(s.to_cow()?.into_owned()));
        }
        Verifier::with_keys(keys).or_raise(py)
    }
}

/// A verifier of `key` with the options (`verify_event`'s).
fn verifier(
    py: Python<'_>,
    key: &Bound<'_, PyAny>,
    allow_legacy_sha1: bool,
    max_body_size: Option<usize>,
) -> PyResult<Verifier> {
    let options = api::VerifyOptions {
        allow_legacy_sha1,
        max_body_size,
    };
    Ok(options.apply(keys_arg(py, key)?))
}

/// A form: JSON text (`str` or `bytes`) or a JSON-like value.
fn form_arg(obj: &Bound<'_, PyAny>) -> PyResult<api::Form> {
    Ok(match json_input(obj)? {
        JsonInput::Text(t) => api::Form::Text(t),
        JsonInput::Value(v) => api::Form::Value(v),
    })
}

/// `extra`: a dict, whose insertion order is the order the parameters are sent in.
fn pairs_arg(extra: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, String)>> {
    let Some(extra) = extra else {
        return Ok(Vec::new());
    };
    extra
        .iter()
        .map(|(k, v)| Ok((k.extract::<String>()?, v.extract::<String>()?)))
        .collect()
}

/// The region presets as `BaseUrlPreset` (name, base URL) pairs: the names `Config` takes.
fn presets(py: Python<'_>, presets: Vec<(&str, &str)>) -> PyResult<Vec<Py<PyAny>>> {
    let preset = py
        .import(intern!(py, "hootsuite_events.types"))?
        .getattr(intern!(py, "BaseUrlPreset"))?;
    presets
        .into_iter()
        .map(|pair| Ok(preset.call1((pair,))?.unbind()))
        .collect()
}

/// The Python type of an argument kind.
macro_rules! py_ty {
    (Config) => { &Config };
    (Id) => { u64 };
    (OptId) => { Option<u64> };
    (Flag) => { bool };
    (Text) => { &str };
    (Secret) => { &str };
    (OptText) => { Option<&str> };
    ($other:ident) => { &Bound<'_, PyAny> };
}

/// An argument read by its kind (conversions that can fail raise here, in argument order).
macro_rules! py_arg {
    ($py:ident, Code, $a:ident) => {
        secret_arg($a)?
    };
    ($py:ident, Form, $a:ident) => {
        form_arg($a)?
    };
    ($py:ident, Body, $a:ident) => {
        bytes_arg($a, true)?
    };
    ($py:ident, Keys, $a:ident) => {
        keys_arg($py, $a)?
    };
    ($py:ident, $kind:ident, $a:ident) => {
        $a
    };
}

/// An argument as the core function takes it.
macro_rules! py_pass {
    (Config, $a:ident) => {
        &$a.inner
    };
    (Secret, $a:ident) => {
        &Secret::new($a)
    };
    (Code, $a:ident) => {
        &$a
    };
    (Form, $a:ident) => {
        &$a
    };
    (Body, $a:ident) => {
        &$a
    };
    ($kind:ident, $a:ident) => {
        $a
    };
}

/// The Python type of an option field's kind.
macro_rules! py_field_ty {
    (Text) => { String };
    (OptText) => { Option<String> };
    (OptId) => { Option<u64> };
    (PageSize) => { Option<u32> };
    (OptFlag) => { Option<bool> };
    (Flag) => { bool };
    (Size) => { Option<usize> };
    (Tags) => { Option<Vec<String>> };
    (Pairs) => { Option<&Bound<'_, PyDict>> };
}

/// An option field as the core's struct holds it.
macro_rules! py_field {
    (Tags, $a:ident) => {
        $a.unwrap_or_default()
    };
    (Pairs, $a:ident) => {
        pairs_arg($a)?
    };
    ($kind:ident, $a:ident) => {
        $a
    };
}

/// The Python type of a result kind.
macro_rules! py_ret_ty {
    (Request) => { Request };
    (Text) => { String };
    (Policy) => { &'static str };
    (Nothing) => { () };
    (Index) => { usize };
    (Code) => { AuthorizationCode };
    (Presets) => { Vec<Py<PyAny>> };
    ($other:ident) => { Py<PyAny> };
}

/// A result made Python's: records through `hootsuite_events.types._build`, named by type.
macro_rules! py_ret {
    ($py:ident, $v:ident, Request) => {
        Ok(request($v))
    };
    ($py:ident, $v:ident, Record($t:ident)) => {
        build($py, stringify!($t), &ser(&$v)?)
    };
    ($py:ident, $v:ident, List($t:ident)) => {
        build($py, concat!(stringify!($t), "[]"), &ser(&$v)?)
    };
    ($py:ident, $v:ident, Secrets($t:ident)) => {
        build($py, stringify!($t), &ser(&WithSecrets(&$v))?)
    };
    ($py:ident, $v:ident, Report) => {
        build($py, "ValidationReport", &ser(&$v)?)
    };
    ($py:ident, $v:ident, Body) => {
        to_py($py, &$v.to_value())
    };
    ($py:ident, $v:ident, Schema) => {
        to_py($py, &$v)
    };
    ($py:ident, $v:ident, Policy) => {
        Ok($v.as_str())
    };
    ($py:ident, $v:ident, Code) => {
        Ok(AuthorizationCode($v))
    };
    ($py:ident, $v:ident, Presets) => {
        presets($py, $v)
    };
    ($py:ident, $v:ident, $other:ident) => {
        Ok($v)
    };
}

/// Every `table` export of the core's table as a function, and `add_table_exports` to put
/// them in the module (the `hand` ones are written below).
macro_rules! py_exports {
    ($(
        #[doc = $doc:literal]
        $how:ident $where:ident $rust:ident $js:ident $sig:tt $(+ $opts:ident $fields:tt)?
        -> $ret:ident $(($rtype:ident))? = $core:path;
    )*) => {
        $(py_exports!(@fn $how [$doc] $rust $sig $(+ $opts $fields)? -> $ret $(($rtype))? = $core);)*

        fn add_table_exports(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(py_exports!(@add $how $where $rust m);)*
            Ok(())
        }
    };
    (@add table $where:ident $rust:ident $m:ident) => {
        $m.add_function(wrap_pyfunction!($rust, $m)?)?
    };
    (@add hand $where:ident $rust:ident $m:ident) => {};
    (@fn hand $($rest:tt)*) => {};
    // A response: `(response)` or `(status, headers, body)`.
    (@fn table [$doc:literal] $rust:ident (response: Response) -> $ret:ident $(($rtype:ident))? = $core:path) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(signature = (response, headers=None, body=None))]
        fn $rust(
            py: Python<'_>,
            response: &Bound<'_, PyAny>,
            headers: Option<&Bound<'_, PyAny>>,
            body: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<py_ret_ty!($ret)> {
            let out = $core(&response_arg(response, headers, body)?).outcome().or_raise(py)?;
            py_ret!(py, out, $ret $(($rtype))?)
        }
    };
    (@fn table [$doc:literal] $rust:ident ($($arg:ident : $kind:ident $(= $adef:tt)?),*)
        $(+ $opts:ident { $($pos:ident : $pkind:ident),* ; $($kw:ident : $kkind:ident = $kdef:tt),* })?
        -> $ret:ident $(($rtype:ident))? = $core:path) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(signature = ($($arg $(= $adef)?,)* $($($pos,)* *, $($kw = $kdef),*)?))]
        #[allow(clippy::too_many_arguments, clippy::needless_update)]
        fn $rust(
            py: Python<'_>,
            $($arg: py_ty!($kind),)*
            $($($pos: py_field_ty!($pkind),)* $($kw: py_field_ty!($kkind),)*)?
        ) -> PyResult<py_ret_ty!($ret)> {
            $(let $arg = py_arg!(py, $kind, $arg);)*
            $(let options = api::$opts {
                $($pos: py_field!($pkind, $pos),)*
                $($kw: py_field!($kkind, $kw),)*
                ..Default::default()
            };)?
            let out = $core($(py_pass!($kind, $arg),)* $(&options as &api::$opts)?)
                .outcome()
                .or_raise(py)?;
            py_ret!(py, out, $ret $(($rtype))?)
        }
    };
}

hootsuite_events::for_each_export!(py_exports);

/// The record classes of `hootsuite_events.types` and `object.__new__`, looked up once.
struct RecordTypes {
    object_new: Py<PyAny>,
    notification: Py<PyType>,
    element_event: Py<PyType>,
    hootsuite_event: Py<PyType>,
    rejected: Py<PyType>,
    unit: Py<PyType>,
    claim: Py<PyType>,
    work: Py<PyType>,
    outcome: Py<PyType>,
}

static RECORD_TYPES: PyOnceLock<RecordTypes> = PyOnceLock::new();

fn record_types(py: Python<'_>) -> PyResult<&RecordTypes> {
    RECORD_TYPES.get_or_try_init(py, || {
        let types = py.import("hootsuite_events.types")?;
        let class = |name: &str| -> PyResult<Py<PyType>> {
            Ok(types.getattr(name)?.cast_into::<PyType>()?.unbind())
        };
        Ok(RecordTypes {
            object_new: py
                .get_type::<pyo3::types::PyAny>()
                .getattr("__new__")?
                .unbind(),
            notification: class("Notification")?,
            element_event: class("ElementEvent")?,
            hootsuite_event: class("HootsuiteEvent")?,
            rejected: class("Rejected")?,
            unit: class("Unit")?,
            claim: class("Claim")?,
            work: class("Work")?,
            outcome: class("Outcome")?,
        })
    })
}

/// An empty record of `class` (no `__init__`: every field is set below) and its `__dict__`.
fn new_record<'py>(
    py: Python<'py>,
    types: &RecordTypes,
    class: &Py<PyType>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    let obj = types.object_new.bind(py).call1((class.bind(py),))?;
    let dict = obj
        .getattr(intern!(py, "__dict__"))?
        .cast_into::<PyDict>()?;
    Ok((obj, dict))
}

/// Texts already made into Python strings, to share one `str` between equal values.
#[derive(Default)]
struct SharedText<'a, 'py> {
    texts: Vec<(&'a str, Bound<'py, PyString>)>,
}

impl<'a, 'py> SharedText<'a, 'py> {
    fn get(&mut self, py: Python<'py>, text: Option<&'a str>) -> Option<Bound<'py, PyString>> {
        let text = text?;
        if let Some((_, s)) = self.texts.iter().find(|(t, _)| *t == text) {
            return Some(s.clone());
        }
        let s = PyString::new(py, text);
        if self.texts.len() < 16 {
            self.texts.push((text, s.clone()));
        }
        Some(s)
    }
}

/// A parsed notification kept native until read: `types.Notification` asks it for each of
/// its container fields (`_LAZY` there) on first access (building every event's record cost more than verifying and
/// parsing together, and a receiver reads only the units and their events).
#[pyclass(frozen, module = "hootsuite_events._native")]
struct LazyNotification {
    n: events::Notification,
}

#[pymethods]
impl LazyNotification {
    /// One of the container fields as the record holds it (a new object at each call).
    fn field(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        let n = &self.n;
        let types = record_types(py)?;
        Ok(match name {
            "user" => pythonize::pythonize(py, &n.user)?.unbind(),
            "instance_tags" => n.instance_tags.as_deref().into_py_any(py)?,
            "events" => element_events(py, types, &n.events)?.into_any().unbind(),
            "hootsuite_events" => hootsuite_events(py, types, &n.hootsuite_events)?
                .into_any()
                .unbind(),
            "rejected" => rejected_list(py, types, &n.rejected)?.into_any().unbind(),
            "raw" => pythonize::pythonize(py, &n.raw)?.unbind(),
            "units" => units_list(py, types, &n.units)?.into_any().unbind(),
            "message_extra" => map_dict(py, &n.message_extra)?.unbind(),
            "extra" => map_dict(py, &n.extra)?.unbind(),
            _ => return Err(PyAttributeError::new_err(name.to_string())),
        })
    }

    fn __repr__(&self) -> &'static str {
        "<LazyNotification>"
    }
}

fn element_events<'py>(
    py: Python<'py>,
    types: &RecordTypes,
    list: &[events::ElementEvent],
) -> PyResult<Bound<'py, PyList>> {
    let events = PyList::empty(py);
    // The events of one notification mostly repeat their object type, event type and element
    // key: each distinct text becomes one Python str, shared.
    let mut shared = SharedText::default();
    for e in list {
        let (obj, d) = new_record(py, types, &types.element_event)?;
        d.set_item(
            intern!(py, "object_type"),
            shared.get(py, e.object_type.as_deref()),
        )?;
        d.set_item(intern!(py, "object_id"), e.object_id.as_deref())?;
        d.set_item(
            intern!(py, "event_type"),
            shared.get(py, Some(e.event_type.as_str())),
        )?;
        d.set_item(
            intern!(py, "element_key"),
            shared.get(py, e.element_key.as_deref()),
        )?;
        d.set_item(intern!(py, "date"), e.date.as_deref())?;
        d.set_item(intern!(py, "hub_key"), shared.get(py, e.hub_key.as_deref()))?;
        d.set_item(intern!(py, "extra"), map_dict(py, &e.extra)?)?;
        events.append(obj)?;
    }
    Ok(events)
}

fn hootsuite_events<'py>(
    py: Python<'py>,
    types: &RecordTypes,
    list: &[events::HootsuiteEvent],
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for h in list {
        let (obj, d) = new_record(py, types, &types.hootsuite_event)?;
        d.set_item(intern!(py, "seq_no"), h.seq_no.as_deref())?;
        d.set_item(intern!(py, "type"), h.event_type.as_str())?;
        d.set_item(intern!(py, "data"), pythonize::pythonize(py, &h.data)?)?;
        d.set_item(intern!(py, "extra"), map_dict(py, &h.extra)?)?;
        out.append(obj)?;
    }
    Ok(out)
}

fn rejected_list<'py>(
    py: Python<'py>,
    types: &RecordTypes,
    list: &[events::Rejected],
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for r in list {
        let (obj, d) = new_record(py, types, &types.rejected)?;
        d.set_item(intern!(py, "source"), unit_kind(r.source))?;
        d.set_item(intern!(py, "position"), r.position)?;
        d.set_item(intern!(py, "key"), r.key.as_deref())?;
        d.set_item(intern!(py, "code"), r.code)?;
        d.set_item(intern!(py, "path"), path_tuple(py, &r.path)?)?;
        d.set_item(intern!(py, "message"), r.message.as_str())?;
        d.set_item(intern!(py, "raw"), pythonize::pythonize(py, &r.raw)?)?;
        out.append(obj)?;
    }
    Ok(out)
}

fn units_list<'py>(
    py: Python<'py>,
    types: &RecordTypes,
    list: &[events::Unit],
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for u in list {
        let (obj, d) = new_record(py, types, &types.unit)?;
        d.set_item(intern!(py, "key"), u.key.as_str())?;
        d.set_item(intern!(py, "kind"), unit_kind_str(py, u.kind))?;
        d.set_item(intern!(py, "index"), u.index)?;
        out.append(obj)?;
    }
    Ok(out)
}

/// A notification as a `types.Notification` record: its scalar fields set now, the others
/// (events, units, raw, ...) converted on first read from the native notification it keeps.
fn notification(py: Python<'_>, n: events::Notification) -> PyResult<Py<PyAny>> {
    let types = record_types(py)?;
    let (obj, d) = new_record(py, types, &types.notification)?;
    d.set_item(intern!(py, "shape"), n.shape.as_str())?;
    d.set_item(intern!(py, "id"), n.id.as_deref())?;
    d.set_item(intern!(py, "topic"), n.topic.as_deref())?;
    d.set_item(intern!(py, "action"), n.action.as_deref())?;
    d.set_item(intern!(py, "severity"), n.severity.as_deref())?;
    d.set_item(intern!(py, "created_date"), n.created_date.as_deref())?;
    d.set_item(intern!(py, "event_id"), n.event_id.as_deref())?;
    d.set_item(intern!(py, "instance_id"), n.instance_id)?;
    d.set_item(intern!(py, "instance_name"), n.instance_name.as_deref())?;
    d.set_item(intern!(py, "element_key"), n.element_key.as_deref())?;
    d.set_item(intern!(py, "account_id"), n.account_id.as_deref())?;
    d.set_item(intern!(py, "company_id"), n.company_id.as_deref())?;
    d.set_item(intern!(py, "user_id"), n.user_id.as_deref())?;
    d.set_item(intern!(py, "notification_id"), n.notification_id.as_deref())?;
    d.set_item(intern!(py, "webhook_id"), n.webhook_id.as_deref())?;
    d.set_item(intern!(py, "key_index"), n.key_index)?;
    d.set_item(intern!(py, "_lazy"), Py::new(py, LazyNotification { n })?)?;
    obj.into_py_any(py)
}

/// A JSON path as a tuple of keys (str) and indices (int), as `Issue.path` is.
fn path_tuple<'py>(
    py: Python<'py>,
    path: &[hootsuite_events::error::PathSegment],
) -> PyResult<Bound<'py, PyTuple>> {
    use hootsuite_events::error::PathSegment;
    let items = path
        .iter()
        .map(|s| match s {
            PathSegment::Key(k) => k.into_bound_py_any(py),
            PathSegment::Index(i) => i.into_bound_py_any(py),
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

/// A JSON object as a dict (an empty one without pythonize's walk: the common case).
fn map_dict<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyAny>> {
    if map.is_empty() {
        return Ok(PyDict::new(py).into_any());
    }
    Ok(pythonize::pythonize(py, map)?)
}

/// The unit kind's name as one interned `str` per kind (a notification's units share it).
fn unit_kind_str(py: Python<'_>, kind: events::UnitKind) -> &Bound<'_, PyString> {
    match kind {
        events::UnitKind::HootsuiteEvent => intern!(py, "hootsuite_event"),
        events::UnitKind::ElementEvent => intern!(py, "element_event"),
        events::UnitKind::Notification => intern!(py, "notification"),
        events::UnitKind::Rejected => intern!(py, "rejected"),
    }
}

/// The unit kind's name, as the core serializes it.
fn unit_kind(kind: events::UnitKind) -> &'static str {
    match kind {
        events::UnitKind::HootsuiteEvent => "hootsuite_event",
        events::UnitKind::ElementEvent => "element_event",
        events::UnitKind::Notification => "notification",
        events::UnitKind::Rejected => "rejected",
    }
}

#[pyfunction]
#[pyo3(signature = (key, headers, body, *, allow_legacy_sha1=false, max_body_size=None))]
fn verify_event(
    py: Python<'_>,
    key: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    allow_legacy_sha1: bool,
    max_body_size: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let body = bytes_arg(body, true)?;
    let headers = headers_arg(Some(headers))?;
    let n = verifier(py, key, allow_legacy_sha1, max_body_size)?
        .verify_event(&headers, &body)
        .or_raise(py)?;
    notification(py, n)
}

#[pyfunction]
#[pyo3(signature = (body, headers=None))]
fn parse_event_notification(
    py: Python<'_>,
    body: &Bound<'_, PyAny>,
    headers: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let n =
        events::parse_delivery(&headers_arg(headers)?, &bytes_arg(body, false)?).or_raise(py)?;
    notification(py, n)
}

/// A duration or time in milliseconds: a non-negative whole number.
fn ms_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<u64> {
    if obj.cast::<PyInt>().is_err() || obj.cast::<PyBool>().is_ok() {
        let kind = obj.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "{field}: expected an int (milliseconds), got {kind}"
        )));
    }
    obj.extract::<u64>().map_err(|_| {
        pyo3::exceptions::PyValueError::new_err(format!(
            "{field}: expected milliseconds from 0 to 2**64 - 1, got {obj}"
        ))
    })
}

/// `now_ms`, or the host clock (`time.time()`, read through Python so that tests and hosts
/// that control time see the same clock) in milliseconds since the Unix epoch.
fn now_arg(py: Python<'_>, now_ms: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    match now_ms.filter(|n| !n.is_none()) {
        Some(n) => ms_arg(n, "now_ms"),
        None => {
            // The module is kept, its `time` attribute read at each call (a test may patch it).
            static TIME: PyOnceLock<Py<pyo3::types::PyModule>> = PyOnceLock::new();
            let seconds: f64 = TIME
                .get_or_try_init(py, || py.import(intern!(py, "time")).map(Bound::unbind))?
                .bind(py)
                .getattr(intern!(py, "time"))?
                .call0()?
                .extract()?;
            // A clock before 1970 or past u64 milliseconds saturates (`as` on f64 does).
            Ok((seconds * 1000.0) as u64)
        }
    }
}

/// The in-process claim store of the core (bounded; the oldest key is forgotten first past
/// `capacity`), safe to share between threads.
#[pyclass(frozen, module = "hootsuite_events")]
struct MemoryStore(idempotency::MemoryStore);

#[pymethods]
impl MemoryStore {
    // The text signatures show the core's defaults (checked equal by a test).
    #[new]
    #[pyo3(signature = (capacity = idempotency::DEFAULT_CAPACITY, retention_ms = None), text_signature = "(capacity=100000, retention_ms=604800000)")]
    fn new(
        py: Python<'_>,
        capacity: usize,
        retention_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let retention = match retention_ms {
            Some(r) => ms_arg(r, "retention_ms")?,
            None => idempotency::DEFAULT_RETENTION_MS,
        };
        Ok(MemoryStore(
            idempotency::MemoryStore::with_limits(capacity, retention).or_raise(py)?,
        ))
    }

    /// Claims `key` for `lease_ms`: `Claim.status` is `claimed` (process, then complete or
    /// release with `Claim.token`), `done` (skip) or `in_progress` (another holds it).
    #[pyo3(signature = (key, lease_ms = None, now_ms = None), text_signature = "($self, key, lease_ms=60000, now_ms=None)")]
    fn claim(
        &self,
        py: Python<'_>,
        key: &str,
        lease_ms: Option<&Bound<'_, PyAny>>,
        now_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let lease = match lease_ms {
            Some(l) => ms_arg(l, "lease_ms")?,
            None => idempotency::DEFAULT_LEASE_MS,
        };
        let now = now_arg(py, now_ms)?;
        claim_record(py, &self.0.claim(key, lease, now).or_raise(py)?)
    }

    /// Marks the claim done (kept for the retention); false when `token` is not the claim's.
    #[pyo3(signature = (key, token, now_ms = None))]
    fn complete(
        &self,
        py: Python<'_>,
        key: &str,
        token: &str,
        now_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let now = now_arg(py, now_ms)?;
        Ok(self.0.complete(key, token, now))
    }

    /// Gives the claim up (the next delivery processes the key); false when `token` is not
    /// the claim's.
    fn release(&self, key: &str, token: &str) -> bool {
        self.0.release(key, token)
    }

    /// Claims every key (the units of one notification): one `Claim` per key, in order.
    #[pyo3(signature = (keys, lease_ms = None, now_ms = None))]
    fn claim_all(
        &self,
        py: Python<'_>,
        keys: Vec<String>,
        lease_ms: Option<&Bound<'_, PyAny>>,
        now_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let lease = match lease_ms {
            Some(l) => ms_arg(l, "lease_ms")?,
            None => idempotency::DEFAULT_LEASE_MS,
        };
        let now = now_arg(py, now_ms)?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let claims = idempotency::Store::claim_all(&self.0, &keys, lease, now).or_raise(py)?;
        claims.iter().map(|c| claim_record(py, c)).collect()
    }

    /// Completes the `(key, token)` claims of `complete` and releases those of `release`:
    /// whether each changed its key, in order.
    #[pyo3(signature = (complete, release, now_ms = None))]
    fn settle(
        &self,
        py: Python<'_>,
        complete: Vec<(String, String)>,
        release: Vec<(String, String)>,
        now_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<bool>> {
        let now = now_arg(py, now_ms)?;
        idempotency::Store::settle(&self.0, &pairs(&complete), &pairs(&release), now).or_raise(py)
    }

    /// `process` on this store when no telemetry watches the steps: the loop of `drive`, in
    /// one call instead of a Python loop of one call per step.
    fn _process<'py>(
        &self,
        py: Python<'py>,
        notification: &Bound<'py, PyAny>,
        handler: &Bound<'py, PyAny>,
        lease_ms: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        drive(
            notification,
            handler,
            |steps| {
                let lease = ms_arg(lease_ms, "lease_ms")?;
                let now = now_arg(py, None)?;
                self.0.claim_steps(steps, lease, now).or_raise(py)
            },
            |steps| {
                let now = now_arg(py, None)?;
                self.0.settle_steps(steps, now).or_raise(py)
            },
        )
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        format!("MemoryStore(len={})", self.0.len())
    }
}

/// The claim loop of `process` run natively on a store of this module (`claim` and `settle`
/// answer the loop's claim and settle steps): the core's step machine, `handler(work)` called
/// for each unit claimed now. Each `Work` holds the notification's own `Unit` record and the
/// notification; its event fields are read from the notification on first access
/// (`types._UnitEvent`). Returns the `Outcome`; a handler's exception is raised once the
/// claims are settled.
fn drive<'py>(
    notification: &Bound<'py, PyAny>,
    handler: &Bound<'py, PyAny>,
    mut claim: impl for<'k> FnMut(&mut idempotency::Steps<Cow<'k, str>>) -> PyResult<()>,
    mut settle: impl for<'k> FnMut(&mut idempotency::Steps<Cow<'k, str>>) -> PyResult<()>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = notification.py();
    let types = record_types(py)?;
    let units = NotificationUnits::of(notification)?;
    // The lent loop: keys read from the native units, tokens in the loop's own buffer.
    let mut steps = idempotency::Steps::with_keys(units.steps()?);
    let mut error: Option<PyErr> = None;
    loop {
        match steps.advance() {
            idempotency::Advance::Claim => claim(&mut steps)?,
            idempotency::Advance::Handle(i) => {
                let result = units
                    .work(types, notification, i)
                    .and_then(|work| handler.call1((work,)))
                    .and_then(|r| refuse_awaitable(&r));
                let ok = match result {
                    Ok(()) => true,
                    Err(e) => {
                        error = Some(e);
                        false
                    }
                };
                steps.handled(ok).or_raise(py)?;
            }
            idempotency::Advance::Settle => {
                if let Err(e) = settle(&mut steps) {
                    return Err(keep_handler_error(py, e, error));
                }
            }
            idempotency::Advance::Done => {
                let t = steps.tally();
                if let Some(e) = error {
                    return Err(e);
                }
                return outcome_record(py, types, &t, || units.rejected(notification, &t));
            }
        }
    }
}

/// A settle that failed after a handler raised: the handler's exception stays readable as the
/// settle error's `__context__`, as the Python loops keep it.
fn keep_handler_error(py: Python<'_>, settle: PyErr, handler: Option<PyErr>) -> PyErr {
    if let Some(handler) = handler {
        let value = settle.value(py);
        let unset = value
            .getattr(intern!(py, "__context__"))
            .is_ok_and(|c| c.is_none());
        // The handler's own exception raised again by the store is not its own context.
        if unset && !value.is(handler.value(py)) {
            // An exception that refuses the attribute keeps its own context.
            let _ = value.setattr(intern!(py, "__context__"), handler.value(py));
        }
    }
    settle
}

/// The claim loop of one notification, the core's `idempotency::Steps`: `process` and
/// `process_async` drive it around the store and the handler.
#[pyclass(module = "hootsuite_events")]
struct Steps(idempotency::Steps);

/// A store's answer to a claim (a `Claim` record, or anything with `status` and `token`).
fn claim_from(obj: &Bound<'_, PyAny>) -> PyResult<Claim> {
    let status = obj.getattr(intern!(obj.py(), "status"))?;
    match status.extract::<String>().ok().as_deref() {
        Some("claimed") => match obj.getattr(intern!(obj.py(), "token"))?.extract::<String>() {
            Ok(token) => Ok(Claim::Claimed { token }),
            Err(_) => Err(PyTypeError::new_err(
                "the store answered a claim with status 'claimed' without a str token",
            )),
        },
        Some("done") => Ok(Claim::Done),
        Some("in_progress") => Ok(Claim::InProgress),
        // The status only: the rest of a claim (its token) stays out of messages.
        _ => Err(PyValueError::new_err(format!(
            "the store answered a claim with status {}; expected 'claimed', 'done' or 'in_progress'",
            status.repr()?
        ))),
    }
}

#[pymethods]
impl Steps {
    /// The loop over `units` (the notification's `Unit` records, in order).
    #[new]
    fn new(units: Vec<Bound<'_, PyAny>>) -> PyResult<Self> {
        let units = units
            .iter()
            .map(|u| {
                let key: String = u.getattr(intern!(u.py(), "key"))?.extract()?;
                let kind: String = u.getattr(intern!(u.py(), "kind"))?.extract()?;
                Ok((key, kind == "rejected"))
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Steps(idempotency::Steps::new(units)))
    }

    /// What to do: `("claim", keys)`, `("handle", index)`, `("settle", complete, release)`
    /// (lists of `(key, token)`), or `("done", (status, processed, skipped, in_progress,
    /// failed, lost_leases, rejected_indices))`.
    fn next_step<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        match self.0.next_step() {
            idempotency::Step::Claim(keys) => ("claim", keys).into_pyobject(py),
            idempotency::Step::Handle(i) => ("handle", i).into_pyobject(py),
            idempotency::Step::Settle { complete, release } => {
                ("settle", complete, release).into_pyobject(py)
            }
            idempotency::Step::Done(t) => (
                "done",
                (
                    t.status,
                    t.processed,
                    t.skipped,
                    t.in_progress,
                    t.failed,
                    t.lost_leases,
                    t.rejected,
                ),
            )
                .into_pyobject(py),
        }
    }

    /// The store's answers to the claim step, one per key.
    fn claimed(&mut self, py: Python<'_>, answers: Vec<Bound<'_, PyAny>>) -> PyResult<()> {
        let claims = answers
            .iter()
            .map(claim_from)
            .collect::<PyResult<Vec<_>>>()?;
        self.0.claimed(claims).or_raise(py)
    }

    /// Whether the handler of the handle step succeeded.
    fn handled(&mut self, py: Python<'_>, ok: bool) -> PyResult<()> {
        self.0.handled(ok).or_raise(py)
    }

    /// The store's answers to the settle step, one per claim.
    fn settled(&mut self, py: Python<'_>, changed: Vec<bool>) -> PyResult<()> {
        self.0.settled(&changed).or_raise(py)
    }
}

/// `process`'s refusal of a handler that returned an awaitable (closed, so that it does not
/// warn later, far from the cause), as `idempotency._refuse_awaitable` words it.
fn refuse_awaitable(value: &Bound<'_, PyAny>) -> PyResult<()> {
    refuse_awaitable_of(value, "the handler")
}

/// `refuse_awaitable` of what `what` returned.
fn refuse_awaitable_of(value: &Bound<'_, PyAny>, what: &str) -> PyResult<()> {
    let py = value.py();
    // None, what most handlers return, is never awaitable: no attribute lookup to fail.
    if value.is_none() || !value.hasattr(intern!(py, "__await__"))? {
        return Ok(());
    }
    if let Ok(close) = value.getattr(intern!(py, "close")) {
        if !close.is_none() {
            close.call0()?;
        }
    }
    Err(PyTypeError::new_err(format!(
        "{what} returned an awaitable; use process_async with an async store or handler"
    )))
}

/// A `Claim` record of `hootsuite_events.types` (the token stays out of its `repr`).
fn claim_record(py: Python<'_>, claim: &Claim) -> PyResult<Py<PyAny>> {
    let types = record_types(py)?;
    let (obj, d) = new_record(py, types, &types.claim)?;
    let (status, token) = match claim {
        Claim::Claimed { token } => ("claimed", Some(token.as_str())),
        Claim::Done => ("done", None),
        Claim::InProgress => ("in_progress", None),
    };
    d.set_item(intern!(py, "status"), status)?;
    d.set_item(intern!(py, "token"), token)?;
    obj.into_py_any(py)
}

/// The units of a notification that `MemoryStore._process` works on: its `Unit` records as they
/// are when the loop starts (a handler that edits `units` changes nothing the loop claims or
/// hands out), and, when the loop built that list itself, the native units (keys read without
/// Python) that the records were made from.
struct NotificationUnits<'py> {
    records: Vec<Bound<'py, PyAny>>,
    native: Option<Bound<'py, LazyNotification>>,
}

impl<'py> NotificationUnits<'py> {
    fn of(notification: &Bound<'py, PyAny>) -> PyResult<Self> {
        let py = notification.py();
        let dict = notification
            .getattr(intern!(py, "__dict__"))
            .ok()
            .and_then(|d| d.cast_into::<PyDict>().ok());
        let lazy = match &dict {
            Some(d) => d
                .get_item(intern!(py, "_lazy"))?
                .and_then(|l| l.cast_into::<LazyNotification>().ok()),
            None => None,
        };
        let (list, native) = match (&dict, lazy) {
            (Some(d), Some(l)) if !d.contains(intern!(py, "units"))? => {
                // What `Notification.__getattr__` would keep, without its Python call.
                let list = units_list(py, record_types(py)?, &l.get().n.units)?;
                d.set_item(intern!(py, "units"), &list)?;
                (list, Some(l))
            }
            // Read (and perhaps reordered or replaced) by the caller: its records decide.
            _ => (
                notification
                    .getattr(intern!(py, "units"))?
                    .cast_into::<PyList>()?,
                None,
            ),
        };
        Ok(NotificationUnits {
            records: list.iter().collect(),
            native,
        })
    }

    /// The record of unit `i`.
    fn record(&self, i: usize) -> PyResult<&Bound<'py, PyAny>> {
        self.records
            .get(i)
            .ok_or_else(|| PyIndexError::new_err("unit index out of range"))
    }

    /// Each unit's key (lent by the native units) and whether it is a rejected event, for
    /// `Steps`.
    fn steps(&self) -> PyResult<Vec<(Cow<'_, str>, bool)>> {
        if let Some(l) = &self.native {
            return Ok(l
                .get()
                .n
                .units
                .iter()
                .map(|u| {
                    (
                        Cow::Borrowed(u.key.as_str()),
                        u.kind == events::UnitKind::Rejected,
                    )
                })
                .collect());
        }
        self.records
            .iter()
            .map(|u| {
                let py = u.py();
                let key: String = u.getattr(intern!(py, "key"))?.extract()?;
                let kind: String = u.getattr(intern!(py, "kind"))?.extract()?;
                Ok((Cow::Owned(key), kind == "rejected"))
            })
            .collect()
    }

    /// The `Work` of unit `i`: its `Unit` record and the notification (the event fields are
    /// left to `types._UnitEvent`).
    fn work(
        &self,
        types: &RecordTypes,
        notification: &Bound<'py, PyAny>,
        i: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = notification.py();
        let (obj, d) = new_record(py, types, &types.work)?;
        d.set_item(intern!(py, "unit"), self.record(i)?)?;
        d.set_item(intern!(py, "notification"), notification)?;
        Ok(obj)
    }

    /// The `Rejected` records of the tally's rejected units, in order.
    fn rejected(
        &self,
        notification: &Bound<'py, PyAny>,
        t: &idempotency::Tally,
    ) -> PyResult<Bound<'py, PyList>> {
        let py = notification.py();
        let out = PyList::empty(py);
        if t.rejected.is_empty() {
            return Ok(out);
        }
        let records = notification.getattr(intern!(py, "rejected"))?;
        for &i in &t.rejected {
            let index = self.record(i)?.getattr(intern!(py, "index"))?;
            if !index.is_none() {
                out.append(records.get_item(index)?)?;
            }
        }
        Ok(out)
    }
}

/// An `Outcome` record of a tally (`rejected`: the records of its rejected units).
fn outcome_record<'py>(
    py: Python<'py>,
    types: &RecordTypes,
    t: &idempotency::Tally,
    rejected: impl FnOnce() -> PyResult<Bound<'py, PyList>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (obj, d) = new_record(py, types, &types.outcome)?;
    d.set_item(intern!(py, "status"), t.status)?;
    d.set_item(intern!(py, "processed"), t.processed)?;
    d.set_item(intern!(py, "skipped"), t.skipped)?;
    d.set_item(intern!(py, "in_progress"), t.in_progress)?;
    d.set_item(intern!(py, "failed"), t.failed)?;
    d.set_item(intern!(py, "lost_leases"), t.lost_leases)?;
    d.set_item(intern!(py, "rejected"), rejected()?)?;
    Ok(obj)
}

/// The Redis protocol of a shared store (the core's `idempotency::redis`): each method gives
/// the script call to send as `(sha1, source, key, args)` (claims add the new token), and
/// parses the script's reply. `hootsuite_events.redis` sends the calls.
#[pyclass(frozen, module = "hootsuite_events")]
struct RedisProtocol(idempotency::redis::Protocol);

type PyCall = (&'static str, &'static str, String, Vec<String>);

/// A call on several keys (one notification's): `(sha1, source, keys, args)`.
type PyBatchCall = (&'static str, &'static str, Vec<String>, Vec<String>);

/// A claim of several keys with its token: `(sha1, source, keys, args, token)`.
type PyBatchClaim = (&'static str, &'static str, Vec<String>, Vec<String>, String);

fn py_call(call: idempotency::redis::Call) -> PyCall {
    let key = call.keys.into_iter().next().unwrap_or_default();
    (call.script.sha1, call.script.source, key, call.args)
}

/// Borrowed `(key, token)` pairs.
fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, t)| (k.as_str(), t.as_str())).collect()
}

/// A `claimed`, `done` or `in_progress` reply as bytes (`bytes` or `str` from redis-py).
fn reply_bytes(reply: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = reply.cast::<pyo3::types::PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = reply.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    let kind = reply.get_type().name()?;
    Err(PyTypeError::new_err(format!(
        "reply: expected the claim script's bytes or str, got {kind}"
    )))
}

/// A script's integer reply, 1 or 0 (bools refused: redis-py answers ints).
fn reply_int(reply: &Bound<'_, PyAny>) -> PyResult<i64> {
    if reply.cast::<PyInt>().is_err() || reply.cast::<PyBool>().is_ok() {
        let kind = reply.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "reply: expected the script's integer 1 or 0, got {kind}"
        )));
    }
    Ok(reply.extract().unwrap_or(i64::MAX))
}

/// A new claim token (`new_token`), or an `OSError` when the system has no randomness.
fn claim_token() -> PyResult<String> {
    idempotency::redis::new_token().map_err(|e| {
        pyo3::exceptions::PyOSError::new_err(format!("no randomness for a claim token: {e}"))
    })
}

/// Texts as `bytes` for redis-py (its encoder passes bytes through; a `str` it checks and
/// encodes).
fn bytes_list<'py>(py: Python<'py>, texts: &[String]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, texts.iter().map(|t| PyBytes::new(py, t.as_bytes())))
}

/// Sends `call` with the store's script object of its source (`scripts.script`: `EVALSHA`,
/// loading the script when the server lacks it) and returns the reply, a list; `what` names
/// the store method in the refusal of an awaitable (an asyncio client given to `RedisStore`).
fn run_script<'py>(
    scripts: &Bound<'py, PyAny>,
    call: idempotency::redis::Call,
    what: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let py = scripts.py();
    let script = scripts.call_method1(
        intern!(py, "script"),
        (call.script.sha1, call.script.source),
    )?;
    let kwargs = PyDict::new(py);
    kwargs.set_item(intern!(py, "keys"), bytes_list(py, &call.keys)?)?;
    kwargs.set_item(intern!(py, "args"), bytes_list(py, &call.args)?)?;
    let reply = script.call((), Some(&kwargs))?;
    if !reply.is_instance_of::<PyList>() {
        refuse_awaitable_of(&reply, what)?;
    }
    Ok(reply)
}

/// The claim of a one-unit notification by one `SET … NX PX … GET` through `scripts.client`:
/// `Some(reply)` (nil as `None`), or `None` when the server refused it (before Redis 7.0:
/// `scripts.refused` records it, and the claim goes through the script from then on).
fn claim_by_set(
    scripts: &Bound<'_, PyAny>,
    set: &idempotency::redis::ClaimSet,
) -> PyResult<Option<Option<Vec<u8>>>> {
    let py = scripts.py();
    let client = scripts.getattr(intern!(py, "client"))?;
    let key = set.keys.first().map(String::as_str).unwrap_or_default();
    let args = (
        intern!(py, "SET"),
        PyBytes::new(py, key.as_bytes()),
        PyBytes::new(py, set.value.as_bytes()),
        intern!(py, "NX"),
        intern!(py, "PX"),
        set.lease_ms,
        intern!(py, "GET"),
    );
    // get=True: redis-py hands back SET's reply as it is (nil or the value held), not a bool.
    let kwargs = PyDict::new(py);
    kwargs.set_item(intern!(py, "get"), true)?;
    match client.call_method(intern!(py, "execute_command"), args, Some(&kwargs)) {
        Ok(reply) => {
            if !reply.is_instance_of::<PyBytes>() {
                refuse_awaitable_of(&reply, "store.claim_all")?;
            }
            if reply.is_none() {
                Ok(Some(None))
            } else {
                Ok(Some(Some(reply_bytes(&reply)?)))
            }
        }
        Err(e) => {
            if scripts
                .call_method1(intern!(py, "refused"), (e.value(py),))?
                .is_truthy()?
            {
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

#[pymethods]
impl RedisProtocol {
    #[new]
    #[pyo3(signature = (namespace = idempotency::redis::DEFAULT_NAMESPACE.to_string(), retention_ms = None), text_signature = "(namespace='hootsuite-events', retention_ms=604800000)")]
    fn new(
        py: Python<'_>,
        namespace: String,
        retention_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let retention = match retention_ms {
            Some(r) => ms_arg(r, "retention_ms")?,
            None => idempotency::DEFAULT_RETENTION_MS,
        };
        Ok(RedisProtocol(
            idempotency::redis::Protocol::new(&namespace, retention).or_raise(py)?,
        ))
    }

    /// The claim of `key` for `lease_ms` with a new token: `(sha1, source, key, args, token)`.
    #[pyo3(signature = (key, lease_ms = None))]
    fn claim(
        &self,
        py: Python<'_>,
        key: &str,
        lease_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(&'static str, &'static str, String, Vec<String>, String)> {
        let lease = match lease_ms {
            Some(l) => ms_arg(l, "lease_ms")?,
            None => idempotency::DEFAULT_LEASE_MS,
        };
        let token = claim_token()?;
        let (sha1, source, key, args) = py_call(self.0.claim(key, lease, &token).or_raise(py)?);
        Ok((sha1, source, key, args, token))
    }

    /// The completion of the claim of `key` made with `token`: `(sha1, source, key, args)`.
    fn complete(&self, py: Python<'_>, key: &str, token: &str) -> PyResult<PyCall> {
        Ok(py_call(self.0.complete(key, token).or_raise(py)?))
    }

    /// The release of the claim of `key` made with `token`: `(sha1, source, key, args)`.
    fn release(&self, py: Python<'_>, key: &str, token: &str) -> PyResult<PyCall> {
        Ok(py_call(self.0.release(key, token).or_raise(py)?))
    }

    /// The `Claim` the claim script answered (`bytes` or `str`) for the claim made with `token`.
    fn parse_claim(
        &self,
        py: Python<'_>,
        reply: &Bound<'_, PyAny>,
        token: &str,
    ) -> PyResult<Py<PyAny>> {
        let claim = idempotency::redis::parse_claim_reply(&reply_bytes(reply)?, token);
        claim_record(py, &claim.or_raise(py)?)
    }

    /// Whether a complete or release script changed the key (its integer reply, 1 or 0).
    fn parse_flag(&self, py: Python<'_>, reply: &Bound<'_, PyAny>) -> PyResult<bool> {
        idempotency::redis::parse_flag_reply(reply_int(reply)?).or_raise(py)
    }

    /// The claim of every unit of `keys` (one notification) for `lease_ms` with a new
    /// token, in one script: `(sha1, source, keys, args, token)`.
    #[pyo3(signature = (keys, lease_ms = None))]
    fn claim_all(
        &self,
        py: Python<'_>,
        keys: Vec<String>,
        lease_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyBatchClaim> {
        let lease = match lease_ms {
            Some(l) => ms_arg(l, "lease_ms")?,
            None => idempotency::DEFAULT_LEASE_MS,
        };
        let token = claim_token()?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let call = self.0.claim_all(&keys, lease, &token).or_raise(py)?;
        Ok((
            call.script.sha1,
            call.script.source,
            call.keys,
            call.args,
            token,
        ))
    }

    /// The claim of every unit of `keys` (one notification) for `lease_ms` with a new token,
    /// as `SET <key> <value> NX PX <lease_ms> GET` per key (Redis 7.0 and later):
    /// `(keys, value, lease_ms, token)`.
    #[pyo3(signature = (keys, lease_ms = None))]
    fn claim_set(
        &self,
        py: Python<'_>,
        keys: Vec<String>,
        lease_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(Vec<String>, String, u64, String)> {
        let lease = match lease_ms {
            Some(l) => ms_arg(l, "lease_ms")?,
            None => idempotency::DEFAULT_LEASE_MS,
        };
        let token = claim_token()?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let set = self.0.claim_set(&keys, lease, &token).or_raise(py)?;
        Ok((set.keys, set.value, set.lease_ms, set.token))
    }

    /// The `Claim`s the `SET … NX … GET` commands of `claim_set` answered (a list of `None`,
    /// `bytes` or `str`), for `count` keys claimed with `token`.
    fn parse_claim_set(
        &self,
        py: Python<'_>,
        replies: Vec<Bound<'_, PyAny>>,
        count: usize,
        token: &str,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let bytes = replies
            .iter()
            .map(|r| {
                if r.is_none() {
                    Ok(None)
                } else {
                    reply_bytes(r).map(Some)
                }
            })
            .collect::<PyResult<Vec<_>>>()?;
        let claims = idempotency::redis::parse_claim_set_replies(
            bytes.iter().map(Option::as_deref),
            count,
            token,
        )
        .or_raise(py)?;
        claims.iter().map(|c| claim_record(py, c)).collect()
    }

    /// Whether Redis's error to a `claim_set` command (its message) says that the server
    /// predates Redis 7.0: nothing changed, and the claims go through the `claim_all` script.
    fn claim_set_unsupported(&self, message: &str) -> bool {
        idempotency::redis::claim_set_unsupported(message)
    }

    /// The completion of `complete`'s `(key, token)` claims and the release of `release`'s, in
    /// one script: `(sha1, source, keys, args)`.
    fn settle(
        &self,
        py: Python<'_>,
        complete: Vec<(String, String)>,
        release: Vec<(String, String)>,
    ) -> PyResult<PyBatchCall> {
        let call = self
            .0
            .settle(&pairs(&complete), &pairs(&release))
            .or_raise(py)?;
        Ok((call.script.sha1, call.script.source, call.keys, call.args))
    }

    /// The `Claim`s the claim-all script answered (a list of `bytes` or `str`), for `count`
    /// keys claimed with `token`.
    fn parse_claim_all(
        &self,
        py: Python<'_>,
        replies: Vec<Bound<'_, PyAny>>,
        count: usize,
        token: &str,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let bytes = replies
            .iter()
            .map(reply_bytes)
            .collect::<PyResult<Vec<_>>>()?;
        let claims = idempotency::redis::parse_claim_all_reply(
            bytes.iter().map(Vec::as_slice),
            count,
            token,
        )
        .or_raise(py)?;
        claims.iter().map(|c| claim_record(py, c)).collect()
    }

    /// What the settle script answered (a list of integers), for `count` claims.
    fn parse_settle(
        &self,
        py: Python<'_>,
        replies: Vec<Bound<'_, PyAny>>,
        count: usize,
    ) -> PyResult<Vec<bool>> {
        let ints = replies
            .iter()
            .map(reply_int)
            .collect::<PyResult<Vec<_>>>()?;
        idempotency::redis::parse_settle_reply(ints, count).or_raise(py)
    }

    /// `RedisStore`'s `process` when no telemetry watches the steps: the loop of `drive`, its
    /// claims and settles sent through `scripts` (the store's `_Scripts`: the client, its
    /// script objects, whether the server refused `SET … NX … GET`) as `RedisStore.claim_all`
    /// and `RedisStore.settle` send them, the calls built and the replies read here.
    fn _process<'py>(
        &self,
        scripts: &Bound<'py, PyAny>,
        notification: &Bound<'py, PyAny>,
        handler: &Bound<'py, PyAny>,
        lease_ms: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = scripts.py();
        drive(
            notification,
            handler,
            |steps| {
                let lease = ms_arg(lease_ms, "lease_ms")?;
                let token = claim_token()?;
                let (call, count) = {
                    let keys: Vec<&str> = steps.keys().iter().map(|k| k.as_ref()).collect();
                    if keys.len() == 1
                        && !scripts
                            .getattr(intern!(py, "claim_by_script"))?
                            .is_truthy()?
                    {
                        let set = self.0.claim_set(&keys, lease, &token).or_raise(py)?;
                        if let Some(reply) = claim_by_set(scripts, &set)? {
                            let claim =
                                idempotency::redis::parse_claim_set_reply(reply.as_deref(), &token);
                            return steps
                                .claimed_refs(std::iter::once(claim.as_ref()))
                                .or_raise(py);
                        }
                    }
                    (
                        self.0.claim_all(&keys, lease, &token).or_raise(py)?,
                        keys.len(),
                    )
                };
                let replies = run_script(scripts, call, "store.claim_all")?;
                let bytes = replies
                    .try_iter()?
                    .map(|r| reply_bytes(&r?))
                    .collect::<PyResult<Vec<_>>>()?;
                let claims = idempotency::redis::parse_claim_all_reply(
                    bytes.iter().map(Vec::as_slice),
                    count,
                    &token,
                )
                .or_raise(py)?;
                steps
                    .claimed_refs(claims.iter().map(Claim::as_ref))
                    .or_raise(py)
            },
            |steps| {
                let call = {
                    let (complete, release) = steps.settle_claims().or_raise(py)?;
                    let complete: Vec<(&str, &str)> = complete.collect();
                    let release: Vec<(&str, &str)> = release.collect();
                    self.0.settle(&complete, &release).or_raise(py)?
                };
                let count = call.keys.len();
                let replies = run_script(scripts, call, "store.settle")?;
                let ints = replies
                    .try_iter()?
                    .map(|r| reply_int(&r?))
                    .collect::<PyResult<Vec<_>>>()?;
                let flags = idempotency::redis::parse_settle_reply(ints, count).or_raise(py)?;
                steps.settled(&flags).or_raise(py)
            },
        )
    }

    /// The Redis key of a unit key: `<namespace>:<unit key>`.
    fn key(&self, py: Python<'_>, unit_key: &str) -> PyResult<String> {
        self.0.key(unit_key).or_raise(py)
    }

    /// The namespace of the keys.
    #[getter]
    fn namespace(&self) -> &str {
        self.0.namespace()
    }

    /// The retention of completed keys, in milliseconds.
    #[getter]
    fn retention_ms(&self) -> u64 {
        self.0.retention_ms()
    }

    fn __repr__(&self) -> String {
        format!(
            "RedisProtocol(namespace={:?}, retention_ms={})",
            self.0.namespace(),
            self.0.retention_ms()
        )
    }
}

/// The PostgreSQL inbox's protocol (the core's `idempotency::postgres`): the table's
/// migration, the claim, seal and cleanup statements, and what the claim's row means.
/// `hootsuite_events.postgres` runs them.
#[pyclass(frozen, module = "hootsuite_events")]
struct PostgresProtocol(idempotency::postgres::Protocol);

#[pymethods]
impl PostgresProtocol {
    #[new]
    #[pyo3(signature = (table = idempotency::postgres::DEFAULT_TABLE.to_string(), retention_ms = None), text_signature = "(table='hootsuite_events_inbox', retention_ms=604800000)")]
    fn new(
        py: Python<'_>,
        table: String,
        retention_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let retention = match retention_ms {
            Some(r) => ms_arg(r, "retention_ms")?,
            None => idempotency::DEFAULT_RETENTION_MS,
        };
        Ok(PostgresProtocol(
            idempotency::postgres::Protocol::new(&table, retention).or_raise(py)?,
        ))
    }

    /// The claim of `key` (a unit of kind `kind`): `(sql, [key, kind])`, to run inside the
    /// unit's transaction; its one row is `(locked, inserted)`.
    fn claim(&self, py: Python<'_>, key: &str, kind: &str) -> PyResult<(&str, Vec<String>)> {
        let kind = idempotency::postgres::parse_kind(kind).or_raise(py)?;
        let statement = self.0.claim(key, kind).or_raise(py)?;
        Ok((statement.sql, statement.params))
    }

    /// What the claim's row `(locked, inserted)` means: `claimed`, `done` or `in_progress`.
    #[staticmethod]
    fn parse_claim(py: Python<'_>, locked: bool, inserted: bool) -> PyResult<&'static str> {
        Ok(
            idempotency::postgres::Protocol::parse_claim(locked, inserted)
                .or_raise(py)?
                .status(),
        )
    }

    /// The table.
    #[getter]
    fn table(&self) -> &str {
        self.0.table()
    }

    /// How long rows are kept before the cleanup deletes them, in milliseconds.
    #[getter]
    fn retention_ms(&self) -> u64 {
        self.0.retention_ms()
    }

    /// The migration: the table and its index (several statements, no parameters).
    #[getter]
    fn migration(&self) -> &str {
        self.0.migration()
    }

    /// The statement that serializes migrations (run first in the migration's transaction).
    #[getter]
    fn migration_lock(&self) -> &str {
        self.0.migration_lock()
    }

    /// The cleanup: deletes the rows done more than the retention ago (no parameters).
    #[getter]
    fn cleanup(&self) -> &str {
        self.0.cleanup()
    }

    /// The claim statement's text (`$1` the key, `$2` the kind).
    #[getter]
    fn claim_sql(&self) -> &str {
        self.0.claim_sql()
    }

    /// The statement run after the handler and before `COMMIT`: it fails in a transaction
    /// that an error aborted, whose `COMMIT` would silently roll back.
    #[getter]
    fn seal(&self) -> &'static str {
        idempotency::postgres::SEAL
    }

    fn __repr__(&self) -> String {
        format!(
            "PostgresProtocol(table={:?}, retention_ms={})",
            self.0.table(),
            self.0.retention_ms()
        )
    }
}

/// A new claim token: 128 random bits of the operating system, 32 hexadecimal digits.
#[pyfunction]
fn new_claim_token() -> PyResult<String> {
    api::claim_token().map_err(pyo3::exceptions::PyOSError::new_err)
}

/// The HTTP status to answer after claiming a notification's units (the core's rule):
/// 500 when one failed, 409 when another process holds one, else 200.
#[pyfunction]
fn outcome_status(in_progress: usize, failed: usize) -> u16 {
    idempotency::status(in_progress, failed)
}

/// The parts of a W3C `traceparent` header (trace id, span id as hex, flags), or None when
/// it breaks the rules (the core's `telemetry::parse_traceparent`).
#[pyfunction]
fn parse_traceparent(header: &str) -> Option<(String, String, u8)> {
    hootsuite_events::telemetry::parse_traceparent(header)
        .map(|p| (p.trace_id_hex(), p.span_id_hex(), p.flags))
}

/// Whether values under `name` are secret: the core's one redaction rule.
#[pyfunction]
fn is_secret_name(name: &str) -> bool {
    hootsuite_events::redact::is_secret_name(name)
}

/// Panics on purpose: the tests' proof that a panic reaches Python as an exception
/// (pyo3's `PanicException`) and the interpreter goes on. Built only with the `test-hooks`
/// feature, which `make test-python` turns on.
#[cfg(feature = "test-hooks")]
#[pyfunction]
fn _panic_for_tests() {
    panic!("a panic forced by the test hook");
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Config>()?;
    m.add_class::<Request>()?;
    m.add_class::<AuthorizationCode>()?;
    m.add_class::<MemoryStore>()?;
    m.add_class::<Steps>()?;
    m.add_class::<RedisProtocol>()?;
    m.add_class::<PostgresProtocol>()?;
    m.add("MIGRATION", idempotency::postgres::MIGRATION)?;
    m.add("CLEANUP", idempotency::postgres::CLEANUP)?;
    m.add_function(wrap_pyfunction!(new_claim_token, m)?)?;
    m.add_function(wrap_pyfunction!(outcome_status, m)?)?;
    m.add(
        "TELEMETRY",
        to_py(m.py(), &hootsuite_events::telemetry::table())?,
    )?;
    m.add_function(wrap_pyfunction!(parse_traceparent, m)?)?;
    m.add_function(wrap_pyfunction!(is_secret_name, m)?)?;
    for (name, value) in api::CONSTANTS {
        match value {
            api::Constant::Int(n) => m.add(*name, *n)?,
            api::Constant::Text(t) => m.add(*name, *t)?,
        }
    }
    add_table_exports(m)?;
    m.add_function(wrap_pyfunction!(verify_event, m)?)?;
    m.add_function(wrap_pyfunction!(parse_event_notification, m)?)?;
    #[cfg(feature = "test-hooks")]
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}
