//! Local HTTP listeners of the CLI: the event receiver (`listen`, `quickstart`) and the
//! one-shot OAuth callback catcher (`connect`). Both bind 127.0.0.1 only.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver as Rx};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use hootsuite_events::events::{self, Notification};
use hootsuite_events::idempotency::{self, MemoryStore};
use hootsuite_events::signature::Verifier;

const MAX_BODY: u64 = 1024 * 1024;

/// Receives event notifications, verifies and parses them, and hands over each one that has a
/// unit of work not processed before (units are keyed by signed content only: a replay under
/// another `Elements-Webhook-Id`, a retry or another part of a split batch is acknowledged,
/// not handed over again).
pub struct Receiver {
    url: String,
    events: Mutex<Rx<Notification>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    pub fn start(port: u16, verifier: Option<Verifier>) -> std::io::Result<Receiver> {
        let server = tiny_server(port)?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| std::io::Error::other("no IP address"))?;
        let (tx, rx) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let store = MemoryStore::new();
            let started = std::time::Instant::now();
            let now = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            while !stop_flag.load(Ordering::SeqCst) {
                let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(100)) else {
                    continue;
                };
                let headers: Vec<(String, String)> = request
                    .headers()
                    .iter()
                    .map(|h| {
                        (
                            h.field.as_str().as_str().to_string(),
                            h.value.as_str().to_string(),
                        )
                    })
                    .collect();
                let mut body = Vec::new();
                let read = request
                    .as_reader()
                    .take(MAX_BODY + 1)
                    .read_to_end(&mut body);
                let outcome = match read {
                    Err(e) => Err((400, format!("reading the body: {e}"))),
                    Ok(_) => match &verifier {
                        Some(v) => v.verify_event(&headers, &body).map_err(|e| {
                            (
                                if e.code().starts_with("signature") {
                                    401
                                } else {
                                    400
                                },
                                e.to_string(),
                            )
                        }),
                        None => events::parse_delivery(&headers, &body)
                            .map_err(|e| (400, e.to_string())),
                    },
                };
                let response = match outcome {
                    Ok(n) => {
                        // Handing the notification over is the processing; it cannot fail.
                        let outcome = idempotency::process(
                            &store,
                            &n,
                            now,
                            idempotency::DEFAULT_LEASE_MS,
                            |_| Ok::<(), std::convert::Infallible>(()),
                        );
                        let status = match outcome {
                            Ok(o) if o.processed > 0 => {
                                let status = o.status;
                                let _ = tx.send(n);
                                status
                            }
                            Ok(o) => o.status,
                            Err(_) => idempotency::STATUS_FAILED,
                        };
                        tiny_http::Response::from_string("ok").with_status_code(status)
                    }
                    Err((status, message)) => {
                        eprintln!("rejected a delivery: {message}");
                        tiny_http::Response::from_string(message).with_status_code(status)
                    }
                };
                let _ = request.respond(response);
            }
        });
        Ok(Receiver {
            url: format!("http://{addr}/events"),
            events: Mutex::new(rx),
            stop,
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The next new notification, waiting at most `timeout`.
    pub fn next(&self, timeout: Duration) -> Option<Notification> {
        self.events.lock().ok()?.recv_timeout(timeout).ok()
    }

    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The port of a callback URL that must point at this machine.
pub fn loopback_port(url: &str) -> Result<u16, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("the callback URL `{url}` must be http://localhost:<port>/... so that this command can receive it"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "80"));
    if !matches!(host, "localhost" | "127.0.0.1") {
        return Err(format!(
            "the callback URL `{url}` must be on localhost so that this command can receive it"
        ));
    }
    port.parse()
        .map_err(|_| format!("the callback URL `{url}` has an invalid port"))
}

/// A tiny_http server on loopback whose sockets send at once (`TCP_NODELAY`; without it each
/// answer's body waited 40 ms for the client's delayed ACK).
fn tiny_server(port: u16) -> std::io::Result<tiny_http::Server> {
    let listener = hootsuite_events_emulator::listener(([127, 0, 0, 1], port).into())?;
    tiny_http::Server::from_listener(listener, None).map_err(std::io::Error::other)
}

/// Catches one OAuth callback.
pub struct OneShot {
    server: tiny_http::Server,
}

impl OneShot {
    pub fn bind(port: u16) -> std::io::Result<OneShot> {
        Ok(OneShot {
            server: tiny_server(port)?,
        })
    }

    /// The URL of the first request that has a query (browsers also ask for /favicon.ico).
    pub fn wait(self, timeout: Duration) -> Option<String> {
        let deadline = std::time::Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            let Ok(Some(request)) = self.server.recv_timeout(left) else {
                return None;
            };
            let url = request.url().to_string();
            if url.contains('?') {
                let page = "<!doctype html><title>Connected</title><p>Hootsuite answered. You can close this window and return to the terminal.</p>";
                let header = tiny_http::Header::from_bytes(
                    &b"Content-Type"[..],
                    &b"text/html; charset=utf-8"[..],
                )
                .ok();
                let mut response = tiny_http::Response::from_string(page);
                if let Some(h) = header {
                    response.add_header(h);
                }
                let _ = request.respond(response);
                return Some(url);
            }
            let _ = request.respond(tiny_http::Response::empty(404));
        }
        None
    }
}
