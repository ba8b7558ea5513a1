//! A local emulator of the Cloud Elements API for the Hootsuite element, and of Hootsuite's
//! side of the flow (the consent page and the webhooks).
//!
//! Like stripe-mock, it is part of the product: the library's own tests, the bindings' tests
//! and your application's integration tests run the whole flow against it, on loopback, with
//! no account and no network.
//!
//! ```
//! use hootsuite_events_emulator::{Emulator, EmulatorConfig};
//! let emulator = Emulator::start(EmulatorConfig::default())?;
//! assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
//! emulator.shutdown();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! What it serves, under `<base URL> = http://127.0.0.1:<port>/elements/api-v2`:
//! - `GET|POST /elements/hootsuite/oauth/url` → `oauthUrl` pointing at the emulated consent page
//!   `http://127.0.0.1:<port>/hootsuite/oauth2/auth`, which redirects (302) to `callbackUrl`
//!   with a fresh single-use `code` and the `state`; add `decision=deny` to that URL to get
//!   `error=access_denied` instead;
//! - `POST /instances`, `GET /instances` (paged with
//!   `Elements-Next-Page-Token`, `Elements-Total-Count`, `Elements-Returned-Count`),
//!   `GET|PATCH|PUT|DELETE /instances/{id}`, `PUT|DELETE /instances/{id}/enabled`,
//!   `GET /instances[/{id}]/events[/{eventId}]` (paged), `GET /instances/{id}/configuration[/{configId}]`,
//!   `PATCH /instances/{id}/configuration/{configId}`; the same without an id, addressed by the
//!   `Element <token>` of `Authorization`; `GET|POST /elements/{hootsuite or 6791}/instances`,
//!   `GET|PUT|DELETE /elements/{hootsuite or 6791}/instances/{id}`;
//! - `POST /events/hootsuite/{Base64 id}`: Hootsuite's webhook, normalized into signed
//!   notifications POSTed to the instance's callback URL, retried on the documented
//!   2^(2x) schedule (scaled by [`EmulatorConfig::retry_unit`]) and then queued;
//! - `GET|PUT /notifications/subscriptions/deliveries`: delivery items (`created`, `retry`,
//!   `delivered`, `queued`; `where=status='…' and config.url='…' and instanceId=N`, paged;
//!   `hydrate=true` adds each item's `notification` and `subscription`),
//!   and redelivery of the queued ones, which re-enables their subscriptions;
//! - `GET|PATCH /accounts/settings`: `notification.webhook.failure.policy` (`retry`, or
//!   `queue`: a failed delivery is queued at once);
//! - emulator controls: `POST /emulator/instances/{id}/sample-event?type=message|comment|app|ping&count=N`
//!   (a Hootsuite batch of N events), `POST /emulator/replay` (a delivered notification sent
//!   again, signature and all, under another `Elements-Webhook-Id`),
//!   `POST|DELETE /emulator/faults` (inject statuses, delays, truncated answers),
//!   `GET /emulator/health`.

mod delivery;
mod hootsuite;
mod http;
mod render;
mod routes;
pub mod serve;
mod server;
mod state;
mod time;

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use hootsuite::{envelope, notifications, sample, InstanceInfo, EVENTS_PER_NOTIFICATION};
pub use state::Shared;
pub use time::now_rfc3339;

/// The path under which the API is served, as at Cloud Elements.
pub const API_PREFIX: &str = "/elements/api-v2";
/// The user secret the emulator accepts by default.
pub const DEFAULT_USER_SECRET: &str = "emulator-user-secret";
/// The organization secret the emulator accepts by default.
pub const DEFAULT_ORGANIZATION_SECRET: &str = "emulator-organization-secret";

/// How to run the emulator.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Where to listen; port 0 picks a free port. Loopback by default.
    pub bind: SocketAddr,
    /// The user secret accepted in `Authorization`.
    pub user_secret: String,
    /// The organization secret accepted in `Authorization`.
    pub organization_secret: String,
    /// What one "second" of the delivery retry schedule lasts. Cloud Elements retries attempt
    /// x after 2^(2x) seconds; tests set a few microseconds so that nine retries take well
    /// under a second.
    pub retry_unit: Duration,
    /// How long a delivery waits for the receiver's answer.
    pub delivery_timeout: Duration,
    /// The most connections served at once. At the limit the connection that has waited
    /// longest for a request head (new, mid-head or idle) is closed to take a new one, or else
    /// the one that has waited longest for a request body is answered 408; if all are working
    /// on an answer, more wait to be accepted.
    pub max_connections: usize,
    /// Items per page of `GET /instances` when `pageSize` is not given.
    pub default_page_size: usize,
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("bind", &self.bind)
            .field("user_secret", &"********")
            .field("organization_secret", &"********")
            .field("retry_unit", &self.retry_unit)
            .field("delivery_timeout", &self.delivery_timeout)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            user_secret: DEFAULT_USER_SECRET.into(),
            organization_secret: DEFAULT_ORGANIZATION_SECRET.into(),
            retry_unit: Duration::from_secs(1),
            delivery_timeout: Duration::from_secs(10),
            max_connections: 1024,
            default_page_size: 200,
        }
    }
}

/// A listening socket with `TCP_NODELAY`, which the connections it accepts inherit, and a
/// backlog of 1 024. The emulator uses it, and so do the CLI's receivers (give it to
/// [`serve::Server::start`]).
///
/// Why `TCP_NODELAY`: an answer written in two writes (head, then body) has Nagle's algorithm
/// hold the body until the client acknowledges the head, which Linux delays by 40 ms.
pub fn listener(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// A running emulator. Dropping it (or [`Emulator::shutdown`]) stops its threads.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Option<serve::Server>,
    threads: Vec<JoinHandle<()>>,
}

impl Emulator {
    /// Binds and starts serving.
    pub fn start(config: EmulatorConfig) -> io::Result<Emulator> {
        let listener = listener(config.bind)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config: config.clone(),
            origin: format!("http://{addr}"),
            state: Mutex::new(state::State::default()),
            wake: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let server = server::start(listener, Arc::clone(&shared))?;
        let delivery_shared = Arc::clone(&shared);
        let threads = vec![std::thread::Builder::new()
            .name("emulator-delivery".into())
            .spawn(move || delivery::run(&delivery_shared))?];
        Ok(Emulator {
            addr,
            shared,
            server: Some(server),
            threads,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give the library: `http://127.0.0.1:<port>/elements/api-v2`.
    pub fn base_url(&self) -> String {
        format!("{}{API_PREFIX}", self.shared.origin)
    }

    /// The user secret it accepts.
    pub fn user_secret(&self) -> &str {
        &self.shared.config.user_secret
    }

    /// The organization secret it accepts.
    pub fn organization_secret(&self) -> &str {
        &self.shared.config.organization_secret
    }

    /// How many instances exist now (for tests that check nothing leaks).
    pub fn instance_count(&self) -> usize {
        self.shared.lock().instances.len()
    }

    /// How many deliveries are waiting (created, retry) or queued, delivered ones not counted
    /// (for tests).
    pub fn delivery_count(&self) -> usize {
        self.shared
            .lock()
            .deliveries
            .iter()
            .filter(|d| !d.is_delivered())
            .count()
    }

    /// How many single-use OAuth codes were issued and not spent yet (for tests that check
    /// nothing accumulates).
    pub fn unspent_code_count(&self) -> usize {
        self.shared.lock().unspent_codes()
    }

    /// Stops serving and waits for the threads to end.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake.notify_all();
        if let Some(server) = self.server.take() {
            server.stop();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}
