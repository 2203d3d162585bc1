"""Helpers of the fault tests (issue 24): each test starts its own `extenddb serve
--foreground` (plain HTTP, authentication off) from a configuration file it writes, with the
small limits it needs, and stops it afterwards. Loopback only; every wait is bounded.

Needs EXTENDDB_BIN (scripts/test.sh sets it). The PostgreSQL outage test also needs the
machine's PostgreSQL binaries (scripts/pg-cluster.sh finds them).
"""

import json
import os
import signal
import subprocess
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


class Server:
    """`extenddb serve --foreground` on a free port; its log (stderr) goes to `log`."""

    def __init__(self, config: Path, log: Path, prefix=(), env=None, cwd=None):
        self.log = log
        self.log_file = open(log, "w")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("EXTENDDB_")}
        environment.update(env or {})
        self.proc = subprocess.Popen(
            [*prefix, BIN, "serve", "--config", str(config), "--foreground", "--port", "0"],
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
