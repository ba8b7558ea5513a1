//! `hootsuite-events`: the whole Hootsuite-through-Cloud-Elements flow from a terminal.
//!
//! - `quickstart` runs every step on the embedded emulator (no account, no network);
//! - `connect` runs steps 1–4 against a real Cloud Elements;
//! - `listen` receives, verifies and prints events; `verify`, `validate`, `webhook-url` and
//!   `emulate` are the pieces on their own.
//!
//! Secrets come from flags or environment variables and are never printed.

mod receiver;
mod trigger;

use std::io::Read;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use hootsuite_events::events::{HootsuiteData, Notification};
use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::signature::{SignatureKey, Verifier, SIGNATURE_HEADER};
use hootsuite_events::{BaseUrl, Config, Secret};
use hootsuite_events_client::Client;
use hootsuite_events_emulator::{Emulator, EmulatorConfig};

#[derive(Parser)]
#[command(
    name = "hootsuite-events",
    version,
    about = "Connect Hootsuite accounts through Cloud Elements and receive their events"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole flow on the embedded emulator and print each step.
    Quickstart,
    /// Connect a Hootsuite account through a real Cloud Elements: consent, callback, instance.
    Connect(ConnectArgs),
    /// Receive event notifications on a local port, verify and print them.
    Listen(ListenArgs),
    /// Verify one notification body against its signature header.
    Verify(VerifyArgs),
    /// Send your receiver the notifications Cloud Elements would send for a Hootsuite event,
    /// signed as it signs them (a split batch, retries and a replay on request).
    Trigger(TriggerArgs),
    /// Validate a create-instance body (a JSON file, or - for standard input).
    Validate {
        /// The file.
        file: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the URL to paste into the Hootsuite app's "Webhook URL".
    WebhookUrl {
        /// Base URL or preset (us, us-legacy, us-staging, eu).
        #[arg(long, env = "HOOTSUITE_EVENTS_BASE_URL", default_value = "us")]
        base_url: String,
        /// The instance id.
        #[arg(long)]
        id: u64,
    },
    /// Run the emulator on its own (for other languages' tests).
    Emulate(EmulateArgs),
}

#[derive(clap::Args)]
struct ConnectArgs {
    /// Base URL or preset (us, us-legacy, us-staging, eu).
    #[arg(long, env = "HOOTSUITE_EVENTS_BASE_URL", default_value = "us")]
    base_url: String,
    /// Cloud Elements user secret.
    #[arg(long, env = "HOOTSUITE_EVENTS_USER_SECRET", hide_env_values = true)]
    user_secret: String,
    /// Cloud Elements organization secret.
    #[arg(
        long,
        env = "HOOTSUITE_EVENTS_ORGANIZATION_SECRET",
        hide_env_values = true
    )]
    organization_secret: String,
    /// Hootsuite REST API client id.
    #[arg(long, env = "HOOTSUITE_API_KEY")]
    api_key: String,
    /// Hootsuite REST API client secret.
    #[arg(long, env = "HOOTSUITE_API_SECRET", hide_env_values = true)]
    api_secret: String,
    /// The callback URL registered at Hootsuite; must be on this machine
    /// (`http://localhost:PORT/...`) so that the one-shot listener can catch it.
    #[arg(long, default_value = "http://localhost:8765/callback")]
    callback_url: String,
    /// The instance name.
    #[arg(long, default_value = "Hootsuite")]
    name: String,
    /// Where Cloud Elements should POST events; events stay off without it.
    #[arg(long)]
    events_url: Option<String>,
    /// Signature key for events.
    #[arg(long, env = "HOOTSUITE_EVENTS_SIGNATURE_KEY", hide_env_values = true)]
    signature_key: Option<String>,
    /// How long to wait for the user to consent, in seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
}

#[derive(clap::Args)]
struct ListenArgs {
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8766)]
    port: u16,
    /// The instance's signature key; repeat it during a rotation, the current key first, then
    /// the keys it replaced (deliveries signed with those are still retried for about 73 h).
    #[arg(long, env = "HOOTSUITE_EVENTS_SIGNATURE_KEY", hide_env_values = true)]
    key: Vec<String>,
    /// Accept unsigned notifications (without --key). Anyone could forge them.
    #[arg(long)]
    insecure_accept_unsigned: bool,
    /// Accept legacy sha1= signatures.
    #[arg(long)]
    allow_legacy_sha1: bool,
    /// One JSON line per notification.
    #[arg(long)]
    json: bool,
    /// Stop after this many notifications.
    #[arg(long)]
    max_events: Option<usize>,
}

#[derive(clap::Args)]
struct TriggerArgs {
    /// The Hootsuite event: message, comment, app or ping.
    event: String,
    /// Your receiver's URL.
    #[arg(long)]
    to: String,
    /// The signature key your receiver verifies with.
    #[arg(long, env = "HOOTSUITE_EVENTS_SIGNATURE_KEY", hide_env_values = true)]
    key: Option<String>,
    /// Send unsigned notifications (without --key).
    #[arg(long)]
    unsigned: bool,
    /// Events in Hootsuite's batch; more than 20 arrive as several notifications, each
    /// carrying the whole batch.
    #[arg(long, default_value_t = 1)]
    count: u64,
    /// The instance id the notifications name.
    #[arg(long, default_value_t = 12345)]
    instance_id: u64,
    /// Send each notification again this many times with the same Elements-Webhook-Id, as
    /// Cloud Elements retries a delivery that did not get a 2xx.
    #[arg(long, default_value_t = 0)]
    retries: u32,
    /// Then send the first notification again under another Elements-Webhook-Id (a replay).
    #[arg(long)]
    replay: bool,
    /// One JSON line per POST.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// The signature key.
    #[arg(long, env = "HOOTSUITE_EVENTS_SIGNATURE_KEY", hide_env_values = true)]
    key: String,
    /// The Elements-Webhook-Signature header value.
    #[arg(long)]
    header: String,
    /// The body as received (a file, or - for standard input).
    #[arg(long, default_value = "-")]
    file: String,
    /// Accept legacy sha1= signatures.
    #[arg(long)]
    allow_legacy_sha1: bool,
}

#[derive(clap::Args)]
struct EmulateArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The user secret to accept.
    #[arg(long, env = "HOOTSUITE_EMULATOR_USER_SECRET", hide_env_values = true, default_value = hootsuite_events_emulator::DEFAULT_USER_SECRET)]
    user_secret: String,
    /// The organization secret to accept.
    #[arg(long, env = "HOOTSUITE_EMULATOR_ORGANIZATION_SECRET", hide_env_values = true, default_value = hootsuite_events_emulator::DEFAULT_ORGANIZATION_SECRET)]
    organization_secret: String,
    /// One "second" of the delivery retry schedule, in microseconds.
    #[arg(long, default_value_t = 1_000_000)]
    retry_unit_us: u64,
    /// How long a delivery waits for the receiver, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    delivery_timeout_ms: u64,
    /// Print the base URL and secrets as one JSON line.
    #[arg(long)]
    json: bool,
    /// Exit when standard input closes (so that a test's emulator dies with the test).
    #[arg(long)]
    exit_on_stdin_close: bool,
    /// Exit after this many seconds.
    #[arg(long)]
    max_seconds: Option<u64>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Quickstart => quickstart(),
        Command::Connect(a) => connect(a),
        Command::Listen(a) => listen(a),
        Command::Verify(a) => verify(a),
        Command::Trigger(a) => trigger(a),
        Command::Validate { file, json } => validate(&file, json),
        Command::WebhookUrl { base_url, id } => BaseUrl::parse(&base_url)
            .map(|b| {
                println!("{}", instance::hootsuite_webhook_url(&b, id));
                ExitCode::SUCCESS
            })
            .map_err(|e| e.to_string()),
        Command::Emulate(a) => emulate(a),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_input(file: &str) -> Result<Vec<u8>, String> {
    if file == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("reading standard input: {e}"))?;
        Ok(buf)
    } else {
        std::fs::read(file).map_err(|e| format!("reading {file}: {e}"))
    }
}

/// One line per step: a number, a label, what happened.
fn step(n: u32, label: &str, text: impl AsRef<str>) {
    println!("{n:>2}. {label:<13} {}", text.as_ref());
}

/// A short summary of a notification, one line.
fn describe(n: &Notification) -> String {
    let mut parts = vec![format!(
        "instance {} event {}",
        n.instance_id.map_or("?".into(), |i| i.to_string()),
        n.event_id.as_deref().unwrap_or("?")
    )];
    for e in &n.events {
        parts.push(format!(
            "{} {} {}",
            e.object_type.as_deref().unwrap_or("?"),
            e.object_id.as_deref().unwrap_or("?"),
            e.event_type.as_str()
        ));
    }
    for h in &n.hootsuite_events {
        let what = match &h.data {
            HootsuiteData::Message {
                state, message_id, ..
            } => format!(
                "message {} {}",
                message_id.as_deref().unwrap_or("?"),
                state.as_deref().unwrap_or("?")
            ),
            HootsuiteData::Comment {
                state, comment_id, ..
            } => format!(
                "comment {} {}",
                comment_id.as_deref().unwrap_or("?"),
                state.as_deref().unwrap_or("?")
            ),
            HootsuiteData::App { state, app_id, .. } => format!(
                "app {} {}",
                app_id.as_deref().unwrap_or("?"),
                state.as_deref().unwrap_or("?")
            ),
            HootsuiteData::Ping => "ping".into(),
            HootsuiteData::Other { .. } => format!("{} (kept as JSON)", h.event_type),
        };
        parts.push(format!(
            "Hootsuite {what} (seq_no {})",
            h.seq_no.as_deref().unwrap_or("?")
        ));
    }
    parts.join("; ")
}

fn random_state() -> String {
    use std::hash::BuildHasher;
    let a = std::collections::hash_map::RandomState::new().hash_one(1u8);
    let b = std::collections::hash_map::RandomState::new().hash_one(2u8);
    format!("{a:016x}{b:016x}")
}

fn quickstart() -> Result<ExitCode, String> {
    let started = Instant::now();
    println!("hootsuite-events quickstart: the whole flow on the embedded emulator (no account, no network)");
    let emulator = Emulator::start(EmulatorConfig::default())
        .map_err(|e| format!("starting the emulator: {e}"))?;
    step(
        1,
        "emulator",
        format!("Cloud Elements API at {}", emulator.base_url()),
    );

    let signature_key = format!("qs-key-{}", &random_state()[..16]);
    let receiver = receiver::Receiver::start(
        0,
        Some(Verifier::new(SignatureKey::new(signature_key.as_str()))),
    )
    .map_err(|e| format!("starting the event receiver: {e}"))?;
    step(
        2,
        "receiver",
        format!("events will be POSTed to {} and verified", receiver.url()),
    );

    let base = BaseUrl::parse(&emulator.base_url()).map_err(|e| e.to_string())?;
    let config = Config::new(
        base.clone(),
        emulator.user_secret(),
        emulator.organization_secret(),
    )
    .map_err(|e| e.to_string())?;
    let client = Client::new(config.clone());
    let state = random_state();
    let callback_url = "https://app.example/hootsuite/callback";
    let params = RedirectUrlParams::new(
        "quickstart-client-id",
        "quickstart-client-secret",
        callback_url,
    )
    .state(state.as_str())
    .scope("offline");
    let consent = client.redirect_url(&params).map_err(|e| e.to_string())?;
    step(
        3,
        "redirect URL",
        format!(
            "GET /elements/hootsuite/oauth/url → 200, send the user to {}",
            consent.oauth_url
        ),
    );

    // The emulated consent page answers with a redirect, as if the user clicked "Allow".
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let answer = agent
        .get(&consent.oauth_url)
        .call()
        .map_err(|e| format!("opening the consent page: {e}"))?;
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("the consent page did not redirect")?
        .to_string();
    step(
        4,
        "consent",
        format!(
            "the user clicks Allow → {} redirect to the callback URL",
            answer.status().as_u16()
        ),
    );
    let code = oauth::parse_callback(&location, &state).map_err(|e| e.to_string())?;
    step(
        5,
        "callback",
        "state matches; authorization code received (single use, not shown)",
    );

    let placeholder = base.as_str().to_string() + "/events/hootsuite";
    let body = CreateInstance::builder(
        "Quickstart Hootsuite",
        code,
        callback_url,
        "quickstart-client-id",
        "quickstart-client-secret",
    )
    .events(placeholder.as_str())
    .signature_key(signature_key.as_str())
    .tag("quickstart")
    .build()
    .map_err(|e| e.to_string())?;
    let created = client.create_instance(&body).map_err(|e| e.to_string())?;
    step(
        6,
        "instance",
        format!(
            "POST /instances → 200, id {}, token {}, events enabled, signed",
            created.id,
            created.token.masked()
        ),
    );

    let webhook = instance::hootsuite_webhook_url(&base, created.id);
    step(
        7,
        "webhook URL",
        format!("paste into the Hootsuite app: {webhook}"),
    );

    let updated = client
        .update_event_callback(created.id, &receiver.url())
        .map_err(|e| e.to_string())?;
    step(
        8,
        "callback URL",
        format!(
            "PATCH /instances/{} → 200, event.notification.callback.url = {}",
            updated.id,
            updated
                .configuration
                .get(instance::KEY_EVENT_CALLBACK_URL)
                .cloned()
                .flatten()
                .unwrap_or_default()
        ),
    );

    let payload = serde_json::json!([{
        "seq_no": "6842195126014312448",
        "type": "com.hootsuite.messages.event.v1",
        "data": {"state": "SENT", "organization": {"id": "814"}, "message": {"id": "10248023"}, "timestamp": "2026-11-27T10:00:00Z"}
    }]);
    let sent = agent
        .post(&webhook)
        .header("Content-Type", "application/json")
        .send(payload.to_string().as_bytes())
        .map_err(|e| format!("sending Hootsuite's webhook: {e}"))?;
    step(
        9,
        "Hootsuite",
        format!(
            "POST <webhook URL> (message 10248023 SENT) → {}",
            sent.status().as_u16()
        ),
    );

    let notification = receiver
        .next(Duration::from_secs(10))
        .ok_or("no event arrived within 10 s")?;
    step(
        10,
        "event",
        format!(
            "signature verified; webhook id {}; {}",
            notification.webhook_id.as_deref().unwrap_or("?"),
            describe(&notification)
        ),
    );
    println!(
        "done in {:.2} s. Next: `hootsuite-events connect` against your Cloud Elements account.",
        started.elapsed().as_secs_f64()
    );
    receiver.stop();
    emulator.shutdown();
    Ok(ExitCode::SUCCESS)
}

fn connect(a: ConnectArgs) -> Result<ExitCode, String> {
    let base = BaseUrl::parse(&a.base_url).map_err(|e| e.to_string())?;
    let config = Config::new(
        base.clone(),
        a.user_secret.as_str(),
        a.organization_secret.as_str(),
    )
    .map_err(|e| e.to_string())?;
    let client = Client::new(config);
    let port = receiver::loopback_port(&a.callback_url)?;
    let state = random_state();
    let params = RedirectUrlParams::new(
        a.api_key.as_str(),
        a.api_secret.as_str(),
        a.callback_url.as_str(),
    )
    .state(state.as_str())
    .scope("offline");
    let listener =
        receiver::OneShot::bind(port).map_err(|e| format!("listening on 127.0.0.1:{port}: {e}"))?;
    let consent = client.redirect_url(&params).map_err(|e| e.to_string())?;
    println!(
        "Open this URL in a browser and allow access:\n\n  {}\n",
        consent.oauth_url
    );
    println!(
        "Waiting up to {} s for the callback on {} ...",
        a.timeout, a.callback_url
    );
    let callback = listener
        .wait(Duration::from_secs(a.timeout))
        .ok_or("no callback arrived in time")?;
    let code = oauth::parse_callback(&callback, &state).map_err(|e| e.to_string())?;
    println!("Callback received; state matches.");
    let placeholder = base.as_str().to_string() + "/events/hootsuite";
    let mut builder = CreateInstance::builder(
        a.name.as_str(),
        code,
        a.callback_url.as_str(),
        a.api_key.as_str(),
        Secret::new(a.api_secret.as_str()),
    );
    if a.events_url.is_some() {
        builder = builder.events(placeholder.as_str());
    }
    if let Some(k) = &a.signature_key {
        builder = builder.signature_key(k.as_str());
    }
    let body = builder.build().map_err(|e| e.to_string())?;
    for w in body.warnings() {
        println!("warning: {w}");
    }
    let created = client.create_instance(&body).map_err(|e| e.to_string())?;
    println!(
        "Instance created: id {}, token {}",
        created.id,
        created.token.masked()
    );
    println!(
        "Webhook URL for the Hootsuite app: {}",
        instance::hootsuite_webhook_url(&base, created.id)
    );
    if let Some(url) = &a.events_url {
        client
            .update_event_callback(created.id, url)
            .map_err(|e| e.to_string())?;
        println!("Event callback URL set to {url}");
    }
    Ok(ExitCode::SUCCESS)
}

fn listen(a: ListenArgs) -> Result<ExitCode, String> {
    let verifier = match (a.key.is_empty(), a.insecure_accept_unsigned) {
        (false, _) => Some(
            Verifier::with_keys(a.key.iter().map(String::as_str))
                .map_err(|e| e.to_string())?
                .allow_legacy_sha1(a.allow_legacy_sha1),
        ),
        (true, true) => None,
        (true, false) => return Err("give the signature key (--key or HOOTSUITE_EVENTS_SIGNATURE_KEY), or --insecure-accept-unsigned".into()),
    };
    let receiver = receiver::Receiver::start(a.port, verifier)
        .map_err(|e| format!("listening on 127.0.0.1:{}: {e}", a.port))?;
    eprintln!("Listening on {} (Ctrl-C to stop)", receiver.url());
    let mut count = 0;
    while a.max_events.is_none_or(|m| count < m) {
        let Some(n) = receiver.next(Duration::from_secs(3600)) else {
            continue;
        };
        count += 1;
        if a.json {
            println!("{}", serde_json::to_string(&n).unwrap_or_default());
        } else {
            println!(
                "[{}] {}",
                n.webhook_id.as_deref().unwrap_or("-"),
                describe(&n)
            );
        }
    }
    receiver.stop();
    Ok(ExitCode::SUCCESS)
}

fn trigger(a: TriggerArgs) -> Result<ExitCode, String> {
    if a.key.is_none() && !a.unsigned {
        return Err("give the signature key your receiver verifies with (--key or HOOTSUITE_EVENTS_SIGNATURE_KEY), or --unsigned".into());
    }
    if !(1..=1_000).contains(&a.count) {
        return Err("--count must be from 1 to 1000".into());
    }
    let all_ok = trigger::run(&trigger::Trigger {
        kind: a.event,
        to: a.to,
        key: a.key,
        count: a.count,
        instance_id: a.instance_id,
        retries: a.retries,
        replay: a.replay,
        json: a.json,
    })?;
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn verify(a: VerifyArgs) -> Result<ExitCode, String> {
    let body = read_input(&a.file)?;
    let verifier =
        Verifier::new(SignatureKey::new(a.key.as_str())).allow_legacy_sha1(a.allow_legacy_sha1);
    let headers = [(SIGNATURE_HEADER, a.header.as_str())];
    match verifier.verify_event(&headers[..], &body) {
        Ok(n) => {
            println!("valid: {}", describe(&n));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("invalid [{}]: {e}", e.code());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn validate(file: &str, json: bool) -> Result<ExitCode, String> {
    let bytes = read_input(file)?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{file} is not UTF-8 text"))?;
    let report = instance::validate_json(&text);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        for e in &report.errors {
            println!("error: {e}");
        }
        for w in &report.warnings {
            println!("warning: {w}");
        }
        println!(
            "{file}: {} ({} error(s), {} warning(s))",
            if report.valid { "valid" } else { "invalid" },
            report.errors.len(),
            report.warnings.len()
        );
    }
    Ok(if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn emulate(a: EmulateArgs) -> Result<ExitCode, String> {
    let config = EmulatorConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], a.port)),
        user_secret: a.user_secret,
        organization_secret: a.organization_secret,
        retry_unit: Duration::from_micros(a.retry_unit_us),
        delivery_timeout: Duration::from_millis(a.delivery_timeout_ms),
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config).map_err(|e| format!("starting the emulator: {e}"))?;
    if a.json {
        println!(
            "{}",
            serde_json::json!({"base_url": emulator.base_url(), "user_secret": emulator.user_secret(), "organization_secret": emulator.organization_secret()})
        );
    } else {
        // The emulator's own test secrets: printing them is what makes it usable.
        println!("base URL:            {}", emulator.base_url());
        println!("user secret:         {}", emulator.user_secret());
        println!("organization secret: {}", emulator.organization_secret());
    }
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    if a.exit_on_stdin_close {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
            let _ = tx.send(());
        });
    }
    match a.max_seconds {
        Some(s) => {
            let _ = rx.recv_timeout(Duration::from_secs(s));
        }
        None => {
            let _keep = tx;
            let _ = rx.recv();
        }
    }
    emulator.shutdown();
    Ok(ExitCode::SUCCESS)
}
