//! Recovery after an outage: the delivery queue and the failure policy.
//!
//! A callback that does not answer 2xx is retried up to nine times (about 73 hours); then
//! Cloud Elements queues the delivery, deactivates the subscription, and queues every later
//! event too. Nothing reaches the receiver again until the queue is released:
//!
//! - [`list_deliveries_request`] / [`parse_deliveries`]: `GET
//!   /notifications/subscriptions/deliveries`, filtered by a CEQL `where` (churros:
//!   `channel='webhook' and status='queued' and config.url='…'`);
//! - [`redeliver_request`]: `PUT` on the same path with the same `where`, which releases the
//!   matching queued deliveries and re-enables the subscription (churros: "release the queue
//!   for delivery"); [`reenable_request`] is that very PUT scoped to one instance, since the
//!   platform documents no other way to re-enable a deactivated subscription;
//! - [`failure_policy_request`], [`set_failure_policy_request`] / [`parse_failure_policy`]:
//!   the account setting `notification.webhook.failure.policy` (`retry` or `queue`) at
//!   `/accounts/settings` (churros patches it there before its retry and queue tests).
//!
//! ```
//! use hootsuite_events::deliveries::{self, DeliveryQuery, DeliveryStatus, FailurePolicy};
//! use hootsuite_events::{BaseUrl, Config, HttpResponse};
//!
//! let config = Config::new(BaseUrl::us(), "user-secret", "org-secret")?;
//! let query = DeliveryQuery::queued().url("https://app.example/events");
//! let request = deliveries::list_deliveries_request(&config, &query)?;
//! assert!(request.url.ends_with("/notifications/subscriptions/deliveries?where=\
//!     channel%3D%27webhook%27%20and%20status%3D%27queued%27%20and%20\
//!     config.url%3D%27https%3A%2F%2Fapp.example%2Fevents%27&hydrate=true"));
//!
//! let answer = HttpResponse::new(200, vec![], r#"[{"id": 9, "notificationId": 1088,
//!     "subscriptionId": 31, "status": "queued", "createdDate": "2026-12-01T10:00:00Z",
//!     "subscription": {"channel": "webhook", "config": {"url": "https://app.example/events"}}}]"#);
//! let queued = deliveries::parse_deliveries(&answer)?;
//! assert_eq!(queued[0].status, DeliveryStatus::Queued);
//! assert_eq!(queued[0].url.as_deref(), Some("https://app.example/events"));
//!
//! let release = deliveries::redeliver_request(&config, &query)?;
//! assert_eq!(release.method.as_str(), "PUT");
//! let set = deliveries::set_failure_policy_request(&config, FailurePolicy::Queue);
//! assert_eq!(set.body_text(), r#"{"notification.webhook.failure.policy":"queue"}"#);
//! # Ok::<(), hootsuite_events::Error>(())
//! ```

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::error::{Error, ParseErrorKind};
use crate::json::read_json;
use crate::json::{field, Doc, Limits};
use crate::path::Path;
use crate::redact::{mask_entry, redact_url};
use crate::request::{HttpRequest, HttpResponse, Method};

/// The path of the delivery list and of redelivery.
pub const DELIVERIES_PATH: &str = "/notifications/subscriptions/deliveries";
/// The path of the account settings that hold the failure policy.
pub const SETTINGS_PATH: &str = "/accounts/settings";
/// The account setting that chooses what a failing webhook delivery does.
pub const KEY_FAILURE_POLICY: &str = "notification.webhook.failure.policy";

/// What Cloud Elements does with a webhook delivery that fails
/// (`notification.webhook.failure.policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailurePolicy {
    /// Retry up to nine times (about 73 hours), then queue: the platform's default.
    Retry,
    /// Queue at once, until a redelivery `PUT` releases it.
    Queue,
}

impl FailurePolicy {
    /// `retry` or `queue`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailurePolicy::Retry => "retry",
            FailurePolicy::Queue => "queue",
        }
    }

    /// Reads `retry` or `queue`; anything else is an [`Error::InvalidArgument`].
    pub fn parse(value: &str) -> Result<Self, Error> {
        match value {
            "retry" => Ok(FailurePolicy::Retry),
            "queue" => Ok(FailurePolicy::Queue),
            other => Err(Error::InvalidArgument {
                field: "policy".into(),
                reason: format!("is `{other}`; expected `retry` or `queue`"),
            }),
        }
    }
}

/// A delivery's status, as the platform's delivery schema names them (churros
/// `notifications/assets/delivery.schema.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not attempted yet.
    Created,
    /// At least one attempt failed; another is scheduled.
    Retry,
    /// The receiver answered 2xx.
    Delivered,
    /// `notified`: in the schema's enum, undocumented beyond it.
    Notified,
    /// Waiting for a redelivery `PUT`.
    Queued,
}

impl DeliveryStatus {
    /// The schema's name.
    pub fn as_str(&self) -> &'static str {
        match self {
            DeliveryStatus::Created => "created",
            DeliveryStatus::Retry => "retry",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Notified => "notified",
            DeliveryStatus::Queued => "queued",
        }
    }

    /// Reads a status name; anything outside the schema's enum is an
    /// [`Error::InvalidArgument`].
    pub fn parse(name: &str) -> Result<Self, Error> {
        DeliveryStatus::from_name(name).ok_or_else(|| Error::InvalidArgument {
            field: "status".into(),
            reason: format!(
                "is `{name}`; expected one of created, retry, delivered, notified, queued"
            ),
        })
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "created" => DeliveryStatus::Created,
            "retry" => DeliveryStatus::Retry,
            "delivered" => DeliveryStatus::Delivered,
            "notified" => DeliveryStatus::Notified,
            "queued" => DeliveryStatus::Queued,
            _ => return None,
        })
    }
}

/// Which deliveries to list or redeliver: the `where` clauses churros sends (`channel`,
/// `status`, `config.url`), an instance (assumed: `instanceId`, see docs/protocol.md), and
/// paging as the platform's other lists (`pageSize`, `nextPage`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryQuery {
    /// `status='…'`.
    pub status: Option<DeliveryStatus>,
    /// `config.url='…'`: the subscription's callback URL.
    pub url: Option<String>,
    /// `instanceId=…`: the element instance whose events they carry.
    pub instance_id: Option<u64>,
    /// The page size (`pageSize`); only the list reads it.
    pub page_size: Option<u32>,
    /// The token of the page to read (`nextPage`); only the list reads it.
    pub next_page: Option<String>,
}

impl DeliveryQuery {
    /// The queued webhook deliveries: what a recovery redelivers.
    pub fn queued() -> Self {
        DeliveryQuery {
            status: Some(DeliveryStatus::Queued),
            ..DeliveryQuery::default()
        }
    }

    /// Only deliveries to this callback URL.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Only deliveries of this instance's events.
    pub fn instance(mut self, id: u64) -> Self {
        self.instance_id = Some(id);
        self
    }

    /// The CEQL `where` expression: always `channel='webhook'` first, as churros writes it.
    pub fn where_clause(&self) -> Result<String, Error> {
        let mut clauses = vec!["channel='webhook'".to_string()];
        if let Some(s) = &self.status {
            clauses.push(format!("status='{}'", s.as_str()));
        }
        if let Some(url) = &self.url {
            // CEQL documents no escape for a quote inside a literal: refuse rather than guess.
            if url.contains('\'') || url.trim().is_empty() {
                return Err(Error::InvalidArgument {
                    field: "url".into(),
                    reason: format!(
                        "is `{}`; expected a non-empty callback URL without `'` (the `where` \
                         clause quotes it)",
                        redact_url(url)
                    ),
                });
            }
            clauses.push(format!("config.url='{url}'"));
        }
        if let Some(id) = self.instance_id {
            clauses.push(format!("instanceId={id}"));
        }
        Ok(clauses.join(" and "))
    }

    fn pairs(&self, paged: bool) -> Result<Vec<(&'static str, String)>, Error> {
        // As churros lists and releases them: with `subscription`, whose config holds the URL.
        let mut q = vec![
            ("where", self.where_clause()?),
            ("hydrate", "true".to_string()),
        ];
        if paged {
            if let Some(n) = self.page_size {
                q.push(("pageSize", n.to_string()));
            }
            if let Some(p) = &self.next_page {
                q.push(("nextPage", p.clone()));
            }
        }
        Ok(q)
    }
}

fn deliveries_url(config: &Config, query: &DeliveryQuery, paged: bool) -> Result<String, Error> {
    Ok(crate::url::with_query(
        config.base_url().join(DELIVERIES_PATH),
        &query.pairs(paged)?,
    ))
}

/// `GET /notifications/subscriptions/deliveries?where=…`: the webhook deliveries matching
/// `query`. Read the answer with [`parse_deliveries`] or [`parse_delivery_page`].
pub fn list_deliveries_request(
    config: &Config,
    query: &DeliveryQuery,
) -> Result<HttpRequest, Error> {
    Ok(HttpRequest::new(
        Method::Get,
        deliveries_url(config, query, true)?,
        config.platform_authorization(),
    ))
}

/// `PUT /notifications/subscriptions/deliveries?where=…&hydrate=true` (no body): releases the
/// queued deliveries matching `query` and re-enables their subscriptions. The status clause is
/// always `queued`, whatever `query.status` says: only the queue is released, so sending it
/// twice cannot re-send what was delivered. The answer lists what was released, hydrated as
/// churros asks for it ([`parse_deliveries`]).
pub fn redeliver_request(config: &Config, query: &DeliveryQuery) -> Result<HttpRequest, Error> {
    let query = DeliveryQuery {
        status: Some(DeliveryStatus::Queued),
        page_size: None,
        next_page: None,
        ..query.clone()
    };
    Ok(HttpRequest::new(
        Method::Put,
        deliveries_url(config, &query, false)?,
        config.platform_authorization(),
    ))
}

/// Re-enables the deactivated subscription of instance `id`: the redelivery `PUT` scoped to
/// that instance, which is the platform's documented way (no other request re-activates a
/// subscription). Its queued deliveries are released with it.
pub fn reenable_request(config: &Config, id: u64) -> HttpRequest {
    let query = DeliveryQuery::queued().instance(id);
    HttpRequest::new(
        Method::Put,
        crate::url::with_query(
            config.base_url().join(DELIVERIES_PATH),
            // No URL in the query, so the `where` clause cannot be refused.
            &[
                ("where", query.where_clause().unwrap_or_default()),
                ("hydrate", "true".to_string()),
            ],
        ),
        config.platform_authorization(),
    )
}

/// `GET /accounts/settings`: the account's settings, read with [`parse_failure_policy`].
pub fn failure_policy_request(config: &Config) -> HttpRequest {
    HttpRequest::new(
        Method::Get,
        config.base_url().join(SETTINGS_PATH),
        config.platform_authorization(),
    )
}

/// `PATCH /accounts/settings` with `{"notification.webhook.failure.policy": "retry"|"queue"}`,
/// as churros sends it. The answer is the settings ([`parse_failure_policy`]).
pub fn set_failure_policy_request(config: &Config, policy: FailurePolicy) -> HttpRequest {
    let mut body = Map::new();
    body.insert(KEY_FAILURE_POLICY.into(), policy.as_str().into());
    HttpRequest::new(
        Method::Patch,
        config.base_url().join(SETTINGS_PATH),
        config.platform_authorization(),
    )
    .with_json(&Value::Object(body))
}

/// Reads the account settings: the failure policy, [`FailurePolicy::Retry`] when the
/// setting is absent or null (the platform's default: retries, then the queue).
pub fn parse_failure_policy(response: &HttpResponse) -> Result<FailurePolicy, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    let obj = doc.object(&value, Path::ROOT)?;
    match doc.opt_str(obj, Path::ROOT, KEY_FAILURE_POLICY)? {
        None => Ok(FailurePolicy::Retry),
        Some("retry") => Ok(FailurePolicy::Retry),
        Some("queue") => Ok(FailurePolicy::Queue),
        Some(other) => Err(doc
            .error(
                ParseErrorKind::Value,
                Path::ROOT.key(KEY_FAILURE_POLICY),
                format!("is `{other}`; expected `retry` or `queue`"),
            )
            .into()),
    }
}

/// One webhook delivery of `GET /notifications/subscriptions/deliveries`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    /// The delivery's own id, when the platform gives one (number or string; kept as text).
    pub id: Option<String>,
    /// The status.
    pub status: DeliveryStatus,
    /// `notificationId`: the notification (the event notification) delivered.
    pub notification_id: u64,
    /// `subscriptionId`.
    pub subscription_id: u64,
    /// `instanceId`, when given: the element instance whose event it carries.
    pub instance_id: Option<u64>,
    /// `eventId`, when given.
    pub event_id: Option<u64>,
    /// The callback URL (`url`, else `subscription.config.url`), secret query values masked.
    pub url: Option<String>,
    /// `attempts`: failed attempts so far, when given.
    pub attempts: Option<u64>,
    /// `webhookId`: the `Elements-Webhook-Id` of the delivery, when given.
    pub webhook_id: Option<String>,
    /// `createdDate`, as given.
    pub created_date: String,
    /// `updatedDate`, as given.
    pub updated_date: Option<String>,
    /// Every other field (`subscription`, `notification`, …), secret values masked.
    pub extra: Map<String, Value>,
}

impl Delivery {
    /// Whether it waits for a redelivery `PUT`.
    pub fn is_queued(&self) -> bool {
        self.status == DeliveryStatus::Queued
    }
}

/// One page of `GET /notifications/subscriptions/deliveries`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryPage {
    /// The deliveries on this page.
    pub deliveries: Vec<Delivery>,
    /// `Elements-Next-Page-Token`: pass it as [`DeliveryQuery::next_page`].
    pub next_page: Option<String>,
    /// `Elements-Total-Count`, when sent.
    pub total_count: Option<u64>,
    /// `Elements-Returned-Count`, when sent.
    pub returned_count: Option<u64>,
}

const DELIVERY_KNOWN: &[&str] = &[
    "id",
    "status",
    "notificationId",
    "subscriptionId",
    "instanceId",
    "eventId",
    "url",
    "attempts",
    "webhookId",
    "createdDate",
    "updatedDate",
];

/// Reads the answer of the list or of the redelivery `PUT`: an array of deliveries.
pub fn parse_deliveries(response: &HttpResponse) -> Result<Vec<Delivery>, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    Ok(deliveries_from(&doc, &value)?)
}

/// Reads a page of the list: the deliveries and the paging headers.
pub fn parse_delivery_page(response: &HttpResponse) -> Result<DeliveryPage, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    let deliveries = deliveries_from(&doc, &value)?;
    let (next_page, total_count, returned_count) = crate::json::page_headers(&doc, response)?;
    Ok(DeliveryPage {
        deliveries,
        next_page,
        total_count,
        returned_count,
    })
}

fn deliveries_from(
    doc: &Doc<'_>,
    value: &Value,
) -> Result<Vec<Delivery>, crate::error::ParseError> {
    let Value::Array(items) = value else {
        return Err(doc.wrong_type(Path::ROOT, "an array of deliveries", value));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(delivery_from(doc, item, Path::ROOT.index(i))?);
    }
    Ok(out)
}

fn delivery_from(
    doc: &Doc<'_>,
    item: &Value,
    path: Path<'_>,
) -> Result<Delivery, crate::error::ParseError> {
    let obj = doc.object(item, path)?;
    let status_name = doc.req_str(obj, path, "status")?;
    let status = DeliveryStatus::from_name(status_name).ok_or_else(|| {
        doc.error(
            ParseErrorKind::Value,
            path.key("status"),
            format!(
                "is `{status_name}`; expected one of created, retry, delivered, notified, queued"
            ),
        )
    })?;
    let required = |key: &str| -> Result<u64, crate::error::ParseError> {
        doc.opt_u64(obj, path, key)?
            .ok_or_else(|| doc.missing(path.key(key), "a number"))
    };
    let notification_id = required("notificationId")?;
    let subscription_id = required("subscriptionId")?;
    let url = match doc.opt_str(obj, path, "url")? {
        Some(u) => Some(u.to_string()),
        None => subscription_url(doc, obj, path)?,
    }
    .map(|u| redact_url(&u));
    let extra = obj
        .iter()
        .filter(|(k, _)| !DELIVERY_KNOWN.contains(&k.as_str()))
        .map(|(k, v)| {
            let mut v = v.clone();
            mask_entry(k, &mut v);
            (k.clone(), v)
        })
        .collect();
    Ok(Delivery {
        id: doc.opt_id(obj, path, "id")?,
        status,
        notification_id,
        subscription_id,
        instance_id: doc.opt_u64(obj, path, "instanceId")?,
        event_id: doc.opt_u64(obj, path, "eventId")?,
        url,
        attempts: doc.opt_u64(obj, path, "attempts")?,
        webhook_id: doc.opt_str(obj, path, "webhookId")?.map(str::to_string),
        created_date: doc.req_str(obj, path, "createdDate")?.to_string(),
        updated_date: doc.opt_str(obj, path, "updatedDate")?.map(str::to_string),
        extra,
    })
}

/// `subscription.config.url` of a hydrated delivery, when there.
fn subscription_url(
    doc: &Doc<'_>,
    obj: &Map<String, Value>,
    path: Path<'_>,
) -> Result<Option<String>, crate::error::ParseError> {
    let Some(sub) = field(obj, "subscription").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let spath = path.key("subscription");
    let sub = doc.object(sub, spath)?;
    let Some(cfg) = field(sub, "config").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let cpath = spath.key("config");
    let cfg = doc.object(cfg, cpath)?;
    Ok(doc.opt_str(cfg, cpath, "url")?.map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BaseUrl;

    fn config() -> Config {
        Config::new(BaseUrl::us(), "u", "o").expect("config")
    }

    #[test]
    fn a_quote_in_the_url_is_refused() {
        let e = list_deliveries_request(&config(), &DeliveryQuery::queued().url("https://a/'x"))
            .expect_err("quote");
        assert_eq!(e.code(), "invalid_argument");
    }

    #[test]
    fn redelivery_only_releases_the_queue() {
        let q = DeliveryQuery {
            status: Some(DeliveryStatus::Delivered),
            page_size: Some(5),
            ..DeliveryQuery::default()
        };
        let r = redeliver_request(&config(), &q).expect("req");
        assert!(
            r.url.ends_with("status%3D%27queued%27&hydrate=true"),
            "{}",
            r.url
        );
        assert!(r.is_retry_safe());
    }

    #[test]
    fn secrets_in_a_delivery_are_masked() {
        let body = r#"[{"notificationId": 1, "subscriptionId": 2, "status": "queued",
            "createdDate": "d", "url": "https://a.example/hook?token=abc",
            "subscription": {"config": {"url": "https://a.example/hook?token=abc",
            "headers": {"Authorization": "Bearer xyz"}}}}]"#;
        let d = parse_deliveries(&HttpResponse::new(200, vec![], body)).expect("parsed");
        let shown = serde_json::to_string(&d).expect("json");
        assert!(!shown.contains("abc") && !shown.contains("xyz"), "{shown}");
    }
}
