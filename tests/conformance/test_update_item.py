"""UpdateItem: UpdateExpression actions, upsert, ReturnValues, key attributes, sizes."""

from item_helpers import error, get, key


def test_upsert_creates_item_and_returns_all_new(ddb, hash_table):
    k = key()
    resp = ddb.update_item(
        TableName=hash_table,
        Key=k,
        UpdateExpression="SET n = if_not_exists(n, :z) + :one, l = list_append(:l, :l) ADD s :s",
        ExpressionAttributeValues={
            ":z": {"N": "0"},
            ":one": {"N": "1"},
            ":l": {"L": [{"S": "x"}]},
            ":s": {"SS": ["a"]},
        },
        ReturnValues="ALL_NEW",
    )
    expected = dict(k, n={"N": "1"}, l={"L": [{"S": "x"}, {"S": "x"}]}, s={"SS": ["a"]})
    assert resp["Attributes"] == expected
    assert get(ddb, hash_table, k) == expected


def test_update_without_actions_creates_the_key_only(ddb, hash_table):
    k = key()
    resp = ddb.update_item(TableName=hash_table, Key=k)
    assert "Attributes" not in resp
    assert get(ddb, hash_table, k) == k
    # An update that only removes does not create a missing item (DynamoDB's behaviour, as
    # ScyllaDB's Alternator test_item.py::test_update_item_non_existent records it).
    k2 = key()
    ddb.update_item(TableName=hash_table, Key=k2, UpdateExpression="REMOVE nothing")
    assert get(ddb, hash_table, k2) is None


def test_return_values_variants(ddb, hash_table):
    k = key()
    ddb.put_item(TableName=hash_table, Item=dict(k, a={"N": "1"}, b={"S": "keep"}))
    args = dict(
        TableName=hash_table,
        Key=k,
        UpdateExpression="SET a = a + :one, c = :c REMOVE b",
        ExpressionAttributeValues={":one": {"N": "1"}, ":c": {"S": "new"}},
    )
    resp = ddb.update_item(ReturnValues="UPDATED_OLD", **args)
    assert resp["Attributes"] == {"a": {"N": "1"}, "b": {"S": "keep"}}
    resp = ddb.update_item(ReturnValues="UPDATED_NEW", **args)
    assert resp["Attributes"] == {"a": {"N": "3"}, "c": {"S": "new"}}
    resp = ddb.update_item(ReturnValues="ALL_OLD", **args)
    assert resp["Attributes"] == dict(k, a={"N": "3"}, c={"S": "new"})
    resp = ddb.update_item(ReturnValues="NONE", **args)
    assert "Attributes" not in resp
    assert get(ddb, hash_table, k) == dict(k, a={"N": "5"}, c={"S": "new"})


def test_nested_paths_and_list_indexes(ddb, hash_table):
    k = key()
    ddb.put_item(
        TableName=hash_table,
        Item=dict(k, m={"M": {"x": {"M": {}}}}, l={"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}]}),
    )
    ddb.update_item(
        TableName=hash_table,
        Key=k,
        UpdateExpression="SET m.x.y = :v, l[9] = :v REMOVE l[0]",
        ExpressionAttributeValues={":v": {"S": "v"}},
    )
    item = get(ddb, hash_table, k)
    assert item["m"] == {"M": {"x": {"M": {"y": {"S": "v"}}}}}
    assert item["l"] == {"L": [{"N": "1"}, {"N": "2"}, {"S": "v"}]}


def test_delete_from_set_removes_empty_set(ddb, hash_table):
    k = key()
    ddb.put_item(TableName=hash_table, Item=dict(k, s={"SS": ["a", "b"]}))
    ddb.update_item(
        TableName=hash_table,
        Key=k,
        UpdateExpression="DELETE s :s",
        ExpressionAttributeValues={":s": {"SS": ["a", "b"]}},
    )
    assert get(ddb, hash_table, k) == k


def test_key_attributes_cannot_be_updated(ddb, hash_table):
    code, msg, _ = error(
        ddb.update_item,
        TableName=hash_table,
        Key=key(),
        UpdateExpression="SET pk = :v",
        ExpressionAttributeValues={":v": {"S": "x"}},
    )
    assert code == "ValidationException"
    assert msg == (
        "One or more parameter values were invalid: "
        "Cannot update attribute pk. This attribute is part of the key"
    )


def test_runtime_errors(ddb, hash_table):
    k = key()
    ddb.put_item(TableName=hash_table, Item=dict(k, s={"S": "x"}))
    code, msg, _ = error(
        ddb.update_item,
        TableName=hash_table,
        Key=k,
        UpdateExpression="SET n = s + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    assert (code, msg) == (
        "ValidationException",
        "An operand in the update expression has an incorrect data type",
    )
    code, msg, _ = error(
        ddb.update_item,
        TableName=hash_table,
        Key=k,
        UpdateExpression="SET n = nope1 + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    assert msg == "The provided expression refers to an attribute that does not exist in the item"
    big = "x" * (300 * 1024)
    ddb.update_item(
        TableName=hash_table,
        Key=k,
        UpdateExpression="SET a = :v",
        ExpressionAttributeValues={":v": {"S": big}},
    )
    code, msg, _ = error(
        ddb.update_item,
        TableName=hash_table,
        Key=k,
        UpdateExpression="SET b = :v",
        ExpressionAttributeValues={":v": {"S": big}},
    )
    assert (code, msg) == (
        "ValidationException",
        "Item size to update has exceeded the maximum allowed size",
    )
    assert get(ddb, hash_table, k)["s"] == {"S": "x"}


def test_syntax_and_enum_errors(ddb, hash_table):
    _, msg, _ = error(ddb.update_item, TableName=hash_table, Key=key(), UpdateExpression="")
    assert msg == "Invalid UpdateExpression: The expression can not be empty;"
    code, msg, _ = error(ddb.update_item, TableName=hash_table, Key=key(), ReturnValues="ALL")
    assert code == "ValidationException"
    assert msg == (
        "1 validation error detected: Value 'ALL' at 'returnValues' failed to satisfy "
        "constraint: Member must satisfy enum value set: "
        "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
    )


def test_consumed_capacity(ddb, hash_table):
    resp = ddb.update_item(
        TableName=hash_table, Key=key(), ReturnConsumedCapacity="TOTAL"
    )
    assert resp["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0}
