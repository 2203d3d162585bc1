"""Legacy parameters: Expected + ConditionalOperator (PutItem, DeleteItem, UpdateItem),
AttributeUpdates (UpdateItem) and AttributesToGet (GetItem), with DynamoDB's semantics
(alternator's test_expected.py, run against DynamoDB) and messages (dynalite's tests)."""

import pytest

from item_helpers import error, get, key

FAILED = ("ConditionalCheckFailedException", "The conditional request failed")
INVALID = "One or more parameter values were invalid: "


@pytest.fixture
def item(ddb, hash_table):
    it = dict(key(), a={"N": "1"}, s={"S": "hello"}, ns={"NS": ["2", "4"]}, l={"L": [{"N": "4"}]})
    ddb.put_item(TableName=hash_table, Item=it)
    return it


def put_z(ddb, table, item, expected, op=None):
    extra = {"ConditionalOperator": op} if op else {}
    return ddb.update_item(
        TableName=table,
        Key={"pk": item["pk"]},
        AttributeUpdates={"z": {"Action": "PUT", "Value": {"S": "done"}}},
        Expected=expected,
        **extra,
    )


@pytest.mark.parametrize(
    "expected",
    [
        {"a": {"Value": {"N": "1"}}},
        {"a": {"Exists": True, "Value": {"N": "1.0"}}},
        {"q": {"Exists": False}},
        {"a": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "1"}]}},
        {"q": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "1"}]}},
        {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "0"}, {"N": "1"}]}},
        {"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "he"}]}},
        {"ns": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"N": "4"}]}},
        {"l": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"N": "4"}]}},
        {"s": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "dog"}]}},
        {"a": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "3"}, {"N": "1"}]}},
        {"a": {"ComparisonOperator": "NOT_NULL"}},
        {"q": {"ComparisonOperator": "NULL"}},
    ],
)
def test_true_expectations(ddb, hash_table, item, expected):
    put_z(ddb, hash_table, item, expected)
    assert get(ddb, hash_table, {"pk": item["pk"]})["z"] == {"S": "done"}


@pytest.mark.parametrize(
    "expected",
    [
        {"a": {"Value": {"N": "2"}}},
        {"q": {"Value": {"N": "1"}}},
        {"a": {"Exists": False}},
        {"a": {"ComparisonOperator": "LT", "AttributeValueList": [{"S": "9"}]}},
        {"q": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "x"}]}},
        {"ns": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "2"}]}},
    ],
)
def test_false_expectations(ddb, hash_table, item, expected):
    code, msg, _ = error(put_z, ddb, hash_table, item, expected)
    assert (code, msg) == FAILED
    assert get(ddb, hash_table, {"pk": item["pk"]}) == item


def test_conditional_operator(ddb, hash_table, item):
    two = {"a": {"Value": {"N": "7"}}, "s": {"Value": {"S": "hello"}}}
    assert error(put_z, ddb, hash_table, item, two, "AND")[:2] == FAILED
    put_z(ddb, hash_table, item, two, "OR")
    assert get(ddb, hash_table, {"pk": item["pk"]})["z"] == {"S": "done"}


@pytest.mark.parametrize(
    "expected, message",
    [
        ({"a": {}}, INVALID + "Value must be provided when Exists is null for Attribute: a"),
        ({"a": {"Exists": True}}, INVALID + "Value must be provided when Exists is true for Attribute: a"),
        (
            {"a": {"Exists": False, "Value": {"S": "a"}}},
            INVALID + "Value cannot be used when Exists is false for Attribute: a",
        ),
        (
            {"a": {"ComparisonOperator": "LT"}},
            INVALID + "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a",
        ),
        (
            {"a": {"ComparisonOperator": "EQ", "AttributeValueList": []}},
            INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator",
        ),
        (
            {"a": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "b"}, {"N": "1"}]}},
            INVALID + "AttributeValues inside AttributeValueList must be of same type",
        ),
        (
            {"a": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]}},
            INVALID + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type",
        ),
        (
            {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "b"}, {"S": "a"}]}},
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
        ),
    ],
)
def test_expected_errors(raw_ddb, hash_table, expected, message):
    code, msg, _ = error(raw_ddb.put_item, TableName=hash_table, Item=key(), Expected=expected)
    assert (code, msg) == ("ValidationException", message)


def test_conditional_operator_without_expected(raw_ddb, hash_table):
    code, msg, _ = error(
        raw_ddb.delete_item, TableName=hash_table, Key=key(), Expected={}, ConditionalOperator="OR"
    )
    assert code == "ValidationException"
    assert msg == "ConditionalOperator can only be used when Filter or Expected has two or more elements"


def test_put_and_delete_with_expected(ddb, hash_table, item):
    k = {"pk": item["pk"]}
    assert error(ddb.put_item, TableName=hash_table, Item=k, Expected={"a": {"Value": {"N": "2"}}})[:2] == FAILED
    ddb.put_item(TableName=hash_table, Item=dict(k, a={"N": "2"}), Expected={"a": {"Value": {"N": "1"}}})
    assert error(ddb.delete_item, TableName=hash_table, Key=k, Expected={"a": {"Value": {"N": "1"}}})[:2] == FAILED
    ddb.delete_item(TableName=hash_table, Key=k, Expected={"a": {"Value": {"N": "2"}}})
    assert get(ddb, hash_table, k) is None


def test_attribute_updates_actions(ddb, hash_table):
    k = key()
    ddb.put_item(
        TableName=hash_table,
        Item=dict(k, b={"S": "gone"}, c={"SS": ["a", "b"]}, d={"N": "1"}, f={"L": [{"N": "0"}]}),
    )
    resp = ddb.update_item(
        TableName=hash_table,
        Key=k,
        AttributeUpdates={
            "b": {"Action": "DELETE"},
            "c": {"Action": "DELETE", "Value": {"SS": ["a"]}},
            "d": {"Action": "ADD", "Value": {"N": "5"}},
            "e": {"Action": "ADD", "Value": {"SS": ["x"]}},
            "f": {"Action": "ADD", "Value": {"L": [{"S": "a"}]}},
            "g": {"Value": {"S": "put"}},
        },
        ReturnValues="UPDATED_NEW",
    )
    assert resp["Attributes"] == {
        "c": {"SS": ["b"]},
        "d": {"N": "6"},
        "e": {"SS": ["x"]},
        "f": {"L": [{"N": "0"}, {"S": "a"}]},
        "g": {"S": "put"},
    }
    assert "b" not in get(ddb, hash_table, k)


@pytest.mark.parametrize(
    "updates, message",
    [
        ({"a": {"Action": "PUT"}}, INVALID + "Only DELETE action is allowed when no attribute value is specified"),
        ({"a": {"Action": "DELETE", "Value": {"N": "1"}}}, INVALID + "DELETE action with value is not supported for the type N"),
        ({"a": {"Action": "ADD", "Value": {"S": "1"}}}, INVALID + "ADD action is not supported for the type S"),
        ({"pk": {"Value": {"S": "x"}}}, INVALID + "Cannot update attribute pk. This attribute is part of the key"),
    ],
)
def test_attribute_updates_errors(raw_ddb, hash_table, updates, message):
    code, msg, _ = error(raw_ddb.update_item, TableName=hash_table, Key=key(), AttributeUpdates=updates)
    assert (code, msg) == ("ValidationException", message)


def test_attribute_updates_type_mismatch(ddb, hash_table, item):
    code, msg, _ = error(
        ddb.update_item,
        TableName=hash_table,
        Key={"pk": item["pk"]},
        AttributeUpdates={"s": {"Action": "ADD", "Value": {"N": "1"}}},
    )
    assert (code, msg) == ("ValidationException", "Type mismatch for attribute to update")


def test_mixing_update_parameters(raw_ddb, hash_table):
    code, msg, _ = error(
        raw_ddb.update_item,
        TableName=hash_table,
        Key=key(),
        AttributeUpdates={"a": {"Value": {"S": "x"}}},
        Expected={"a": {"Exists": False}},
        UpdateExpression="SET a = :a",
        ConditionExpression="attribute_not_exists(a)",
        ExpressionAttributeValues={":a": {"S": "x"}},
    )
    assert msg == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributeUpdates, Expected} "
        "Expression parameters: {UpdateExpression, ConditionExpression}"
    )


def test_attributes_to_get(ddb, raw_ddb, hash_table, item):
    resp = ddb.get_item(TableName=hash_table, Key={"pk": item["pk"]}, AttributesToGet=["a", "s", "zz"])
    assert resp["Item"] == {"a": item["a"], "s": item["s"]}
    code, msg, _ = error(
        raw_ddb.get_item, TableName=hash_table, Key={"pk": item["pk"]}, AttributesToGet=["a", "a"]
    )
    assert msg == INVALID + "Duplicate value in attribute name: a"
