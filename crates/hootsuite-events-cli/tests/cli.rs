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

#[test]
fn connect_against_the_emulator() {
    let emu = hootsuite_events_emulator::Emulator::start(
        hootsuite_events_emulator::EmulatorConfig::default(),
    )
    .expect("emulator");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = bin()
        .args([
            "connect",
            "--base-url",
            &emu.base_url(),
            "--callback-url",
            &format!("http://localhost:{port}/callback"),
            "--events-url",
            "https://app.example/events",
            "--timeout",
            "20",
        ])
        .env("HOOTSUITE_EVENTS_USER_SECRET", emu.user_secret())
        .env(
            "HOOTSUITE_EVENTS_ORGANIZATION_SECRET",
            emu.organization_secret(),
        )
        .env("HOOTSUITE_API_KEY", "cli-client")
        .env("HOOTSUITE_API_SECRET", "CLI-CLIENT-SECRET")
        .env("HOOTSUITE_EVENTS_SIGNATURE_KEY", "CLI-SIGNING-KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut consent = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !consent.trim_start().starts_with("http") {
        assert!(Instant::now() < deadline, "no consent URL printed");
        consent.clear();
        assert!(
            stdout.read_line(&mut consent).expect("read") > 0,
            "connect ended early"
        );
    }
    // The browser's part: open the consent page, follow its redirect to the local callback.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let answer = agent.get(consent.trim()).call().expect("consent page");
    let location = answer.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        location.starts_with(&format!("http://localhost:{port}/callback?code=")),
        "{location}"
    );
    let page = agent
        .get(&location.replace("localhost", "127.0.0.1"))
        .call()
        .expect("callback listener");
    assert_eq!(page.status().as_u16(), 200);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("rest of stdout");
    let status = child.wait().expect("connect exits");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert!(status.success(), "{rest}\n{stderr}");
    assert!(
        rest.contains("Instance created: id 10001, token "),
        "{rest}"
    );
    assert!(rest.contains("/events/hootsuite/MTAwMDE="), "{rest}");
    assert!(
        rest.contains("Event callback URL set to https://app.example/events"),
        "{rest}"
    );
    for secret in [
        "CLI-CLIENT-SECRET",
        "CLI-SIGNING-KEY",
        emu.user_secret(),
        emu.organization_secret(),
    ] {
        assert!(
            !rest.contains(secret) && !stderr.contains(secret) && !consent.contains(secret),
            "{secret} leaked"
        );
    }
}

/// Issue "Receiving events you can trust", as a new user tries it: one signed body POSTed three
/// times under `Elements-Webhook-Id` a, b, a is printed once; `trigger` sends a 45-event batch
/// (three notifications, each with the whole batch), retries each and replays the first,
/// signed with the previous key: the listener verifies it after the rotation and prints the
/// batch once.
#[test]
fn trigger_and_listen_process_each_event_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut listen = bin()
        .args([
            "listen",
            "--port",
            &port.to_string(),
            "--max-events",
            "3",
            "--json",
        ])
        .args(["--key", "new-key", "--key", "old-key"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn listener");
    let url = format!("http://127.0.0.1:{port}/events");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the listener never came up");
        std::thread::sleep(Duration::from_millis(50));
    }

    let body =
        br#"{"message":{"eventId":"e-3","instanceId":3,"events":[{"eventType":"CREATED"}]}}"#;
    let header = sign(&SignatureKey::new("new-key"), body);
    for webhook_id in ["a", "b", "a"] {
        let answer = ureq::post(&url)
            .header("Elements-Webhook-Signature", &header)
            .header("Elements-Webhook-Id", webhook_id)
            .send(&body[..])
            .expect("answered");
        assert_eq!(answer.status().as_u16(), 200, "a replay is acknowledged");
    }

    let trigger = bin()
        .args([
            "trigger",
            "message",
            "--to",
            &url,
            "--count",
            "45",
            "--retries",
            "1",
        ])
        .args(["--replay", "--json", "--key", "old-key"])
        .output()
        .expect("trigger runs");
    let sent = String::from_utf8_lossy(&trigger.stdout);
    assert!(trigger.status.success(), "{sent}");
    let lines: Vec<serde_json::Value> = sent
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    // Three notifications (20 + 20 + 5 events), each sent twice, then one replay.
    assert_eq!(lines.len(), 7, "{sent}");
    assert!(
        lines.iter().all(|l| l["status"] == 200 && l["of"] == 3),
        "{sent}"
    );
    // A new event ends the listener (its third notification): nothing else was printed between.
    let last = bin()
        .args(["trigger", "app", "--to", &url, "--key", "new-key"])
        .output()
        .expect("trigger runs");
    assert!(last.status.success());

    let deadline = Instant::now() + Duration::from_secs(10);
    while listen.try_wait().expect("status").is_none() {
        if Instant::now() > deadline {
            let _ = listen.kill();
            panic!("the listener did not print three notifications");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = listen.wait_with_output().expect("output");
    let printed: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(printed.len(), 3);
    assert_eq!(printed[0]["webhook_id"], "a");
    assert_eq!(printed[0]["units"][0]["key"], "ce:3:e-3:0");
    let batch = &printed[1];
    assert_eq!(batch["key_index"], 1, "signed with the previous key");
    assert_eq!(batch["hootsuite_events"].as_array().map(Vec::len), Some(45));
    let mut keys: Vec<&str> = batch["units"]
        .as_array()
        .expect("units")
        .iter()
        .filter_map(|u| u["key"].as_str())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 45, "one unit per Hootsuite event");
    assert!(keys.iter().all(|k| k.starts_with("hs:12345:")));
    assert_eq!(printed[2]["key_index"], 0);
    assert_eq!(printed[2]["hootsuite_events"][0]["data"]["kind"], "app");
}
