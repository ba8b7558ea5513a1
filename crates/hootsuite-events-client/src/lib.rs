//! A blocking client for the Cloud Elements Hootsuite element, on `ureq` 3.
//!
//! It runs the requests that the sans-IO core [`hootsuite_events`] builds, and adds what a
//! host must decide: timeouts, retries with backoff and jitter (honouring `Retry-After`) for
//! 429, 5xx and connection failures — on `GET`, `PUT` and `DELETE` only — and paging.
//!
//! `POST /instances` is never retried: the OAuth code is single-use, so a second attempt
//! cannot succeed and a lost answer leaves the outcome unknown. That case is its own error,
//! [`Error::OutcomeUnknown`], which says how to check.
//!
//! ```no_run
//! use hootsuite_events::{BaseUrl, Config, instance::ListQuery};
//! use hootsuite_events_client::Client;
//! let client = Client::new(Config::new(BaseUrl::us(), "user-secret", "org-secret")?);
//! for instance in client.instances(ListQuery::default()) {
//!     let instance = instance?;
//!     println!("{} {}", instance.id, instance.name);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::hash_map::RandomState;
use std::collections::VecDeque;
use std::fmt;
use std::hash::BuildHasher;
use std::time::Duration;

use hootsuite_events::deliveries::{self, Delivery, DeliveryPage, DeliveryQuery, FailurePolicy};
use hootsuite_events::instance::{
    self, ConfigurationEntry, CreateInstance, Instance, InstanceEvent, InstanceEventPage,
    InstancePage, ListQuery, PageQuery,
};
use hootsuite_events::oauth::{self, RedirectUrl, RedirectUrlParams};
use hootsuite_events::request::is_retryable_status;
use hootsuite_events::{ApiError, Config, HttpRequest, HttpResponse, Secret};

const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);

/// The client's error.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The core's error: Cloud Elements answered non-2xx ([`hootsuite_events::Error::Api`]), a
    /// body could not be read, or an argument was invalid.
    Core(hootsuite_events::Error),
    /// The request could not be sent or its answer not read (refused, reset, timed out), after
    /// the retries allowed.
    Transport {
        /// `GET https://…/instances/1` (secret query parameters masked).
        request: String,
        /// What went wrong.
        message: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// `POST /instances` failed after the request may have reached Cloud Elements: the instance
    /// may or may not exist. It is not retried, since the OAuth code is single-use.
    OutcomeUnknown {
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// The API error, when Cloud Elements answered non-2xx.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Core(hootsuite_events::Error::Api(e)) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Core(e) => write!(f, "{e}"),
            Error::Transport { request, message, attempts } => {
                write!(f, "{request} failed after {attempts} attempt(s): {message}")
            }
            Error::OutcomeUnknown { message } => write!(
                f,
                "creating the instance failed with an unknown outcome ({message}). It was not retried: \
                 the OAuth code is single-use. List the instances (GET /instances with the instance's \
                 name as searchText, or its tags) to see whether it exists; if it does not, send the \
                 user through the consent step again for a new code"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Core(e) => Some(e),
            _ => None,
        }
    }
}

impl From<hootsuite_events::Error> for Error {
    fn from(e: hootsuite_events::Error) -> Self {
        Error::Core(e)
    }
}

/// When and how often to retry idempotent requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// The first backoff; each retry doubles it, with jitter.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a longer one is not waited for (the error is
    /// returned, with its `retry_after`).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The backoff before retry `n` (1-based): `base × 2^(n-1)`, capped, with jitter in its
    /// upper half so that many clients do not retry in step.
    pub fn backoff(&self, n: u32) -> Duration {
        let full = self
            .base_delay
            .saturating_mul(1u32 << (n.saturating_sub(1)).min(20))
            .min(self.max_delay);
        let half = full / 2;
        let jitter = RandomState::new().hash_one(n) % (half.as_micros().max(1) as u64);
        half + Duration::from_micros(jitter)
    }
}

/// Builds a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    config: Config,
    connect_timeout: Duration,
    read_timeout: Duration,
    retry: RetryPolicy,
    max_body_size: usize,
}

impl ClientBuilder {
    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }
    /// How long to wait for the answer's headers, and then for its body (default 30 s each).
    pub fn read_timeout(mut self, t: Duration) -> Self {
        self.read_timeout = t;
        self
    }
    /// The retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }
    /// The largest answer body read (default 1 MiB, as the core's parsers).
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }
    /// The client.
    pub fn build(self) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            // Clamped to a day: ureq adds timeouts to the clock, and `Duration::MAX` would overflow.
            .timeout_connect(Some(self.connect_timeout.min(MAX_TIMEOUT)))
            .timeout_recv_response(Some(self.read_timeout.min(MAX_TIMEOUT)))
            .timeout_recv_body(Some(self.read_timeout.min(MAX_TIMEOUT)))
            .user_agent(concat!("hootsuite-events/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client {
            config: self.config,
            agent,
            retry: self.retry,
            max_body_size: self.max_body_size,
        }
    }
}

/// A blocking client: one [`Config`], one connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    config: Config,
    agent: ureq::Agent,
    retry: RetryPolicy,
    max_body_size: usize,
}

/// What one attempt gave.
enum Attempt {
    Answer(HttpResponse),
    /// `sent` is false when the request certainly never reached the server.
    Failed {
        message: String,
        sent: bool,
    },
}

impl Client {
    /// A client with the default timeouts and retry policy.
    pub fn new(config: Config) -> Client {
        Client::builder(config).build()
    }

    /// A builder, to set timeouts and retries.
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder {
            config,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            max_body_size: hootsuite_events::json::DEFAULT_MAX_BODY_SIZE,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn attempt(&self, request: &HttpRequest) -> Result<Attempt, Error> {
        let http_request = request.clone().into_http()?;
        match self.agent.run(http_request) {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let headers = response
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                match response
                    .body_mut()
                    .with_config()
                    .limit(self.max_body_size as u64)
                    .read_to_vec()
                {
                    Ok(body) => Ok(Attempt::Answer(HttpResponse::new(status, headers, body))),
                    Err(ureq::Error::BodyExceedsLimit(limit)) => {
                        Err(Error::Core(hootsuite_events::Error::InvalidArgument {
                            field: "response body".into(),
                            reason: format!("is larger than the limit of {limit} bytes"),
                        }))
                    }
                    Err(e) => Ok(Attempt::Failed {
                        message: format!("reading the answer failed: {e}"),
                        sent: true,
                    }),
                }
            }
            Err(e) => {
                let sent = !match &e {
                    ureq::Error::ConnectionFailed
                    | ureq::Error::HostNotFound
                    | ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => true,
                    ureq::Error::Io(io) => io.kind() == std::io::ErrorKind::ConnectionRefused,
                    _ => false,
                };
                Ok(Attempt::Failed {
                    message: e.to_string(),
                    sent,
                })
            }
        }
    }

    /// Sends a request built by the core and returns the raw answer (any status), retrying
    /// idempotent requests on 429, 5xx and transport failures; never one that carries a
    /// single-use OAuth code (see [`HttpRequest::is_retry_safe`]).
    pub fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        let retryable_method = request.is_retry_safe();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let outcome = self.attempt(request)?;
            let can_retry = retryable_method && attempts <= self.retry.max_retries;
            let delay = match &outcome {
                Attempt::Answer(r) if can_retry && is_retryable_status(r.status) => {
                    // Seconds or an HTTP date; the date is measured against this machine's clock.
                    match ApiError::from_response(r).retry_after_from(std::time::SystemTime::now())
                    {
                        Some(wait) if wait > self.retry.max_retry_after => None,
                        Some(wait) => Some(wait),
                        None => Some(self.retry.backoff(attempts)),
                    }
                }
                Attempt::Failed { .. } if can_retry => Some(self.retry.backoff(attempts)),
                _ => None,
            };
            match (delay, outcome) {
                (Some(d), _) => std::thread::sleep(d),
                (None, Attempt::Answer(r)) => return Ok(r),
                (None, Attempt::Failed { message, sent }) => {
                    if request.method == hootsuite_events::Method::Post && sent {
                        return Err(Error::OutcomeUnknown { message });
                    }
                    return Err(Error::Transport {
                        request: format!("{} {}", request.method, request.redacted_url()),
                        message,
                        attempts,
                    });
                }
            }
        }
    }

    /// Step 1: the Hootsuite consent URL to send the user to.
    pub fn redirect_url(&self, params: &RedirectUrlParams) -> Result<RedirectUrl, Error> {
        let response = self.send(&oauth::redirect_url_request(&self.config, params)?)?;
        Ok(oauth::parse_redirect_url(&response)?)
    }

    /// Step 3: creates the instance. Never retried; see [`Error::OutcomeUnknown`].
    pub fn create_instance(&self, body: &CreateInstance) -> Result<Instance, Error> {
        let response = self.send(&instance::create_request(&self.config, body))?;
        if response.status >= 500 {
            return Err(Error::OutcomeUnknown {
                message: ApiError::from_response(&response).to_string(),
            });
        }
        Ok(instance::parse_instance(&response)?)
    }

    /// Reads one instance.
    pub fn get_instance(&self, id: u64) -> Result<Instance, Error> {
        Ok(instance::parse_instance(
            &self.send(&instance::get_request(&self.config, id))?,
        )?)
    }

    /// One page of instances.
    pub fn list_instances(&self, query: &ListQuery) -> Result<InstancePage, Error> {
        Ok(instance::parse_instance_page(
            &self.send(&instance::list_request(&self.config, query))?,
        )?)
    }

    /// Every instance matching `query`, page after page.
    pub fn instances(&self, query: ListQuery) -> Instances<'_> {
        Instances {
            client: self,
            query,
            buffer: VecDeque::new(),
            done: false,
        }
    }

    /// Sets the final `event.notification.callback.url` (phase two of the event wiring).
    pub fn update_event_callback(&self, id: u64, url: &str) -> Result<Instance, Error> {
        let request = instance::update_event_callback_request(&self.config, id, url)?;
        Ok(instance::parse_instance(&self.send(&request)?)?)
    }

    /// Sets a new event signature key (a rotation; see
    /// [`instance::set_signature_key_request`]).
    pub fn set_signature_key(&self, id: u64, key: &Secret) -> Result<Instance, Error> {
        let request = instance::set_signature_key_request(&self.config, id, key)?;
        Ok(instance::parse_instance(&self.send(&request)?)?)
    }

    /// Switches events on or off.
    pub fn set_events(&self, id: u64, enabled: bool) -> Result<Instance, Error> {
        Ok(instance::parse_instance(&self.send(
            &instance::set_events_request(&self.config, id, enabled),
        )?)?)
    }

    /// Re-authenticates with a new OAuth code (PATCH), keeping everything else.
    pub fn reauthenticate(&self, id: u64, code: &Secret) -> Result<Instance, Error> {
        let request = instance::reauthenticate_code_request(&self.config, id, code)?;
        Ok(instance::parse_instance(&self.send(&request)?)?)
    }

    /// Re-authenticates with a full body (PUT).
    pub fn replace_instance(&self, id: u64, body: &CreateInstance) -> Result<Instance, Error> {
        Ok(instance::parse_instance(&self.send(
            &instance::reauthenticate_request(&self.config, id, body),
        )?)?)
    }

    /// Enables or disables the instance.
    pub fn set_enabled(&self, id: u64, enabled: bool) -> Result<(), Error> {
        Ok(instance::parse_empty(&self.send(
            &instance::set_enabled_request(&self.config, id, enabled),
        )?)?)
    }

    /// Deletes the instance.
    pub fn delete_instance(&self, id: u64) -> Result<(), Error> {
        Ok(instance::parse_empty(
            &self.send(&instance::delete_request(&self.config, id))?,
        )?)
    }

    /// The events Cloud Elements recorded for the instance.
    pub fn instance_events(&self, id: u64) -> Result<Vec<InstanceEvent>, Error> {
        Ok(instance::parse_instance_events(
            &self.send(&instance::events_request(&self.config, id))?,
        )?)
    }

    /// One page of the events of instance `id`, or of every instance of the account (`None`).
    pub fn instance_event_page(
        &self,
        id: Option<u64>,
        query: &PageQuery,
    ) -> Result<InstanceEventPage, Error> {
        Ok(instance::parse_instance_event_page(&self.send(
            &instance::events_page_request(&self.config, id, query),
        )?)?)
    }

    /// Every event of instance `id` (or of the account with `None`), page after page, in at
    /// most `max_pages` requests: a server that keeps sending a next-page token cannot keep
    /// the loop going.
    pub fn all_instance_events(
        &self,
        id: Option<u64>,
        page_size: Option<u32>,
        max_pages: usize,
    ) -> Result<Vec<InstanceEvent>, Error> {
        let mut query = PageQuery {
            page_size,
            next_page: None,
        };
        let mut all = Vec::new();
        for _ in 0..max_pages {
            let page = self.instance_event_page(id, &query)?;
            all.extend(page.events);
            match page.next_page {
                Some(token) => query.next_page = Some(token),
                None => break,
            }
        }
        Ok(all)
    }

    /// One event, by the `eventId` of a notification: of instance `id`, or looked up across
    /// the account with `None`.
    pub fn instance_event(&self, id: Option<u64>, event_id: &str) -> Result<InstanceEvent, Error> {
        let request = instance::event_request(&self.config, id, event_id)?;
        Ok(instance::parse_instance_event(&self.send(&request)?)?)
    }

    /// The instance's configuration entries (each with the id that
    /// [`Client::update_configuration`] needs).
    pub fn configuration(&self, id: u64) -> Result<Vec<ConfigurationEntry>, Error> {
        Ok(instance::parse_configuration(&self.send(
            &instance::configuration_request(&self.config, id),
        )?)?)
    }

    /// Changes one configuration value.
    pub fn update_configuration(
        &self,
        id: u64,
        config_id: u64,
        property_value: &str,
    ) -> Result<ConfigurationEntry, Error> {
        Ok(instance::parse_configuration_entry(&self.send(
            &instance::update_configuration_request(&self.config, id, config_id, property_value),
        )?)?)
    }

    /// One page of the webhook deliveries matching `query`.
    pub fn list_deliveries(&self, query: &DeliveryQuery) -> Result<DeliveryPage, Error> {
        let request = deliveries::list_deliveries_request(&self.config, query)?;
        Ok(deliveries::parse_delivery_page(&self.send(&request)?)?)
    }

    /// Every delivery matching `query`, page after page, in at most `max_pages` requests: one
    /// page holding them all, whose `next_page` is where reading stopped when `max_pages` ran
    /// out before the last page (`None` when every page was read), with the last page's counts.
    pub fn all_deliveries(
        &self,
        query: &DeliveryQuery,
        max_pages: usize,
    ) -> Result<DeliveryPage, Error> {
        let mut query = query.clone();
        let mut all = DeliveryPage {
            deliveries: Vec::new(),
            next_page: None,
            total_count: None,
            returned_count: None,
        };
        for _ in 0..max_pages {
            let page = self.list_deliveries(&query)?;
            all.deliveries.extend(page.deliveries);
            all.total_count = page.total_count;
            all.returned_count = page.returned_count;
            all.next_page = page.next_page.clone();
            match page.next_page {
                Some(token) => query.next_page = Some(token),
                None => break,
            }
        }
        Ok(all)
    }

    /// Releases the queued deliveries matching `query` and re-enables their subscriptions;
    /// returns what was released. Retried like any `PUT`: it only touches queued deliveries,
    /// so a second attempt cannot re-send one the first released and the receiver took.
    pub fn redeliver(&self, query: &DeliveryQuery) -> Result<Vec<Delivery>, Error> {
        let request = deliveries::redeliver_request(&self.config, query)?;
        Ok(deliveries::parse_deliveries(&self.send(&request)?)?)
    }

    /// Re-enables instance `id`'s deactivated subscription (the redelivery `PUT` scoped to
    /// it); returns the deliveries released with it.
    pub fn reenable(&self, id: u64) -> Result<Vec<Delivery>, Error> {
        let request = deliveries::reenable_request(&self.config, id);
        Ok(deliveries::parse_deliveries(&self.send(&request)?)?)
    }

    /// The account's `notification.webhook.failure.policy`.
    pub fn failure_policy(&self) -> Result<FailurePolicy, Error> {
        let request = deliveries::failure_policy_request(&self.config);
        Ok(deliveries::parse_failure_policy(&self.send(&request)?)?)
    }

    /// Sets the account's failure policy; returns it as the platform now holds it. A `PATCH`,
    /// so not retried.
    pub fn set_failure_policy(&self, policy: FailurePolicy) -> Result<FailurePolicy, Error> {
        let request = deliveries::set_failure_policy_request(&self.config, policy);
        Ok(deliveries::parse_failure_policy(&self.send(&request)?)?)
    }
}

/// Iterates over every instance of a listing, fetching pages as needed. After an error it
/// yields that error once and ends.
pub struct Instances<'c> {
    client: &'c Client,
    query: ListQuery,
    buffer: VecDeque<Instance>,
    done: bool,
}

impl Iterator for Instances<'_> {
    type Item = Result<Instance, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(i) = self.buffer.pop_front() {
                return Some(Ok(i));
            }
            if self.done {
                return None;
            }
            match self.client.list_instances(&self.query) {
                Ok(page) => {
                    self.buffer.extend(page.instances);
                    match page.next_page {
                        Some(token) => self.query.next_page = Some(token),
                        None => self.done = true,
                    }
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
