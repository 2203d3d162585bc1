"""ConditionExpression on PutItem, DeleteItem and UpdateItem: the functions and operators,
ConditionalCheckFailedException (with ReturnValuesOnConditionCheckFailure=ALL_OLD), and the
rules on ExpressionAttributeNames/Values."""

import pytest

from item_helpers import error, get, key

FAILED = ("ConditionalCheckFailedException", "The conditional request failed")


@pytest.fixture
def item(ddb, hash_table):
    k = key()
    it = dict(
        k,
        n={"N": "5"},
        s={"S": "hello"},
        ss={"SS": ["a", "b"]},
        l={"L": [{"N": "1"}, {"S": "x"}]},
        m={"M": {"k": {"BOOL": True}}},
    )
    ddb.put_item(TableName=hash_table, Item=it)
    return it


VALUES = {
    ":five": {"N": "5"},
    ":six": {"N": "6"},
    ":he": {"S": "he"},
    ":a": {"S": "a"},
    ":t": {"S": "SS"},
}

TRUE_CONDITIONS = [
    "n = :five",
    "n < :six AND NOT n > :six",
    "n BETWEEN :five AND :six",
    "n IN (:six, :five)",
    "begins_with(s, :he)",
    "contains(ss, :a)",
    "attribute_type(ss, :t)",
    "attribute_exists(m.k) AND attribute_not_exists(m.z)",
    "size(l) < :five",
    "(n = :six OR n = :five) AND s <> :a",
]


@pytest.mark.parametrize("condition", TRUE_CONDITIONS)
def test_true_conditions_let_the_update_through(ddb, hash_table, item, condition):
    used = {k: v for k, v in VALUES.items() if k in condition}
    ddb.update_item(
        TableName=hash_table,
        Key={"pk": item["pk"]},
        UpdateExpression="SET done = :a",
        ConditionExpression=condition,
        ExpressionAttributeValues=dict(used, **{":a": VALUES[":a"]}),
    )
    assert get(ddb, hash_table, {"pk": item["pk"]})["done"] == {"S": "a"}


@pytest.mark.parametrize(
    "condition", ["n = :six", "NOT n = :five", "attribute_not_exists(s)", "size(s) > :six"]
)
def test_false_conditions_fail_and_write_nothing(ddb, hash_table, item, condition):
    used = {k: v for k, v in VALUES.items() if k in condition}
    code, msg, _ = error(
        ddb.update_item,
        TableName=hash_table,
        Key={"pk": item["pk"]},
        UpdateExpression="SET done = :a",
        ConditionExpression=condition,
        ExpressionAttributeValues=dict(used, **{":a": VALUES[":a"]}),
    )
    assert (code, msg) == FAILED
    assert get(ddb, hash_table, {"pk": item["pk"]}) == item


def test_put_if_absent_and_all_old_on_failure(ddb, hash_table):
    k = key()
    ddb.put_item(
        TableName=hash_table,
        Item=dict(k, v={"N": "1"}),
        ConditionExpression="attribute_not_exists(pk)",
    )
    code, msg, resp = error(
        ddb.put_item,
        TableName=hash_table,
        Item=dict(k, v={"N": "2"}),
        ConditionExpression="attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    assert (code, msg) == FAILED
    assert resp["Item"] == dict(k, v={"N": "1"})
    _, _, resp = error(
        ddb.put_item,
        TableName=hash_table,
        Item=k,
        ConditionExpression="attribute_not_exists(pk)",
    )
    assert "Item" not in resp
    assert get(ddb, hash_table, k) == dict(k, v={"N": "1"})


def test_delete_with_condition(ddb, hash_table):
    k = key()
    ddb.put_item(TableName=hash_table, Item=dict(k, v={"N": "1"}))
    code, msg, _ = error(
        ddb.delete_item,
        TableName=hash_table,
        Key=k,
        ConditionExpression="#v = :two",
        ExpressionAttributeNames={"#v": "v"},
        ExpressionAttributeValues={":two": {"N": "2"}},
    )
    assert (code, msg) == FAILED
    ddb.delete_item(
        TableName=hash_table,
        Key=k,
        ConditionExpression="#v = :one",
        ExpressionAttributeNames={"#v": "v"},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    assert get(ddb, hash_table, k) is None


def test_condition_on_absent_item_sees_no_attributes(ddb, hash_table):
    k = key()
    code, msg, _ = error(
        ddb.delete_item, TableName=hash_table, Key=k, ConditionExpression="attribute_exists(pk)"
    )
    assert (code, msg) == FAILED
    ddb.update_item(
        TableName=hash_table,
        Key=k,
        ConditionExpression="attribute_not_exists(pk)",
        UpdateExpression="SET a = :a",
        ExpressionAttributeValues={":a": {"S": "a"}},
    )
    assert get(ddb, hash_table, k) == dict(k, a={"S": "a"})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"ExpressionAttributeNames": {"#a": "a"}},
            "ExpressionAttributeNames can only be specified when using expressions",
        ),
        (
            {"ExpressionAttributeValues": {":a": {"S": "a"}}},
            "ExpressionAttributeValues can only be specified when using expressions: "
            "ConditionExpression is null",
        ),
        (
            {"ConditionExpression": "a = :a", "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"S": "b"}}},
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}",
        ),
        (
            {"ConditionExpression": "a = :a"},
            "Invalid ConditionExpression: An expression attribute value used in expression "
            "is not defined; attribute value: :a",
        ),
        (
            {"ConditionExpression": "#a = :a", "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {":a": {"S": "a"}}},
            "ExpressionAttributeNames must not be empty",
        ),
        (
            {"ConditionExpression": "a = :a", "ExpressionAttributeValues": {":a": {"SS": []}}},
            "ExpressionAttributeValues contains invalid value: One or more parameter values "
            "were invalid: An string set  may not be empty for key :a",
        ),
        (
            {"ConditionExpression": ""},
            "Invalid ConditionExpression: The expression can not be empty;",
        ),
        (
            {"ConditionExpression": "attribute_exists(pk)", "Expected": {"pk": {"Exists": False}}},
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
        ),
    ],
)
def test_parameter_rules(raw_ddb, hash_table, kwargs, message):
    code, msg, _ = error(raw_ddb.put_item, TableName=hash_table, Item=key(), **kwargs)
    assert (code, msg) == ("ValidationException", message)


def test_unused_names_span_update_and_condition(ddb, hash_table):
    args = dict(
        TableName=hash_table,
        Key=key(),
        UpdateExpression="SET #a = :a",
        ExpressionAttributeNames={"#a": "a", "#b": "b"},
        ExpressionAttributeValues={":a": {"S": "a"}},
    )
    code, msg, _ = error(ddb.update_item, **args)
    assert msg == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"
    ddb.update_item(ConditionExpression="attribute_not_exists(#b)", **args)
    assert get(ddb, hash_table, args["Key"]) == dict(args["Key"], a={"S": "a"})
