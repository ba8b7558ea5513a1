"""Shared fixtures: the repository's test vectors and a real emulator process."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "tests" / "vectors"


def load_vectors(name: str) -> List[Dict[str, Any]]:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="session")
def emulator() -> Iterator[Dict[str, str]]:
    """`hootsuite-events emulate` on a free loopback port; it exits when its stdin closes."""
    binary = os.environ.get("HOOTSUITE_EVENTS_BIN", str(ROOT / "target" / "debug" / "hootsuite-events"))
    proc = subprocess.Popen(
        [binary, "emulate", "--json", "--exit-on-stdin-close", "--max-seconds", "600", "--retry-unit-us", "2",
         "--delivery-timeout-ms", "2000"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    try:
        yield info
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
