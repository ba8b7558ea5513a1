//! The emulator's HTTP/1.1 server over raw loopback sockets: the request shapes the library's
//! clients (and curl) send, the malformed ones, and many connections opened at once.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use hootsuite_events_emulator::{Emulator, EmulatorConfig, API_PREFIX};

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

/// Hostile framing: each gets an error status or a closed connection, and the server keeps
/// answering others.
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
