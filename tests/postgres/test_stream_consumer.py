"""The stream consumer of samples/stream_consumer.py (the user guide's polling loop) while writer
threads run, across a kill -9 of the server, on both backends: every acknowledged write must
appear in the stream exactly once, each key's changes in the order they were made.

- embedded: `extenddb dev --data-dir <tmp>` killed and restarted on the same directory;
- PostgreSQL: `extenddb init` + `extenddb serve --foreground`, killed and restarted.

Needs EXTENDDB_BIN; the PostgreSQL half also EXTENDDB_TEST_PG_HOST/PORT/USER (scripts/test.sh
sets them). Each half is skipped with the reason when its needs are missing.
"""

import importlib.util
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

BIN = os.environ.get("EXTENDDB_BIN")
PG = {k: os.environ.get(f"EXTENDDB_TEST_PG_{k}") for k in ("HOST", "PORT", "USER")}
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "stream_consumer.py"

os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDEXTENDDBTEST0000")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "extenddb-test-secret-key")


def load_sample():
    spec = importlib.util.spec_from_file_location("stream_consumer", SAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            if requests.get(url + "/health", timeout=1).json().get("status") == "healthy":
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} not healthy after {timeout}s")


class Restartable:
    """A server command on a fixed port that can be killed (-9) and started again."""

    def __init__(self, argv, env, cwd):
        self.port = free_port()
        self.argv, self.env, self.cwd = [*argv, "--port", str(self.port)], env, cwd
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy(self.url, self.proc)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


def consume_across_kill(server):
    """Writers and the sample's poller against `server`; kills it -9 mid-run and restarts
    it; answers (acknowledged writes, problems found)."""
    sample = load_sample()
    server.start()
    dynamodb, streams = sample.clients(server.url)
    table = "CrashStream"
    arn = sample.ensure_table(dynamodb, table)
    run = "crash"
    seen, lock = {}, threading.Lock()

    def on_record(record):
        key = record["dynamodb"]["Keys"]["pk"]["S"]
        with lock:
            seen.setdefault(key, []).append(int(record["dynamodb"]["NewImage"]["v"]["N"]))

    poller = sample.Poller(streams, arn, on_record, idle_sleep=0.1)
    poller.start()
    writers = [sample.Writer(dynamodb, table, run, n, keys=5, writes=400) for n in range(4)]
    for w in writers:
        w.start()

    def acked_count():
        return sum(len(v) for w in writers for v in list(w.acked.values()))

    deadline = time.monotonic() + 60
    while acked_count() < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill9()
    killed_at = acked_count()
    time.sleep(0.5)
    server.start()
    for w in writers:
        w.join(timeout=120)
    acked = {k: v for w in writers for k, v in w.acked.items()}
    problems = sample.check(acked, seen)
    deadline = time.monotonic() + 60
    while problems and time.monotonic() < deadline:
        time.sleep(0.2)
        with lock:
            problems = sample.check(acked, seen)
    poller.stop.set()
    poller.join(timeout=10)
    errors = [e for e in [poller.error, *(w.error for w in writers)] if e]
    total = sum(len(v) for v in acked.values())
    assert total > killed_at, "no write was acknowledged after the restart"
    return total, problems + [repr(e) for e in errors]


@pytest.mark.skipif(not BIN, reason="EXTENDDB_BIN must be set (scripts/test.sh does)")
def test_embedded_stream_survives_kill9(tmp_path):
    env = dict(os.environ, RUST_LOG="warn")
    server = Restartable([BIN, "dev", "--data-dir", str(tmp_path / "data")], env, tmp_path)
    try:
        total, problems = consume_across_kill(server)
    finally:
        server.stop()
    assert problems == []
    assert total >= 200


@pytest.mark.skipif(
    not BIN or not all(PG.values()),
    reason="EXTENDDB_BIN and EXTENDDB_TEST_PG_HOST/PORT/USER must be set (scripts/test.sh does)",
)
def test_postgres_stream_survives_kill9(tmp_path):
    tag = f"s{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXTENDDB_SERVER")}
    env["HOME"] = str(tmp_path)
    init = subprocess.run(
        [BIN, "init", "--pg-host", PG["HOST"], "--pg-port", PG["PORT"], "--pg-user", PG["USER"],
         "--catalog-db", f"{tag}_catalog", "--data-db", f"{tag}_data"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert init.returncode == 0, init.stderr
    config = tmp_path / "extenddb.toml"
    env.update(RUST_LOG="warn", EXTENDDB_SERVER__CONTROL_PLANE_DELAY_SECONDS="0",
               EXTENDDB_SERVER__TLS__ENABLED="false", EXTENDDB_AUTH__PROVIDER="none")
    server = Restartable([BIN, "serve", "--config", str(config), "--foreground"], env, tmp_path)
    try:
        total, problems = consume_across_kill(server)
    finally:
        server.stop()
        # --pg-user drops the extenddb role too, so that the next test's init creates it
        # afresh (init refuses to guess an existing role's password).
        subprocess.run([BIN, "destroy", "--config", str(config), "--yes", "--pg-user", PG["USER"]],
                       env=env, cwd=tmp_path, capture_output=True, timeout=120)
    assert problems == []
    assert total >= 200
