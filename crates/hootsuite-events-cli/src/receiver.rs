//! Local HTTP listeners of the CLI: the event receiver (`listen`, `quickstart`) and the OAuth
//! callback catcher (`connect`). Both bind 127.0.0.1 only and run on the project's one HTTP
//! server (`hootsuite_events_emulator::serve`, hyper): head, body and idle limits and
//! timeouts, many clients at once.

use std::sync::mpsc::{channel, Receiver as Rx};
use std::sync::Mutex;
use std::time::Duration;

use hootsuite_events::events::{self, Notification, Rejected};
use hootsuite_events::idempotency::{self, Claim, MemoryStore, Store};
use hootsuite_events::signature::Verifier;
use hootsuite_events_emulator::serve::{Limits, Request, Response, Server};

const MAX_BODY: usize = 1024 * 1024;

fn server(
    port: u16,
    name: &str,
    handler: impl Fn(Request) -> Response + Send + Sync + 'static,
) -> std::io::Result<Server> {
    let listener = hootsuite_events_emulator::listener(([127, 0, 0, 1], port).into())?;
    let limits = Limits {
        max_body: MAX_BODY,
        max_connections: 64,
        ..Limits::default()
    };
    Server::start(listener, limits, name, handler)
}

/// Receives event notifications, verifies and parses them, processes their units once (units
/// are keyed by signed content only: a replay under another `Elements-Webhook-Id`, a retry or
/// another part of a split batch is acknowledged, not processed again), and hands over every
/// verified delivery with what happened to each unit.
pub struct Receiver {
    url: String,
    events: Mutex<Rx<Delivered>>,
    server: Server,
}

/// A verified notification, what happened to its units, and its events that could not be
/// read, recorded now.
pub struct Delivered {
    pub notification: Notification,
    pub rejected: Vec<Rejected>,
    /// Units processed now.
    pub processed: usize,
    /// The keys of the units processed before (duplicates: retries, replays, other parts).
    pub skipped: Vec<String>,
    /// The keys of the units another delivery holds (answered 409).
    pub in_progress: Vec<String>,
}

impl Delivered {
    /// Whether the delivery brought anything new (a unit processed or an event rejected now).
    pub fn is_new(&self) -> bool {
        self.processed > 0 || !self.rejected.is_empty()
    }
}

/// The store with each claim's answer noted by key, so that the listener can say which units
/// it skipped.
struct Noted<'a> {
    store: &'a MemoryStore,
    answers: std::cell::RefCell<Vec<(String, Claim)>>,
}

impl Store for Noted<'_> {
    type Error = hootsuite_events::Error;
    fn claim(&self, key: &str, lease_ms: u64, now_ms: u64) -> Result<Claim, Self::Error> {
        let claim = self.store.claim(key, lease_ms, now_ms)?;
        self.answers
            .borrow_mut()
            .push((key.to_string(), claim.clone()));
        Ok(claim)
    }
    fn complete(&self, key: &str, token: &str, now_ms: u64) -> Result<bool, Self::Error> {
        Ok(self.store.complete(key, token, now_ms))
    }
    fn release(&self, key: &str, token: &str) -> Result<bool, Self::Error> {
        Ok(self.store.release(key, token))
    }
}

impl Receiver {
    pub fn start(port: u16, verifier: Option<Verifier>) -> std::io::Result<Receiver> {
        let (tx, rx) = channel();
        let store = MemoryStore::new();
        let started = std::time::Instant::now();
        let server = server(port, "receiver", move |request| {
            if request.body_too_large {
                let why = format!("the body is larger than {MAX_BODY} bytes");
                eprintln!("rejected a delivery: {why}");
                return Response::new(413, "text/plain; charset=utf-8", why);
            }
            let outcome = match &verifier {
                Some(v) => v
                    .verify_event(&request.headers, &request.body)
                    .map_err(|e| {
                        let status = if e.code().starts_with("signature") {
                            401
                        } else {
                            400
                        };
                        (status, e.to_string())
                    }),
                None => events::parse_delivery(&request.headers, &request.body)
                    .map_err(|e| (400, e.to_string())),
            };
            match outcome {
                Ok(n) => {
                    let now = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                    let noted = Noted {
                        store: &store,
                        answers: std::cell::RefCell::new(Vec::new()),
                    };
                    // Handing the notification over is the processing; it cannot fail.
                    let outcome = idempotency::process(
                        &noted,
                        &n,
                        now,
                        idempotency::DEFAULT_LEASE_MS,
                        |_| Ok::<(), std::convert::Infallible>(()),
                    );
                    let keys = |want: &Claim| -> Vec<String> {
                        noted
                            .answers
                            .borrow()
                            .iter()
                            .filter(|(_, c)| c == want)
                            .map(|(k, _)| k.clone())
                            .collect()
                    };
                    let status = match outcome {
                        Ok(o) => {
                            let _ = tx.send(Delivered {
                                skipped: keys(&Claim::Done),
                                in_progress: keys(&Claim::InProgress),
                                processed: o.processed,
                                notification: n,
                                rejected: o.rejected,
                            });
                            o.status
                        }
                        Err(_) => idempotency::STATUS_FAILED,
                    };
                    Response::new(status, "text/plain; charset=utf-8", "ok")
                }
                Err((status, message)) => {
                    eprintln!("rejected a delivery: {}", crate::shown(&message));
                    Response::new(status, "text/plain; charset=utf-8", message)
                }
            }
        })?;
        Ok(Receiver {
            url: format!("http://{}/events", server.addr()),
            events: Mutex::new(rx),
            server,
        })
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The next new notification, waiting at most `timeout`.
    pub fn next(&self, timeout: Duration) -> Option<Delivered> {
        self.events.lock().ok()?.recv_timeout(timeout).ok()
    }

    pub fn stop(self) {
        self.server.stop();
    }
}

/// The port and path of a callback URL that must point at this machine.
pub fn loopback_port_and_path(url: &str) -> Result<(u16, String), String> {
    let shown = hootsuite_events::redact::quote_url(url);
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("the callback URL {shown} must be http://localhost:<port>/... so that this command can receive it"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "80"));
    if !matches!(host, "localhost" | "127.0.0.1") {
        return Err(format!(
            "the callback URL {shown} must be on localhost so that this command can receive it"
        ));
    }
    let port = port
        .parse()
        .map_err(|_| format!("the callback URL {shown} has an invalid port"))?;
    let path = tail.split(['?', '#']).next().unwrap_or_default();
    Ok((
        port,
        if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
    ))
}

fn page(status: u16, title: &str, text: &str) -> Response {
    Response::new(
        status,
        "text/html; charset=utf-8",
        format!("<!doctype html><title>{title}</title><p>{text}</p>"),
    )
}

/// Catches the OAuth callback of this flow: a request on the callback path whose `state` is
/// this flow's. Anything else (a favicon, a stray local request, a replayed or forged callback)
/// gets a page saying so, and the catcher keeps waiting until its timeout.
pub struct OneShot {
    server: Server,
    caught: Mutex<Rx<String>>,
}

impl OneShot {
    pub fn bind(port: u16, path: String, state: String) -> std::io::Result<OneShot> {
        let (tx, rx) = channel();
        let server = server(port, "callback", move |request| {
            if request.path() != path {
                return page(
                    404,
                    "Not the callback",
                    "This is not the OAuth callback path; hootsuite-events is still waiting.",
                );
            }
            match hootsuite_events::oauth::parse_callback(&request.target, &state) {
                Err(e)
                    if matches!(
                        e.code(),
                        "callback_missing_state" | "callback_state_mismatch" | "callback_malformed"
                    ) =>
                {
                    page(
                        400,
                        "Not this flow's callback",
                        "This callback does not carry the state of the running `connect`; hootsuite-events is still waiting.",
                    )
                }
                _ => {
                    let _ = tx.send(request.target);
                    page(
                        200,
                        "Connected",
                        "Hootsuite answered. You can close this window and return to the terminal.",
                    )
                }
            }
        })?;
        Ok(OneShot {
            server,
            caught: Mutex::new(rx),
        })
    }

    /// The path and query of this flow's callback, if it comes within `timeout`.
    pub fn wait(self, timeout: Duration) -> Option<String> {
        let caught = self.caught.lock().ok()?.recv_timeout(timeout).ok();
        self.server.stop();
        caught
    }
}
