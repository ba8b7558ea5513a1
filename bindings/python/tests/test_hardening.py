"""No input crashes the interpreter, a panic surfaces as an exception, and no
rendering shows a secret."""

from __future__ import annotations

import collections
import collections.abc
import json
import subprocess
import sys

import pytest

import hootsuite_events as he
from hootsuite_events import _native


def _run_isolated(code: str) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter, so that a crash fails the test instead of pytest."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_the_issue_repro_raises_instead_of_crashing():
    out = _run_isolated(
        "import collections, hootsuite_events\n"
        "d = collections.OrderedDict(); d['x'] = d\n"
        "try:\n"
        "    hootsuite_events.validate_instance({'a': d})\n"
        "except ValueError as e:\n"
        "    print('ValueError:', e)\n"
    )
    assert out.returncode == 0, out.stderr
    assert "ValueError: the value is nested deeper than 127 levels" in out.stdout


class FrozenMapping(collections.abc.Mapping):
    def __init__(self, d):
        self._d = d

    def __getitem__(self, k):
        return self._d[k]

    def __iter__(self):
        return iter(self._d)

    def __len__(self):
        return len(self._d)


class Items(collections.abc.Sequence):
    def __init__(self, items):
        self._items = items

    def __getitem__(self, i):
        return self._items[i]

    def __len__(self):
        return len(self._items)


def _self_referential():
    """One container of each kind that contains itself, directly or through another."""
    od = collections.OrderedDict()
    od["x"] = od
    plain = {}
    plain["x"] = plain
    lst: list = []
    lst.append(lst)
    ud = collections.UserDict()
    ud["x"] = ud
    ul = collections.UserList()
    ul.append(ul)
    inner: dict = {}
    tup = (inner,)
    inner["t"] = tup
    custom = {}
    fm = FrozenMapping(custom)
    custom["again"] = fm
    seq_items: list = []
    seq = Items(seq_items)
    seq_items.append(seq)
    return {"OrderedDict": od, "dict": plain, "list": lst, "UserDict": ud, "UserList": ul,
            "tuple": tup, "custom Mapping": fm, "custom Sequence": seq}


@pytest.mark.parametrize("kind", sorted(_self_referential()))
def test_self_referential_containers_are_a_value_error(kind):
    value = _self_referential()[kind]
    for call in (he.validate_instance, he.validate_instance_update, he.build_instance_body):
        with pytest.raises(ValueError, match="nested deeper than 127 levels"):
            call({"a": value})


def test_deep_but_not_cyclic_values_of_every_kind():
    for wrap in (lambda v: collections.OrderedDict(x=v), lambda v: collections.UserDict(x=v),
                 lambda v: (v,), lambda v: Items([v]), lambda v: FrozenMapping({"x": v})):
        deep: object = "x"
        for _ in range(200):
            deep = wrap(deep)
        with pytest.raises(ValueError, match="nested deeper than 127 levels"):
            he.validate_instance({"a": deep})
        shallow: object = "x"
        for _ in range(100):
            shallow = wrap(shallow)
        report = he.validate_instance({"a": shallow})  # read whole, then judged
        assert [i.path for i in report.warnings if i.path[:1] == ("a",)] == [("a",)]


def test_oversized_values_are_a_value_error():
    class Huge(collections.abc.Sequence):
        """Claims ten million items."""

        def __getitem__(self, i):
            if i >= 10_000_000:
                raise IndexError(i)
            return 0

        def __len__(self):
            return 10_000_000

    with pytest.raises(ValueError, match="more than 1000000 items"):
        he.validate_instance({"tags": Huge()})

    class Endless(collections.abc.Sequence):
        """A length that lies: iteration never ends."""

        def __getitem__(self, i):
            return "t"

        def __len__(self):
            return 1

        def __iter__(self):
            while True:
                yield "t"

    with pytest.raises(ValueError, match="more than 1000000 items"):
        he.validate_instance({"tags": Endless()})
    with pytest.raises(ValueError, match="more than 1000000 items"):
        he.validate_instance({"tags": [0] * 1_000_001})


def test_mappings_and_sequences_of_any_kind_are_read():
    expected = he.build_instance_body(_body())
    variants = [
        collections.OrderedDict(_body()),
        collections.UserDict(_body()),
        FrozenMapping(_body()),
        {**_body(), "tags": ("a",)},
        {**_body(), "tags": Items(["a"])},
        {**_body(), "tags": collections.UserList(["a"])},
    ]
    for v in variants:
        out = he.build_instance_body(v)
        assert out["configuration"] == expected["configuration"]
    # What is neither a mapping nor a sequence nor a JSON scalar is named.
    with pytest.raises(TypeError, match=r"a set \(expected a mapping"):
        he.validate_instance({**_body(), "tags": {"a"}})
    with pytest.raises(TypeError, match="bytes inside a value"):
        he.validate_instance({**_body(), "name": b"n"})

    class NotJson:
        pass

    with pytest.raises(TypeError, match=r"a NotJson \(expected a mapping"):
        he.validate_instance({**_body(), "name": NotJson()})


def _body():
    return {
        "element": {"key": "hootsuite"},
        "providerData": {"code": "c"},
        "configuration": {"oauth.callback.url": "https://a.example/cb", "oauth.api.key": "k", "oauth.api.secret": "s"},
        "name": "n",
    }


def test_a_panic_is_an_exception_and_the_interpreter_goes_on():
    # pyo3 raises PanicException, a BaseException: `except Exception` does not swallow a bug.
    with pytest.raises(BaseException) as info:
        _native._panic_for_tests()
    assert type(info.value).__name__ == "PanicException"
    assert "forced by the test hook" in str(info.value)
    assert he.validate_instance(_body()).valid


def test_no_secret_in_errors_instances_or_messages():
    secrets = ["TOK-3e1", "AS-3e2", "UT-3e3", "UR-3e4", "RT-3e5"]
    with pytest.raises(he.ApiError) as info:
        he.parse_instance(400, {}, b'{"message": "no", "echo": {"Token": "TOK-3e1", "OAUTH.API.SECRET": "AS-3e2"}}')
    e = info.value
    assert '"Token":"********"' in e.body and e.body_size == 77
    inst = he.parse_instance(200, {}, b'{"id": 1, "name": "n", "token": "TOK-3e1", "refresh_token": "RT-3e5", "configuration": '
                                      b'{"oauth.api.secret": "AS-3e2", "oauth.user.token": "UT-3e3", "OAuth.User.Refresh_Token": "UR-3e4"}}')
    assert inst.configuration["oauth.user.token"] == "********"
    assert inst.configuration_secrets == {"oauth.api.secret": "AS-3e2", "oauth.user.token": "UT-3e3", "OAuth.User.Refresh_Token": "UR-3e4"}
    assert inst.token == "TOK-3e1"
    params = he.redirect_url_request(he.Config("us", "u", "o"), "k", "AS-3e8", "https://a.example/cb", state="STATE-3e6", request_token="RQ-3e7")
    with pytest.raises(he.InvalidArgumentError) as wrong_arg:
        he.update_event_callback_request(he.Config("us", "u", "o"), 1, "SECRET-IN-WRONG-PLACE")
    shown = "\n".join([repr(e), str(e), repr(e.details), repr(inst), str(inst), repr(params),
                       str(wrong_arg.value), repr(wrong_arg.value.details)])
    for s in secrets + ["AS-3e8", "STATE-3e6", "RQ-3e7", "SECRET-IN-WRONG-PLACE"]:
        assert s not in shown, (s, shown)


def test_one_depth_limit_for_json_text_and_python_values():
    def levels(n: int) -> dict:
        """`{"a": [[...]]}`: n levels of objects and arrays."""
        v: list = []
        for _ in range(n - 2):
            v = [v]
        return {"a": v}

    deepest, deeper = levels(127), levels(128)
    # The deepest accepted: read, then judged by the rules (not a depth error).
    assert all(e.code != "too_deep" for e in he.validate_instance(deepest).errors)
    assert all(e.code != "too_deep" for e in he.validate_instance(json.dumps(deepest)).errors)
    # One level more: refused as text and as a Python value alike.
    assert [e.code for e in he.validate_instance(json.dumps(deeper)).errors] == ["too_deep"]
    with pytest.raises(ValueError, match="nested deeper than 127 levels"):
        he.validate_instance(deeper)


@pytest.mark.parametrize("base_url", [
    "http://ce.example/elements/api-v2?key=QRY-3e9",
    "https://ce.example/elements/api-v2?key=QRY-3e9",
    "https://ce.example/elements/api-v2#QRY-3e9",
])
def test_base_url_errors_show_no_query(base_url):
    with pytest.raises(he.InvalidArgumentError) as info:
        he.Config(base_url, "u", "o")
    e = info.value
    shown = "\n".join([str(e), repr(e), repr(e.details)])
    assert "QRY-3e9" not in shown, shown
    assert "ce.example/elements/api-v2…`" in str(e), str(e)
    with pytest.raises(he.InvalidArgumentError) as info:
        he.hootsuite_webhook_url(base_url, 1)
    assert "QRY-3e9" not in str(info.value)
