"""UpdateTable: GSI Create (backfill) / Update / Delete, BillingMode, ProvisionedThroughput,
DeletionProtectionEnabled, and DynamoDB's refusals. Transitions are awaited by polling
DescribeTable as real clients do (the server's control-plane delay may be zero or seconds)."""

import time

import pytest
from boto3.dynamodb.types import TypeDeserializer

from support import (
    STATUS_TIMEOUT_SECONDS,
    expect_error,
    expect_validation,
    unique_name,
    wait_active,
)

HASH = [{"AttributeName": "pk", "KeyType": "HASH"}]
PK_S = [{"AttributeName": "pk", "AttributeType": "S"}]
X_S = [{"AttributeName": "x", "AttributeType": "S"}]


def gsi_create(name="gsx", attr="x", **extra):
    create = {
        "IndexName": name,
        "KeySchema": [{"AttributeName": attr, "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }
    create.update(extra)
    return [{"Create": create}]


def index_of(table, name):
    for index in table.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] == name:
            return index
    return None


def wait_index(client, table, name, timeout=STATUS_TIMEOUT_SECONDS):
    """Polls until the table is ACTIVE and index `name` ACTIVE; returns the table."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        desc = client.describe_table(TableName=table)["Table"]
        last = index_of(desc, name)
        if desc["TableStatus"] == "ACTIVE" and last and last["IndexStatus"] == "ACTIVE":
            return desc
        time.sleep(0.1)
    pytest.fail(f"index {name} of {table} not ACTIVE after {timeout}s: {last}")


def wait_index_gone(client, table, name, timeout=STATUS_TIMEOUT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desc = client.describe_table(TableName=table)["Table"]
        if index_of(desc, name) is None and desc["TableStatus"] == "ACTIVE":
            return desc
        time.sleep(0.1)
    pytest.fail(f"index {name} of {table} still present after {timeout}s")


def plain(item):
    d = TypeDeserializer()
    return {k: d.deserialize(v) for k, v in item.items()}


def full_scan(client, **params):
    items, start = [], None
    while True:
        if start:
            params["ExclusiveStartKey"] = start
        page = client.scan(**params)
        items.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def keyset(items):
    return sorted(i["pk"]["S"] for i in items)


def eventually(check, timeout=10.0):
    """Retries `check` (an assertion) until it passes: GSI writes propagate asynchronously."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture
def filled(ddb, tables):
    """A hash table with 30 items: 10 with a string x, 10 without x, 10 with a numeric x."""
    name = tables.hash_table()
    items = []
    for i in range(30):
        item = {"pk": {"S": f"p{i:02}"}, "y": {"S": f"y{i}"}}
        if i < 10:
            item["x"] = {"S": f"x{i % 5}"}
        elif i >= 20:
            item["x"] = {"N": str(i)}
        items.append(item)
        ddb.put_item(TableName=name, Item=item)
    return name, items


def test_create_gsi_backfills_existing_items(ddb, filled):
    name, items = filled
    out = ddb.update_table(
        TableName=name, AttributeDefinitions=X_S, GlobalSecondaryIndexUpdates=gsi_create()
    )["TableDescription"]
    assert out["TableStatus"] == "UPDATING"
    index = index_of(out, "gsx")
    assert index["IndexStatus"] == "CREATING"
    assert index["Backfilling"] is False
    assert {"AttributeName": "x", "AttributeType": "S"} in out["AttributeDefinitions"]
    # The index is not readable until it is filled.
    expect_validation(
        lambda: ddb.query(
            TableName=name,
            IndexName="gsx",
            KeyConditionExpression="x = :x",
            ExpressionAttributeValues={":x": {"S": "x1"}},
        ),
        "Cannot read from backfilling global secondary index: gsx",
    )
    desc = wait_index(ddb, name, "gsx")
    index = index_of(desc, "gsx")
    assert "Backfilling" not in index
    # Only the items with a string x are indexed (wrong types are skipped, as DynamoDB does).
    expected = [i for i in items if "S" in i.get("x", {})]
    assert index["ItemCount"] == len(expected)
    assert index["IndexSizeBytes"] > 0
    assert keyset(full_scan(ddb, TableName=name, IndexName="gsx")) == keyset(expected)
    got = ddb.query(
        TableName=name,
        IndexName="gsx",
        KeyConditionExpression="x = :x",
        ExpressionAttributeValues={":x": {"S": "x1"}},
    )["Items"]
    assert sorted(plain(i)["pk"] for i in got) == ["p01", "p06"]
    assert plain(got[0])["y"] in ("y1", "y6")
    # Now the index exists, a numeric x is refused on writes.
    expect_validation(
        lambda: ddb.put_item(TableName=name, Item={"pk": {"S": "bad"}, "x": {"N": "1"}}),
        "One or more parameter values were invalid: Type mismatch for Index Key x Expected: S Actual: N IndexName: gsx",
    )


def test_legacy_key_conditions_on_an_index(ddb, filled):
    name, _ = filled
    ddb.update_table(
        TableName=name, AttributeDefinitions=X_S, GlobalSecondaryIndexUpdates=gsi_create()
    )
    wait_index(ddb, name, "gsx")
    got = ddb.query(
        TableName=name,
        IndexName="gsx",
        KeyConditions={"x": {"AttributeValueList": [{"S": "x3"}], "ComparisonOperator": "EQ"}},
    )["Items"]
    assert sorted(plain(i)["pk"] for i in got) == ["p03", "p08"]
    expect_validation(
        lambda: ddb.query(
            TableName=name,
            IndexName="gsx",
            KeyConditions={"pk": {"AttributeValueList": [{"S": "p03"}], "ComparisonOperator": "EQ"}},
        ),
        "Query condition missed key schema element: x",
    )


def test_writes_during_backfill_reach_the_index(ddb, tables):
    name = tables.hash_table()
    for i in range(250):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i:03}"}, "x": {"S": f"v{i % 7}"}})
    ddb.update_table(
        TableName=name, AttributeDefinitions=X_S, GlobalSecondaryIndexUpdates=gsi_create()
    )
    # Writes while the index is CREATING: new items, changed keys, removed keys, deletes.
    for i in range(250, 300):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i:03}"}, "x": {"S": "new"}})
    for i in range(0, 250, 10):
        ddb.update_item(
            TableName=name,
            Key={"pk": {"S": f"k{i:03}"}},
            UpdateExpression="SET x = :x",
            ExpressionAttributeValues={":x": {"S": "moved"}},
        )
    for i in range(5, 250, 10):
        ddb.update_item(TableName=name, Key={"pk": {"S": f"k{i:03}"}}, UpdateExpression="REMOVE x")
    for i in range(3, 250, 10):
        ddb.delete_item(TableName=name, Key={"pk": {"S": f"k{i:03}"}})
    wait_index(ddb, name, "gsx")

    def index_matches_table():
        table = {i["pk"]["S"]: i for i in full_scan(ddb, TableName=name) if "x" in i}
        index = {i["pk"]["S"]: i for i in full_scan(ddb, TableName=name, IndexName="gsx")}
        assert index == table

    eventually(index_matches_table)
    moved = ddb.query(
        TableName=name,
        IndexName="gsx",
        KeyConditionExpression="x = :x",
        ExpressionAttributeValues={":x": {"S": "moved"}},
    )["Items"]
    assert len(moved) == 25
    desc = ddb.describe_table(TableName=name)["Table"]
    assert index_of(desc, "gsx")["ItemCount"] == 300 - 25 - 25


def test_delete_gsi(ddb, tables):
    name, _ = tables.create(
        HASH,
        PK_S + X_S,
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsx",
                "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "x": {"S": "1"}})
    out = ddb.update_table(
        TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsx"}}]
    )["TableDescription"]
    assert out["TableStatus"] == "UPDATING"
    assert index_of(out, "gsx")["IndexStatus"] == "DELETING"
    desc = wait_index_gone(ddb, name, "gsx")
    assert "GlobalSecondaryIndexes" not in desc
    assert desc["AttributeDefinitions"] == PK_S
    expect_validation(
        lambda: ddb.query(
            TableName=name,
            IndexName="gsx",
            KeyConditionExpression="x = :x",
            ExpressionAttributeValues={":x": {"S": "1"}},
        ),
        "The table does not have the specified index: gsx",
    )
    # Without the index, x may hold any type again.
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "x": {"N": "7"}})
    expect_error(
        lambda: ddb.update_table(
            TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsx"}}]
        ),
        "ResourceNotFoundException",
        f"Requested resource not found: Index gsx for table {name}",
    )
    # The same name can be created again, and is filled from the items.
    ddb.update_table(
        TableName=name, AttributeDefinitions=X_S, GlobalSecondaryIndexUpdates=gsi_create()
    )
    wait_index(ddb, name, "gsx")
    assert keyset(full_scan(ddb, TableName=name, IndexName="gsx")) == ["a"]


def test_billing_mode_switch(ddb, tables):
    name = tables.hash_table()
    out = ddb.update_table(
        TableName=name,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
    )["TableDescription"]
    assert out["TableStatus"] == "UPDATING"
    desc = wait_active(ddb, name)
    assert desc["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 6
    before = time.time()
    ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    desc = wait_active(ddb, name)
    summary = desc["BillingModeSummary"]
    assert summary["BillingMode"] == "PAY_PER_REQUEST"
    assert summary["LastUpdateToPayPerRequestDateTime"].timestamp() >= before - 1
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    # Re-sending the current on-demand mode changes nothing and is accepted.
    ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")


def test_switch_to_provisioned_needs_every_gsi_capacity(ddb, tables):
    name, _ = tables.create(
        HASH,
        PK_S + X_S,
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsx",
                "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    pt = {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}
    expect_validation(
        lambda: ddb.update_table(TableName=name, BillingMode="PROVISIONED", ProvisionedThroughput=pt),
        "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: gsx",
    )
    ddb.update_table(
        TableName=name,
        BillingMode="PROVISIONED",
        ProvisionedThroughput=pt,
        GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "gsx", "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 5}}}
        ],
    )
    desc = wait_index(ddb, name, "gsx")
    got = index_of(desc, "gsx")["ProvisionedThroughput"]
    assert (got["ReadCapacityUnits"], got["WriteCapacityUnits"]) == (4, 5)


def test_throughput_update_goes_updating_then_active(ddb, tables):
    name, _ = tables.create(
        HASH, PK_S, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    )
    before = time.time()
    out = ddb.update_table(
        TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}
    )["TableDescription"]
    assert out["TableStatus"] == "UPDATING"
    desc = wait_active(ddb, name)
    pt = desc["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (10, 5)
    assert pt["LastIncreaseDateTime"].timestamp() >= before - 1
    assert pt["NumberOfDecreasesToday"] == 0
    assert "LastDecreaseDateTime" not in pt
    ddb.update_table(
        TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 5}
    )
    pt = wait_active(ddb, name)["ProvisionedThroughput"]
    assert pt["ReadCapacityUnits"] == 3
    assert pt["NumberOfDecreasesToday"] == 1
    assert pt["LastDecreaseDateTime"].timestamp() >= before - 1
    expect_validation(
        lambda: ddb.update_table(
            TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 5}
        ),
        "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 3. Requested ReadCapacityUnits: 3. Current WriteCapacityUnits provisioned for the table: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
    )


def test_gsi_throughput_update(ddb, tables):
    pt = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    name, _ = tables.create(
        HASH,
        PK_S + X_S,
        ProvisionedThroughput=pt,
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsx",
                "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": pt,
            }
        ],
    )
    out = ddb.update_table(
        TableName=name,
        GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "gsx", "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 1}}}
        ],
    )["TableDescription"]
    assert out["TableStatus"] == "ACTIVE"
    assert index_of(out, "gsx")["IndexStatus"] == "UPDATING"
    got = index_of(wait_index(ddb, name, "gsx"), "gsx")["ProvisionedThroughput"]
    assert got["ReadCapacityUnits"] == 7
    assert "LastIncreaseDateTime" in got


def test_deletion_protection_blocks_delete_table(ddb, tables):
    name = tables.hash_table()
    out = ddb.update_table(TableName=name, DeletionProtectionEnabled=True)["TableDescription"]
    assert out["DeletionProtectionEnabled"] is True
    assert ddb.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"] is True
    expect_validation(
        lambda: ddb.delete_table(TableName=name),
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
    )
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    wait_active(ddb, name)
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"


def test_delete_table_refused_while_an_index_is_created(ddb, tables):
    name = tables.hash_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "x": {"S": "1"}})
    ddb.update_table(
        TableName=name, AttributeDefinitions=X_S, GlobalSecondaryIndexUpdates=gsi_create()
    )
    expect_error(
        lambda: ddb.delete_table(TableName=name),
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Cannot delete table while indexes are being created, updated, or deleted.",
    )
    # A second online index operation must wait for the first.
    expect_error(
        lambda: ddb.update_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=gsi_create("gsy", "y"),
        ),
        "LimitExceededException",
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
    )
    wait_index(ddb, name, "gsx")


NOTHING = "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required"
INVALID = "One or more parameter values were invalid: "


@pytest.fixture(scope="module")
def lsi_table(ddb):
    from support import TableFactory

    factory = TableFactory(ddb)
    name, _ = factory.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "S"},
        ],
        label="ut",
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    yield name
    factory.cleanup()


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, NOTHING),
        ({"AttributeDefinitions": X_S}, NOTHING),
        ({"GlobalSecondaryIndexUpdates": []}, NOTHING),
        (
            {"GlobalSecondaryIndexUpdates": [], "DeletionProtectionEnabled": True},
            INVALID + "List of GlobalSecondaryIndexUpdates is empty",
        ),
        (
            {"BillingMode": "PROVISIONED"},
            INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
        ),
        (
            {"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
            INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        ),
        (
            {"GlobalSecondaryIndexUpdates": [{}]},
            INVALID + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null",
        ),
        (
            {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "abc"}, "Update": {"IndexName": "abc", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]},
            INVALID + "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object",
        ),
        (
            {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "abc"}}, {"Delete": {"IndexName": "abc"}}]},
            INVALID + "Only one global secondary index update per index is allowed simultaneously. Index: abc",
        ),
        (
            {"GlobalSecondaryIndexUpdates": gsi_create()},
            INVALID + "AttributeDefinitions is not specified for index: gsx",
        ),
        (
            {"AttributeDefinitions": [{"AttributeName": "y", "AttributeType": "S"}], "GlobalSecondaryIndexUpdates": gsi_create()},
            INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [x], AttributeDefinitions: [y]",
        ),
        (
            {"AttributeDefinitions": X_S, "GlobalSecondaryIndexUpdates": gsi_create("lsi")},
            "Attempting to create an index which already exists",
        ),
        (
            {"AttributeDefinitions": X_S, "GlobalSecondaryIndexUpdates": gsi_create(ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})},
            INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: gsx when BillingMode is PAY_PER_REQUEST",
        ),
        (
            {"AttributeDefinitions": [{"AttributeName": "l", "AttributeType": "N"}], "GlobalSecondaryIndexUpdates": gsi_create("gsl", "l")},
            INVALID + "Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema: Schema:[SchemaElement: key{pk:S:HASH}, SchemaElement: key{l:S:RANGE}] New schema: Schema:[SchemaElement: key{l:N:HASH}]",
        ),
        (
            {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "lsi"}}]},
            "Cannot delete an index that is not a GlobalSecondaryIndex: lsi",
        ),
        (
            {"DeletionProtectionEnabled": True, "BillingMode": "PAY_PER_REQUEST"},
            INVALID + "DeletionProtection modification must be the only operation in the request",
        ),
    ],
)
def test_update_table_validation(raw_ddb, lsi_table, params, message):
    expect_validation(lambda: raw_ddb.update_table(TableName=lsi_table, **params), message)


def test_update_table_limits_and_missing_things(raw_ddb, lsi_table):
    expect_error(
        lambda: raw_ddb.update_table(
            TableName=lsi_table,
            AttributeDefinitions=[X_S[0], {"AttributeName": "y", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=gsi_create("gs1") + gsi_create("gsy2", "y"),
        ),
        "LimitExceededException",
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
    )
    expect_error(
        lambda: raw_ddb.update_table(
            TableName=lsi_table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}]
        ),
        "ResourceNotFoundException",
        f"Requested resource not found: Index nope for table {lsi_table}",
    )
    expect_validation(
        lambda: raw_ddb.update_table(
            TableName=lsi_table,
            GlobalSecondaryIndexUpdates=[
                {"Update": {"IndexName": "lsi", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}
            ],
        ),
        "Cannot update an index that is not a GlobalSecondaryIndex: lsi",
    )
    missing = unique_name("gone")
    expect_error(
        lambda: raw_ddb.update_table(TableName=missing, DeletionProtectionEnabled=True),
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {missing} not found",
    )


def test_gsi_update_on_an_on_demand_table_is_refused(raw_ddb, tables):
    name, _ = tables.create(
        HASH,
        PK_S + X_S,
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsx",
                "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    expect_validation(
        lambda: raw_ddb.update_table(
            TableName=name,
            GlobalSecondaryIndexUpdates=[
                {"Update": {"IndexName": "gsx", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}
            ],
        ),
        INVALID + "The only Updates for index: gsx when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput",
    )
