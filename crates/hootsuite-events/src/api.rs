//! The API written once: every operation the Python, Node and WebAssembly packages expose, in one
//! declarative table ([`for_each_export!`](crate::for_each_export)), with the option structs they
//! take converted once into the core's queries, the constants as one table ([`CONSTANTS`]) and
//! claim tokens made here ([`claim_token`]).
//!
//! Each binding implements one adapter per argument kind and one per result kind, then emits its
//! exports from the table with one macro; [`EXPORTS`] is the same table as data, which the
//! agreement tests compare with each package's export lists, stubs and declarations.

use crate::deliveries::{self, DeliveryQuery, DeliveryStatus, FailurePolicy};
use crate::instance::{self, CreateInstance, ListQuery, PageQuery};
use crate::oauth::{self, RedirectUrlParams};
use crate::signature::{self, SignatureKey, Verifier};
use crate::{idempotency, jsonv, BaseUrl, Config, Error, HttpRequest, Secret, ValidationReport};

/// Calls `$emit!` with every export of the packages, one entry each:
///
/// ```text
/// /// doc
/// <how> <where> rust_name jsName (arg: Kind [= default], …) [+ Options { positional: Kind, …; keyword: Kind = default, … }] -> Result = core::function;
/// ```
///
/// - `<how>`: `table` when the bindings emit the export from this entry with their macro,
///   `hand` when each binding writes it by hand (the receiving and store code, whose speed
///   depends on binding-specific work); either way the entry is the export's one listing.
/// - `<where>`: `browser` when the browser form build has it too, `server` when only the full
///   packages (Python, Node, WebAssembly `/full`) have it, `js` when only the JavaScript ones do,
///   `wasm` when only the WebAssembly builds (the browser form and `/full`) do.
/// - The arguments by kind (`Config`, `Id`, `OptId`, `Text`, `Secret`, `Code`, `Flag`, `Form`,
///   `Response`, `Body`, `Keys`, `OptText`, …), then an option struct
///   whose positional fields come first in Python and whose keyword fields follow `*` (JavaScript
///   takes the struct as one object).
/// - The result kind (`Request`, `Record(Type)`, `List(Type)`, `Secrets(Type)`, `Report`,
///   `Body`, `Text`, `Policy`, `Nothing`, `Index`, `Code`, `Presets`, `Schema`, …), and the core
///   function called with the converted arguments (and `&options` last).
#[macro_export]
macro_rules! for_each_export {
    ($emit:path) => {
        $emit! {
            /// The request that asks for the OAuth redirect URL (`post`: the POST form).
            table server redirect_url_request redirectUrlRequest (config: Config)
                + RedirectOptions { api_key: Text, api_secret: Text, callback_url: Text;
                    state: OptText = None, scope: OptText = None, site_address: OptText = None,
                    callback_proxy: OptFlag = None, request_token: OptText = None, post: Flag = false,
                    oauth_proxy_name: OptText = None, extra: Pairs = None }
                -> Request = $crate::api::redirect_url_request;
            /// The redirect URL from its answer.
            table server parse_redirect_url parseRedirectUrl (response: Response) -> Record(RedirectUrl) = $crate::oauth::parse_redirect_url;
            /// The OAuth code from the callback URL, once its `state` matched.
            table server parse_callback parseCallback (url: Text, expected_state: Text) -> Code = $crate::api::parse_callback;
            /// Checks a create-instance form against the rules (every error, with its path).
            table browser validate_instance validateInstance (data: Form, callback_url: OptText = None) -> Report = $crate::api::validate_instance;
            /// Checks an instance update against the rules.
            table server validate_instance_update validateInstanceUpdate (data: Form) -> Report = $crate::api::validate_instance_update;
            /// The canonical body a valid form builds (stable key order, booleans normalized).
            table browser build_instance_body buildInstanceBody (data: Form) -> Body = $crate::api::build_instance_body;
            /// `POST /instances` with the form's canonical body.
            table server create_instance_request createInstanceRequest (config: Config, data: Form) -> Request = $crate::api::create_instance_request;
            /// `PUT /instances/{id}` with a whole form.
            table server reauthenticate_request reauthenticateRequest (config: Config, instance_id: Id, data: Form) -> Request = $crate::api::reauthenticate_request;
            /// `PUT /instances/{id}` with a new OAuth code.
            table server reauthenticate_code_request reauthenticateCodeRequest (config: Config, instance_id: Id, code: Code) -> Request = $crate::instance::reauthenticate_code_request;
            /// `GET /instances/{id}`.
            table server get_instance_request getInstanceRequest (config: Config, instance_id: Id) -> Request = $crate::instance::get_request;
            /// `DELETE /instances/{id}`.
            table server delete_instance_request deleteInstanceRequest (config: Config, instance_id: Id) -> Request = $crate::instance::delete_request;
            /// Enables or disables an instance.
            table server set_enabled_request setEnabledRequest (config: Config, instance_id: Id, enabled: Flag) -> Request = $crate::instance::set_enabled_request;
            /// Turns an instance's events on or off.
            table server set_events_request setEventsRequest (config: Config, instance_id: Id, enabled: Flag) -> Request = $crate::instance::set_events_request;
            /// Points an instance's events at a new callback URL.
            table server update_event_callback_request updateEventCallbackRequest (config: Config, instance_id: Id, url: Text) -> Request = $crate::instance::update_event_callback_request;
            /// A key rotation: `PATCH /instances/{id}` with the new `event.notification.signature.key`.
            table server set_signature_key_request setSignatureKeyRequest (config: Config, instance_id: Id, key: Secret) -> Request = $crate::instance::set_signature_key_request;
            /// `GET /instances/{id}/events`.
            table server instance_events_request instanceEventsRequest (config: Config, instance_id: Id) -> Request = $crate::instance::events_request;
            /// One page of an instance's events (or every instance's, without an id).
            table server instance_events_page_request instanceEventsPageRequest (config: Config, instance_id: OptId)
                + PageOptions { ; page_size: PageSize = None, next_page: OptText = None }
                -> Request = $crate::api::instance_events_page_request;
            /// One event of an instance (or of the account, without an id).
            table server instance_event_request instanceEventRequest (config: Config, instance_id: OptId, event_id: Text) -> Request = $crate::instance::event_request;
            /// `GET /instances` with its filters.
            table server list_instances_request listInstancesRequest (config: Config)
                + ListOptions { ; tags: Tags = None, search_text: OptText = None, page_size: PageSize = None,
                    next_page: OptText = None, hydrate: OptFlag = None }
                -> Request = $crate::api::list_instances_request;
            /// An instance from its answer (its token and configuration secrets kept).
            table server parse_instance parseInstance (response: Response) -> Secrets(Instance) = $crate::instance::parse_instance;
            /// A page of instances from its answer.
            table server parse_instance_page parseInstancePage (response: Response) -> Secrets(InstancePage) = $crate::instance::parse_instance_page;
            /// An instance's events from their answer.
            table server parse_instance_events parseInstanceEvents (response: Response) -> List(InstanceEvent) = $crate::instance::parse_instance_events;
            /// A page of events from its answer.
            table server parse_instance_event_page parseInstanceEventPage (response: Response) -> Record(InstanceEventPage) = $crate::instance::parse_instance_event_page;
            /// The deliveries with their filters.
            table server list_deliveries_request listDeliveriesRequest (config: Config)
                + DeliveryFilter { ; status: OptText = None, url: OptText = None, instance_id: OptId = None,
                    page_size: PageSize = None, next_page: OptText = None }
                -> Request = $crate::api::list_deliveries_request;
            /// Redelivers the deliveries the filter selects.
            table server redeliver_request redeliverRequest (config: Config)
                + DeliveryFilter { ; status: OptText = None, url: OptText = None, instance_id: OptId = None }
                -> Request = $crate::api::redeliver_request;
            /// Turns deliveries back on for an instance.
            table server reenable_request reenableRequest (config: Config, instance_id: Id) -> Request = $crate::deliveries::reenable_request;
            /// The account's failure policy.
            table server failure_policy_request failurePolicyRequest (config: Config) -> Request = $crate::deliveries::failure_policy_request;
            /// Sets the account's failure policy (`retry` or `queue`).
            table server set_failure_policy_request setFailurePolicyRequest (config: Config, policy: Text) -> Request = $crate::api::set_failure_policy_request;
            /// The deliveries from their answer.
            table server parse_deliveries parseDeliveries (response: Response) -> List(Delivery) = $crate::deliveries::parse_deliveries;
            /// A page of deliveries from its answer.
            table server parse_delivery_page parseDeliveryPage (response: Response) -> Record(DeliveryPage) = $crate::deliveries::parse_delivery_page;
            /// The failure policy from its answer.
            table server parse_failure_policy parseFailurePolicy (response: Response) -> Policy = $crate::deliveries::parse_failure_policy;
            /// One event from its answer.
            table server parse_instance_event parseInstanceEvent (response: Response) -> Record(InstanceEvent) = $crate::instance::parse_instance_event;
            /// An instance's configuration from its answer.
            table server parse_configuration parseConfiguration (response: Response) -> List(ConfigurationEntry) = $crate::instance::parse_configuration;
            /// One configuration entry from its answer.
            table server parse_configuration_entry parseConfigurationEntry (response: Response) -> Record(ConfigurationEntry) = $crate::instance::parse_configuration_entry;
            /// `GET /instances/{id}/configuration`.
            table server configuration_request configurationRequest (config: Config, instance_id: Id) -> Request = $crate::instance::configuration_request;
            /// Sets one configuration value of an instance.
            table server update_configuration_request updateConfigurationRequest (config: Config, instance_id: Id, config_id: Id, property_value: Text) -> Request = $crate::instance::update_configuration_request;
            /// The region presets: the names `Config` takes.
            table server base_url_presets baseUrlPresets () -> Presets = $crate::api::base_url_presets;
            /// Checks the status of an answer whose body does not matter (delete, enable, disable).
            table server parse_empty parseEmpty (response: Response) -> Nothing = $crate::instance::parse_empty;
            /// The URL Cloud Elements posts an instance's events to.
            table browser hootsuite_webhook_url hootsuiteWebhookUrl (base_url: Text, instance_id: Id) -> Text = $crate::api::hootsuite_webhook_url;
            /// The signature header value of a body.
            table server sign sign (key: Text, body: Body) -> Text = $crate::api::sign;
            /// Checks a body's signature: the index of the key that matched (0: the first).
            table server verify_signature verifySignature (key: Keys, body: Body, header: OptText)
                + VerifyOptions { ; allow_legacy_sha1: Flag = false, max_body_size: Size = None }
                -> Index = $crate::api::verify_signature;
            /// The create-instance form's JSON Schema.
            table server create_instance_schema createInstanceSchema () -> Schema = $crate::schema::create_instance_schema;
            /// Verifies a notification's signature, then parses it.
            hand server verify_event verifyEvent (key: Keys, headers: Headers, body: Body)
                + VerifyOptions { ; allow_legacy_sha1: Flag = false, max_body_size: Size = None }
                -> Notification = $crate::events::parse_notification;
            /// Parses a notification whose signature was checked elsewhere.
            hand server parse_event_notification parseEventNotification (body: Body, headers: Headers = None) -> Notification = $crate::events::parse_notification;
            /// A new claim token: 128 random bits, 32 hexadecimal digits.
            hand server new_claim_token newClaimToken () -> Text = $crate::api::claim_token;
            /// The HTTP status to answer after claiming a notification's units.
            hand server outcome_status outcomeStatus (in_progress: Count, failed: Count) -> Status = $crate::idempotency::status;
            /// The parts of a W3C `traceparent` header, or none when it breaks the rules.
            hand server parse_traceparent parseTraceparent (header: Text) -> Traceparent = $crate::telemetry::parse_traceparent;
            /// Whether values under `name` are secret: the one redaction rule.
            hand server is_secret_name isSecretName (name: Text) -> Flag = $crate::redact::is_secret_name;
            /// The same request made safe to show (secrets masked).
            hand js redact_request redactRequest (request: Request) -> Request = $crate::HttpRequest::redacted;
            /// The telemetry table: span, attribute and metric names of a receiver.
            hand js telemetry_table telemetryTable () -> Text = $crate::telemetry::table;
            /// The create-instance request as the browser form previews it (secrets masked).
            hand wasm preview_instance_request previewInstanceRequest (account: Account, data: Form) -> Preview = $crate::api::create_instance_request;
        }
    };
}

/// An argument or result kind of an export, as the table names it.
pub type Kind = &'static str;

/// One export of the table, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Export {
    /// The Rust and Python name (`snake_case`).
    pub rust: &'static str,
    /// The JavaScript name (`camelCase`).
    pub js: &'static str,
    /// Whether the bindings emit it from the table (`false`: written by hand in each).
    pub table: bool,
    /// Whether the browser form build has it too.
    pub browser: bool,
    /// Whether the Python package has it.
    pub python: bool,
    /// Whether the Node addon has it (the WebAssembly `/full` build has every export).
    pub node: bool,
    /// The arguments: name and kind.
    pub args: &'static [(&'static str, Kind)],
    /// The option struct's name, when it takes one.
    pub options: Option<&'static str>,
    /// The option struct's fields: name, kind, and whether Python takes it by keyword only.
    pub fields: &'static [(&'static str, Kind, bool)],
    /// The result kind.
    pub result: Kind,
    /// The one-line doc.
    pub doc: &'static str,
}

macro_rules! export_data {
    ($(
        #[doc = $doc:literal]
        $how:ident $where:ident $rust:ident $js:ident ($($arg:ident : $kind:ident $(= $adef:tt)?),*)
        $(+ $opts:ident { $($pos:ident : $pkind:ident),* ; $($kw:ident : $kkind:ident = $kdef:tt),* })?
        -> $ret:ident $(($rtype:ident))? = $core:path;
    )*) => {
        /// Every export of the packages, in the table's order.
        pub const EXPORTS: &[Export] = &[$(Export {
            rust: stringify!($rust),
            js: stringify!($js),
            table: matches!(stringify!($how).as_bytes(), b"table"),
            browser: matches!(stringify!($where).as_bytes(), b"browser" | b"wasm"),
            python: matches!(stringify!($where).as_bytes(), b"browser" | b"server"),
            node: !matches!(stringify!($where).as_bytes(), b"wasm"),
            args: &[$((stringify!($arg), stringify!($kind)),)*],
            options: export_data!(@opts $($opts)?),
            fields: &[$($((stringify!($pos), stringify!($pkind), false),)* $((stringify!($kw), stringify!($kkind), true),)*)?],
            result: concat!(stringify!($ret) $(, "(", stringify!($rtype), ")")?),
            doc: $doc,
        }),*];
    };
    (@opts) => { None };
    (@opts $opts:ident) => { Some(stringify!($opts)) };
}

crate::for_each_export!(export_data);

/// A value of the [`CONSTANTS`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constant {
    /// An integer.
    Int(u64),
    /// A string.
    Text(&'static str),
}

/// The constants every package exports, under these names.
pub const CONSTANTS: &[(&str, Constant)] = &[
    (
        "DEFAULT_NAMESPACE",
        Constant::Text(idempotency::redis::DEFAULT_NAMESPACE),
    ),
    (
        "DEFAULT_TABLE",
        Constant::Text(idempotency::postgres::DEFAULT_TABLE),
    ),
    (
        "DEFAULT_LEASE_MS",
        Constant::Int(idempotency::DEFAULT_LEASE_MS),
    ),
    (
        "DEFAULT_RETENTION_MS",
        Constant::Int(idempotency::DEFAULT_RETENTION_MS),
    ),
    (
        "DEFAULT_CAPACITY",
        Constant::Int(idempotency::DEFAULT_CAPACITY as u64),
    ),
    ("STATUS_OK", Constant::Int(idempotency::STATUS_OK as u64)),
    (
        "STATUS_IN_PROGRESS",
        Constant::Int(idempotency::STATUS_IN_PROGRESS as u64),
    ),
    (
        "STATUS_FAILED",
        Constant::Int(idempotency::STATUS_FAILED as u64),
    ),
    ("MAX_KEYS", Constant::Int(signature::MAX_KEYS as u64)),
    (
        "MAX_SIGNATURE_CANDIDATES",
        Constant::Int(signature::MAX_CANDIDATES as u64),
    ),
    (
        "SIGNATURE_HEADER",
        Constant::Text(crate::events::SIGNATURE_HEADER),
    ),
    (
        "WEBHOOK_ID_HEADER",
        Constant::Text(crate::events::WEBHOOK_ID_HEADER),
    ),
];

/// A create-instance (or update) form as a binding received it: JSON text, or a value read
/// into the form path's JSON (`jsonv`) or into `serde_json`'s. `Debug` shows it with its
/// secret fields masked.
#[derive(Clone, PartialEq)]
pub enum Form {
    /// JSON text.
    Text(String),
    /// A value read by the binding into the form path's JSON.
    Value(jsonv::Value),
    /// A `serde_json` value.
    Json(serde_json::Value),
}

impl Form {
    /// The body this form builds, or the first error of the rules.
    pub fn body(&self) -> Result<CreateInstance, Error> {
        match self {
            Form::Text(t) => CreateInstance::from_json(t),
            Form::Value(v) => CreateInstance::from_jsonv(v),
            Form::Json(v) => CreateInstance::from_value(v),
        }
    }
}

/// The OAuth redirect-URL parameters (`oauth::RedirectUrlParams`) as one struct the bindings
/// fill from their arguments. `Debug` masks what [`RedirectUrlParams`]'s does.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RedirectOptions {
    /// The application's key.
    pub api_key: String,
    /// The application's secret.
    pub api_secret: String,
    /// Where the provider sends the user back.
    pub callback_url: String,
    /// The value the callback must bring back.
    pub state: Option<String>,
    /// The OAuth scope.
    pub scope: Option<String>,
    /// The site address, for providers that need one.
    pub site_address: Option<String>,
    /// Whether Cloud Elements proxies the callback.
    pub callback_proxy: Option<bool>,
    /// The OAuth 1 request token.
    pub request_token: Option<String>,
    /// Whether to ask with the POST form.
    pub post: bool,
    /// The OAuth proxy's name.
    pub oauth_proxy_name: Option<String>,
    /// Further parameters, sent in this order.
    pub extra: Vec<(String, String)>,
}

impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (variant, shown) = match self {
            Form::Text(t) => match jsonv::from_str(t) {
                Ok(mut v) => {
                    crate::redact::mask_jsonv(&mut v);
                    ("Text", v.to_json())
                }
                Err(_) => ("Text", "<text that is not JSON>".to_string()),
            },
            Form::Value(v) => {
                let mut v = v.clone();
                crate::redact::mask_jsonv(&mut v);
                ("Value", v.to_json())
            }
            Form::Json(v) => {
                let mut v = v.clone();
                crate::redact::mask_json(&mut v);
                ("Json", v.to_string())
            }
        };
        f.debug_tuple(variant).field(&shown).finish()
    }
}

impl std::fmt::Debug for RedirectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedirectOptions")
            .field("params", &self.params())
            .field("post", &self.post)
            .finish()
    }
}

impl RedirectOptions {
    /// The core's parameters.
    pub fn params(&self) -> RedirectUrlParams {
        let mut p = RedirectUrlParams::new(
            self.api_key.as_str(),
            self.api_secret.as_str(),
            self.callback_url.as_str(),
        );
        if let Some(v) = &self.state {
            p = p.state(v);
        }
        if let Some(v) = &self.scope {
            p = p.scope(v);
        }
        if let Some(v) = &self.site_address {
            p = p.site_address(v);
        }
        if let Some(v) = self.callback_proxy {
            p = p.callback_proxy(v);
        }
        if let Some(v) = &self.request_token {
            p = p.request_token(v.as_str());
        }
        if let Some(v) = &self.oauth_proxy_name {
            p = p.oauth_proxy_name(v);
        }
        for (k, v) in &self.extra {
            p = p.extra(k, v);
        }
        p
    }
}

/// Paging of the event lists, as the bindings take it.
pub type PageOptions = PageQuery;

/// The filters of `GET /instances`, as the bindings take them.
pub type ListOptions = ListQuery;

/// The delivery filters as the bindings take them: the status by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    /// A delivery status name (`DeliveryStatus`).
    pub status: Option<String>,
    /// Only deliveries to this URL.
    pub url: Option<String>,
    /// Only this instance's deliveries.
    pub instance_id: Option<u64>,
    /// The page size.
    pub page_size: Option<u32>,
    /// The token of the page to read.
    pub next_page: Option<String>,
}

impl DeliveryFilter {
    /// The core's query; a status name outside the schema is an error.
    pub fn query(&self) -> Result<DeliveryQuery, Error> {
        Ok(DeliveryQuery {
            status: self
                .status
                .as_deref()
                .map(DeliveryStatus::parse)
                .transpose()?,
            url: self.url.clone(),
            instance_id: self.instance_id,
            page_size: self.page_size,
            next_page: self.next_page.clone(),
        })
    }
}

/// The verifier's options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Accept legacy `sha1=` signatures too.
    pub allow_legacy_sha1: bool,
    /// The largest body accepted, in bytes (the verifier's default when none).
    pub max_body_size: Option<usize>,
}

impl VerifyOptions {
    /// `verifier` with these options.
    pub fn apply(&self, verifier: Verifier) -> Verifier {
        let v = verifier.allow_legacy_sha1(self.allow_legacy_sha1);
        match self.max_body_size {
            Some(n) => v.max_body_size(n),
            None => v,
        }
    }
}

/// A result a table entry's core function gives: a value, or a value or an error.
pub trait Outcome {
    /// The value.
    type Value;
    /// The value or the error.
    fn outcome(self) -> Result<Self::Value, Error>;
}

impl<T> Outcome for Result<T, Error> {
    type Value = T;
    fn outcome(self) -> Result<T, Error> {
        self
    }
}

macro_rules! infallible {
    ($($t:ty),*) => {$(
        impl Outcome for $t {
            type Value = $t;
            fn outcome(self) -> Result<$t, Error> {
                Ok(self)
            }
        }
    )*};
}

infallible!(
    HttpRequest,
    String,
    ValidationReport,
    serde_json::Value,
    Vec<(&'static str, &'static str)>
);

/// [`oauth::redirect_url_request`], or its POST form when `options.post`.
pub fn redirect_url_request(
    config: &Config,
    options: &RedirectOptions,
) -> Result<HttpRequest, Error> {
    let p = options.params();
    if options.post {
        oauth::redirect_url_post_request(config, &p)
    } else {
        oauth::redirect_url_request(config, &p)
    }
}

/// The OAuth code of the callback, as the secret it is.
pub fn parse_callback(url: &str, expected_state: &str) -> Result<Secret, Error> {
    oauth::parse_callback(url, expected_state).map(|code| code.secret().clone())
}

/// The create-instance rules' report on a form.
pub fn validate_instance(data: &Form, callback_url: Option<&str>) -> ValidationReport {
    match data {
        Form::Text(t) => instance::validate_json_against(t, callback_url),
        Form::Value(v) => instance::validate_jsonv_against(v, callback_url),
        Form::Json(v) => instance::validate_against(v, callback_url),
    }
}

/// The update rules' report on a form.
pub fn validate_instance_update(data: &Form) -> ValidationReport {
    match data {
        Form::Text(t) => instance::validate_update_json(t),
        Form::Value(v) => instance::validate_update_jsonv(v),
        Form::Json(v) => instance::validate_update(v),
    }
}

/// The canonical body of a form.
pub fn build_instance_body(data: &Form) -> Result<CreateInstance, Error> {
    data.body()
}

/// `POST /instances` with the form's canonical body.
pub fn create_instance_request(config: &Config, data: &Form) -> Result<HttpRequest, Error> {
    Ok(instance::create_request(config, &data.body()?))
}

/// `PUT /instances/{id}` with the form's canonical body.
pub fn reauthenticate_request(config: &Config, id: u64, data: &Form) -> Result<HttpRequest, Error> {
    Ok(instance::reauthenticate_request(config, id, &data.body()?))
}

/// [`instance::events_page_request`].
pub fn instance_events_page_request(
    config: &Config,
    id: Option<u64>,
    options: &PageOptions,
) -> HttpRequest {
    instance::events_page_request(config, id, options)
}

/// [`instance::list_request`].
pub fn list_instances_request(config: &Config, options: &ListOptions) -> HttpRequest {
    instance::list_request(config, options)
}

/// [`deliveries::list_deliveries_request`] with the filter's query.
pub fn list_deliveries_request(
    config: &Config,
    filter: &DeliveryFilter,
) -> Result<HttpRequest, Error> {
    deliveries::list_deliveries_request(config, &filter.query()?)
}

/// [`deliveries::redeliver_request`] with the filter's query.
pub fn redeliver_request(config: &Config, filter: &DeliveryFilter) -> Result<HttpRequest, Error> {
    deliveries::redeliver_request(config, &filter.query()?)
}

/// [`deliveries::set_failure_policy_request`] with the policy by name.
pub fn set_failure_policy_request(config: &Config, policy: &str) -> Result<HttpRequest, Error> {
    FailurePolicy::parse(policy).map(|p| deliveries::set_failure_policy_request(config, p))
}

/// The region presets as `(name, base URL)` pairs.
pub fn base_url_presets() -> Vec<(&'static str, &'static str)> {
    BaseUrl::PRESETS.to_vec()
}

/// [`instance::hootsuite_webhook_url`] of a base URL given as text.
pub fn hootsuite_webhook_url(base_url: &str, instance_id: u64) -> Result<String, Error> {
    Ok(instance::hootsuite_webhook_url(
        &BaseUrl::parse(base_url)?,
        instance_id,
    ))
}

/// [`signature::sign`] with the key as text.
pub fn sign(key: &str, body: &[u8]) -> String {
    signature::sign(&SignatureKey::new(key), body)
}

/// Verifies `body`'s signature `header` with the keys of `verifier` (made from the binding's
/// key or keys, so that their errors come first): the index of the key that matched.
pub fn verify_signature(
    verifier: Verifier,
    body: &[u8],
    header: Option<&str>,
    options: &VerifyOptions,
) -> Result<usize, Error> {
    options.apply(verifier).verify(body, header)
}

/// A claim token from 16 random bytes: 32 lowercase hexadecimal digits. The core reads no
/// randomness itself here: [`claim_token`] takes it from the operating system.
pub fn claim_token_from(bytes: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut token = String::with_capacity(32);
    for b in bytes {
        token.push(char::from(HEX[usize::from(b >> 4)]));
        token.push(char::from(HEX[usize::from(b & 15)]));
    }
    token
}

/// What a binding says when the platform has no randomness for a claim token.
pub const NO_RANDOMNESS: &str = "no randomness for a claim token";

/// A new claim token: 128 random bits of the operating system (`getrandom`), 32 hexadecimal
/// digits; the error is the message every binding raises (`no randomness for a claim token: …`).
#[cfg(feature = "token")]
pub fn claim_token() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("{NO_RANDOMNESS}: {e}"))?;
    Ok(claim_token_from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn debug_shows_no_secret_of_a_form_or_redirect_options() {
        let text = r#"{"name": "n", "configuration": {"oauth.api.secret": "form-secret-1", "oauth.api.key": "k"}}"#;
        let json: serde_json::Value = serde_json::from_str(text).expect("JSON");
        for form in [
            Form::Text(text.to_string()),
            Form::Value(jsonv::from_str(text).expect("JSON")),
            Form::Json(json),
        ] {
            let shown = format!("{form:?}");
            assert!(!shown.contains("form-secret-1"), "{shown}");
            assert!(shown.contains("oauth.api.key"), "{shown}");
        }
        let options = RedirectOptions {
            api_key: "key".into(),
            api_secret: "api-secret-2".into(),
            callback_url: "https://app.example/cb?token=url-secret-3".into(),
            state: Some("state-secret-4".into()),
            request_token: Some("request-secret-5".into()),
            ..RedirectOptions::default()
        };
        let shown = format!("{options:?}");
        for secret in [
            "api-secret-2",
            "url-secret-3",
            "state-secret-4",
            "request-secret-5",
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("key"), "{shown}");
    }

    #[test]
    fn names_are_unique_and_js_names_are_the_camel_case_of_rust_names() {
        let mut seen = HashSet::new();
        for e in EXPORTS {
            assert!(seen.insert(e.rust), "{} listed twice", e.rust);
            assert_eq!(crate::naming::camel_case(e.rust), e.js, "{}", e.rust);
            assert!(!e.doc.trim().is_empty(), "{} has no doc", e.rust);
        }
        assert!(EXPORTS.len() >= 40);
    }

    #[test]
    fn the_table_reads_its_entries() {
        let r = EXPORTS
            .iter()
            .find(|e| e.rust == "redirect_url_request")
            .expect("listed");
        assert_eq!(r.args, &[("config", "Config")]);
        assert_eq!(r.options, Some("RedirectOptions"));
        assert_eq!(r.fields[0], ("api_key", "Text", false));
        assert_eq!(r.fields[3], ("state", "OptText", true));
        assert_eq!(r.result, "Request");
        assert!(r.table && !r.browser);
        let v = EXPORTS
            .iter()
            .find(|e| e.rust == "validate_instance")
            .expect("listed");
        assert!(v.browser);
        let p = EXPORTS
            .iter()
            .find(|e| e.rust == "parse_instance")
            .expect("listed");
        assert_eq!(p.result, "Secrets(Instance)");
        let b = EXPORTS
            .iter()
            .find(|e| e.rust == "base_url_presets")
            .expect("listed");
        assert!(b.args.is_empty());
    }

    #[test]
    fn claim_tokens_are_hex_of_the_bytes_given() {
        let mut bytes = [0u8; 16];
        bytes[0] = 0xab;
        bytes[15] = 0x0f;
        assert_eq!(claim_token_from(bytes), "ab00000000000000000000000000000f");
    }

    #[cfg(feature = "token")]
    #[test]
    fn claim_tokens_differ() {
        let a = claim_token().expect("randomness");
        assert_eq!(a.len(), 32);
        assert_ne!(a, claim_token().expect("randomness"));
    }

    #[test]
    fn a_delivery_status_outside_the_schema_is_an_error() {
        let f = DeliveryFilter {
            status: Some("nope".into()),
            ..DeliveryFilter::default()
        };
        assert!(f.query().is_err());
        let ok = DeliveryFilter::default().query().expect("no filter");
        assert_eq!(ok, DeliveryQuery::default());
    }

    /// The table as JSON, in `tests/api-table.json`: what the Python and Node agreement tests
    /// compare each package's exports, stubs and declarations with. Re-recorded with
    /// `HOOTSUITE_EVENTS_UPDATE_SNAPSHOTS=1`.
    #[test]
    fn the_json_copy_is_the_table() {
        let exports: Vec<serde_json::Value> = EXPORTS
            .iter()
            .map(|e| {
                serde_json::json!({
                    "rust": e.rust, "js": e.js, "table": e.table, "browser": e.browser,
                    "python": e.python, "node": e.node,
                    "args": e.args.iter().map(|(n, k)| serde_json::json!([n, k])).collect::<Vec<_>>(),
                    "options": e.options,
                    "fields": e.fields.iter().map(|(n, k, kw)| serde_json::json!([n, k, kw])).collect::<Vec<_>>(),
                    "result": e.result, "doc": e.doc.trim(),
                })
            })
            .collect();
        let constants: serde_json::Map<String, serde_json::Value> = CONSTANTS
            .iter()
            .map(|(n, c)| {
                let v = match c {
                    Constant::Int(i) => serde_json::Value::from(*i),
                    Constant::Text(t) => serde_json::Value::from(*t),
                };
                (n.to_string(), v)
            })
            .collect();
        let text = serde_json::to_string_pretty(
            &serde_json::json!({"exports": exports, "constants": constants}),
        )
        .expect("JSON")
            + "\n";
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        // A packaged crate has no repository around it: the bindings' copy is not there.
        if !root.join("bindings").is_dir() {
            return;
        }
        let path = root.join("tests/api-table.json");
        if std::env::var_os("HOOTSUITE_EVENTS_UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &text).expect("write tests/api-table.json");
        }
        let recorded = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            recorded == text,
            "tests/api-table.json is not the table: re-record with HOOTSUITE_EVENTS_UPDATE_SNAPSHOTS=1"
        );
    }

    #[test]
    fn the_constants_are_unique() {
        let names: HashSet<_> = CONSTANTS.iter().map(|(n, _)| n).collect();
        assert_eq!(names.len(), CONSTANTS.len());
    }
}
