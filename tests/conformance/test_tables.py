"""Table lifecycle: CreateTable, DescribeTable, ListTables, DeleteTable on success paths."""

import datetime
import re

from support import expect_error, unique_name, wait_active, wait_gone

ARN_RE = re.compile(r"arn:aws:dynamodb:us-east-1:\d{12}:table/(?P<name>[A-Za-z0-9_.-]+)")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

HASH_ONLY = dict(
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
)


def test_create_returns_creating_description(ddb, tables):
    before = datetime.datetime.now(datetime.timezone.utc)
    name, response = tables.create(HASH_ONLY["KeySchema"], HASH_ONLY["AttributeDefinitions"], wait=False)
    desc = response["TableDescription"]
    assert desc["TableName"] == name
    assert desc["TableStatus"] == "CREATING"
    assert desc["KeySchema"] == HASH_ONLY["KeySchema"]
    assert desc["AttributeDefinitions"] == HASH_ONLY["AttributeDefinitions"]
    assert desc["ItemCount"] == 0
    assert desc["TableSizeBytes"] == 0
    created = desc["CreationDateTime"]
    assert isinstance(created, datetime.datetime)
    # Allow for clock skew between the test host and the server of a few seconds.
    assert abs((created - before).total_seconds()) < 30
    match = ARN_RE.fullmatch(desc["TableArn"])
    assert match and match.group("name") == name
    assert UUID_RE.fullmatch(desc["TableId"])
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_describe_pay_per_request_table_full_description(ddb, tables):
    name, created = tables.create(HASH_ONLY["KeySchema"], HASH_ONLY["AttributeDefinitions"])
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc["TableName"] == name
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert desc["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    assert desc["ItemCount"] == 0 and isinstance(desc["ItemCount"], int)
    assert desc["TableSizeBytes"] == 0 and isinstance(desc["TableSizeBytes"], int)
    assert desc["CreationDateTime"] == created["TableDescription"]["CreationDateTime"]
    assert desc["TableArn"] == created["TableDescription"]["TableArn"]
    assert desc["TableId"] == created["TableDescription"]["TableId"]
    assert desc["ProvisionedThroughput"] == {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": 0,
        "WriteCapacityUnits": 0,
    }
    summary = desc["BillingModeSummary"]
    assert summary["BillingMode"] == "PAY_PER_REQUEST"
    assert isinstance(summary["LastUpdateToPayPerRequestDateTime"], datetime.datetime)
    assert desc["DeletionProtectionEnabled"] is False
    # No indexes or streams were asked for, so none are described.
    for absent in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes", "StreamSpecification"):
        assert absent not in desc


def test_describe_provisioned_hash_range_table(ddb, tables):
    name, _ = tables.create(
        [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        [
            {"AttributeName": "pk", "AttributeType": "N"},
            {"AttributeName": "sk", "AttributeType": "B"},
        ],
        label="prov",
        ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
    )
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert sorted(desc["AttributeDefinitions"], key=lambda d: d["AttributeName"]) == [
        {"AttributeName": "pk", "AttributeType": "N"},
        {"AttributeName": "sk", "AttributeType": "B"},
    ]
    assert desc["ProvisionedThroughput"] == {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": 7,
        "WriteCapacityUnits": 3,
    }
    assert desc.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") == "PROVISIONED"


def test_list_tables_includes_new_table(ddb, tables):
    name, _ = tables.create(HASH_ONLY["KeySchema"], HASH_ONLY["AttributeDefinitions"])
    names = []
    kwargs = {}
    while True:
        page = ddb.list_tables(**kwargs)
        names.extend(page["TableNames"])
        if "LastEvaluatedTableName" not in page:
            break
        kwargs = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    assert name in names
    assert names == sorted(names)


def test_list_tables_pagination(ddb, tables):
    # Three tables whose names sort next to each other and after nothing else of ours.
    base = unique_name("page")
    names = [f"{base}-a", f"{base}-b", f"{base}-c"]
    for n in names:
        ddb.create_table(TableName=n, BillingMode="PAY_PER_REQUEST", **HASH_ONLY)
        tables.created.append(n)
    for n in names:
        wait_active(ddb, n)

    # Limit 1 from just before ours: exactly the next name, and it says where to go on.
    page = ddb.list_tables(ExclusiveStartTableName=names[0], Limit=1)
    assert page["TableNames"] == [names[1]]
    assert page["LastEvaluatedTableName"] == names[1]

    # (Whether this page carries LastEvaluatedTableName depends on tables after ours.)
    page = ddb.list_tables(ExclusiveStartTableName=names[1], Limit=1)
    assert page["TableNames"] == [names[2]]

    page = ddb.list_tables(ExclusiveStartTableName=names[0], Limit=2)
    assert page["TableNames"] == names[1:]

    # Walking every page with Limit 2 visits each table once, in ascending order.
    seen = []
    kwargs = {"Limit": 2}
    while True:
        page = ddb.list_tables(**kwargs)
        assert len(page["TableNames"]) <= 2
        seen.extend(page["TableNames"])
        if "LastEvaluatedTableName" not in page:
            break
        assert page["LastEvaluatedTableName"] == page["TableNames"][-1]
        kwargs = {"Limit": 2, "ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    assert seen == sorted(set(seen))
    assert [n for n in seen if n.startswith(base)] == names


def test_list_tables_start_name_need_not_exist(ddb, tables):
    name, _ = tables.create(HASH_ONLY["KeySchema"], HASH_ONLY["AttributeDefinitions"])
    # A start name that is not a table: listing resumes after where it would sort.
    page = ddb.list_tables(ExclusiveStartTableName=name[:-1], Limit=100)
    assert name in page["TableNames"]
    assert all(n > name[:-1] for n in page["TableNames"])


def test_delete_table_then_describe_not_found(ddb, tables):
    name, _ = tables.create(HASH_ONLY["KeySchema"], HASH_ONLY["AttributeDefinitions"])
    response = ddb.delete_table(TableName=name)
    desc = response["TableDescription"]
    assert desc["TableName"] == name
    assert desc["TableStatus"] == "DELETING"
    # DeleteTable's description is shorter than DescribeTable's.
    for absent in ("KeySchema", "AttributeDefinitions", "CreationDateTime"):
        assert absent not in desc
    assert desc["TableArn"].endswith(":table/" + name)
    assert desc["ItemCount"] == 0
    err = wait_gone(ddb, name)
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (
        err.response["Error"]["Message"]
        == f"Requested resource not found: Table: {name} not found"
    )
    assert name not in ddb.list_tables(ExclusiveStartTableName=name[:-1])["TableNames"]


def test_recreate_after_delete(ddb, tables):
    name, _ = tables.create(HASH_ONLY["KeySchema"], HASH_ONLY["AttributeDefinitions"])
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}})
    ddb.delete_table(TableName=name)
    wait_gone(ddb, name)
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **HASH_ONLY)
    wait_active(ddb, name)
    # The new table starts empty: the old table's items went with it.
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "old"}})


def test_delete_table_while_deleting_is_not_found_or_in_use(ddb, tables):
    name, _ = tables.create(HASH_ONLY["KeySchema"], HASH_ONLY["AttributeDefinitions"])
    ddb.delete_table(TableName=name)
    # A second DeleteTable either sees the table still DELETING (ResourceInUseException) or
    # already gone (ResourceNotFoundException), as in DynamoDB; never a second success.
    try:
        ddb.delete_table(TableName=name)
    except Exception as err:  # noqa: BLE001 - inspected below
        code = err.response["Error"]["Code"]
        assert code in ("ResourceInUseException", "ResourceNotFoundException"), code
    else:
        raise AssertionError("second DeleteTable succeeded")
    wait_gone(ddb, name)


def test_data_plane_on_deleted_table_not_found(ddb, tables):
    name, _ = tables.create(HASH_ONLY["KeySchema"], HASH_ONLY["AttributeDefinitions"])
    ddb.delete_table(TableName=name)
    wait_gone(ddb, name)
    expect_error(
        lambda: ddb.get_item(TableName=name, Key={"pk": {"S": "x"}}),
        "ResourceNotFoundException",
        "Requested resource not found",
    )
