"""ProjectionExpression (and its placeholders) on GetItem, nested paths included."""

import pytest

from item_helpers import error, key


@pytest.fixture
def item(ddb, hash_table):
    it = dict(
        key(),
        a={"M": {"b": {"L": [{"N": "0"}, {"M": {"c": {"S": "x"}, "d": {"S": "y"}}}, {"N": "2"}]}}},
        status={"S": "ok"},
        other={"S": "no"},
    )
    ddb.put_item(TableName=hash_table, Item=it)
    return it


def test_nested_paths_and_names(ddb, hash_table, item):
    resp = ddb.get_item(
        TableName=hash_table,
        Key={"pk": item["pk"]},
        ProjectionExpression="a.b[2], #s, a.b[1].c, nothere",
        ExpressionAttributeNames={"#s": "status"},
    )
    assert resp["Item"] == {
        "a": {"M": {"b": {"L": [{"M": {"c": {"S": "x"}}}, {"N": "2"}]}}},
        "status": {"S": "ok"},
    }


def test_projection_of_nothing_present_is_an_empty_item(ddb, hash_table, item):
    resp = ddb.get_item(
        TableName=hash_table, Key={"pk": item["pk"]}, ProjectionExpression="nothere"
    )
    assert resp["Item"] == {}


def test_projection_of_absent_item_has_no_item(ddb, hash_table):
    resp = ddb.get_item(TableName=hash_table, Key=key(), ProjectionExpression="pk")
    assert "Item" not in resp


def test_projection_keeps_capacity_of_the_whole_item(ddb, hash_table, item):
    resp = ddb.get_item(
        TableName=hash_table,
        Key={"pk": item["pk"]},
        ProjectionExpression="pk",
        ReturnConsumedCapacity="TOTAL",
    )
    assert resp["Item"] == {"pk": item["pk"]}
    assert resp["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 0.5}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"ProjectionExpression": "status"},
            "Invalid ProjectionExpression: Attribute name is a reserved keyword; "
            "reserved keyword: status",
        ),
        (
            {"ProjectionExpression": "a, a"},
            "Invalid ProjectionExpression: Two document paths overlap with each other; must "
            "remove or rewrite one of these paths; path one: [a], path two: [a]",
        ),
        (
            {"ProjectionExpression": "#x"},
            "Invalid ProjectionExpression: An expression attribute name used in the document "
            "path is not defined; attribute name: #x",
        ),
        (
            {"ProjectionExpression": "a", "ExpressionAttributeNames": {"#x": "x"}},
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}",
        ),
        (
            {"ExpressionAttributeNames": {"#x": "x"}},
            "ExpressionAttributeNames can only be specified when using expressions",
        ),
        (
            {"ProjectionExpression": "a", "AttributesToGet": ["a"]},
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {AttributesToGet} Expression parameters: "
            "{ProjectionExpression}",
        ),
    ],
)
def test_projection_errors(raw_ddb, hash_table, kwargs, message):
    code, msg, _ = error(raw_ddb.get_item, TableName=hash_table, Key=key(), **kwargs)
    assert (code, msg) == ("ValidationException", message)
