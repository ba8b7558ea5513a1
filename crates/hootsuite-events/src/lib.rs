//! # hootsuite-events
//!
//! Connect your users' Hootsuite accounts through the Cloud Elements integration platform and
//! receive Hootsuite events — without this crate ever opening a socket.
//!
//! The crate is *sans-IO*: it builds each HTTP request of the flow as a plain [`HttpRequest`]
//! (method, URL, headers, JSON body), and reads each answer from a plain [`HttpResponse`]. Your
//! HTTP client (ureq, reqwest, or `requests`/`fetch` through the Python, Node and WebAssembly
//! bindings) does the sending. It never reads a clock or touches a file.
//!
//! The flow, one module per step:
//! 1. [`oauth::redirect_url_request`] → the Hootsuite consent URL for your user;
//! 2. [`oauth::parse_callback`] → the OAuth code, with `state` checked;
//! 3. [`instance::create_request`] → the instance (`id`, `token`), after [`instance::validate`];
//! 4. [`instance::hootsuite_webhook_url`] → the URL to paste into the Hootsuite app, then
//!    [`instance::update_event_callback_request`] for the final callback URL;
//! 5. [`signature::Verifier::verify_event`] → each event notification, verified and parsed;
//!    [`idempotency::process`] → each of its units of work processed once;
//! 6. after an outage: [`deliveries::list_deliveries_request`] → what Cloud Elements queued,
//!    [`deliveries::redeliver_request`] → released, the subscription re-enabled.
//!
//! ```
//! use hootsuite_events::{instance, oauth, signature, BaseUrl, Config, HttpResponse};
//!
//! let config = Config::new(BaseUrl::us(), "user-secret", "org-secret")?;
//!
//! // Step 1: the consent URL.
//! let params = oauth::RedirectUrlParams::new("client-id", "client-secret", "https://app.example/cb")
//!     .state("csrf-4f1c");
//! let request = oauth::redirect_url_request(&config, &params)?;
//! assert_eq!(request.method.as_str(), "GET");
//! let answer = HttpResponse::new(200, vec![], r#"{"element":"hootsuite",
//!     "oauthUrl":"https://platform.hootsuite.com/oauth2/auth?response_type=code&state=csrf-4f1c"}"#);
//! let consent = oauth::parse_redirect_url(&answer)?;
//! assert!(consent.oauth_url.starts_with("https://platform.hootsuite.com/"));
//!
//! // Step 2: the user comes back.
//! let code = oauth::parse_callback("https://app.example/cb?code=xoz8AF&state=csrf-4f1c", "csrf-4f1c")?;
//!
//! // Step 3: the instance, with events and a signature key.
//! let body = instance::CreateInstance::builder("API Instance", code, "https://app.example/cb",
//!         "client-id", "client-secret")
//!     .events("https://api.cloud-elements.com/elements/api-v2/events/hootsuite")
//!     .signature_key("MySecretEventSignatureKey")
//!     .build()?;
//! let request = instance::create_request(&config, &body);
//! assert_eq!(request.url, "https://api.cloud-elements.com/elements/api-v2/instances");
//! let answer = HttpResponse::new(200, vec![], r#"{"id": 12345, "name": "API Instance",
//!     "token": "ABC/Dxxxxxxxxxxxxxxxx", "valid": true, "tags": [], "user": {"id": 7}}"#);
//! let created = instance::parse_instance(&answer)?;
//!
//! // Step 4: the webhook URL for Hootsuite, and the final callback URL.
//! let webhook = instance::hootsuite_webhook_url(config.base_url(), created.id);
//! assert!(webhook.ends_with("/events/hootsuite/MTIzNDU="));
//! let _patch = instance::update_event_callback_request(&config, created.id, "https://app.example/events")?;
//!
//! // Step 5: an event arrives.
//! let key = signature::SignatureKey::new("MySecretEventSignatureKey");
//! let raw_body = br#"{"message":{"eventId":"e1","instanceId":12345,"events":[{"eventType":"CREATED"}]}}"#;
//! let headers = [("Elements-Webhook-Signature", signature::sign(&key, raw_body))];
//! let event = signature::Verifier::new(key).verify_event(&headers[..], raw_body)?;
//! assert_eq!(event.instance_id, Some(12345));
//! assert_eq!(event.units[0].key, "ce:12345:e1:0");
//! # Ok::<(), hootsuite_events::Error>(())
//! ```

#[cfg(feature = "api")]
pub mod api;
pub mod config;
pub mod deliveries;
pub mod error;
pub mod events;
pub mod fields;
pub mod idempotency;
pub mod instance;
pub mod js;
pub mod json;
pub mod jsonv;
pub mod naming;
pub mod oauth;
mod path;
pub mod redact;
pub mod request;
pub mod schema;
mod search;
pub mod signature;
pub mod telemetry;
mod text;
mod url;
pub mod validate;
pub(crate) mod view;

pub use config::{BaseUrl, Config, InstanceToken, Secret};
pub use error::{
    ApiError, CallbackError, Error, ParseError, ParseErrorKind, PathSegment, SignatureError,
};
pub use request::{Headers, HttpRequest, HttpResponse, Method};
pub use url::check_url;
pub use validate::{Issue, ValidationReport};
