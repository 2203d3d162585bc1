"""Model validation: the member constraints of DynamoDB's service model (required, length,
range, pattern, enum) checked before each operation's own logic, in DynamoDB's words, member
paths and value rendering — one of each kind on several operations, nested paths, the joined
form, and the check coming before semantic errors (no table, bad key schema).

The client is `raw_ddb` (botocore's own checks off), so the server's validation answers."""

import pytest

from support import expect_constraint_errors, expect_validation, unique_name

KEY = {"pk": {"S": "a"}}
HASH_SCHEMA = [{"AttributeName": "pk", "KeyType": "HASH"}]
HASH_DEFS = [{"AttributeName": "pk", "AttributeType": "S"}]

NOT_NULL = "Member must not be null"
MIN1 = "Member must have length greater than or equal to 1"
MIN3 = "Member must have length greater than or equal to 3"
MAX255 = "Member must have length less than or equal to 255"
NAME_PATTERN = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
AT_LEAST_1 = "Member must have value greater than or equal to 1"
CAPACITY_ENUM = "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"


def part(value, path, constraint):
    """One violation: `Value 'v' at 'path' …`, or `Value null` for a missing member."""
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


def one(value, path, constraint):
    """The whole message of a single violation."""
    return "1 validation error detected: " + part(value, path, constraint)


# (label, operation, arguments, value shown, member path, constraint): one violation each.
SINGLE = [
    # The issue's own examples.
    ("length min", "create_table",
     dict(TableName="ab", KeySchema=HASH_SCHEMA, AttributeDefinitions=HASH_DEFS,
          BillingMode="PAY_PER_REQUEST"),
     "ab", "tableName", MIN3),
    ("range min", "query", dict(TableName="Music", Limit=0), "0", "limit", AT_LEAST_1),
    # Required members.
    ("required", "get_item", dict(TableName="Music"), None, "key", NOT_NULL),
    ("required", "put_item", dict(TableName="Music"), None, "item", NOT_NULL),
    ("required", "execute_statement", dict(), None, "statement", NOT_NULL),
    ("required", "describe_time_to_live", dict(), None, "tableName", NOT_NULL),
    # Lengths, patterns, enums and ranges on several operations.
    ("length max", "scan", dict(TableName="x" * 256), "x" * 256, "tableName", MAX255),
    ("pattern", "describe_table", dict(TableName="bad name!"), "bad name!", "tableName",
     NAME_PATTERN),
    ("pattern", "delete_item", dict(TableName="a;bc", Key=KEY), "a;bc", "tableName",
     NAME_PATTERN),
    ("enum", "get_item", dict(TableName="Music", Key=KEY, ReturnConsumedCapacity="ALL"),
     "ALL", "returnConsumedCapacity", CAPACITY_ENUM),
    ("enum", "scan", dict(TableName="Music", Select="EVERYTHING"), "EVERYTHING", "select",
     "Member must satisfy enum value set: "
     "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"),
    ("enum", "update_item", dict(TableName="Music", Key=KEY, ReturnValues="EVERYTHING"),
     "EVERYTHING", "returnValues",
     "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"),
    ("range max", "list_tables", dict(Limit=101), "101", "limit",
     "Member must have value less than or equal to 100"),
    ("list min", "query", dict(TableName="Music", AttributesToGet=[]), "[]", "attributesToGet",
     MIN1),
    ("list min", "execute_statement", dict(Statement="SELECT * FROM Music", Parameters=[]),
     "[]", "parameters", MIN1),
    # Nested paths: a structure member, a list element, a map value.
    ("nested range", "update_table",
     dict(TableName="Music",
          ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}),
     "0", "provisionedThroughput.readCapacityUnits", AT_LEAST_1),
    ("nested length", "update_time_to_live",
     dict(TableName="Music", TimeToLiveSpecification={"Enabled": True, "AttributeName": ""}),
     "", "timeToLiveSpecification.attributeName", MIN1),
    ("list element", "transact_get_items",
     dict(TransactItems=[{"Get": {"TableName": "ab", "Key": KEY}}]),
     "ab", "transactItems.1.member.get.tableName", MIN3),
    ("list element", "transact_write_items",
     dict(TransactItems=[{"Delete": {"TableName": "Music", "Key": KEY}},
                         {"Put": {"TableName": "Music"}}]),
     None, "transactItems.2.member.put.item", NOT_NULL),
    ("map value", "batch_get_item", dict(RequestItems={"Music": {"Keys": []}}), "[]",
     "requestItems.Music.member.keys", MIN1),
    ("list element", "create_table",
     dict(TableName="Music", KeySchema=HASH_SCHEMA, BillingMode="PAY_PER_REQUEST",
          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "X"}]),
     "X", "attributeDefinitions.1.member.attributeType",
     "Member must satisfy enum value set: [B, N, S]"),
    ("list element", "batch_execute_statement",
     dict(Statements=[{"Statement": "SELECT * FROM Music", "Parameters": []}]),
     "[]", "statements.1.member.parameters", MIN1),
]


@pytest.mark.parametrize(
    "label,operation,args,value,path,constraint", SINGLE,
    ids=[f"{op}-{label}" for label, op, *_ in SINGLE])
def test_one_constraint(raw_ddb, label, operation, args, value, path, constraint):
    expect_validation(lambda: getattr(raw_ddb, operation)(**args), one(value, path, constraint))


def test_several_violations_are_joined(raw_ddb):
    # Every violation of the request, however many members and kinds: "N validation errors
    # detected: a; b; c" (DynamoDB's order is not fixed, so compared as a set).
    expect_constraint_errors(
        lambda: raw_ddb.query(TableName="ab", Limit=0, Select="X", IndexName="i!"),
        [
            part("ab", "tableName", MIN3),
            part("i!", "indexName", NAME_PATTERN),
            part("i!", "indexName", MIN3),
            part("X", "select", "Member must satisfy enum value set: "
                 "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"),
            part("0", "limit", AT_LEAST_1),
        ],
    )
    expect_constraint_errors(
        lambda: raw_ddb.create_table(TableName="ab"),
        [
            part(None, "attributeDefinitions", NOT_NULL),
            part("ab", "tableName", MIN3),
            part(None, "keySchema", NOT_NULL),
        ],
    )
    # A value that breaks both the pattern and the length counts twice.
    expect_constraint_errors(
        lambda: raw_ddb.delete_table(TableName="a;"),
        [part("a;", "tableName", NAME_PATTERN), part("a;", "tableName", MIN3)],
    )


def test_constraints_come_before_the_operations_own_checks(raw_ddb):
    # No such table: the constraint answers, not ResourceNotFoundException.
    missing = unique_name("nosuch")[:2]
    expect_validation(lambda: raw_ddb.put_item(TableName=missing, Item=KEY),
                      one(missing, "tableName", MIN3))
    # A key schema naming an undefined attribute is a semantic error, reported only once the
    # constraints hold.
    expect_validation(
        lambda: raw_ddb.create_table(
            TableName="ab", KeySchema=[{"AttributeName": "other", "KeyType": "HASH"}],
            AttributeDefinitions=HASH_DEFS, BillingMode="PAY_PER_REQUEST"),
        one("ab", "tableName", MIN3),
    )
    # A statement that does not parse: its length is checked first.
    expect_validation(lambda: raw_ddb.execute_statement(Statement="x" * 8193),
                      one("x" * 8193, "statement",
                          "Member must have length less than or equal to 8192"))


def test_values_render_as_dynamodb_prints_them(raw_ddb):
    # A list of structures of scalars prints as the SDK's object dump, in model order.
    schema = [{"KeyType": "HASH", "AttributeName": "pk"}] * 3
    expect_validation(
        lambda: raw_ddb.create_table(TableName="Music", KeySchema=schema,
                                     AttributeDefinitions=HASH_DEFS,
                                     BillingMode="PAY_PER_REQUEST"),
        one("[KeySchemaElement(AttributeName=pk, KeyType=HASH), "
            "KeySchemaElement(AttributeName=pk, KeyType=HASH), "
            "KeySchemaElement(AttributeName=pk, KeyType=HASH)]",
            "keySchema", "Member must have length less than or equal to 2"),
    )
    # A list whose elements are checked one by one reports the element at its own path.
    expect_validation(
        lambda: raw_ddb.untag_resource(ResourceArn="arn:aws:dynamodb:us-east-1:000000000000:table/Music",
                                       TagKeys=["ok", ""]),
        one("", "tagKeys.2.member", MIN1),
    )
