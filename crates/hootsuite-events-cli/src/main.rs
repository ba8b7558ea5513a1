//! `hootsuite-events`: the whole Hootsuite-through-Cloud-Elements flow from a terminal.
//!
//! - `quickstart` runs every step on the embedded emulator (no account, no network);
//! - `connect` runs steps 1–4 against a real Cloud Elements;
//! - `recover` lists what Cloud Elements queued during an outage and redelivers it;
//! - `listen` receives, verifies and prints events; `verify`, `validate`, `webhook-url` and
//!   `emulate` are the pieces on their own.
//!
//! Secrets come from environment variables, `--…-file` (or standard input), a hidden prompt,
//! or (with a warning) flags, and are never printed; see `secrets.rs`.
//!
//! Every command takes `--json`; the exit codes are in [`EXIT_CODES`].

mod account;
mod receiver;
mod recover;
mod secrets;
mod trigger;

use std::io::Read;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use hootsuite_events::error::format_path;
use hootsuite_events::events::{HootsuiteData, Notification};
use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::signature::{SignatureKey, Verifier, SIGNATURE_HEADER};
use hootsuite_events::{BaseUrl, Config, Secret};
use hootsuite_events_client::Client;
use hootsuite_events_emulator::{Emulator, EmulatorConfig};

use crate::account::AccountArgs;

/// What each exit status means, shown by `--help` (the README repeats it).
const EXIT_CODES: &str = "Exit codes:
  0  success
  1  invalid input, or a notification that fails verification
  2  usage error (unknown command or flag, a missing required flag)
  3  network or API error: a connection failed or timed out, a port could not be bound,
     or Cloud Elements answered with an error

With --json, a command prints JSON on standard output, on failure too (except usage
errors, which the argument parser reports): {\"error\": {\"code\", \"message\", \"exit_code\"}}
(verify: {\"valid\": false, \"error\": ...}; listen: one line per notification).";

#[derive(Parser)]
#[command(
    name = "hootsuite-events",
    version,
    about = "Connect Hootsuite accounts through Cloud Elements and receive their events",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run the whole flow on the embedded emulator and print each step.
    Quickstart {
        /// Print the steps and the received event as one JSON document.
        #[arg(long)]
        json: bool,
    },
    /// Connect a Hootsuite account through a real Cloud Elements: consent, callback, instance.
    Connect(ConnectArgs),
    /// Receive event notifications on a local port, verify and print them.
    Listen(ListenArgs),
    /// Verify one notification body against its signature header.
    Verify(VerifyArgs),
    /// Send your receiver the notifications Cloud Elements would send for a Hootsuite event,
    /// signed as it signs them (a split batch, retries and a replay on request). Exits 0 when
    /// each delivery's last attempt got a 2xx (a retry that succeeded counts), 1 when one was
    /// refused, 3 when one got no answer.
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
        /// Base URL or preset (see --region).
        #[arg(
            long,
            env = "HOOTSUITE_EVENTS_BASE_URL",
            hide_env_values = true,
            default_value = "us"
        )]
        base_url: String,
        /// A region preset by name; takes the place of --base-url.
        #[arg(long, value_parser = region_names(), conflicts_with = "base_url")]
        region: Option<String>,
        /// The instance id.
        #[arg(long)]
        id: u64,
        /// Print {"webhook_url": ...} as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run the emulator on its own (for other languages' tests).
    Emulate(EmulateArgs),
    /// Be Hootsuite: post an event to an instance's Hootsuite webhook URL on the emulator,
    /// which signs it and delivers it to the instance's event callback URL.
    SendEvent(SendEventArgs),
    /// After an outage: list the deliveries Cloud Elements queued and redeliver them,
    /// re-enabling the subscriptions.
    Recover(recover::RecoverArgs),
}

#[derive(clap::Args)]
struct ConnectArgs {
    #[command(flatten)]
    account: AccountArgs,
    /// Hootsuite REST API client id.
    #[arg(long, env = "HOOTSUITE_API_KEY", hide_env_values = true)]
    api_key: String,
    /// Hootsuite REST API client secret (prefer the variable or --api-secret-file).
    #[arg(long, env = "HOOTSUITE_API_SECRET", hide_env_values = true)]
    api_secret: Option<String>,
    /// A file holding the client secret (- for standard input).
    #[arg(long, value_name = "PATH")]
    api_secret_file: Option<String>,
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
    /// Signature key for events (prefer the variable or --signature-key-file).
    #[arg(long, env = "HOOTSUITE_EVENTS_SIGNATURE_KEY", hide_env_values = true)]
    signature_key: Option<String>,
    /// A file holding the signature key (- for standard input).
    #[arg(long, value_name = "PATH")]
    signature_key_file: Option<String>,
    /// How long to wait for the user to consent, in seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Print the created instance as JSON (instructions go to standard error).
    #[arg(long)]
    json: bool,
    /// With --json, include the instance token (a secret) rather than its masked form.
    #[arg(long, requires = "json")]
    print_token: bool,
}

#[derive(clap::Args)]
struct ListenArgs {
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8766)]
    port: u16,
    /// The instance's signature key (prefer the variable, read when no --key or --key-file is
    /// given, or --key-file); repeat it during a rotation, the current key first, then the keys
    /// it replaced (deliveries signed with those are still retried for about 73 h).
    /// [env: HOOTSUITE_EVENTS_SIGNATURE_KEY]
    #[arg(long)]
    key: Vec<String>,
    /// A file holding a signature key (- for standard input); repeatable like --key.
    #[arg(long, value_name = "PATH")]
    key_file: Vec<String>,
    /// Accept unsigned notifications (without --key). Anyone could forge them.
    #[arg(long)]
    insecure_accept_unsigned: bool,
    /// Accept legacy sha1= signatures.
    #[arg(long)]
    allow_legacy_sha1: bool,
    /// One JSON line per notification.
    #[arg(long)]
    json: bool,
    /// Stop after this many notifications with new units.
    #[arg(long)]
    max_events: Option<usize>,
    /// Per delivery of units processed before, one count on standard error instead of a line
    /// per unit.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct TriggerArgs {
    /// The Hootsuite event: message, comment, app or ping.
    event: String,
    /// Your receiver's URL.
    #[arg(long)]
    to: String,
    /// The signature key your receiver verifies with (prefer the variable or --key-file).
    #[arg(long, env = "HOOTSUITE_EVENTS_SIGNATURE_KEY", hide_env_values = true)]
    key: Option<String>,
    /// A file holding the signature key (- for standard input).
    #[arg(long, value_name = "PATH")]
    key_file: Option<String>,
    /// Send unsigned notifications (without a key).
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
    /// The signature key (prefer HOOTSUITE_EVENTS_SIGNATURE_KEY or --key-file, read when no key
    /// is given otherwise); repeat it during a rotation, the current key first.
    #[arg(long)]
    key: Vec<String>,
    /// A file holding a signature key (- for standard input); repeatable like --key.
    #[arg(long, value_name = "PATH")]
    key_file: Vec<String>,
    /// The Elements-Webhook-Signature header value.
    #[arg(long)]
    header: String,
    /// The body as received (a file, or - for standard input).
    #[arg(long, default_value = "-")]
    file: String,
    /// Accept legacy sha1= signatures.
    #[arg(long)]
    allow_legacy_sha1: bool,
    /// Print {"valid": true, "notification": ...} or {"valid": false, "error": ...} as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct SendEventArgs {
    /// The emulator's base URL (what `emulate` prints).
    #[arg(long, env = "HOOTSUITE_EVENTS_BASE_URL", hide_env_values = true)]
    base_url: String,
    /// The instance the event is for.
    #[arg(long)]
    instance: u64,
    /// The Hootsuite event: message, comment, app or ping.
    #[arg(long = "type", default_value = "message")]
    kind: String,
    /// Events in the batch; more than 20 arrive as several notifications.
    #[arg(long, default_value_t = 1)]
    count: u64,
    /// Post this JSON file (- for standard input) instead: Hootsuite's array of
    /// {seq_no, type, data}, sent as it is (an event your receiver cannot read, say).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["kind", "count"])]
    payload: Option<String>,
    /// Print {"webhook_url", "status", "event_ids"} as JSON.
    #[arg(long)]
    json: bool,
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

/// Why a command failed, and so its exit status.
#[derive(Debug)]
struct Failure {
    exit: u8,
    code: &'static str,
    message: String,
}

const EXIT_INVALID: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_NETWORK: u8 = 3;

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure {
            exit: EXIT_USAGE,
            code: "usage",
            message: message.into(),
        }
    }

    fn network(message: impl Into<String>) -> Failure {
        Failure {
            exit: EXIT_NETWORK,
            code: "network",
            message: message.into(),
        }
    }

    /// A client error: anything that went over the wire or came back from Cloud Elements is
    /// a network or API error; an argument the client refused before sending is invalid input.
    fn client(e: hootsuite_events_client::Error) -> Failure {
        use hootsuite_events_client::Error as E;
        match &e {
            E::Core(
                core @ (hootsuite_events::Error::InvalidArgument { .. }
                | hootsuite_events::Error::Invalid(_)),
            ) => Failure::from(core.clone()),
            E::Core(core) => Failure {
                exit: EXIT_NETWORK,
                code: core.code(),
                message: e.to_string(),
            },
            _ => Failure::network(e.to_string()),
        }
    }
}

/// Plain messages are about the input (a file that cannot be read, a malformed value).
impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure {
            exit: EXIT_INVALID,
            code: "invalid_input",
            message,
        }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::from(message.to_string())
    }
}

impl From<hootsuite_events::Error> for Failure {
    fn from(e: hootsuite_events::Error) -> Failure {
        let exit = match e {
            hootsuite_events::Error::Api(_) => EXIT_NETWORK,
            _ => EXIT_INVALID,
        };
        Failure {
            exit,
            code: e.code(),
            message: e.to_string(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = match &cli.command {
        Command::Quickstart { json }
        | Command::Validate { json, .. }
        | Command::WebhookUrl { json, .. } => *json,
        Command::Connect(a) => a.json,
        Command::Listen(a) => a.json,
        Command::Verify(a) => a.json,
        Command::Trigger(a) => a.json,
        Command::Emulate(a) => a.json,
        Command::SendEvent(a) => a.json,
        Command::Recover(a) => a.json,
    };
    let result = match cli.command {
        Command::Quickstart { json } => quickstart(json),
        Command::Connect(a) => connect(a),
        Command::Listen(a) => listen(a),
        Command::Verify(a) => verify(a),
        Command::Trigger(a) => trigger(a),
        Command::Validate { file, json } => validate(&file, json),
        Command::WebhookUrl {
            base_url,
            region,
            id,
            json,
        } => webhook_url(region.as_deref().unwrap_or(&base_url), id, json),
        Command::Emulate(a) => emulate(a),
        Command::SendEvent(a) => send_event(a),
        Command::Recover(a) => recover::recover(a),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            if json {
                println!(
                    "{}",
                    serde_json::json!({"error": {"code": failure.code, "message": failure.message, "exit_code": failure.exit}})
                );
            }
            ExitCode::from(failure.exit)
        }
    }
}

fn webhook_url(base_url: &str, id: u64, json: bool) -> Result<ExitCode, Failure> {
    let base = BaseUrl::parse(base_url)?;
    let url = instance::hootsuite_webhook_url(&base, id);
    if json {
        println!(
            "{}",
            serde_json::json!({"webhook_url": url, "instance_id": id, "base_url": base.as_str()})
        );
    } else {
        println!("{url}");
    }
    Ok(ExitCode::SUCCESS)
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

/// The quickstart's steps: one line each, or kept for the JSON document.
struct Steps {
    json: bool,
    items: Vec<serde_json::Value>,
}

impl Steps {
    fn new(json: bool) -> Steps {
        Steps {
            json,
            items: Vec::new(),
        }
    }

    fn step(&mut self, n: u32, label: &str, text: impl AsRef<str>) {
        if self.json {
            self.items
                .push(serde_json::json!({"step": n, "label": label, "text": text.as_ref()}));
        } else {
            println!("{n:>2}. {label:<13} {}", text.as_ref());
        }
    }
}

/// A notification's header (instance and event), then one part per event.
fn describe_parts(n: &Notification) -> Vec<String> {
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
    parts
}

/// A short summary of a notification, one line.
fn describe(n: &Notification) -> String {
    shown(&describe_parts(n).join("; ")).into_owned()
}

/// `text` safe to print on a terminal: control characters (ESC, the C1 range, DEL...) from
/// signed fields or unsigned headers are written as `\u{..}` escapes, never sent raw.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// JSON text safe to print on a terminal: serde_json escapes C0 controls but writes DEL and
/// the C1 range (a terminal's CSI, OSC...) raw; inside JSON strings, `\u00XX` means the same.
fn json_shown(json: &str) -> std::borrow::Cow<'_, str> {
    if !json.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(json);
    }
    std::borrow::Cow::Owned(
        json.chars()
            .map(|c| {
                if c.is_control() {
                    format!("\\u{:04x}", u32::from(c))
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

const SIGNATURE_KEY: secrets::SecretSpec = secrets::SecretSpec {
    flag: "key",
    env: "HOOTSUITE_EVENTS_SIGNATURE_KEY",
    what: "signature key",
};

fn quickstart(json: bool) -> Result<ExitCode, Failure> {
    let started = Instant::now();
    let mut steps = Steps::new(json);
    if !json {
        println!("hootsuite-events quickstart: the whole flow on the embedded emulator (no account, no network)");
    }
    let emulator = Emulator::start(EmulatorConfig::default())
        .map_err(|e| Failure::network(format!("starting the emulator: {e}")))?;
    steps.step(
        1,
        "emulator",
        format!("Cloud Elements API at {}", emulator.base_url()),
    );

    let signature_key = format!("qs-key-{}", secrets::random_hex(8)?);
    let receiver = receiver::Receiver::start(
        0,
        Some(Verifier::new(SignatureKey::new(signature_key.as_str()))),
    )
    .map_err(|e| Failure::network(format!("starting the event receiver: {e}")))?;
    steps.step(
        2,
        "receiver",
        format!("events will be POSTed to {} and verified", receiver.url()),
    );

    let base = BaseUrl::parse(&emulator.base_url())?;
    let config = Config::new(
        base.clone(),
        emulator.user_secret(),
        emulator.organization_secret(),
    )?;
    let client = Client::new(config.clone());
    let state = secrets::random_hex(16)?;
    let callback_url = "https://app.example/hootsuite/callback";
    let params = RedirectUrlParams::new(
        "quickstart-client-id",
        "quickstart-client-secret",
        callback_url,
    )
    .state(state.as_str())
    .scope("offline");
    let consent = client.redirect_url(&params).map_err(Failure::client)?;
    steps.step(
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
        .map_err(|e| Failure::network(format!("opening the consent page: {e}")))?;
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Failure::network("the consent page did not redirect"))?
        .to_string();
    steps.step(
        4,
        "consent",
        format!(
            "the user clicks Allow → {} redirect to the callback URL",
            answer.status().as_u16()
        ),
    );
    let code = oauth::parse_callback(&location, &state)?;
    steps.step(
        5,
        "callback",
        "state matches; authorization code received (single use, not shown)",
    );

    let placeholder = instance::hootsuite_events_url(&base);
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
    .build()?;
    let created = client.create_instance(&body).map_err(Failure::client)?;
    steps.step(
        6,
        "instance",
        format!(
            "POST /instances → 200, id {}, token {}, events enabled, signed",
            created.id,
            created.token.masked()
        ),
    );

    let webhook = instance::hootsuite_webhook_url(&base, created.id);
    steps.step(
        7,
        "webhook URL",
        format!("paste into the Hootsuite app: {webhook}"),
    );

    let updated = client
        .update_event_callback(created.id, &receiver.url())
        .map_err(Failure::client)?;
    steps.step(
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
        .map_err(|e| Failure::network(format!("sending Hootsuite's webhook: {e}")))?;
    steps.step(
        9,
        "Hootsuite",
        format!(
            "POST <webhook URL> (message 10248023 SENT) → {}",
            sent.status().as_u16()
        ),
    );

    let notification = receiver
        .next(Duration::from_secs(10))
        .filter(receiver::Delivered::is_new)
        .ok_or_else(|| Failure::network("no event arrived within 10 s"))?
        .notification;
    steps.step(
        10,
        "event",
        format!(
            "signature verified; webhook id {}; {}",
            notification.webhook_id.as_deref().unwrap_or("?"),
            describe(&notification)
        ),
    );
    let seconds = started.elapsed().as_secs_f64();
    if json {
        let document = serde_json::json!({
            "steps": steps.items,
            "instance": created,
            "webhook_url": webhook,
            "notification": notification,
            "seconds": seconds,
        });
        println!("{document}");
    } else {
        println!(
            "done in {seconds:.2} s. Next: `hootsuite-events connect` against your Cloud Elements account."
        );
    }
    receiver.stop();
    emulator.shutdown();
    Ok(ExitCode::SUCCESS)
}

fn region_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(BaseUrl::PRESETS.iter().map(|(name, _)| *name))
}

fn connect(a: ConnectArgs) -> Result<ExitCode, Failure> {
    let (base, config) = a.account.config()?;
    let secret = |flag, env, what, value, file: &Option<String>, required| {
        let spec = secrets::SecretSpec { flag, env, what };
        secrets::resolve(&spec, value, file.as_deref(), required)
    };
    let api_secret = secret(
        "api-secret",
        "HOOTSUITE_API_SECRET",
        "Hootsuite client secret",
        a.api_secret,
        &a.api_secret_file,
        true,
    )?
    .unwrap_or_default();
    let signature_key = secret(
        "signature-key",
        "HOOTSUITE_EVENTS_SIGNATURE_KEY",
        "signature key",
        a.signature_key,
        &a.signature_key_file,
        false,
    )?;
    let client = Client::new(config);
    let (port, path) = receiver::loopback_port_and_path(&a.callback_url)?;
    let state = secrets::random_hex(16)?;
    let params = RedirectUrlParams::new(
        a.api_key.as_str(),
        api_secret.as_str(),
        a.callback_url.as_str(),
    )
    .state(state.as_str())
    .scope("offline");
    let listener = receiver::OneShot::bind(port, path, state.clone())
        .map_err(|e| Failure::network(format!("listening on 127.0.0.1:{port}: {e}")))?;
    let consent = client.redirect_url(&params).map_err(Failure::client)?;
    // With --json, standard output carries the result only: the instructions go to stderr.
    let say = |text: String| {
        if a.json {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    };
    say(format!(
        "Open this URL in a browser and allow access:\n\n  {}\n",
        consent.oauth_url
    ));
    say(format!(
        "Waiting up to {} s for the callback on {} ...",
        a.timeout,
        hootsuite_events::redact::quote_url(&a.callback_url)
    ));
    let callback = listener
        .wait(Duration::from_secs(a.timeout))
        .ok_or_else(|| Failure::network("no callback arrived in time"))?;
    let code = oauth::parse_callback(&callback, &state)?;
    say("Callback received; state matches.".into());
    let placeholder = instance::hootsuite_events_url(&base);
    let mut builder = CreateInstance::builder(
        a.name.as_str(),
        code,
        a.callback_url.as_str(),
        a.api_key.as_str(),
        Secret::new(api_secret.as_str()),
    );
    if a.events_url.is_some() {
        builder = builder.events(placeholder.as_str());
    }
    if let Some(k) = &signature_key {
        builder = builder.signature_key(k.as_str());
    }
    let body = builder.build()?;
    for w in body.warnings() {
        say(format!("warning: {w}"));
    }
    let created = client.create_instance(&body).map_err(Failure::client)?;
    say(format!(
        "Instance created: id {}, token {}",
        created.id,
        created.token.masked()
    ));
    let webhook = instance::hootsuite_webhook_url(&base, created.id);
    say(format!("Webhook URL for the Hootsuite app: {webhook}"));
    if let Some(url) = &a.events_url {
        client
            .update_event_callback(created.id, url)
            .map_err(Failure::client)?;
        say(format!(
            "Event callback URL set to {}",
            hootsuite_events::redact::quote_url(url)
        ));
    }
    if a.json {
        let instance = if a.print_token {
            created.to_value_with_token()
        } else {
            serde_json::to_value(&created).unwrap_or_default()
        };
        let document = serde_json::json!({
            "instance": instance,
            "webhook_url": webhook,
            "event_callback_url": a.events_url,
        });
        println!("{document}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The signature keys, the current one first: from files, then flags (each warned about),
/// else the variable or a prompt.
fn signature_keys(
    flags: Vec<String>,
    files: &[String],
    required: bool,
) -> Result<Vec<String>, Failure> {
    let mut keys = Vec::new();
    for path in files {
        keys.extend(secrets::resolve(&SIGNATURE_KEY, None, Some(path), true)?);
    }
    for flag in flags {
        keys.extend(secrets::resolve(&SIGNATURE_KEY, Some(flag), None, true)?);
    }
    if keys.is_empty() {
        keys.extend(secrets::resolve(&SIGNATURE_KEY, None, None, required)?);
    }
    Ok(keys)
}

fn listen(a: ListenArgs) -> Result<ExitCode, Failure> {
    let keys = signature_keys(a.key, &a.key_file, false)?;
    let verifier = match (keys.is_empty(), a.insecure_accept_unsigned) {
        (false, _) => Some(
            Verifier::with_keys(keys.iter().map(String::as_str))?
                .allow_legacy_sha1(a.allow_legacy_sha1),
        ),
        (true, true) => None,
        (true, false) => return Err(Failure::usage("give the signature key (HOOTSUITE_EVENTS_SIGNATURE_KEY or --key-file), or --insecure-accept-unsigned")),
    };
    let receiver = receiver::Receiver::start(a.port, verifier)
        .map_err(|e| Failure::network(format!("listening on 127.0.0.1:{}: {e}", a.port)))?;
    eprintln!("Listening on {} (Ctrl-C to stop)", receiver.url());
    let mut count = 0;
    while a.max_events.is_none_or(|m| count < m) {
        let Some(delivered) = receiver.next(Duration::from_secs(3600)) else {
            continue;
        };
        let n = &delivered.notification;
        let webhook_id = shown(n.webhook_id.as_deref().unwrap_or("-")).into_owned();
        if delivered.is_new() {
            count += 1;
            if a.json {
                println!(
                    "{}",
                    json_shown(&serde_json::to_string(n).unwrap_or_default())
                );
            } else {
                println!("[{webhook_id}] {}", wrapped(n));
            }
        }
        // What the metrics count as duplicates and in-progress conflicts, said here too.
        for line in skipped_lines(&webhook_id, &delivered, a.quiet) {
            eprintln!("{line}");
        }
        // Events that could not be read: answered 2xx all the same (a refused batch is
        // retried until Cloud Elements switches the subscription off), reported once here.
        for r in &delivered.rejected {
            eprintln!(
                "rejected event {} at {} [{}]: {}",
                shown(r.key.as_deref().unwrap_or("-")),
                shown(&format_path(&r.path)),
                r.code,
                shown(&r.message)
            );
        }
    }
    receiver.stop();
    Ok(ExitCode::SUCCESS)
}

/// More events than this in one notification are listed one per line.
const WRAP_EVENTS: usize = 3;

/// A notification as `listen` prints it: on one line, or a batch of more than
/// [`WRAP_EVENTS`] events as a header line and one indented line per event.
fn wrapped(n: &Notification) -> String {
    let parts = describe_parts(n);
    if parts.len() <= WRAP_EVENTS + 1 {
        return shown(&parts.join("; ")).into_owned();
    }
    let mut out = format!("{}: {} events", shown(&parts[0]), parts.len() - 1);
    for p in &parts[1..] {
        out.push_str("\n    ");
        out.push_str(&shown(p));
    }
    out
}

/// The lines `listen` writes on standard error for a delivery's units processed before and
/// units another delivery holds: one per unit, or one count each with `quiet`.
fn skipped_lines(webhook_id: &str, d: &receiver::Delivered, quiet: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for (keys, what) in [
        (&d.skipped, "skipped (processed before)"),
        (&d.in_progress, "in progress elsewhere (answered 409)"),
    ] {
        if keys.is_empty() {
            continue;
        }
        if quiet {
            let units = if keys.len() == 1 { "unit" } else { "units" };
            lines.push(format!("[{webhook_id}] {} {units} {what}", keys.len()));
        } else {
            lines.extend(
                keys.iter()
                    .map(|k| format!("[{webhook_id}] {what}: {}", shown(k))),
            );
        }
    }
    lines
}

fn trigger(a: TriggerArgs) -> Result<ExitCode, Failure> {
    let key = secrets::resolve(&SIGNATURE_KEY, a.key, a.key_file.as_deref(), false)?;
    if key.is_none() && !a.unsigned {
        return Err(Failure::usage("give the signature key your receiver verifies with (HOOTSUITE_EVENTS_SIGNATURE_KEY or --key-file), or --unsigned"));
    }
    if !(1..=1_000).contains(&a.count) {
        return Err(Failure::usage("--count must be from 1 to 1000"));
    }
    hootsuite_events::check_url("--to", &a.to).map_err(|e| Failure::usage(e.to_string()))?;
    let sent = trigger::run(&trigger::Trigger {
        kind: a.event,
        to: a.to,
        key,
        count: a.count,
        instance_id: a.instance_id,
        retries: a.retries,
        replay: a.replay,
        json: a.json,
    })?;
    Ok(if sent.unanswered > 0 {
        ExitCode::from(EXIT_NETWORK)
    } else if sent.refused > 0 {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    })
}

fn verify(a: VerifyArgs) -> Result<ExitCode, Failure> {
    let keys = signature_keys(a.key, &a.key_file, true)?;
    let body = read_input(&a.file)?;
    let verifier = Verifier::with_keys(keys.iter().map(String::as_str))?
        .allow_legacy_sha1(a.allow_legacy_sha1);
    let headers = [(SIGNATURE_HEADER, a.header.as_str())];
    match verifier.verify_event(&headers[..], &body) {
        Ok(n) if a.json => {
            println!("{}", serde_json::json!({"valid": true, "notification": n}));
            Ok(ExitCode::SUCCESS)
        }
        Ok(n) => {
            // The same number as `key_index` in the JSON, and what it means.
            let key = n.key_index.unwrap_or_default();
            let which = if key == 0 {
                "the current key"
            } else {
                "a previous key"
            };
            println!("valid (key_index {key}: {which}): {}", describe(&n));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("invalid [{}]: {}", e.code(), shown(&e.to_string()));
            if a.json {
                // Every command's error shape, with what the core knows besides.
                let mut error = serde_json::json!({
                    "code": e.code(),
                    "message": e.to_string(),
                    "exit_code": EXIT_INVALID,
                });
                if let (Some(to), serde_json::Value::Object(more)) =
                    (error.as_object_mut(), e.to_value())
                {
                    for (k, v) in more {
                        to.entry(k).or_insert(v);
                    }
                }
                println!(
                    "{}",
                    json_shown(&serde_json::json!({"valid": false, "error": error}).to_string())
                );
            }
            Ok(ExitCode::from(EXIT_INVALID))
        }
    }
}

fn validate(file: &str, json: bool) -> Result<ExitCode, Failure> {
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
        ExitCode::from(EXIT_INVALID)
    })
}

fn send_event(a: SendEventArgs) -> Result<ExitCode, Failure> {
    let base = BaseUrl::parse(&a.base_url)?;
    let url = instance::hootsuite_webhook_url(&base, a.instance);
    let payload: serde_json::Value = match &a.payload {
        Some(file) => {
            let bytes = read_input(file)?;
            serde_json::from_slice(&bytes).map_err(|e| {
                Failure::from(format!(
                    "{file} is not JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ))
            })?
        }
        None => {
            if !(1..=1_000).contains(&a.count) {
                return Err(Failure::usage("--count must be from 1 to 1000"));
            }
            // Sequence numbers from the clock: each run's events are new to the receiver.
            let first = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
            hootsuite_events_emulator::sample(
                &a.kind,
                first,
                a.count,
                &hootsuite_events_emulator::now_rfc3339(),
            )
            .ok_or_else(|| {
                Failure::usage(format!(
                    "`{}` is not an event this command makes; expected message, comment, app or ping",
                    shown(&a.kind)
                ))
            })?
        }
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut answer = agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send(payload.to_string().as_bytes())
        .map_err(|e| Failure::network(format!("posting to the Hootsuite webhook URL: {e}")))?;
    let status = answer.status().as_u16();
    let body: serde_json::Value = answer
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let event_ids = body.get("eventIds").cloned().unwrap_or_default();
    if a.json {
        println!(
            "{}",
            serde_json::json!({"webhook_url": url, "status": status, "event_ids": event_ids})
        );
    } else if (200..300).contains(&status) {
        println!(
            "{status}: the emulator made notification(s) {event_ids} and delivers them, signed, to instance {}'s event callback URL",
            a.instance
        );
    } else {
        println!(
            "{status}: {}",
            shown(
                body.get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or("refused")
            )
        );
    }
    // A 4xx is about the input (no such instance, not Hootsuite's array), a 5xx the server's.
    Ok(match status {
        200..=299 => ExitCode::SUCCESS,
        400..=499 => ExitCode::from(EXIT_INVALID),
        _ => ExitCode::from(EXIT_NETWORK),
    })
}

fn emulate(a: EmulateArgs) -> Result<ExitCode, Failure> {
    let config = EmulatorConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], a.port)),
        user_secret: a.user_secret,
        organization_secret: a.organization_secret,
        retry_unit: Duration::from_micros(a.retry_unit_us),
        delivery_timeout: Duration::from_millis(a.delivery_timeout_ms),
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config)
        .map_err(|e| Failure::network(format!("starting the emulator: {e}")))?;
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
        println!(
            "\nHow it answers (all of it: crates/hootsuite-events-emulator/README.md):\n\
             - consent: the redirect URL's oauthUrl answers 302 at once to your callback URL with\n  \
             ?code=…&state=… (add decision=deny to the oauthUrl for error=access_denied);\n\
             - Hootsuite: `hootsuite-events send-event --base-url {base} --instance ID` posts a\n  \
             message event to the instance's Hootsuite webhook URL (--type, --count, --payload FILE\n  \
             for Hootsuite's own array of {{seq_no, type, data}}); the emulator signs the\n  \
             notifications with the instance's event.notification.signature.key and delivers them\n  \
             to its event.notification.callback.url, retrying on Cloud Elements' schedule;\n\
             - controls: POST {base}/emulator/instances/ID/sample-event?type=message&count=N,\n  \
             POST {base}/emulator/faults, GET {base}/emulator/health.\n\
             Ctrl-C stops it.",
            base = emulator.base_url()
        );
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
