"""Backups and point-in-time recovery from the AWS CLI, as a user rolls a table back:
`create-backup`, `list-backups`, `describe-backup`, `restore-table-from-backup`,
`update-continuous-backups`, `describe-continuous-backups`,
`restore-table-to-point-in-time`, `delete-backup`."""

import datetime
import json
import time
import uuid

import boto3
import pytest
from botocore.config import Config

from test_partiql_cli import cli


@pytest.fixture
def client(endpoint):
    return boto3.client("dynamodb", endpoint_url=endpoint,
                        config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def names(client):
    made = []
    yield made
    for name in made:
        try:
            client.delete_table(TableName=name)
        except client.exceptions.ResourceNotFoundException:
            pass


def wait_active(client, name):
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    for _ in range(300):
        if client.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE":
            return
        time.sleep(0.2)
    pytest.fail(f"{name} not ACTIVE")


def epoch(value):
    """A timestamp as the CLI prints it (epoch seconds in CLI v1, ISO 8601 in v2)."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value).timestamp()
    return float(value)


def keys(client, name):
    return sorted(i["id"]["S"] for i in client.scan(TableName=name, ConsistentRead=True)["Items"])


def test_backup_restore_and_roll_back_with_the_cli(endpoint, client, names):
    name = f"conf-cli-{uuid.uuid4().hex[:12]}"
    names.append(name)
    cli(endpoint, "create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=id,AttributeType=S",
        "--key-schema", "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
    wait_active(client, name)
    for k in ("a", "b"):
        cli(endpoint, "put-item", "--table-name", name, "--item", json.dumps({"id": {"S": k}}))

    backup = json.loads(cli(endpoint, "create-backup", "--table-name", name,
                            "--backup-name", "before").stdout)["BackupDetails"]
    arn = backup["BackupArn"]
    listed = json.loads(cli(endpoint, "list-backups", "--table-name", name).stdout)
    assert [b["BackupArn"] for b in listed["BackupSummaries"]] == [arn]
    described = json.loads(cli(endpoint, "describe-backup", "--backup-arn", arn).stdout)
    assert described["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE"

    enabled = json.loads(cli(endpoint, "update-continuous-backups", "--table-name", name,
                             "--point-in-time-recovery-specification",
                             "PointInTimeRecoveryEnabled=true").stdout)
    pitr = enabled["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] in ("ENABLING", "ENABLED")
    for _ in range(300):
        described = json.loads(cli(endpoint, "describe-continuous-backups", "--table-name",
                                   name).stdout)["ContinuousBackupsDescription"]
        if described["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED":
            break
        time.sleep(0.1)
    time.sleep(1.1)
    good = time.time()
    time.sleep(1.1)
    # The bad deploy.
    cli(endpoint, "delete-item", "--table-name", name, "--key", json.dumps({"id": {"S": "a"}}))
    cli(endpoint, "put-item", "--table-name", name, "--item", json.dumps({"id": {"S": "z"}}))
    described = json.loads(cli(endpoint, "describe-continuous-backups", "--table-name", name).stdout)
    window = described["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert epoch(window["EarliestRestorableDateTime"]) <= good <= epoch(
        window["LatestRestorableDateTime"]) + 1

    rolled = f"{name}-rolled"
    names.append(rolled)
    # A whole second, as a user types it.
    cli(endpoint, "restore-table-to-point-in-time", "--source-table-name", name,
        "--target-table-name", rolled, "--restore-date-time", str(int(good)))
    wait_active(client, rolled)
    assert keys(client, rolled) == ["a", "b"]

    latest = f"{name}-latest"
    names.append(latest)
    cli(endpoint, "restore-table-to-point-in-time", "--source-table-name", name,
        "--target-table-name", latest, "--use-latest-restorable-time")
    wait_active(client, latest)
    assert keys(client, latest) == ["b", "z"]

    restored = f"{name}-backup"
    names.append(restored)
    out = json.loads(cli(endpoint, "restore-table-from-backup", "--target-table-name", restored,
                         "--backup-arn", arn).stdout)
    assert out["TableDescription"]["RestoreSummary"]["SourceBackupArn"] == arn
    wait_active(client, restored)
    assert keys(client, restored) == ["a", "b"]

    gone = json.loads(cli(endpoint, "delete-backup", "--backup-arn", arn).stdout)
    assert gone["BackupDescription"]["BackupDetails"]["BackupStatus"] == "DELETED"
    missing = cli(endpoint, "describe-backup", "--backup-arn", arn, check=False)
    assert missing.returncode != 0 and "BackupNotFoundException" in missing.stderr
