"""On-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup and
RestoreTableFromBackup — answers, statuses, ARNs, sizes, item counts, errors — and the small
operations tools call on startup (DescribeLimits, DescribeContinuousBackups, the read
operations of features extenddb does not offer)."""

import datetime
import re
import time

import pytest

from support import expect_error, unique_name, wait_active

ARN = re.compile(r"^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table/(?P<table>[^/]+)/backup/\d{14}-[0-9a-f]{8}$")


@pytest.fixture
def backups(ddb):
    """Backup ARNs to delete when the test ends."""
    made = []
    yield made
    for arn in made:
        try:
            ddb.delete_backup(BackupArn=arn)
        except ddb.exceptions.BackupNotFoundException:
            pass


def indexed_table(tables):
    """A table with an LSI and a GSI; returns its name."""
    name, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "N"},
        ],
        label="bk",
        LocalSecondaryIndexes=[{
            "IndexName": "byL",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
        GlobalSecondaryIndexes=[{
            "IndexName": "byG",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
    )
    return name


def fill(ddb, name, n=30):
    for i in range(n):
        ddb.put_item(TableName=name, Item={
            "pk": {"S": f"p{i % 3}"}, "sk": {"N": str(i)}, "g": {"S": f"g{i % 5}"},
            "l": {"N": str(100 - i)}, "v": {"S": "x" * i},
        })


def all_items(ddb, name, **extra):
    items, start = [], None
    while True:
        kw = dict(TableName=name, ConsistentRead=True, **extra)
        if start:
            kw["ExclusiveStartKey"] = start
        page = ddb.scan(**kw)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return sorted(items, key=lambda it: (it["pk"]["S"], int(it["sk"]["N"])))


def restore(ddb, tables, arn, **extra):
    target = unique_name("rs")
    response = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn, **extra)
    tables.created.append(target)
    return target, response["TableDescription"]


def wait_index_active(ddb, name, index, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        table = ddb.describe_table(TableName=name)["Table"]
        gsis = {g["IndexName"]: g["IndexStatus"] for g in table.get("GlobalSecondaryIndexes", [])}
        if gsis.get(index) == "ACTIVE":
            return
        time.sleep(0.2)
    pytest.fail(f"index {index} of {name} not ACTIVE after {timeout}s")


def test_backup_describe_list_restore_delete(ddb, tables, backups):
    name = indexed_table(tables)
    fill(ddb, name)
    source = ddb.describe_table(TableName=name)["Table"]
    before = all_items(ddb, name)
    details = ddb.create_backup(TableName=name, BackupName="nightly")["BackupDetails"]
    arn = details["BackupArn"]
    backups.append(arn)
    assert ARN.match(arn).group("table") == name
    assert details["BackupName"] == "nightly"
    assert details["BackupStatus"] == "CREATING"
    assert details["BackupType"] == "USER"
    assert details["BackupSizeBytes"] == source["TableSizeBytes"] > 0
    # Writes after the backup are not in it.
    ddb.put_item(TableName=name, Item={"pk": {"S": "late"}, "sk": {"N": "1"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "p0"}, "sk": {"N": "0"}})

    described = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert described["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert described["BackupDetails"]["BackupCreationDateTime"] == details["BackupCreationDateTime"]
    src = described["SourceTableDetails"]
    assert (src["TableName"], src["TableId"], src["TableArn"]) == (
        name, source["TableId"], source["TableArn"])
    assert src["ItemCount"] == 30
    assert src["TableSizeBytes"] == details["BackupSizeBytes"]
    assert src["KeySchema"] == source["KeySchema"]
    assert src["BillingMode"] == "PAY_PER_REQUEST"
    features = described["SourceTableFeatureDetails"]
    assert [i["IndexName"] for i in features["LocalSecondaryIndexes"]] == ["byL"]
    assert [i["IndexName"] for i in features["GlobalSecondaryIndexes"]] == ["byG"]
    assert features["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}

    listed = ddb.list_backups(TableName=name)["BackupSummaries"]
    assert [b["BackupArn"] for b in listed] == [arn]
    assert listed[0]["BackupStatus"] == "AVAILABLE"
    assert listed[0]["TableArn"] == source["TableArn"]

    target, answered = restore(ddb, tables, arn)
    assert answered["TableName"] == target
    assert answered["TableStatus"] == "CREATING"
    assert answered["RestoreSummary"]["SourceBackupArn"] == arn
    assert answered["RestoreSummary"]["SourceTableArn"] == source["TableArn"]
    assert answered["RestoreSummary"]["RestoreInProgress"] is True
    assert answered["RestoreSummary"]["RestoreDateTime"] == details["BackupCreationDateTime"]
    restored = wait_active(ddb, target)
    assert restored["RestoreSummary"]["RestoreInProgress"] is False
    assert restored["ItemCount"] == 30
    assert restored["TableId"] != source["TableId"]
    assert all_items(ddb, target) == before
    # The LSI came back with the items; the GSI is rebuilt from them.
    lsi = ddb.query(TableName=target, IndexName="byL", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "p1"}})["Items"]
    assert [int(i["l"]["N"]) for i in lsi] == sorted(100 - i for i in range(30) if i % 3 == 1)
    wait_index_active(ddb, target, "byG")
    gsi = ddb.query(TableName=target, IndexName="byG", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "g0"}})["Items"]
    assert sorted(int(i["sk"]["N"]) for i in gsi) == [i for i in range(30) if i % 5 == 0]

    deleted = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    expect_error(lambda: ddb.describe_backup(BackupArn=arn), "BackupNotFoundException",
                 f"Backup not found: {arn}")
    expect_error(lambda: ddb.delete_backup(BackupArn=arn), "BackupNotFoundException",
                 f"Backup not found: {arn}")
    assert ddb.list_backups(TableName=name)["BackupSummaries"] == []
    # The restored table is independent of the backup.
    assert len(all_items(ddb, target)) == 30


def test_backup_survives_delete_table(ddb, tables, backups):
    name = tables.hash_table()
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "n": {"N": str(i)}})
    arn = ddb.create_backup(TableName=name, BackupName="before-drop")["BackupDetails"]["BackupArn"]
    backups.append(arn)
    ddb.delete_table(TableName=name)
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"][
        "BackupStatus"] == "AVAILABLE"
    target, _ = restore(ddb, tables, arn)
    wait_active(ddb, target)
    items = ddb.scan(TableName=target)["Items"]
    assert sorted(i["pk"]["S"] for i in items) == [f"k{i}" for i in range(5)]


def test_list_backups_filters_and_pages(ddb, tables, backups):
    name = tables.hash_table()
    arns = []
    for i in range(3):
        arns.append(ddb.create_backup(TableName=name, BackupName=f"bkp{i}")["BackupDetails"])
        backups.append(arns[-1]["BackupArn"])
        time.sleep(0.01)
    every = [b["BackupArn"] for b in arns]
    assert [b["BackupArn"] for b in ddb.list_backups(TableName=name)["BackupSummaries"]] == every
    assert [b["BackupArn"] for b in ddb.list_backups(TableName=name, BackupType="ALL")[
        "BackupSummaries"]] == every
    assert ddb.list_backups(TableName=name, BackupType="SYSTEM")["BackupSummaries"] == []
    # Paging.
    page = ddb.list_backups(TableName=name, Limit=2)
    assert [b["BackupArn"] for b in page["BackupSummaries"]] == every[:2]
    assert page["LastEvaluatedBackupArn"] == every[1]
    rest = ddb.list_backups(TableName=name, Limit=2, ExclusiveStartBackupArn=every[1])
    assert [b["BackupArn"] for b in rest["BackupSummaries"]] == every[2:]
    assert "LastEvaluatedBackupArn" not in rest
    # Time range (boto3 sends whole seconds): lower bound inclusive, upper bound exclusive.
    t1 = arns[1]["BackupCreationDateTime"]
    hour = datetime.timedelta(hours=1)
    around = ddb.list_backups(TableName=name, TimeRangeLowerBound=t1 - hour,
                              TimeRangeUpperBound=t1 + hour)
    assert [b["BackupArn"] for b in around["BackupSummaries"]] == every
    assert ddb.list_backups(TableName=name, TimeRangeLowerBound=t1 + hour)["BackupSummaries"] == []
    assert ddb.list_backups(TableName=name, TimeRangeUpperBound=t1 - hour)["BackupSummaries"] == []


def test_restore_overrides(ddb, tables, backups):
    name = indexed_table(tables)
    fill(ddb, name, n=6)
    arn = ddb.create_backup(TableName=name, BackupName="ovr")["BackupDetails"]["BackupArn"]
    backups.append(arn)
    target, answered = restore(
        ddb, tables, arn, BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
        GlobalSecondaryIndexOverride=[], LocalSecondaryIndexOverride=[])
    assert answered["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert answered["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert "GlobalSecondaryIndexes" not in answered
    assert "LocalSecondaryIndexes" not in answered
    table = wait_active(ddb, target)
    assert table["ItemCount"] == 6
    assert "BillingModeSummary" not in table or table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"


def test_backup_and_restore_errors(ddb, tables, backups):
    missing = unique_name("none")
    expect_error(lambda: ddb.create_backup(TableName=missing, BackupName="bkp"),
                 "TableNotFoundException", f"Table not found: {missing}")
    name = tables.hash_table()
    arn = ddb.create_backup(TableName=name, BackupName="bkp")["BackupDetails"]["BackupArn"]
    backups.append(arn)
    expect_error(lambda: ddb.restore_table_from_backup(TargetTableName=name, BackupArn=arn),
                 "TableAlreadyExistsException", f"Table already exists: {name}")
    bogus = arn[:-8] + "00000000"
    expect_error(lambda: ddb.describe_backup(BackupArn=bogus), "BackupNotFoundException",
                 f"Backup not found: {bogus}")
    expect_error(lambda: ddb.restore_table_from_backup(TargetTableName=unique_name("x"),
                                                       BackupArn=bogus),
                 "BackupNotFoundException", f"Backup not found: {bogus}")
    expect_error(lambda: ddb.describe_continuous_backups(TableName=missing),
                 "TableNotFoundException", f"Table not found: {missing}")


def test_small_operations_tools_call(ddb, tables):
    assert {k: v for k, v in ddb.describe_limits().items() if k != "ResponseMetadata"} == {
        "AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}
    name = tables.hash_table()
    assert ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"] == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    assert ddb.list_global_tables()["GlobalTables"] == []
    assert ddb.list_exports()["ExportSummaries"] == []
    assert ddb.list_imports()["ImportSummaryList"] == []
    assert ddb.list_contributor_insights()["ContributorInsightsSummaries"] == []
    insights = ddb.describe_contributor_insights(TableName=name)
    assert (insights["TableName"], insights["ContributorInsightsStatus"]) == (name, "DISABLED")
    kinesis = ddb.describe_kinesis_streaming_destination(TableName=name)
    assert kinesis["KinesisDataStreamDestinations"] == []
    scaling = ddb.describe_table_replica_auto_scaling(TableName=name)["TableAutoScalingDescription"]
    assert (scaling["TableName"], scaling["Replicas"]) == (name, [])
    expect_error(lambda: ddb.describe_global_table(GlobalTableName=name),
                 "GlobalTableNotFoundException",
                 f"Global table not found: Global table with name: {name} does not exist.")
    missing = unique_name("none")
    expect_error(lambda: ddb.describe_kinesis_streaming_destination(TableName=missing),
                 "ResourceNotFoundException", f"Requested resource not found: Table: {missing} not found")
    # Operations that would turn on a feature needing other AWS services stay unknown.
    expect_error(lambda: ddb.create_global_table(GlobalTableName=name,
                                                 ReplicationGroup=[{"RegionName": "us-east-1"}]),
                 "UnknownOperationException", "Unknown operation exception")
