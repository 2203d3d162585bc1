"""Point-in-time recovery: UpdateContinuousBackups / DescribeContinuousBackups answers and
errors, and a randomized history of puts, updates and deletes with the expected table
recorded at several instants, each restored with RestoreTableToPointInTime and compared item
by item (a GSI included)."""

import random
import time

import pytest

from support import expect_error, unique_name, wait_active, wait_gone


def enable(ddb, name, **spec):
    """Turns PITR on and waits until it is ENABLED (the server takes the base copy about a
    second later); returns DescribeContinuousBackups' description then."""
    answer = ddb.update_continuous_backups(
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, **spec},
    )["ContinuousBackupsDescription"]
    assert answer["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] in (
        "ENABLING", "ENABLED")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        described = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        if described["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED":
            return described
        time.sleep(0.1)
    pytest.fail(f"PITR of {name} not ENABLED after 30 s")


def table_with_gsi(tables):
    name, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}],
        [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        label="pitr",
        GlobalSecondaryIndexes=[{"IndexName": "byG",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
    )
    return name


def snapshot(ddb, name):
    items = ddb.scan(TableName=name, ConsistentRead=True)["Items"]
    return {i["pk"]["S"]: i for i in items}


def test_enable_describe_disable(ddb, tables):
    name = tables.hash_table()
    off = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert off["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}
    before = time.time()
    on = enable(ddb, name, RecoveryPeriodInDays=7)
    pitr = on["PointInTimeRecoveryDescription"]
    assert on["ContinuousBackupsStatus"] == "ENABLED"
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert pitr["RecoveryPeriodInDays"] == 7
    assert before <= pitr["EarliestRestorableDateTime"].timestamp() <= pitr[
        "LatestRestorableDateTime"].timestamp() <= time.time() + 1
    assert enable(ddb, name, RecoveryPeriodInDays=35)["PointInTimeRecoveryDescription"][
        "RecoveryPeriodInDays"] == 35
    off = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    assert off["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"] == {
        "PointInTimeRecoveryStatus": "DISABLED"}
    expect_error(
        lambda: ddb.restore_table_to_point_in_time(SourceTableName=name,
                                                   TargetTableName=unique_name("x"),
                                                   UseLatestRestorableTime=True),
        "PointInTimeRecoveryUnavailableException",
        f"Point in time recovery is not enabled for table '{name}'")


def test_pitr_errors(ddb, tables):
    missing = unique_name("none")
    expect_error(lambda: ddb.update_continuous_backups(
        TableName=missing, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}),
        "TableNotFoundException", f"Table not found: {missing}")
    expect_error(lambda: ddb.restore_table_to_point_in_time(
        SourceTableName=missing, TargetTableName=unique_name("x"), UseLatestRestorableTime=True),
        "SourceTableNotFoundException", f"Source table not found: {missing}")
    name = tables.hash_table()
    enable(ddb, name)
    other = tables.hash_table()
    expect_error(lambda: ddb.restore_table_to_point_in_time(
        SourceTableName=name, TargetTableName=other, UseLatestRestorableTime=True),
        "TableAlreadyExistsException", f"Table already exists: {other}")
    with pytest.raises(ddb.exceptions.InvalidRestoreTimeException):
        ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=unique_name("x"),
                                           RestoreDateTime=time.time() - 3600)


def test_randomized_history_restores_exactly(ddb, tables):
    name = table_with_gsi(tables)
    rng = random.Random(23)

    def change():
        k = f"k{rng.randrange(25)}"
        roll = rng.randrange(3)
        if roll == 0:
            ddb.delete_item(TableName=name, Key={"pk": {"S": k}})
        elif roll == 1:
            ddb.update_item(TableName=name, Key={"pk": {"S": k}},
                            UpdateExpression="SET g = :g ADD n :one",
                            ExpressionAttributeValues={":g": {"S": f"g{rng.randrange(3)}"},
                                                       ":one": {"N": "1"}})
        else:
            ddb.put_item(TableName=name, Item={"pk": {"S": k}, "g": {"S": f"g{rng.randrange(3)}"},
                                               "v": {"N": str(rng.randrange(1000))}})

    for _ in range(40):
        change()
    enable(ddb, name)
    expected = []
    for round_ in range(4):
        for _ in range(10 + 5 * round_):
            change()
        state = snapshot(ddb, name)
        expected.append((time.time(), state))
        time.sleep(0.005)
    for i, (at, state) in enumerate(expected):
        target = unique_name(f"at{i}")
        tables.created.append(target)
        answer = ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=target,
                                                    RestoreDateTime=at)["TableDescription"]
        assert answer["RestoreSummary"]["SourceTableArn"].endswith(f":table/{name}")
        assert answer["RestoreSummary"]["RestoreInProgress"] is True
        wait_active(ddb, target)
        assert snapshot(ddb, target) == state, f"restore {i}"
        for g in ("g0", "g1", "g2"):
            got = ddb.query(TableName=target, IndexName="byG", KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": {"S": g}})["Items"]
            assert sorted(i["pk"]["S"] for i in got) == sorted(
                k for k, it in state.items() if it.get("g", {}).get("S") == g), f"restore {i} {g}"


def test_restore_a_deleted_table(ddb, tables):
    name = tables.hash_table()
    enable(ddb, name)
    for i in range(4):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}})
    ddb.delete_table(TableName=name)
    # Restorable from the moment DeleteTable answers, and after the table is gone.
    for label in ("deleting", "gone"):
        if label == "gone":
            wait_gone(ddb, name)
        target = unique_name(label)
        tables.created.append(target)
        ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=target,
                                           UseLatestRestorableTime=True)
        wait_active(ddb, target)
        assert sorted(snapshot(ddb, target)) == ["k0", "k1", "k2", "k3"]
