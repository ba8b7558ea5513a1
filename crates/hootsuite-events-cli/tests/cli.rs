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

fn json_of(stdout: &[u8]) -> serde_json::Value {
    serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(stdout)))
}

#[test]
fn help_documents_the_exit_codes() {
    let out = bin().arg("--help").output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for line in [
        "0  success",
        "1  invalid input, or a notification that fails verification",
        "2  usage error",
        "3  network or API error",
    ] {
        assert!(help.contains(line), "{line:?} missing from:\n{help}");
    }
    // The README states the same table.
    let readme = std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR")))
        .expect("README");
    for code in ["| 0 |", "| 1 |", "| 2 |", "| 3 |"] {
        assert!(readme.contains(code), "{code} missing from the CLI README");
    }
}

#[test]
fn exit_codes_tell_usage_input_and_network_apart() {
    // 2: usage, from the argument parser.
    for args in [
        &["no-such-command"][..],
        &["webhook-url"][..],
        &["webhook-url", "--id", "x"][..],
        &["listen", "--port", "1"][..],
    ] {
        let out = bin()
            .args(args)
            .env_remove("HOOTSUITE_EVENTS_SIGNATURE_KEY")
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // 1: invalid input, with the precise error in JSON.
    let out = bin()
        .args([
            "webhook-url",
            "--id",
            "5",
            "--base-url",
            "ftp://x",
            "--json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = json_of(&out.stdout);
    assert_eq!(err["error"]["code"], "invalid_argument");
    assert_eq!(err["error"]["exit_code"], 1);
    assert!(
        err["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("base_url")),
        "{err}"
    );

    // 3: nothing listens on the port (a port just freed by the OS).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let connect = |base: &str, user: &str, org: &str| {
        bin()
            .args([
                "connect",
                "--json",
                "--base-url",
                base,
                "--callback-url",
                "http://localhost:8799/callback",
                "--timeout",
                "5",
            ])
            .env("HOOTSUITE_EVENTS_USER_SECRET", user)
            .env("HOOTSUITE_EVENTS_ORGANIZATION_SECRET", org)
            .env("HOOTSUITE_API_KEY", "cli-client")
            .env("HOOTSUITE_API_SECRET", "CLI-CLIENT-SECRET")
            .output()
            .expect("runs")
    };
    let out = connect(
        &format!("http://127.0.0.1:{closed}/elements/api-v2"),
        "user-secret-0123456789",
        "organization-secret-0123456789",
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = json_of(&out.stdout);
    assert_eq!(err["error"]["code"], "network");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("CLI-CLIENT-SECRET"));

    // 3 as well: Cloud Elements (the emulator) refuses the secrets.
    let emu = hootsuite_events_emulator::Emulator::start(
        hootsuite_events_emulator::EmulatorConfig::default(),
    )
    .expect("emulator");
    let out = connect(
        &emu.base_url(),
        "wrong-user-secret-0123456789",
        "wrong-organization-secret-0123",
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = json_of(&out.stdout);
    assert_eq!(err["error"]["code"], "api", "{err}");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !all.contains("wrong-user-secret") && !all.contains("CLI-CLIENT-SECRET"),
        "{all}"
    );
}

#[test]
fn json_output_of_quickstart_webhook_url_and_verify() {
    let out = bin().args(["quickstart", "--json"]).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json_of(&out.stdout);
    assert_eq!(doc["steps"].as_array().map(Vec::len), Some(10), "{doc}");
    assert_eq!(doc["steps"][9]["label"], "event");
    let id = doc["instance"]["id"].as_u64().expect("instance id");
    assert!(doc["webhook_url"]
        .as_str()
        .is_some_and(|u| u.contains("/events/hootsuite/")));
    assert_eq!(doc["notification"]["instance_id"], id);
    assert_eq!(
        doc["notification"]["hootsuite_events"][0]["data"]["message_id"], "10248023",
        "{doc}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for secret in [
        "quickstart-client-secret",
        "qs-key-",
        "emulator-user-secret",
    ] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }

    let out = bin()
        .args(["webhook-url", "--id", "12345", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let doc = json_of(&out.stdout);
    assert_eq!(
        doc["webhook_url"],
        "https://api.cloud-elements.com/elements/api-v2/events/hootsuite/MTIzNDU="
    );
    assert_eq!(doc["instance_id"], 12345);

    let body = br#"{"message":{"eventId":"e-1","instanceId":7,"events":[{"objectType":"messages","objectId":"m","eventType":"CREATED"}]}}"#;
    let verify = |header: &str| {
        let mut child = bin()
            .args(["verify", "--json", "--header", header])
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
    let ok = verify(&sign(&SignatureKey::new("cli-key-XYZ"), body));
    assert_eq!(ok.status.code(), Some(0));
    let doc = json_of(&ok.stdout);
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["notification"]["event_id"], "e-1");
    assert_eq!(doc["notification"]["instance_id"], 7);
    let bad = verify("sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    assert_eq!(bad.status.code(), Some(1));
    let doc = json_of(&bad.stdout);
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["error"]["code"], "signature_mismatch");
    assert!(!String::from_utf8_lossy(&bad.stdout).contains("cli-key-XYZ"));
}

#[test]
fn connect_json_prints_the_instance_with_its_token_on_request() {
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
            "--json",
            "--print-token",
            "--base-url",
            &emu.base_url(),
            "--callback-url",
            &format!("http://localhost:{port}/callback"),
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
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // With --json the instructions, the consent URL among them, go to standard error.
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut consent = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !consent.trim_start().starts_with("http") {
        assert!(Instant::now() < deadline, "no consent URL printed");
        consent.clear();
        assert!(
            stderr.read_line(&mut consent).expect("read") > 0,
            "connect ended early"
        );
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let answer = agent.get(consent.trim()).call().expect("consent page");
    let location = answer.headers()["location"]
        .to_str()
        .expect("ascii")
        .replace("localhost", "127.0.0.1");
    agent.get(&location).call().expect("callback listener");
    let out = child.wait_with_output().expect("connect exits");
    assert!(out.status.success());
    let doc = json_of(&out.stdout);
    let id = doc["instance"]["id"].as_u64().expect("instance id");
    let token = doc["instance"]["token"].as_str().expect("token");
    assert!(!token.contains('*') && !token.is_empty(), "{doc}");
    assert_eq!(
        doc["instance"]["token_masked"]
            .as_str()
            .map(|m| m.contains('*')),
        Some(true)
    );
    assert!(doc["webhook_url"]
        .as_str()
        .is_some_and(|u| u.ends_with(&format!("/events/hootsuite/{}", base64_of(id)))));
    // The token is usable: the emulator knows the instance by it.
    let listed = ureq::get(&format!("{}/instances/{id}", emu.base_url()))
        .header(
            "Authorization",
            &format!(
                "User {}, Organization {}",
                emu.user_secret(),
                emu.organization_secret()
            ),
        )
        .call()
        .expect("instance exists");
    let body: serde_json::Value =
        serde_json::from_reader(listed.into_body().into_reader()).expect("JSON");
    assert_eq!(body["id"], id);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("CLI-CLIENT-SECRET"));
}

fn base64_of(id: u64) -> String {
    hootsuite_events::instance::hootsuite_webhook_url(
        &hootsuite_events::BaseUrl::parse("https://h/x").expect("base"),
        id,
    )
    .rsplit('/')
    .next()
    .unwrap_or_default()
    .to_string()
}
