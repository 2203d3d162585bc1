"""BatchWriteItem: puts and deletes over several tables, DynamoDB's validation texts, duplicate
keys, the 25-request limit, UnprocessedItems and ConsumedCapacity."""

import uuid

from item_helpers import error, get, key
from test_protocol import signed_post


def put(item):
    return {"PutRequest": {"Item": item}}


def delete(k):
    return {"DeleteRequest": {"Key": k}}


def test_puts_and_deletes_over_two_tables(ddb, hash_table, range_table):
    old = key()
    ddb.put_item(TableName=hash_table, Item={**old, "v": {"S": "old"}})
    a, b = key(), key()
    pk = uuid.uuid4().hex
    resp = ddb.batch_write_item(
        RequestItems={
            hash_table: [put({**a, "v": {"N": "1"}}), put({**b, "v": {"N": "2"}}), delete(old)],
            range_table: [put({"pk": {"S": pk}, "sk": {"N": str(i)}}) for i in range(3)],
        }
    )
    assert resp["UnprocessedItems"] == {}
    assert "ConsumedCapacity" not in resp
    assert get(ddb, hash_table, a)["v"] == {"N": "1"}
    assert get(ddb, hash_table, b)["v"] == {"N": "2"}
    assert get(ddb, hash_table, old) is None
    q = ddb.query(
        TableName=range_table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": pk}},
    )
    assert [i["sk"]["N"] for i in q["Items"]] == ["0", "1", "2"]


def test_consumed_capacity_per_table(ddb, hash_table, range_table):
    big = "x" * 1500
    resp = ddb.batch_write_item(
        RequestItems={
            hash_table: [put({**key(), "v": {"S": big}}), put(key())],
            range_table: [put({"pk": {"S": "c"}, "sk": {"N": "1"}})],
        },
        ReturnConsumedCapacity="TOTAL",
    )
    caps = {c["TableName"]: c["CapacityUnits"] for c in resp["ConsumedCapacity"]}
    assert caps == {hash_table: 3.0, range_table: 1.0}
    resp = ddb.batch_write_item(
        RequestItems={hash_table: [put(key())]}, ReturnConsumedCapacity="INDEXES"
    )
    assert resp["ConsumedCapacity"] == [
        {"TableName": hash_table, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    ]


def test_duplicate_keys_are_refused(ddb, hash_table):
    k = key()
    for writes in ([put(k), put(k)], [put(k), delete(k)], [delete(k), delete(k)]):
        assert error(ddb.batch_write_item, RequestItems={hash_table: writes})[:2] == (
            "ValidationException",
            "Provided list of item keys contains duplicates",
        )
    assert get(ddb, hash_table, k) is None


def test_more_than_25_writes(ddb, hash_table, range_table):
    writes = [put(key()) for _ in range(20)]
    more = [put({"pk": {"S": "a"}, "sk": {"N": str(i)}}) for i in range(6)]
    assert error(
        ddb.batch_write_item, RequestItems={hash_table: writes, range_table: more}
    )[:2] == ("ValidationException", "Too many items requested for the BatchWriteItem call")
    # Exactly 25 is fine.
    ddb.batch_write_item(RequestItems={hash_table: writes, range_table: more[:5]})


def test_shape_errors(raw_ddb, endpoint, hash_table):
    # botocore cannot send a BatchWriteItem without RequestItems; post it signed by hand.
    resp = signed_post(endpoint, "DynamoDB_20120810.BatchWriteItem", b"{}")
    assert resp.status_code == 400
    assert resp.json()["message"] == (
        "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: "
        "Member must not be null"
    )
    assert error(raw_ddb.batch_write_item, RequestItems={})[:2] == (
        "ValidationException",
        "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1",
    )
    both = {"PutRequest": {"Item": key()}, "DeleteRequest": {"Key": key()}}
    for bad in (both, {}):
        assert error(raw_ddb.batch_write_item, RequestItems={hash_table: [bad]})[:2] == (
            "ValidationException",
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes",
        )


def test_validation_like_put_and_delete(ddb, hash_table):
    code, msg, _ = error(ddb.batch_write_item, RequestItems={hash_table: [put({"v": {"S": "x"}})]})
    assert (code, msg) == (
        "ValidationException",
        "One or more parameter values were invalid: Missing the key pk in the item",
    )
    code, msg, _ = error(
        ddb.batch_write_item, RequestItems={hash_table: [delete({**key(), "x": {"S": "y"}})]}
    )
    assert (code, msg) == ("ValidationException", "The provided key element does not match the schema")
    code, msg, _ = error(
        ddb.batch_write_item, RequestItems={hash_table: [put({**key(), "v": {"S": "x" * 410_000}})]}
    )
    assert (code, msg) == ("ValidationException", "Item size has exceeded the maximum allowed size")
    code, msg, _ = error(
        ddb.batch_write_item, RequestItems={"conf-missing-" + uuid.uuid4().hex[:8]: [put(key())]}
    )
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")


def test_failed_validation_writes_nothing(ddb, hash_table):
    good = key()
    error(ddb.batch_write_item, RequestItems={hash_table: [put(good), put({"v": {"S": "x"}})]})
    assert get(ddb, hash_table, good) is None


def test_more_than_25_writes_for_one_table(ddb, hash_table):
    code, message = error(ddb.batch_write_item, RequestItems={hash_table: [put(key()) for _ in range(26)]})[:2]
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value '{" + hash_table + "=[WriteRequest, ")
    assert message.endswith(
        "]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"
    )
