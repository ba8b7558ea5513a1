//! The emulator's HTTP/1.1 server: one thread per connection, `httparse` for the request head.
//!
//! Why not tiny_http (which the emulator used first): tiny_http serves each connection on a
//! pool thread for the connection's whole keep-alive life, and its pool can queue a new
//! connection's task behind connections that never end (`TaskPool::spawn` counts a waiting
//! thread that an earlier connection has already claimed). Fifty clients starting together
//! saw some first requests wait 3–13 s with their bytes unread in the socket. Here every
//! accepted connection gets its own thread at once, up to `max_connections`.
//!
//! It reads what the library's clients send: `Content-Length` or chunked bodies,
//! `Expect: 100-continue`, keep-alive (HTTP/1.1) or not (HTTP/1.0, `Connection: close`).
//! Every answer has a `Content-Length` and is written in one `write`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::http::{self, Req, Resp};
use crate::state::Shared;

/// The largest request head (request line and headers) read.
const MAX_HEAD: usize = 64 * 1024;
/// How often a connection thread waiting for bytes looks at the stop flag.
const POLL: Duration = Duration::from_millis(200);

/// The accept loop, running on its own thread until the emulator stops.
pub(crate) fn start(
    listener: TcpListener,
    shared: Arc<Shared>,
    max_connections: usize,
) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("emulator-accept".into())
        .spawn(move || accept_loop(&listener, &shared, max_connections.max(1)))
}

/// Wakes the accept loop so that it sees the stop flag (it blocks in `accept`).
pub(crate) fn wake(addr: SocketAddr) {
    let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, max_connections: usize) {
    let live = Arc::new(AtomicUsize::new(0));
    while !shared.stop.load(Ordering::SeqCst) {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: try again shortly.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        // A bound on threads: past it, new connections wait here (in the kernel's backlog).
        while live.load(Ordering::SeqCst) >= max_connections && !shared.stop.load(Ordering::SeqCst)
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        live.fetch_add(1, Ordering::SeqCst);
        let (shared, live_conn) = (Arc::clone(shared), Arc::clone(&live));
        let spawned = std::thread::Builder::new()
            .name("emulator-conn".into())
            .spawn(move || {
                connection(stream, &shared);
                live_conn.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            live.fetch_sub(1, Ordering::SeqCst);
        }
    }
    // Let the open connections see the stop flag and end (they poll every 200 ms); a
    // connection inside an injected delay ends when the delay does.
    let deadline = Instant::now() + Duration::from_secs(2);
    while live.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Why a connection ends.
enum End {
    /// The client closed it (or the emulator stops).
    Closed,
    /// The request cannot be read: answer with this status, then close.
    Bad(u16, &'static str),
}

/// A connection's bytes, read as they come.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// Reads more bytes into `buf`; `Err(End::Closed)` at EOF or when the emulator stops.
    fn fill(&mut self, shared: &Shared) -> Result<(), End> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if shared.stop.load(Ordering::SeqCst) {
                return Err(End::Closed);
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(End::Closed),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    continue
                }
                Err(_) => return Err(End::Closed),
            }
        }
    }

    /// Takes exactly `n` bytes (reading more as needed).
    fn take(&mut self, n: usize, shared: &Shared) -> Result<Vec<u8>, End> {
        while self.buf.len() < n {
            self.fill(shared)?;
        }
        let rest = self.buf.split_off(n);
        Ok(std::mem::replace(&mut self.buf, rest))
    }

    /// Takes one CRLF-terminated line (without the CRLF), for chunked bodies.
    fn line(&mut self, shared: &Shared) -> Result<Vec<u8>, End> {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let mut line = self.take(i + 2, shared)?;
                line.truncate(i);
                return Ok(line);
            }
            if self.buf.len() > MAX_HEAD {
                return Err(End::Bad(400, "a chunk line is too long"));
            }
            self.fill(shared)?;
        }
    }
}

fn connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(POLL));
    // A client that stops reading must not hold the thread forever.
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
    };
    loop {
        match request(&mut conn, shared) {
            Ok((req, keep_alive)) => {
                let head_only = req.method == "HEAD";
                let resp = http::handle(&req, shared);
                if resp.truncate {
                    let _ = conn.stream.write_all(&truncated(&resp));
                    let _ = conn.stream.shutdown(Shutdown::Both);
                    return;
                }
                let bytes = answer(&resp, keep_alive, head_only);
                if conn.stream.write_all(&bytes).is_err() || !keep_alive {
                    let _ = conn.stream.shutdown(Shutdown::Both);
                    return;
                }
            }
            Err(End::Closed) => return,
            Err(End::Bad(status, why)) => {
                let resp = Resp::json(status, &serde_json::json!({ "message": why }));
                let _ = conn.stream.write_all(&answer(&resp, false, false));
                let _ = conn.stream.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// Reads one request: its head, then its body. Also says whether the connection stays open.
fn request(conn: &mut Conn, shared: &Shared) -> Result<(Req, bool), End> {
    // The head.
    let (head_len, method, target, version, headers) = loop {
        let mut slots = [httparse::EMPTY_HEADER; 100];
        let mut parsed = httparse::Request::new(&mut slots);
        match parsed.parse(&conn.buf) {
            Ok(httparse::Status::Complete(n)) if n > MAX_HEAD => {
                return Err(End::Bad(431, "the request head is larger than 64 KiB"));
            }
            Ok(httparse::Status::Complete(n)) => {
                let headers: Vec<(String, String)> = parsed
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                break (
                    n,
                    parsed.method.unwrap_or("GET").to_ascii_uppercase(),
                    parsed.path.unwrap_or("/").to_string(),
                    parsed.version.unwrap_or(1),
                    headers,
                );
            }
            Ok(httparse::Status::Partial) if conn.buf.len() > MAX_HEAD => {
                return Err(End::Bad(431, "the request head is larger than 64 KiB"));
            }
            Ok(httparse::Status::Partial) => conn.fill(shared)?,
            Err(httparse::Error::TooManyHeaders) => {
                return Err(End::Bad(431, "the request has more than 100 headers"));
            }
            Err(_) => return Err(End::Bad(400, "the request cannot be read as HTTP/1.1")),
        }
    };
    conn.buf.drain(..head_len);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let connection = header("connection").map(str::to_ascii_lowercase);
    let keep_alive = match (version, connection.as_deref()) {
        (_, Some(c)) if c.contains("close") => false,
        (0, Some(c)) => c.contains("keep-alive"),
        (0, None) => false,
        _ => true,
    };
    if header("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        let _ = conn.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }

    // The body: chunked, sized, or none.
    let chunked =
        header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        let mut body = Vec::new();
        loop {
            let line = conn.line(shared)?;
            let size_text = String::from_utf8_lossy(&line);
            let size_text = size_text.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| End::Bad(400, "a chunk size is not hexadecimal"))?;
            if size == 0 {
                // Trailers, up to the empty line.
                while !conn.line(shared)?.is_empty() {}
                break;
            }
            if body.len().saturating_add(size) > http::MAX_BODY as usize {
                return Err(End::Bad(413, "The request body is larger than 1 MiB"));
            }
            body.extend(conn.take(size, shared)?);
            if !conn.take(2, shared)?.starts_with(b"\r\n") {
                return Err(End::Bad(400, "a chunk does not end with CRLF"));
            }
        }
        body
    } else {
        let length = match header("content-length") {
            None => 0,
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map_err(|_| End::Bad(400, "Content-Length is not a number"))?,
        };
        if length > http::MAX_BODY {
            // Read (and drop) a body of reasonable size first, so that the client gets the 413
            // rather than a reset; past 8 MiB, just answer and close.
            if length <= 8 * http::MAX_BODY {
                conn.take(length as usize, shared)?;
            }
            return Ok((
                http::request(method, &target, headers, Vec::new(), true),
                false,
            ));
        }
        conn.take(length as usize, shared)?
    };
    Ok((
        http::request(method, &target, headers, body, false),
        keep_alive,
    ))
}

/// The reason phrase of a status (clients ignore it; people reading traces do not).
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// The whole answer, head and body, to write at once.
fn answer(resp: &Resp, keep_alive: bool, head_only: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + resp.body.len());
    let _ = write!(out, "HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        if k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("connection") {
            continue;
        }
        // Header values come from the emulator's own answers; a CR or LF would split them.
        if v.contains(['\r', '\n']) || k.contains(['\r', '\n', ':']) {
            continue;
        }
        let _ = write!(out, "{k}: {v}\r\n");
    }
    let no_body = matches!(resp.status, 204 | 304) || (100..200).contains(&resp.status);
    if !no_body {
        let _ = write!(out, "Content-Length: {}\r\n", resp.body.len());
    }
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !no_body && !head_only {
        out.extend_from_slice(&resp.body);
    }
    out
}

/// A chunked answer that breaks off after half its body: the client sees the answer end
/// mid-body, as with a connection reset (the `truncate` fault).
fn truncated(resp: &Resp) -> Vec<u8> {
    let body = if resp.body.len() < 8 {
        b"{\"message\": \"truncated\"}".to_vec()
    } else {
        resp.body.clone()
    };
    let half = &body[..body.len() / 2];
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n",
        resp.status,
        reason(resp.status),
        half.len()
    )
    .into_bytes();
    out.extend_from_slice(half);
    out.extend_from_slice(b"\r\n!! connection reset by the emulator !!\r\n\r\n");
    out
}
