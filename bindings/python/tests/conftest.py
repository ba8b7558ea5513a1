"""Shared fixtures: the repository's test vectors and a real emulator process."""

from __future__ import annotations

import contextlib
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
    with start_emulator(retry_unit_us=2) as info:
        yield info


@contextlib.contextmanager
def start_emulator(retry_unit_us: int) -> Iterator[Dict[str, str]]:
    """An emulator whose retry schedule (4, 16, 64, ... "seconds") counts `retry_unit_us` per second."""
    binary = os.environ.get("HOOTSUITE_EVENTS_BIN", str(ROOT / "target" / "debug" / "hootsuite-events"))
    proc = subprocess.Popen(
        [binary, "emulate", "--json", "--exit-on-stdin-close", "--max-seconds", "600", "--retry-unit-us", str(retry_unit_us),
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
