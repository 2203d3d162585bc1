"""Helpers of the fault tests (issue 24): each test starts its own `extenddb serve
--foreground` (plain HTTP, authentication off) from a configuration file it writes, with the
small limits it needs, and stops it afterwards. Loopback only; every wait is bounded.

Needs EXTENDDB_BIN (scripts/test.sh sets it). The PostgreSQL outage test also needs the
machine's PostgreSQL binaries (scripts/pg-cluster.sh finds them).
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

BIN = os.environ.get("EXTENDDB_BIN")
ROOT = Path(__file__).resolve().parents[2]



def write_config(path: Path, server: dict, storage: str) -> Path:
    """An extenddb.toml with `[server]` keys `server` (plus plain HTTP) and the `storage` TOML."""
    lines = ["[server]"]
    for key, value in server.items():
        lines.append(f"{key} = {json.dumps(value) if isinstance(value, str) else value}")
    lines += ["control_plane_delay_seconds = 0", "", "[server.tls]", "enabled = false", "", storage,
              "", "[auth]", 'provider = "none"']
    path.write_text("\n".join(lines) + "\n")
    return path


def pg_cluster(*args):
    """Runs scripts/pg-cluster.sh with `args`; answers its standard output."""
    out = subprocess.run([str(ROOT / "scripts/pg-cluster.sh"), *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


@contextlib.contextmanager
def private_cluster(standby=False):
    """A private PostgreSQL cluster (and a hot standby of it when asked) in a temporary
    directory; yields (directory, {EXTENDDB_TEST_PG_*: value}). Stopped and removed after."""
    if not (shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))):
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found")
    # Not under pytest's tmp_path: as root the cluster runs as the `postgres` user, who cannot
    # enter pytest's private (0700) base directory. pg-cluster.sh hands this one to it.
    d = Path(tempfile.mkdtemp(prefix="extenddb-faults-pg.", dir=os.environ.get("TMPDIR", "/tmp")))
    try:
        pg_cluster("start", str(d))
        if standby:
            pg_cluster("standby", str(d))
        env = dict(line.split(" ", 1)[1].split("=", 1) for line in pg_cluster("env", str(d)).splitlines())
        yield d, env
    finally:
        subprocess.run([str(ROOT / "scripts/pg-cluster.sh"), "stop", str(d)], capture_output=True, timeout=120)
        shutil.rmtree(d, ignore_errors=True)


def init_deployment(home: Path, pg: dict) -> Path:
    """`extenddb init` of a deployment on the cluster `pg` with HOME `home`; answers its
    configuration file."""
    config = home / "extenddb.toml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXTENDDB_")}
    env["HOME"] = str(home)
    init = subprocess.run(
        [BIN, "init", "--pg-host", pg["EXTENDDB_TEST_PG_HOST"], "--pg-port", pg["EXTENDDB_TEST_PG_PORT"],
         "--pg-user", pg["EXTENDDB_TEST_PG_USER"], "--config", str(config)],
        capture_output=True, text=True, env=env, cwd=home, timeout=120)
    assert init.returncode == 0, init.stderr
    return config


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`extenddb serve --foreground` on `port` (0: a free one, and the configuration's pid
    file; several servers of one configuration need ports of their own); its log (stderr)
    goes to `log`."""

    def __init__(self, config: Path, log: Path, prefix=(), env=None, cwd=None, port=0):
        self.log = log
        self.log_file = open(log, "w")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("EXTENDDB_")}
        environment.update(env or {})
        self.proc = subprocess.Popen(
            [*prefix, BIN, "serve", "--config", str(config), "--foreground", "--port", str(port)],
            stdout=subprocess.PIPE, stderr=self.log_file, text=True, env=environment,
            cwd=cwd or config.parent,
        )
        banner = self.proc.stdout.readline().strip()
        assert " listening on " in banner, f"no banner ({banner!r}); log:\n{self.log_text()}"
        self.addr = banner.rsplit(" ", 1)[1]
        self.url = "http://" + self.addr
        self.host, port = self.addr.rsplit(":", 1)
        self.port = int(port)

    def log_text(self) -> str:
        self.log_file.flush()
        return self.log.read_text()

    def client(self, read_timeout=15):
        return boto3.client(
            "dynamodb", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="AKIDFAULTS", aws_secret_access_key="secret",
            config=Config(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=read_timeout),
        )

    def ready(self):
        """(status code, body) of GET /health/ready."""
        r = requests.get(self.url + "/health/ready", timeout=10)
        return r.status_code, r.text

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log_file.close()


def wait_for(predicate, timeout, interval=0.2, what="condition"):
    """Polls `predicate` until it returns a true value (returned) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout} s (last: {last!r})")


def create_table(client, name):
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    wait_for(lambda: client.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
             30, what=f"table {name} ACTIVE")
