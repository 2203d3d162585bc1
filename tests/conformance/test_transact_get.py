"""TransactGetItems: reads over several tables in request order, projections, limits and
ConsumedCapacity."""

import uuid

from item_helpers import error, key


def g(table, k, **extra):
    return {"Get": {"TableName": table, "Key": k, **extra}}


def test_reads_in_request_order_with_projection(ddb, hash_table, range_table):
    a, missing = key(), key()
    ddb.put_item(TableName=hash_table, Item={**a, "x": {"N": "1"}, "y": {"M": {"z": {"S": "deep"}, "w": {"S": "no"}}}})
    r = {"pk": {"S": uuid.uuid4().hex}, "sk": {"N": "2"}}
    ddb.put_item(TableName=range_table, Item={**r, "q": {"S": "r"}})
    resp = ddb.transact_get_items(
        TransactItems=[
            g(range_table, r),
            g(hash_table, missing),
            g(hash_table, a, ProjectionExpression="#y.z", ExpressionAttributeNames={"#y": "y"}),
        ]
    )
    assert resp["Responses"] == [
        {"Item": {**r, "q": {"S": "r"}}},
        {},
        {"Item": {"y": {"M": {"z": {"S": "deep"}}}}},
    ]
    assert "ConsumedCapacity" not in resp


def test_consumed_capacity_is_doubled(ddb, hash_table):
    a = key()
    ddb.put_item(TableName=hash_table, Item={**a, "v": {"S": "x" * 5000}})
    resp = ddb.transact_get_items(TransactItems=[g(hash_table, a), g(hash_table, key())], ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": hash_table, "CapacityUnits": 6.0}]


def test_errors(raw_ddb, ddb, hash_table):
    a = key()
    assert error(ddb.transact_get_items, TransactItems=[g(hash_table, a), g(hash_table, a)])[:2] == (
        "ValidationException",
        "Transaction request cannot include multiple operations on one item",
    )
    assert error(raw_ddb.transact_get_items, TransactItems=[])[:2] == (
        "ValidationException",
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )
    code, msg, _ = error(raw_ddb.transact_get_items, TransactItems=[g(hash_table, key()) for _ in range(101)])
    assert code == "ValidationException" and msg.endswith("Member must have length less than or equal to 100")
    assert error(ddb.transact_get_items, TransactItems=[g(hash_table, {"x": {"S": "1"}})])[:2] == (
        "ValidationException",
        "The provided key element does not match the schema",
    )
    assert error(ddb.transact_get_items, TransactItems=[g("conf-missing-" + uuid.uuid4().hex[:8], a)])[:2] == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )
    # 100 distinct keys are fine.
    assert len(ddb.transact_get_items(TransactItems=[g(hash_table, key()) for _ in range(100)])["Responses"]) == 100
