//! The axum receiver on the PostgreSQL inbox on a real loopback server, receiving the
//! emulator's real signed deliveries and writing each Hootsuite event into the application's
//! table of a PostgreSQL server of the test's own: replays, a split batch, a failure and its
//! retry, a batch with an event that cannot be read.

#[path = "../../../crates/hootsuite-events-postgres/tests/support/mod.rs"]
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hootsuite_events::instance::CreateInstance;
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::signature::Verifier;
use hootsuite_events::{BaseUrl, Config};
use hootsuite_events_client::Client;
use hootsuite_events_emulator::{Emulator, EmulatorConfig};
use hootsuite_events_example_axum_postgres::{router, write_event, Receiver};
use serde_json::json;

struct Running {
    url: String,
    receiver: Arc<Receiver>,
    hits: Arc<AtomicUsize>,
    attempts: Arc<AtomicUsize>,
    fail: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
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

/// The example's router on 127.0.0.1:0 with the example's handler, which fails (after writing
/// its row) while `fail` is above zero.
fn start(params: &str) -> Running {
    let fail = Arc::new(AtomicUsize::new(0));
    let attempts = Arc::new(AtomicUsize::new(0));
    let (f, a) = (Arc::clone(&fail), Arc::clone(&attempts));
    let receiver = Receiver::new(
        Verifier::with_keys(["k"]).expect("keys"),
        params,
        Box::new(move |tx, work| {
            a.fetch_add(1, Ordering::SeqCst);
            write_event(tx, work)?;
            if f.load(Ordering::SeqCst) > 0 {
                f.fetch_sub(1, Ordering::SeqCst);
                return Err("the handler failed after its write".into());
            }
            Ok(())
        }),
    );
    receiver.migrate().expect("migrated");
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    std_listener.set_nonblocking(true).expect("non-blocking");
    let url = format!(
        "http://{}/hootsuite/events",
        std_listener.local_addr().expect("addr")
    );
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    let app = router(Arc::clone(&receiver)).layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let counted = Arc::clone(&counted);
            async move {
                let response = next.run(request).await;
                counted.fetch_add(1, Ordering::SeqCst);
                response
            }
        },
    ));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
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
        attempts,
        fail,
        stop: Some(stop),
        thread: Some(thread),
    }
}

fn instance(emu: &Emulator, url: &str) -> u64 {
    let config = Config::new(
        BaseUrl::parse(&emu.base_url()).expect("base"),
        emu.user_secret(),
        emu.organization_secret(),
    )
    .expect("config");
    let c = Client::new(config);
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
    let body = CreateInstance::builder("axum-pg", code, callback, "client-id", "client-secret")
        .events("https://placeholder.example/events")
        .signature_key("k")
        .build()
        .expect("valid");
    let id = c.create_instance(&body).expect("created").id;
    c.update_event_callback(id, url).expect("callback URL");
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
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn rows(db: &mut postgres::Client, filter: &str) -> Vec<String> {
    db.query(
        &format!("SELECT unit_key FROM hootsuite_events_received WHERE {filter} ORDER BY unit_key"),
        &[],
    )
    .expect("rows")
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn each_event_is_one_row_across_replays_a_split_batch_a_failure_and_a_poisoned_batch() {
    let server = support::Server::start();
    let mut db = server.client();
    let emu = Emulator::start(EmulatorConfig {
        retry_unit: Duration::from_micros(2),
        delivery_timeout: Duration::from_millis(2000),
        ..EmulatorConfig::default()
    })
    .expect("emulator starts");
    let rx = start(&server.params);
    let id = instance(&emu, &rx.url);

    // 45 events in three notifications, then three replays: 45 rows.
    let sample = format!("/emulator/instances/{id}/sample-event?type=message&count=45");
    assert_eq!(post(&emu, &sample, json!(null)), 200);
    wait_until("three deliveries", || rx.hits.load(Ordering::SeqCst) == 3);
    for webhook_id in ["a", "b", "a"] {
        wait_until("a replay accepted", || {
            post(&emu, "/emulator/replay", json!({"webhook_id": webhook_id})) == 200
        });
    }
    wait_until("six deliveries", || rx.hits.load(Ordering::SeqCst) == 6);
    let keys = rows(&mut db, "true");
    let mut distinct = keys.clone();
    distinct.dedup();
    assert_eq!((keys.len(), distinct.len()), (45, 45), "45 rows, not 135");

    // A failure after the row was written: both roll back; the retry writes it once.
    rx.fail.store(1, Ordering::SeqCst);
    let tried = rx.attempts.load(Ordering::SeqCst);
    let one = format!("/emulator/instances/{id}/sample-event?type=comment");
    assert_eq!(post(&emu, &one, json!(null)), 200);
    wait_until("the retry", || rx.hits.load(Ordering::SeqCst) == 8);
    assert_eq!(rx.attempts.load(Ordering::SeqCst) - tried, 2, "tried twice");
    assert_eq!(
        rows(&mut db, "true").len(),
        46,
        "one row for the retried event"
    );

    // A batch with an event that cannot be read, twice: 200, one row, reported once.
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
        wait_until("the delivery", || {
            rx.hits.load(Ordering::SeqCst) == 8 + round
        });
    }
    assert_eq!(
        rows(&mut db, "seq_no IN ('9001', '9002')"),
        [format!("hs:{id}:9001")]
    );
    assert_eq!(rx.receiver.rejected().len(), 1, "reported once");
    let rejected: i64 = db
        .query_one(
            "SELECT count(*) FROM hootsuite_events_inbox WHERE kind = 'rejected'",
            &[],
        )
        .expect("count")
        .get(0);
    assert_eq!(rejected, 1);
}
