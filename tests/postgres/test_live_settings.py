"""Every runtime setting changed with `extenddb settings set` reaches a running server within its
poll interval (`server.settings_poll_seconds`, 1 s here): control_plane_delay_seconds,
gsi_propagation_delay_ms, throttling_enabled, ttl_deletion_target_seconds, log_level and
sqlx_log_level, each observed through what the server does. (allow_credential_import gates the
management API's key import and is tested with it.)"""

import os
import subprocess
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from test_lifecycle import BIN, PG, deployment, run  # noqa: F401  (deployment is a fixture)

pytestmark = pytest.mark.skipif(
    not BIN or not all(PG.values()),
    reason="EXTENDDB_BIN and EXTENDDB_TEST_PG_HOST/PORT/USER must be set (scripts/test.sh does)",
)

POLL = 1.0
# How long a change may take to arrive: one poll, plus slack for a loaded machine.
ARRIVAL = POLL + 1.5
HASH = [{"AttributeName": "pk", "KeyType": "HASH"}]
PK_S = [{"AttributeName": "pk", "AttributeType": "S"}]


class LoggingServer:
    """`serve --foreground` with authentication off, a 1 s settings poll, and its log in a
    file (RUST_LOG unset, so the log-level settings decide)."""

    def __init__(self, home, config):
        env = {k: v for k, v in os.environ.items() if k != "RUST_LOG"}
        env.update(HOME=str(home), EXTENDDB_AUTH__PROVIDER="none",
                   EXTENDDB_SERVER__SETTINGS_POLL_SECONDS="1")
        self.log_path = home / "server.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--config", str(config), "--foreground", "--port", "0"],
            stdout=subprocess.PIPE, stderr=self.log, text=True, env=env, cwd=home,
        )
        banner = self.proc.stdout.readline().strip()
        assert " listening on 127.0.0.1:" in banner, banner
        self.url = "https://" + banner.rsplit(" ", 1)[1]
        self.client = boto3.client(
            "dynamodb", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
            verify=str(home / ".extenddb/tls/cert.pem"),
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=10),
        )

    def log_text(self):
        self.log.flush()
        return self.log_path.read_text()

    def stop(self):
        self.proc.terminate()
        code = self.proc.wait(timeout=30)
        self.log.close()
        return code


@pytest.fixture()
def server(deployment):  # noqa: F811
    home, config, _, _ = deployment
    s = LoggingServer(home, config)
    s.home, s.config = home, config
    yield s
    s.stop()


def set_setting(server, name, value):
    out = run(server.home, "settings", "--config", str(server.config), "set", name, str(value))
    assert out.stdout.strip() == f"{name} = {value}"
    time.sleep(ARRIVAL)


def create(client, name, **extra):
    params = dict(TableName=name, KeySchema=HASH, AttributeDefinitions=PK_S,
                  BillingMode="PAY_PER_REQUEST")
    params.update(extra)
    client.create_table(**params)


def wait_status(client, name, status, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.describe_table(TableName=name)["Table"]["TableStatus"] == status:
            return time.monotonic()
        time.sleep(0.1)
    pytest.fail(f"{name} never {status}")


def test_control_plane_delay_reaches_the_running_server(server):
    c = server.client
    set_setting(server, "control_plane_delay_seconds", 0)
    create(c, "instant")
    assert c.describe_table(TableName="instant")["Table"]["TableStatus"] == "ACTIVE"
    set_setting(server, "control_plane_delay_seconds", 3)
    started = time.monotonic()
    create(c, "slow")
    assert c.describe_table(TableName="slow")["Table"]["TableStatus"] == "CREATING"
    active_at = wait_status(c, "slow", "ACTIVE")
    assert active_at - started >= 2.5


def test_gsi_propagation_delay_reaches_the_running_server(server):
    c = server.client
    set_setting(server, "control_plane_delay_seconds", 0)
    create(c, "gsi", AttributeDefinitions=PK_S + [{"AttributeName": "g", "AttributeType": "S"}],
           GlobalSecondaryIndexes=[{"IndexName": "byG",
                                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "ALL"}}])

    def visible(pk):
        items = c.query(TableName="gsi", IndexName="byG", KeyConditionExpression="g = :g",
                        ExpressionAttributeValues={":g": {"S": "x"}})["Items"]
        return any(i["pk"]["S"] == pk for i in items)

    set_setting(server, "gsi_propagation_delay_ms", 3000)
    c.put_item(TableName="gsi", Item={"pk": {"S": "late"}, "g": {"S": "x"}})
    assert not visible("late"), "a 3 s delay: not in the index at once"
    time.sleep(4.0)
    assert visible("late")
    set_setting(server, "gsi_propagation_delay_ms", 0)
    c.put_item(TableName="gsi", Item={"pk": {"S": "now"}, "g": {"S": "x"}})
    assert visible("now"), "delay 0: synchronous"


def test_throttling_enabled_reaches_the_running_server(server):
    c = server.client
    set_setting(server, "control_plane_delay_seconds", 0)
    create(c, "tiny", BillingMode="PROVISIONED",
           ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})

    def writes_until_throttled(limit):
        for i in range(limit):
            try:
                c.put_item(TableName="tiny", Item={"pk": {"S": f"k{i}"}})
            except ClientError as e:
                assert e.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
                return i
        return limit

    set_setting(server, "throttling_enabled", "false")
    assert writes_until_throttled(40) == 40, "throttling off: no refusal"
    set_setting(server, "throttling_enabled", "true")
    assert writes_until_throttled(40) < 40, "throttling on: a 1 WCU table refuses"


def test_ttl_target_reaches_the_running_server(server):
    c = server.client
    set_setting(server, "control_plane_delay_seconds", 0)
    create(c, "ttl")
    c.update_time_to_live(TableName="ttl",
                          TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    # The default target (300 s) sweeps at most every minute; lower it and watch an expired
    # item go within seconds.
    set_setting(server, "ttl_deletion_target_seconds", 1)
    c.put_item(TableName="ttl", Item={"pk": {"S": "gone"}, "exp": {"N": str(int(time.time()) - 10)}})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if "Item" not in c.get_item(TableName="ttl", Key={"pk": {"S": "gone"}}):
            return
        time.sleep(0.2)
    pytest.fail("the expired item was not deleted within 10 s of a 1 s target")


def test_log_levels_reach_the_running_server(server):
    c = server.client
    c.list_tables()
    assert "request answered" not in server.log_text(), "debug lines off at info"
    set_setting(server, "log_level", "debug")
    c.list_tables()
    time.sleep(0.3)
    assert "request answered" in server.log_text()
    set_setting(server, "sqlx_log_level", "debug")
    c.list_tables()
    time.sleep(0.3)
    assert "sqlx::query" in server.log_text()
    set_setting(server, "log_level", "info")
    set_setting(server, "sqlx_log_level", "warn")
    before = server.log_text().count("request answered")
    c.list_tables()
    time.sleep(0.3)
    assert server.log_text().count("request answered") == before
