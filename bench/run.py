"""`make bench`: runs every benchmark in one go and prints one table (ours, the peer, the ratio).

Rust figures come from criterion's estimates; Python and Node print JSON lines. A ratio above 1
means hootsuite-events is faster than the peer."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRITERION = ROOT / "target" / "criterion"


def rust_rows() -> list:
    subprocess.run(["cargo", "bench", "--locked", "-q", "-p", "hootsuite-events", "--bench", "core", "--",
                    "--warm-up-time", "1", "--measurement-time", "3"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    groups = {p.name: {q.name: q for q in p.iterdir() if q.is_dir() and q.name != "report"} for p in CRITERION.iterdir() if p.is_dir() and p.name != "report"}

    def mean(group: str, prefix: str) -> float:
        d = next(q for name, q in groups[group].items() if name.startswith(prefix))
        return json.loads((d / "new" / "estimates.json").read_text())["mean"]["point_estimate"] / 1000.0

    rows = [
        {"work": "Rust: validate + build the create request (JSON value)", "ours_us": mean("create_instance", "ours_ validate"), "peer": "serde derive from text + to_vec (types only, no rules)", "peer_us": mean("create_instance", "peer")},
        {"work": "Rust: verify + parse a 2 KB notification", "ours_us": mean("verify_parse_2k", "ours"), "peer": "hmac + base64 + serde_json::Value", "peer_us": mean("verify_parse_2k", "peer")},
        {"work": "Rust: verify + parse a 64 KB notification", "ours_us": mean("verify_parse_64k", "ours"), "peer": "hmac + base64 + serde_json::Value", "peer_us": mean("verify_parse_64k", "peer")},
    ]
    rows += [
        {"work": "Rust: receive a 2 KB notification: verify + parse + claim + complete (MemoryStore)", "ours_us": mean("receive_2k", "ours"), "peer": "hmac + base64 + serde_json::Value + a HashSet of seq_no", "peer_us": mean("receive_2k", "peer")},
        {"work": "Rust: verify a 1 MiB body with 8 signatures in the header (the cap)", "ours_us": mean("candidates_1mib", "ours"), "peer": "the same body with 1 signature (ratio near 1: no amplification)", "peer_us": mean("candidates_1mib", "one")},
    ]
    size_64k = 64 * 1024
    rows[2]["note"] = f"{size_64k / rows[2]['ours_us']:.0f} MB/s ours, {size_64k / rows[2]['peer_us']:.0f} MB/s peer"
    return rows


def redis_rows() -> list:
    """The receiver on Redis (hootsuite-events-redis's criterion bench) against the SET NX peer,
    at 1, 5 and 20 Hootsuite events per notification."""
    subprocess.run(["cargo", "bench", "--locked", "-q", "-p", "hootsuite-events-redis", "--bench", "receiver", "--",
                    "--warm-up-time", "1", "--measurement-time", "3"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    group = CRITERION / "receive_redis"

    def mean(function: str, events: int) -> float:
        return json.loads((group / function / str(events) / "new" / "estimates.json").read_text())["mean"]["point_estimate"] / 1000.0

    name = "hmac + base64 + serde_json::Value + redis-rs SET NX PX per seq_no"
    memory = mean("ours MemoryStore", 1)
    rows = [{"work": "Rust: receiver on MemoryStore, verify + parse + claim + settle a 2 KB notification of 1 Hootsuite event", "ours_us": memory, "peer": name,
             "peer_us": mean("peer SET NX PX", 1), "note": f"{1e6 / memory:.0f} notifications/s"}]
    for events in (1, 5, 20):
        ours, peer = mean("ours RedisStore", events), mean("peer SET NX PX", events)
        rows.append({"work": f"Rust: receiver on Redis (loopback, RedisStore), verify + parse + claim + settle a notification of {events} Hootsuite event{'s' * (events > 1)}",
                     "ours_us": ours, "peer": name, "peer_us": peer, "note": f"{1e6 / ours:.0f} notifications/s ours, {1e6 / peer:.0f} peer"})
    return rows


def postgres_rows() -> list:
    """The receiver on the PostgreSQL inbox (hootsuite-events-postgres's criterion bench)
    against the INSERT … ON CONFLICT peer."""
    subprocess.run(["cargo", "bench", "--locked", "-q", "-p", "hootsuite-events-postgres", "--bench", "receiver", "--",
                    "--warm-up-time", "1", "--measurement-time", "3"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    group = CRITERION / "receive_postgres_2k"

    def mean(prefix: str) -> float:
        d = next(q for q in group.iterdir() if q.is_dir() and q.name.startswith(prefix))
        return json.loads((d / "new" / "estimates.json").read_text())["mean"]["point_estimate"] / 1000.0

    ours, peer = mean("ours_ verify_event + PostgresInbox"), mean("peer")
    return [
        {"work": "Rust: receiver on the PostgreSQL inbox (loopback, PostgresInbox), verify + parse + one transaction (claim, the handler's INSERT, commit) for a 2 KB notification",
         "ours_us": ours, "peer": "hmac + base64 + serde_json::Value + rust-postgres INSERT … ON CONFLICT DO NOTHING and the INSERT in one transaction", "peer_us": peer,
         "note": f"{1e6 / ours:.0f} notifications/s ours, {1e6 / peer:.0f} peer"},
    ]


@contextlib.contextmanager
def redis_server():
    """Debian's redis-server on a free loopback port (no persistence), for the Redis rows."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as d:
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", d],
                                stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("redis-server did not listen within 20 s")
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def lines(cmd: list, env: dict | None = None) -> list:
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True, env={**os.environ, **(env or {})}).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def main() -> None:
    python = sys.argv[1] if len(sys.argv) > 1 else sys.executable
    rows = rust_rows()
    sys.path.insert(0, str(ROOT / "bindings" / "python" / "tests"))
    from pgserver import start_postgres

    with redis_server() as url, start_postgres() as pg:
        os.environ["HOOTSUITE_EVENTS_BENCH_REDIS"] = url
        os.environ["HOOTSUITE_EVENTS_BENCH_POSTGRES"] = pg["url"]
        rows += redis_rows()
        rows += postgres_rows()
        rows += lines([python, "bench/python_bench.py"])
        rows += lines(["node", "bench/node_bench.mjs"])
    rows += lines(["node", "bench/browser_bench.cjs"])
    size = (ROOT / "bindings" / "wasm" / "pkg" / "SIZE")
    if size.exists():
        wasm, glue = map(int, size.read_text().split())
        row = {"work": "Browser: hootsuite-events-wasm (the form build), .wasm + glue, gzip -9 (KB)", "ours_us": (wasm + glue) / 1000, "peer": "target 40 KB (ajv runtime + formats: 41 KB per the issue)", "peer_us": 40.0}
        full = ROOT / "bindings" / "wasm" / "pkg" / "full"
        if full.exists():
            import gzip
            kb = sum(len(gzip.compress(f.read_bytes(), 9)) for f in (full / "hootsuite_events_wasm_bg.wasm", full / "hootsuite_events_wasm.js")) / 1000
            row["note"] = f"/full, with events, signatures and OAuth: {kb:.1f} KB"
        rows.append(row)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print("| work | ours (µs) | peer | peer (µs) | peer ÷ ours |")
    print("| --- | ---: | --- | ---: | ---: |")
    for r in rows:
        ratio = r["peer_us"] / r["ours_us"] if r["ours_us"] else float("nan")
        note = f" ({r['note']})" if "note" in r else ""
        print(f"| {r['work']}{note} | {r['ours_us']:.2f} | {r['peer']} | {r['peer_us']:.2f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
