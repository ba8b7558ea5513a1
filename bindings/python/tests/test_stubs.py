"""The type stubs match the compiled module (mypy.stubtest), so they cannot drift."""

import subprocess
import sys


def test_stubs_match_the_module():
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "hootsuite_events._native", "--ignore-missing-stub"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_type_checks(tmp_path):
    """The installed package's own Python (the claim loop, records, store protocols) passes mypy."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), "-p", "hootsuite_events"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
