//! The one HTTP/1.1 server of the project: the emulator and the CLI's receivers (`listen`, the
//! OAuth callback catcher of `connect`) all run on it.
//!
//! hyper 1 reads the wire (strict framing: two different `Content-Length`s, a length that is
//! not digits, a `Transfer-Encoding` that does not end in `chunked` are refused with 400; a
//! request with both `Transfer-Encoding` and `Content-Length` is framed by the chunked coding
//! only and its connection closed after the answer, RFC 9112 §6.3). A tokio runtime on threads
//! of its own runs it, so that callers stay synchronous: [`Server::start`] returns once the
//! socket listens, the handler is a plain function from a [`Request`] to a [`Response`] (run
//! inline on a runtime thread, so it must not block: delays go in [`Response::delay`]), and
//! [`Server::stop`] waits for the end.
//!
//! Limits, all in [`Limits`]: the request head (431 past it, read no further), the number of
//! headers, the body (413), the time to send a head (also the keep-alive idle time), the time to
//! send a body (408), and the connections served at once. A full server makes room for a new
//! connection by closing the one that has waited longest for a request head (new, mid-head or
//! idle: not a customer yet), or else by answering 408 to the one that has waited longest for a
//! request body, so that neither idle nor slow sockets can starve it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};

/// What a server accepts, and for how long it waits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest request head (request line and headers), in bytes; past it the answer is
    /// 431 and the connection closes, without reading the rest. At least 8 KiB.
    pub max_head: usize,
    /// The most header lines in a request (431 past it).
    pub max_headers: usize,
    /// The largest request body, in bytes. A larger one reaches the handler as
    /// [`Request::body_too_large`] with an empty body, and the connection closes after the answer.
    pub max_body: usize,
    /// How long a client has to send a whole request head, counted from the connection's start
    /// or from the previous answer: this is also how long an idle keep-alive connection lives.
    pub header_timeout: Duration,
    /// How long a client has to send a whole body once its head arrived (408 past it).
    pub body_timeout: Duration,
    /// The most connections served at once. At the limit, the connection that has waited
    /// longest for a request head (new, mid-head or idle) is closed to take the new one; if
    /// none is, the one that has waited longest for a request body is answered 408 and closed;
    /// if every connection is working on an answer, new connections wait in the backlog.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head: 64 * 1024,
            max_headers: 100,
            max_body: 1024 * 1024,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

/// A request as a handler sees it. Its `Debug` shows no header value, query or body: they may
/// carry an Authorization header, an instance token or an OAuth code.
pub struct Request {
    /// The method, upper case.
    pub method: String,
    /// The request target as sent: the path and the query.
    pub target: String,
    /// The headers in the order received; names lower case.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
    /// The body was over [`Limits::max_body`]: `body` is empty, answer 413.
    pub body_too_large: bool,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path())
            .field("headers", &names)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("body_too_large", &self.body_too_large)
            .finish()
    }
}

impl Request {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

/// An answer. `Content-Length` is set by the server; a `Connection: close` header closes the
/// connection after the answer.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code (an invalid one is sent as 500).
    pub status: u16,
    /// The headers; a name or value that cannot be sent is left out.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Send half the body, chunked, then cut the connection (the emulator's `truncate` fault).
    pub truncate: bool,
    /// Wait this long before answering (the emulator's `delay_ms` fault), without holding a
    /// thread.
    pub delay: Duration,
}

impl Response {
    /// An answer with a body of that content type.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            truncate: false,
            delay: Duration::ZERO,
        }
    }

    /// A JSON answer `{"message": ...}` that closes the connection (for transport errors).
    fn closing(status: u16, message: &str) -> Response {
        let body = serde_json::json!({ "message": message }).to_string();
        let mut r = Response::new(status, "application/json", body);
        r.headers.push(("Connection".into(), "close".into()));
        r
    }
}

type Handler = dyn Fn(Request) -> Response + Send + Sync;

/// A running server; dropping it stops it too.
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish()
    }
}

impl Server {
    /// Serves `listener` (see [`crate::listener`]) on threads of its own until [`Server::stop`].
    /// `name` names the threads.
    pub fn start(
        listener: std::net::TcpListener,
        limits: Limits,
        name: &str,
        handler: impl Fn(Request) -> Response + Send + Sync + 'static,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name(format!("{name}-http"))
            .enable_all()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let (stop, stop_rx) = watch::channel(false);
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = std::thread::Builder::new()
            .name(format!("{name}-accept"))
            .spawn(move || {
                let live = Arc::new(Semaphore::new(limits.max_connections.max(1)));
                runtime.block_on(accept_loop(
                    listener,
                    Arc::new(limits),
                    handler,
                    stop_rx,
                    Arc::clone(&live),
                ));
                // Connections still open (an answer in an injected delay) are dropped.
                runtime.shutdown_background();
            })?;
        Ok(Server {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes the connections (idle ones at once, busy ones after their
    /// answer, at most about 2 s) and waits for the threads.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.halt();
    }
}

/// How long an evicted connection may take to send what it owes (an answer under way, a 408)
/// before it is dropped: a new connection waits for its slot.
const EVICTION_GRACE: Duration = Duration::from_secs(1);

/// How often a full server looks again for a connection to evict while none frees its slot.
const ROOM_RETRY: Duration = Duration::from_millis(100);

/// One connection's entry: what it waits for from its client and since when, and how to ask it
/// to close.
struct Slot {
    state: Mutex<SlotState>,
    /// Wakes a body read when the connection is evicted.
    cut: Notify,
    close: Notify,
}

/// What a connection waits for from its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    Head,
    Body,
}

struct SlotState {
    /// Live head deadlines (see [`HeadTimer`]): above zero while hyper waits for a head.
    heads: usize,
    head_since: Instant,
    /// Set while the request's body is being read.
    body_since: Option<Instant>,
    /// What the connection was waiting for when it was evicted.
    evicted: Option<Wait>,
    /// The task waiting on the head deadline, woken on eviction.
    head_waker: Option<Waker>,
}

impl SlotState {
    /// Since when the connection waits for `wait`, if it does and is not evicted yet.
    fn waiting(&self, wait: Wait) -> Option<Instant> {
        if self.evicted.is_some() {
            return None;
        }
        match wait {
            Wait::Head => (self.heads > 0).then_some(self.head_since),
            Wait::Body => self.body_since,
        }
    }
}

impl Slot {
    fn state(&self) -> MutexGuard<'_, SlotState> {
        // The state is plain values, each write complete: keep using it after a panic.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_evicted(&self) -> bool {
        self.state().evicted.is_some()
    }

    /// Ends the connection to make room if it still waits for `wait`: a head deadline fires at
    /// once, a body read ends in 408, and the connection closes after what it is answering.
    fn evict(&self, wait: Wait) -> bool {
        let waker = {
            let mut state = self.state();
            if state.waiting(wait).is_none() {
                return false;
            }
            state.evicted = Some(wait);
            state.head_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        self.cut.notify_waiters();
        self.close.notify_one();
        true
    }

    /// Resolves once the connection is evicted while waiting for a body (a head that
    /// completed just as its connection was evicted is still answered).
    async fn body_evicted(&self) {
        loop {
            let notified = self.cut.notified();
            tokio::pin!(notified);
            // Registered before the check, so that an eviction in between is not missed.
            notified.as_mut().enable();
            if self.state().evicted == Some(Wait::Body) {
                return;
            }
            notified.await;
        }
    }
}

#[derive(Default)]
struct Registry {
    next: AtomicU64,
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
}

impl Registry {
    fn slots(&self) -> MutexGuard<'_, HashMap<u64, Arc<Slot>>> {
        // A panic elsewhere cannot leave the map half-changed: keep using it.
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn add(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> (Arc<Slot>, SlotGuard) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            state: Mutex::new(SlotState {
                heads: 0,
                head_since: Instant::now(),
                body_since: None,
                evicted: None,
                head_waker: None,
            }),
            cut: Notify::new(),
            close: Notify::new(),
        });
        self.slots().insert(id, Arc::clone(&slot));
        let guard = SlotGuard {
            registry: Arc::clone(self),
            id,
            _permit: permit,
        };
        (slot, guard)
    }

    /// Evicted connections that have not ended yet.
    fn evictions_pending(&self) -> usize {
        self.slots().values().filter(|s| s.is_evicted()).count()
    }

    /// Evicts the connection that has waited longest for a head, or else the one that has
    /// waited longest for a body; false if every connection is working on an answer.
    fn evict_one(&self) -> bool {
        let slots = self.slots();
        [Wait::Head, Wait::Body].into_iter().any(|wait| {
            let mut waiting: Vec<(Instant, &Arc<Slot>)> = slots
                .values()
                .filter_map(|s| s.state().waiting(wait).map(|t| (t, s)))
                .collect();
            waiting.sort_unstable_by_key(|(t, _)| *t);
            // The oldest, unless it stopped waiting since it was looked at.
            waiting.into_iter().any(|(_, s)| s.evict(wait))
        })
    }
}

/// Frees a connection's slot when its task ends, panicking or not.
struct SlotGuard {
    registry: Arc<Registry>,
    id: u64,
    _permit: OwnedSemaphorePermit,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        self.registry.slots().remove(&self.id);
    }
}

/// hyper's timer for one connection. An HTTP/1 server connection sleeps only for its head
/// deadline (`header_read_timeout`), so a live sleep means the connection waits for a head;
/// an eviction makes it fire at once, and hyper closes the connection as on a late head.
struct HeadTimer(Arc<Slot>);

impl hyper::rt::Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        {
            let mut state = self.0.state();
            state.heads += 1;
            state.head_since = Instant::now();
        }
        Box::pin(HeadDeadline {
            sleep: Box::pin(tokio::time::sleep_until(deadline.into())),
            slot: Arc::clone(&self.0),
        })
    }
}

struct HeadDeadline {
    sleep: Pin<Box<tokio::time::Sleep>>,
    slot: Arc<Slot>,
}

impl hyper::rt::Sleep for HeadDeadline {}

impl std::future::Future for HeadDeadline {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        {
            let mut state = self.slot.state();
            if state.evicted.is_some() {
                return Poll::Ready(());
            }
            match &mut state.head_waker {
                Some(w) => w.clone_from(cx.waker()),
                None => state.head_waker = Some(cx.waker().clone()),
            }
        }
        self.sleep.as_mut().poll(cx)
    }
}

impl Drop for HeadDeadline {
    fn drop(&mut self) {
        let mut state = self.slot.state();
        state.heads = state.heads.saturating_sub(1);
        if state.heads == 0 {
            state.head_waker = None;
        }
    }
}

/// Marks a connection as waiting for a request body while it lives.
struct BodyWait(Arc<Slot>);

impl BodyWait {
    fn new(slot: &Arc<Slot>) -> BodyWait {
        slot.state().body_since = Some(Instant::now());
        BodyWait(Arc::clone(slot))
    }
}

impl Drop for BodyWait {
    fn drop(&mut self) {
        self.0.state().body_since = None;
    }
}

/// Waits for a free slot, evicting one connection at a time to make one; None if the server
/// stops or the semaphore is closed.
async fn make_room(
    registry: &Registry,
    live: &Arc<Semaphore>,
    stop: &mut watch::Receiver<bool>,
) -> Option<OwnedSemaphorePermit> {
    loop {
        // One eviction at a time, so that only as many connections close as are needed.
        if registry.evictions_pending() == 0 {
            registry.evict_one();
        }
        tokio::select! {
            p = tokio::time::timeout(ROOM_RETRY, Arc::clone(live).acquire_owned()) => match p {
                Ok(Ok(p)) => return Some(p),
                Ok(Err(_)) => return None,
                // Nothing freed yet: a connection may have become evictable since.
                Err(_) => {}
            },
            _ = stop.changed() => return None,
        }
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    limits: Arc<Limits>,
    handler: Arc<Handler>,
    mut stop: watch::Receiver<bool>,
    live: Arc<Semaphore>,
) {
    let registry = Arc::new(Registry::default());
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: try again shortly.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let permit = match Arc::clone(&live).try_acquire_owned() {
            Ok(p) => p,
            Err(_) => match make_room(&registry, &live, &mut stop).await {
                Some(p) => p,
                None => break,
            },
        };
        let _ = stream.set_nodelay(true);
        let (slot, guard) = registry.add(permit);
        tokio::spawn(connection(
            stream,
            slot,
            guard,
            Arc::clone(&limits),
            Arc::clone(&handler),
            stop.clone(),
        ));
    }
    // Ask every connection to close (idle ones close at once), and wait for them a little.
    for slot in registry.slots().values() {
        slot.close.notify_one();
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while !registry.slots().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn connection(
    mut stream: tokio::net::TcpStream,
    slot: Arc<Slot>,
    guard: SlotGuard,
    limits: Arc<Limits>,
    handler: Arc<Handler>,
    mut stop: watch::Receiver<bool>,
) {
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1
        .timer(HeadTimer(Arc::clone(&slot)))
        .header_read_timeout(limits.header_timeout)
        .max_header_size(limits.max_head)
        .max_buf_size(limits.max_head.max(8192))
        .max_headers(limits.max_headers);
    let service_slot = Arc::clone(&slot);
    let service_limits = Arc::clone(&limits);
    let service = hyper::service::service_fn(move |req| {
        let (slot, limits, handler) = (
            Arc::clone(&service_slot),
            Arc::clone(&service_limits),
            Arc::clone(&handler),
        );
        async move { Ok::<_, Infallible>(serve_one(req, &slot, &limits, handler).await) }
    });
    let ended_cleanly = {
        let conn = http1.serve_connection(TokioIo::new(&mut stream), service);
        tokio::pin!(conn);
        let stopping = *stop.borrow();
        if stopping {
            conn.as_mut().graceful_shutdown();
        }
        tokio::select! {
            r = conn.as_mut() => r.is_ok(),
            _ = slot.close.notified() => {
                conn.as_mut().graceful_shutdown();
                if slot.is_evicted() {
                    // Past the grace, dropped as it is: no answer is owed to a late client.
                    tokio::time::timeout(EVICTION_GRACE, conn.as_mut())
                        .await
                        .map_or(true, |r| r.is_ok())
                } else {
                    conn.as_mut().await.is_ok()
                }
            }
            _ = stop.changed() => {
                conn.as_mut().graceful_shutdown();
                conn.as_mut().await.is_ok()
            }
        }
    };
    // An evicted connection does not linger: its slot is wanted now.
    if !ended_cleanly && !slot.is_evicted() {
        linger(&mut stream).await;
    }
    // Closed before its slot frees: whoever takes the slot finds this socket already closed.
    drop(stream);
    // Only now: a lingering connection still counts against `max_connections`.
    drop(guard);
}

/// After an error answer, reads (and drops) what the client is still sending for a moment
/// before closing: closing a socket with unread bytes sends a reset, which can destroy the
/// error answer before the client reads it.
async fn linger(stream: &mut tokio::net::TcpStream) {
    let _ = stream.shutdown().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 16 * 1024];
    let mut left: usize = 16 * 1024 * 1024;
    while left > 0 {
        match tokio::time::timeout_at(deadline, stream.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => left = left.saturating_sub(n),
            _ => break,
        }
    }
}

/// Reads the body within the limits, runs the handler on the blocking pool, builds the answer.
async fn serve_one(
    req: hyper::Request<Incoming>,
    slot: &Arc<Slot>,
    limits: &Limits,
    handler: Arc<Handler>,
) -> hyper::Response<Body> {
    let (parts, mut body) = req.into_parts();
    // Say so when the connection ends after this answer (HTTP/1.0, or the client asked).
    let asked_close = parts
        .headers
        .get_all(CONNECTION)
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"close"))
        || (parts.version == hyper::Version::HTTP_10
            && !parts
                .headers
                .get_all(CONNECTION)
                .iter()
                .any(|v| v.as_bytes().eq_ignore_ascii_case(b"keep-alive")));
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let max_body = limits.max_body;
    let read = async {
        let mut data = Vec::new();
        if declared.is_some_and(|n| n > max_body as u64) {
            // Read and drop a body of reasonable size, so that the client gets the 413 rather
            // than a reset; past 8 times the limit, answer without reading.
            if declared.is_some_and(|n| n <= 8 * max_body as u64) {
                while let Some(frame) = body.frame().await {
                    frame.map_err(|_| ())?;
                }
            }
            return Ok((data, true));
        }
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| ())?;
            if let Some(chunk) = frame.data_ref() {
                if data.len().saturating_add(chunk.len()) > max_body {
                    return Ok((Vec::new(), true));
                }
                data.extend_from_slice(chunk);
            }
        }
        Ok((data, false))
    };
    let waiting = BodyWait::new(slot);
    let read = tokio::select! {
        r = tokio::time::timeout(limits.body_timeout, read) => r,
        () = slot.body_evicted() => {
            let why = "the server is full and the request body has not arrived";
            return to_hyper(Response::closing(408, why), false);
        }
    };
    drop(waiting);
    let (data, too_large) = match read {
        Ok(Ok(read)) => read,
        Ok(Err(())) => {
            return to_hyper(
                Response::closing(
                    400,
                    "the request body cannot be read (bad chunked framing or a cut connection)",
                ),
                false,
            )
        }
        Err(_) => {
            let why = format!(
                "the request body did not arrive within {} s",
                limits.body_timeout.as_secs()
            );
            return to_hyper(Response::closing(408, &why), false);
        }
    };
    let request = Request {
        method: parts.method.as_str().to_ascii_uppercase(),
        target: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_string(), |p| p.as_str().to_string()),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: data,
        body_too_large: too_large,
    };
    // Inline on the runtime's thread: handlers only compute and take short locks.
    let answer = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(request))) {
        Ok(a) => a,
        // The handler panicked: this request fails, the connection goes on being served.
        Err(_) => Response::closing(500, "the server failed on this request"),
    };
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    to_hyper(answer, too_large || asked_close)
}

fn to_hyper(answer: Response, close: bool) -> hyper::Response<Body> {
    let mut out = hyper::Response::new(if answer.truncate {
        Body::truncated(answer.body)
    } else {
        Body::full(answer.body)
    });
    *out.status_mut() = hyper::StatusCode::from_u16(answer.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    for (k, v) in &answer.headers {
        if k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("transfer-encoding") {
            continue;
        }
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            headers.append(k, v);
        }
    }
    if close || answer.truncate {
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    out
}

/// An answer's body: all of it, or (the `truncate` fault) half of it and then a cut.
pub(crate) struct Body {
    data: Option<Bytes>,
    cut: bool,
}

impl Body {
    fn full(body: Vec<u8>) -> Body {
        Body {
            data: Some(Bytes::from(body)),
            cut: false,
        }
    }

    fn truncated(body: Vec<u8>) -> Body {
        let body = if body.len() < 8 {
            b"{\"message\": \"truncated\"}".to_vec()
        } else {
            body
        };
        let half = body.len() / 2;
        Body {
            data: Some(Bytes::from(body).slice(..half)),
            cut: true,
        }
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.data.take() {
            Some(d) => Poll::Ready(Some(Ok(Frame::data(d)))),
            None if self.cut => {
                self.cut = false;
                Poll::Ready(Some(Err(io::Error::other(
                    "connection cut by the emulator",
                ))))
            }
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.cut
    }

    fn size_hint(&self) -> SizeHint {
        if self.cut {
            // Unknown length: sent chunked, so that the cut shows as a broken body.
            SizeHint::default()
        } else {
            SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
        }
    }
}
