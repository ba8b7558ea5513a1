//! insta snapshots over `tests/fixtures/`: each `create-*.json` gives its validation report and
//! (when valid) the built request; each `notification-*.json` and `instance-*.json` its parsed
//! value. A change to any output shows up as a snapshot diff to review.

use std::path::PathBuf;

use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::{events, BaseUrl, Config, HttpResponse};
use serde_json::json;

fn fixtures(prefix: &str) -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("fixtures folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".json"))
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(&n)).expect("readable fixture");
            (n.trim_end_matches(".json").to_string(), text)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures named {prefix}*");
    out
}

#[test]
fn create_instance_fixtures() {
    let config = Config::new(BaseUrl::us(), "user-secret", "org-secret").expect("config");
    for (name, text) in fixtures("create-") {
        let report = instance::validate_json(&text);
        let request = CreateInstance::from_json(&text).ok().map(|body| {
            let r = instance::create_request(&config, &body);
            json!({
                "method": r.method.as_str(),
                "url": r.url,
                "debug": format!("{r:?}"),
                "body": serde_json::from_slice::<serde_json::Value>(&r.body).expect("json body"),
            })
        });
        insta::assert_json_snapshot!(name, json!({ "report": report, "request": request }));
    }
}

#[test]
fn notification_fixtures() {
    for (name, text) in fixtures("notification-") {
        let parsed = events::parse_notification(text.as_bytes()).map_err(|e| e.to_value());
        insta::assert_json_snapshot!(name, parsed);
    }
}

#[test]
fn instance_fixtures() {
    for (name, text) in fixtures("instance-") {
        let response = HttpResponse::new(200, vec![], text.into_bytes());
        let parsed = instance::parse_instance(&response).map_err(|e| e.to_value());
        insta::assert_json_snapshot!(name, parsed);
    }
}
