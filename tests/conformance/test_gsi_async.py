"""Asynchronous GSI propagation (extenddb-specific). The suite's shared server runs with
gsi_propagation_delay_ms 0, so this module starts its own `extenddb dev` with a delay: set
EXTENDDB_BIN to the binary (scripts/test.sh does); without it the module is skipped."""

import os
import socket
import subprocess
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config

from support import REGION_NAME, TableFactory

DELAY_MS = 400


@pytest.fixture(scope="module")
def delayed_ddb():
    binary = os.environ.get("EXTENDDB_BIN")
    if not binary:
        pytest.skip("EXTENDDB_BIN not set: cannot start a server with a propagation delay")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [binary, "dev", "--in-memory", "--port", str(port), "--gsi-propagation-delay-ms", str(DELAY_MS)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint + "/health", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("delayed server did not start")
            time.sleep(0.05)
    yield boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        config=Config(region_name=REGION_NAME, retries={"total_max_attempts": 1}),
    )
    proc.terminate()
    proc.wait(timeout=10)


def test_gsi_is_eventually_consistent(delayed_ddb):
    ddb = delayed_ddb
    tables = TableFactory(ddb)
    try:
        name, _ = tables.create(
            [{"AttributeName": "pk", "KeyType": "HASH"}],
            [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
            label="async",
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "byG",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )

        def ids():
            out = ddb.query(
                TableName=name,
                IndexName="byG",
                KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "x"}},
            )
            return sorted(i["pk"]["S"] for i in out["Items"])

        start = time.monotonic()
        for pk in ["a", "b", "c"]:
            ddb.put_item(TableName=name, Item={"pk": {"S": pk}, "g": {"S": "x"}})
        # The table sees the items at once; the index not before the delay.
        assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["g"] == {"S": "x"}
        if time.monotonic() - start < DELAY_MS / 1000 * 0.75:
            assert ids() == []
        deadline = time.monotonic() + 10
        while ids() != ["a", "b", "c"]:
            assert time.monotonic() < deadline, "GSI entries never appeared"
            time.sleep(0.05)
        # Updates apply in order: the last write wins in the index too.
        ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "g": {"S": "y"}})
        ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "g": {"S": "x"}, "v": {"N": "2"}})
        ddb.delete_item(TableName=name, Key={"pk": {"S": "b"}})
        time.sleep(DELAY_MS / 1000 + 0.5)
        assert ids() == ["a", "c"]
        count = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"]
        assert count == 2
    finally:
        tables.cleanup()
