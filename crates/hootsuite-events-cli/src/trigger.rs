//! `trigger`: a local dev loop like `stripe trigger`. Makes the notifications Cloud Elements
//! would make of a Hootsuite webhook (the emulator's own normalization and envelope), signs
//! them as Cloud Elements does, and POSTs them to the developer's receiver — then retries and
//! replays on request — printing each answer.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hootsuite_events::signature::{sign, SignatureKey, SIGNATURE_HEADER, WEBHOOK_ID_HEADER};
use hootsuite_events_emulator::{envelope, notifications, now_rfc3339, sample, InstanceInfo};
use serde_json::json;

/// What to send.
pub struct Trigger {
    /// `message`, `comment`, `app` or `ping`.
    pub kind: String,
    /// The receiver's URL.
    pub to: String,
    /// The signature key; `None` sends unsigned notifications.
    pub key: Option<String>,
    /// Events in the Hootsuite batch (more than 20 split into several notifications).
    pub count: u64,
    /// The instance the notifications are about.
    pub instance_id: u64,
    /// Send each notification this many more times with the same `Elements-Webhook-Id`.
    pub retries: u32,
    /// Then send the first notification again under another `Elements-Webhook-Id`.
    pub replay: bool,
    /// One JSON line per POST instead of text.
    pub json: bool,
}

/// One POST and what came back.
struct Sent {
    notification: usize,
    attempt: &'static str,
    webhook_id: String,
    answer: Result<(u16, String), String>,
}

/// How the receiver answered, judged by each delivery's last attempt: a retry that got a 2xx
/// after a refusal delivered its notification, as it does at Cloud Elements.
pub struct Summary {
    /// Deliveries whose last attempt was answered with a status other than 2xx.
    pub refused: usize,
    /// Deliveries whose last attempt got no answer (connection refused, reset, timed out).
    pub unanswered: usize,
}

/// Sends the notifications and counts the answers that were not 2xx.
pub fn run(t: &Trigger) -> Result<Summary, String> {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    // Fresh sequence numbers and event ids on every run, so that a receiver's store sees new
    // events each time (as it would from Hootsuite).
    let base = u64::try_from(now_ms).unwrap_or(u64::MAX) * 1_000;
    let date = now_rfc3339();
    let payload = sample(&t.kind, base, t.count, &date).ok_or_else(|| {
        format!(
            "`{}` is not an event this command makes; expected message, comment, app or ping",
            t.kind
        )
    })?;
    let instance = InstanceInfo {
        id: t.instance_id,
        name: "hootsuite-events trigger".into(),
        tags: vec!["trigger".into()],
    };
    let mut bodies = notifications(&payload, &instance, base, &date)?;
    if bodies.is_empty() {
        // Pings normalize to no event: a notification with Hootsuite's batch as `raw` only.
        bodies.push(envelope(&payload, &instance, base, &date, &[]));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let key = t.key.as_deref().map(SignatureKey::new);
    let mut summary = Summary {
        refused: 0,
        unanswered: 0,
    };
    let mut count = |last: &Sent| match last.answer {
        Ok((200..=299, _)) => {}
        Ok(_) => summary.refused += 1,
        Err(_) => summary.unanswered += 1,
    };
    let mut ids = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let webhook_id = fresh_webhook_id(i);
        ids.push(webhook_id.clone());
        let mut last = None;
        for attempt in 0..=t.retries {
            let label = if attempt == 0 { "first" } else { "retry" };
            let sent = post(&agent, t, key.as_ref(), body, i, label, &webhook_id);
            print(t, &sent, bodies.len());
            last = Some(sent);
        }
        if let Some(last) = &last {
            count(last);
        }
    }
    if t.replay {
        let webhook_id = format!("{}-replayed", ids.first().map_or("wh", String::as_str));
        let sent = post(
            &agent,
            t,
            key.as_ref(),
            &bodies[0],
            0,
            "replay",
            &webhook_id,
        );
        count(&sent);
        print(t, &sent, bodies.len());
    }
    Ok(summary)
}

fn post(
    agent: &ureq::Agent,
    t: &Trigger,
    key: Option<&SignatureKey>,
    body: &[u8],
    notification: usize,
    attempt: &'static str,
    webhook_id: &str,
) -> Sent {
    let mut request = agent
        .post(&t.to)
        .header("Content-Type", "application/json")
        .header(WEBHOOK_ID_HEADER, webhook_id);
    if let Some(k) = key {
        request = request.header(SIGNATURE_HEADER, sign(k, body));
    }
    let answer = match request.send(body) {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let text = response
                .body_mut()
                .with_config()
                .limit(4 * 1024)
                .read_to_string()
                .unwrap_or_default();
            Ok((status, text))
        }
        // ureq's message quotes a URL it cannot send to whole.
        Err(ureq::Error::BadUri(_)) => Err(format!(
            "ureq cannot send to the URL {}",
            hootsuite_events::redact::quote_url(&t.to)
        )),
        Err(e) => Err(e.to_string()),
    };
    Sent {
        notification,
        attempt,
        webhook_id: webhook_id.to_string(),
        answer,
    }
}

fn print(t: &Trigger, s: &Sent, total: usize) {
    if t.json {
        let line = match &s.answer {
            Ok((status, body)) => json!({"notification": s.notification + 1, "of": total,
                "attempt": s.attempt, "webhook_id": s.webhook_id, "status": status, "body": body}),
            Err(e) => json!({"notification": s.notification + 1, "of": total,
                "attempt": s.attempt, "webhook_id": s.webhook_id, "error": e}),
        };
        println!("{line}");
        return;
    }
    let answer = match &s.answer {
        Ok((status, body)) => format!("{status} {}", crate::shown(&gist(body))),
        Err(e) => format!("no answer: {}", crate::shown(e)),
    };
    println!(
        "notification {}/{total} ({}, {}: {}) → {answer}",
        s.notification + 1,
        s.attempt,
        WEBHOOK_ID_HEADER,
        s.webhook_id
    );
}

/// A receiver's answer body in one line: an HTML error page by its size, other text by its
/// first line (at most 200 characters); `--json` keeps the body whole.
fn gist(body: &str) -> String {
    let body = body.trim();
    if body.starts_with('<') {
        return format!("(an HTML page, {} bytes)", body.len());
    }
    let line = body.lines().next().unwrap_or_default();
    match line.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None if line.len() < body.len() => format!("{line} …"),
        None => line.to_string(),
    }
}

fn fresh_webhook_id(i: usize) -> String {
    use std::hash::BuildHasher;
    // Not a secret: only distinct per delivery, as Cloud Elements' ids are.
    let n = std::collections::hash_map::RandomState::new().hash_one(i);
    format!("wh-trigger-{n:016x}")
}
