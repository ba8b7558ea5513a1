//! The fuzzed entry points, shared by the fuzz targets and by the regression test that
//! replays the committed corpus (`crates/hootsuite-events/tests/fuzz_corpus.rs` includes
//! this file), so that both run the same code.

use base64::Engine as _;
use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::signature::{self, sign, SignatureKey, Verifier};
use hootsuite_events::{events, BaseUrl, Config, HttpResponse};

/// Splits the input at the first two NUL bytes: `(a, b, rest)`.
fn split3(data: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let mut parts = data.splitn(3, |b| *b == 0);
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

/// The notification parser; its typed fast path must agree with the reference path on every
/// input (same notification, or the same error).
pub fn notification(data: &[u8]) {
    let limits = hootsuite_events::json::Limits::default();
    let fast = events::parse_notification_with(data, &limits);
    let reference = events::reference_parse_with(data, &limits);
    assert_eq!(
        fast, reference,
        "the fast path disagrees with the reference path"
    );
    if let Ok(n) = fast {
        // Every notification names at least one unit, and each unit points at its event.
        assert!(!n.units.is_empty(), "a notification without units");
        assert_eq!(n.work().count(), n.units.len());
        for w in n.work() {
            let points = [
                w.hootsuite_event.is_some(),
                w.element_event.is_some(),
                w.rejected.is_some(),
            ];
            assert!(w.unit.index.is_none() || points.contains(&true));
        }
        poisoned_batch(data, &n);
    }
}

/// An event that cannot be read, appended to a notification's Hootsuite batch, is rejected
/// alone: the batch still parses, the other events and their units are unchanged, and the bad
/// event's key is not the seq_no it claims (it cannot shadow the good event carrying it).
fn poisoned_batch(data: &[u8], n: &events::Notification) {
    use serde_json::{json, Value};
    let Ok(mut root) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    // The baseline is the same document written by serde_json, as the poisoned one will be.
    let Some(baseline) = serde_json::to_vec(&root)
        .ok()
        .and_then(|b| events::parse_notification(&b).ok())
    else {
        return;
    };
    let raw = match n.shape {
        events::Shape::Message => root.get_mut("message").and_then(|m| m.get_mut("raw")),
        events::Shape::Legacy => root.get_mut("raw"),
    };
    let Some(Value::Array(items)) = raw else {
        return;
    };
    let had_events = !items.is_empty();
    let claimed = baseline
        .hootsuite_events
        .first()
        .and_then(|e| e.seq_no.clone());
    items.push(
        json!({"seq_no": claimed, "type": "com.hootsuite.messages.event.v1",
        "data": {"message": 5}}),
    );
    let Ok(body) = serde_json::to_vec(&root) else {
        return;
    };
    if body.len() > hootsuite_events::json::DEFAULT_MAX_BODY_SIZE {
        return;
    }
    let poisoned = match events::parse_notification(&body) {
        Ok(p) => p,
        Err(e) => panic!("one bad event failed the batch: {e}"),
    };
    assert_eq!(poisoned.hootsuite_events, baseline.hootsuite_events);
    assert_eq!(poisoned.rejected.len(), baseline.rejected.len() + 1);
    let Some((last, rest)) = poisoned.units.split_last() else {
        panic!("a poisoned batch without units")
    };
    assert_eq!(last.kind, events::UnitKind::Rejected);
    if had_events {
        assert_eq!(rest, baseline.units.as_slice());
    }
    assert!(poisoned
        .units
        .iter()
        .filter(|u| u.kind != events::UnitKind::Rejected)
        .all(|u| u.key != last.key));
}

/// `key \0 header \0 body`: any header verifies or not without a panic; and the oracle: the
/// body signed with the key always verifies, and flipping any one bit of the body, of the
/// digest, or of the signature's Base64 text never does.
pub fn signature(data: &[u8]) {
    let (key, header, body) = split3(data);
    let key = String::from_utf8_lossy(key);
    let header = String::from_utf8_lossy(header);
    let verifier = Verifier::new(SignatureKey::new(key.as_ref())).allow_legacy_sha1(true);
    let single = verifier.verify(body, Some(&header));
    // Many candidates: the same answer up to the cap (one MAC per key whatever their number),
    // a precise refusal past it.
    if !header.contains([',', ' ']) && !header.is_empty() && header.trim() == header {
        let n = signature::MAX_CANDIDATES;
        let at_cap = vec![header.as_ref(); n].join(",");
        let over = vec![header.as_ref(); n + 1].join(",");
        let many = verifier.verify(body, Some(&at_cap));
        if single.is_ok() {
            assert_eq!(many, single);
        }
        if body.len() <= hootsuite_events::json::DEFAULT_MAX_BODY_SIZE && !key.is_empty() {
            let refused = verifier.verify(body, Some(&over)).map_err(|e| e.code());
            assert_eq!(refused, Err("signature_too_many"));
        }
    }
    let headers = [("Elements-Webhook-Signature", header.as_ref())];
    let _ = verifier.verify_event(&headers[..], body);

    if key.is_empty() || body.len() > hootsuite_events::json::DEFAULT_MAX_BODY_SIZE {
        return;
    }
    let key = SignatureKey::new(key.as_ref());
    let strict = Verifier::new(key.clone());
    let signed = sign(&key, body);
    assert!(
        strict.verify(body, Some(&signed)).is_ok(),
        "a body signed with the key does not verify"
    );
    // Which bit to flip: taken from the input, so that the fuzzer explores them all.
    let pick = data.iter().fold(data.len(), |acc, b| {
        acc.wrapping_mul(31).wrapping_add(*b as usize)
    });
    if !body.is_empty() {
        let mut changed = body.to_vec();
        changed[(pick / 8) % body.len()] ^= 1 << (pick % 8);
        assert!(
            strict.verify(&changed, Some(&signed)).is_err(),
            "a body with one bit changed still verifies"
        );
    }
    let Some(encoded) = signed.strip_prefix("sha256=") else {
        panic!("sign() does not write `sha256=`: {signed}");
    };
    let Ok(mut digest) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        panic!("sign() writes Base64 that does not decode: {signed}");
    };
    let bit = pick % (digest.len() * 8);
    digest[bit / 8] ^= 1 << (bit % 8);
    let forged = format!(
        "sha256={}",
        base64::engine::general_purpose::STANDARD.encode(&digest)
    );
    assert!(
        strict.verify(body, Some(&forged)).is_err(),
        "a digest with one bit changed still verifies"
    );
    let mut text = signed.clone().into_bytes();
    let at = "sha256=".len() + (pick / 8) % encoded.len();
    text[at] ^= 1 << (pick % 8);
    if let Ok(text) = String::from_utf8(text) {
        assert!(
            strict.verify(body, Some(&text)).is_err(),
            "a signature with one bit of its text changed still verifies: {text}"
        );
    }
}

/// Any text as a base URL, a callback URL, an event callback URL and a redirect's callback:
/// a value or a precise error, never a panic; a base URL that parses reads back the same.
pub fn urls(data: &[u8]) {
    let (state, text, _) = split3(data);
    let text = String::from_utf8_lossy(text);
    let state = String::from_utf8_lossy(state);
    // One trailing `/` is dropped, so `x//` reads back as `x/` and then `x`: only inputs
    // without a doubled trailing slash read back the same.
    let Ok(base) = BaseUrl::parse(&text) else {
        return urls_rest(&text, &state);
    };
    if !text.ends_with("//") {
        assert!(
            !base.as_str().ends_with('/'),
            "a base URL keeps a trailing `/`"
        );
        assert_eq!(
            BaseUrl::parse(base.as_str()).as_ref().map(BaseUrl::as_str),
            Ok(base.as_str()),
            "a parsed base URL does not read back the same"
        );
    }
    let _ = instance::hootsuite_webhook_url(&base, u64::MAX);
    urls_rest(&text, &state);
}

fn urls_rest(text: &str, state: &str) {
    let _ = oauth::parse_callback(text, state);
    let Ok(config) = Config::new(BaseUrl::us(), "u", "o") else {
        return;
    };
    let _ = instance::update_event_callback_request(&config, 1, text);
    let params = RedirectUrlParams::new("k", "s", text).state(state);
    let _ = params.validate();
    let _ = oauth::redirect_url_request(&config, &params);
    let _ = CreateInstance::builder("n", "c", text, "k", "s")
        .events(text)
        .build();
}

/// The secret the redaction target plants; stripped from the fuzzer's own bytes so that only
/// the planted copies can appear.
const PLANTED: &str = "Pl4nted5ecret";

/// The names under which a secret is planted, in the case the input picks.
fn secret_name(pick: u8, case_bits: u8) -> String {
    const NAMES: &[&str] = &[
        "code",
        "oauth.api.secret",
        "event.notification.signature.key",
        "apiSecret",
        "requestToken",
        "token",
        "state",
        "oauth.user.token",
        "oauth.user.refresh_token",
        "client_secret",
        "accessToken",
        "password",
    ];
    let name = NAMES[pick as usize % NAMES.len()];
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if case_bits & (1 << (i % 8)) != 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

/// Walks into `value` along the input's choices and plants `{name: PLANTED}` there.
fn plant(value: &mut serde_json::Value, path: &[u8], name: &str) {
    use serde_json::Value;
    match value {
        Value::Object(map) if !path.is_empty() && !map.is_empty() => {
            let i = path[0] as usize % (map.len() + 1);
            if let Some((_, v)) = map.iter_mut().nth(i) {
                return plant(v, &path[1..], name);
            }
            map.insert(name.to_string(), PLANTED.into());
        }
        Value::Object(map) => {
            map.insert(name.to_string(), PLANTED.into());
        }
        Value::Array(items) if !path.is_empty() && !items.is_empty() => {
            let i = path[0] as usize % items.len();
            plant(&mut items[i], &path[1..], name);
        }
        other => {
            let mut map = serde_json::Map::new();
            map.insert(name.to_string(), PLANTED.into());
            *other = Value::Object(map);
        }
    }
}

/// `pick case status path(4) \0 JSON document`: plants a secret under a secret name (any case)
/// anywhere in the document, then renders everything the library makes of it — responses,
/// errors, instances, instance pages and events, create bodies and their requests, validation
/// reports, URLs — and checks that the secret never appears.
pub fn redact(data: &[u8]) {
    let [pick, case, status, p0, p1, p2, p3, rest @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(rest).replace(PLANTED, "");
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(
        |_| serde_json::json!({"id": 1, "name": "n", "token": "t", "configuration": {}}),
    );
    let name = secret_name(*pick, *case);
    plant(&mut doc, &[*p0, *p1, *p2, *p3], &name);
    let body = doc.to_string();
    let mut shown: Vec<String> = Vec::new();
    let show_result = |shown: &mut Vec<String>, r: Result<String, hootsuite_events::Error>| match r
    {
        Ok(s) => shown.push(s),
        Err(e) => {
            shown.push(format!("{e:?}"));
            shown.push(e.to_string());
            shown.push(e.to_value().to_string());
        }
    };
    let headers = vec![(name.clone(), PLANTED.to_string())];
    for status in [200, 400 + u16::from(*status) % 200] {
        let response = HttpResponse::new(status, headers.clone(), body.clone());
        shown.push(format!("{response:?}"));
        show_result(
            &mut shown,
            instance::parse_instance(&response).map(|i| {
                format!(
                    "{i:?} {} {}",
                    serde_json::to_string(&i).unwrap_or_default(),
                    instance::hootsuite_webhook_url(&BaseUrl::us(), i.id)
                )
            }),
        );
        let page = HttpResponse::new(status, headers.clone(), format!("[{body}]"));
        show_result(
            &mut shown,
            instance::parse_instance_page(&page)
                .map(|p| format!("{p:?} {}", serde_json::to_string(&p).unwrap_or_default())),
        );
        show_result(
            &mut shown,
            instance::parse_instance_events(&page)
                .map(|e| format!("{e:?} {}", serde_json::to_string(&e).unwrap_or_default())),
        );
        show_result(
            &mut shown,
            oauth::parse_redirect_url(&response).map(|r| format!("{r:?}")),
        );
        show_result(
            &mut shown,
            instance::parse_empty(&response).map(|()| String::new()),
        );
    }
    let report = instance::validate(&doc);
    shown.push(format!("{report:?} {report}"));
    shown.push(format!("{:?}", instance::validate_update(&doc)));
    if let Ok(config) = Config::new(BaseUrl::us(), "u", "o") {
        show_result(
            &mut shown,
            CreateInstance::from_value(&doc).map(|b| {
                let request = instance::create_request(&config, &b);
                format!("{b:?} {request:?} {}", request.redacted().to_curl())
            }),
        );
        // The document as a request body and the planted pair as a query parameter.
        let mut builder = CreateInstance::builder("n", "c", "https://a.example/cb", "k", "s");
        if let serde_json::Value::Object(map) = &doc {
            for (k, v) in map {
                builder = builder.configuration(k.as_str(), v.clone());
            }
        }
        shown.push(format!("{builder:?}"));
        show_result(
            &mut shown,
            builder.build().map(|b| {
                let request = instance::create_request(&config, &b);
                format!("{b:?} {request:?} {}", request.redacted().to_curl())
            }),
        );
        let url = format!(
            "https://a.example/cb?x={}&{}={PLANTED}#{PLANTED}",
            text.len(),
            form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
        );
        shown.push(hootsuite_events::redact::redact_url(&url));
        let params = RedirectUrlParams::new("k", "s", url.as_str())
            .state(PLANTED)
            .request_token(PLANTED);
        shown.push(format!("{params:?}"));
        show_result(
            &mut shown,
            oauth::redirect_url_request(&config, &params)
                .map(|r| format!("{r:?} {}", r.redacted().to_curl())),
        );
        show_result(
            &mut shown,
            oauth::redirect_url_post_request(&config, &params)
                .map(|r| format!("{r:?} {}", r.redacted().to_curl())),
        );
        // The secret where a URL belongs.
        let wrong = format!("{}{PLANTED}", text.chars().take(8).collect::<String>());
        if !wrong.contains("://") && !wrong.contains(":/") && !wrong.contains(";/") {
            show_result(
                &mut shown,
                instance::update_event_callback_request(&config, 1, &wrong)
                    .map(|r| format!("{r:?}")),
            );
            shown.push(
                RedirectUrlParams::new("k", "s", wrong.as_str())
                    .validate()
                    .to_string(),
            );
        }
    }
    for s in &shown {
        assert!(
            !s.contains(PLANTED),
            "the secret planted under `{name}` appears in: {s}"
        );
    }
}

/// `status (2 bytes) body`.
pub fn responses(data: &[u8]) {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]) % 600, rest),
        _ => (200, data),
    };
    let r = HttpResponse::new(
        status,
        vec![("Retry-After".into(), "1".into())],
        body.to_vec(),
    );
    let _ = instance::parse_instance(&r);
    let _ = instance::parse_instance_page(&r);
    let _ = instance::parse_instance_events(&r);
    let _ = instance::parse_instance_event_page(&r);
    let _ = instance::parse_instance_event(&r);
    let _ = instance::parse_configuration(&r);
    let _ = instance::parse_configuration_entry(&r);
    let _ = instance::parse_empty(&r);
    let _ = oauth::parse_redirect_url(&r);
}

/// `expected state \0 url`.
pub fn callback(data: &[u8]) {
    let (state, url, _) = split3(data);
    let _ = oauth::parse_callback(
        &String::from_utf8_lossy(url),
        &String::from_utf8_lossy(state),
    );
}

/// Validation of any text.
pub fn validate(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let a = instance::validate_json(&text);
    let b = instance::validate_json(&text);
    assert_eq!(a, b, "validation is deterministic");
    match CreateInstance::from_json(&text) {
        Ok(body) => {
            assert!(a.valid);
            assert!(
                instance::validate(&body.to_value()).valid,
                "a built body validates"
            );
        }
        Err(_) => assert!(!a.valid),
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        let _ = instance::validate_update(&v);
    }
}

/// The browser build's JSON reader against serde_json on the same text: the same value (key
/// order included, numbers equal once read by serde_json) or the same error, word for word
/// with line and column; and what it writes reads back as the same value.
pub fn jsonv(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ours = hootsuite_events::jsonv::from_str(text);
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match (ours, theirs) {
        (Ok(a), Ok(b)) => {
            let written = a.to_json();
            let back: serde_json::Value =
                serde_json::from_str(&written).expect("jsonv writes JSON serde_json reads");
            assert_eq!(back, b, "jsonv read another value");
            assert_eq!(
                serde_json::to_string(&back).unwrap(),
                serde_json::to_string(&b).unwrap(),
                "jsonv changed the key order"
            );
            let again = hootsuite_events::jsonv::from_str(&a.to_json_pretty())
                .expect("jsonv reads its pretty text");
            assert_eq!(again, a, "the pretty text reads back as the value");
            // Where serde_json spells every number as the input does, the texts are equal.
            if same_spelling(&a) {
                assert_eq!(written, serde_json::to_string(&b).unwrap(), "another text");
                assert_eq!(
                    a.to_json_pretty(),
                    serde_json::to_string_pretty(&b).unwrap(),
                    "another pretty text"
                );
            }
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "another error"),
        (a, b) => panic!("jsonv {a:?}, serde_json {b:?}"),
    }
}

/// Whether every number is an integer serde_json writes back as written (it keeps `u64` and
/// `i64` as they are, and writes every other number as an `f64`).
fn same_spelling(v: &hootsuite_events::jsonv::Value) -> bool {
    use hootsuite_events::jsonv::Value;
    match v {
        Value::Number(n) => {
            let t = n.as_str();
            let digits = t.strip_prefix('-').unwrap_or(t);
            t != "-0"
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'))
                && (t.parse::<u64>().is_ok() || t.parse::<i64>().is_ok())
        }
        Value::Array(items) => items.iter().all(same_spelling),
        Value::Object(m) => m.iter().all(|(_, v)| same_spelling(v)),
        _ => true,
    }
}
