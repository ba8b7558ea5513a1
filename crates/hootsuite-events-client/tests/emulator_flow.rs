//! The client against the real emulator over loopback HTTP: every call, every error path,
//! retries, timeouts, and event delivery with a receiver that fails and recovers.
//! Every wait is bounded.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hootsuite_events::events::Notification;
use hootsuite_events::instance::{self, CreateInstance, ListQuery};
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::signature::Verifier;
use hootsuite_events::{BaseUrl, Config, HttpRequest, Method, Secret};
use hootsuite_events_client::{Client, Error, RetryPolicy};
use hootsuite_events_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};

const CALLBACK: &str = "https://app.example/callback";
const CLIENT_ID: &str = "client-id";

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        retry_unit: Duration::from_micros(2),
        delivery_timeout: Duration::from_millis(500),
        ..EmulatorConfig::default()
    })
    .expect("emulator starts")
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

fn client(emu: &Emulator) -> Client {
    Client::builder(config(emu)).retry(fast_retry()).build()
}

fn config(emu: &Emulator) -> Config {
    Config::new(
        BaseUrl::parse(&emu.base_url()).expect("base"),
        emu.user_secret(),
        emu.organization_secret(),
    )
    .expect("config")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into()
}

/// Steps 1 and 2: the redirect URL, the emulated consent, the callback.
fn consent_code(
    client: &Client,
    decision: Option<&str>,
) -> Result<oauth::AuthorizationCode, hootsuite_events::Error> {
    let params = RedirectUrlParams::new(CLIENT_ID, "client-secret", CALLBACK).state("st-1");
    let consent = client.redirect_url(&params).expect("redirect URL");
    let url = match decision {
        Some(d) => format!("{}&decision={d}", consent.oauth_url),
        None => consent.oauth_url,
    };
    let answer = agent().get(&url).call().expect("consent page answers");
    assert_eq!(answer.status().as_u16(), 302);
    let location = answer.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(location.starts_with(CALLBACK), "{location}");
    oauth::parse_callback(&location, "st-1")
}

fn body(code: impl Into<Secret>, name: &str) -> CreateInstance {
    CreateInstance::builder(name, code, CALLBACK, CLIENT_ID, "client-secret")
        .tag("t1")
        .build()
        .expect("valid body")
}

fn create(client: &Client, name: &str) -> instance::Instance {
    let code = consent_code(client, None).expect("code");
    client.create_instance(&body(code, name)).expect("created")
}

fn inject(emu: &Emulator, fault: Value) {
    let r = agent()
        .post(&format!("{}/emulator/faults", emu.base_url()))
        .send(fault.to_string().as_bytes())
        .expect("fault endpoint answers");
    assert_eq!(r.status().as_u16(), 200);
}

#[test]
fn every_call_of_the_flow() {
    let emu = emulator();
    let c = client(&emu);
    let created = create(&c, "Flow");
    assert_eq!(created.name, "Flow");
    assert_eq!(created.tags, vec!["t1".to_string()]);
    assert_eq!(
        created.configuration.get(instance::KEY_API_SECRET),
        Some(&Some("********".to_string()))
    );
    assert_eq!(
        created.configuration.get(instance::KEY_EVENTS_ENABLED),
        Some(&Some("false".to_string()))
    );
    assert!(!created.events_enabled);

    let got = c.get_instance(created.id).expect("get");
    assert_eq!(got.token.expose(), created.token.expose());

    let updated = c
        .update_event_callback(created.id, "https://app.example/events")
        .expect("patch");
    assert_eq!(
        updated.configuration[instance::KEY_EVENT_CALLBACK_URL].as_deref(),
        Some("https://app.example/events")
    );
    let on = c.set_events(created.id, true).expect("events on");
    assert!(on.events_enabled);
    let off = c.set_events(created.id, false).expect("events off");
    assert!(!off.events_enabled);

    let new_code = consent_code(&c, None).expect("second code");
    let reauth = c
        .reauthenticate(created.id, new_code.secret())
        .expect("re-authenticate");
    assert_eq!(reauth.id, created.id);
    let third = consent_code(&c, None).expect("third code");
    let replaced = c
        .replace_instance(created.id, &body(third, "Renamed"))
        .expect("PUT");
    assert_eq!(replaced.name, "Renamed");

    c.set_enabled(created.id, false).expect("disable");
    assert!(c.get_instance(created.id).expect("get").disabled);
    c.set_enabled(created.id, true).expect("enable");
    assert!(!c.get_instance(created.id).expect("get").disabled);

    assert!(c.instance_events(created.id).expect("events").is_empty());
    c.delete_instance(created.id).expect("delete");
    let gone = c.get_instance(created.id).expect_err("deleted");
    assert_eq!(gone.api().map(|e| e.status), Some(404));
    assert_eq!(emu.instance_count(), 0);
}

#[test]
fn listing_pages_through_everything() {
    let emu = emulator();
    let c = client(&emu);
    let ids: Vec<u64> = (0..5).map(|i| create(&c, &format!("n{i}")).id).collect();
    let query = ListQuery {
        page_size: Some(2),
        tags: vec!["t1".into()],
        ..ListQuery::default()
    };
    let first = c.list_instances(&query).expect("first page");
    assert_eq!(first.instances.len(), 2);
    assert!(first.next_page.is_some());
    let all: Vec<u64> = c.instances(query).map(|i| i.expect("page").id).collect();
    assert_eq!(all, ids);
    let none = c
        .instances(ListQuery {
            tags: vec!["absent".into()],
            ..ListQuery::default()
        })
        .count();
    assert_eq!(none, 0);
    let searched: Vec<String> = c
        .instances(ListQuery {
            search_text: Some("N3".into()),
            ..ListQuery::default()
        })
        .map(|i| i.expect("page").name)
        .collect();
    assert_eq!(searched, vec!["n3".to_string()]);
}

#[test]
fn refusal_and_single_use_codes() {
    let emu = emulator();
    let c = client(&emu);
    let refused = consent_code(&c, Some("deny")).expect_err("refused");
    assert_eq!(refused.code(), "callback_refused");
    let code = consent_code(&c, None).expect("code");
    c.create_instance(&body(code.clone(), "once"))
        .expect("first use");
    let again = c
        .create_instance(&body(code, "twice"))
        .expect_err("second use");
    let api = again.api().expect("an API error");
    assert_eq!(api.status, 400);
    assert!(
        api.provider_message
            .as_deref()
            .unwrap_or_default()
            .starts_with("invalid_grant"),
        "{api:?}"
    );
    assert!(!api.is_retryable());
}

#[test]
fn authorization_errors() {
    let emu = emulator();
    let wrong = Config::new(
        BaseUrl::parse(&emu.base_url()).expect("base"),
        "nope-user",
        "nope-org",
    )
    .expect("config");
    let e = Client::builder(wrong)
        .retry(fast_retry())
        .build()
        .get_instance(1)
        .expect_err("401");
    let api = e.api().expect("api error");
    assert_eq!(api.status, 401);
    assert!(api.request_id.is_some() && api.header_request_id.is_some());
    assert!(!e.to_string().contains("nope"), "{e}");
}

#[test]
fn server_side_validation_gives_field_errors() {
    let emu = emulator();
    let c = client(&emu);
    let auth = config(&emu).platform_authorization();
    let request = HttpRequest {
        method: Method::Post,
        url: format!("{}/instances", emu.base_url()),
        headers: vec![("Authorization".into(), auth.expose().into()), ("Content-Type".into(), "application/json".into())],
        body: br#"{"element": {"key": "hootsuite"}, "configuration": {"oauth.callback.url": "https;//mycoolapp.com"}}"#.to_vec(),
    };
    let response = c.send(&request).expect("answered");
    assert_eq!(response.status, 400);
    let e = instance::parse_instance(&response).expect_err("400");
    let hootsuite_events::Error::Api(api) = e else {
        panic!("expected an API error")
    };
    let body: Value = serde_json::from_str(&api.body).expect("JSON error body");
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        codes,
        [
            "required",
            "invalid_url",
            "required",
            "required",
            "required"
        ]
    );
    assert!(api
        .message
        .as_deref()
        .unwrap_or("")
        .contains("oauth.callback.url"));
}

#[test]
fn retry_after_is_honoured_on_get() {
    let emu = emulator();
    let c = client(&emu);
    let id = create(&c, "r").id;
    inject(
        &emu,
        json!({"method": "GET", "path": "/instances/", "status": 429, "retry_after": 1, "times": 1}),
    );
    let start = Instant::now();
    c.get_instance(id).expect("succeeds after waiting");
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        start.elapsed()
    );

    // A Retry-After beyond the policy's bound is not waited for.
    inject(
        &emu,
        json!({"method": "GET", "path": "/instances/", "status": 429, "retry_after": 3600, "times": 1}),
    );
    let e = c.get_instance(id).expect_err("not waited for");
    assert_eq!(e.api().and_then(|a| a.retry_after), Some(3600));
}

#[test]
fn server_errors_are_retried_on_get_until_success_or_budget() {
    let emu = emulator();
    let c = client(&emu);
    let id = create(&c, "s").id;
    inject(
        &emu,
        json!({"method": "GET", "path": "/instances/", "status": 500, "times": 2}),
    );
    assert_eq!(c.get_instance(id).expect("third attempt succeeds").id, id);
    inject(
        &emu,
        json!({"method": "GET", "path": "/instances/", "status": 503, "times": 10}),
    );
    let e = c.get_instance(id).expect_err("budget exhausted");
    assert_eq!(e.api().map(|a| a.status), Some(503));
    assert!(e.api().is_some_and(|a| a.is_retryable()));
}

#[test]
fn create_is_never_retried() {
    let emu = emulator();
    let c = client(&emu);
    let code = consent_code(&c, None).expect("code");
    inject(
        &emu,
        json!({"method": "POST", "path": "/instances", "status": 500, "times": 1}),
    );
    let e = c
        .create_instance(&body(code.clone(), "x"))
        .expect_err("500");
    assert!(matches!(e, Error::OutcomeUnknown { .. }), "{e:?}");
    assert!(e.to_string().contains("GET /instances"), "{e}");
    assert_eq!(emu.instance_count(), 0);
    // The fault intercepted the request, so the code is still unused: no retry happened.
    c.create_instance(&body(code.clone(), "x"))
        .expect("the code was not spent");

    let code = consent_code(&c, None).expect("code");
    inject(
        &emu,
        json!({"method": "POST", "path": "/instances", "status": 200, "truncate": true, "times": 1}),
    );
    let e = c.create_instance(&body(code, "y")).expect_err("cut answer");
    assert!(matches!(e, Error::OutcomeUnknown { .. }), "{e:?}");
}

#[test]
fn read_timeouts_and_resets() {
    let emu = emulator();
    let id = create(&client(&emu), "t").id;
    let impatient = Client::builder(config(&emu))
        .read_timeout(Duration::from_millis(300))
        .retry(RetryPolicy {
            max_retries: 0,
            ..fast_retry()
        })
        .build();
    inject(
        &emu,
        json!({"method": "GET", "path": "/instances/", "status": 200, "delay_ms": 1500, "times": 1}),
    );
    let start = Instant::now();
    let e = impatient.get_instance(id).expect_err("timed out");
    assert!(matches!(e, Error::Transport { attempts: 1, .. }), "{e:?}");
    assert!(
        start.elapsed() < Duration::from_millis(1400),
        "{:?}",
        start.elapsed()
    );

    let patient = Client::builder(config(&emu))
        .read_timeout(Duration::from_millis(300))
        .retry(fast_retry())
        .build();
    inject(
        &emu,
        json!({"method": "GET", "path": "/instances/", "status": 200, "delay_ms": 1000, "times": 1}),
    );
    assert_eq!(
        patient
            .get_instance(id)
            .expect("retried after the timeout")
            .id,
        id
    );
    inject(
        &emu,
        json!({"method": "GET", "path": "/instances/", "status": 200, "truncate": true, "times": 1}),
    );
    assert_eq!(
        patient
            .get_instance(id)
            .expect("retried after the reset")
            .id,
        id
    );
}

#[test]
fn connection_refused() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let config = Config::new(
        BaseUrl::parse(&format!("http://127.0.0.1:{port}/elements/api-v2")).expect("base"),
        "u",
        "o",
    )
    .expect("config");
    let c = Client::builder(config).retry(fast_retry()).build();
    let e = c.get_instance(1).expect_err("refused");
    assert!(matches!(e, Error::Transport { attempts: 4, .. }), "{e:?}");
    // Never sent: a create that could not connect is a plain transport error, not "unknown".
    let e = c.create_instance(&body("code", "x")).expect_err("refused");
    assert!(matches!(e, Error::Transport { attempts: 1, .. }), "{e:?}");
}

/// A receiver that answers 500 for its first `fail_first` requests, then verifies and keeps
/// each notification.
struct TestReceiver {
    url: String,
    /// Notifications with at least one unit processed for the first time.
    got: Arc<Mutex<Vec<Notification>>>,
    /// Every notification that verified, duplicates included.
    all: Arc<Mutex<Vec<Notification>>>,
    /// The keys of the units processed, in order.
    processed: Arc<Mutex<Vec<String>>>,
    /// How many more units fail when processed.
    fail_processing: Arc<AtomicUsize>,
    hits: Arc<AtomicUsize>,
    fail_first: Arc<AtomicUsize>,
    _thread: std::thread::JoinHandle<()>,
}

fn receiver(key: &str, fail_first: usize) -> TestReceiver {
    receiver_on("127.0.0.1:0", &[key], fail_first, false)
}

/// `hang`: the failing requests get no answer in time (the emulator's delivery timeout is
/// 500 ms) instead of a 500.
fn receiver_on(addr: &str, keys: &[&str], fail_first: usize, hang: bool) -> TestReceiver {
    let server = tiny_http::Server::http(addr).expect("bind");
    let url = format!("http://{}/hook", server.server_addr().to_ip().expect("ip"));
    let got = Arc::new(Mutex::new(Vec::new()));
    let all = Arc::new(Mutex::new(Vec::new()));
    let processed = Arc::new(Mutex::new(Vec::new()));
    let hits = Arc::new(AtomicUsize::new(0));
    let fail = Arc::new(AtomicUsize::new(fail_first));
    let verifier = Verifier::with_keys(keys.iter().copied()).expect("keys");
    let fail_processing = Arc::new(AtomicUsize::new(0));
    let fp = Arc::clone(&fail_processing);
    let (g, h, f) = (Arc::clone(&got), Arc::clone(&hits), Arc::clone(&fail));
    let (a, p) = (Arc::clone(&all), Arc::clone(&processed));
    let thread = std::thread::spawn(move || {
        // As a real receiver does: each unit of work is processed once, so a redelivery of a
        // processed delivery is acknowledged, not processed again.
        let store = hootsuite_events::idempotency::MemoryStore::new();
        let start = Instant::now();
        // Bounded: stops after 2,000 requests or 30 s without one.
        for _ in 0..2000 {
            let Ok(Some(mut req)) = server.recv_timeout(Duration::from_secs(30)) else {
                return;
            };
            let n = h.fetch_add(1, Ordering::SeqCst);
            let headers: Vec<(String, String)> = req
                .headers()
                .iter()
                .map(|x| (x.field.to_string(), x.value.to_string()))
                .collect();
            let mut body = Vec::new();
            let _ = req.as_reader().read_to_end(&mut body);
            let status = if n < f.load(Ordering::SeqCst) {
                if hang {
                    std::thread::sleep(Duration::from_millis(800));
                }
                500
            } else {
                match verifier.verify_event(&headers, &body) {
                    Ok(notification) => {
                        let now = || start.elapsed().as_millis() as u64;
                        let outcome = hootsuite_events::idempotency::process(
                            &store,
                            &notification,
                            now,
                            hootsuite_events::idempotency::DEFAULT_LEASE_MS,
                            |w| {
                                // Processing that fails (a database down): the claim is
                                // released and Cloud Elements' retry processes it.
                                if fp.load(Ordering::SeqCst) > 0 {
                                    fp.fetch_sub(1, Ordering::SeqCst);
                                    return Err(());
                                }
                                p.lock().expect("lock").push(w.unit.key.clone());
                                Ok(())
                            },
                        );
                        a.lock().expect("lock").push(notification.clone());
                        match outcome {
                            Ok(o) if o.processed > 0 => {
                                g.lock().expect("lock").push(notification);
                                o.status
                            }
                            Ok(o) => o.status,
                            Err(_) => 500,
                        }
                    }
                    Err(_) => 401,
                }
            };
            let _ = req.respond(tiny_http::Response::empty(status));
        }
    });
    TestReceiver {
        url,
        got,
        all,
        processed,
        fail_processing,
        hits,
        fail_first: fail,
        _thread: thread,
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn events_instance(c: &Client, key: &str, url: &str) -> u64 {
    let code = consent_code(c, None).expect("code");
    let body = CreateInstance::builder("events", code, CALLBACK, CLIENT_ID, "client-secret")
        .events("https://placeholder.example/events")
        .signature_key(key)
        .build()
        .expect("valid");
    let id = c.create_instance(&body).expect("created").id;
    c.update_event_callback(id, url)
        .expect("final callback URL");
    id
}

/// Has "Hootsuite" send one event of `kind` for the instance (the emulator's control endpoint).
fn sample_event(emu: &Emulator, id: u64, kind: &str) {
    let url = format!(
        "{}/emulator/instances/{id}/sample-event?type={kind}",
        emu.base_url()
    );
    let answer = agent().post(&url).send(&b""[..]).expect("sample event");
    assert_eq!(answer.status().as_u16(), 200);
}

fn hootsuite_posts(emu: &Emulator, id: u64, payload: &Value) -> Value {
    let webhook =
        instance::hootsuite_webhook_url(&BaseUrl::parse(&emu.base_url()).expect("base"), id);
    let mut r = agent()
        .post(&webhook)
        .send(payload.to_string().as_bytes())
        .expect("webhook answers");
    assert_eq!(r.status().as_u16(), 200);
    serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("json")
}

#[test]
fn delivery_survives_failures_and_is_delivered_once() {
    let emu = emulator();
    let c = client(&emu);
    let rx = receiver("key-1", 3);
    let id = events_instance(&c, "key-1", &rx.url);
    let payload = json!([
        {"seq_no": "1", "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT", "message": {"id": "m1"}}},
        {"seq_no": "2", "type": "com.hootsuite.ping.event.v1"}
    ]);
    hootsuite_posts(&emu, id, &payload);
    wait_until("the delivery", || !rx.got.lock().expect("lock").is_empty());
    std::thread::sleep(Duration::from_millis(100));
    let got = rx.got.lock().expect("lock");
    assert_eq!(got.len(), 1, "delivered exactly once");
    assert_eq!(
        rx.hits.load(Ordering::SeqCst),
        4,
        "3 failures, then success"
    );
    assert_eq!(got[0].instance_id, Some(id));
    assert_eq!(
        got[0].events.len(),
        1,
        "the ping is not forwarded as an event"
    );
    assert_eq!(
        got[0].hootsuite_events.len(),
        2,
        "raw keeps Hootsuite's whole payload"
    );
    assert!(got[0].webhook_id.is_some());
    let events = c.instance_events(id).expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status.as_deref(), Some("NOTIFIED"));
    assert_eq!(emu.delivery_count(), 0);
}

#[test]
fn large_batches_are_split_by_twenty() {
    let emu = emulator();
    let c = client(&emu);
    let rx = receiver("k", 0);
    let id = events_instance(&c, "k", &rx.url);
    let payload = Value::Array(
        (0..45)
            .map(|i| json!({"seq_no": i.to_string(), "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT", "message": {"id": format!("m{i}")}}}))
            .collect(),
    );
    let answer = hootsuite_posts(&emu, id, &payload);
    assert_eq!(answer["eventIds"].as_array().map(Vec::len), Some(3));
    wait_until("three notifications", || {
        rx.all.lock().expect("lock").len() == 3
    });
    let all = rx.all.lock().expect("lock");
    let mut sizes: Vec<usize> = all.iter().map(|n| n.events.len()).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [5, 20, 20]);
    assert!(all.iter().all(|n| n.hootsuite_events.len() == 45));
    // Every part names the same 45 units: the batch is processed 45 times, not 135.
    let processed = rx.processed.lock().expect("lock");
    let mut keys = processed.clone();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!((processed.len(), keys.len()), (45, 45));
    assert_eq!(rx.got.lock().expect("lock").len(), 1);
}

#[test]
fn exhausted_deliveries_are_queued_then_redelivered() {
    let emu = emulator();
    let c = client(&emu);
    let rx = receiver("k2", usize::MAX);
    let id = events_instance(&c, "k2", &rx.url);
    sample_event(&emu, id, "comment");
    let auth = config(&emu).platform_authorization();
    let deliveries = format!(
        "{}/notifications/subscriptions/deliveries?where=status%3D%27queued%27",
        emu.base_url()
    );
    let queued = || -> Vec<Value> {
        let mut r = agent()
            .get(&deliveries)
            .header("Authorization", auth.expose())
            .call()
            .expect("list");
        let v: Value =
            serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("json");
        v.as_array().cloned().unwrap_or_default()
    };
    wait_until("the delivery to be queued", || queued().len() == 1);
    assert_eq!(rx.hits.load(Ordering::SeqCst), 10, "1 attempt + 9 retries");
    // While the subscription is deactivated, a new event is queued at once.
    sample_event(&emu, id, "comment");
    wait_until("the second event to be queued", || queued().len() == 2);
    assert_eq!(rx.hits.load(Ordering::SeqCst), 10);

    rx.fail_first.store(0, Ordering::SeqCst);
    let r = agent()
        .put(&deliveries)
        .header("Authorization", auth.expose())
        .send(&b""[..])
        .expect("redeliver");
    assert_eq!(r.status().as_u16(), 200);
    wait_until("both redelivered", || {
        rx.got.lock().expect("lock").len() == 2
    });
    assert!(queued().is_empty());
    let kinds: Vec<String> = rx
        .got
        .lock()
        .expect("lock")
        .iter()
        .map(|n| n.events[0].object_type.clone().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["comments", "comments"]);
}

#[test]
fn fifty_concurrent_clients() {
    let emu = emulator();
    let base = emu.base_url();
    let errors = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..50)
        .map(|t| {
            let base = base.clone();
            let errors = Arc::clone(&errors);
            let (u, o) = (
                emu.user_secret().to_string(),
                emu.organization_secret().to_string(),
            );
            std::thread::spawn(move || {
                let c = Client::builder(
                    Config::new(BaseUrl::parse(&base).expect("base"), u, o).expect("config"),
                )
                .retry(fast_retry())
                .build();
                for round in 0..4 {
                    let run = || -> Result<(), Box<dyn std::error::Error>> {
                        let created = create(&c, &format!("c{t}-{round}"));
                        c.get_instance(created.id)?;
                        c.update_event_callback(created.id, "https://app.example/e")?;
                        c.delete_instance(created.id)?;
                        Ok(())
                    };
                    if run().is_err() {
                        errors.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    assert_eq!(errors.load(Ordering::SeqCst), 0);
    assert_eq!(emu.instance_count(), 0);
}

#[test]
fn ok_answers_that_cannot_be_read_keep_path_and_position() {
    let emu = emulator();
    let c = client(&emu);
    let id = create(&c, "p").id;
    inject(
        &emu,
        json!({"method": "GET", "path": "/instances/", "status": 200, "raw_body": "{\"id\": 1,\n \"token\": }"}),
    );
    let e = c.get_instance(id).expect_err("not JSON");
    let Error::Core(hootsuite_events::Error::Parse(p)) = e else {
        panic!("expected a parse error, got {e:?}")
    };
    assert_eq!(
        (p.kind, p.line, p.column),
        (hootsuite_events::ParseErrorKind::Syntax, Some(2), Some(11))
    );
    assert_eq!(p.body, "{\"id\": 1,\n \"token\": }");
    inject(
        &emu,
        json!({"method": "GET", "path": "/instances/", "status": 200, "raw_body": "{\"id\": \"x\", \"token\": \"t\"}"}),
    );
    let e = c.get_instance(id).expect_err("wrong type");
    let Error::Core(hootsuite_events::Error::Parse(p)) = e else {
        panic!("expected a parse error, got {e:?}")
    };
    assert_eq!(p.path, vec![hootsuite_events::PathSegment::from("id")]);
}

#[test]
fn delivery_waits_for_a_receiver_that_refuses_connections() {
    let emu = Emulator::start(EmulatorConfig {
        retry_unit: Duration::from_micros(200),
        delivery_timeout: Duration::from_millis(500),
        ..EmulatorConfig::default()
    })
    .expect("emulator");
    let c = client(&emu);
    // A port with nobody listening: connections are refused.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let id = events_instance(&c, "k3", &format!("http://{addr}/hook"));
    sample_event(&emu, id, "message");
    let auth = config(&emu).platform_authorization();
    let attempts = || -> u64 {
        let mut r = agent()
            .get(&format!(
                "{}/notifications/subscriptions/deliveries",
                emu.base_url()
            ))
            .header("Authorization", auth.expose())
            .call()
            .expect("list");
        let v: Value =
            serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("json");
        v[0]["attempts"].as_u64().unwrap_or(0)
    };
    wait_until("three refused attempts", || attempts() >= 3);
    let rx = receiver_on(&addr.to_string(), &["k3"], 0, false);
    wait_until("the delivery after recovery", || {
        !rx.got.lock().expect("lock").is_empty()
    });
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        rx.got.lock().expect("lock").len(),
        1,
        "delivered exactly once"
    );
    assert_eq!(emu.delivery_count(), 0);
}

#[test]
fn delivery_survives_a_receiver_that_hangs() {
    let emu = emulator();
    let c = client(&emu);
    let rx = receiver_on("127.0.0.1:0", &["k4"], 2, true);
    let id = events_instance(&c, "k4", &rx.url);
    sample_event(&emu, id, "app");
    wait_until("the delivery after two timeouts", || {
        !rx.got.lock().expect("lock").is_empty()
    });
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        rx.got.lock().expect("lock").len(),
        1,
        "processed exactly once"
    );
    // The emulator gave up on the hanging attempts and retried: the receiver may see the same
    // delivery more than once, which is why receivers deduplicate.
    assert!(rx.hits.load(Ordering::SeqCst) >= 3);
    assert_eq!(emu.delivery_count(), 0);
}

/// POSTs the emulator's replay control: the last delivered notification again, byte for byte,
/// under `webhook_id`.
fn replay(emu: &Emulator, webhook_id: &str) {
    // 404 until the emulator has read the receiver's 2xx and filed the delivery as delivered.
    wait_until("a delivered notification to replay", || {
        let answer = agent()
            .post(&format!("{}/emulator/replay", emu.base_url()))
            .send(json!({"webhook_id": webhook_id}).to_string().as_bytes())
            .expect("replay");
        answer.status().as_u16() == 200
    });
}

/// The issue's experiment: one signed delivery replayed under `Elements-Webhook-Id` a, b, a
/// is processed once (the header is not signed; the unit keys are).
#[test]
fn replays_under_other_webhook_ids_are_processed_once() {
    let emu = emulator();
    let c = client(&emu);
    let rx = receiver("k", 0);
    let id = events_instance(&c, "k", &rx.url);
    sample_event(&emu, id, "message");
    wait_until("the first delivery", || {
        rx.all.lock().expect("lock").len() == 1
    });
    for webhook_id in ["a", "b", "a"] {
        replay(&emu, webhook_id);
    }
    wait_until("three replays", || rx.all.lock().expect("lock").len() == 4);
    let all = rx.all.lock().expect("lock");
    let ids: Vec<_> = all
        .iter()
        .map(|n| n.webhook_id.clone().unwrap_or_default())
        .collect();
    assert_eq!(&ids[1..], ["a", "b", "a"]);
    assert!(all.iter().all(|n| n.units == all[0].units));
    assert_eq!(rx.processed.lock().expect("lock").len(), 1);
}

/// A processing failure releases the claim: Cloud Elements' retry processes the unit, once.
#[test]
fn a_failed_processing_is_retried_and_processed_once() {
    let emu = emulator();
    let c = client(&emu);
    let rx = receiver("k", 0);
    rx.fail_processing.store(1, Ordering::SeqCst);
    let id = events_instance(&c, "k", &rx.url);
    sample_event(&emu, id, "comment");
    wait_until("the retry", || {
        rx.processed.lock().expect("lock").len() == 1
    });
    assert_eq!(
        rx.all.lock().expect("lock").len(),
        2,
        "the failure, then the retry"
    );
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(rx.processed.lock().expect("lock").len(), 1);
}

/// Key rotation: deliveries Cloud Elements signed with the previous key keep that signature
/// through their retries; a receiver holding both keys verifies them after the change.
#[test]
fn deliveries_signed_with_the_previous_key_verify_after_rotation() {
    let emu = Emulator::start(EmulatorConfig {
        retry_unit: Duration::from_millis(2),
        delivery_timeout: Duration::from_millis(500),
        ..EmulatorConfig::default()
    })
    .expect("emulator starts");
    let c = client(&emu);
    let rx = receiver_on("127.0.0.1:0", &["new-key", "old-key"], usize::MAX, false);
    let id = events_instance(&c, "old-key", &rx.url);
    sample_event(&emu, id, "message");
    wait_until("a failed first attempt", || {
        rx.hits.load(Ordering::SeqCst) >= 1
    });
    c.set_signature_key(id, &Secret::new("new-key"))
        .expect("rotated");
    rx.fail_first.store(0, Ordering::SeqCst);
    wait_until("the retry", || rx.got.lock().expect("lock").len() == 1);
    assert_eq!(rx.got.lock().expect("lock")[0].key_index, Some(1));
    sample_event(&emu, id, "message");
    wait_until("a new event", || rx.got.lock().expect("lock").len() == 2);
    assert_eq!(rx.got.lock().expect("lock")[1].key_index, Some(0));
}
