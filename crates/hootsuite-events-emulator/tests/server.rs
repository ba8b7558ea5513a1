//! The emulator's HTTP/1.1 server (hyper, through `serve`) over raw loopback sockets: the
//! request shapes the library's clients (and curl) send, the malformed and ambiguous ones,
//! many connections opened at once or held idle, a header line that never ends, and the
//! server's timeouts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use hootsuite_events_emulator::serve::{Limits, Response, Server};
use hootsuite_events_emulator::{listener, Emulator, EmulatorConfig, API_PREFIX};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).expect("emulator")
}

fn connect(emu: &Emulator) -> TcpStream {
    let s = TcpStream::connect(emu.addr()).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s
}

/// Reads one answer: status, headers (lower-case names) and a `Content-Length` body.
fn read_answer(s: &mut TcpStream) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).expect("read head"), 1, "closed mid-head");
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).expect("ascii head");
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map_or(0, |(_, v)| v.parse().expect("length"));
    let mut body = vec![0u8; length];
    s.read_exact(&mut body).expect("body");
    (status, headers, body)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn health(path_prefix: &str) -> String {
    format!("GET {path_prefix}{API_PREFIX}/emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let emu = emulator();
    let mut s = connect(&emu);
    // Two requests written back to back (pipelined), then a third after the answers.
    s.write_all(format!("{}{}", health(""), health("")).as_bytes())
        .expect("write");
    for _ in 0..2 {
        let (status, headers, body) = read_answer(&mut s);
        assert_eq!(status, 200);
        assert_eq!(body, br#"{"status":"ok"}"#);
        assert!(header(&headers, "elements-request-id").is_some());
        assert_eq!(header(&headers, "connection"), None);
    }
    s.write_all(health("").as_bytes()).expect("write");
    assert_eq!(read_answer(&mut s).0, 200);
}

#[test]
fn http_1_0_and_connection_close_end_the_connection() {
    let emu = emulator();
    for request in [
        format!("GET {API_PREFIX}/emulator/health HTTP/1.0\r\n\r\n"),
        format!("GET {API_PREFIX}/emulator/health HTTP/1.1\r\nConnection: close\r\n\r\n"),
    ] {
        let mut s = connect(&emu);
        s.write_all(request.as_bytes()).expect("write");
        let (status, headers, _) = read_answer(&mut s);
        assert_eq!(
            (status, header(&headers, "connection")),
            (200, Some("close"))
        );
        let mut rest = Vec::new();
        assert_eq!(s.read_to_end(&mut rest).expect("eof"), 0);
    }
}

#[test]
fn chunked_and_expect_continue_bodies_are_read() {
    let emu = emulator();
    let url = format!("{API_PREFIX}/emulator/faults");
    let fault = br#"{"path": "/nowhere", "status": 503}"#;
    // Chunked, in two chunks with an extension and a trailer.
    let (a, b) = fault.split_at(10);
    let mut s = connect(&emu);
    let mut req = format!("POST {url} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x};ext=1\r\n", a.len()).into_bytes();
    req.extend_from_slice(a);
    req.extend_from_slice(format!("\r\n{:x}\r\n", b.len()).as_bytes());
    req.extend_from_slice(b);
    req.extend_from_slice(b"\r\n0\r\nX-Trailer: t\r\n\r\n");
    s.write_all(&req).expect("write");
    let (status, _, body) = read_answer(&mut s);
    assert!(status < 300, "{status} {}", String::from_utf8_lossy(&body));
    // Expect: 100-continue, as curl sends for larger bodies: the interim answer comes first.
    let mut s = connect(&emu);
    s.write_all(
        format!(
            "POST {url} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
            fault.len()
        )
        .as_bytes(),
    )
    .expect("write");
    let mut interim = [0u8; 25];
    s.read_exact(&mut interim).expect("100 Continue");
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(fault).expect("body");
    assert!(read_answer(&mut s).0 < 300);
}

#[test]
fn malformed_and_oversized_requests_get_their_status() {
    let emu = emulator();
    let cases: [(Vec<u8>, u16); 4] = [
        (b"NOT HTTP AT ALL\r\n\r\n".to_vec(), 400),
        (
            format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(70 * 1024)).into_bytes(),
            431,
        ),
        (
            format!(
                "POST {API_PREFIX}/instances HTTP/1.1\r\nContent-Length: {}\r\n\r\n{}",
                1024 * 1024 + 1,
                "x".repeat(1024 * 1024 + 1)
            )
            .into_bytes(),
            413,
        ),
        (
            b"POST / HTTP/1.1\r\nContent-Length: twelve\r\n\r\n".to_vec(),
            400,
        ),
    ];
    for (request, expected) in cases {
        let mut s = connect(&emu);
        s.write_all(&request).expect("write");
        let (status, headers, _) = read_answer(&mut s);
        assert_eq!(status, expected);
        assert_eq!(header(&headers, "connection"), Some("close"));
    }
}

/// Hostile framing: each gets an error status, and the server keeps answering others. The
/// client then closes its side, as a client that has sent everything does (a chunk announced
/// as 2^64-1 bytes would otherwise wait for its data until the body timeout).
#[test]
fn hostile_framing_does_not_break_the_server() {
    let emu = emulator();
    let cases: [&[u8]; 6] = [
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY",
        b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        b"\x00\xff\xfe garbage \r\n\r\n",
    ];
    for request in cases {
        let mut s = connect(&emu);
        s.write_all(request).expect("write");
        s.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let (status, _, _) = read_answer(&mut s);
        assert!((400..500).contains(&status), "{status} for {request:?}");
    }
    let mut s = connect(&emu);
    s.write_all(health("").as_bytes()).expect("write");
    assert_eq!(read_answer(&mut s).0, 200);
}

#[test]
fn head_answers_carry_no_body() {
    let emu = emulator();
    let mut s = connect(&emu);
    s.write_all(format!("HEAD {API_PREFIX}/emulator/health HTTP/1.1\r\n\r\n").as_bytes())
        .expect("write");
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).expect("read"), 1);
        buf.push(byte[0]);
    }
    // The connection stays usable: the next answer starts right after the head.
    s.write_all(health("").as_bytes()).expect("write");
    assert_eq!(read_answer(&mut s).0, 200);
}

/// A hundred connections opened at once are all answered while every one of them stays open:
/// no connection waits for another to close. (With tiny_http's pool some did; here they would
/// wait forever, since none closes before all are answered, and the read timeout fails the test.)
#[test]
fn simultaneous_connections_do_not_wait_for_each_other() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    const CLIENTS: usize = 100;
    let emu = emulator();
    let addr = emu.addr();
    let answered = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (answered, failed) = (Arc::clone(&answered), Arc::clone(&failed));
            std::thread::spawn(move || -> Result<(), String> {
                let run = || -> Result<TcpStream, String> {
                    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
                    s.set_read_timeout(Some(Duration::from_secs(20)))
                        .map_err(|e| e.to_string())?;
                    s.write_all(health("").as_bytes())
                        .map_err(|e| e.to_string())?;
                    let mut first = [0u8; 12];
                    s.read_exact(&mut first)
                        .map_err(|e| format!("no answer while the others stay open: {e}"))?;
                    if &first != b"HTTP/1.1 200" {
                        return Err(format!("answer {:?}", String::from_utf8_lossy(&first)));
                    }
                    Ok(s)
                };
                let result = run();
                if result.is_err() {
                    failed.store(true, Ordering::SeqCst);
                }
                answered.fetch_add(1, Ordering::SeqCst);
                // Hold the connection open until every client has its answer (bounded wait).
                let deadline = Instant::now() + Duration::from_secs(30);
                while answered.load(Ordering::SeqCst) < CLIENTS
                    && !failed.load(Ordering::SeqCst)
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                result.map(drop)
            })
        })
        .collect();
    for t in threads {
        t.join()
            .expect("client thread")
            .expect("a client was answered");
    }
}

#[test]
fn shutdown_returns_with_idle_connections_open() {
    let emu = emulator();
    let mut idle = connect(&emu);
    idle.write_all(health("").as_bytes()).expect("write");
    assert_eq!(read_answer(&mut idle).0, 200);
    let t = Instant::now();
    emu.shutdown();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    // The server closed the idle connection: end of stream (or a reset), not a read timeout.
    let mut rest = Vec::new();
    match idle.read_to_end(&mut rest) {
        Ok(n) => assert_eq!(n, 0),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
}

/// Reads until the server closes: true for end of stream or a reset, false for a read timeout.
fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut rest = Vec::new();
    match s.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

/// The framing ambiguities behind request smuggling. Two lengths that disagree, a length that
/// is not plain digits, a transfer coding that does not end in `chunked`, chunked in HTTP/1.0:
/// 400 and closed. `Transfer-Encoding` with `Content-Length` (either order): the chunked coding
/// alone frames the body (RFC 9112 §6.3), the connection closes after that one answer, and what
/// the `Content-Length` would have framed as a second request is never served.
#[test]
fn framing_ambiguities_are_refused_or_neutralized() {
    let emu = emulator();
    let health = format!("GET {API_PREFIX}/emulator/health HTTP/1.1\r\n\r\n");
    let refused = [
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef".to_string(),
        "POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\nabcdef".to_string(),
        "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nabcde".to_string(),
        "POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\nabcde".to_string(),
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc".to_string(),
        "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n".to_string(),
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            .to_string(),
        format!(
            "{}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            health.replace("HTTP/1.1\r\n\r\n", "HTTP/1.0")
        ),
    ];
    for request in &refused {
        let mut s = connect(&emu);
        s.write_all(request.as_bytes()).expect("write");
        let (status, headers, _) = read_answer(&mut s);
        assert_eq!(status, 400, "for {request:?}");
        assert_eq!(header(&headers, "connection"), Some("close"), "{request:?}");
        assert!(closed_by_server(&mut s), "still open after {request:?}");
    }
    let smuggled = format!("0\r\n\r\n{health}");
    for order in [
        format!(
            "Content-Length: {}\r\nTransfer-Encoding: chunked",
            smuggled.len()
        ),
        format!(
            "Transfer-Encoding: chunked\r\nContent-Length: {}",
            smuggled.len()
        ),
    ] {
        let mut s = connect(&emu);
        let request =
            format!("POST {API_PREFIX}/emulator/faults HTTP/1.1\r\n{order}\r\n\r\n{smuggled}");
        s.write_all(request.as_bytes()).expect("write");
        let (status, headers, _) = read_answer(&mut s);
        // The chunked body is empty, which the faults route refuses; the health request after
        // it would have answered 200.
        assert_eq!(status, 400, "{order}");
        assert_eq!(header(&headers, "connection"), Some("close"));
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        assert!(
            rest.is_empty(),
            "a second answer: {:?}",
            String::from_utf8_lossy(&rest)
        );
    }
}

/// 1 024 sockets connected and silent (the server's whole default connection budget) do not
/// keep a new client out: the server closes the connection idle longest to take it.
#[test]
fn an_idle_socket_flood_does_not_starve_the_server() {
    let emu = emulator();
    let mut idle = Vec::with_capacity(1024);
    for _ in 0..1024 {
        idle.push(TcpStream::connect(emu.addr()).expect("idle connect"));
    }
    // Let the server accept them all before the real client comes.
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let mut s = connect(&emu);
    s.write_all(health("").as_bytes()).expect("write");
    assert_eq!(read_answer(&mut s).0, 200);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "answered after {took:?}");
    // Only as many idle sockets as needed were closed (one per connection past the limit).
    assert!(ended(&idle) <= 8);
}

/// How many of these sockets the server has closed (end of stream), without waiting.
fn ended(sockets: &[TcpStream]) -> usize {
    sockets
        .iter()
        .filter(|s| {
            s.set_nonblocking(true).expect("nonblocking");
            let mut b = [0u8; 1];
            let mut reader: &TcpStream = s;
            matches!(reader.read(&mut b), Ok(0))
        })
        .count()
}

/// With a limit of 16 connections, 64 silent sockets: the server takes each new one by
/// closing the one idle longest, so 48 of them are closed, and a real client is answered.
#[test]
fn at_the_connection_limit_the_idlest_connection_makes_room() {
    let emu = Emulator::start(EmulatorConfig {
        max_connections: 16,
        ..EmulatorConfig::default()
    })
    .expect("emulator");
    let idle: Vec<TcpStream> = (0..64)
        .map(|_| TcpStream::connect(emu.addr()).expect("idle connect"))
        .collect();
    let mut s = connect(&emu);
    s.write_all(health("").as_bytes()).expect("write");
    assert_eq!(read_answer(&mut s).0, 200);
    // The 64 were accepted before the client (the backlog is in order): 49 made room.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut closed = ended(&idle);
    while closed < 49 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        closed = ended(&idle);
    }
    assert_eq!(closed, 49);
}

/// A header line that would be 1 GiB, streamed: the server answers 431 once the head passes
/// 64 KiB and closes, without reading (let alone buffering) the rest. The client stops writing
/// when the answer comes; by then it could write only what the socket buffers hold.
#[test]
fn a_one_gib_header_line_is_refused_without_being_read() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;
    const GIB: u64 = 1 << 30;
    let emu = emulator();
    let mut reader = connect(&emu);
    let mut writer = reader.try_clone().expect("clone");
    let (stop, written) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let (stop_w, written_w) = (Arc::clone(&stop), Arc::clone(&written));
    let feeder = std::thread::spawn(move || {
        let _ = writer.write_all(b"GET / HTTP/1.1\r\nX-Big: ");
        let chunk = vec![b'a'; 64 * 1024];
        while !stop_w.load(Ordering::SeqCst) && written_w.load(Ordering::SeqCst) < GIB {
            match writer.write(&chunk) {
                Ok(n) => written_w.fetch_add(n as u64, Ordering::SeqCst),
                Err(_) => break,
            };
        }
    });
    let (status, headers, _) = read_answer(&mut reader);
    let sent = written.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    assert_eq!(status, 431);
    assert_eq!(header(&headers, "connection"), Some("close"));
    assert!(
        sent < 64 * 1024 * 1024,
        "the server read {sent} bytes first"
    );
    assert!(closed_by_server(&mut reader));
    feeder.join().expect("feeder");
    // The server is fine.
    let mut s = connect(&emu);
    s.write_all(health("").as_bytes()).expect("write");
    assert_eq!(read_answer(&mut s).0, 200);
}

fn authorization(emu: &Emulator) -> String {
    format!(
        "User {}, Organization {}",
        emu.user_secret(),
        emu.organization_secret()
    )
}

/// A crafted page token with the largest offset: an empty page, not an overflow (which
/// panicked the connection on main).
#[test]
fn a_crafted_next_page_offset_does_not_overflow() {
    use base64::Engine as _;
    let emu = emulator();
    for offset in [usize::MAX, usize::MAX - 1, usize::MAX - 500] {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("offset:{offset}"));
        let mut s = connect(&emu);
        s.write_all(
            format!(
                "GET {API_PREFIX}/instances?pageSize=500&nextPage={token} HTTP/1.1\r\nAuthorization: {}\r\n\r\n",
                authorization(&emu)
            )
            .as_bytes(),
        )
        .expect("write");
        let (status, headers, body) = read_answer(&mut s);
        assert_eq!(
            (status, body.as_slice()),
            (200, &b"[]"[..]),
            "offset {offset}"
        );
        assert_eq!(header(&headers, "elements-next-page-token"), None);
    }
}

/// A request whose handler panics gets a 500, and its connection's slot is freed: with two
/// slots, five panicking requests in a row are followed by answered ones.
#[test]
fn a_panicking_request_does_not_leak_its_slot() {
    let emu = Emulator::start(EmulatorConfig {
        max_connections: 2,
        ..EmulatorConfig::default()
    })
    .expect("emulator");
    let fault = br#"{"path": "/instances", "panic": true, "times": 5}"#;
    let mut s = connect(&emu);
    s.write_all(
        format!(
            "POST {API_PREFIX}/emulator/faults HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            fault.len()
        )
        .as_bytes(),
    )
    .expect("write");
    s.write_all(fault).expect("write");
    assert!(read_answer(&mut s).0 < 300);
    drop(s);
    for _ in 0..5 {
        let mut s = connect(&emu);
        s.write_all(format!("GET {API_PREFIX}/instances HTTP/1.1\r\n\r\n").as_bytes())
            .expect("write");
        let (status, headers, _) = read_answer(&mut s);
        assert_eq!(
            (status, header(&headers, "connection")),
            (500, Some("close"))
        );
    }
    for _ in 0..4 {
        let mut s = connect(&emu);
        s.write_all(health("").as_bytes()).expect("write");
        assert_eq!(read_answer(&mut s).0, 200);
    }
}

/// The server's own timeouts, with short limits: a head that trickles in is cut off, an idle
/// keep-alive connection is closed, a body that stops coming gets 408.
#[test]
fn head_idle_and_body_timeouts_close_slow_clients() {
    let limits = Limits {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = Server::start(
        listener(([127, 0, 0, 1], 0).into()).expect("listen"),
        limits,
        "timeouts",
        |r| Response::new(200, "text/plain", r.body),
    )
    .expect("server");
    let open = || {
        let s = TcpStream::connect(server.addr()).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        s
    };
    // A head that never completes.
    let mut s = open();
    s.write_all(b"GET / HTTP/1.1\r\nX-Slow: ").expect("write");
    let t = Instant::now();
    assert!(closed_by_server(&mut s));
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    // An idle keep-alive connection after one answer.
    let mut s = open();
    s.write_all(b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi")
        .expect("write");
    let (status, _, body) = read_answer(&mut s);
    assert_eq!((status, body.as_slice()), (200, &b"hi"[..]));
    let t = Instant::now();
    assert!(closed_by_server(&mut s));
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    // A body that stops half way.
    let mut s = open();
    s.write_all(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nhalf")
        .expect("write");
    let (status, headers, _) = read_answer(&mut s);
    assert_eq!(
        (status, header(&headers, "connection")),
        (408, Some("close"))
    );
    server.stop();
}

/// The three ways a slow client holds a connection, each then silent: a first byte, part of a
/// head, a head and part of its body.
const SLOW_KINDS: [(&str, &[u8]); 3] = [
    ("one byte", b"P"),
    (
        "part of a head",
        b"POST /slow HTTP/1.1\r\nHost: x\r\nX-Slow: ",
    ),
    (
        "a head and part of its body",
        b"POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"par",
    ),
];

/// How many connections the flood test can afford: the emulator's default limit, unless the
/// limit on open files (both ends of each socket live in this process, next to the other tests'
/// floods) is too low for it.
fn connection_budget() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|n| n.parse::<usize>().ok())
        })
        .unwrap_or(1024);
    (soft.saturating_sub(3000) / 2).clamp(16, 1024)
}

/// As many slow sockets as the emulator serves at once, of each kind in turn, do not keep a
/// real client out: it is answered within seconds, not when their head or body deadline runs
/// out; one of them makes room (a head and part of a body: with a 408), the others stay.
#[test]
fn slow_socket_floods_do_not_starve_the_server() {
    let slots = connection_budget();
    let emu = Emulator::start(EmulatorConfig {
        max_connections: slots,
        ..EmulatorConfig::default()
    })
    .expect("emulator");
    for (kind, bytes) in SLOW_KINDS {
        let slow: Vec<TcpStream> = (0..slots)
            .map(|_| {
                let mut s = TcpStream::connect(emu.addr()).expect("slow connect");
                s.write_all(bytes).expect("slow write");
                s
            })
            .collect();
        // Let the server take them all before the real client comes.
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        let mut s = TcpStream::connect(emu.addr()).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(45)))
            .expect("timeout");
        s.write_all(health("").as_bytes()).expect("write");
        let mut first = [0u8; 12];
        let answer = s.read_exact(&mut first).map(|()| first);
        let took = started.elapsed();
        eprintln!(
            "{slots} slow sockets ({kind}): answered {:?} after {took:?}",
            answer
                .as_ref()
                .map(|a| String::from_utf8_lossy(a).into_owned())
        );
        assert_eq!(answer.ok().as_ref(), Some(b"HTTP/1.1 200"), "{kind}");
        assert!(
            took < Duration::from_secs(5),
            "{kind}: answered after {took:?}"
        );
        let (cut, refused) = cut_and_refused(&slow);
        eprintln!("  of them {cut} closed, {refused} answered 408");
        assert!((1..=8).contains(&cut), "{kind}: {cut} closed");
        if kind.contains("body") {
            assert_eq!(refused, cut, "{kind}: a body cut short is answered 408");
        }
    }
}

/// How many of these sockets the server has closed, and how many of those it answered 408
/// first (reads what has arrived, without waiting).
fn cut_and_refused(sockets: &[TcpStream]) -> (usize, usize) {
    let (mut cut, mut refused) = (0, 0);
    for s in sockets {
        s.set_nonblocking(true).expect("nonblocking");
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        let mut reader: &TcpStream = s;
        let closed = loop {
            match reader.read(&mut buf) {
                Ok(0) => break true,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break false,
                Err(_) => break true,
            }
        };
        if closed {
            cut += 1;
            refused += usize::from(got.starts_with(b"HTTP/1.1 408"));
        }
    }
    (cut, refused)
}

/// At the limit, connections waiting for a head (slow or idle) make room before those waiting
/// for a body, oldest first: with 4 slots, 2 slow bodies then 2 slow heads, three clients in
/// turn take the two slow heads' slots and then the first client's idle one; the slow bodies
/// are left alone.
#[test]
fn at_the_limit_waiting_heads_make_room_before_waiting_bodies() {
    let server = Server::start(
        listener(([127, 0, 0, 1], 0).into()).expect("listen"),
        Limits {
            max_connections: 4,
            ..Limits::default()
        },
        "priority",
        |r| Response::new(200, "text/plain", r.body),
    )
    .expect("server");
    let open = |bytes: &[u8]| {
        let mut s = TcpStream::connect(server.addr()).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        s.write_all(bytes).expect("write");
        // One at a time, so that their waits start in this order.
        std::thread::sleep(Duration::from_millis(100));
        s
    };
    let body = SLOW_KINDS[2].1;
    let bodies = [open(body), open(body)];
    let heads = [open(SLOW_KINDS[0].1), open(SLOW_KINDS[1].1)];
    let ask = b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi";
    let mut clients = Vec::new();
    for expected_cut in [1, 2] {
        let mut s = open(ask);
        assert_eq!(read_answer(&mut s).0, 200);
        assert_eq!(cut_and_refused(&heads), (expected_cut, 0));
        clients.push(s);
    }
    let mut third = open(ask);
    assert_eq!(read_answer(&mut third).0, 200);
    assert!(
        closed_by_server(&mut clients[0]),
        "the idle client made room"
    );
    assert_eq!(cut_and_refused(&bodies), (0, 0), "the slow bodies stay");
    clients[1].write_all(ask).expect("write");
    assert_eq!(read_answer(&mut clients[1]).0, 200);
}
