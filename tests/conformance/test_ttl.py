"""Time to Live: UpdateTimeToLive / DescribeTimeToLive answers and errors, and expiry by the
server's TTL sweeper.

The expiry tests need a server whose sweeper runs often: scripts/test.sh sets the runtime
setting ttl_deletion_target_seconds to 1 (`extenddb dev --ttl-deletion-target-seconds 1`, or
`extenddb settings set` for PostgreSQL), so rounds run every half second. EXTENDDB_TTL_WAIT_SECONDS
bounds how long a test waits for an expired item to go (default 20)."""

import os
import time

import pytest

from support import expect_constraint_errors, expect_error, expect_validation, unique_name

WAIT_SECONDS = float(os.environ.get("EXTENDDB_TTL_WAIT_SECONDS", "20"))


def enable(ddb, name, attribute="exp"):
    return ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
    )


def describe(ddb, name):
    return ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]


TOO_OFTEN = "Time to live has been modified multiple times within a fixed interval"


def test_enable_describe_and_one_change_an_hour(ddb, tables):
    """DynamoDB allows one TTL change per table per hour (the `ttl_change_interval_seconds`
    setting, default 3600, which the test servers keep): disabling right after enabling is
    refused, and the setting stays as it was."""
    name = tables.hash_table()
    assert describe(ddb, name) == {"TimeToLiveStatus": "DISABLED"}
    response = enable(ddb, name)
    assert response["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    assert describe(ddb, name) == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    # Other table metadata is untouched.
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    expect_validation(
        lambda: ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"}
        ),
        TOO_OFTEN,
    )
    assert describe(ddb, name) == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


def test_changes_that_are_no_changes(ddb, tables):
    name = tables.hash_table()
    expect_validation(
        lambda: ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"}
        ),
        "TimeToLive is already disabled",
    )
    enable(ddb, name)
    expect_validation(lambda: enable(ddb, name), "TimeToLive is already enabled")
    different = "TimeToLive is active on a different AttributeName: current AttributeName is exp"
    expect_validation(lambda: enable(ddb, name, "new"), different)
    expect_validation(
        lambda: ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "dog"}
        ),
        different,
    )
    assert describe(ddb, name) == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


def test_missing_table(ddb):
    name = unique_name("nottl")
    message = f"Requested resource not found: Table: {name} not found"
    expect_error(lambda: enable(ddb, name), "ResourceNotFoundException", message)
    expect_error(
        lambda: ddb.describe_time_to_live(TableName=name), "ResourceNotFoundException", message
    )


def test_request_validation(raw_ddb, hash_table):
    def update(spec, table=hash_table):
        return raw_ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec)

    expect_constraint_errors(
        lambda: update({"Enabled": True, "AttributeName": ""}),
        [
            "Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        ],
    )
    long = "x" * 256
    expect_constraint_errors(
        lambda: update({"Enabled": True, "AttributeName": long}),
        [
            f"Value '{long}' at 'timeToLiveSpecification.attributeName' failed to satisfy "
            "constraint: Member must have length less than or equal to 255"
        ],
    )
    expect_constraint_errors(
        lambda: update({}),
        [
            "Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: "
            "Member must not be null",
            "Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: "
            "Member must not be null",
        ],
    )
    expect_constraint_errors(
        lambda: raw_ddb.update_time_to_live(TableName=hash_table),
        [
            "Value null at 'timeToLiveSpecification' failed to satisfy constraint: "
            "Member must not be null"
        ],
    )
    short = ("1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
             "Member must have length greater than or equal to 3")
    expect_validation(lambda: update({"Enabled": True, "AttributeName": "e"}, table="ab"), short)
    expect_validation(lambda: raw_ddb.describe_time_to_live(TableName="ab"), short)
    assert describe(raw_ddb, hash_table) == {"TimeToLiveStatus": "DISABLED"}


def wait_until(predicate, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} not within {WAIT_SECONDS}s")


def test_expired_items_are_deleted_with_their_index_entries(ddb, tables):
    name, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        label="ttl",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    now = int(time.time())
    items = {
        # Expiry passed a minute ago (one written before TTL is enabled).
        "before": {"N": str(now - 60)},
        "past": {"N": str(now - 60)},
        "past-exponent": {"N": f"{(now - 60) // 10}e1"},
        "past-fraction": {"N": f"{now - 60}.25"},
        # Not expired: future, a string, more than five years ago, no attribute.
        "future": {"N": str(now + 3600)},
        "string": {"S": str(now - 60)},
        "ancient": {"N": "162777600"},
        "none": None,
    }

    def put(sk):
        item = {"pk": {"S": "p"}, "sk": {"S": sk}, "g": {"S": "shared"}}
        if items[sk] is not None:
            item["exp"] = items[sk]
        ddb.put_item(TableName=name, Item=item)

    put("before")
    # Expired but not yet deleted: still read, as in DynamoDB (no round has seen it: TTL is off).
    assert "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"S": "before"}})
    enable(ddb, name)
    for sk in items:
        if sk != "before":
            put(sk)

    def remaining(index=None):
        params = {
            "TableName": name,
            "KeyConditionExpression": "#k = :v",
            "ExpressionAttributeNames": {"#k": "g" if index else "pk"},
            "ExpressionAttributeValues": {":v": {"S": "shared" if index else "p"}},
        }
        if index:
            params["IndexName"] = index
        return sorted(i["sk"]["S"] for i in ddb.query(**params)["Items"])

    kept = sorted(["future", "string", "ancient", "none"])
    wait_until(lambda: remaining() == kept, "expired items deleted")
    wait_until(lambda: remaining("byG") == kept, "GSI entries of expired items deleted")
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == len(kept)
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == len(kept)


def test_moved_expiry_keeps_items_and_tables_without_ttl_keep_everything(ddb, tables):
    name = tables.hash_table(label="ttlkeep")
    enable(ddb, name)
    now = int(time.time())
    ddb.put_item(TableName=name, Item={"pk": {"S": "soon"}, "exp": {"N": str(now + 2)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "gone"}, "exp": {"N": str(now - 1)}})
    # The expiry moved before it passed: the item stays.
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "soon"}},
        UpdateExpression="SET #e = :e",
        ExpressionAttributeNames={"#e": "exp"},
        ExpressionAttributeValues={":e": {"N": str(now + 3600)}},
    )
    wait_until(
        lambda: "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "gone"}}),
        "expired item deleted",
    )
    time.sleep(3)
    assert "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": "soon"}})

    # Without TTL, nothing expires (disabling within the hour is refused, so another table).
    plain = tables.hash_table(label="ttlnone")
    ddb.put_item(TableName=plain, Item={"pk": {"S": "late"}, "exp": {"N": str(now - 1)}})
    time.sleep(2)
    assert "Item" in ddb.get_item(TableName=plain, Key={"pk": {"S": "late"}})
