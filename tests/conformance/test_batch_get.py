"""BatchGetItem: keys over several tables with per-table projection and consistency, duplicate
keys, the 100-key limit, the 16 MB answer cap with UnprocessedKeys, and ConsumedCapacity."""

import uuid

from item_helpers import error, key
from test_protocol import signed_post


def test_reads_over_two_tables_with_projections(ddb, hash_table, range_table):
    a, b, missing = key(), key(), key()
    ddb.put_item(TableName=hash_table, Item={**a, "x": {"N": "1"}, "y": {"S": "a"}})
    ddb.put_item(TableName=hash_table, Item={**b, "x": {"N": "2"}, "y": {"S": "b"}})
    pk = uuid.uuid4().hex
    ddb.put_item(TableName=range_table, Item={"pk": {"S": pk}, "sk": {"N": "1"}, "m": {"M": {"i": {"S": "v"}, "j": {"S": "w"}}}})
    resp = ddb.batch_get_item(
        RequestItems={
            hash_table: {"Keys": [a, b, missing], "ProjectionExpression": "#y", "ExpressionAttributeNames": {"#y": "y"}},
            range_table: {"Keys": [{"pk": {"S": pk}, "sk": {"N": "1"}}], "AttributesToGet": ["m"], "ConsistentRead": True},
        }
    )
    assert resp["UnprocessedKeys"] == {}
    assert sorted(i["y"]["S"] for i in resp["Responses"][hash_table]) == ["a", "b"]
    assert all(set(i) == {"y"} for i in resp["Responses"][hash_table])
    assert resp["Responses"][range_table] == [{"m": {"M": {"i": {"S": "v"}, "j": {"S": "w"}}}}]


def test_table_without_matches_answers_empty_list(ddb, hash_table):
    resp = ddb.batch_get_item(RequestItems={hash_table: {"Keys": [key()]}})
    assert resp["Responses"] == {hash_table: []}


def test_consumed_capacity(ddb, hash_table, range_table):
    a = key()
    ddb.put_item(TableName=hash_table, Item={**a, "v": {"S": "x" * 5000}})
    resp = ddb.batch_get_item(
        RequestItems={
            hash_table: {"Keys": [a, key()]},
            range_table: {"Keys": [{"pk": {"S": "n"}, "sk": {"N": "1"}}], "ConsistentRead": True},
        },
        ReturnConsumedCapacity="TOTAL",
    )
    caps = {c["TableName"]: c["CapacityUnits"] for c in resp["ConsumedCapacity"]}
    # 5 KB eventually consistent: 2 units / 2; a missing key still costs 0.5.
    assert caps == {hash_table: 1.5, range_table: 1.0}


def test_duplicate_keys(ddb, hash_table):
    k = key()
    assert error(ddb.batch_get_item, RequestItems={hash_table: {"Keys": [k, k]}})[:2] == (
        "ValidationException",
        "Provided list of item keys contains duplicates",
    )


def test_more_than_100_keys(ddb, hash_table, range_table):
    keys = [key() for _ in range(100)]
    assert error(
        ddb.batch_get_item,
        RequestItems={hash_table: {"Keys": keys}, range_table: {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "1"}}]}},
    )[:2] == ("ValidationException", "Too many items requested for the BatchGetItem call")
    assert ddb.batch_get_item(RequestItems={hash_table: {"Keys": keys}})["Responses"] == {hash_table: []}


def test_parameter_errors(raw_ddb, ddb, endpoint, hash_table):
    resp = signed_post(endpoint, "DynamoDB_20120810.BatchGetItem", b"{}")
    assert resp.status_code == 400
    assert resp.json()["message"] == (
        "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: "
        "Member must not be null"
    )
    assert error(raw_ddb.batch_get_item, RequestItems={hash_table: {"Keys": []}})[:2] == (
        "ValidationException",
        f"1 validation error detected: Value '[]' at 'requestItems.{hash_table}.member.keys' "
        "failed to satisfy constraint: Member must have length greater than or equal to 1",
    )
    assert error(
        ddb.batch_get_item,
        RequestItems={hash_table: {"Keys": [key()], "ProjectionExpression": "a", "AttributesToGet": ["a"]}},
    )[:2] == (
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
    )
    assert error(
        ddb.batch_get_item, RequestItems={hash_table: {"Keys": [{**key(), "x": {"S": "1"}}]}}
    )[:2] == ("ValidationException", "The provided key element does not match the schema")
    assert error(
        ddb.batch_get_item, RequestItems={"conf-missing-" + uuid.uuid4().hex[:8]: {"Keys": [key()]}}
    )[:2] == ("ResourceNotFoundException", "Requested resource not found")


def test_16mb_cap_leaves_unprocessed_keys(ddb, tables):
    table = tables.hash_table()
    big = "x" * 390_000
    keys = [{"pk": {"S": f"k{i:03}"}} for i in range(50)]
    for start in range(0, 50, 25):
        ddb.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": {**k, "v": {"S": big}}}} for k in keys[start:start + 25]]}
        )
    resp = ddb.batch_get_item(RequestItems={table: {"Keys": keys, "ProjectionExpression": "pk, v"}})
    got = resp["Responses"][table]
    left = resp["UnprocessedKeys"][table]
    assert 0 < len(got) < 50
    assert len(got) + len(left["Keys"]) == 50
    assert left["ProjectionExpression"] == "pk, v"
    assert {i["pk"]["S"] for i in got} | {k["pk"]["S"] for k in left["Keys"]} == {k["pk"]["S"] for k in keys}
    # Retrying the unprocessed keys fetches the rest.
    rest = ddb.batch_get_item(RequestItems={table: left})
    assert len(rest["Responses"][table]) == len(left["Keys"])
    assert rest["UnprocessedKeys"] == {}
