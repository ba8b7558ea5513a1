//! The emulated API's routes: who may call, what each call reads and changes, what it answers.

use std::time::Instant;

use base64::Engine as _;
use hootsuite_events::instance::{
    self, CreateInstance, KEY_API_KEY, KEY_CALLBACK_URL, KEY_EVENTS_ENABLED,
    KEY_EVENT_CALLBACK_URL, KEY_SIGNATURE_KEY,
};
use hootsuite_events::signature::{sign, SignatureKey};
use hootsuite_events::Error;
use serde_json::{json, Map, Value};

use crate::hootsuite::{self, EVENTS_PER_NOTIFICATION};
use crate::http::{Fault, Req, Resp};
use crate::render::*;
use crate::state::*;
use crate::time::{now_rfc3339, token};

/// Who is calling: with the organization secret (`platform`), and/or as one instance (the
/// `Element <token>` part, which also addresses `/instances` without an id).
struct Caller {
    platform: bool,
    element: Option<u64>,
}

fn authorize(shared: &Shared, state: &State, req: &Req, rid: &str) -> Result<Caller, Resp> {
    let unauthorized = || {
        shared.error(
            401,
            "Invalid Organization or User secret, or invalid Element token provided.",
            None,
            rid,
        )
    };
    let header = req.header("Authorization").ok_or_else(unauthorized)?;
    let (mut user, mut org, mut element) = (None, None, None);
    for part in header.split(',') {
        match part.trim().split_once(' ') {
            Some(("User", v)) => user = Some(v.trim()),
            Some(("Organization", v)) => org = Some(v.trim()),
            Some(("Element", v)) => element = Some(v.trim()),
            _ => return Err(unauthorized()),
        }
    }
    if user != Some(shared.config.user_secret.as_str()) {
        return Err(unauthorized());
    }
    let platform = match org {
        None => false,
        Some(o) if o == shared.config.organization_secret => true,
        Some(_) => return Err(unauthorized()),
    };
    let element = match element {
        None => None,
        Some(t) => match state.instances.values().find(|i| i.token == t) {
            Some(i) => Some(i.id),
            None => return Err(unauthorized()),
        },
    };
    if !platform && element.is_none() {
        return Err(unauthorized());
    }
    Ok(Caller { platform, element })
}

/// The paths that name no instance id and address the caller's own instance by its
/// `Element <token>` (the platform SDK's `/instances`, `/instances/configuration…`,
/// `/instances/enabled`), rewritten to `/instances/{id}/…`. `/instances/events…` reads the
/// token's instance when there is a token, else the whole account. `Err` is the status and
/// message to answer (a token needed and missing, an unknown element, a method not served).
fn token_addressed(
    m: &str,
    segs: &[&str],
    caller: &Caller,
) -> Result<Option<Vec<String>>, (u16, &'static str)> {
    let own = |rest: &[&str]| -> Result<Option<Vec<String>>, (u16, &'static str)> {
        let id = caller.element.ok_or((
            400,
            "This call addresses the instance by the `Element <token>` part of Authorization, and none was given",
        ))?;
        let mut v = vec!["instances".to_string(), id.to_string()];
        v.extend(rest.iter().map(|s| s.to_string()));
        Ok(Some(v))
    };
    match (m, segs) {
        ("GET", ["instances"]) | ("POST", ["instances"]) => Ok(None),
        (_, ["instances"]) => own(&[]),
        (_, ["instances", "configuration", rest @ ..]) => own(&[&["configuration"], rest].concat()),
        (_, ["instances", "enabled"]) => own(&["enabled"]),
        // A token scopes them to its instance, with or without the organization secret.
        (_, ["instances", "events", rest @ ..]) if caller.element.is_some() => {
            own(&[&["events"], rest].concat())
        }
        // `/elements/{key or id}/instances[/{id}]`: the same instances, for the Hootsuite element.
        (_, ["elements", key, "instances", rest @ ..]) if rest.len() <= 1 => {
            if *key != instance::ELEMENT_KEY && *key != ELEMENT_ID {
                return Err((404, "No element found with this key or id"));
            }
            // The SDK's routes: GET and POST on the list, GET, PUT and DELETE on one instance.
            match (m, rest) {
                ("GET" | "POST", []) => Ok(Some(vec!["instances".to_string()])),
                ("GET" | "PUT" | "DELETE", [id]) if id.parse::<u64>().is_ok() => {
                    Ok(Some(vec!["instances".to_string(), id.to_string()]))
                }
                (_, []) => Err((405, "Use GET or POST on an element's instances")),
                (_, [id]) if id.parse::<u64>().is_ok() => {
                    Err((405, "Use GET, PUT or DELETE on an element's instance"))
                }
                _ => Ok(None),
            }
        }
        _ => Ok(None),
    }
}

/// The Hootsuite element's numeric id in the emulated answers.
const ELEMENT_ID: &str = "6791";

/// The value of `name='…'` in a `where` expression (`a='x' and b='y'`).
fn where_value(expr: &str, name: &str) -> Option<String> {
    expr.split(" and ").find_map(|clause| {
        let (k, v) = clause.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('\'').to_string())
    })
}

const FAILURE_POLICY: &str = "notification.webhook.failure.policy";

fn settings_json(state: &State) -> Value {
    let policy = if state.queue_on_failure {
        "queue"
    } else {
        "retry"
    };
    json!({ FAILURE_POLICY: policy })
}

/// The `where` clauses of the delivery list and redelivery: those churros sends
/// (status='…', channel='webhook', config.url='…') and `instanceId=…`.
struct DeliveryFilter {
    status: Option<String>,
    channel: Option<String>,
    url: Option<String>,
    instance: Option<u64>,
}

impl DeliveryFilter {
    fn of(req: &Req) -> Result<Self, String> {
        let clause = |name: &str| req.query("where").and_then(|w| where_value(w, name));
        let instance = match clause("instanceId") {
            None => None,
            Some(v) => Some(
                v.parse::<u64>()
                    .map_err(|_| format!("instanceId must be a number, not '{v}'"))?,
            ),
        };
        Ok(DeliveryFilter {
            status: clause("status"),
            channel: clause("channel"),
            url: clause("config.url"),
            instance,
        })
    }

    fn matches(&self, d: &Delivery) -> bool {
        self.status.as_deref().is_none_or(|s| d.status_name() == s)
            && self.channel.as_deref().is_none_or(|c| c == "webhook")
            && self.url.as_deref().is_none_or(|u| d.url == u)
            && self.instance.is_none_or(|i| d.instance_id == i)
    }
}

/// Whether a delivery list or redelivery asks for `hydrate=true` (churros sends it to both).
fn hydrate(req: &Req) -> bool {
    req.query("hydrate") == Some("true")
}

/// Routes one request.
pub(crate) fn route(shared: &Shared, req: &Req, rid: &str) -> Resp {
    let m = req.method.as_str();
    if req.path == "/hootsuite/oauth2/auth" {
        return if m == "GET" {
            consent(shared, req, rid)
        } else {
            shared.error(405, "Use GET", None, rid)
        };
    }
    let Some(api) = req.path.strip_prefix(crate::API_PREFIX) else {
        return shared.error(404, "No resource found at this path", None, rid);
    };
    let segs: Vec<&str> = api.trim_matches('/').split('/').collect();
    let mut state = shared.lock();
    // Routes that need no Cloud Elements authorization.
    match (m, segs.as_slice()) {
        ("GET", ["emulator", "health"]) => return Resp::json(200, &json!({"status": "ok"})),
        ("POST", ["emulator", "faults"]) => {
            let fault = serde_json::from_slice::<Value>(&req.body)
                .map_err(|e| e.to_string())
                .and_then(|v| Fault::from_json(&v));
            return match fault {
                Ok(f) => {
                    state.faults.push(f);
                    Resp::json(200, &json!({"faults": state.faults.len()}))
                }
                Err(e) => shared.error(400, &e, None, rid),
            };
        }
        ("DELETE", ["emulator", "faults"]) => {
            state.faults.clear();
            return Resp::json(200, &json!({"faults": 0}));
        }
        ("POST", ["emulator", "replay"]) => return replay(shared, &mut state, &req.body, rid),
        ("POST", ["emulator", "instances", id, "sample-event"]) => {
            let Some(id) = state.existing_instance(id) else {
                return shared.error(404, &format!("No instance found with id {id}"), None, rid);
            };
            let kind = req.query("type").unwrap_or("message");
            let count = match req.query("count").map(str::parse::<u64>) {
                None => 1,
                Some(Ok(n)) if (1..=1_000).contains(&n) => n,
                Some(_) => {
                    return shared.error(400, "`count` must be a number from 1 to 1000", None, rid)
                }
            };
            let first = 9_000_001 + state.last_seq_no;
            let Some(payload) = hootsuite::sample(kind, first, count, &now_rfc3339()) else {
                return shared.error(
                    400,
                    "`type` must be message, comment, app or ping",
                    None,
                    rid,
                );
            };
            state.last_seq_no += count;
            return receive_webhook(shared, &mut state, id, &payload, rid);
        }
        ("POST", ["events", "hootsuite", encoded]) => {
            let id = instance::webhook_instance_id(encoded)
                .filter(|id| state.instances.contains_key(id));
            let Some(id) = id else {
                return shared.error(404, "No instance found for this webhook URL", None, rid);
            };
            let payload = match serde_json::from_slice::<Value>(&req.body) {
                Ok(v) => v,
                Err(e) => {
                    return shared.error(
                        400,
                        &format!("The webhook body is not JSON: {e}"),
                        None,
                        rid,
                    )
                }
            };
            return receive_webhook(shared, &mut state, id, &payload, rid);
        }
        _ => {}
    }
    let caller = match authorize(shared, &state, req, rid) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let rewritten = match token_addressed(m, &segs, &caller) {
        Ok(r) => r,
        Err((status, msg)) => return shared.error(status, msg, None, rid),
    };
    let segs: Vec<&str> = match &rewritten {
        Some(v) => v.iter().map(String::as_str).collect(),
        None => segs,
    };
    if !caller.platform {
        let own = caller.element.unwrap_or_default();
        if let ["instances", id, rest @ ..] = segs.as_slice() {
            // The whole-instance DELETE needs platform authorization, as documented.
            if id.parse::<u64>().ok() != Some(own) || (m == "DELETE" && rest.is_empty()) {
                return shared.error(
                    403,
                    "An Element token may only address its own instance; use platform authorization",
                    None,
                    rid,
                );
            }
            if state.instances.get(&own).is_some_and(|i| i.disabled) && rest != ["enabled"] {
                return shared.error(403, "The instance is disabled", None, rid);
            }
        } else {
            return shared.error(
                403,
                "This call needs platform authorization (User and Organization)",
                None,
                rid,
            );
        }
    }
    match (m, segs.as_slice()) {
        ("GET", ["elements", "hootsuite", "oauth", "url"]) => {
            let extra = req
                .query
                .iter()
                .filter(|(k, _)| !hootsuite_events::oauth::KNOWN_PARAMS.contains(&k.as_str()))
                .cloned()
                .collect();
            oauth_url(shared, |k| req.query(k).map(str::to_string), extra, rid)
        }
        ("POST", ["elements", "hootsuite", "oauth", "url"]) => {
            let body: Value = match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(e) => {
                    return shared.error(400, &format!("The body is not JSON: {e}"), None, rid)
                }
            };
            let extra = body
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(k, _)| {
                            !hootsuite_events::oauth::KNOWN_PARAMS.contains(&k.as_str())
                        })
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            oauth_url(
                shared,
                |k| body.get(k).and_then(Value::as_str).map(str::to_string),
                extra,
                rid,
            )
        }
        ("POST", ["instances"]) => create(shared, &mut state, req, rid),
        ("GET", ["instances"]) => list(shared, &state, req, rid),
        ("GET", ["instances", "events"]) => {
            let all: Vec<Value> = state
                .instances
                .values()
                .flat_map(|i| i.events.iter().map(|e| event_json(i.id, e)))
                .collect();
            paged(shared, req, all, rid)
        }
        ("GET", ["instances", "events", eid]) => {
            let found = state.instances.values().find_map(|i| {
                i.events
                    .iter()
                    .find(|e| e.id.to_string() == *eid)
                    .map(|e| event_json(i.id, e))
            });
            match found {
                Some(e) => Resp::json(200, &e),
                None => shared.error(404, &format!("No event found with id {eid}"), None, rid),
            }
        }
        (_, ["instances", "events", ..]) => {
            shared.error(405, &format!("{m} is not allowed here"), None, rid)
        }
        (_, ["instances", id, rest @ ..]) => {
            let Some(id) = state.existing_instance(id) else {
                return shared.error(404, &format!("No instance found with id {id}"), None, rid);
            };
            match (m, rest) {
                ("GET", []) => Resp::json(200, &instance_json(&state.instances[&id])),
                ("PATCH", []) => patch(shared, &mut state, id, req, rid),
                ("PUT", []) => put(shared, &mut state, id, req, rid),
                ("DELETE", []) => {
                    state.instances.remove(&id);
                    state.deliveries.retain(|d| d.instance_id != id);
                    Resp::json(200, &json!({}))
                }
                ("PUT", ["enabled"]) | ("DELETE", ["enabled"]) => {
                    let Some(i) = state.instances.get_mut(&id) else {
                        return shared.error(404, "No instance found", None, rid);
                    };
                    i.disabled = m == "DELETE";
                    Resp::json(200, &instance_json(i))
                }
                ("GET", ["events"]) => {
                    let i = &state.instances[&id];
                    paged(
                        shared,
                        req,
                        i.events.iter().map(|e| event_json(id, e)).collect(),
                        rid,
                    )
                }
                ("GET", ["configuration"]) => {
                    let i = &state.instances[&id];
                    let entries: Vec<Value> = i
                        .config
                        .iter()
                        .enumerate()
                        .map(|(pos, (k, v))| config_entry_json(i, pos, k, v))
                        .collect();
                    Resp::json(200, &Value::Array(entries))
                }
                ("GET", ["configuration", cid]) => {
                    let i = &state.instances[&id];
                    match config_key_of(i, cid) {
                        Some(key) => {
                            let pos = i.config.keys().position(|k| *k == key).unwrap_or(0);
                            Resp::json(200, &config_entry_json(i, pos, &key, &i.config[&key]))
                        }
                        None => shared.error(
                            404,
                            &format!("No configuration found with id {cid}"),
                            None,
                            rid,
                        ),
                    }
                }
                ("PATCH", ["configuration", cid]) => {
                    patch_configuration(shared, &mut state, id, cid, req, rid)
                }
                ("GET", ["events", eid]) => {
                    let i = &state.instances[&id];
                    match i.events.iter().find(|e| e.id.to_string() == *eid) {
                        Some(e) => Resp::json(200, &event_json(id, e)),
                        None => {
                            shared.error(404, &format!("No event found with id {eid}"), None, rid)
                        }
                    }
                }
                (_, [] | ["enabled"] | ["events", ..] | ["configuration", ..]) => {
                    shared.error(405, &format!("{m} is not allowed here"), None, rid)
                }
                _ => shared.error(404, "No resource found at this path", None, rid),
            }
        }
        ("GET", ["notifications", "subscriptions", "deliveries"]) => {
            let filter = match DeliveryFilter::of(req) {
                Ok(f) => f,
                Err(msg) => return shared.error(400, &msg, None, rid),
            };
            let hydrated = hydrate(req);
            let list: Vec<Value> = state
                .deliveries
                .iter()
                .filter(|d| filter.matches(d))
                .map(|d| delivery_json(d, hydrated))
                .collect();
            paged(shared, req, list, rid)
        }
        ("PUT", ["notifications", "subscriptions", "deliveries"]) => {
            let filter = match DeliveryFilter::of(req) {
                Ok(f) => f,
                Err(msg) => return shared.error(400, &msg, None, rid),
            };
            let now = Instant::now();
            let hydrated = hydrate(req);
            let mut redelivered = Vec::new();
            // Scoped to an instance, the PUT re-enables it even with nothing queued.
            let mut instances: Vec<u64> = filter.instance.into_iter().collect();
            for d in state
                .deliveries
                .iter_mut()
                .filter(|d| d.status == DeliveryStatus::Queued && filter.matches(d))
            {
                d.status = DeliveryStatus::Created;
                d.updated = now_rfc3339();
                d.attempts = 0;
                d.next_at = now;
                d.started = now;
                instances.push(d.instance_id);
                redelivered.push(delivery_json(d, hydrated));
            }
            for id in instances {
                if let Some(i) = state.instances.get_mut(&id) {
                    i.subscription_active = true;
                }
            }
            shared.wake.notify_all();
            Resp::json(200, &Value::Array(redelivered))
        }
        ("GET", ["accounts", "settings"]) => Resp::json(200, &settings_json(&state)),
        ("PATCH", ["accounts", "settings"]) => {
            let body: Value = match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(e) => {
                    return shared.error(400, &format!("The body is not JSON: {e}"), None, rid)
                }
            };
            let Some(obj) = body.as_object() else {
                return shared.error(400, "The settings must be a JSON object", None, rid);
            };
            match obj.get(FAILURE_POLICY).map(|v| v.as_str()) {
                None => {}
                Some(Some("retry")) => state.queue_on_failure = false,
                Some(Some("queue")) => state.queue_on_failure = true,
                Some(_) => {
                    return shared.error(
                        400,
                        &format!("{FAILURE_POLICY} must be 'retry' or 'queue'"),
                        None,
                        rid,
                    )
                }
            }
            Resp::json(200, &settings_json(&state))
        }
        (
            _,
            ["elements", "hootsuite", "oauth", "url"]
            | ["instances"]
            | ["accounts", "settings"]
            | ["notifications", "subscriptions", "deliveries"],
        ) => shared.error(405, &format!("{m} is not allowed here"), None, rid),
        _ => shared.error(404, "No resource found at this path", None, rid),
    }
}

/// Step 1 from the GET query or the POST body (`get` reads one parameter; `extra` are the
/// others, passed through).
fn oauth_url(
    shared: &Shared,
    get: impl Fn(&str) -> Option<String>,
    extra: Vec<(String, String)>,
    rid: &str,
) -> Resp {
    let (api_key, api_secret, callback_url) = (get("apiKey"), get("apiSecret"), get("callbackUrl"));
    let (state, scope) = (get("state"), get("scope"));
    let missing: Vec<&str> = [
        ("apiKey", &api_key),
        ("apiSecret", &api_secret),
        ("callbackUrl", &callback_url),
    ]
    .iter()
    .filter(|(_, v)| v.as_deref().is_none_or(|s| s.trim().is_empty()))
    .map(|(k, _)| *k)
    .collect();
    if !missing.is_empty() {
        return shared.error(
            400,
            &format!("Missing required parameter(s): {}", missing.join(", ")),
            None,
            rid,
        );
    }
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("response_type", "code");
    q.append_pair("client_id", api_key.as_deref().unwrap_or_default());
    q.append_pair("redirect_uri", callback_url.as_deref().unwrap_or_default());
    q.append_pair("scope", scope.as_deref().unwrap_or("offline"));
    if let Some(s) = &state {
        q.append_pair("state", s);
    }
    for (k, v) in &extra {
        q.append_pair(k, v);
    }
    Resp::json(
        200,
        &json!({"element": "hootsuite", "oauthUrl": format!("{}/hootsuite/oauth2/auth?{}", shared.origin, q.finish())}),
    )
}

/// The emulated Hootsuite consent page: it answers at once, as if the user had clicked
/// "Allow" (or "Deny" with `decision=deny`).
fn consent(shared: &Shared, req: &Req, rid: &str) -> Resp {
    let Some(redirect) = req
        .query("redirect_uri")
        .filter(|r| r.starts_with("http://") || r.starts_with("https://"))
    else {
        return shared.error(
            400,
            "redirect_uri is missing or not an absolute URL",
            None,
            rid,
        );
    };
    let client_id = req.query("client_id").unwrap_or_default();
    let mut q = form_urlencoded::Serializer::new(String::new());
    if req.query("decision") == Some("deny") {
        q.append_pair("error", "access_denied");
        q.append_pair("error_description", "The user denied access to the app");
    } else {
        let code = token(20);
        shared.lock().codes.insert(
            code.clone(),
            IssuedCode {
                client_id: client_id.to_string(),
                redirect_uri: redirect.to_string(),
            },
        );
        q.append_pair("code", &code);
    }
    if let Some(s) = req.query("state") {
        q.append_pair("state", s);
    }
    let sep = if redirect.contains('?') { '&' } else { '?' };
    Resp::redirect(&format!("{redirect}{sep}{}", q.finish()))
}

fn invalid_body(shared: &Shared, e: Error, rid: &str) -> Resp {
    match e {
        Error::Invalid(report) => {
            let summary: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
            let mut resp = shared.error(
                400,
                &format!("Invalid instance body: {}", summary.join("; ")),
                None,
                rid,
            );
            if let Ok(mut body) = serde_json::from_slice::<Value>(&resp.body) {
                body["errors"] = json!(report.errors);
                resp.body = serde_json::to_vec(&body).unwrap_or_default();
            }
            resp
        }
        other => shared.error(400, &other.to_string(), None, rid),
    }
}

/// Takes a single-use code issued by the consent page for this client id and callback URL.
fn consume_code(
    state: &mut State,
    code: &str,
    client_id: &str,
    redirect_uri: Option<&str>,
) -> Result<(), &'static str> {
    let issued = state
        .codes
        .remove(code)
        .ok_or("invalid_grant: the authorization code is invalid, expired or already used")?;
    if issued.client_id != client_id {
        return Err("invalid_client: the code was issued to another REST API client id");
    }
    if redirect_uri.is_some_and(|r| r != issued.redirect_uri) {
        return Err("redirect_uri_mismatch: oauth.callback.url differs from the callbackUrl the code was issued for");
    }
    Ok(())
}

fn body_text<'a>(shared: &Shared, req: &'a Req, rid: &str) -> Result<&'a str, Resp> {
    std::str::from_utf8(&req.body)
        .map_err(|_| shared.error(400, "The body is not UTF-8 text", None, rid))
}

/// Reads a full instance body, checks it with the core's rules, and spends its OAuth code: the
/// common part of create (`POST`) and re-authentication (`PUT`).
fn authenticated_body(
    shared: &Shared,
    state: &mut State,
    req: &Req,
    rid: &str,
) -> Result<CreateInstance, Resp> {
    let text = body_text(shared, req, rid)?;
    let body = CreateInstance::from_json(text).map_err(|e| invalid_body(shared, e, rid))?;
    consume_code(
        state,
        body.code().expose(),
        body.api_key(),
        Some(body.callback_url()),
    )
    .map_err(|provider| {
        shared.error(
            400,
            "Failed to authenticate the instance with Hootsuite",
            Some(provider),
            rid,
        )
    })?;
    Ok(body)
}

fn create(shared: &Shared, state: &mut State, req: &Req, rid: &str) -> Resp {
    let body = match authenticated_body(shared, state, req, rid) {
        Ok(b) => b,
        Err(r) => return r,
    };
    state.last_id += 1;
    let id = 10_000 + state.last_id;
    let name = strip_html(body.name());
    // An instance created without tags is tagged with its name, as the platform does.
    let tags = match body.tags() {
        Some(t) => t.to_vec(),
        None => vec![name.clone()],
    };
    let rec = InstanceRec {
        id,
        name,
        token: token(43),
        tags,
        config: stored_config(&body),
        disabled: false,
        created: now_rfc3339(),
        events: Vec::new(),
        subscription_active: true,
    };
    let resp = Resp::json(200, &instance_json(&rec));
    state.instances.insert(id, rec);
    resp
}

fn stored_config(body: &CreateInstance) -> Map<String, Value> {
    body.to_value()
        .get("configuration")
        .and_then(Value::as_object)
        .map(|c| {
            c.iter()
                .map(|(k, v)| (k.clone(), stored_value(v)))
                .collect()
        })
        .unwrap_or_default()
}

fn put(shared: &Shared, state: &mut State, id: u64, req: &Req, rid: &str) -> Resp {
    let body = match authenticated_body(shared, state, req, rid) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(i) = state.instances.get_mut(&id) else {
        return shared.error(404, "No instance found", None, rid);
    };
    i.name = strip_html(body.name());
    i.tags = body.tags().map(<[String]>::to_vec).unwrap_or_default();
    i.config = stored_config(&body);
    Resp::json(200, &instance_json(i))
}

fn patch(shared: &Shared, state: &mut State, id: u64, req: &Req, rid: &str) -> Resp {
    let value: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return shared.error(400, &format!("The body is not JSON: {e}"), None, rid),
    };
    let report = instance::validate_update(&value);
    if !report.is_valid() {
        return invalid_body(shared, Error::Invalid(report), rid);
    }
    let Some(current) = state.instances.get(&id) else {
        return shared.error(404, "No instance found", None, rid);
    };
    let mut config = current.config.clone();
    if let Some(c) = value.get("configuration").and_then(Value::as_object) {
        for (k, v) in c {
            config.insert(k.clone(), stored_value(v));
        }
    }
    let enabled = config.get(KEY_EVENTS_ENABLED).and_then(Value::as_str) == Some("true");
    let has_callback = config
        .get(KEY_EVENT_CALLBACK_URL)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    if enabled && !has_callback {
        return shared.error(
            400,
            "event.notification.callback.url is required when event.notification.enabled is true",
            None,
            rid,
        );
    }
    if let Some(code) = value.pointer("/providerData/code").and_then(Value::as_str) {
        let client_id = current
            .config_str(KEY_API_KEY)
            .unwrap_or_default()
            .to_string();
        let callback = current.config_str(KEY_CALLBACK_URL).map(str::to_string);
        if let Err(provider) = consume_code(state, code, &client_id, callback.as_deref()) {
            return shared.error(
                400,
                "Failed to re-authenticate the instance with Hootsuite",
                Some(provider),
                rid,
            );
        }
    }
    let Some(i) = state.instances.get_mut(&id) else {
        return shared.error(404, "No instance found", None, rid);
    };
    i.config = config;
    if let Some(name) = value.get("name").and_then(Value::as_str) {
        i.name = strip_html(name);
    }
    if let Some(tags) = value.get("tags").and_then(Value::as_array) {
        i.tags = tags
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    Resp::json(200, &instance_json(i))
}

fn list(shared: &Shared, state: &State, req: &Req, rid: &str) -> Resp {
    let tags = req.query_all("tags[]");
    let search = req.query("searchText").map(str::to_lowercase);
    let page_size = match page_size(shared, req, rid) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let offset = match page_offset(shared, req, rid) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let matching: Vec<&InstanceRec> = state
        .instances
        .values()
        .filter(|i| tags.iter().all(|t| i.tags.iter().any(|it| it == t)))
        .filter(|i| {
            search
                .as_deref()
                .is_none_or(|s| i.name.to_lowercase().contains(s))
        })
        .collect();
    let total = matching.len();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(page_size)
        .map(|i| instance_json(i))
        .collect();
    page_answer(page, offset, page_size, total)
}

/// `nextPage`, an offset token of ours; empty means the first page (churros' paging helper
/// sends `nextPage=` on its first request).
fn page_offset(shared: &Shared, req: &Req, rid: &str) -> Result<usize, Resp> {
    match req.query("nextPage") {
        None | Some("") => Ok(0),
        Some(t) => match base64::engine::general_purpose::STANDARD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.strip_prefix("offset:")
                    .and_then(|n| n.parse::<usize>().ok())
            }) {
            Some(n) => Ok(n),
            None => Err(shared.error(
                400,
                "nextPage is not a page token from Elements-Next-Page-Token",
                None,
                rid,
            )),
        },
    }
}

fn page_size(shared: &Shared, req: &Req, rid: &str) -> Result<usize, Resp> {
    match req.query("pageSize").map(str::parse::<usize>) {
        None => Ok(shared.config.default_page_size),
        Some(Ok(n)) if (1..=500).contains(&n) => Ok(n),
        Some(_) => Err(shared.error(400, "pageSize must be a number from 1 to 500", None, rid)),
    }
}

/// A page with the platform's paging headers: next-page token, total and returned counts.
fn page_answer(page: Vec<Value>, offset: usize, page_size: usize, total: usize) -> Resp {
    let returned = page.len();
    let mut resp = Resp::json(200, &Value::Array(page));
    // A crafted token can hold any offset up to usize::MAX: the sum must not overflow.
    let end = offset.saturating_add(page_size);
    if end < total {
        let next = base64::engine::general_purpose::STANDARD.encode(format!("offset:{end}"));
        resp = resp.with_header("Elements-Next-Page-Token", next);
    }
    resp.with_header("Elements-Total-Count", total.to_string())
        .with_header("Elements-Returned-Count", returned.to_string())
}

/// Pages a list by `pageSize` and `nextPage`.
fn paged(shared: &Shared, req: &Req, all: Vec<Value>, rid: &str) -> Resp {
    let (size, offset) = match (page_size(shared, req, rid), page_offset(shared, req, rid)) {
        (Ok(s), Ok(o)) => (s, o),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let total = all.len();
    let page = all.into_iter().skip(offset).take(size).collect();
    page_answer(page, offset, size, total)
}

/// `PATCH /instances/{id}/configuration/{configId}` with `{"propertyValue": …}`: the value is
/// checked with the same rules as a PATCH of the instance's configuration.
fn patch_configuration(
    shared: &Shared,
    state: &mut State,
    id: u64,
    cid: &str,
    req: &Req,
    rid: &str,
) -> Resp {
    let Some(key) = state.instances.get(&id).and_then(|i| config_key_of(i, cid)) else {
        return shared.error(
            404,
            &format!("No configuration found with id {cid}"),
            None,
            rid,
        );
    };
    let value: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return shared.error(400, &format!("The body is not JSON: {e}"), None, rid),
    };
    let Some(new) = value
        .get("propertyValue")
        .filter(|v| !v.is_object() && !v.is_array())
    else {
        return shared.error(
            400,
            "The body must be {\"propertyValue\": \"...\"}: propertyValue is missing or not a string",
            None,
            rid,
        );
    };
    let report = instance::validate_update(&json!({ "configuration": { key.as_str(): new } }));
    if !report.is_valid() {
        return invalid_body(shared, Error::Invalid(report), rid);
    }
    let Some(i) = state.instances.get_mut(&id) else {
        return shared.error(404, "No instance found", None, rid);
    };
    i.config.insert(key.clone(), stored_value(new));
    let pos = i.config.keys().position(|k| *k == key).unwrap_or(0);
    Resp::json(200, &config_entry_json(i, pos, &key, &i.config[&key]))
}

/// `POST /emulator/replay` with `{"event_id"?, "webhook_id"?}`: sends a delivered
/// notification again, byte for byte with its signature, under another `Elements-Webhook-Id`
/// (the last one delivered when no `event_id` is given): what a replay attack or a duplicate
/// delivery looks like to a receiver.
fn replay(shared: &Shared, state: &mut State, body: &[u8], rid: &str) -> Resp {
    let args: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return shared.error(400, &format!("the body is not JSON: {e}"), None, rid),
        }
    };
    let event_id = args.get("event_id").and_then(Value::as_u64);
    let found = state
        .deliveries
        .iter()
        .rev()
        .find(|d| d.is_delivered() && event_id.is_none_or(|id| d.event_id == id));
    let Some(original) = found else {
        return shared.error(404, "No delivered notification to replay", None, rid);
    };
    let webhook_id = match args.get("webhook_id").and_then(Value::as_str) {
        Some(w) => w.to_string(),
        None => format!("wh-{}", token(24)),
    };
    state.last_delivery_id += 1;
    let copy = Delivery {
        id: state.last_delivery_id,
        webhook_id: webhook_id.clone(),
        instance_id: original.instance_id,
        event_id: original.event_id,
        url: original.url.clone(),
        body: original.body.clone(),
        signature: original.signature.clone(),
        attempts: 0,
        next_at: Instant::now(),
        started: Instant::now(),
        status: DeliveryStatus::Created,
        created: now_rfc3339(),
        updated: now_rfc3339(),
    };
    state.deliveries.push(copy);
    shared.wake.notify_all();
    Resp::json(
        200,
        &json!({"deliveryId": state.last_delivery_id, "webhookId": webhook_id}),
    )
}

/// Hootsuite's webhook for one instance: normalize, split by 20, sign, and queue deliveries.
fn receive_webhook(
    shared: &Shared,
    state: &mut State,
    id: u64,
    payload: &Value,
    rid: &str,
) -> Resp {
    let date = now_rfc3339();
    let Some(inst) = state.instances.get(&id) else {
        return shared.error(404, "No instance found", None, rid);
    };
    let info = hootsuite::InstanceInfo {
        id,
        name: inst.name.clone(),
        tags: inst.tags.clone(),
    };
    let events = match hootsuite::normalize(payload, id, &date) {
        Ok(e) => e,
        Err(msg) => return shared.error(400, &msg, None, rid),
    };
    if inst.disabled {
        return shared.error(403, "The instance is disabled", None, rid);
    }
    if !inst.events_enabled() || events.is_empty() {
        return Resp::json(200, &json!({"eventIds": []}));
    }
    let url = inst.config_str(KEY_EVENT_CALLBACK_URL).map(str::to_string);
    let key = inst.config_str(KEY_SIGNATURE_KEY).map(SignatureKey::new);
    let active = inst.subscription_active;
    let mut ids = Vec::new();
    for chunk in events.chunks(EVENTS_PER_NOTIFICATION) {
        state.last_event_id += 1;
        let event_id = state.last_event_id;
        let bytes = hootsuite::envelope(payload, &info, event_id, &date, chunk);
        let object_count = chunk.len();
        let mut rec = EventRec {
            id: event_id,
            status: "RECEIVED",
            created: date.clone(),
            object_count,
            webhook_id: None,
            provider_data: payload.to_string(),
        };
        if let Some(url) = &url {
            state.last_delivery_id += 1;
            let webhook_id = format!("wh-{}", token(24));
            rec.webhook_id = Some(webhook_id.clone());
            rec.status = if active { "DISPATCHED" } else { "RECEIVED" };
            state.deliveries.push(Delivery {
                id: state.last_delivery_id,
                webhook_id,
                instance_id: id,
                event_id,
                url: url.clone(),
                signature: key.as_ref().map(|k| sign(k, &bytes)),
                body: bytes,
                attempts: 0,
                next_at: Instant::now(),
                started: Instant::now(),
                status: if active {
                    DeliveryStatus::Created
                } else {
                    DeliveryStatus::Queued
                },
                created: date.clone(),
                updated: date.clone(),
            });
        }
        if let Some(i) = state.instances.get_mut(&id) {
            i.events.push(rec);
        }
        ids.push(event_id);
    }
    shared.wake.notify_all();
    Resp::json(200, &json!({"eventIds": ids}))
}

/// The answer to one request: an injected fault, or the emulated API's.
pub(crate) fn handle(req: &Req, shared: &Shared) -> Resp {
    let request_id = shared.next_request_id();
    let mut resp = if req.too_large {
        shared.error(
            413,
            "The request body is larger than 1 MiB",
            None,
            &request_id,
        )
    } else {
        match injected_fault(shared, req) {
            Some(fault) => {
                if fault.panic {
                    panic!("the injected `panic` fault");
                }
                let mut r = Resp::json(
                    fault.status,
                    &json!({"message": fault.body.unwrap_or_else(|| format!("Injected fault: {}", fault.status)), "requestId": request_id}),
                );
                if let Some(raw) = fault.raw_body {
                    r.body = raw.into_bytes();
                }
                if let Some(s) = fault.retry_after {
                    r = r.with_header("Retry-After", s.to_string());
                }
                r.truncate = fault.truncate;
                r.delay = fault.delay;
                r
            }
            None => route(shared, req, &request_id),
        }
    };
    resp.headers
        .push(("Elements-Request-Id".into(), request_id));
    resp
}

fn injected_fault(shared: &Shared, req: &Req) -> Option<Fault> {
    let api_path = req.path.strip_prefix(crate::API_PREFIX)?;
    if api_path.starts_with("/emulator/") {
        return None;
    }
    let mut state = shared.lock();
    let i = state.faults.iter().position(|f| f.matches(req, api_path))?;
    let fault = state.faults[i].clone();
    if state.faults[i].times <= 1 {
        state.faults.remove(i);
    } else {
        state.faults[i].times -= 1;
    }
    Some(fault)
}
