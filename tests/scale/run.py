"""The proof at scale (issue #13 item 3), on loopback only, bounded, stopping by itself.

A real redis-server and a real haproxy (round robin, no retry of a refused connection: the
emulator sees the 503 and retries, so the case stays visible) in front of four receivers (two
Python, two Node) sharing the Redis store. The emulator gets Hootsuite batches of 45/60/100
events (split into notifications of 20, each carrying the whole batch), replays under new
`Elements-Webhook-Id`s; receivers inject 500s and hangs (once per delivery); one receiver is
SIGKILLed while it holds a claim (before its side effect); then every receiver is stopped past
the retry schedule, the deliveries queue, the receivers come back and the CLI recovers them.
Every processed unit is recorded by the handlers in Redis; the sets are compared at the end.

    python run.py   (HOOTSUITE_EVENTS_BIN: the CLI; SCALE_NODE_MODULES: node_modules with
                     hootsuite-events and redis; this Python has hootsuite_events and redis)
"""

from __future__ import annotations

import base64
import collections
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import redis

import hootsuite_events as he

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CLI = os.environ.get("HOOTSUITE_EVENTS_BIN", str(ROOT / "target" / "debug" / "hootsuite-events"))
NODE_MODULES = os.environ.get("SCALE_NODE_MODULES", str(ROOT / "target" / "scale-node" / "node_modules"))

KEY = "scale-signature-key-3f9"
# One retry "second" in µs: nine retries run out 4^9 units after the first attempt (~5 s).
RETRY_UNIT_US = 20
DELIVERY_TIMEOUT_MS = 800
HANG_MS = 1200  # a hung receiver answers past the delivery timeout
VICTIM_LEASE_MS = 400  # expires well before the 8th retry (4^8 units, ~1.3 s)
LEASE_MS = 10_000
FAULT_500, FAULT_HANG = 6, 2  # percent of deliveries (by webhook id), once each
BATCH_SIZES = [45, 60, 100]
MAIN_EVENTS = 2400
REPLAYS = 300
OUTAGE_BATCHES = [45, 100, 60]
AFTER_DEACTIVATION = 45  # a batch sent while the subscription is off: queued at once
KILL_FROM_BATCH = 6  # the victim holds the first unit it claims from this batch on
DOWN_BATCHES = (16, 20)  # a receiver stopped over these batches: its connections are refused
DOWN = "node-2"
POISON_EVERY = 3  # every third batch of the main run carries an event that cannot be read
DEADLINE_S = 150

RECEIVERS = [("py-1", "python"), ("node-1", "node"), ("py-2", "python"), ("node-2", "node")]
VICTIM = "py-1"

T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check: Callable[[], Any], timeout_s: float, every_s: float = 0.05) -> Any:
    """Polls `check` until it returns something truthy; fails after `timeout_s`."""
    end = min(time.monotonic() + timeout_s, T0 + DEADLINE_S)
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every_s)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Procs:
    """Every process started, killed at the end whatever happens."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.procs: Dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: List[str], env: Optional[Dict[str, str]] = None, **kw: Any) -> subprocess.Popen:
        out = open(self.tmp / f"{name}.log", "ab")
        kw.setdefault("stdout", out)
        proc = subprocess.Popen(argv, env={**os.environ, **(env or {})}, stderr=out, **kw)
        self.procs[name] = proc
        return proc

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)


class Emulator:
    def __init__(self, info: Dict[str, str]) -> None:
        self.base = info["base_url"]
        self.user, self.org = info["user_secret"], info["organization_secret"]
        self.config = he.Config(self.base, self.user, self.org)

    def call(self, method: str, path: str, body: Any = None, auth: bool = False) -> Tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"User {self.user}, Organization {self.org}"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def deliveries(self, status: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every delivery item (with `status`: only those), page after page."""
        items: List[Dict[str, Any]] = []
        query: Dict[str, str] = {"pageSize": "500"}
        if status:
            query["where"] = f"status='{status}'"
        for _ in range(100):
            url = f"{self.base}/notifications/subscriptions/deliveries?{urllib.parse.urlencode(query)}"
            headers = {"Authorization": f"User {self.user}, Organization {self.org}"}
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as resp:
                items.extend(json.loads(resp.read()))
                token = resp.headers.get("Elements-Next-Page-Token")
            if not token:
                return items
            query["nextPage"] = token
        raise AssertionError("more than 100 pages of deliveries")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def connect(emu: Emulator, callback_url: str) -> int:
    """An instance whose event notifications go to `callback_url`, signed with KEY."""
    opener = urllib.request.build_opener(NoRedirect)

    def send(req: he.Request) -> Tuple[int, Dict[str, str], bytes]:
        r = urllib.request.Request(req.url, data=req.body or None, headers=req.headers, method=req.method)
        try:
            with opener.open(r, timeout=10) as resp:
                return resp.status, dict(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers.items()), e.read()

    callback = "https://app.example/cb"
    consent_url = he.parse_redirect_url(*send(he.redirect_url_request(emu.config, "cid", "csecret", callback, state="st"))).oauth_url
    try:
        opener.open(consent_url, timeout=10)
        raise AssertionError("the consent page did not redirect")
    except urllib.error.HTTPError as e:
        assert e.code == 302, e.code
        code = he.parse_callback(e.headers["Location"], "st")
    body = {
        "element": {"key": "hootsuite"},
        "providerData": {"code": code.get_secret_value()},
        "configuration": {
            "oauth.callback.url": callback, "oauth.api.key": "cid", "oauth.api.secret": "csecret",
            "event.notification.enabled": True, "event.notification.callback.url": callback_url,
            "event.notification.signature.key": KEY,
        },
        "name": "scale test",
    }
    return he.parse_instance(*send(he.create_instance_request(emu.config, body))).id


def hootsuite_batch(first: int, count: int, poison: Optional[int] = None) -> List[Dict[str, Any]]:
    """What Hootsuite posts to the webhook: `count` message events from seq_no `first`; with
    `poison`, one more at the end that cannot be read (what anyone can post to the public
    webhook URL): it must not fail the batch. At the end, it is claimed after every other unit
    of its notification, so the victim (killed inside a handler) never holds its report."""
    batch = [
        {"seq_no": str(n), "type": "com.hootsuite.messages.event.v1",
         "data": {"state": "SENT", "organization": {"id": "814"}, "message": {"id": f"msg-{n}"}, "timestamp": "2026-01-01T00:00:00Z"}}
        for n in range(first, first + count)
    ]
    if poison is not None:
        batch.append({"seq_no": f"poison-{poison}", "type": "com.hootsuite.messages.event.v1", "data": {"message": poison}})
    return batch


def haproxy_config(port: int, stats_port: int, backends: List[Tuple[str, int]]) -> str:
    servers = "\n".join(f"    server {name} 127.0.0.1:{p}" for name, p in backends)
    # retries 0, no redispatch: a refused connection reaches the emulator as a 503 and is
    # retried by it (on the next server), instead of being hidden inside haproxy.
    return f"""global
    maxconn 512
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 0
    option http-server-close
frontend webhooks
    bind 127.0.0.1:{port}
    default_backend receivers
frontend stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats
backend receivers
    balance roundrobin
{servers}
"""


def haproxy_stats(stats_port: int) -> Dict[str, Dict[str, str]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{stats_port}/stats;csv", timeout=5) as resp:
        lines = resp.read().decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
    return {f"{r['pxname']}/{r['svname']}": r for r in rows}


def main() -> int:
    # A SIGTERM (make interrupted) unwinds like an error, so that every process is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="hootsuite-scale-"))
    procs = Procs(tmp)
    try:
        return run(procs, tmp)
    except BaseException:
        for f in sorted(tmp.glob("*.log")):
            tail = f.read_text(errors="replace").splitlines()[-15:]
            print(f"--- {f.name} (last lines)\n" + "\n".join(tail), file=sys.stderr)
        raise
    finally:
        procs.stop_all()


def run(procs: Procs, tmp: Path) -> int:
    redis_port = free_port()
    procs.start("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
    wait_for("redis-server", lambda: port_open(redis_port), 10)
    r = redis.Redis(host="127.0.0.1", port=redis_port, decode_responses=True)

    def records(key: str) -> List[str]:
        return [str(x) for x in r.lrange(key, 0, -1)]

    emu_proc = procs.start(
        "emulator",
        [CLI, "emulate", "--json", "--exit-on-stdin-close", "--max-seconds", str(DEADLINE_S + 30),
         "--retry-unit-us", str(RETRY_UNIT_US), "--delivery-timeout-ms", str(DELIVERY_TIMEOUT_MS)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert emu_proc.stdout is not None
    emu = Emulator(json.loads(emu_proc.stdout.readline()))

    ports = {name: free_port() for name, _ in RECEIVERS}
    lb_port, stats_port = free_port(), free_port()
    first_seq = 1
    batches_sent = 0

    def start_receiver(name: str, kind: str, victim: bool) -> None:
        env = {
            "SCALE_KEYS": KEY, "SCALE_FAULT_500": str(FAULT_500), "SCALE_FAULT_HANG": str(FAULT_HANG),
            "SCALE_HANG_MS": str(HANG_MS), "SCALE_LEASE_MS": str(VICTIM_LEASE_MS if victim else LEASE_MS),
            "SCALE_HOLD_FROM": str(hold_from) if victim else "", "SCALE_SINGLE_THREADED": "1" if victim else "",
            "NODE_PATH": NODE_MODULES,
        }
        script = "receiver.py" if kind == "python" else "receiver.js"
        exe = sys.executable if kind == "python" else "node"
        procs.start(name, [exe, str(HERE / script), name, str(ports[name]), str(redis_port)], env=env)

    def all_up() -> bool:
        return all(port_open(ports[n]) for n, _ in RECEIVERS)

    hold_from = 1 + sum(BATCH_SIZES[i % len(BATCH_SIZES)] for i in range(KILL_FROM_BATCH))
    for name, kind in RECEIVERS:
        start_receiver(name, kind, name == VICTIM)
    wait_for("the receivers", all_up, 20)
    cfg = tmp / "haproxy.cfg"
    cfg.write_text(haproxy_config(lb_port, stats_port, [(n, ports[n]) for n, _ in RECEIVERS]))
    procs.start("haproxy", ["haproxy", "-db", "-f", str(cfg)])
    wait_for("haproxy", lambda: port_open(lb_port) and port_open(stats_port), 10)

    instance = connect(emu, f"http://127.0.0.1:{lb_port}/hootsuite/events")
    webhook = "/events/hootsuite/" + base64.b64encode(str(instance).encode()).decode()
    sent: List[int] = []
    event_ids: List[int] = []
    notifications = 0

    poisoned = 0

    def send_batch(size: int, poison: bool = False) -> List[int]:
        nonlocal first_seq, batches_sent, notifications, poisoned
        status, body = emu.call("POST", webhook, hootsuite_batch(first_seq, size, poisoned if poison else None))
        poisoned += poison
        assert status == 200, (status, body)
        sent.extend(range(first_seq, first_seq + size))
        first_seq += size
        batches_sent += 1
        notifications += len(body["eventIds"])
        return body["eventIds"]

    def first_attempts_drained() -> bool:
        return not emu.deliveries("created")

    def settled() -> bool:
        return not emu.deliveries("created") and not emu.deliveries("retry")

    # --- the main run: batches, replays, faults, and the victim killed while holding a claim.
    log(f"main run: {MAIN_EVENTS} events through haproxy :{lb_port} to {len(RECEIVERS)} receivers")
    main_start = time.monotonic()
    killed: Optional[str] = None
    replays = replay_misses = 0
    i = 0
    while len(sent) < MAIN_EVENTS:
        if i == DOWN_BATCHES[0]:
            procs.stop(DOWN)
            log(f"{DOWN} stopped: haproxy's connections to it are refused")
        if i == DOWN_BATCHES[1]:
            start_receiver(DOWN, "node", victim=False)
            wait_for(f"{DOWN} back", lambda: port_open(ports[DOWN]), 10, 0.02)
            log(f"{DOWN} back")
        event_ids.extend(send_batch(BATCH_SIZES[i % len(BATCH_SIZES)], poison=i % POISON_EVERY == 1))
        i += 1
        # A replay of earlier delivered notifications under new webhook ids, spread over the run.
        for _ in range(REPLAYS * BATCH_SIZES[0] // MAIN_EVENTS + 1):
            if replays >= REPLAYS or len(event_ids) < 4:
                break
            target = event_ids[(replays * 7) % (len(event_ids) - 3)]
            status, _ = emu.call("POST", "/emulator/replay", {"event_id": target})
            if status == 200:
                replays += 1
            else:
                replay_misses += 1  # not delivered yet: it gets replayed later
        end = time.monotonic() + 20
        while time.monotonic() < end:
            holding = str(r.get("scale:holding") or "")
            if holding and killed is None:
                # The victim holds a claim and has not done the side effect: kill it now.
                procs.stop(VICTIM, signal.SIGKILL)
                killed = holding
                log(f"SIGKILL {killed} (claim held, side effect not done)")
                time.sleep(0.4)  # connections to it are refused meanwhile
                start_receiver(VICTIM, "python", victim=False)
                wait_for("the victim back", lambda: port_open(ports[VICTIM]), 10, 0.02)
            if first_attempts_drained():
                break
            time.sleep(0.02)
        else:
            raise AssertionError("the first attempts did not drain")
    while replays < REPLAYS:
        target = event_ids[(replays * 7) % len(event_ids)]
        # 404 while the notification is not delivered yet (still being retried).
        wait_for(f"notification {target} delivered, to replay it",
                 lambda: emu.call("POST", "/emulator/replay", {"event_id": target})[0] == 200, 20, 0.05)
        replays += 1
    main_sent = set(sent)
    wait_for("the main run's deliveries", settled, 60, 0.1)
    wait_for("every event of the main run processed",
             lambda: main_sent <= {int(x.split("|")[0]) for x in records("scale:processed")}, 30, 0.1)
    main_s = time.monotonic() - main_start
    assert killed is not None, "the victim never held a claim: no kill happened"
    queued_early = emu.deliveries("queued")
    assert not queued_early, f"{len(queued_early)} deliveries queued during the main run"
    log(f"main run done in {main_s:.1f}s: {len(main_sent)} events, {replays} replays")
    main_stats = haproxy_stats(stats_port)
    refused = sum(int(main_stats[f"receivers/{n}"]["econ"] or 0) for n, _ in RECEIVERS)
    held_seq = int(killed.split(":")[1])
    held_by = [":".join(x.split("|")[1:]) for x in records("scale:processed") if int(x.split("|")[0]) == held_seq]

    # --- the outage: every receiver down past the retry schedule; deliveries queue.
    for name, _ in RECEIVERS:
        procs.stop(name)
    outage_ids: List[int] = []
    for size in OUTAGE_BATCHES:
        outage_ids.extend(send_batch(size))
    log(f"outage: receivers stopped, {len(outage_ids)} notifications waiting out the retries")
    wait_for("the outage deliveries queued", settled, 30, 0.1)
    late_ids = send_batch(AFTER_DEACTIVATION)  # the subscription is off now: queued at once
    queued = emu.deliveries("queued")
    queued_ids = {d["eventId"] for d in queued}
    assert queued_ids == set(outage_ids) | set(late_ids), (sorted(queued_ids), outage_ids, late_ids)
    exhausted = [d for d in queued if d["eventId"] in outage_ids]
    assert all(d["attempts"] == 10 for d in exhausted), [d["attempts"] for d in exhausted]
    assert all(d["attempts"] == 0 for d in queued if d["eventId"] in late_ids), "the subscription was not deactivated"

    # --- recovery: the receivers come back, the CLI redelivers the queue.
    for name, kind in RECEIVERS:
        start_receiver(name, kind, victim=False)
    wait_for("the receivers back", all_up, 20)
    recover = subprocess.run(
        [CLI, "recover", "--base-url", emu.base, "--json"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "HOOTSUITE_EVENTS_USER_SECRET": emu.user, "HOOTSUITE_EVENTS_ORGANIZATION_SECRET": emu.org},
    )
    assert recover.returncode == 0, (recover.returncode, recover.stderr)
    report = json.loads(recover.stdout.strip().splitlines()[-1])
    recovered = int(report["redelivered"])
    assert int(report["queued"]) == len(queued), report
    assert recovered == len(queued), (recovered, len(queued))
    all_sent = set(sent)
    wait_for("the recovered deliveries", settled, 30, 0.1)
    wait_for("every event processed",
             lambda: all_sent <= {int(x.split("|")[0]) for x in records("scale:processed")}, 30, 0.1)
    # A hung request the emulator gave up on may still be running its handler (it carries on
    # after the hang): let every such handler end, then stop the receivers, before counting.
    time.sleep(HANG_MS / 1000 + 1.0)
    for name, _ in RECEIVERS:
        procs.stop(name)

    # --- the accounting, from the handlers' records.
    processed = [x.split("|") for x in records("scale:processed")]
    counts = collections.Counter(int(seq) for seq, _, _ in processed)
    duplicates = sum(n - 1 for n in counts.values())
    lost = all_sent - set(counts)
    unexpected = set(counts) - all_sent
    per_receiver = collections.Counter(name for _, name, _ in processed)
    attempts: Dict[str, List[Tuple[str, str, str]]] = collections.defaultdict(list)
    for x in records("scale:attempts"):
        wh, name, answer, fault = x.split("|")
        attempts[wh].append((name, answer, fault))
    per_delivery = collections.Counter(len(a) for a in attempts.values())
    statuses = collections.Counter(s for a in attempts.values() for _, s, _ in a)
    injected = collections.Counter(f for a in attempts.values() for _, _, f in a if f)
    # A delivery that failed somewhere and was taken (2xx) by another process.
    moved = sum(
        1 for a in attempts.values()
        if any(s == "200" for _, s, _ in a)
        and {n for n, s, _ in a if s == "200"} - {n for n, s, f in a if s != "200" or f == "hang"}
        and any(s != "200" or f == "hang" for _, s, f in a)
    )
    delivered = emu.deliveries("delivered")
    emulator_retries = sum(d["attempts"] for d in delivered)
    lb_5xx = int(main_stats["webhooks/FRONTEND"]["hrsp_5xx"] or 0)
    stores = sorted({line.split("store=")[1].split()[0] for f in tmp.glob("*.log")
                     for line in f.read_text(errors="replace").splitlines() if "store=" in line})
    rate = len(main_sent) / main_s
    # Each event that could not be read: reported once, by whichever receiver claimed it.
    rejected = collections.Counter(x.split("|")[0] for x in records("scale:rejected"))

    print(
        f"scale: sent {len(all_sent)} events in {batches_sent} batches ({notifications} notifications), "
        f"processed {len(counts)}, duplicates {duplicates}, lost {len(lost)}, replays {replays}, "
        f"retries {emulator_retries} (answers {dict(sorted(statuses.items()))}, injected {dict(injected)}, "
        f"answers per delivery {dict(sorted(per_delivery.items()))}, main run: refused {refused}, 5xx from haproxy {lb_5xx}; taken over by another process {moved}), "
        f"poisoned batches {poisoned} (rejected events reported {sum(rejected.values())}, distinct {len(rejected)}, answered 400: {statuses.get('400', 0)}), "
        f"killed {killed.split(':')[0]} (pid {killed.split(':')[2]}) holding seq_no {held_seq}, then processed by {held_by}, per receiver {dict(sorted(per_receiver.items()))}, "
        f"recovered from the queue {recovered} ({len(exhausted)} after 10 attempts, {len(late_ids)} sent while deactivated) "
        f"by hootsuite-events recover; main run {len(main_sent)} events in {main_s:.1f}s ({rate:.0f} events/s); one RedisStore namespace {','.join(stores)} for Python and Node",
        flush=True,
    )
    failures = []
    if duplicates or lost or unexpected:
        failures.append(f"duplicates {duplicates}, lost {sorted(lost)[:10]}, unexpected {sorted(unexpected)[:10]}")
    if len(held_by) != 1 or held_by[0].endswith(":" + killed.split(":")[2]):
        failures.append(f"the held unit {held_seq} was processed by {held_by} (the killed process: {killed})")
    if len(rejected) != poisoned or any(n != 1 for n in rejected.values()) or statuses.get("400"):
        failures.append(f"poisoned batches: {poisoned} sent, rejections reported {dict(rejected)}, 400 answers {statuses.get('400', 0)}")
    if len(per_receiver) < len(RECEIVERS):
        failures.append(f"not every receiver processed units: {dict(per_receiver)}")
    if not (injected["500"] and injected["hang"] and refused and moved and statuses.get("409")):
        failures.append("a fault kind never happened (500, hang, refused, taken over, 409)")
    for f in failures:
        print(f"FAIL: {f}", flush=True)
    print(f"scale: {0 if failures else 1} passed, {1 if failures else 0} failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
