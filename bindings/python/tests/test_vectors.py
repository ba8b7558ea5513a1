"""Every case of tests/vectors/*.json through the Python API: the same results as Rust.

`expected` is matched as a subset (see crates/hootsuite-events/tests/vectors.rs)."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

import hootsuite_events as he
from conftest import load_vectors


def subset(expected: Any, actual: Any, at: str = "$") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{at}: expected an object, got {actual!r}"
        for k, v in expected.items():
            subset(v, actual.get(k), f"{at}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{at}: expected {expected!r}, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            subset(e, a, f"{at}[{i}]")
    else:
        assert type(expected) is type(actual) and expected == actual, f"{at}: expected {expected!r}, got {actual!r}"


def plain(value: Any) -> Any:
    """Typed results as the JSON the vectors describe (tuples as lists, the masked token)."""
    if hasattr(value, "to_dict") and not isinstance(value, dict):
        d = {k: plain(v) for k, v in value.to_dict().items()}
        if isinstance(value, he.Instance):
            d["token"] = d.pop("token_masked")
        return d
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def error(e: he.HootsuiteEventsError) -> Dict[str, Any]:
    assert e.code == e.details["code"]
    return {"error": e.details}


def ids(cases):
    return [c["name"] for c in cases]


VALIDATION = load_vectors("validation.json")


@pytest.mark.parametrize("case", VALIDATION, ids=ids(VALIDATION))
def test_validation(case):
    data = case["input"]["text"] if "text" in case["input"] else case["input"]["json"]
    if "step1_callback_url" in case["input"]:
        subset(case["expected"], plain(he.validate_instance(data, case["input"]["step1_callback_url"])))
        return
    report = he.validate_instance(data)
    out = plain(report)
    if report.valid:
        body = he.build_instance_body(data)
        out["body"] = body
        out["body_text"] = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    else:
        with pytest.raises(he.ValidationError) as info:
            he.build_instance_body(data)
        assert plain(info.value.errors) == out["errors"]
    subset(case["expected"], out)


REQUESTS = load_vectors("requests.json")


def build_request(i: Dict[str, Any]) -> Dict[str, Any]:
    a = i["args"]
    if i["op"] == "hootsuite_webhook_url":
        return {"value": he.hootsuite_webhook_url(i["base_url"], a["id"])}
    config = he.Config(i["base_url"], i["user_secret"], i["organization_secret"])
    body = a.get("body_text", a.get("body"))
    op = i["op"]
    if op in ("redirect_url", "redirect_url_post"):
        kw = {k: a[k] for k in ("state", "scope", "site_address", "callback_proxy", "request_token", "oauth_proxy_name", "extra") if k in a}
        r = he.redirect_url_request(config, a["api_key"], a["api_secret"], a["callback_url"], post=op.endswith("post"), **kw)
    elif op == "create_instance":
        r = he.create_instance_request(config, body)
    elif op == "get_instance":
        r = he.get_instance_request(config, a["id"])
    elif op == "delete_instance":
        r = he.delete_instance_request(config, a["id"])
    elif op == "set_enabled":
        r = he.set_enabled_request(config, a["id"], a["enabled"])
    elif op == "list_instances":
        r = he.list_instances_request(config, tags=a.get("tags"), search_text=a.get("search_text"), page_size=a.get("page_size"), next_page=a.get("next_page"), hydrate=a.get("hydrate"))
    elif op == "instance_events":
        r = he.instance_events_request(config, a["id"])
    elif op == "instance_events_page":
        r = he.instance_events_page_request(config, a.get("id"), page_size=a.get("page_size"), next_page=a.get("next_page"))
    elif op == "instance_event":
        r = he.instance_event_request(config, a.get("id"), a["event_id"])
    elif op == "configuration":
        r = he.configuration_request(config, a["id"])
    elif op == "update_configuration":
        r = he.update_configuration_request(config, a["id"], a["config_id"], a["property_value"])
    elif op == "update_event_callback":
        r = he.update_event_callback_request(config, a["id"], a["url"])
    elif op == "set_events":
        r = he.set_events_request(config, a["id"], a["enabled"])
    elif op == "reauthenticate_code":
        r = he.reauthenticate_code_request(config, a["id"], a["code"])
    elif op == "reauthenticate":
        r = he.reauthenticate_request(config, a["id"], body)
    elif op == "list_deliveries":
        r = he.list_deliveries_request(config, status=a.get("status"), url=a.get("url"), instance_id=a.get("instance_id"), page_size=a.get("page_size"), next_page=a.get("next_page"))
    elif op == "redeliver":
        r = he.redeliver_request(config, status=a.get("status"), url=a.get("url"), instance_id=a.get("instance_id"))
    elif op == "reenable":
        r = he.reenable_request(config, a["id"])
    elif op == "failure_policy":
        r = he.failure_policy_request(config)
    elif op == "set_failure_policy":
        r = he.set_failure_policy_request(config, a["policy"])
    else:
        raise AssertionError(f"unknown op {op}")
    return {"method": r.method, "url": r.url, "headers": r.headers, "body": r.json(), "body_text": r.body.decode() if r.body else None}


@pytest.mark.parametrize("case", REQUESTS, ids=ids(REQUESTS))
def test_requests(case):
    try:
        out = build_request(case["input"])
    except he.HootsuiteEventsError as e:
        out = error(e)
    subset(case["expected"], out)


RESPONSES = load_vectors("responses.json")
PARSERS = {
    "instance": he.parse_instance,
    "instance_page": he.parse_instance_page,
    "instance_events": he.parse_instance_events,
    "instance_event_page": he.parse_instance_event_page,
    "instance_event": he.parse_instance_event,
    "configuration": he.parse_configuration,
    "configuration_entry": he.parse_configuration_entry,
    "redirect_url": he.parse_redirect_url,
    "empty": he.parse_empty,
    "deliveries": he.parse_deliveries,
    "delivery_page": he.parse_delivery_page,
    "failure_policy": he.parse_failure_policy,
}


@pytest.mark.parametrize("case", RESPONSES, ids=ids(RESPONSES))
def test_responses(case):
    i = case["input"]
    try:
        out = {"ok": plain(PARSERS[i["op"]](i["status"], i["headers"], i["body"].encode()))}
    except he.HootsuiteEventsError as e:
        out = error(e)
    subset(case["expected"], out)


CALLBACKS = load_vectors("callbacks.json")


@pytest.mark.parametrize("case", CALLBACKS, ids=ids(CALLBACKS))
def test_callbacks(case):
    try:
        out = {"code": he.parse_callback(case["input"]["url"], case["input"]["expected_state"]).get_secret_value()}
    except he.HootsuiteEventsError as e:
        out = error(e)
    subset(case["expected"], out)


EVENTS = load_vectors("events.json")


@pytest.mark.parametrize("case", EVENTS, ids=ids(EVENTS))
def test_events(case):
    try:
        out = {"ok": plain(he.parse_event_notification(case["input"]["body"].encode()))}
    except he.HootsuiteEventsError as e:
        out = error(e)
    subset(case["expected"], out)


SIGNATURES = load_vectors("signatures.json")


@pytest.mark.parametrize("case", SIGNATURES, ids=ids(SIGNATURES))
def test_signatures(case):
    i = case["input"]
    body = i["body"].encode()
    # `keys` (the current key first) or one `key`, as the verifier's first argument takes them.
    keys = i["keys"] if "keys" in i else i.get("key", "")
    options = {"allow_legacy_sha1": i.get("allow_legacy_sha1", False), "max_body_size": i.get("max_body_size")}
    try:
        if i["op"] == "sign":
            out = {"header": he.sign(i["key"], body)}
        elif i["op"] == "verify":
            out = {"valid": True, "key_index": he.verify_signature(keys, body, i["header"], **options)}
        elif i["op"] == "verify_event":
            out = {"ok": plain(he.verify_event(keys, i["headers"], body, **options))}
        else:
            raise AssertionError(f"unknown op {i['op']}")
    except he.HootsuiteEventsError as e:
        out = error(e)
    subset(case["expected"], out)


def test_subset_can_fail():
    with pytest.raises(AssertionError):
        subset({"a": 1}, {"a": 2})
    with pytest.raises(AssertionError):
        subset({"a": [1]}, {"a": [1, 2]})
    with pytest.raises(AssertionError):
        subset({"a": True}, {"a": 1})
