"""The PostgreSQL inbox's proof at scale (issue 29), on loopback only, bounded, stopping by itself.

A PostgreSQL server of the test's own (initdb on a private temporary directory, a free loopback
port) and a real haproxy (round robin, no retry: a refused connection reaches the emulator as
a 503 and is retried by it) in front of four receivers (two Python, two Node) that write each
Hootsuite event into the app table `scale_events` through the inbox, with a plain INSERT: no
unique key, no idempotent handler. The emulator gets Hootsuite batches of 45/60/100 events
(split into notifications of 20, each carrying the whole batch) and replays under new
`Elements-Webhook-Id`s. Over the run, receivers SIGKILL themselves at points picked at random
inside a unit's transaction (before or after its INSERT) and between the commit and the answer,
and the driver SIGKILLs receivers at random moments too; each killed receiver is started again.
At the end, the app table must hold every seq_no sent exactly once.

    python inbox.py   (HOOTSUITE_EVENTS_BIN: the CLI; SCALE_NODE_MODULES: node_modules with
                       hootsuite-events and pg; this Python has hootsuite_events and psycopg)
"""

from __future__ import annotations

import base64
import collections
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "bindings" / "python" / "tests"))

import hootsuite_events as he  # noqa: E402
from hootsuite_events.postgres import PostgresInbox  # noqa: E402
from pgserver import start_postgres  # noqa: E402
from run import KEY, Emulator, Procs, connect, free_port, haproxy_config, hootsuite_batch, port_open  # noqa: E402

CLI = os.environ.get("HOOTSUITE_EVENTS_BIN", str(ROOT / "target" / "debug" / "hootsuite-events"))
NODE_MODULES = os.environ.get("SCALE_NODE_MODULES", str(ROOT / "target" / "scale-node" / "node_modules"))

# One retry "second" in µs: retries 0.4 ms … 26 s after the first attempt, past any restart.
RETRY_UNIT_US = 100
DELIVERY_TIMEOUT_MS = 2000
BATCH_SIZES = [45, 60, 100]
MAIN_EVENTS = 1500
REPLAYS = 150
SELF_KILLS = 24  # receivers started in a kill mode until this many SIGKILLed themselves
DRIVER_KILLS = 6  # SIGKILLs by the driver at random moments
POINTS = ["before-write", "after-write", "after-commit"]
DEADLINE_S = 240

RECEIVERS = [("py-1", "python"), ("node-1", "node"), ("py-2", "python"), ("node-2", "node")]

T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[inbox {time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def wait_for(what: str, check, timeout_s: float, every_s: float = 0.05):  # type: ignore[no-untyped-def]
    end = min(time.monotonic() + timeout_s, T0 + DEADLINE_S)
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every_s)


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="hootsuite-inbox-scale-"))
    procs = Procs(tmp)
    try:
        with start_postgres(max_connections=100) as pg:
            return run(procs, tmp, pg["url"])
    except BaseException:
        for f in sorted(tmp.glob("*.log")):
            tail = f.read_text(errors="replace").splitlines()[-15:]
            print(f"--- {f.name} (last lines)\n" + "\n".join(tail), file=sys.stderr)
        raise
    finally:
        procs.stop_all()


def run(procs: Procs, tmp: Path, url: str) -> int:
    with psycopg.connect(url, connect_timeout=5) as conn:
        PostgresInbox(conn, table="scale_inbox").migrate()
        with conn.transaction():
            conn.execute("CREATE TABLE scale_events (seq_no bigint NOT NULL, receiver text NOT NULL, pid int NOT NULL)")

    emu_proc = procs.start(
        "emulator",
        [CLI, "emulate", "--json", "--exit-on-stdin-close", "--max-seconds", str(DEADLINE_S + 30),
         "--retry-unit-us", str(RETRY_UNIT_US), "--delivery-timeout-ms", str(DELIVERY_TIMEOUT_MS)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert emu_proc.stdout is not None
    emu = Emulator(json.loads(emu_proc.stdout.readline()))

    ports = {name: free_port() for name, _ in RECEIVERS}
    kinds = dict(RECEIVERS)
    lb_port, stats_port = free_port(), free_port()
    points = itertools.cycle(POINTS)
    lock = threading.Lock()
    state = {"armed": 0, "starts": 0, "stopping": False}

    def self_kills() -> List[Dict[str, str]]:
        found = []
        for f in tmp.glob("*.log"):
            for m in re.finditer(r"^KILL (\S+) pid=(\d+) point=(\S+) (.*)$", f.read_text(errors="replace"), re.M):
                found.append({"name": m[1], "pid": m[2], "point": m[3], "detail": m[4]})
        return found

    def start(name: str) -> None:
        with lock:
            # Kill modes are handed out until the kills done and pending reach the target.
            kill = next(points) if len(self_kills()) + state["armed"] < SELF_KILLS else ""
            state["armed"] += bool(kill)
            state["starts"] += 1
        env = {"SCALE_KEYS": KEY, "SCALE_KILL": kill, "SCALE_ARM_PERCENT": "50", "NODE_PATH": NODE_MODULES}
        script, exe = ("inbox_receiver.py", sys.executable) if kinds[name] == "python" else ("inbox_receiver.js", "node")
        procs.start(name, [exe, str(HERE / script), name, str(ports[name]), url], env=env)
        procs.procs[name].kill_mode = kill  # type: ignore[attr-defined]

    def keeper() -> None:
        """Starts again every receiver that died (a SIGKILL), as a supervisor would."""
        while not state["stopping"]:
            for name, _ in RECEIVERS:
                proc = procs.procs.get(name)
                if proc is not None and proc.poll() is not None and not state["stopping"]:
                    with lock:
                        if getattr(proc, "kill_mode", ""):
                            state["armed"] -= 1
                    start(name)
            time.sleep(0.02)

    for name, _ in RECEIVERS:
        start(name)
    wait_for("the receivers", lambda: all(port_open(p) for p in ports.values()), 30)
    cfg = tmp / "haproxy.cfg"
    cfg.write_text(haproxy_config(lb_port, stats_port, [(n, ports[n]) for n, _ in RECEIVERS]))
    procs.start("haproxy", ["haproxy", "-db", "-f", str(cfg)])
    wait_for("haproxy", lambda: port_open(lb_port) and port_open(stats_port), 10)
    threading.Thread(target=keeper, daemon=True).start()

    instance = connect(emu, f"http://127.0.0.1:{lb_port}/hootsuite/events")
    webhook = "/events/hootsuite/" + base64.b64encode(str(instance).encode()).decode()
    sent: List[int] = []
    event_ids: List[int] = []
    first_seq, batches, notifications, replays, driver_kills = 1, 0, 0, 0, 0
    driver_killed: List[str] = []
    rng = random.Random()
    next_driver_kill = time.monotonic() + rng.uniform(1, 4)

    log(f"main run: {MAIN_EVENTS} events through haproxy :{lb_port} to {len(RECEIVERS)} receivers on the inbox")
    started = time.monotonic()
    i = 0
    while len(sent) < MAIN_EVENTS:
        size = BATCH_SIZES[i % len(BATCH_SIZES)]
        status, body = emu.call("POST", webhook, hootsuite_batch(first_seq, size))
        assert status == 200, (status, body)
        sent.extend(range(first_seq, first_seq + size))
        first_seq += size
        batches += 1
        notifications += len(body["eventIds"])
        event_ids.extend(body["eventIds"])
        i += 1
        for _ in range(REPLAYS * BATCH_SIZES[0] // MAIN_EVENTS + 1):
            if replays >= REPLAYS or len(event_ids) < 4:
                break
            target = rng.choice(event_ids[:-3])
            if emu.call("POST", "/emulator/replay", {"event_id": target})[0] == 200:
                replays += 1
        end = time.monotonic() + 30
        while emu.deliveries("created"):
            if driver_kills < DRIVER_KILLS and time.monotonic() > next_driver_kill:
                name = rng.choice(RECEIVERS)[0]
                proc = procs.procs.get(name)
                if proc is not None and proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    driver_kills += 1
                    driver_killed.append(name)
                next_driver_kill = time.monotonic() + rng.uniform(1, 4)
            assert time.monotonic() < end, "the first attempts did not drain within 30 s"
            time.sleep(0.02)
    while replays < REPLAYS:
        target = rng.choice(event_ids)
        if emu.call("POST", "/emulator/replay", {"event_id": target})[0] == 200:
            replays += 1
        else:
            time.sleep(0.02)  # not delivered yet (being retried)
    log(f"sent {len(sent)} events in {batches} batches, {replays} replays in {time.monotonic() - started:.1f}s; waiting for the retries")
    wait_for("the retries", lambda: not emu.deliveries("created") and not emu.deliveries("retry"), 120, 0.2)
    queued = emu.deliveries("queued")
    recovered = 0
    if queued:
        recover = subprocess.run(
            [CLI, "recover", "--base-url", emu.base, "--json"], capture_output=True, text=True, timeout=60,
            env={**os.environ, "HOOTSUITE_EVENTS_USER_SECRET": emu.user, "HOOTSUITE_EVENTS_ORGANIZATION_SECRET": emu.org},
        )
        assert recover.returncode == 0, (recover.returncode, recover.stderr)
        recovered = int(json.loads(recover.stdout.strip().splitlines()[-1])["redelivered"])
        wait_for("the recovered deliveries", lambda: not emu.deliveries("created") and not emu.deliveries("retry"), 60, 0.2)
    main_s = time.monotonic() - started
    state["stopping"] = True
    time.sleep(0.1)
    for name, _ in RECEIVERS:
        procs.stop(name)

    # --- the accounting, from the app table.
    with psycopg.connect(url, connect_timeout=5) as conn:
        rows = conn.execute("SELECT seq_no, receiver FROM scale_events").fetchall()
        inbox_rows = conn.execute("SELECT count(*) FROM scale_inbox").fetchone()
    counts = collections.Counter(int(s) for s, _ in rows)
    duplicates = sum(n - 1 for n in counts.values())
    lost = set(sent) - set(counts)
    unexpected = set(counts) - set(sent)
    per_receiver = collections.Counter(r for _, r in rows)
    kills = self_kills()
    by_point = collections.Counter(k["point"] for k in kills)
    delivered = emu.deliveries("delivered")
    retried = sum(d["attempts"] for d in delivered)

    print(
        f"inbox scale: sent {len(sent)} events in {batches} batches ({notifications} notifications), rows {len(rows)}, "
        f"distinct {len(counts)}, duplicates {duplicates}, lost {len(lost)}, inbox rows {inbox_rows[0] if inbox_rows else '?'}, "
        f"replays {replays}, kills {len(kills) + driver_kills} (self {dict(sorted(by_point.items()))}, by the driver {driver_kills}: {driver_killed}), "
        f"receiver starts {state['starts']}, retries {retried}, recovered from the queue {recovered}, "
        f"rows per receiver {dict(sorted(per_receiver.items()))}, in {main_s:.1f}s",
        flush=True,
    )
    failures = []
    if duplicates or lost or unexpected:
        failures.append(f"duplicates {duplicates}, lost {sorted(lost)[:10]}, unexpected {sorted(unexpected)[:10]}")
    if inbox_rows is None or inbox_rows[0] != len(sent):
        failures.append(f"the inbox holds {inbox_rows} units, {len(sent)} sent")
    if any(by_point[p] == 0 for p in POINTS) or driver_kills == 0:
        failures.append(f"a kill point never happened: {dict(by_point)}, driver {driver_kills}")
    if len(per_receiver) < len(RECEIVERS):
        failures.append(f"not every receiver wrote rows: {dict(per_receiver)}")
    for f in failures:
        print(f"FAIL: {f}", flush=True)
    print(f"inbox scale: {0 if failures else 1} passed, {1 if failures else 0} failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
