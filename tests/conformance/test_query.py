"""Query: key conditions on S, N and B sort keys, order both ways, pagination with Limit and
filters, Select, projection, capacity and DynamoDB's validation messages."""

import pytest
from support import expect_validation


def _range_table(tables, sort_type):
    name, _ = tables.create(
        [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": sort_type},
        ],
        label=f"q{sort_type.lower()}",
    )
    return name


def _put_all(ddb, table, sort_type, values, pk="p"):
    for i, v in enumerate(values):
        ddb.put_item(
            TableName=table,
            Item={"pk": {"S": pk}, "sk": {sort_type: v}, "i": {"N": str(i)}},
        )
    # A neighbour partition must never leak into the answers.
    ddb.put_item(TableName=table, Item={"pk": {"S": pk + "x"}, "sk": {sort_type: values[0]}})


def _query(ddb, table, cond, values, **extra):
    return ddb.query(
        TableName=table,
        KeyConditionExpression=cond,
        ExpressionAttributeValues=values,
        **extra,
    )


def _sks(resp, sort_type):
    return [item["sk"][sort_type] for item in resp["Items"]]


NUMBERS = ["-1e3", "-12.5", "-12", "-1.25", "-0.001", "0", "0.001", "1", "1.25", "9", "10", "12.5", "1e3"]
NORMAL = ["-1000", "-12.5", "-12", "-1.25", "-0.001", "0", "0.001", "1", "1.25", "9", "10", "12.5", "1000"]


def test_numbers_sort_by_value_with_negatives_and_decimals(ddb, tables):
    table = _range_table(tables, "N")
    _put_all(ddb, table, "N", list(reversed(NUMBERS)))
    p = {":p": {"S": "p"}}
    assert _sks(_query(ddb, table, "pk = :p", p), "N") == NORMAL
    back = _query(ddb, table, "pk = :p", p, ScanIndexForward=False)
    assert _sks(back, "N") == list(reversed(NORMAL))
    cases = [
        ("sk < :a", {":a": {"N": "-1.25"}}, NORMAL[:3]),
        ("sk <= :a", {":a": {"N": "-1.25"}}, NORMAL[:4]),
        ("sk > :a", {":a": {"N": "0"}}, NORMAL[6:]),
        ("sk >= :a", {":a": {"N": "0.0"}}, NORMAL[5:]),
        ("sk = :a", {":a": {"N": "12.50"}}, ["12.5"]),
        ("sk BETWEEN :a AND :b", {":a": {"N": "-12"}, ":b": {"N": "1"}}, NORMAL[2:8]),
        (":a < sk", {":a": {"N": "10"}}, ["12.5", "1000"]),
    ]
    for cond, values, expected in cases:
        resp = _query(ddb, table, f"pk = :p AND {cond}", {**p, **values})
        assert _sks(resp, "N") == expected, cond
        assert resp["Count"] == resp["ScannedCount"] == len(expected)
        assert "LastEvaluatedKey" not in resp


def test_strings_begins_with_and_between(ddb, tables):
    table = _range_table(tables, "S")
    words = ["a", "a#1", "a#10", "a#2", "ab", "b", "b#1", "\u00e9t\u00e9", "\u00e9z"]
    _put_all(ddb, table, "S", words)
    p = {":p": {"S": "p"}}
    assert _sks(_query(ddb, table, "pk = :p", p), "S") == sorted(words, key=lambda s: s.encode())
    resp = _query(ddb, table, "pk = :p AND begins_with(sk, :a)", {**p, ":a": {"S": "a#"}})
    assert _sks(resp, "S") == ["a#1", "a#10", "a#2"]
    resp = _query(ddb, table, "pk = :p AND begins_with(sk, :a)", {**p, ":a": {"S": "\u00e9"}},
                  ScanIndexForward=False)
    assert _sks(resp, "S") == ["\u00e9z", "\u00e9t\u00e9"]
    resp = _query(ddb, table, "pk = :p AND sk BETWEEN :a AND :b", {**p, ":a": {"S": "a#2"}, ":b": {"S": "b"}})
    assert _sks(resp, "S") == ["a#2", "ab", "b"]


def test_binary_sort_keys_order_unsigned(ddb, tables):
    table = _range_table(tables, "B")
    blobs = [b"\x00", b"\x00\x01", b"\x01", b"\x01\x00", b"\x01\xff", b"\x7f", b"\x80", b"\xff"]
    _put_all(ddb, table, "B", list(reversed(blobs)))
    p = {":p": {"S": "p"}}
    assert _sks(_query(ddb, table, "pk = :p", p), "B") == blobs
    resp = _query(ddb, table, "pk = :p AND begins_with(sk, :a)", {**p, ":a": {"B": b"\x01"}})
    assert _sks(resp, "B") == [b"\x01", b"\x01\x00", b"\x01\xff"]
    resp = _query(ddb, table, "pk = :p AND sk BETWEEN :a AND :b", {**p, ":a": {"B": b"\x00\x01"}, ":b": {"B": b"\x7f"}})
    assert _sks(resp, "B") == blobs[1:6]
    resp = _query(ddb, table, "pk = :p AND sk > :a", {**p, ":a": {"B": b"\x7f"}})
    assert _sks(resp, "B") == [b"\x80", b"\xff"]


def _walk(ddb, table, **params):
    """Every page of a Query; returns the pages."""
    pages = []
    while True:
        resp = ddb.query(TableName=table, **params)
        pages.append(resp)
        if "LastEvaluatedKey" not in resp:
            return pages
        params["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
        assert len(pages) < 100


@pytest.mark.parametrize("forward", [True, False])
def test_pagination_with_limit_and_filter(ddb, range_table, forward):
    for i in range(25):
        ddb.put_item(TableName=range_table, Item={"pk": {"S": f"walk{forward}"}, "sk": {"N": str(i)}, "even": {"BOOL": i % 2 == 0}})
    params = {
        "KeyConditionExpression": "pk = :p",
        "FilterExpression": "#e = :t",
        "ExpressionAttributeNames": {"#e": "even"},
        "ExpressionAttributeValues": {":p": {"S": f"walk{forward}"}, ":t": {"BOOL": True}},
        "Limit": 4,
        "ScanIndexForward": forward,
    }
    pages = _walk(ddb, range_table, **params)
    # Limit counts items read: 25 items make 7 pages, the last one short.
    assert [p["ScannedCount"] for p in pages] == [4, 4, 4, 4, 4, 4, 1]
    got = [int(i["sk"]["N"]) for p in pages for i in p["Items"]]
    expected = [i for i in range(25) if i % 2 == 0]
    assert got == (expected if forward else list(reversed(expected)))
    assert [p["Count"] for p in pages] == [len(p["Items"]) for p in pages]
    # The last key is the last item read, even when the filter dropped it.
    first = pages[0]["LastEvaluatedKey"]
    assert first == {"pk": {"S": f"walk{forward}"}, "sk": {"N": "3" if forward else "21"}}


def test_limit_equal_to_remaining_items_still_returns_a_last_key(ddb, range_table):
    for i in range(3):
        ddb.put_item(TableName=range_table, Item={"pk": {"S": "exact"}, "sk": {"N": str(i)}})
    resp = _query(ddb, range_table, "pk = :p", {":p": {"S": "exact"}}, Limit=3)
    assert resp["Count"] == 3
    assert resp["LastEvaluatedKey"] == {"pk": {"S": "exact"}, "sk": {"N": "2"}}
    resp = _query(ddb, range_table, "pk = :p", {":p": {"S": "exact"}}, Limit=3,
                  ExclusiveStartKey=resp["LastEvaluatedKey"])
    assert (resp["Count"], resp["Items"]) == (0, [])
    assert "LastEvaluatedKey" not in resp


def test_select_count_projection_and_capacity(ddb, range_table):
    for i in range(5):
        ddb.put_item(TableName=range_table, Item={"pk": {"S": "sel"}, "sk": {"N": str(i)}, "a": {"M": {"b": {"S": f"v{i}"}, "c": {"N": "1"}}}, "big": {"S": "x" * 3000}})
    resp = _query(ddb, range_table, "pk = :p", {":p": {"S": "sel"}}, Select="COUNT",
                  ReturnConsumedCapacity="TOTAL")
    assert "Items" not in resp
    assert (resp["Count"], resp["ScannedCount"]) == (5, 5)
    # About 15 KB read, eventually consistent: 4 units of 4 KB, halved.
    assert resp["ConsumedCapacity"] == {"TableName": range_table, "CapacityUnits": 2.0}
    resp = _query(ddb, range_table, "pk = :p", {":p": {"S": "sel"}}, ConsistentRead=True,
                  ProjectionExpression="sk, a.b", Select="SPECIFIC_ATTRIBUTES",
                  ReturnConsumedCapacity="TOTAL")
    assert resp["Items"][0] == {"sk": {"N": "0"}, "a": {"M": {"b": {"S": "v0"}}}}
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 4.0


def test_one_megabyte_page_cap(ddb, range_table):
    blob = "y" * 300_000
    for i in range(8):
        ddb.put_item(TableName=range_table, Item={"pk": {"S": "mb"}, "sk": {"N": str(i)}, "d": {"S": blob}})
    pages = _walk(ddb, range_table, KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": {"S": "mb"}}, Select="COUNT")
    # ~300 KB items: the page stops with the 4th item, which takes it past 1 MB.
    assert [p["ScannedCount"] for p in pages] == [4, 4, 0]


def test_validation_messages(ddb, raw_ddb, range_table):
    p = {":p": {"S": "a"}}
    q = lambda **kw: lambda: raw_ddb.query(TableName=range_table, **kw)  # noqa: E731
    expect_validation(q(KeyConditionExpression="sk = :v", ExpressionAttributeValues={":v": {"N": "1"}}),
                      "Query condition missed key schema element: pk")
    expect_validation(q(KeyConditionExpression="pk > :p", ExpressionAttributeValues=p),
                      "Query key condition not supported")
    expect_validation(q(KeyConditionExpression="pk = :p AND sk <> :p", ExpressionAttributeValues=p),
                      "Invalid operator used in KeyConditionExpression: <>")
    expect_validation(q(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"N": "1"}}),
                      "One or more parameter values were invalid: Condition parameter type does not match schema type")
    expect_validation(q(KeyConditionExpression="pk = :p", ExpressionAttributeValues={**p, ":q": {"S": "b"}}),
                      "Value provided in ExpressionAttributeValues unused in expressions: keys: {:q}")
    expect_validation(q(KeyConditionExpression="pk = :p", FilterExpression="sk > :p", ExpressionAttributeValues=p),
                      "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk")
    expect_validation(q(KeyConditionExpression="pk = :p", IndexName="nope", ExpressionAttributeValues=p),
                      "The table does not have the specified index: nope")
    expect_validation(q(KeyConditionExpression="pk = :p", ExpressionAttributeValues=p, Select="COUNT", ProjectionExpression="a"),
                      "Cannot specify the ProjectionExpression when choosing to get only the Count")
    expect_validation(q(KeyConditionExpression="pk = :p", ExpressionAttributeValues=p, ExclusiveStartKey={"pk": {"S": "a"}}),
                      "The provided starting key is invalid")
    expect_validation(q(KeyConditionExpression="pk = :p", ExpressionAttributeValues=p, ExclusiveStartKey={"pk": {"S": "b"}, "sk": {"N": "1"}}),
                      "The provided starting key is outside query boundaries based on provided conditions")
    expect_validation(q(KeyConditionExpression="pk = :p AND sk > :n", ExpressionAttributeValues={**p, ":n": {"N": "5"}},
                        ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"N": "1"}}),
                      "The provided starting key does not match the range key predicate")
    expect_validation(q(KeyConditionExpression="pk = :p", ExpressionAttributeValues=p,
                        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}),
                      "Can not use both expression and non-expression parameters in the same request: "
                      "Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}")
    expect_validation(q(KeyConditionExpression="pk = :p", ExpressionAttributeValues=p, QueryFilter={}),
                      "Can not use both expression and non-expression parameters in the same request: "
                      "Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}")
    expect_validation(q(), "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
