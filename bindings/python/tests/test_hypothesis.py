"""Random input into every parser and validator: only the library's own exceptions come out,
and round trips hold."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

import hootsuite_events as he

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["element", "key", "providerData", "code", "configuration", "name", "tags",
                         "oauth.callback.url", "event.notification.enabled", "message", "events", "raw"]) | st.text(max_size=8),
        children, max_size=6),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_bytes_never_crash(data):
    for parse in (he.parse_event_notification, lambda b: he.parse_instance(200, {}, b), lambda b: he.parse_instance_page(200, {}, b),
                  lambda b: he.parse_redirect_url(200, {}, b)):
        try:
            parse(data)
        except he.HootsuiteEventsError:
            pass
    try:
        he.validate_instance(data)
    except TypeError:
        pass  # bytes that are not UTF-8


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_json_never_crashes_and_validation_is_deterministic(value):
    a = he.validate_instance(value)
    assert a == he.validate_instance(value)
    if not isinstance(value, str):  # a str is read as JSON text
        assert a == he.validate_instance(json.dumps(value))
    try:
        he.parse_event_notification(json.dumps({"message": value}).encode())
    except he.HootsuiteEventsError:
        pass
    if a.valid:
        built = he.build_instance_body(value)
        assert he.build_instance_body(built) == built


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30), st.binary(max_size=200))
def test_sign_then_verify(key, body):
    header = he.sign(key, body)
    he.verify_signature(key, body, header)
    try:
        he.verify_signature(key + "x", body, header)
        raise AssertionError("another key verified")
    except he.SignatureError as e:
        # An empty body is told apart: its raw bytes were most likely never read.
        assert e.code == ("signature_mismatch" if body else "signature_empty_body")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.text(min_size=1, max_size=20))
def test_callbacks_never_crash(url, state):
    try:
        he.parse_callback(url, state)
    except he.HootsuiteEventsError:
        pass
