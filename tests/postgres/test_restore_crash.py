"""Restores and backups over one PostgreSQL with two servers (issue 23): a restore is carried
out exactly once whichever server takes the request; when the server whose worker holds a
restore (copied, not yet recorded: the test-only hook EXTENDDB_TEST_PAUSE_AFTER_COPY_MS stops it
there) is killed with kill -9, the other takes the work over and the table becomes ACTIVE with
exactly the backup's items; a CreateBackup cut short by the same kill is removed.

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

from pg_support import BIN, destroy, free_port, init, requires_pg

pytestmark = requires_pg

PAUSE_MS = 5000
DONE = "restore carried out"


class Server:
    """`extenddb serve --foreground` of the shared configuration, its log in `log`."""

    def __init__(self, home, config, log, extra_env=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXTENDDB_TEST_PAUSE")}
        env.update(HOME=str(home), RUST_LOG="info,sqlx=warn")
        env["EXTENDDB_SERVER__CONTROL_PLANE_DELAY_SECONDS"] = "0"
        env["EXTENDDB_AUTH__PROVIDER"] = "none"
        env.update(extra_env or {})
        self.port = free_port()
        self.log = log
        self.log_file = open(log, "w")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--config", str(config), "--foreground", "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=self.log_file, text=True, env=env, cwd=home,
        )
        banner = self.proc.stdout.readline().strip()
        assert banner.endswith(f"listening on 127.0.0.1:{self.port}"), banner
        self.url = f"https://127.0.0.1:{self.port}"
        self.verify = str(home / ".extenddb/tls/cert.pem")

    def client(self, read_timeout=30):
        return boto3.client(
            "dynamodb", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", verify=self.verify,
            config=Config(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=read_timeout),
        )

    def jobs(self):
        text = requests.get(self.url + "/metrics", verify=self.verify, timeout=10).text
        return {m.group(1) for m in re.finditer(
            r'^extenddb_background_job_running\{job="(\w+)"\} 1$', text, re.M)}

    def done_count(self):
        self.log_file.flush()
        return self.log.read_text().count(DONE)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log_file.close()


def wait_for(predicate, timeout, what, interval=0.1):
    """Polls `predicate` (an exception counts as not yet) until true or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception as e:  # a server still starting, say
            last = e
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout} s (last error: {last!r})")


def scan_all(client, name):
    items, start = [], None
    while True:
        kw = {"TableName": name, "ConsistentRead": True}
        if start:
            kw["ExclusiveStartKey"] = start
        page = client.scan(**kw)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return sorted(items, key=lambda it: it["pk"]["S"])


def state(client, name):
    table = client.describe_table(TableName=name)["Table"]
    return table["TableStatus"], table["RestoreSummary"]["RestoreInProgress"]


@pytest.fixture()
def deployment(tmp_path):
    config, _, _ = init(tmp_path, "r")
    yield tmp_path, config
    destroy(tmp_path, config)


def test_two_servers_restore_once_and_take_over_after_kill_9(deployment):
    home, config = deployment
    # The hooked server starts first, so its worker runs the table reaper (restores).
    a = Server(home, config, home / "a.log", {"EXTENDDB_TEST_PAUSE_AFTER_COPY_MS": str(PAUSE_MS)})
    b = None
    try:
        wait_for(lambda: "table_reaper" in a.jobs(), 15, "the first server running the reaper")
        b = Server(home, config, home / "b.log")
        ddb = b.client()
        ddb.create_table(TableName="Source", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        for first in range(0, 300, 25):
            ddb.batch_write_item(RequestItems={"Source": [
                {"PutRequest": {"Item": {"pk": {"S": f"k{i:05}"}, "n": {"N": str(i)}}}}
                for i in range(first, first + 25)]})
        expected = scan_all(ddb, "Source")
        arn = ddb.create_backup(TableName="Source", BackupName="whole")["BackupDetails"]["BackupArn"]

        # Requested on one server, done once by the other's worker.
        started = time.monotonic()
        answer = ddb.restore_table_from_backup(TargetTableName="Once", BackupArn=arn)
        assert time.monotonic() - started < PAUSE_MS / 2000
        assert answer["TableDescription"]["RestoreSummary"]["RestoreInProgress"] is True
        wait_for(lambda: state(ddb, "Once") == ("ACTIVE", False), 30, "the first restore ACTIVE")
        assert scan_all(ddb, "Once") == expected
        time.sleep(1.5)
        assert (a.done_count(), b.done_count()) == (1, 0)

        # Killed while its worker holds the second restore (copied, in the hook's pause) and
        # while a CreateBackup on it is copying.
        ddb.restore_table_from_backup(TargetTableName="Twice", BackupArn=arn)
        time.sleep(1.5)
        assert state(ddb, "Twice") == ("CREATING", True)
        cut = threading.Thread(target=lambda: _ignore(lambda: a.client().create_backup(
            TableName="Source", BackupName="cut-short")), daemon=True)
        cut.start()
        wait_for(lambda: len(ddb.list_backups(TableName="Source")["BackupSummaries"]) == 2, 10,
                 "the second backup CREATING")
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait(timeout=10)
        wait_for(lambda: state(ddb, "Twice") == ("ACTIVE", False), 60,
                 "the second restore ACTIVE on the other server")
        assert scan_all(ddb, "Twice") == expected
        assert ddb.describe_table(TableName="Twice")["Table"]["ItemCount"] == len(expected)
        wait_for(lambda: [x["BackupArn"] for x in ddb.list_backups(TableName="Source")["BackupSummaries"]]
                 == [arn], 60, "the cut-short backup removed")
        time.sleep(1.5)
        assert (a.done_count(), b.done_count()) == (1, 1)
    finally:
        a.stop()
        if b:
            b.stop()


def _ignore(call):
    try:
        call()
    except Exception:  # the server is killed under the request
        pass
