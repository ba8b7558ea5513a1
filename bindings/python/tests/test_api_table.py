"""The core's export table (crates/hootsuite-events/src/api.rs, recorded as tests/api-table.json by
its own test) against the package: the native module's functions and their signatures, the stub
`_native.pyi`, the modules' `__all__`, and the constants."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from typing import Any, Dict, List, Tuple

import hootsuite_events
from hootsuite_events import _native

from conftest import ROOT

TABLE = json.loads((ROOT / "tests" / "api-table.json").read_text(encoding="utf-8"))
PYTHON = [e for e in TABLE["exports"] if e["python"]]
STUB = ast.parse((ROOT / "bindings/python/python/hootsuite_events/_native.pyi").read_text(encoding="utf-8"))
MODULES = ["hootsuite_events", "hootsuite_events.redis", "hootsuite_events.postgres", "hootsuite_events.telemetry", "hootsuite_events.idempotency"]


def expected_params(e: Dict[str, Any]) -> Tuple[List[str], List[str]]:
    """The Python parameters a table entry makes: (positional, keyword-only)."""
    positional: List[str] = []
    for name, kind in e["args"]:
        # A response is `(response)` or `(status, headers, body)`.
        positional += ["response", "headers", "body"] if kind == "Response" else [name]
    positional += [name for name, _, keyword in e["fields"] if not keyword]
    return positional, [name for name, _, keyword in e["fields"] if keyword]


def test_the_native_functions_are_the_table():
    functions = {n for n, v in vars(_native).items() if callable(v) and not isinstance(v, type) and not n.startswith("_")}
    assert functions == {e["rust"] for e in PYTHON}


def test_each_table_export_has_the_tables_parameters():
    for e in PYTHON:
        if not e["table"]:
            continue
        params = inspect.signature(getattr(_native, e["rust"])).parameters.values()
        positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        keyword = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
        assert (positional, keyword) == expected_params(e), e["rust"]
        assert (getattr(_native, e["rust"]).__doc__ or "").strip() == e["doc"], e["rust"]


def test_the_stub_declares_the_table():
    stubs = {f.name: f for f in STUB.body if isinstance(f, ast.FunctionDef)}
    assert set(stubs) == {e["rust"] for e in PYTHON}
    for e in PYTHON:
        if not e["table"]:
            continue
        f = stubs[e["rust"]]
        declared = ([a.arg for a in f.args.args], [a.arg for a in f.args.kwonlyargs])
        assert declared == expected_params(e), e["rust"]


def test_every_export_is_public():
    public = set()
    for name in MODULES:
        public |= set(importlib.import_module(name).__all__)
    missing = [e["rust"] for e in PYTHON if e["rust"] not in public]
    assert missing == []
    for e in PYTHON:
        if e["rust"] in hootsuite_events.__all__:
            assert getattr(hootsuite_events, e["rust"]) is getattr(_native, e["rust"])


def test_the_constants_are_the_tables():
    for name, value in TABLE["constants"].items():
        assert getattr(_native, name) == value, name
    stub_constants = {t.target.id for t in STUB.body if isinstance(t, ast.AnnAssign) and isinstance(t.target, ast.Name)}
    assert set(TABLE["constants"]) <= stub_constants
