//! Runs every case of `tests/vectors/*.json` — the contract that the Python, Node and
//! WebAssembly bindings run too. `expected` is matched as a subset: every key it names must be
//! equal in the actual value (objects recursively, arrays element by element and of the same
//! length), and keys it does not name are not compared.

use std::path::PathBuf;

use hootsuite_events::deliveries::{self, DeliveryQuery, DeliveryStatus, FailurePolicy};
use hootsuite_events::instance::{self, CreateInstance, ListQuery, PageQuery};
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::signature::{sign, SignatureKey, Verifier};
use hootsuite_events::{events, BaseUrl, Config, Error, HttpRequest, HttpResponse, Secret};
use serde_json::{json, Value};

fn vectors(file: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    doc["cases"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{file}: no cases"))
}

/// `Ok` when `actual` contains `expected` (see the module docs), else where they differ.
fn subset(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let av = a.get(k).unwrap_or(&Value::Null);
                subset(ev, av, &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{at}: expected {} items, got {}: {}",
                    e.len(),
                    a.len(),
                    actual
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                subset(ev, av, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{at}: expected {e}, got {a}")),
    }
}

fn run(file: &str, op: impl Fn(&Value) -> Value) {
    let cases = vectors(file);
    assert!(!cases.is_empty(), "{file} has no cases");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let actual = op(&case["input"]);
        if let Err(diff) = subset(&case["expected"], &actual, "$") {
            failures.push(format!("{file} / {name}: {diff}\n   actual: {actual}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

fn err(e: Error) -> Value {
    json!({ "error": e.to_value() })
}

fn request_value(r: &HttpRequest) -> Value {
    let headers: serde_json::Map<String, Value> = r
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    let body = if r.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&r.body).expect("the library builds JSON bodies")
    };
    let text = (!r.body.is_empty()).then(|| String::from_utf8_lossy(&r.body).into_owned());
    json!({ "method": r.method.as_str(), "url": r.url, "headers": headers, "body": body, "body_text": text })
}

/// A vector's `headers` object as name/value pairs.
fn headers(input: &Value) -> Vec<(String, String)> {
    input["headers"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn response(input: &Value) -> HttpResponse {
    HttpResponse::new(
        input["status"].as_u64().unwrap_or(0) as u16,
        headers(input),
        s(input, "body").as_bytes().to_vec(),
    )
}

fn ok<T: serde::Serialize>(r: Result<T, Error>) -> Value {
    match r {
        Ok(v) => json!({ "ok": v }),
        Err(e) => err(e),
    }
}

#[test]
fn validation_vectors() {
    run("validation.json", |input| {
        if let Some(step1) = input["step1_callback_url"].as_str() {
            let report = instance::validate_with_callback(&input["json"], step1);
            return serde_json::to_value(&report).expect("report serializes");
        }
        let report = match input.get("text") {
            Some(Value::String(t)) => instance::validate_json(t),
            _ => instance::validate(&input["json"]),
        };
        let mut out = serde_json::to_value(&report).expect("report serializes");
        // The browser's report text (no serde) is serde_json's, byte for byte.
        assert_eq!(
            report.to_json(),
            serde_json::to_string(&report).expect("report serializes")
        );
        let built = match input.get("text") {
            Some(Value::String(t)) => CreateInstance::from_json(t),
            _ => CreateInstance::from_value(&input["json"]),
        };
        assert_eq!(built.is_ok(), report.valid, "validate and build must agree");
        if let Ok(body) = built {
            assert_eq!(body.warnings(), report.warnings.as_slice());
            out["body"] = body.to_value();
            out["body_text"] = body.to_json().into();
        }
        out
    });
}

fn redirect_params(a: &Value) -> RedirectUrlParams {
    let mut p = RedirectUrlParams::new(s(a, "api_key"), s(a, "api_secret"), s(a, "callback_url"));
    if let Some(v) = a["state"].as_str() {
        p = p.state(v);
    }
    if let Some(v) = a["scope"].as_str() {
        p = p.scope(v);
    }
    if let Some(v) = a["site_address"].as_str() {
        p = p.site_address(v);
    }
    if let Some(v) = a["callback_proxy"].as_bool() {
        p = p.callback_proxy(v);
    }
    if let Some(v) = a["request_token"].as_str() {
        p = p.request_token(v);
    }
    if let Some(v) = a["oauth_proxy_name"].as_str() {
        p = p.oauth_proxy_name(v);
    }
    if let Some(extra) = a["extra"].as_object() {
        for (k, v) in extra {
            p = p.extra(k, v.as_str().unwrap_or_default());
        }
    }
    p
}

fn body_arg(a: &Value) -> Result<CreateInstance, Error> {
    match a.get("body_text") {
        Some(Value::String(t)) => CreateInstance::from_json(t),
        _ => CreateInstance::from_value(&a["body"]),
    }
}

fn delivery_query(a: &Value) -> Result<DeliveryQuery, Error> {
    Ok(DeliveryQuery {
        status: a["status"]
            .as_str()
            .map(DeliveryStatus::parse)
            .transpose()?,
        url: a["url"].as_str().map(String::from),
        instance_id: a["instance_id"].as_u64(),
        page_size: a["page_size"].as_u64().map(|n| n as u32),
        next_page: a["next_page"].as_str().map(String::from),
    })
}

fn build_request(input: &Value) -> Result<Value, Error> {
    let base = BaseUrl::parse(s(input, "base_url"))?;
    let a = &input["args"];
    let id = a["id"].as_u64().unwrap_or(0);
    if s(input, "op") == "hootsuite_webhook_url" {
        return Ok(json!({ "value": instance::hootsuite_webhook_url(&base, id) }));
    }
    let config = Config::new(
        base,
        s(input, "user_secret"),
        s(input, "organization_secret"),
    )?;
    let req = match s(input, "op") {
        "redirect_url" => oauth::redirect_url_request(&config, &redirect_params(a))?,
        "redirect_url_post" => oauth::redirect_url_post_request(&config, &redirect_params(a))?,
        "create_instance" => instance::create_request(&config, &body_arg(a)?),
        "get_instance" => instance::get_request(&config, id),
        "delete_instance" => instance::delete_request(&config, id),
        "set_enabled" => {
            instance::set_enabled_request(&config, id, a["enabled"].as_bool().unwrap_or(false))
        }
        "list_instances" => {
            let q = ListQuery {
                tags: a["tags"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                search_text: a["search_text"].as_str().map(String::from),
                page_size: a["page_size"].as_u64().map(|n| n as u32),
                next_page: a["next_page"].as_str().map(String::from),
                hydrate: a["hydrate"].as_bool(),
            };
            instance::list_request(&config, &q)
        }
        "instance_events" => instance::events_request(&config, id),
        "instance_events_page" => {
            let q = PageQuery {
                page_size: a["page_size"].as_u64().map(|n| n as u32),
                next_page: a["next_page"].as_str().map(String::from),
            };
            instance::events_page_request(&config, a["id"].as_u64(), &q)
        }
        "instance_event" => instance::event_request(&config, a["id"].as_u64(), s(a, "event_id"))?,
        "configuration" => instance::configuration_request(&config, id),
        "update_configuration" => instance::update_configuration_request(
            &config,
            id,
            a["config_id"].as_u64().unwrap_or(0),
            s(a, "property_value"),
        ),
        "update_event_callback" => {
            instance::update_event_callback_request(&config, id, s(a, "url"))?
        }
        "set_events" => {
            instance::set_events_request(&config, id, a["enabled"].as_bool().unwrap_or(false))
        }
        "reauthenticate_code" => {
            instance::reauthenticate_code_request(&config, id, &Secret::new(s(a, "code")))?
        }
        "reauthenticate" => instance::reauthenticate_request(&config, id, &body_arg(a)?),
        "list_deliveries" => deliveries::list_deliveries_request(&config, &delivery_query(a)?)?,
        "redeliver" => deliveries::redeliver_request(&config, &delivery_query(a)?)?,
        "reenable" => deliveries::reenable_request(&config, id),
        "failure_policy" => deliveries::failure_policy_request(&config),
        "set_failure_policy" => {
            deliveries::set_failure_policy_request(&config, FailurePolicy::parse(s(a, "policy"))?)
        }
        other => panic!("unknown op {other}"),
    };
    Ok(request_value(&req))
}

#[test]
fn request_vectors() {
    run("requests.json", |input| {
        build_request(input).unwrap_or_else(err)
    });
}

#[test]
fn response_vectors() {
    run("responses.json", |input| {
        let r = response(input);
        match s(input, "op") {
            "instance" => ok(instance::parse_instance(&r)),
            "instance_page" => ok(instance::parse_instance_page(&r)),
            "instance_events" => ok(instance::parse_instance_events(&r)),
            "instance_event_page" => ok(instance::parse_instance_event_page(&r)),
            "instance_event" => ok(instance::parse_instance_event(&r)),
            "configuration" => ok(instance::parse_configuration(&r)),
            "configuration_entry" => ok(instance::parse_configuration_entry(&r)),
            "redirect_url" => ok(oauth::parse_redirect_url(&r)),
            "empty" => ok(instance::parse_empty(&r)),
            "deliveries" => ok(deliveries::parse_deliveries(&r)),
            "delivery_page" => ok(deliveries::parse_delivery_page(&r)),
            "failure_policy" => ok(deliveries::parse_failure_policy(&r)),
            other => panic!("unknown op {other}"),
        }
    });
}

#[test]
fn callback_vectors() {
    run("callbacks.json", |input| {
        match oauth::parse_callback(s(input, "url"), s(input, "expected_state")) {
            Ok(code) => json!({ "code": code.expose() }),
            Err(e) => err(e),
        }
    });
}

#[test]
fn event_vectors() {
    run("events.json", |input| {
        ok(events::parse_notification(s(input, "body").as_bytes()))
    });
}

#[test]
fn signature_vectors() {
    run("signatures.json", |input| {
        let key = SignatureKey::new(input["key"].as_str().unwrap_or_default());
        let body = s(input, "body").as_bytes();
        match s(input, "op") {
            "sign" => json!({ "header": sign(&key, body) }),
            "verify" => {
                let v = match verifier(input) {
                    Ok(v) => v,
                    Err(e) => return err(e),
                };
                match v.verify(body, input["header"].as_str()) {
                    Ok(i) => json!({ "valid": true, "key_index": i }),
                    Err(e) => err(e),
                }
            }
            "verify_event" => match verifier(input) {
                Ok(v) => ok(v.verify_event(&headers(input), body)),
                Err(e) => err(e),
            },
            other => panic!("unknown op {other}"),
        }
    });
}

/// `key`, or `keys` (the current one first), with the options of the input.
fn verifier(input: &Value) -> Result<Verifier, hootsuite_events::Error> {
    let mut v = match input["keys"].as_array() {
        Some(keys) => Verifier::with_keys(keys.iter().map(|k| k.as_str().unwrap_or_default()))?,
        None => Verifier::new(SignatureKey::new(s(input, "key"))),
    };
    v = v.allow_legacy_sha1(input["allow_legacy_sha1"].as_bool().unwrap_or(false));
    if let Some(n) = input["max_body_size"].as_u64() {
        v = v.max_body_size(n as usize);
    }
    Ok(v)
}

/// A matcher that could not fail would make every vector pass: check that it does fail.
#[test]
fn subset_matcher_rejects_differences() {
    assert!(subset(&json!({"a": 1}), &json!({"a": 2}), "$").is_err());
    assert!(subset(&json!({"a": [1]}), &json!({"a": [1, 2]}), "$").is_err());
    assert!(subset(&json!({"a": null}), &json!({}), "$").is_ok());
    assert!(subset(&json!({"a": 1}), &json!({}), "$").is_err());
    assert!(subset(
        &json!({"a": {"b": 1}}),
        &json!({"a": {"b": 1, "c": 2}}),
        "$"
    )
    .is_ok());
}
