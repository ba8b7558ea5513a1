//! The `hootsuite-events` binary as a user runs it: exit codes, output, and secrets kept out
//! of it. Every child process is bounded in time.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hootsuite_events::signature::{sign, SignatureKey};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hootsuite-events"))
}

fn fixture(name: &str) -> String {
    format!(
        "{}/../hootsuite-events/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn quickstart_runs_the_whole_flow() {
    let out = bin().arg("quickstart").output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("10. event         signature verified"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Hootsuite message 10248023 SENT"),
        "{stdout}"
    );
    for secret in [
        "quickstart-client-secret",
        "qs-key-",
        "emulator-user-secret",
        "emulator-organization-secret",
    ] {
        assert!(!stdout.contains(secret), "{secret} leaked:\n{stdout}");
    }
}

#[test]
fn validate_exit_codes_and_positions() {
    let ok = bin()
        .args(["validate", &fixture("create-documented.json")])
        .output()
        .expect("runs");
    assert_eq!(ok.status.code(), Some(0));
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(text.contains("valid (0 error(s), 1 warning(s))"), "{text}");
    assert!(!text.contains("client-secret-1"), "{text}");

    let bad = bin()
        .args(["validate", &fixture("create-events-page-curl.json")])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(1));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(
        text.contains("malformed JSON at line 12, column 5"),
        "{text}"
    );

    let bad = bin()
        .args([
            "validate",
            "--json",
            &fixture("create-authenticate-page.json"),
        ])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&bad.stdout).expect("JSON report");
    assert_eq!(report["errors"][0]["code"], "invalid_url");

    let missing = bin()
        .args(["validate", "/nonexistent/x.json"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("reading /nonexistent/x.json"));

    let mut child = bin()
        .args(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"[]")
        .expect("write");
    let out = child.wait_with_output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn webhook_url_and_verify() {
    let out = bin()
        .args(["webhook-url", "--id", "12345"])
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "https://api.cloud-elements.com/elements/api-v2/events/hootsuite/MTIzNDU="
    );

    let body = br#"{"message":{"eventId":"e-1","instanceId":7,"events":[{"objectType":"messages","objectId":"m","eventType":"CREATED"}]}}"#;
    let header = sign(&SignatureKey::new("cli-key-XYZ"), body);
    let run = |header: &str| {
        let mut child = bin()
            .args(["verify", "--header", header])
            .env("HOOTSUITE_EVENTS_SIGNATURE_KEY", "cli-key-XYZ")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(body)
            .expect("write");
        child.wait_with_output().expect("runs")
    };
    let ok = run(&header);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("instance 7 event e-1; messages m CREATED")
    );
    let bad = run("sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("[signature_mismatch]") && !err.contains("cli-key-XYZ"),
        "{err}"
    );
}

#[test]
fn emulate_and_listen() {
    let mut emu = bin()
        .args([
            "emulate",
            "--json",
            "--max-seconds",
            "20",
            "--exit-on-stdin-close",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn emulator");
    let mut line = String::new();
    BufReader::new(emu.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let info: serde_json::Value = serde_json::from_str(&line).expect("JSON line");
    let base = info["base_url"].as_str().expect("base_url").to_string();
    let health = ureq::get(&format!("{base}/emulator/health"))
        .call()
        .expect("health");
    assert_eq!(health.status().as_u16(), 200);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let listen = bin()
        .args([
            "listen",
            "--port",
            &port.to_string(),
            "--max-events",
            "1",
            "--json",
        ])
        .env("HOOTSUITE_EVENTS_SIGNATURE_KEY", "listen-key")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn listener");
    let body = br#"{"message":{"eventId":"e-9","instanceId":3,"events":[]}}"#;
    let header = sign(&SignatureKey::new("listen-key"), body);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let sent = ureq::post(&format!("http://127.0.0.1:{port}/events"))
            .header("Elements-Webhook-Signature", &header)
            .header("Elements-Webhook-Id", "wh-cli")
            .send(&body[..]);
        if sent.is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "the listener never came up");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = listen
        .wait_with_output()
        .expect("listener ends after one event");
    assert!(out.status.success());
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(event["webhook_id"], "wh-cli");
    assert_eq!(event["event_id"], "e-9");

    drop(emu.stdin.take());
    let status = emu.wait().expect("emulator exits when stdin closes");
    assert!(status.success());
}
