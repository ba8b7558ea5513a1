//! The emulator as Cloud Elements' own platform tests (churros) and SDK (ce-sdkifier) describe
//! the platform: every request builder of the core answered over loopback, the resource shapes
//! of churros' JSON schemas, and the routes and behaviours its tests exercise. Every wait is
//! bounded.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hootsuite_events::deliveries::{self, DeliveryQuery, DeliveryStatus, FailurePolicy};
use hootsuite_events::instance::{self, CreateInstance, ListQuery, PageQuery};
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::{BaseUrl, Config, HttpRequest, HttpResponse, Secret};
use hootsuite_events_client::{Client, RetryPolicy};
use hootsuite_events_emulator::serve::{Limits, Response, Server};
use hootsuite_events_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};

const CALLBACK: &str = "https://app.example/callback";
const CLIENT_ID: &str = "client-id";

fn emulator(retry_unit: Duration) -> Emulator {
    Emulator::start(EmulatorConfig {
        retry_unit,
        delivery_timeout: Duration::from_millis(500),
        ..EmulatorConfig::default()
    })
    .expect("emulator starts")
}

fn config(emu: &Emulator) -> Config {
    Config::new(
        BaseUrl::parse(&emu.base_url()).expect("base"),
        emu.user_secret(),
        emu.organization_secret(),
    )
    .expect("config")
}

fn client(emu: &Emulator) -> Client {
    Client::builder(config(emu))
        .retry(RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        })
        .build()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into()
}

/// Steps 1 and 2 against the emulated consent page: a fresh single-use code.
fn code(c: &Client) -> oauth::AuthorizationCode {
    let params = RedirectUrlParams::new(CLIENT_ID, "client-secret", CALLBACK).state("st");
    let consent = c.redirect_url(&params).expect("redirect URL");
    let answer = agent().get(&consent.oauth_url).call().expect("consent");
    let location = answer.headers()["location"].to_str().expect("ascii");
    oauth::parse_callback(location, "st").expect("code")
}

/// A raw call with any `Authorization`, for the routes the library has no builder for.
fn call(
    emu: &Emulator,
    method: &str,
    path: &str,
    auth: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let url = format!("{}{path}", emu.base_url());
    let req = http_request(method, &url, auth, body);
    let mut answer = agent().run(req).expect("answer");
    let status = answer.status().as_u16();
    let bytes = answer.body_mut().read_to_vec().expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn http_request(
    method: &str,
    url: &str,
    auth: &str,
    body: Option<&Value>,
) -> ureq::http::Request<Vec<u8>> {
    let mut b = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .header("Authorization", auth);
    let bytes = match body {
        Some(v) => {
            b = b.header("Content-Type", "application/json");
            serde_json::to_vec(v).expect("json")
        }
        None => Vec::new(),
    };
    b.body(bytes).expect("request")
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn sample_event(emu: &Emulator, id: u64) {
    let url = format!(
        "{}/emulator/instances/{id}/sample-event?type=message",
        emu.base_url()
    );
    let answer = agent().post(&url).send(&b""[..]).expect("sample event");
    assert_eq!(answer.status().as_u16(), 200);
}

/// A receiver that answers 200 to everything, until dropped.
struct Receiver {
    url: String,
    _server: Server,
}

impl Receiver {
    fn on(addr: &str) -> Receiver {
        let listener = std::net::TcpListener::bind(addr).expect("bind");
        let server = Server::start(listener, Limits::default(), "platform-receiver", |_req| {
            Response::new(200, "text/plain", "ok")
        })
        .expect("receiver");
        let url = format!("http://{}/hook", server.addr());
        Receiver {
            url,
            _server: server,
        }
    }
}

/// The request builders of the core, read from its source: `pub fn …_request(`.
fn builders_in_source() -> Vec<String> {
    let sources = [
        include_str!("../../hootsuite-events/src/instance/requests.rs"),
        include_str!("../../hootsuite-events/src/oauth.rs"),
        include_str!("../../hootsuite-events/src/deliveries.rs"),
    ];
    let mut names: Vec<String> = sources
        .iter()
        .flat_map(|s| s.lines())
        .filter_map(|l| l.trim_start().strip_prefix("pub fn "))
        .filter_map(|rest| rest.split('(').next())
        .filter(|name| name.ends_with("_request"))
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

/// Sends and insists on a 2xx answer.
fn ok(c: &Client, name: &str, request: &HttpRequest) -> HttpResponse {
    let answer = c.send(request).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        answer.is_success(),
        "{name}: {} {:?}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
    answer
}

/// Every request the library can build is served by the emulator, and its answer reads with
/// the matching parser. The list of builders comes from the core's source, so a new builder
/// without a call here fails the test.
#[test]
fn every_builder_is_served_by_the_emulator() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let cfg = config(&emu);
    let rx = Receiver::on("127.0.0.1:0");
    let mut walked: Vec<&str> = Vec::new();
    let mut walk = |name: &'static str, request: HttpRequest| -> HttpResponse {
        walked.push(name);
        ok(&c, name, &request)
    };

    let params = RedirectUrlParams::new(CLIENT_ID, "client-secret", CALLBACK)
        .state("st")
        .extra("prompt", "consent");
    let r = walk(
        "redirect_url_request",
        oauth::redirect_url_request(&cfg, &params).expect("req"),
    );
    assert!(oauth::parse_redirect_url(&r)
        .expect("url")
        .oauth_url
        .contains("prompt=consent"));
    let r = walk(
        "redirect_url_post_request",
        oauth::redirect_url_post_request(&cfg, &params.clone().callback_proxy(false)).expect("req"),
    );
    oauth::parse_redirect_url(&r).expect("url");

    let body = CreateInstance::builder("walk", code(&c), CALLBACK, CLIENT_ID, "client-secret")
        .events("https://placeholder.example/events")
        .signature_key("k")
        .build()
        .expect("body");
    let created = instance::parse_instance(&walk(
        "create_request",
        instance::create_request(&cfg, &body),
    ))
    .expect("instance");
    let id = created.id;
    assert!(created.valid);
    instance::parse_instance(&walk("get_request", instance::get_request(&cfg, id))).expect("get");
    let page = instance::parse_instance_page(&walk(
        "list_request",
        instance::list_request(
            &cfg,
            &ListQuery {
                page_size: Some(1),
                ..ListQuery::default()
            },
        ),
    ))
    .expect("page");
    assert_eq!((page.total_count, page.returned_count), (Some(1), Some(1)));
    instance::parse_instance(&walk(
        "update_event_callback_request",
        instance::update_event_callback_request(&cfg, id, &rx.url).expect("req"),
    ))
    .expect("patched");
    assert!(
        instance::parse_instance(&walk(
            "set_events_request",
            instance::set_events_request(&cfg, id, true)
        ))
        .expect("events on")
        .events_enabled
    );

    sample_event(&emu, id);
    sample_event(&emu, id);
    instance::parse_instance_events(&walk("events_request", instance::events_request(&cfg, id)))
        .expect("events");
    let first = instance::parse_instance_event_page(&walk(
        "events_page_request",
        instance::events_page_request(
            &cfg,
            Some(id),
            &PageQuery {
                page_size: Some(1),
                next_page: None,
            },
        ),
    ))
    .expect("page");
    assert_eq!(
        (first.events.len(), first.total_count, first.returned_count),
        (1, Some(2), Some(1))
    );
    let second = instance::parse_instance_event_page(&ok(
        &c,
        "events_page_request",
        &instance::events_page_request(
            &cfg,
            Some(id),
            &PageQuery {
                page_size: Some(1),
                next_page: first.next_page.clone(),
            },
        ),
    ))
    .expect("page 2");
    assert_ne!(first.events[0].id, second.events[0].id);
    assert_eq!(second.next_page, None);
    let account = instance::parse_instance_event_page(&ok(
        &c,
        "events_page_request",
        &instance::events_page_request(&cfg, None, &PageQuery::default()),
    ))
    .expect("account events");
    assert_eq!(account.events.len(), 2);
    let event_id = first.events[0].id.clone();
    let one = instance::parse_instance_event(&walk(
        "event_request",
        instance::event_request(&cfg, Some(id), &event_id).expect("req"),
    ))
    .expect("event");
    assert_eq!(one.id, event_id);
    let across = instance::parse_instance_event(&ok(
        &c,
        "event_request",
        &instance::event_request(&cfg, None, &event_id).expect("req"),
    ))
    .expect("event");
    assert_eq!(across.id, event_id);

    let entries = instance::parse_configuration(&walk(
        "configuration_request",
        instance::configuration_request(&cfg, id),
    ))
    .expect("configuration");
    let enabled = entries
        .iter()
        .find(|e| e.key == instance::KEY_EVENTS_ENABLED)
        .expect("the events switch is an entry");
    assert_eq!(enabled.property_value.as_deref(), Some("true"));
    let secret = entries
        .iter()
        .find(|e| e.key == instance::KEY_API_SECRET)
        .expect("secret entry");
    assert_eq!(secret.property_value.as_deref(), Some("********"));
    let updated = instance::parse_configuration_entry(&walk(
        "update_configuration_request",
        instance::update_configuration_request(&cfg, id, enabled.id, "false"),
    ))
    .expect("entry");
    assert_eq!(
        (updated.id, updated.property_value.as_deref()),
        (enabled.id, Some("false"))
    );
    assert!(!c.get_instance(id).expect("get").events_enabled);

    let rotated = instance::parse_instance(&walk(
        "set_signature_key_request",
        instance::set_signature_key_request(&cfg, id, &Secret::new("rotated-key")).expect("req"),
    ))
    .expect("rotated");
    assert_eq!(
        rotated
            .configuration
            .get(instance::KEY_SIGNATURE_KEY)
            .cloned()
            .flatten()
            .as_deref(),
        Some("********")
    );

    let new_code = Secret::new(code(&c).expose());
    instance::parse_instance(&walk(
        "reauthenticate_code_request",
        instance::reauthenticate_code_request(&cfg, id, &new_code).expect("req"),
    ))
    .expect("re-authenticated");
    let full =
        CreateInstance::builder("walk again", code(&c), CALLBACK, CLIENT_ID, "client-secret")
            .build()
            .expect("body");
    let replaced = instance::parse_instance(&walk(
        "reauthenticate_request",
        instance::reauthenticate_request(&cfg, id, &full),
    ))
    .expect("replaced");
    assert_eq!(replaced.name, "walk again");
    instance::parse_empty(&walk(
        "set_enabled_request",
        instance::set_enabled_request(&cfg, id, false),
    ))
    .expect("off");
    instance::parse_empty(&ok(
        &c,
        "set_enabled_request",
        &instance::set_enabled_request(&cfg, id, true),
    ))
    .expect("on");
    // Recovery: the policy, the list, the redelivery and the re-enabling PUT.
    assert_eq!(
        deliveries::parse_failure_policy(&walk(
            "failure_policy_request",
            deliveries::failure_policy_request(&cfg)
        ))
        .expect("policy"),
        FailurePolicy::Retry
    );
    assert_eq!(
        deliveries::parse_failure_policy(&walk(
            "set_failure_policy_request",
            deliveries::set_failure_policy_request(&cfg, FailurePolicy::Retry)
        ))
        .expect("policy"),
        FailurePolicy::Retry
    );
    let listed = deliveries::parse_delivery_page(&walk(
        "list_deliveries_request",
        deliveries::list_deliveries_request(
            &cfg,
            &DeliveryQuery {
                page_size: Some(50),
                ..DeliveryQuery::default().instance(id)
            },
        )
        .expect("req"),
    ))
    .expect("deliveries");
    assert!(!listed.deliveries.is_empty());
    assert!(listed.deliveries.iter().all(|d| d.instance_id == Some(id)));
    let released = deliveries::parse_deliveries(&walk(
        "redeliver_request",
        deliveries::redeliver_request(&cfg, &DeliveryQuery::queued().url(rx.url.as_str()))
            .expect("req"),
    ))
    .expect("released");
    assert!(released.is_empty(), "nothing was queued: {released:?}");
    deliveries::parse_deliveries(&walk(
        "reenable_request",
        deliveries::reenable_request(&cfg, id),
    ))
    .expect("re-enabled");
    instance::parse_empty(&walk("delete_request", instance::delete_request(&cfg, id)))
        .expect("deleted");
    assert_eq!(emu.instance_count(), 0);

    let mut walked: Vec<String> = walked.iter().map(|s| s.to_string()).collect();
    walked.sort();
    walked.dedup();
    assert_eq!(
        walked,
        builders_in_source(),
        "every builder of the core is called above"
    );
}

/// The instance schema of churros (`elements/assets/element.instance.schema.json`) and its
/// instance tests: required fields and types, the user object, HTML stripped from names, the
/// name as the tag of an instance created without tags.
#[test]
fn instances_have_the_platform_shape() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let body = CreateInstance::from_value(&json!({
        "element": {"key": "hootsuite"},
        "providerData": {"code": code(&c).expose()},
        "configuration": {"oauth.callback.url": CALLBACK, "oauth.api.key": CLIENT_ID, "oauth.api.secret": "s"},
        "name": "<a href=\"#\" onClick=\"javascript:alert('xss');return false;\">@churros-xss</a>"
    }))
    .expect("body");
    let created = c.create_instance(&body).expect("created");
    let auth = config(&emu).platform_authorization();
    let (status, v) = call(
        &emu,
        "GET",
        &format!("/instances/{}", created.id),
        auth.expose(),
        None,
    );
    assert_eq!(status, 200);
    assert!(v["id"].is_u64());
    for key in ["name", "token"] {
        assert!(v[key].is_string(), "{key} is a string: {v}");
    }
    assert!(v["valid"].is_boolean());
    assert!(v["configuration"].is_object());
    assert!(v["user"]["id"].is_u64());
    for key in ["emailAddress", "firstName", "lastName"] {
        assert!(v["user"][key].is_string(), "user.{key} is a string: {v}");
    }
    assert_eq!(v["name"], "@churros-xss");
    assert_eq!(v["tags"], json!(["@churros-xss"]));
    // And on update.
    let (status, v) = call(
        &emu,
        "PATCH",
        &format!("/instances/{}", created.id),
        auth.expose(),
        Some(&json!({"name": "<b>renamed</b>"})),
    );
    assert_eq!((status, v["name"].as_str()), (200, Some("renamed")));
}

/// churros' events test and `events/assets/event.schema.json`: events listed per instance and
/// across the account, one event by id, each with a string id, `eventDate`, a status of the
/// enum and `providerData` as a string; `NOTIFIED` once delivered.
#[test]
fn events_have_the_platform_shape() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let rx = Receiver::on("127.0.0.1:0");
    let body = CreateInstance::builder("events", code(&c), CALLBACK, CLIENT_ID, "client-secret")
        .events(rx.url.clone())
        .signature_key("abcd1234efgh5678")
        .build()
        .expect("body");
    let id = c.create_instance(&body).expect("created").id;
    sample_event(&emu, id);
    let auth = config(&emu).platform_authorization();
    let statuses = ["NEW", "RECEIVED", "DISPATCHED", "CONSUMED", "NOTIFIED"];
    let check = |e: &Value| {
        assert!(e["id"].is_string(), "{e}");
        assert!(e["eventDate"].is_string(), "{e}");
        assert!(e["providerData"].is_string(), "{e}");
        assert!(
            statuses.contains(&e["status"].as_str().unwrap_or("")),
            "{e}"
        );
        if let Some(n) = e.get("notifiedData") {
            assert!(n.is_array(), "{e}");
        }
    };
    let mut event_id = String::new();
    wait_until("the event to be notified", || {
        let (status, list) = call(
            &emu,
            "GET",
            &format!("/instances/{id}/events"),
            auth.expose(),
            None,
        );
        assert_eq!(status, 200);
        list.as_array().expect("array").iter().for_each(check);
        event_id = list[0]["id"].as_str().unwrap_or_default().to_string();
        list[0]["status"] == "NOTIFIED"
    });
    let (status, all) = call(
        &emu,
        "GET",
        "/instances/events?pageSize=10",
        auth.expose(),
        None,
    );
    assert_eq!(status, 200);
    all.as_array().expect("array").iter().for_each(check);
    for path in [
        format!("/instances/events/{event_id}"),
        format!("/instances/{id}/events/{event_id}"),
    ] {
        let (status, e) = call(&emu, "GET", &path, auth.expose(), None);
        assert_eq!(status, 200, "{path}");
        check(&e);
        assert_eq!(e["status"], "NOTIFIED", "{path}");
    }
    let (status, _) = call(&emu, "GET", "/instances/events/nope", auth.expose(), None);
    assert_eq!(status, 404);
    // churros' paging helper starts with an empty `nextPage=`.
    let (status, list) = call(
        &emu,
        "GET",
        "/instances?nextPage=&pageSize=1",
        auth.expose(),
        None,
    );
    assert_eq!((status, list.as_array().map(Vec::len)), (200, Some(1)));
    let (status, _) = call(
        &emu,
        "GET",
        &format!("/instances/{id}/events?nextPage="),
        auth.expose(),
        None,
    );
    assert_eq!(status, 200);
}

/// churros' deliveries test and `notifications/assets/delivery.schema.json`: an item carries
/// `notificationId`, `subscriptionId` (numbers), a status of the schema's enum, `createdDate`
/// and a `subscription` whose channel is `webhook`; a failing receiver puts it in `retry`, a
/// recovered one in `delivered`, and the delivered item stays listed.
#[test]
fn deliveries_have_the_platform_shape() {
    // Retry 1 comes 4 units after the first attempt: 0.4 s to see `retry`.
    let emu = emulator(Duration::from_millis(100));
    let c = client(&emu);
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let body =
        CreateInstance::builder("deliveries", code(&c), CALLBACK, CLIENT_ID, "client-secret")
            .events(format!("http://{addr}/hook"))
            .signature_key("k")
            .build()
            .expect("body");
    let id = c.create_instance(&body).expect("created").id;
    sample_event(&emu, id);
    let auth = config(&emu).platform_authorization();
    let items = |query: &str| -> Vec<Value> {
        let (status, v) = call(
            &emu,
            "GET",
            &format!("/notifications/subscriptions/deliveries?hydrate=true{query}"),
            auth.expose(),
            None,
        );
        assert_eq!(status, 200);
        let list = v.as_array().cloned().expect("array");
        for d in &list {
            assert!(
                d["notificationId"].is_u64() && d["subscriptionId"].is_u64(),
                "{d}"
            );
            assert!(d["createdDate"].is_string(), "{d}");
            assert_eq!(d["subscription"]["channel"], "webhook", "{d}");
            let s = d["status"].as_str().unwrap_or("");
            assert!(
                ["created", "delivered", "notified", "retry", "queued"].contains(&s),
                "{d}"
            );
        }
        list
    };
    wait_until("the first attempt to fail", || {
        items("")[0]["status"] == "retry"
    });
    assert_eq!(items("&where=status%3D%27retry%27").len(), 1);
    let _rx = Receiver::on(&addr.to_string());
    wait_until("the retry to be delivered", || {
        items("")[0]["status"] == "delivered"
    });
    let delivered = items("&where=channel%3D%27webhook%27%20and%20status%3D%27delivered%27");
    assert_eq!(delivered.len(), 1, "the delivered item is kept");
    assert!(items("&where=status%3D%27queued%27").is_empty());
    assert_eq!(emu.delivery_count(), 0);
}

/// churros' queue test: with the account's failure policy set to `queue`, a failing delivery
/// is queued at once (one attempt, no retry), stays queued while the receiver is back, and
/// the redelivery `PUT` (here scoped to the instance: re-enabling) releases it, once;
/// `retry` is the default.
#[test]
fn the_queue_policy_queues_at_once_until_released() {
    let emu = emulator(Duration::from_secs(3600));
    let c = client(&emu);
    assert_eq!(c.failure_policy().expect("policy"), FailurePolicy::Retry);
    assert_eq!(
        c.set_failure_policy(FailurePolicy::Queue).expect("set"),
        FailurePolicy::Queue
    );
    assert_eq!(c.failure_policy().expect("policy"), FailurePolicy::Queue);
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let hook = format!("http://{addr}/hook");
    let body = CreateInstance::builder("queue", code(&c), CALLBACK, CLIENT_ID, "client-secret")
        .events(hook.as_str())
        .build()
        .expect("body");
    let id = c.create_instance(&body).expect("created").id;
    sample_event(&emu, id);
    let queued = DeliveryQuery::queued().url(hook.as_str());
    // A retry unit of an hour: only the policy can queue it within the wait.
    wait_until("the failed delivery to be queued", || {
        c.all_deliveries(&queued, 5).expect("list").deliveries.len() == 1
    });
    let item = &c.all_deliveries(&queued, 5).expect("list").deliveries[0];
    assert_eq!(item.attempts, Some(1));
    assert_eq!(item.status, DeliveryStatus::Queued);
    let _rx = Receiver::on(&addr.to_string());
    sample_event(&emu, id);
    wait_until("the second event to be queued too", || {
        c.all_deliveries(&queued, 5).expect("list").deliveries.len() == 2
    });
    // Paging: one page of one says where it stopped; two pages read them all.
    let mut by_one = queued.clone();
    by_one.page_size = Some(1);
    let first = c.all_deliveries(&by_one, 1).expect("list");
    assert_eq!(first.deliveries.len(), 1);
    assert!(first.next_page.is_some(), "stopped before the last page");
    let both = c.all_deliveries(&by_one, 3).expect("list");
    assert_eq!(both.deliveries.len(), 2);
    assert!(both.next_page.is_none(), "every page read");
    // Re-enabling the instance is the redelivery PUT scoped to it: both are released.
    let released = c.reenable(id).expect("released");
    assert_eq!(released.len(), 2);
    assert!(released.iter().all(|d| d.instance_id == Some(id)));
    // A second PUT (a retry after a lost answer) finds nothing queued: nothing is re-sent.
    assert!(c.redeliver(&queued).expect("again").is_empty());
    wait_until("both delivered", || {
        c.all_deliveries(&DeliveryQuery::default().instance(id), 5)
            .expect("list")
            .deliveries
            .iter()
            .all(|d| d.status == DeliveryStatus::Delivered)
    });
    assert!(c
        .all_deliveries(&queued, 5)
        .expect("list")
        .deliveries
        .is_empty());
    let bad = patch_policy(&emu, "drop");
    assert_eq!(bad, 400, "an unknown policy is refused");
}

fn patch_policy(emu: &Emulator, policy: &str) -> u16 {
    let auth = config(emu).platform_authorization();
    call(
        emu,
        "PATCH",
        "/accounts/settings",
        auth.expose(),
        Some(&json!({ "notification.webhook.failure.policy": policy })),
    )
    .0
}

/// Routes of churros' instance tests and the platform SDK that name no instance id: `PATCH` and
/// `PUT /instances`, `/instances/configuration[/{id}]` addressed by the `Element <token>` part of
/// `Authorization`, and `/elements/{key or id}/instances[/{id}]`.
#[test]
fn token_addressed_and_element_scoped_routes() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let body = CreateInstance::builder("scoped", code(&c), CALLBACK, CLIENT_ID, "client-secret")
        .tag("t")
        .build()
        .expect("body");
    let created = c.create_instance(&body).expect("created");
    let id = created.id;
    let cfg = config(&emu);
    let platform = cfg.platform_authorization();
    let as_instance = cfg.instance_authorization(&created.token).expect("auth");
    let both = format!("{}, Element {}", platform.expose(), created.token.expose());

    let (status, v) = call(
        &emu,
        "PATCH",
        "/instances",
        as_instance.expose(),
        Some(&json!({"tags": ["churros-testing"]})),
    );
    assert_eq!(
        (status, v["tags"].clone()),
        (200, json!(["churros-testing"]))
    );
    let (status, v) = call(
        &emu,
        "PATCH",
        "/instances",
        &both,
        Some(&json!({"name": "<i>x</i>y"})),
    );
    assert_eq!((status, v["name"].as_str()), (200, Some("xy")));
    let (status, _) = call(
        &emu,
        "PATCH",
        "/instances",
        platform.expose(),
        Some(&json!({"name": "z"})),
    );
    assert_eq!(status, 400, "without a token /instances names no instance");
    let full = CreateInstance::builder(
        "put by token",
        code(&c),
        CALLBACK,
        CLIENT_ID,
        "client-secret",
    )
    .build()
    .expect("body");
    let (status, v) = call(
        &emu,
        "PUT",
        "/instances",
        as_instance.expose(),
        Some(&full.to_value()),
    );
    assert_eq!((status, v["name"].as_str()), (200, Some("put by token")));

    let (status, entries) = call(
        &emu,
        "GET",
        "/instances/configuration",
        as_instance.expose(),
        None,
    );
    assert_eq!(status, 200);
    let entry = entries
        .as_array()
        .and_then(|a| a.iter().find(|e| e["key"] == instance::KEY_EVENTS_ENABLED))
        .cloned()
        .expect("events switch");
    let cid = entry["id"].as_u64().expect("numeric id");
    let (status, e) = call(
        &emu,
        "PATCH",
        &format!("/instances/configuration/{cid}"),
        as_instance.expose(),
        Some(&json!({"propertyValue": "false"})),
    );
    assert_eq!((status, e["propertyValue"].as_str()), (200, Some("false")));
    let (status, e) = call(
        &emu,
        "GET",
        &format!("/instances/{id}/configuration/{cid}"),
        platform.expose(),
        None,
    );
    assert_eq!((status, e["propertyValue"].as_str()), (200, Some("false")));
    let (status, e) = call(
        &emu,
        "PATCH",
        &format!("/instances/{id}/configuration/{cid}"),
        platform.expose(),
        Some(&json!({"propertyValue": "maybe"})),
    );
    assert_eq!(status, 400, "{e}");
    let (status, _) = call(
        &emu,
        "PATCH",
        &format!("/instances/{id}/configuration/1"),
        platform.expose(),
        Some(&json!({"propertyValue": "x"})),
    );
    assert_eq!(status, 404);

    for base in ["/elements/hootsuite/instances", "/elements/6791/instances"] {
        let (status, list) = call(&emu, "GET", base, platform.expose(), None);
        assert_eq!(
            (status, list.as_array().map(Vec::len)),
            (200, Some(1)),
            "{base}"
        );
        let (status, v) = call(
            &emu,
            "GET",
            &format!("{base}/{id}"),
            platform.expose(),
            None,
        );
        assert_eq!((status, v["id"].as_u64()), (200, Some(id)), "{base}");
    }
    let again =
        CreateInstance::builder("put by key", code(&c), CALLBACK, CLIENT_ID, "client-secret")
            .build()
            .expect("body");
    let (status, v) = call(
        &emu,
        "PUT",
        &format!("/elements/hootsuite/instances/{id}"),
        platform.expose(),
        Some(&again.to_value()),
    );
    assert_eq!((status, v["name"].as_str()), (200, Some("put by key")));
    let (status, _) = call(
        &emu,
        "GET",
        "/elements/slack/instances",
        platform.expose(),
        None,
    );
    assert_eq!(status, 404);
    let (status, _) = call(
        &emu,
        "DELETE",
        &format!("/elements/hootsuite/instances/{id}"),
        platform.expose(),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(emu.instance_count(), 0);
}

/// The client's calls for the events API and configuration, against the emulator.
#[test]
fn client_events_and_configuration_calls() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let rx = Receiver::on("127.0.0.1:0");
    let body = CreateInstance::builder(
        "client calls",
        code(&c),
        CALLBACK,
        CLIENT_ID,
        "client-secret",
    )
    .events(rx.url.clone())
    .build()
    .expect("body");
    let id = c.create_instance(&body).expect("created").id;
    for _ in 0..5 {
        sample_event(&emu, id);
    }
    let all = c
        .all_instance_events(Some(id), Some(2), 10)
        .expect("all pages");
    assert_eq!(all.len(), 5);
    let mut ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 5, "no event twice across pages");
    // The bound holds even when more pages remain.
    assert_eq!(
        c.all_instance_events(None, Some(2), 1)
            .expect("one page")
            .len(),
        2
    );
    let page = c
        .instance_event_page(
            Some(id),
            &PageQuery {
                page_size: Some(2),
                next_page: None,
            },
        )
        .expect("page");
    assert_eq!((page.total_count, page.returned_count), (Some(5), Some(2)));
    let one = c.instance_event(None, &all[4].id).expect("one event");
    assert_eq!(one.id, all[4].id);
    let missing = c
        .instance_event(Some(id), "no-such-event")
        .expect_err("404");
    assert_eq!(missing.api().map(|a| a.status), Some(404));

    let entries = c.configuration(id).expect("entries");
    let callback = entries
        .iter()
        .find(|e| e.key == instance::KEY_EVENT_CALLBACK_URL)
        .expect("callback entry");
    let updated = c
        .update_configuration(id, callback.id, "https://app.example/elsewhere")
        .expect("updated");
    assert_eq!(
        updated.property_value.as_deref(),
        Some("https://app.example/elsewhere")
    );
    let bad = c
        .update_configuration(id, callback.id, "https;//typo")
        .expect_err("invalid URL");
    assert_eq!(bad.api().map(|a| a.status), Some(400));
}

/// `Retry-After` as an HTTP date: the client measures it against its own clock and waits.
#[test]
fn retry_after_as_an_http_date_is_honoured() {
    // Two requests: a 503 asking to come back at a date, then the answer.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let server = Server::start(listener, Limits::default(), "retry-after", move |_req| {
        let mut seen = s.lock().expect("lock");
        seen.push(Instant::now());
        if seen.len() == 1 {
            let at = std::time::SystemTime::now() + Duration::from_secs(2);
            let mut r = Response::new(503, "text/plain", "");
            r.headers
                .push(("Retry-After".into(), httpdate::fmt_http_date(at)));
            r
        } else {
            Response::new(
                200,
                "application/json",
                r#"{"id": 3, "token": "t", "valid": true}"#,
            )
        }
    })
    .expect("server");
    let base = format!("http://{}/elements/api-v2", server.addr());
    let cfg = Config::new(BaseUrl::parse(&base).expect("base"), "u", "o").expect("config");
    let c = Client::builder(cfg)
        .retry(RetryPolicy {
            max_retries: 1,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
            max_retry_after: Duration::from_secs(5),
        })
        .build();
    assert_eq!(c.get_instance(3).expect("after the wait").id, 3);
    server.stop();
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2);
    // The date has one-second precision: the wait is over one second, and not the 1 ms backoff.
    assert!(
        seen[1] - seen[0] >= Duration::from_millis(1000),
        "{:?}",
        seen[1] - seen[0]
    );
}

/// churros `elements/instances.js`: the create answer masks the OAuth client id as well as the
/// client secret (`expect(r.body.configuration['oauth.api.key']).to.be.equal('********')`), and
/// so do the entries of `GET /instances/configuration`; in "CRUD by key" a `password` is masked
/// and a `username` shown. Values that are not secrets come back as stored.
#[test]
fn configuration_answers_mask_what_the_platform_masks() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let mut body =
        CreateInstance::builder("masked", code(&c), CALLBACK, CLIENT_ID, "client-secret")
            .events("https://app.example/events")
            .signature_key("sig-key")
            .build()
            .expect("body")
            .to_value();
    body["configuration"]["username"] = json!("churros");
    body["configuration"]["password"] = json!("pw");
    let cfg = config(&emu);
    let platform = cfg.platform_authorization();
    let masked = [
        instance::KEY_API_KEY,
        instance::KEY_API_SECRET,
        instance::KEY_SIGNATURE_KEY,
        "password",
    ];
    let shown = [
        (instance::KEY_CALLBACK_URL, CALLBACK),
        (instance::KEY_EVENTS_ENABLED, "true"),
        (
            instance::KEY_EVENT_CALLBACK_URL,
            "https://app.example/events",
        ),
        ("username", "churros"),
    ];
    let check = |what: &str, value_of: &dyn Fn(&str) -> Value| {
        for key in masked {
            assert_eq!(value_of(key), json!("********"), "{what}: {key}");
        }
        for (key, value) in shown {
            assert_eq!(value_of(key), json!(value), "{what}: {key}");
        }
    };
    let (status, created) = call(&emu, "POST", "/instances", platform.expose(), Some(&body));
    assert_eq!(status, 200, "{created}");
    check("create", &|k| created["configuration"][k].clone());
    let id = created["id"].as_u64().expect("id");
    let (_, got) = call(
        &emu,
        "GET",
        &format!("/instances/{id}"),
        platform.expose(),
        None,
    );
    check("get", &|k| got["configuration"][k].clone());
    let token = instance::parse_instance(&HttpResponse::new(
        200,
        vec![],
        serde_json::to_vec(&created).expect("json"),
    ))
    .expect("instance")
    .token;
    let as_instance = cfg.instance_authorization(&token).expect("auth");
    for (path, auth) in [
        (format!("/instances/{id}/configuration"), platform.expose()),
        ("/instances/configuration".to_string(), as_instance.expose()),
    ] {
        let (status, entries) = call(&emu, "GET", &path, auth, None);
        assert_eq!(status, 200, "{path}");
        let entries = entries.as_array().cloned().expect("entries");
        let value_of = |k: &str| {
            entries
                .iter()
                .find(|e| e["key"] == k)
                .map(|e| e["propertyValue"].clone())
                .unwrap_or(Value::Null)
        };
        check(&path, &value_of);
    }
    // The core reads the masked client id as given.
    let parsed = c.get_instance(id).expect("get");
    assert_eq!(
        parsed
            .configuration
            .get(instance::KEY_API_KEY)
            .cloned()
            .flatten()
            .as_deref(),
        Some("********")
    );
}

/// churros `elements/instances.js` "should support CRUD by ID": `crudsInstance` creates with
/// `POST elements/{id}/instances`, reads, lists, replaces (`PUT`) and deletes under the same
/// path; the SDK lists the same five (`createElementInstance`, `getElementsInstances`,
/// `getElementsInstanceById`, `replaceElementsInstanceById`, `deleteElementsInstanceById`) for
/// a key or an id.
#[test]
fn instances_by_element_id_serve_every_method_of_crud() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let platform = config(&emu).platform_authorization();
    for base in ["/elements/6791/instances", "/elements/hootsuite/instances"] {
        let body = CreateInstance::builder("crud", code(&c), CALLBACK, CLIENT_ID, "client-secret")
            .build()
            .expect("body");
        let (status, created) = call(
            &emu,
            "POST",
            base,
            platform.expose(),
            Some(&body.to_value()),
        );
        assert_eq!(status, 200, "POST {base}: {created}");
        let id = created["id"].as_u64().expect("id");
        let (status, got) = call(
            &emu,
            "GET",
            &format!("{base}/{id}"),
            platform.expose(),
            None,
        );
        assert_eq!(
            (status, got["id"].as_u64()),
            (200, Some(id)),
            "GET {base}/{id}"
        );
        assert_eq!(got["configuration"][instance::KEY_API_SECRET], "********");
        let (status, list) = call(&emu, "GET", base, platform.expose(), None);
        assert_eq!(
            (status, list.as_array().map(Vec::len)),
            (200, Some(1)),
            "GET {base}"
        );
        let again = CreateInstance::builder(
            "updated-instance",
            code(&c),
            CALLBACK,
            CLIENT_ID,
            "client-secret",
        )
        .build()
        .expect("body");
        let (status, put) = call(
            &emu,
            "PUT",
            &format!("{base}/{id}"),
            platform.expose(),
            Some(&again.to_value()),
        );
        assert_eq!(
            (status, put["name"].as_str()),
            (200, Some("updated-instance")),
            "PUT {base}/{id}"
        );
        let (status, _) = call(
            &emu,
            "DELETE",
            &format!("{base}/{id}"),
            platform.expose(),
            None,
        );
        assert_eq!(status, 200, "DELETE {base}/{id}");
        assert_eq!(emu.instance_count(), 0);
    }
    let body = CreateInstance::builder("other", code(&c), CALLBACK, CLIENT_ID, "client-secret")
        .build()
        .expect("body");
    let (status, answer) = call(
        &emu,
        "POST",
        "/elements/slack/instances",
        platform.expose(),
        Some(&body.to_value()),
    );
    assert_eq!(status, 404, "{answer}");
    // Not among the SDK's five: PATCH, and the sub-resources of an instance.
    let (status, _) = call(
        &emu,
        "PATCH",
        "/elements/6791/instances",
        platform.expose(),
        Some(&json!({})),
    );
    assert_eq!(status, 405);
    let id = c.create_instance(&body).expect("created").id;
    let (status, _) = call(
        &emu,
        "PATCH",
        &format!("/elements/hootsuite/instances/{id}"),
        platform.expose(),
        Some(&json!({"name": "x"})),
    );
    assert_eq!(status, 405);
    let (status, _) = call(
        &emu,
        "GET",
        &format!("/elements/hootsuite/instances/{id}/events"),
        platform.expose(),
        None,
    );
    assert_eq!(status, 404);
}

/// The SDK's `getInstancesEvents`: "Retrieve events for all element instances or for an
/// associated instance token in authorization header"; churros `events/events.js` lists
/// `instances/events` with the header `provisioner.create` left it (User, Organization and the
/// new instance's Element token). With a token the list and the event by id are that
/// instance's; without one, the account's.
#[test]
fn account_events_with_an_element_token_are_that_instances() {
    let emu = emulator(Duration::from_micros(2));
    let c = client(&emu);
    let rx = Receiver::on("127.0.0.1:0");
    let mut made = Vec::new();
    for name in ["a", "b"] {
        let body = CreateInstance::builder(name, code(&c), CALLBACK, CLIENT_ID, "client-secret")
            .events(rx.url.clone())
            .build()
            .expect("body");
        made.push(c.create_instance(&body).expect("created"));
    }
    let (a, b) = (&made[0], &made[1]);
    sample_event(&emu, a.id);
    sample_event(&emu, a.id);
    sample_event(&emu, b.id);
    let cfg = config(&emu);
    let platform = cfg.platform_authorization();
    let churros = format!("{}, Element {}", platform.expose(), a.token.expose());
    let as_a = cfg.instance_authorization(&a.token).expect("auth");
    let (status, all) = call(
        &emu,
        "GET",
        "/instances/events?pageSize=10",
        platform.expose(),
        None,
    );
    assert_eq!((status, all.as_array().map(Vec::len)), (200, Some(3)));
    let b_event = all
        .as_array()
        .and_then(|l| l.iter().find(|e| e["instanceId"] == b.id))
        .and_then(|e| e["id"].as_str())
        .expect("b's event")
        .to_string();
    for auth in [churros.as_str(), as_a.expose()] {
        let (status, own) = call(&emu, "GET", "/instances/events?pageSize=10", auth, None);
        assert_eq!(status, 200);
        let own = own.as_array().cloned().expect("array");
        assert_eq!(own.len(), 2, "only a's events: {own:?}");
        assert!(own.iter().all(|e| e["instanceId"] == a.id), "{own:?}");
        let a_event = own[0]["id"].as_str().expect("id");
        let (status, _) = call(
            &emu,
            "GET",
            &format!("/instances/events/{a_event}"),
            auth,
            None,
        );
        assert_eq!(status, 200);
        let (status, _) = call(
            &emu,
            "GET",
            &format!("/instances/events/{b_event}"),
            auth,
            None,
        );
        assert_eq!(status, 404, "b's event is not a's");
    }
}

/// churros `notifications/deliveries.js` lists with `hydrate: true` and expects
/// `r.body.notification` and `r.body.subscription` not empty and `notificationId` equal to the
/// notification's id; `delivery.schema.json` types both as objects, `notification.schema.json`
/// and `subscription.schema.json` give their required fields. Without `hydrate` an item names
/// them by id only. The redelivery `PUT` is hydrated as churros sends it.
#[test]
fn hydrated_deliveries_carry_their_notification_and_subscription() {
    let emu = emulator(Duration::from_secs(3600));
    let c = client(&emu);
    let rx = Receiver::on("127.0.0.1:0");
    let body = CreateInstance::builder("hydrated", code(&c), CALLBACK, CLIENT_ID, "client-secret")
        .events(rx.url.clone())
        .build()
        .expect("body");
    let id = c.create_instance(&body).expect("created").id;
    sample_event(&emu, id);
    let auth = config(&emu).platform_authorization();
    let items = |query: &str| -> Vec<Value> {
        let (status, v) = call(
            &emu,
            "GET",
            &format!("/notifications/subscriptions/deliveries{query}"),
            auth.expose(),
            None,
        );
        assert_eq!(status, 200);
        v.as_array().cloned().expect("array")
    };
    wait_until("the delivery", || {
        items("")
            .first()
            .is_some_and(|d| d["status"] == "delivered")
    });
    let hydrated = items("?hydrate=true&where=channel%3D%27webhook%27");
    let d = &hydrated[0];
    let n = &d["notification"];
    assert_eq!(n["id"], d["notificationId"], "{d}");
    for key in ["from", "topic", "message", "createdDate"] {
        assert!(n[key].is_string(), "notification.{key}: {d}");
    }
    assert!(
        ["low", "medium", "high"].contains(&n["severity"].as_str().unwrap_or("")),
        "{d}"
    );
    assert!(
        n["active"].is_boolean() && n["acknowledged"].is_boolean(),
        "{d}"
    );
    let message: Value =
        serde_json::from_str(n["message"].as_str().unwrap_or("")).expect("JSON text");
    assert_eq!(
        message["instanceId"], id,
        "the message delivered: {message}"
    );
    let s = &d["subscription"];
    assert_eq!(s["id"], d["subscriptionId"], "{d}");
    assert_eq!(s["channel"], "webhook");
    assert!(s["topics"].is_array(), "{d}");
    assert_eq!(s["config"]["url"], rx.url.as_str());
    let plain = items("");
    assert!(
        plain[0].get("notification").is_none() && plain[0].get("subscription").is_none(),
        "not hydrated: {}",
        plain[0]
    );
    let listed = c
        .all_deliveries(&DeliveryQuery::default().instance(id), 5)
        .expect("list");
    let first = &listed.deliveries[0];
    let extra = Value::Object(first.extra.clone());
    assert_eq!(
        extra["notification"]["id"],
        json!(first.notification_id),
        "{extra}"
    );
    assert_eq!(extra["subscription"]["channel"], "webhook", "{extra}");

    // A queued delivery: the redelivery PUT answers it hydrated.
    c.set_failure_policy(FailurePolicy::Queue).expect("queue");
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let dead = format!("http://{addr}/hook");
    let body = CreateInstance::builder("queued", code(&c), CALLBACK, CLIENT_ID, "client-secret")
        .events(dead.as_str())
        .build()
        .expect("body");
    let queued_id = c.create_instance(&body).expect("created").id;
    sample_event(&emu, queued_id);
    let queued = DeliveryQuery::queued().url(dead.as_str());
    wait_until("the delivery to be queued", || {
        c.all_deliveries(&queued, 5).expect("list").deliveries.len() == 1
    });
    let released = c.redeliver(&queued).expect("released");
    assert_eq!(released.len(), 1);
    let extra = Value::Object(released[0].extra.clone());
    assert_eq!(
        extra["subscription"]["config"]["url"],
        dead.as_str(),
        "{extra}"
    );
    assert_eq!(
        extra["notification"]["id"],
        json!(released[0].notification_id),
        "{extra}"
    );
}
