"""Several `extenddb serve` processes over one PostgreSQL (issue #22), through the binary:
three servers of one configuration on three ports behave as one endpoint (a table created on
one is used on the others, every acknowledged write is read back from another), each
background job runs on exactly one of them, `status` lists all three and, after one is killed
with kill -9 under write load, the two others carry the load and take its jobs over within
seconds; `stop` stops the rest. With a standby (EXTENDDB_TEST_PG_REPLICA_PORT, from
`scripts/pg-cluster.sh standby`) the servers read eventually consistent data from it.

Needs EXTENDDB_BIN and EXTENDDB_TEST_PG_HOST/PORT/USER; skipped with the reason otherwise.
"""

import os
import re
import signal
import subprocess
import threading
import time

import boto3
import pytest
import requests
from botocore.config import Config

from pg_support import BIN, PG, destroy, free_port, init, requires_pg, run

REPLICA_PORT = os.environ.get("EXTENDDB_TEST_PG_REPLICA_PORT")
pytestmark = requires_pg

JOBS = ("gsi_propagation", "gsi_backfill", "ttl_sweeper", "token_sweeper", "table_reaper",
        "stream_trimmer", "stream_sequencer")


class Server:
    """`extenddb serve --foreground --port <port>` of the shared configuration."""

    def __init__(self, home, config, port):
        env = dict(os.environ, HOME=str(home), RUST_LOG="warn")
        env["EXTENDDB_SERVER__CONTROL_PLANE_DELAY_SECONDS"] = "0"
        env["EXTENDDB_AUTH__PROVIDER"] = "none"
        self.port = port
        self.proc = subprocess.Popen(
            [BIN, "serve", "--config", str(config), "--foreground", "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=home,
        )
        banner = self.proc.stdout.readline().strip()
        assert banner.endswith(f"listening on 127.0.0.1:{port}"), banner
        self.url = f"https://127.0.0.1:{port}"
        self.verify = str(home / ".extenddb/tls/cert.pem")
        self.ddb = boto3.client(
            "dynamodb", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", verify=self.verify,
            config=Config(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=10),
        )

    def jobs(self):
        """The background jobs this server runs, and the servers it counts."""
        text = requests.get(self.url + "/metrics", verify=self.verify, timeout=10).text
        running = {m.group(1) for m in re.finditer(
            r'^extenddb_background_job_running\{job="(\w+)"\} 1$', text, re.M)}
        servers = int(re.search(r"^extenddb_servers (\d+)$", text, re.M).group(1))
        return running, servers


def running_lines(status):
    """`status`'s "running" lines (each is followed by the server's readiness line)."""
    return [l for l in status.splitlines() if l.startswith("extenddb is running")]


def settled(servers, timeout=15):
    """Waits until every job runs on exactly one of `servers` and each counts them all;
    returns the seconds it took and who runs what."""
    started = time.monotonic()
    while True:
        views = [s.jobs() for s in servers]
        owners = {j: [i for i, (r, _) in enumerate(views) if j in r] for j in JOBS}
        if all(len(o) == 1 for o in owners.values()) and all(n == len(servers) for _, n in views):
            return time.monotonic() - started, owners
        assert time.monotonic() - started < timeout, (owners, [n for _, n in views])
        time.sleep(0.2)


@pytest.fixture()
def deployment(tmp_path):
    config, _, _ = init(tmp_path, "s")
    if REPLICA_PORT:
        with open(config, "a") as f:
            f.write(f'\n[[storage.postgres.replicas]]\nhost = "{PG["HOST"]}"\nport = {REPLICA_PORT}\n')
    yield tmp_path, config
    destroy(tmp_path, config)


def test_three_servers_one_database_survive_kill_9(deployment):
    home, config = deployment
    servers = [Server(home, config, free_port()) for _ in range(3)]
    try:
        status = run(home, "status", "--config", str(config)).stdout
        assert sorted(running_lines(status)) == sorted(
            f"extenddb is running on port {s.port} (pid {s.proc.pid})" for s in servers), status

        a, b, c = servers
        a.ddb.create_table(TableName="Shared", BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        # Created on one server, ACTIVE and usable on the others at once (shared catalog,
        # caches invalidated across processes).
        for s in (b, c):
            assert s.ddb.describe_table(TableName="Shared")["Table"]["TableStatus"] == "ACTIVE"
        for i in range(60):
            servers[i % 3].ddb.put_item(TableName="Shared", Item={"pk": {"S": f"k{i}"}, "n": {"N": str(i)}})
        for i in range(60):
            got = servers[(i + 1) % 3].ddb.get_item(TableName="Shared", Key={"pk": {"S": f"k{i}"}},
                                                     ConsistentRead=True)
            assert got["Item"]["n"]["N"] == str(i)
        # Eventually consistent reads (from the standby when there is one) see them promptly.
        deadline = time.monotonic() + 5
        while c.ddb.scan(TableName="Shared")["Count"] < 60:
            assert time.monotonic() < deadline, "eventually consistent reads never caught up"
            time.sleep(0.05)

        took, owners = settled(servers)
        print(f"jobs settled on three servers after {took:.2f}s: {owners}")

        # kill -9 the server running the TTL sweeper while all three take writes.
        victim = owners["ttl_sweeper"][0]
        acked, errors, stop = [], [], threading.Event()

        def writer(s, w):
            i = 0
            while not stop.is_set():
                key = f"w{w}-{i}"
                try:
                    s.ddb.put_item(TableName="Shared", Item={"pk": {"S": key}})
                    acked.append(key)
                except Exception as e:  # the killed server's connections fail
                    errors.append((w, repr(e)))
                    if w == victim:
                        return
                i += 1

        threads = [threading.Thread(target=writer, args=(s, w)) for w, s in enumerate(servers)]
        for t in threads:
            t.start()
        time.sleep(1)
        servers[victim].proc.send_signal(signal.SIGKILL)
        servers[victim].proc.wait(timeout=10)
        killed_at = time.monotonic()
        rest = [s for i, s in enumerate(servers) if i != victim]
        moved, owners = settled(rest)
        print(f"jobs moved to the two others {moved:.2f}s after kill -9: {owners}")
        assert moved < 10
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert not [e for w, e in errors if w != victim], errors
        survivor_writes = sum(1 for k in acked if not k.startswith(f"w{victim}-"))
        assert survivor_writes > 0 and time.monotonic() - killed_at > 0.5
        # Every acknowledged write, the killed server's included, is there.
        for k in acked:
            got = rest[0].ddb.get_item(TableName="Shared", Key={"pk": {"S": k}}, ConsistentRead=True)
            assert "Item" in got, k

        status = run(home, "status", "--config", str(config)).stdout
        assert sorted(running_lines(status)) == sorted(
            f"extenddb is running on port {s.port} (pid {s.proc.pid})" for s in rest), status
        run(home, "stop", "--config", str(config))
        for s in rest:
            assert s.proc.wait(timeout=30) == 0
        assert run(home, "status", "--config", str(config), check=False).returncode == 3
    finally:
        for s in servers:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()
