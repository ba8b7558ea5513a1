"""A PostgreSQL server of the tests' own: ``initdb`` on a private temporary data directory,
``postgres`` on a free loopback port (its socket directory inside the temporary one), stopped
and removed afterwards. As root, both run as the ``postgres`` user (or ``nobody``): the
server refuses to run as root."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from typing import Dict, Iterator, Optional, Tuple


def bin_dir() -> str:
    """``HOOTSUITE_EVENTS_PG_BIN``, else the directory of the ``PATH``'s ``initdb``, else
    Debian's newest ``/usr/lib/postgresql/<version>/bin``."""
    if os.environ.get("HOOTSUITE_EVENTS_PG_BIN"):
        return os.environ["HOOTSUITE_EVENTS_PG_BIN"]
    found = shutil.which("initdb")
    if found:
        # A symlink on the PATH: the real directory also holds pg_isready.
        return os.path.dirname(os.path.realpath(found))
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    assert versions, "PostgreSQL's initdb was not found: run `make postgresql` (Debian's postgresql package) or set HOOTSUITE_EVENTS_PG_BIN"
    return os.path.dirname(versions[-1])


def _unprivileged() -> Optional[Tuple[int, int]]:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            p = pwd.getpwnam(name)
            return p.pw_uid, p.pw_gid
        except KeyError:
            continue
    raise AssertionError("running as root with neither a postgres nor a nobody user to run PostgreSQL as")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def start_postgres(max_connections: int = 60) -> Iterator[Dict[str, str]]:
    """Yields ``{"url", "host", "port", "user", "dbname"}`` of a running server (trust
    authentication for the ``postgres`` role)."""
    bin_ = bin_dir()
    who = _unprivileged()
    user_args: Dict[str, object] = {"user": who[0], "group": who[1]} if who else {}
    port = _free_port()
    tmp = tempfile.mkdtemp(prefix="hootsuite-events-pg-")
    proc: Optional[subprocess.Popen] = None
    try:
        if who:
            os.chown(tmp, who[0], who[1])
        data = os.path.join(tmp, "data")
        init = subprocess.run(
            [os.path.join(bin_, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"],
            capture_output=True, text=True, timeout=120, cwd=tmp, **user_args,  # type: ignore[call-overload]
        )
        assert init.returncode == 0, f"initdb failed: {init.stderr}"
        # cwd: the server's user may not enter the caller's directory (a home of mode 700).
        # Test settings: no fsync (nothing here survives a machine crash anyway), no log noise.
        proc = subprocess.Popen(
            [os.path.join(bin_, "postgres"), "-D", data, "-k", tmp, "-h", "127.0.0.1", "-p", str(port),
             "-c", "fsync=off", "-c", "full_page_writes=off", "-c", f"max_connections={max_connections}",
             "-c", "log_min_messages=fatal"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp, **user_args,  # type: ignore[call-overload]
        )
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"postgres exited ({proc.returncode}) before answering"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    pass
                ready = subprocess.run(
                    [os.path.join(bin_, "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-t", "1"],
                    capture_output=True, timeout=10,
                )
                if ready.returncode == 0:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "postgres did not answer within 30 s"
            time.sleep(0.05)
        yield {
            "url": f"postgresql://postgres@127.0.0.1:{port}/postgres",
            "host": "127.0.0.1",
            "port": str(port),
            "user": "postgres",
            "dbname": "postgres",
        }
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
