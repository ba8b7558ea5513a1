//! The request builders of the instance calls.

use super::body::CreateInstance;
use super::rules::is_platform_webhook_url;
use crate::config::{BaseUrl, Config, Secret};
use crate::error::Error;
use crate::fields::*;
use crate::request::{HttpRequest, Method};
use crate::text::fill;
use crate::url::{describe, parse_http_url};
use base64::Engine as _;

/// `POST /instances` with the body, platform authorization.
pub fn create_request(config: &Config, body: &CreateInstance) -> HttpRequest {
    HttpRequest::new(
        Method::Post,
        config.base_url().join("/instances"),
        config.platform_authorization(),
    )
    .with_json_text(body.to_json())
}

/// `GET /instances/{id}`.
pub fn get_request(config: &Config, id: u64) -> HttpRequest {
    HttpRequest::new(
        Method::Get,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
}

/// `DELETE /instances/{id}`, with platform authorization only (no Element token), as the docs
/// require.
pub fn delete_request(config: &Config, id: u64) -> HttpRequest {
    HttpRequest::new(
        Method::Delete,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
}

/// `PUT /instances/{id}/enabled` (enable) or `DELETE /instances/{id}/enabled` (disable).
pub fn set_enabled_request(config: &Config, id: u64, enabled: bool) -> HttpRequest {
    let method = if enabled { Method::Put } else { Method::Delete };
    HttpRequest::new(
        method,
        instance_url(config, id, "/enabled"),
        config.platform_authorization(),
    )
}

/// `PUT /instances/{id}` with a full create body: re-authenticates with a new code.
pub fn reauthenticate_request(config: &Config, id: u64, body: &CreateInstance) -> HttpRequest {
    HttpRequest::new(
        Method::Put,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
    .with_json_text(body.to_json())
}

/// `PATCH /instances/{id}` with `{"providerData": {"code": ...}}`: re-authenticates with a
/// new OAuth code and keeps everything else.
pub fn reauthenticate_code_request(
    config: &Config,
    id: u64,
    code: &Secret,
) -> Result<HttpRequest, Error> {
    if code.is_blank() {
        return Err(Error::InvalidArgument {
            field: "code".into(),
            reason: "is empty; expected the authorization grant code from the OAuth callback"
                .into(),
        });
    }
    let body = serde_json::json!({ "providerData": { "code": code.expose() } });
    Ok(HttpRequest::new(
        Method::Patch,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
    .with_json(&body))
}

/// `PATCH /instances/{id}` setting `event.notification.callback.url`: the second phase of the
/// event wiring (see [`hootsuite_webhook_url`]).
pub fn update_event_callback_request(
    config: &Config,
    id: u64,
    url: &str,
) -> Result<HttpRequest, Error> {
    if let Err(problem) = parse_http_url(url) {
        return Err(Error::InvalidArgument {
            field: KEY_EVENT_CALLBACK_URL.into(),
            reason: describe(url, &problem),
        });
    }
    // The builder has no warning channel, and this URL is never right as the final one.
    if is_platform_webhook_url(url) {
        return Err(Error::InvalidArgument {
            field: KEY_EVENT_CALLBACK_URL.into(),
            reason: format!("`{}` is Cloud Elements' own Hootsuite webhook endpoint (`/events/hootsuite`), where Hootsuite sends events; as the final callback URL every notification would loop back to the platform. Expected your receiver's URL", crate::redact::redact_url(url)),
        });
    }
    let body = serde_json::json!({ "configuration": { KEY_EVENT_CALLBACK_URL: url } });
    Ok(HttpRequest::new(
        Method::Patch,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
    .with_json(&body))
}

/// `PATCH /instances/{id}` setting `event.notification.enabled`: events are switched on and off
/// through configuration; there is no separate endpoint.
pub fn set_events_request(config: &Config, id: u64, enabled: bool) -> HttpRequest {
    let body = serde_json::json!({ "configuration": { KEY_EVENTS_ENABLED: enabled } });
    HttpRequest::new(
        Method::Patch,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
    .with_json(&body)
}

/// `PATCH /instances/{id}` setting `event.notification.signature.key`: a key rotation.
/// Deliveries Cloud Elements signed before keep their signature through their retries (about
/// 73 hours), so verify with the new key first and the previous one after
/// ([`crate::signature::Verifier::with_keys`]) until then.
pub fn set_signature_key_request(
    config: &Config,
    id: u64,
    key: &Secret,
) -> Result<HttpRequest, Error> {
    if key.is_blank() {
        return Err(Error::InvalidArgument {
            field: KEY_SIGNATURE_KEY.into(),
            reason: "is empty; expected the new signature key (leave events unsigned by not setting one)".into(),
        });
    }
    let body = serde_json::json!({ "configuration": { KEY_SIGNATURE_KEY: key.expose() } });
    Ok(HttpRequest::new(
        Method::Patch,
        instance_url(config, id, ""),
        config.platform_authorization(),
    )
    .with_json(&body))
}

/// `GET /instances/{id}/events`: events received for the instance (the first page, at the
/// platform's default page size). [`events_page_request`] pages through them.
pub fn events_request(config: &Config, id: u64) -> HttpRequest {
    events_page_request(config, Some(id), &PageQuery::default())
}

/// Paging of the event lists: `pageSize` and `nextPage` (the `Elements-Next-Page-Token` of the
/// previous page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// The page size (`pageSize`).
    pub page_size: Option<u32>,
    /// The token of the page to read (`nextPage`), from [`InstanceEventPage::next_page`](super::InstanceEventPage::next_page).
    pub next_page: Option<String>,
}

impl PageQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(n) = self.page_size {
            q.push(("pageSize", n.to_string()));
        }
        if let Some(p) = &self.next_page {
            q.push(("nextPage", p.clone()));
        }
        q
    }
}

/// `GET /instances/{id}/events` with `id`, or `GET /instances/events` (every instance of the
/// account: sent without an `Element` token, which would scope it to that token's instance)
/// without; read the answer with [`parse_instance_event_page`](super::parse_instance_event_page).
pub fn events_page_request(config: &Config, id: Option<u64>, query: &PageQuery) -> HttpRequest {
    let path = match id {
        Some(id) => format!("/instances/{id}/events"),
        None => "/instances/events".to_string(),
    };
    let url = crate::url::with_query(config.base_url().join(&path), &query.pairs());
    HttpRequest::new(Method::Get, url, config.platform_authorization())
}

/// `GET /instances/{id}/events/{eventId}` with `id`, or `GET /instances/events/{eventId}`
/// without: one event, which is how a receiver checks what a notification claims (the
/// notification's `eventId`). Read the answer with [`parse_instance_event`](super::parse_instance_event).
pub fn event_request(
    config: &Config,
    id: Option<u64>,
    event_id: &str,
) -> Result<HttpRequest, Error> {
    let segment = path_segment("event_id", event_id, "the `eventId` of a notification")?;
    let path = match id {
        Some(id) => format!("/instances/{id}/events/{segment}"),
        None => format!("/instances/events/{segment}"),
    };
    Ok(HttpRequest::new(
        Method::Get,
        config.base_url().join(&path),
        config.platform_authorization(),
    ))
}

/// A value that goes into one path segment: not blank, percent-encoded.
fn path_segment(field: &str, value: &str, expected: &str) -> Result<String, Error> {
    if value.trim().is_empty() {
        return Err(Error::InvalidArgument {
            field: field.into(),
            reason: format!("is empty; expected {expected}"),
        });
    }
    Ok(percent_encoding::utf8_percent_encode(value, crate::url::QUERY).to_string())
}

/// `GET /instances/{id}/configuration`: the instance's configuration entries, each with the
/// `id` that [`update_configuration_request`] needs. Read it with [`parse_configuration`](super::parse_configuration).
pub fn configuration_request(config: &Config, id: u64) -> HttpRequest {
    HttpRequest::new(
        Method::Get,
        instance_url(config, id, "/configuration"),
        config.platform_authorization(),
    )
}

/// `PATCH /instances/{id}/configuration/{configId}` with `{"propertyValue": value}`: changes
/// one configuration value. The answer is the entry ([`parse_configuration_entry`](super::parse_configuration_entry)).
pub fn update_configuration_request(
    config: &Config,
    id: u64,
    config_id: u64,
    property_value: &str,
) -> HttpRequest {
    let body = serde_json::json!({ "propertyValue": property_value });
    HttpRequest::new(
        Method::Patch,
        instance_url(config, id, &format!("/configuration/{config_id}")),
        config.platform_authorization(),
    )
    .with_json(&body)
}

/// Query of `GET /instances`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only instances with all these tags (`tags[]`).
    pub tags: Vec<String>,
    /// Free-text search (`searchText`).
    pub search_text: Option<String>,
    /// The page size (`pageSize`).
    pub page_size: Option<u32>,
    /// The token of the page to read (`nextPage`), from [`InstancePage::next_page`](super::InstancePage::next_page).
    pub next_page: Option<String>,
    /// Whether to return full objects (`hydrate`).
    pub hydrate: Option<bool>,
}

/// `GET /instances` with the query; read the answer with [`parse_instance_page`](super::parse_instance_page).
pub fn list_request(config: &Config, query: &ListQuery) -> HttpRequest {
    let mut q: Vec<(&str, String)> = Vec::new();
    for t in &query.tags {
        q.push(("tags[]", t.clone()));
    }
    if let Some(s) = &query.search_text {
        q.push(("searchText", s.clone()));
    }
    if let Some(n) = query.page_size {
        q.push(("pageSize", n.to_string()));
    }
    if let Some(p) = &query.next_page {
        q.push(("nextPage", p.clone()));
    }
    if let Some(h) = query.hydrate {
        q.push(("hydrate", h.to_string()));
    }
    let url = crate::url::with_query(config.base_url().join("/instances"), &q);
    HttpRequest::new(Method::Get, url, config.platform_authorization())
}

fn instance_url(config: &Config, id: u64, suffix: &str) -> String {
    config.base_url().join(&format!("/instances/{id}{suffix}"))
}

/// The URL to paste into the "Webhook URL" of the Hootsuite app:
/// `<base URL>/events/hootsuite/<Base64 of the decimal instance id>`.
///
/// No source shows a worked example; this uses the standard Base64 alphabet with padding.
///
/// ```
/// use hootsuite_events::{BaseUrl, instance::hootsuite_webhook_url};
/// assert_eq!(hootsuite_webhook_url(&BaseUrl::us(), 12345),
///     "https://api.cloud-elements.com/elements/api-v2/events/hootsuite/MTIzNDU=");
/// ```
pub fn hootsuite_webhook_url(base_url: &BaseUrl, instance_id: u64) -> String {
    let mut id = String::new();
    crate::text::push_decimal(&mut id, instance_id);
    let encoded = base64_standard(id.as_bytes());
    fill("{}/{}", &[&hootsuite_events_url(base_url), &encoded])
}

/// Standard Base64 with padding, as `base64`'s `STANDARD` engine writes it: a few lines here
/// instead of the engine keep it out of the browser build (a test compares the two).
fn base64_standard(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The platform's Hootsuite endpoint without an instance id, `<base URL>/events/hootsuite`:
/// the event callback URL of the documented first phase, before the instance id is known.
///
/// ```
/// use hootsuite_events::{BaseUrl, instance::hootsuite_events_url};
/// assert_eq!(hootsuite_events_url(&BaseUrl::us()),
///     "https://api.cloud-elements.com/elements/api-v2/events/hootsuite");
/// ```
pub fn hootsuite_events_url(base_url: &BaseUrl) -> String {
    base_url.join(&fill("/events/{}", &[ELEMENT_KEY]))
}

/// The instance id a webhook URL's last segment names (the inverse of
/// [`hootsuite_webhook_url`]); `None` unless it is the Base64 of a decimal id.
///
/// ```
/// use hootsuite_events::instance::webhook_instance_id;
/// assert_eq!(webhook_instance_id("MTIzNDU="), Some(12345));
/// assert_eq!(webhook_instance_id("not-base64"), None);
/// ```
pub fn webhook_instance_id(segment: &str) -> Option<u64> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(segment)
        .ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    // `u64::from_str` takes a leading `+`; the encoder never writes one.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::base64_standard;
    use base64::Engine as _;

    #[test]
    fn base64_standard_matches_the_engine() {
        for n in [0u64, 1, 12, 123, 1234, 12345, 123456, u64::MAX] {
            let text = n.to_string();
            assert_eq!(
                base64_standard(text.as_bytes()),
                base64::engine::general_purpose::STANDARD.encode(&text)
            );
        }
        for len in 0..=7 {
            let bytes: Vec<u8> = (0..len).map(|i| 250 - i * 37).collect();
            assert_eq!(
                base64_standard(&bytes),
                base64::engine::general_purpose::STANDARD.encode(&bytes)
            );
        }
    }
}
