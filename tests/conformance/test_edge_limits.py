"""Edge cases of features already built, with DynamoDB's messages (found by running ScyllaDB's
Alternator suite): attribute-name limits in index definitions, document-path depth and list
indexes, nested update functions, REMOVE on a missing item, arithmetic precision, a start key
on a table without a sort key, and the 16 KB limits on the request line and headers."""

import pytest
import requests

from item_helpers import get, key
from support import expect_validation

LONG = "a" * 256


def index_table(tables, definitions, **indexes):
    return lambda: tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]
        + [{"AttributeName": d, "AttributeType": "S"} for d in definitions],
        **indexes,
    )


def too_long(path, value=LONG):
    return (f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: "
            "Member must have length less than or equal to 255")


def test_index_key_name_over_255_is_reported_before_undefined_attributes(tables):
    gsi = [{"IndexName": "gsi", "KeySchema": [{"AttributeName": LONG, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}]
    expect_validation(index_table(tables, ["short"], GlobalSecondaryIndexes=gsi),
                      too_long("globalSecondaryIndexes.1.member.keySchema.1.member.attributeName"))
    lsi = [{"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                             {"AttributeName": LONG, "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}]
    expect_validation(index_table(tables, ["short"], LocalSecondaryIndexes=lsi),
                      too_long("localSecondaryIndexes.1.member.keySchema.2.member.attributeName"))


def test_projected_attribute_name_over_255(tables):
    gsi = [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [LONG]}}]
    expect_validation(
        index_table(tables, ["c"], GlobalSecondaryIndexes=gsi),
        f"1 validation error detected: Value '[{LONG}]' at "
        "'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 255, "
        "Member must have length greater than or equal to 1]")


def test_update_table_attribute_names_over_255(ddb, hash_table):
    def create(defined, keyed):
        return lambda: ddb.update_table(
            TableName=hash_table,
            AttributeDefinitions=[{"AttributeName": defined, "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "gsi", "KeySchema": [{"AttributeName": keyed, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}])
    expect_validation(create(LONG, "short"), too_long("attributeDefinitions.1.member.attributeName"))
    expect_validation(create("short", LONG),
                      too_long("globalSecondaryIndexUpdates.1.member.create.keySchema.1.member.attributeName"))


def test_document_paths_have_at_most_32_levels(ddb, hash_table):
    k = key()
    ddb.get_item(TableName=hash_table, Key=k, ProjectionExpression="a" + ".b" * 31)
    expect_validation(
        lambda: ddb.get_item(TableName=hash_table, Key=k, ProjectionExpression="a" + ".b" * 32),
        "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33")


def test_list_index_out_of_range(ddb, hash_table):
    k = key()
    ddb.put_item(TableName=hash_table, Item={**k, "a": {"L": [{"N": "7"}]}})
    got = ddb.get_item(TableName=hash_table, Key=k, ConsistentRead=True, ProjectionExpression="a[999]")
    assert got["Item"] == {}
    expect_validation(
        lambda: ddb.get_item(TableName=hash_table, Key=k, ProjectionExpression="a[99999999999999]"),
        "Invalid ProjectionExpression: List index is not within the allowable range; index: [99999999999999]")


def test_only_if_not_exists_nests_in_updates(ddb, hash_table):
    k = key()
    values = {":a": {"L": [{"S": "a"}]}, ":b": {"L": [{"S": "b"}]}, ":c": {"L": [{"S": "c"}]}}
    expect_validation(
        lambda: ddb.update_item(TableName=hash_table, Key=k,
                                UpdateExpression="SET l = list_append(list_append(:a, :b), :c)",
                                ExpressionAttributeValues=values),
        "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; "
        "function: list_append")
    ddb.update_item(TableName=hash_table, Key=k,
                    UpdateExpression="SET l = list_append(if_not_exists(l, :a), :b), "
                                     "n = if_not_exists(x, if_not_exists(y, :c))",
                    ExpressionAttributeValues=values)
    item = get(ddb, hash_table, k)
    assert item["l"] == {"L": [{"S": "a"}, {"S": "b"}]}
    assert item["n"] == {"L": [{"S": "c"}]}


def test_remove_nested_path_from_missing_item(ddb, hash_table):
    k = key()
    ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="REMOVE x.y")
    ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="REMOVE x[0]")
    assert get(ddb, hash_table, k) is None
    ddb.put_item(TableName=hash_table, Item=k)
    expect_validation(
        lambda: ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="REMOVE x.y"),
        "The document path provided in the update expression is invalid for update")


@pytest.mark.parametrize("op", ["+", "-"])
def test_imprecise_arithmetic_is_an_overflow(ddb, hash_table, op):
    expect_validation(
        lambda: ddb.update_item(TableName=hash_table, Key=key(), UpdateExpression=f"SET b = :x {op} :y",
                                ExpressionAttributeValues={":x": {"N": "1e50"}, ":y": {"N": "1"}}),
        "Number overflow. Attempting to store a number with magnitude larger than supported range")


def test_query_start_key_on_table_without_sort_key(ddb, hash_table):
    expect_validation(
        lambda: ddb.query(TableName=hash_table, KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": {"S": "x1"}},
                          ExclusiveStartKey={"pk": {"S": "x1"}}),
        "The provided exclusive start key is invalid: ExclusiveStartKey: {pk=AttributeValue: {S:x1}}")


def test_request_line_and_headers_over_16_kb_are_400(endpoint):
    assert requests.get(endpoint + "/health", headers={"h1": "dog"}, timeout=10).status_code == 200
    big = requests.get(endpoint + "/health", headers={"h1": "x" * 8192, "h2": "y" * 8192}, timeout=10)
    assert big.status_code == 400
    assert requests.get(endpoint + "/health/" + "x" * 17000, timeout=10).status_code == 400
