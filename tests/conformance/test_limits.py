"""DynamoDB's size limits with its messages, through single-item, batch and transaction writes:
item 400 KB, partition key 2048 bytes, sort key 1024 bytes, attribute names, nesting depth 32
and table names."""

import pytest

from item_helpers import error, key

ITEM_LIMIT = 400 * 1024


def sized(k, total):
    """An item of exactly `total` bytes by DynamoDB's rules (names plus string values)."""
    base = sum(len(n) + len(v["S"]) for n, v in k.items())
    return {**k, "v": {"S": "x" * (total - base - 1)}}


def writers(ddb, table):
    return {
        "put": lambda item: ddb.put_item(TableName=table, Item=item),
        "batch": lambda item: ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}}]}),
        "transact": lambda item: ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": item}}]),
    }


@pytest.mark.parametrize("how", ["put", "batch", "transact"])
def test_item_size_limit(ddb, hash_table, how):
    write = writers(ddb, hash_table)[how]
    write(sized(key(), ITEM_LIMIT))
    assert error(write, sized(key(), ITEM_LIMIT + 1))[:2] == (
        "ValidationException", "Item size has exceeded the maximum allowed size")


@pytest.mark.parametrize("how", ["put", "batch", "transact"])
def test_key_size_limits(ddb, range_table, tables, how):
    write = writers(ddb, range_table)[how]
    write({"pk": {"S": "p" * 2048}, "sk": {"N": "1"}})
    assert error(write, {"pk": {"S": "p" * 2049}, "sk": {"N": "1"}})[:2] == (
        "ValidationException",
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
    )
    string_sort = tables.range_table(range_type="S", label="ss")
    write = writers(ddb, string_sort)[how]
    write({"pk": {"S": "p"}, "sk": {"S": "s" * 1024}})
    assert error(write, {"pk": {"S": "p"}, "sk": {"S": "s" * 1025}})[:2] == (
        "ValidationException",
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
    )


@pytest.mark.parametrize("how", ["put", "batch", "transact"])
def test_nesting_depth(ddb, hash_table, how):
    write = writers(ddb, hash_table)[how]

    def nested(depth):
        v = {"S": "leaf"}
        for _ in range(depth - 1):
            v = {"M": {"m": v}}
        return v

    write({**key(), "deep": nested(32)})
    assert error(write, {**key(), "deep": nested(33)})[:2] == (
        "ValidationException",
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit",
    )


@pytest.mark.parametrize("how", ["put", "batch", "transact"])
def test_attribute_name_length(ddb, hash_table, how):
    write = writers(ddb, hash_table)[how]
    write({**key(), "n" * 65535: {"N": "1"}})
    assert error(write, {**key(), "n" * 65536: {"N": "1"}})[:2] == (
        "ValidationException",
        "One or more parameter values were invalid: Attribute name is too large, must be less than 65536 bytes",
    )


@pytest.mark.parametrize("how", ["put", "batch", "transact"])
def test_empty_attribute_name_refused(ddb, hash_table, how):
    write = writers(ddb, hash_table)[how]
    assert error(write, {**key(), "": {"N": "1"}})[:2] == (
        "ValidationException",
        "One or more parameter values were invalid: Empty attribute name",
    )


@pytest.mark.parametrize("name, problem", [
    ("", "Empty attribute name"),
    ("n" * 65536, "Attribute name is too large, must be less than 65536 bytes"),
])
def test_attribute_names_checked_wherever_they_appear(ddb, hash_table, name, problem):
    k = key()
    ddb.put_item(TableName=hash_table, Item={**k, "a": {"N": "1"}})
    in_expression = [
        lambda: ddb.get_item(TableName=hash_table, Key=k, ProjectionExpression="#n",
                             ExpressionAttributeNames={"#n": name}),
        lambda: ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="SET #n = :v",
                                ExpressionAttributeNames={"#n": name},
                                ExpressionAttributeValues={":v": {"N": "3"}}),
        lambda: ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="SET a = :v",
                                ConditionExpression="#n = :v", ExpressionAttributeNames={"#n": name},
                                ExpressionAttributeValues={":v": {"N": "1"}}),
    ]
    for call in in_expression:
        assert error(call)[:2] == (
            "ValidationException",
            f"ExpressionAttributeNames contains invalid value: {problem} for key #n",
        )
    legacy = [
        lambda: ddb.get_item(TableName=hash_table, Key=k, AttributesToGet=[name]),
        lambda: ddb.update_item(TableName=hash_table, Key=k,
                                AttributeUpdates={name: {"Value": {"N": "2"}, "Action": "PUT"}}),
    ]
    for call in legacy:
        assert error(call)[:2] == (
            "ValidationException", f"One or more parameter values were invalid: {problem}",
        )
    assert ddb.get_item(TableName=hash_table, Key=k)["Item"] == {**k, "a": {"N": "1"}}


def test_key_attribute_names_at_most_255(ddb, raw_ddb):
    name = "k" * 256
    code, msg, _ = error(
        raw_ddb.create_table, TableName="conf-limits-keyname", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": name, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"}],
    )
    assert code == "ValidationException"
    assert "Member must have length less than or equal to 255" in msg


def test_table_name_rules_in_multi_item_operations(raw_ddb):
    assert error(raw_ddb.transact_get_items, TransactItems=[{"Get": {"TableName": "a!", "Key": key()}}])[:2] == (
        "ValidationException",
        "2 validation errors detected: "
        "Value 'a!' at 'transactItems.1.member.get.tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
        "Value 'a!' at 'transactItems.1.member.get.tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3",
    )
    assert error(raw_ddb.transact_write_items, TransactItems=[{"Put": {"TableName": "x" * 256, "Item": key()}}])[:2] == (
        "ValidationException",
        f"1 validation error detected: Value '{'x' * 256}' at 'transactItems.1.member.put.tableName' "
        "failed to satisfy constraint: Member must have length less than or equal to 255",
    )
