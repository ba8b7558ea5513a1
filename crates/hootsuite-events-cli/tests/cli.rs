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
    let out = bin()
        .args(["webhook-url", "--region", "sap-us2", "--id", "12345"])
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "https://api.openconnectors.us2.ext.hana.ondemand.com/elements/api-v2/events/hootsuite/MTIzNDU="
    );
    let out = bin()
        .args(["webhook-url", "--region", "mars", "--id", "1"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("sap-trial-eu10"),
        "the error lists the presets"
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
    // During a rotation: the current key first, the previous one second.
    let file = std::env::temp_dir().join(format!(
        "hootsuite-events-verify-{}.json",
        std::process::id()
    ));
    std::fs::write(&file, body).expect("write the body");
    let rotated = bin()
        .args([
            "verify",
            "--header",
            &header,
            "--key",
            "new-key",
            "--key",
            "cli-key-XYZ",
            "--file",
        ])
        .arg(&file)
        .output()
        .expect("runs");
    let _ = std::fs::remove_file(&file);
    assert!(
        String::from_utf8_lossy(&rotated.stdout).starts_with("valid (key_index 1: a previous key)"),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
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

/// A secret as a file, a secret on standard input, a secret as a flag (works, with a warning
/// naming the safer ways), a missing secret (a precise error, no prompt without a terminal).
#[test]
fn secrets_from_files_stdin_and_flags() {
    let body = br#"{"message":{"eventId":"e-1","instanceId":7,"events":[]}}"#;
    let header = sign(&SignatureKey::new("FILE-KEY-123"), body);
    let dir = std::env::temp_dir().join(format!("hootsuite-events-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let key_file = dir.join("key");
    std::fs::write(&key_file, "FILE-KEY-123\n").expect("key file");
    let body_file = dir.join("body.json");
    std::fs::write(&body_file, body).expect("body file");
    let run = |args: &[&str], stdin: &[u8]| {
        let mut child = bin()
            .args(args)
            .env_remove("HOOTSUITE_EVENTS_SIGNATURE_KEY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin).expect("write");
        drop(input);
        let out = child.wait_with_output().expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let body_path = body_file.to_str().expect("utf-8 path");
    let key_path = key_file.to_str().expect("utf-8 path");
    // From a file (the trailing newline is not part of the key).
    let (code, out, err) = run(
        &[
            "verify",
            "--header",
            &header,
            "--key-file",
            key_path,
            "--file",
            body_path,
        ],
        b"",
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!err.contains("warning"), "{err}");
    // From standard input (not a terminal: one line).
    let (code, out, err) = run(
        &[
            "verify",
            "--header",
            &header,
            "--key-file",
            "-",
            "--file",
            body_path,
        ],
        b"FILE-KEY-123\n",
    );
    assert_eq!(code, Some(0), "{out}{err}");
    // As a flag: works, and says what to use instead, without the key.
    let (code, out, err) = run(
        &[
            "verify",
            "--header",
            &header,
            "--key",
            "FILE-KEY-123",
            "--file",
            body_path,
        ],
        b"",
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        err.contains("warning: --key puts the signature key in the process list")
            && err.contains("HOOTSUITE_EVENTS_SIGNATURE_KEY")
            && err.contains("--key-file")
            && !err.contains("FILE-KEY-123"),
        "{err}"
    );
    // Missing, standard input not a terminal: an error naming the ways, no prompt.
    let (code, _, err) = run(&["verify", "--header", &header, "--file", body_path], b"");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("the signature key is missing: set HOOTSUITE_EVENTS_SIGNATURE_KEY, or give --key-file PATH"),
        "{err}"
    );
    // An empty file, a file that is not there: errors naming the flag and the path.
    std::fs::write(&key_file, "\n").expect("key file");
    let (code, _, err) = run(
        &[
            "verify",
            "--header",
            &header,
            "--key-file",
            key_path,
            "--file",
            body_path,
        ],
        b"",
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains(&format!(
            "--key-file {key_path}: the signature key is empty"
        )),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let (code, _, err) = run(
        &[
            "verify",
            "--header",
            &header,
            "--key-file",
            key_path,
            "--file",
            body_path,
        ],
        b"",
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains(&format!("reading --key-file {key_path}")),
        "{err}"
    );
}

/// A cleartext base URL to another host is refused before any secret is read or sent, and
/// named; `--allow-insecure-http` lets it through. 0.0.0.0 is not a loopback address, yet
/// Linux connects it to this machine, where nothing listens on port 1: refused at once.
#[test]
fn connect_refuses_cleartext_to_other_hosts() {
    let run = |extra: &[&str]| {
        let out = bin()
            .args([
                "connect",
                "--base-url",
                "http://0.0.0.0:1/elements/api-v2",
                "--timeout",
                "1",
            ])
            .args(extra)
            .env("HOOTSUITE_EVENTS_USER_SECRET", "u-SECRET")
            .env("HOOTSUITE_EVENTS_ORGANIZATION_SECRET", "o-SECRET")
            .env("HOOTSUITE_API_KEY", "k")
            .env("HOOTSUITE_API_SECRET", "a-SECRET")
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&[]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("cleartext http://") && err.contains("base_url"),
        "{err}"
    );
    let (code, err) = run(&[
        "--allow-insecure-http",
        "--callback-url",
        "http://localhost:1/cb",
    ]);
    // Past the cleartext check, it fails on the network (exit code 3), not on the URL.
    assert_eq!(code, Some(3), "{err}");
    assert!(!err.contains("cleartext"), "{err}");
    assert!(!err.contains("SECRET"), "{err}");
}

/// On a terminal a missing secret is asked for with a hidden prompt: run under `script`
/// (util-linux, which gives the command a pseudo-terminal), the prompt shows, the key typed
/// verifies the body, and the key is not echoed back.
#[test]
fn a_missing_secret_is_prompted_for_on_a_terminal() {
    let body = br#"{"message":{"eventId":"e-2","instanceId":8,"events":[]}}"#;
    let header = sign(&SignatureKey::new("TTY-KEY-456"), body);
    let body_file =
        std::env::temp_dir().join(format!("hootsuite-events-tty-{}", std::process::id()));
    std::fs::write(&body_file, body).expect("body file");
    let command = format!(
        "'{}' verify --header '{header}' --file '{}'",
        env!("CARGO_BIN_EXE_hootsuite-events"),
        body_file.display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("HOOTSUITE_EVENTS_SIGNATURE_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut chunk = [0u8; 256];
        while let Ok(n) = std::io::Read::read(&mut stdout, &mut chunk) {
            if n == 0 || tx.send(chunk[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    // Typed once the prompt is up (and echo is off a moment later): earlier, the terminal
    // would echo it.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !String::from_utf8_lossy(&seen).contains("signature key: ") {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => seen.extend(chunk),
            Err(_) => panic!("no prompt: {}", String::from_utf8_lossy(&seen)),
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    stdin.write_all(b"TTY-KEY-456\n").expect("type the key");
    let status = child.wait().expect("runs");
    reader.join().expect("reader");
    seen.extend(rx.try_iter().flatten());
    let _ = std::fs::remove_file(&body_file);
    let text = String::from_utf8_lossy(&seen);
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("signature key: "), "{text}");
    assert!(
        text.contains("valid (key_index 0: the current key): instance 8 event e-2"),
        "{text}"
    );
    assert!(!text.contains("TTY-KEY-456"), "{text}");
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
    let user_secret_file =
        std::env::temp_dir().join(format!("hootsuite-events-us-{}", std::process::id()));
    std::fs::write(&user_secret_file, emu.user_secret()).expect("secret file");
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
            "--user-secret-file",
            user_secret_file.to_str().expect("utf-8 path"),
            "--organization-secret-file",
            "-",
        ])
        .env_remove("HOOTSUITE_EVENTS_USER_SECRET")
        .env_remove("HOOTSUITE_EVENTS_ORGANIZATION_SECRET")
        .env("HOOTSUITE_API_KEY", "cli-client")
        .env("HOOTSUITE_API_SECRET", "CLI-CLIENT-SECRET")
        .env("HOOTSUITE_EVENTS_SIGNATURE_KEY", "CLI-SIGNING-KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // The organization secret on standard input, as `printf %s "$S" | hootsuite-events ...`.
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(format!("{}\n", emu.organization_secret()).as_bytes())
        .expect("write");
    drop(stdin);
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
    // Stray requests first: another path, this path with another flow's state or none. Each
    // gets a page saying so, and the catcher keeps waiting for the real callback.
    for (stray, status) in [
        ("/favicon.ico".to_string(), 404),
        ("/callback?code=stolen&state=not-this-flow".to_string(), 400),
        ("/callback?code=stolen".to_string(), 400),
        ("/callback".to_string(), 400),
    ] {
        let answer = agent
            .get(&format!("http://127.0.0.1:{port}{stray}"))
            .call()
            .expect("stray request answered");
        assert_eq!(answer.status().as_u16(), status, "{stray}");
        let text = answer.into_body().read_to_string().expect("page");
        assert!(text.contains("still waiting"), "{stray}: {text}");
    }
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
        rest.contains("Event callback URL set to `https://app.example/events`"),
        "{rest}"
    );
    let _ = std::fs::remove_file(&user_secret_file);
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
    // Every command's error shape: code, message, exit code.
    assert_eq!(doc["error"]["exit_code"], 1);
    assert!(doc["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("does not match")));
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

/// `recover` against the emulator: a receiver down past the (scaled) nine retries leaves the
/// delivery queued and the subscription deactivated; `--dry-run` lists it, `recover` releases
/// it to the receiver that is back, and the queue is then empty.
#[test]
fn recover_lists_and_redelivers_what_was_queued() {
    use hootsuite_events::deliveries::DeliveryQuery;
    use hootsuite_events::instance::CreateInstance;
    use hootsuite_events::oauth::{self, RedirectUrlParams};
    use hootsuite_events_emulator::serve::{Limits, Response, Server};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let emu =
        hootsuite_events_emulator::Emulator::start(hootsuite_events_emulator::EmulatorConfig {
            retry_unit: Duration::from_micros(2),
            delivery_timeout: Duration::from_millis(500),
            ..hootsuite_events_emulator::EmulatorConfig::default()
        })
        .expect("emulator");
    let config = hootsuite_events::Config::new(
        hootsuite_events::BaseUrl::parse(&emu.base_url()).expect("base"),
        emu.user_secret(),
        emu.organization_secret(),
    )
    .expect("config");
    let client = hootsuite_events_client::Client::new(config);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let callback = "https://app.example/callback";
    let params = RedirectUrlParams::new("cli-client", "cli-secret", callback).state("st");
    let consent = client.redirect_url(&params).expect("redirect URL");
    let answer = agent.get(&consent.oauth_url).call().expect("consent");
    let location = answer.headers()["location"].to_str().expect("ascii");
    let code = oauth::parse_callback(location, "st").expect("code");
    // A port nobody listens on yet: every attempt fails until the receiver starts.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let hook = format!("http://{addr}/hook");
    let body = CreateInstance::builder("recover", code, callback, "cli-client", "cli-secret")
        .events(hook.as_str())
        .build()
        .expect("body");
    let id = client.create_instance(&body).expect("created").id;
    let sample = format!(
        "{}/emulator/instances/{id}/sample-event?type=message",
        emu.base_url()
    );
    assert_eq!(
        agent.post(&sample).send(&b""[..]).expect("event").status(),
        200
    );
    let queued = || {
        client
            .all_deliveries(&DeliveryQuery::queued(), 10)
            .expect("list")
            .deliveries
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while queued().is_empty() {
        assert!(Instant::now() < deadline, "the delivery was never queued");
        std::thread::sleep(Duration::from_millis(10));
    }

    let recover = |extra: &[&str]| {
        let out = bin()
            .args(["recover", "--base-url", &emu.base_url(), "--json"])
            .args(extra)
            .env("HOOTSUITE_EVENTS_USER_SECRET", emu.user_secret())
            .env(
                "HOOTSUITE_EVENTS_ORGANIZATION_SECRET",
                emu.organization_secret(),
            )
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!text.contains(emu.user_secret()), "{text}");
        (out.status.code(), json_of(&out.stdout))
    };
    let (status, dry) = recover(&["--dry-run"]);
    assert_eq!(status, Some(0), "{dry}");
    assert_eq!(
        (dry["queued"].as_u64(), dry["redelivered"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(dry["truncated"], false, "one page held the queue");
    assert_eq!(dry["deliveries"][0]["instance_id"], id);
    assert_eq!(dry["deliveries"][0]["status"], "queued");
    assert_eq!(dry["deliveries"][0]["url"], hook.as_str());
    let (_, other) = recover(&["--dry-run", "--instance", &(id + 1).to_string()]);
    assert_eq!(other["queued"], 0, "another instance has nothing queued");
    let (_, other_url) = recover(&["--dry-run", "--url", "http://127.0.0.1:9/else"]);
    assert_eq!(other_url["queued"], 0, "another URL has nothing queued");
    let (bad, refused) = recover(&["--url", "http://127.0.0.1:9/it's"]);
    assert_eq!(bad, Some(1), "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_argument");
    assert_eq!(queued().len(), 1, "nothing was released so far");

    let hits = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&hits);
    let listener = std::net::TcpListener::bind(addr).expect("rebind");
    let _receiver = Server::start(listener, Limits::default(), "recover-receiver", move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        Response::new(200, "text/plain", "ok")
    })
    .expect("receiver");
    let (status, done) = recover(&["--instance", &id.to_string(), "--url", &hook]);
    assert_eq!(status, Some(0), "{done}");
    assert_eq!(
        (done["queued"].as_u64(), done["redelivered"].as_u64()),
        (Some(1), Some(1))
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while hits.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the queued delivery never arrived"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(queued().is_empty());
    // The subscription is active again: a new event is delivered, not queued.
    assert_eq!(
        agent.post(&sample).send(&b""[..]).expect("event").status(),
        200
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while hits.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline, "the new event never arrived");
        std::thread::sleep(Duration::from_millis(10));
    }
    let (_, after) = recover(&[]);
    assert_eq!(
        (after["queued"].as_u64(), after["redelivered"].as_u64()),
        (Some(0), Some(0))
    );
}

/// `listen` answers 200 to a signed batch holding an event that cannot be read (a refusal would
/// be retried until Cloud Elements switched the subscription off), prints the readable event,
/// reports the rejected one once (not again for the next part of the batch), and never writes
/// the terminal escapes of signed fields or of the unsigned `Elements-Webhook-Id` raw.
#[test]
fn listen_rejects_a_bad_event_not_the_batch_and_escapes_terminal_controls() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let listen = bin()
        .args(["listen", "--port", &port.to_string(), "--max-events", "2"])
        .env("HOOTSUITE_EVENTS_SIGNATURE_KEY", "listen-key")
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
    let raw = r#"[{"seq_no": "1", "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT\u001b]0;pwned\u0007", "message": {"id": "m\u009b31m"}}},
        {"seq_no": "2", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}}]"#;
    let post = |event_id: &str, webhook_id: &str| {
        let body =
            format!(r#"{{"message": {{"eventId": "{event_id}", "instanceId": 4, "raw": {raw}}}}}"#);
        let header = sign(&SignatureKey::new("listen-key"), body.as_bytes());
        ureq::post(&url)
            .header("Elements-Webhook-Signature", &header)
            .header("Elements-Webhook-Id", webhook_id)
            .send(body.as_bytes())
            .expect("answered")
            .status()
            .as_u16()
    };
    assert_eq!(post("part-1", "wh-\u{9b}2J"), 200);
    // The other part of the same batch: nothing new, the rejection not reported again.
    assert_eq!(post("part-2", "wh-2"), 200);
    // A new event ends the listener.
    let body =
        br#"{"message":{"eventId":"e-end","instanceId":4,"events":[{"eventType":"CREATED"}]}}"#;
    let header = sign(&SignatureKey::new("listen-key"), body);
    let answer = ureq::post(&url)
        .header("Elements-Webhook-Signature", &header)
        .send(&body[..])
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 200);
    let out = listen.wait_with_output().expect("listener ends");
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    let printed = format!("{stdout}{stderr}");
    assert!(
        !printed.contains(['\u{1b}', '\u{7}', '\u{9b}']),
        "a raw terminal control was printed: {printed:?}"
    );
    assert!(stdout.contains(r"wh-\u{9b}2J"), "{stdout}");
    assert!(stdout.contains(r"SENT\u{1b}]0;pwned\u{7}"), "{stdout}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let rejected: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("rejected event"))
        .collect();
    assert_eq!(rejected.len(), 1, "{stderr}");
    assert!(
        rejected[0].contains("hs:4:@") && rejected[0].contains("message.raw[1].data.message"),
        "{stderr}"
    );
}

/// Kills the child when a test fails before waiting for it.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends `request` on a new connection and reads the status line; the status (None: closed or
/// no answer within 45 s) and how long the answer took.
fn timed_status(addr: std::net::SocketAddr, request: &[u8]) -> (Option<u16>, Duration) {
    use std::io::Read;
    let started = Instant::now();
    let answer = (|| {
        let mut s = std::net::TcpStream::connect(addr).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(45))).ok()?;
        s.write_all(request).ok()?;
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n") {
            if s.read(&mut byte).ok()? == 0 {
                return None;
            }
            head.push(byte[0]);
        }
        String::from_utf8_lossy(&head)
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
    })();
    (answer, started.elapsed())
}

/// 64 slow sockets (as many as `listen` serves at once) of each kind in turn, a first byte,
/// part of a head, a head and part of its body, each then silent: a signed delivery is still
/// answered within seconds, not when their head or body deadline runs out.
#[test]
fn slow_sockets_do_not_starve_listen() {
    const SLOW: usize = 64;
    let kinds: [(&str, &[u8]); 3] = [
        ("one byte", b"P"),
        (
            "part of a head",
            b"POST /events HTTP/1.1\r\nHost: x\r\nX-Slow: ",
        ),
        (
            "a head and part of its body",
            b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"mess",
        ),
    ];
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut listen = Reaped(
        bin()
            .args(["listen", "--port", &port.to_string(), "--json"])
            .args(["--max-events", &kinds.len().to_string()])
            .env("HOOTSUITE_EVENTS_SIGNATURE_KEY", "slow-key")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn listener"),
    );
    // The first line on standard error says it listens (or the process ended: end of file).
    let mut line = String::new();
    BufReader::new(listen.0.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("first line");
    assert!(line.starts_with("Listening on"), "{line}");
    for (i, (kind, bytes)) in kinds.iter().enumerate() {
        let slow: Vec<std::net::TcpStream> = (0..SLOW)
            .map(|_| {
                let mut s = std::net::TcpStream::connect(addr).expect("slow connect");
                s.write_all(bytes).expect("slow write");
                s
            })
            .collect();
        // Let the listener take them all before the real delivery comes.
        std::thread::sleep(Duration::from_millis(300));
        let body = format!(r#"{{"message":{{"eventId":"slow-{i}","instanceId":3,"events":[]}}}}"#);
        let request = format!(
            "POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nElements-Webhook-Signature: {}\r\nElements-Webhook-Id: wh-slow-{i}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            sign(&SignatureKey::new("slow-key"), body.as_bytes()),
            body.len()
        );
        let (status, took) = timed_status(addr, request.as_bytes());
        eprintln!("{SLOW} slow sockets ({kind}): a delivery answered {status:?} after {took:?}");
        assert_eq!(status, Some(200), "{kind}");
        assert!(
            took < Duration::from_secs(5),
            "{kind}: answered after {took:?}"
        );
        drop(slow);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while listen.0.try_wait().expect("status").is_none() {
        assert!(Instant::now() < deadline, "the listener did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut listen.0.stdout.take().expect("stdout"), &mut out)
        .expect("output");
    let events: Vec<String> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["event_id"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(events, ["slow-0", "slow-1", "slow-2"]);
}

/// URLs given on the command line appear in messages through the core's redaction only:
/// never their user information, query or fragment, and a value that does not look like a URL
/// (a secret in the wrong argument) by its length.
#[test]
fn messages_show_urls_without_their_secrets() {
    let connect = |base_url: &str, callback_url: &str, timeout: &str| {
        let out = bin()
            .args(["connect", "--base-url", base_url, "--timeout", timeout])
            .args(["--callback-url", callback_url])
            .env("HOOTSUITE_EVENTS_USER_SECRET", "u")
            .env("HOOTSUITE_EVENTS_ORGANIZATION_SECRET", "o")
            .env("HOOTSUITE_API_KEY", "k")
            .env("HOOTSUITE_API_SECRET", "s")
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), stdout, stderr)
    };
    let offline = "http://127.0.0.1:1/elements/api-v2";
    for callback in [
        "http://user:PASS-1@localhost:1/cb?token=TOKEN-1",
        "https://localhost:1/cb?token=TOKEN-1",
        "http://app.example/cb?token=TOKEN-1#TOKEN-1",
        "http://localhost:99999/cb?token=TOKEN-1",
        "TOKEN-1-not-a-url",
    ] {
        let (code, stdout, stderr) = connect(offline, callback, "1");
        assert_eq!(code, Some(1), "{callback}: {stderr}");
        assert!(stderr.contains("callback URL"), "{callback}: {stderr}");
        for secret in ["PASS-1", "TOKEN-1"] {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{callback}: {stdout}{stderr}"
            );
        }
    }
    for base in [
        "http://ce.example/elements/api-v2?key=KEY-2",
        "https://ce.example/elements/api-v2?key=KEY-2",
        "https://ce.example/elements/api-v2#KEY-2",
    ] {
        let (code, _, stderr) = connect(base, "http://localhost:1/cb", "1");
        assert_eq!(code, Some(1), "{base}: {stderr}");
        assert!(
            stderr.contains("`https://ce.example/elements/api-v2…`")
                || stderr.contains("`http://ce.example/elements/api-v2…`"),
            "{stderr}"
        );
        assert!(!stderr.contains("KEY-2"), "{base}: {stderr}");
    }

    // Past the checks: only the consent URL (which Hootsuite must receive) carries the query.
    let emu = hootsuite_events_emulator::Emulator::start(
        hootsuite_events_emulator::EmulatorConfig::default(),
    )
    .expect("emulator");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let out = bin()
        .args(["connect", "--base-url", &emu.base_url(), "--timeout", "1"])
        .args([
            "--callback-url",
            &format!("http://localhost:{port}/cb?token=TOKEN-3"),
        ])
        .env("HOOTSUITE_EVENTS_USER_SECRET", emu.user_secret())
        .env(
            "HOOTSUITE_EVENTS_ORGANIZATION_SECRET",
            emu.organization_secret(),
        )
        .env("HOOTSUITE_API_KEY", "k")
        .env("HOOTSUITE_API_SECRET", "s")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("Waiting up to 1 s"), "{stdout}{stderr}");
    let leaks: Vec<&str> = stdout
        .lines()
        .chain(stderr.lines())
        .filter(|l| l.contains("TOKEN-3") && !l.trim_start().starts_with("http"))
        .collect();
    assert!(leaks.is_empty(), "{leaks:?}");

    for to in [
        "TOKEN-4-not-a-url",
        "ftp://h/x?token=TOKEN-4",
        "http://user:PASS-4@127.0.0.1:1/x?token=TOKEN-4",
    ] {
        let out = bin()
            .args(["trigger", "message", "--unsigned", "--to", to])
            .output()
            .expect("runs");
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !shown.contains("TOKEN-4") && !shown.contains("PASS-4"),
            "{to}: {shown}"
        );
    }
    let out = bin()
        .args([
            "trigger",
            "message",
            "--unsigned",
            "--to",
            "TOKEN-4-not-a-url",
        ])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a usage error before sending: {err}"
    );
    assert!(
        err.contains("--to") && err.contains("17 characters"),
        "{err}"
    );
}

/// `trigger --retries 1` against a receiver that refuses the first attempt with an HTML error
/// page and takes the retry: the delivery was delivered (exit 0, as at Cloud Elements), and the
/// page shows as its size rather than dumped.
#[test]
fn trigger_counts_a_retry_that_succeeded_and_shows_html_pages_by_size() {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/events", listener.local_addr().expect("addr"));
    let page = format!(
        "<!DOCTYPE html><html><body>{}</body></html>",
        "x".repeat(2_000)
    );
    let answers = [
        ("500 Internal Server Error", page.clone()),
        ("200 OK", "ok".to_string()),
    ];
    let server = std::thread::spawn(move || {
        for (status, body) in answers {
            let (mut s, _) = listener.accept().expect("accept");
            s.set_read_timeout(Some(Duration::from_secs(10)))
                .expect("timeout");
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).expect("read") == 1 {
                head.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
            let length: usize = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let mut body_in = vec![0u8; length];
            s.read_exact(&mut body_in).expect("body");
            write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .expect("answer");
        }
    });
    let out = bin()
        .args([
            "trigger",
            "message",
            "--to",
            &url,
            "--retries",
            "1",
            "--unsigned",
        ])
        .output()
        .expect("trigger runs");
    server.join().expect("server");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("500 (an HTML page, {} bytes)", page.len())),
        "{stdout}"
    );
    assert!(!stdout.contains("<html>"), "{stdout}");
}

/// Help names each variable a flag reads, without a misleading empty value.
#[test]
fn help_names_the_variables_without_values() {
    for (command, variable) in [
        ("webhook-url", "HOOTSUITE_EVENTS_BASE_URL"),
        ("connect", "HOOTSUITE_API_KEY"),
        ("recover", "HOOTSUITE_EVENTS_BASE_URL"),
        ("listen", "HOOTSUITE_EVENTS_SIGNATURE_KEY"),
    ] {
        let out = bin()
            .args([command, "--help"])
            .env_remove(variable)
            .output()
            .expect("help");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains(&format!("[env: {variable}]")),
            "{command}: {help}"
        );
        assert!(
            !help.contains(&format!("{variable}=]")),
            "{command}: {help}"
        );
    }
}

/// `send-event` is Hootsuite posting to the emulator: the emulator signs the notification and
/// delivers it to the instance's receiver (`listen` here); `--payload` posts any batch as is;
/// an unknown instance is invalid input (exit 1).
#[test]
fn send_event_has_the_emulated_hootsuite_post_an_event() {
    use hootsuite_events::instance::CreateInstance;
    use hootsuite_events::oauth::{self, RedirectUrlParams};

    let emu = hootsuite_events_emulator::Emulator::start(
        hootsuite_events_emulator::EmulatorConfig::default(),
    )
    .expect("emulator");
    let config = hootsuite_events::Config::new(
        hootsuite_events::BaseUrl::parse(&emu.base_url()).expect("base"),
        emu.user_secret(),
        emu.organization_secret(),
    )
    .expect("config");
    let client = hootsuite_events_client::Client::new(config);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let callback = "https://app.example/callback";
    let params = RedirectUrlParams::new("cli-client", "cli-secret", callback).state("st");
    let consent = client.redirect_url(&params).expect("redirect URL");
    let answer = agent.get(&consent.oauth_url).call().expect("consent");
    let location = answer.headers()["location"].to_str().expect("ascii");
    let code = oauth::parse_callback(location, "st").expect("code");
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
            "2",
            "--json",
        ])
        .env("HOOTSUITE_EVENTS_SIGNATURE_KEY", "send-event-key")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn listener");
    let body = CreateInstance::builder("send-event", code, callback, "cli-client", "cli-secret")
        .events(format!("http://127.0.0.1:{port}/events").as_str())
        .signature_key("send-event-key")
        .build()
        .expect("body");
    let id = client.create_instance(&body).expect("created").id;
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the listener never came up");
        std::thread::sleep(Duration::from_millis(50));
    }
    let send = |args: &[&str]| {
        bin()
            .args(["send-event", "--base-url", &emu.base_url(), "--json"])
            .args(args)
            .output()
            .expect("send-event runs")
    };
    let sent = send(&["--instance", &id.to_string(), "--count", "2"]);
    assert_eq!(sent.status.code(), Some(0), "{sent:?}");
    assert_eq!(json_of(&sent.stdout)["status"], 200);
    let dir = tempfile_dir();
    let batch = dir.join("batch.json");
    std::fs::write(
        &batch,
        r#"[{"seq_no": "1", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}}]"#,
    )
    .expect("write");
    let sent = send(&[
        "--instance",
        &id.to_string(),
        "--payload",
        batch.to_str().expect("path"),
    ]);
    assert_eq!(sent.status.code(), Some(0), "{sent:?}");
    let unknown = send(&["--instance", "999999"]);
    assert_eq!(unknown.status.code(), Some(1), "{unknown:?}");

    let out = listen.wait_with_output().expect("listener ends");
    let printed: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(printed.len(), 2);
    assert_eq!(printed[0]["instance_id"], id);
    assert_eq!(
        printed[0]["hootsuite_events"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(printed[1]["rejected"][0]["code"], "wrong_type");
    let _ = std::fs::remove_dir_all(dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hootsuite-events-send-event-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `emulate` says how to use it: the consent redirect, `send-event`, the controls.
#[test]
fn emulate_explains_itself() {
    let out = bin()
        .args(["emulate", "--max-seconds", "1"])
        .output()
        .expect("emulate runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "base URL:",
        "302",
        "decision=deny",
        "hootsuite-events send-event --base-url http://127.0.0.1:",
        "/emulator/instances/ID/sample-event",
        "crates/hootsuite-events-emulator/README.md",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
}

/// `listen` shows what it skipped, as the metrics count it: a 5-event batch is one header line
/// and one line per event; the same batch again (another part, a replay) is a line per unit
/// skipped on standard error, or one count with `--quiet`.
#[test]
fn listen_shows_each_unit_it_skipped_and_wraps_large_batches() {
    let batch = |seqs: std::ops::Range<u32>| {
        let raw: Vec<String> = seqs
            .map(|s| {
                format!(r#"{{"seq_no": "{s}", "type": "com.hootsuite.messages.event.v1", "data": {{"state": "SENT", "message": {{"id": "m-{s}"}}}}}}"#)
            })
            .collect();
        format!(
            r#"{{"message": {{"eventId": "e-1", "instanceId": 9, "raw": [{}]}}}}"#,
            raw.join(",")
        )
        .into_bytes()
    };
    for quiet in [false, true] {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let mut args = vec!["listen", "--max-events", "2", "--key", "skip-key"];
        if quiet {
            args.push("--quiet");
        }
        let listen = bin()
            .args(&args)
            .args(["--port", &port.to_string()])
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
        let post = |body: &[u8], webhook_id: &str| {
            let answer = ureq::post(&url)
                .header(
                    "Elements-Webhook-Signature",
                    &sign(&SignatureKey::new("skip-key"), body),
                )
                .header("Elements-Webhook-Id", webhook_id)
                .send(body)
                .expect("answered");
            assert_eq!(answer.status().as_u16(), 200);
        };
        post(&batch(1..6), "a");
        post(&batch(1..6), "b");
        // A new event: the listener's second notification ends it.
        post(&batch(6..7), "c");
        let out = listen.wait_with_output().expect("output");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 7, "{stdout}");
        assert_eq!(lines[0], "[a] instance 9 event e-1: 5 events");
        assert_eq!(lines[1], "    Hootsuite message m-1 SENT (seq_no 1)");
        assert!(
            lines[6].starts_with("[c] instance 9 event e-1; Hootsuite message m-6"),
            "{stdout}"
        );
        let skipped: Vec<&str> = stderr.lines().filter(|l| l.contains("skipped")).collect();
        if quiet {
            assert_eq!(
                skipped,
                ["[b] 5 units skipped (processed before)"],
                "{stderr}"
            );
        } else {
            let expected: Vec<String> = (1..6)
                .map(|s| format!("[b] skipped (processed before): hs:9:{s}"))
                .collect();
            assert_eq!(skipped, expected, "{stderr}");
        }
    }
}
