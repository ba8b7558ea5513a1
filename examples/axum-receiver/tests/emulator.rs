//! The axum receiver on a real loopback server and the async Redis store on a redis-server of
//! the test's own, receiving the emulator's real signed deliveries: replays, a split batch, a
//! failure and its retry, a key rotation, a batch with an event that cannot be read.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hootsuite_events::instance::CreateInstance;
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::signature::Verifier;
use hootsuite_events::{BaseUrl, Config, Secret};
use hootsuite_events_client::Client;
use hootsuite_events_emulator::{Emulator, EmulatorConfig};
use hootsuite_events_example_axum::{router, Handler, Receiver};

#[path = "emulator/telemetry.rs"]
mod telemetry;
use hootsuite_events_redis::AsyncRedisStore;
use hootsuite_events_tower::Telemetry;
use serde_json::json;

/// A redis-server of the test's own on a free loopback port (no persistence), stopped when
/// dropped.
struct RedisServer {
    child: std::process::Child,
    dir: std::path::PathBuf,
    url: String,
}

impl RedisServer {
    fn start() -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let dir = std::env::temp_dir().join(format!(
            "hootsuite-events-axum-{}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start redis-server ({e}): run `make redis` first"));
        let server = RedisServer {
            child,
            dir,
            url: format!("redis://127.0.0.1:{port}/"),
        };
        wait_until("redis-server", || {
            redis::Client::open(server.url.as_str())
                .and_then(|c| c.get_connection())
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
                .is_ok()
        });
        server
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Running {
    url: String,
    receiver: Arc<Receiver>,
    /// Requests answered, whatever their outcome.
    hits: Arc<AtomicUsize>,
    processed: Arc<Mutex<Vec<String>>>,
    fail: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _redis: RedisServer,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The example's router on 127.0.0.1:0, in its own runtime, on a redis-server of its own,
/// recording what it processes, reporting to no-op telemetry.
fn start(keys: &[&str]) -> Running {
    start_with(keys, Telemetry::global())
}

/// [`start`] reporting to `telemetry`.
fn start_with(keys: &[&str], telemetry: Telemetry) -> Running {
    let redis = RedisServer::start();
    let processed = Arc::new(Mutex::new(Vec::new()));
    let fail = Arc::new(AtomicUsize::new(0));
    let (p, f) = (Arc::clone(&processed), Arc::clone(&fail));
    let verifier = Verifier::with_keys(keys.iter().copied()).expect("keys");
    let receiver = Receiver::new();
    let handler: Handler = Arc::new(move |job| {
        let (p, f) = (Arc::clone(&p), Arc::clone(&f));
        Box::pin(async move {
            // An await inside the handler, as real processing has.
            tokio::task::yield_now().await;
            if f.load(Ordering::SeqCst) > 0 {
                f.fetch_sub(1, Ordering::SeqCst);
                return Err("the database is down".into());
            }
            p.lock().expect("lock").push(job.work().unit.key.clone());
            Ok(())
        })
    });
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    std_listener.set_nonblocking(true).expect("non-blocking");
    let url = format!(
        "http://{}/hootsuite/events",
        std_listener.local_addr().expect("addr")
    );
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (redis_url, log) = (redis.url.clone(), Arc::clone(&receiver));
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let store = AsyncRedisStore::connect(&redis_url).await.expect("redis");
            let app =
                router(log, verifier, store, handler, telemetry).layer(axum::middleware::from_fn(
                    move |request: axum::extract::Request, next: axum::middleware::Next| {
                        let counted = Arc::clone(&counted);
                        async move {
                            let response = next.run(request).await;
                            counted.fetch_add(1, Ordering::SeqCst);
                            response
                        }
                    },
                ));
            let listener = tokio::net::TcpListener::from_std(std_listener).expect("listener");
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
    });
    Running {
        url,
        receiver,
        hits,
        processed,
        fail,
        stop: Some(stop),
        thread: Some(thread),
        _redis: redis,
    }
}

fn emulator(retry_unit: Duration) -> Emulator {
    Emulator::start(EmulatorConfig {
        retry_unit,
        delivery_timeout: Duration::from_millis(500),
        ..EmulatorConfig::default()
    })
    .expect("emulator starts")
}

fn client(emu: &Emulator) -> Client {
    let config = Config::new(
        BaseUrl::parse(&emu.base_url()).expect("base"),
        emu.user_secret(),
        emu.organization_secret(),
    )
    .expect("config");
    Client::new(config)
}

/// An instance whose events, signed with `key`, go to `url`.
fn instance(emu: &Emulator, c: &Client, key: &str, url: &str) -> u64 {
    let callback = "https://app.example/cb";
    let params = RedirectUrlParams::new("client-id", "client-secret", callback).state("s");
    let consent = c.redirect_url(&params).expect("redirect URL");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let answer = agent.get(&consent.oauth_url).call().expect("consent");
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("redirect")
        .to_string();
    let code = oauth::parse_callback(&location, "s").expect("code");
    let body = CreateInstance::builder("axum", code, callback, "client-id", "client-secret")
        .events("https://placeholder.example/events")
        .signature_key(key)
        .build()
        .expect("valid");
    let id = c.create_instance(&body).expect("created").id;
    c.update_event_callback(id, url).expect("callback URL");
    let _ = emu;
    id
}

fn post(emu: &Emulator, path: &str, body: serde_json::Value) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent
        .post(&format!("{}{path}", emu.base_url()))
        .send(body.to_string().as_bytes())
        .expect("control")
        .status()
        .as_u16()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn replays_and_split_batches_are_processed_once() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let rx = start(&["k"]);
    let id = instance(&emu, &c, "k", &rx.url);
    let sample = format!("/emulator/instances/{id}/sample-event?type=message&count=45");
    assert_eq!(post(&emu, &sample, json!(null)), 200);
    wait_until("45 units", || {
        rx.processed.lock().expect("lock").len() == 45
    });
    for webhook_id in ["a", "b", "a"] {
        wait_until("a replay accepted", || {
            post(&emu, "/emulator/replay", json!({"webhook_id": webhook_id})) == 200
        });
    }
    // Three parts and three replays answered, each with its full batch of 45 units.
    wait_until("six deliveries", || rx.hits.load(Ordering::SeqCst) == 6);
    let processed = rx.processed.lock().expect("lock");
    let mut keys = processed.clone();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(
        (processed.len(), keys.len()),
        (45, 45),
        "45 processed, not 135"
    );
}

#[test]
fn a_failure_is_retried_and_processed_once() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let rx = start(&["k"]);
    rx.fail.store(1, Ordering::SeqCst);
    let id = instance(&emu, &c, "k", &rx.url);
    assert_eq!(
        post(
            &emu,
            &format!("/emulator/instances/{id}/sample-event?type=comment"),
            json!(null)
        ),
        200
    );
    wait_until("the retry", || {
        rx.processed.lock().expect("lock").len() == 1
    });
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(rx.processed.lock().expect("lock").len(), 1);
    assert_eq!(
        rx.fail.load(Ordering::SeqCst),
        0,
        "the first attempt failed"
    );
}

#[test]
fn the_previous_key_still_verifies_after_a_rotation() {
    // Retries 80 ms, 320 ms, ... after the first attempt: time to rotate the key in between.
    let emu = emulator(Duration::from_millis(20));
    let c = client(&emu);
    let rx = start(&["new-key", "old-key"]);
    rx.fail.store(1, Ordering::SeqCst);
    let id = instance(&emu, &c, "old-key", &rx.url);
    let sample = |kind: &str| {
        let path = format!("/emulator/instances/{id}/sample-event?type={kind}");
        assert_eq!(post(&emu, &path, json!(null)), 200);
    };
    sample("message");
    wait_until("the failed first attempt", || {
        rx.fail.load(Ordering::SeqCst) == 0
    });
    c.set_signature_key(id, &Secret::new("new-key"))
        .expect("rotated");
    // The retry still carries the signature made with the old key.
    wait_until("the retry", || {
        rx.processed.lock().expect("lock").len() == 1
    });
    sample("app");
    wait_until("an event signed with the new key", || {
        rx.processed.lock().expect("lock").len() == 2
    });
}

#[test]
fn a_batch_with_an_event_that_cannot_be_read_is_answered_200_and_the_rest_processed() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let rx = start(&["k"]);
    let id = instance(&emu, &c, "k", &rx.url);
    // What anyone can do: post to the public Hootsuite webhook URL; Cloud Elements signs it.
    let base = BaseUrl::parse(&emu.base_url()).expect("base");
    let webhook = hootsuite_events::instance::hootsuite_webhook_url(&base, id);
    let path = webhook
        .strip_prefix(&emu.base_url())
        .expect("the webhook URL is the emulator's");
    let batch = json!([
        {"seq_no": "9001", "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT", "message": {"id": "m-1"}}},
        {"seq_no": "9002", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}},
    ]);
    for round in 1..=2 {
        assert_eq!(post(&emu, path, batch.clone()), 200);
        wait_until("the delivery", || rx.hits.load(Ordering::SeqCst) == round);
    }
    // Answered 200 both times: no retry, and the subscription stays on.
    let delivered = c
        .all_deliveries(&hootsuite_events::deliveries::DeliveryQuery::default(), 10)
        .expect("deliveries");
    let attempts: Vec<_> = delivered
        .deliveries
        .iter()
        .filter(|d| d.instance_id == Some(id))
        .map(|d| d.status.as_str().to_string())
        .collect();
    assert_eq!(attempts, ["delivered", "delivered"]);
    assert_eq!(
        *rx.processed.lock().expect("lock"),
        [format!("hs:{id}:9001")]
    );
    let rejected = rx.receiver.rejected();
    assert_eq!(rejected.len(), 1, "reported once");
    assert_eq!(
        hootsuite_events::error::format_path(&rejected[0].path),
        "message.raw[1].data.message"
    );
}
