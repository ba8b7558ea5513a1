"""Exceptions, reprs and the guard rails around secrets and raw bodies."""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import pickle
import re
import sys

import pytest

import hootsuite_events as he

SECRETS = ["USER-SECRET-7f3", "ORG-SECRET-9a1", "CLIENT-SECRET-c44", "CODE-SECRET-d55", "SIGKEY-SECRET-e66", "TOKEN-SECRET-f77"]


def body():
    return {
        "element": {"key": "hootsuite"},
        "providerData": {"code": "CODE-SECRET-d55"},
        "configuration": {
            "oauth.callback.url": "https://a.example/cb", "oauth.api.key": "k", "oauth.api.secret": "CLIENT-SECRET-c44",
            "event.notification.enabled": True, "event.notification.callback.url": "https://a.example/e",
            "event.notification.signature.key": "SIGKEY-SECRET-e66",
        },
        "name": "n",
    }


def test_no_secret_in_any_rendering():
    config = he.Config("us", "USER-SECRET-7f3", "ORG-SECRET-9a1")
    req = he.create_instance_request(config, body())
    code = he.parse_callback("?code=CODE-SECRET-d55&state=s", "s")
    instance = he.parse_instance(200, {}, b'{"id": 1, "name": "n", "token": "TOKEN-SECRET-f77"}')
    redirect = he.redirect_url_request(config, "k", "CLIENT-SECRET-c44", "https://a.example/cb")
    renderings = [repr(config), str(config), repr(req), str(req), repr(code), str(code), repr(instance), str(instance), repr(redirect)]
    errors = []
    for bad in [
        lambda: he.Config("us", "", "ORG-SECRET-9a1"),
        lambda: he.Config("us", "USER-SECRET-7f3\n", "x"),
        lambda: he.verify_signature("SIGKEY-SECRET-e66", b"x", "sha256=AAAA"),
        lambda: he.create_instance_request(config, {**body(), "name": ""}),
        lambda: he.parse_callback("?code=CODE-SECRET-d55&state=evil", "s"),
        lambda: he.parse_instance(200, {}, b'{"id": "x", "token": "TOKEN-SECRET-f77"}'),
    ]:
        with pytest.raises(he.HootsuiteEventsError) as info:
            bad()
        errors += [str(info.value), repr(info.value), repr(info.value.details.get("display"))]
    text = "\n".join(renderings + errors)
    for s in SECRETS:
        assert s not in text, s
    assert code.get_secret_value() == "CODE-SECRET-d55"
    assert instance.token == "TOKEN-SECRET-f77" and instance.token_masked == "TOKE********"


def test_exception_classes():
    with pytest.raises(ValueError):
        he.create_instance_request(he.Config("us", "u", "o"), {})
    with pytest.raises(he.ValidationError) as info:
        he.create_instance_request(he.Config("us", "u", "o"), "{\"name\": ")
    assert info.value.errors[0].code == "json_syntax" and info.value.errors[0].line == 1
    with pytest.raises(he.InvalidArgumentError) as arg:
        he.Config("https;//x", "u", "o")
    assert arg.value.field == "base_url"
    with pytest.raises(he.CallbackError) as cb:
        he.parse_callback("?error=access_denied&error_description=no&state=s", "s")
    assert (cb.value.code, cb.value.error, cb.value.description) == ("callback_refused", "access_denied", "no")
    with pytest.raises(he.ParseError) as pe:
        he.parse_event_notification(b'{"message": {"events": 3}}')
    assert pe.value.path == ("message", "events")
    with pytest.raises(he.ApiError) as api:
        he.parse_empty(503, [("Retry-After", "7")], b"<html>")
    assert api.value.is_retryable and api.value.retry_after == 7 and api.value.message is None


def test_raw_bytes_are_required_for_signatures():
    signed = b'{"message": {"events": []}}'
    header = he.sign("k", signed)
    with pytest.raises(TypeError, match="raw bytes"):
        he.verify_event("k", {"Elements-Webhook-Signature": header}, signed.decode())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not parsed JSON"):
        he.verify_event("k", {"Elements-Webhook-Signature": header}, {"message": {}})  # type: ignore[arg-type]
    assert he.verify_event("k", [("elements-webhook-signature", header)], bytearray(signed)).events == []


def test_an_empty_key_is_an_argument_error_and_an_empty_body_says_so():
    signed = b'{"message": {"events": []}}'
    header = {"Elements-Webhook-Signature": he.sign("k", signed)}
    # An unset variable: a setup mistake, not a forged delivery (a receiver would answer 401).
    with pytest.raises(he.InvalidArgumentError, match="the signature key is empty") as e:
        he.verify_event("", header, signed)
    assert e.value.field == "key"
    with pytest.raises(he.InvalidArgumentError, match="key 2 of 2 is empty"):
        he.verify_event(["k", ""], header, signed)
    # Flask's request.data after form parsing: the raw bytes were not read, not a wrong key.
    with pytest.raises(he.SignatureError, match="request.get_data") as s:
        he.verify_event("k", header, b"")
    assert s.value.code == "signature_empty_body"


def test_validation_report_never_raises():
    report = he.validate_instance(b"[1, 2")
    assert not report.valid and report.errors[0].code == "json_syntax"
    with pytest.raises(TypeError):
        he.validate_instance(object())  # type: ignore[arg-type]  # not JSON at all


def test_schema():
    schema = he.create_instance_schema()
    assert schema["properties"]["name"]["title"] == "Name"


def test_memory_store_claim_complete_release_and_leases():
    s = he.MemoryStore(capacity=10, retention_ms=1_000)
    c = s.claim("k", 100, now_ms=0)
    assert c.status == "claimed" and isinstance(c.token, str) and c.token not in repr(c)
    assert s.claim("k", 100, now_ms=50).status == "in_progress"
    assert not s.complete("k", "not-mine", now_ms=60)
    assert s.complete("k", c.token, now_ms=60)
    done = s.claim("k", 100, now_ms=70)
    assert done.status == "done" and done.token is None
    assert s.claim("k", 100, now_ms=1_061).status == "claimed"  # retention over
    r = s.claim("r", 100, now_ms=0)
    assert s.release("r", r.token) and not s.release("r", r.token)
    assert s.claim("r", 100, now_ms=1).status == "claimed"
    # A crashed claimant's lease expires; its late completion is refused.
    old = s.claim("c", 100, now_ms=0)
    new = s.claim("c", 100, now_ms=100)
    assert not s.complete("c", old.token, now_ms=150) and s.complete("c", new.token, now_ms=150)
    assert len(s) == 3 and repr(s) == "MemoryStore(len=3)"


def test_memory_store_is_bounded_and_reads_the_host_clock(monkeypatch):
    s = he.MemoryStore(capacity=3)
    for i in range(10):
        assert s.complete(f"k{i}", s.claim(f"k{i}", now_ms=i).token, now_ms=i)
    assert len(s) == 3 and s.claim("k9", now_ms=20).status == "done" and s.claim("k0", now_ms=20).status == "claimed"
    clock = he.MemoryStore()
    monkeypatch.setattr("time.time", lambda: 1_000.0)
    assert clock.claim("t").status == "claimed"  # leased until 1 060 000 ms
    monkeypatch.setattr("time.time", lambda: 1_059.0)
    assert clock.claim("t").status == "in_progress"
    monkeypatch.setattr("time.time", lambda: 1_060.0)
    assert clock.claim("t").status == "claimed"  # the default lease (60 s) expired


def test_memory_store_refuses_bad_arguments():
    s = he.MemoryStore()
    with pytest.raises(he.InvalidArgumentError, match="capacity` expected 1 to 1000000000 keys, got 0"):
        he.MemoryStore(capacity=0)
    # The stores' one range rule (the Redis store's too): a zero retention or lease would
    # switch exactly-once off (a replay processed again, concurrent deliveries all claiming).
    with pytest.raises(he.InvalidArgumentError, match="retention_ms` expected 1 to") as e:
        he.MemoryStore(retention_ms=0)
    assert e.value.field == "retention_ms"
    with pytest.raises(he.InvalidArgumentError, match="lease_ms` expected 1 to"):
        s.claim("k", 0)
    with pytest.raises(he.InvalidArgumentError, match="lease_ms"):
        he.process(s, he.parse_event_notification(b'{"message": {"raw": [{"seq_no": "1", "type": "t"}]}}'), lambda w: None, lease_ms=0)
    with pytest.raises(ValueError, match="lease_ms: expected milliseconds from 0"):
        s.claim("k", -1)
    with pytest.raises(TypeError, match=r"now_ms: expected an int \(milliseconds\), got float"):
        s.claim("k", 10, now_ms=1.5)
    with pytest.raises(TypeError, match="retention_ms: expected an int"):
        he.MemoryStore(retention_ms="7 days")
    assert he.outcome_status(0, 0) == he.STATUS_OK == 200
    assert he.outcome_status(1, 0) == he.STATUS_IN_PROGRESS == 409
    assert he.outcome_status(1, 1) == he.STATUS_FAILED == 500
    assert (he.DEFAULT_LEASE_MS, he.DEFAULT_RETENTION_MS, he.DEFAULT_CAPACITY) == (60_000, 604_800_000, 100_000)
    assert (he.MAX_SIGNATURE_CANDIDATES, he.MAX_KEYS) == (8, 8)
    # The documented defaults are the core's. A class's signature needs 3.10 under abi3 (PyO3 sets
    # it through the type slots the stable ABI gained then); its methods' are there on 3.9 too.
    if sys.version_info >= (3, 10):
        assert he.MemoryStore.__text_signature__ == f"(capacity={he.DEFAULT_CAPACITY}, retention_ms={he.DEFAULT_RETENTION_MS})"
    assert f"lease_ms={he.DEFAULT_LEASE_MS}," in he.MemoryStore.claim.__text_signature__


def test_verify_with_several_keys_tells_which_matched():
    body = b'{"message": {"instanceId": 1}}'
    old, new = "old-key-secret", "new-key-secret"
    assert he.verify_signature([new, old], body, he.sign(new, body)) == 0
    assert he.verify_signature((new, old), body, he.sign(old, body)) == 1
    assert he.verify_signature(old, body, he.sign(old, body)) == 0
    headers = {"Elements-Webhook-Signature": he.sign(old, body)}
    assert he.verify_event([new, old], headers, body).key_index == 1
    with pytest.raises(he.SignatureError) as info:
        he.verify_signature([new], body, he.sign(old, body))
    assert info.value.code == "signature_mismatch"
    with pytest.raises(he.InvalidArgumentError) as bad:
        he.verify_signature([new] * (he.MAX_KEYS + 1), body, he.sign(new, body))
    assert bad.value.field == "keys" and new not in str(bad.value)
    with pytest.raises(he.InvalidArgumentError):
        he.verify_signature([], body, he.sign(new, body))
    for wrong, message in (([new, b"old"], "key[1]: expected a str, got bytes"), (b"key", "key: expected a str or a sequence"),
                           ({"k": new}, "got dict"), (None, "got NoneType"), (5, "got int")):
        with pytest.raises(TypeError, match=re.escape(message)) as info2:
            he.verify_signature(wrong, body, he.sign(new, body))  # type: ignore[arg-type]
        assert new not in str(info2.value)


def test_too_many_signature_candidates_is_refused():
    body = b"{}"
    many = ",".join([he.sign("k", body)] * (he.MAX_SIGNATURE_CANDIDATES + 1))
    with pytest.raises(he.SignatureError) as info:
        he.verify_signature("k", body, many)
    assert info.value.code == "signature_too_many"
    assert he.verify_signature("k", body, ",".join([he.sign("k", body)] * he.MAX_SIGNATURE_CANDIDATES)) == 0


def test_request_is_immutable_and_comparable():
    config = he.Config("us", "u", "o")
    a, b = he.get_instance_request(config, 1), he.get_instance_request(config, 1)
    assert a == b and a != he.get_instance_request(config, 2)
    with pytest.raises(AttributeError):
        a.url = "x"  # type: ignore[misc]


def test_records_are_immutable_values():
    a = he.parse_instance(200, {}, b'{"id": 1, "name": "n", "token": "TOKEN-SECRET-f77", "tags": ["t"]}')
    b = he.parse_instance(200, {}, b'{"id": 1, "name": "n", "token": "TOKEN-SECRET-f77", "tags": ["t"]}')
    assert a == b and a != he.parse_instance(200, {}, b'{"id": 2, "name": "n", "token": "t"}')
    with pytest.raises(AttributeError):
        a.name = "x"  # type: ignore[misc]
    assert "TOKEN-SECRET-f77" not in repr(a) and "token_masked='TOKE********'" in repr(a)
    d = a.to_dict()
    assert d["token"] == "TOKEN-SECRET-f77" and d["tags"] == ["t"] and d["id"] == 1
    issue = he.validate_instance({}).errors[0]
    assert issue.to_dict()["path"] == ("element",) and issue.label is None


def test_python_values_are_read_as_json_or_refused_precisely():
    import collections.abc

    # Tuples are arrays and a custom Mapping is read too (through the generic path).
    class Frozen(collections.abc.Mapping):
        def __init__(self, d):
            self._d = d

        def __getitem__(self, k):
            return self._d[k]

        def __iter__(self):
            return iter(self._d)

        def __len__(self):
            return len(self._d)

    data = {**body(), "tags": ("a", "b"), "providerData": Frozen({"code": "c"})}
    out = he.build_instance_body(data)
    assert out["tags"] == ["a", "b"] and out["providerData"] == {"code": "c"}
    # What JSON cannot hold is a TypeError that names the problem.
    with pytest.raises(TypeError, match="dict key that is not a str"):
        he.validate_instance({**body(), 1: "x"})
    with pytest.raises(TypeError, match="float that JSON cannot hold"):
        he.validate_instance({**body(), "name": float("nan")})
    with pytest.raises(TypeError, match="outside the 64-bit range") as info:
        he.validate_instance({**body(), "name": 2**70 + 12345})
    assert str(2**70 + 12345) not in str(info.value)  # a number may be a secret
    with pytest.raises(TypeError, match=r"dict key that is not a str \(int\)"):
        he.validate_instance({**body(), 7: "x"})
    deep: object = "x"
    for _ in range(200):
        deep = [deep]
    with pytest.raises(ValueError, match="nested deeper than 127 levels"):
        he.validate_instance({**body(), "tags": deep})
    # str subclasses are strs (an enum.Enum with str mixed in, as keys and values).
    import enum

    class Key(str, enum.Enum):
        NAME = "name"

    with_enum = {k: v for k, v in body().items() if k != "name"}
    with_enum[Key.NAME] = Key.NAME
    assert type(next(k for k in with_enum if k == "name")) is Key
    assert he.build_instance_body(with_enum)["name"] == "name"
    # Booleans stay booleans (bool is an int subclass in Python).
    cfg = he.build_instance_body(body())["configuration"]
    assert cfg["event.notification.enabled"] is True


def _raised():
    """One real exception of each class, as the native module raises them."""
    config = he.Config("us", "u", "o")
    cases = [
        lambda: he.Config("https;//x", "u", "o"),
        lambda: he.create_instance_request(config, "{\"name\": "),
        lambda: he.parse_instance(404, {"Elements-Request-Id": "r-1"}, b'{"message": "No instance", "requestId": "r-1"}'),
        lambda: he.parse_instance(200, {}, b'{"id": "x"}'),
        lambda: he.parse_callback("?error=access_denied&state=s", "s"),
        lambda: he.verify_signature("key", b"x", "sha256=AAAA"),
    ]
    out = []
    for case in cases:
        with pytest.raises(he.HootsuiteEventsError) as info:
            case()
        out.append(info.value)
    return out


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_exceptions_pickle_round_trip(protocol):
    raised = _raised()
    assert {type(e).__name__ for e in raised} == {
        "InvalidArgumentError", "ValidationError", "ApiError", "ParseError", "CallbackError", "SignatureError"}
    for e in raised:
        if sys.version_info >= (3, 11):
            e.add_note("kept across processes")
        else:
            e.__notes__ = ["kept across processes"]  # what add_note (3.11) does
        back = pickle.loads(pickle.dumps(e, protocol=protocol))
        assert type(back) is type(e)
        assert str(back) == str(e) and back.args == e.args
        assert back.code == e.code and back.details == e.details
        assert back.__notes__ == ["kept across processes"]
    api = pickle.loads(pickle.dumps(raised[2], protocol=protocol))
    assert api.status == 404 and api.request_id == "r-1" and api.message == "No instance"
    invalid = pickle.loads(pickle.dumps(raised[1], protocol=protocol))
    assert invalid.errors[0].code == "json_syntax"


def test_exceptions_cross_a_process_boundary():
    # What multiprocessing, Celery and pytest-xdist do: raise in a worker, re-raise here.
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        future = pool.submit(he.parse_instance, 401, {}, b'{"message": "Invalid Organization or User secret"}')
        with pytest.raises(he.ApiError) as info:
            future.result(timeout=60)
    assert info.value.status == 401 and info.value.code == "api"


def test_version():
    import importlib.metadata

    assert he.__version__ == importlib.metadata.version("hootsuite-events")
    assert he.__version__.count(".") == 2
def test_set_signature_key_request():
    config = he.Config("https://ce.example/elements/api-v2", "u", "o")
    r = he.set_signature_key_request(config, 12, "SIGKEY-SECRET-e66")
    assert (r.method, r.url) == ("PATCH", "https://ce.example/elements/api-v2/instances/12")
    assert r.json() == {"configuration": {"event.notification.signature.key": "SIGKEY-SECRET-e66"}}
    assert "SIGKEY-SECRET-e66" not in repr(r)
    with pytest.raises(he.InvalidArgumentError) as info:
        he.set_signature_key_request(config, 12, "  ")
    assert info.value.field == "event.notification.signature.key"


def test_names_and_shapes_match_the_node_package():
    # base_url_presets: named like Node's {name, url}, and still (name, url) pairs.
    presets = he.base_url_presets()
    assert [(p.name, p.url) for p in presets] == [tuple(p) for p in presets]
    assert presets[0].name == "us" and presets[0].url.startswith("https://")
    assert len(presets) == 8 and repr(presets[0]).startswith("BaseUrlPreset(name='us'")
    # The AuthorizationCode itself goes where the code goes, as in Node; its text never shows.
    code = he.parse_callback("https://app.example/cb?code=CODE-SECRET-91&state=s", "s")
    config = he.Config("us", "USER-s", "ORG-s")
    body = {
        "element": {"key": "hootsuite"},
        "providerData": {"code": code},
        "configuration": {"oauth.callback.url": "https://app.example/cb", "oauth.api.key": "k", "oauth.api.secret": "s"},
        "name": "n",
    }
    request = he.create_instance_request(config, body)
    assert json.loads(request.body)["providerData"]["code"] == "CODE-SECRET-91"
    assert "CODE-SECRET-91" not in repr(request)
