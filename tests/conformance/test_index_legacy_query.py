"""Query on a secondary index with the legacy parameters (KeyConditions, QueryFilter), start
keys checked against the index key condition, and DynamoDB's size limits on index key values.
The server runs with gsi_propagation_delay_ms 0, so GSIs are synchronous."""

from support import expect_validation

INVALID = "One or more parameter values were invalid: "


def indexed_table(tables):
    name, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "city", "AttributeType": "S"},
            {"AttributeName": "age", "AttributeType": "N"},
        ],
        label="idxlegacy",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byCity",
                "KeySchema": [
                    {"AttributeName": "city", "KeyType": "HASH"},
                    {"AttributeName": "age", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "byAge",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "age", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    return name


def fill(ddb, name):
    for sk, city, age, note in [
        ("a", "Paris", 31, "x"),
        ("b", "Paris", 25, "y"),
        ("c", "Rome", 40, "z"),
        ("d", "Paris", 50, "x"),
    ]:
        ddb.put_item(
            TableName=name,
            Item={
                "pk": {"S": "p"},
                "sk": {"S": sk},
                "city": {"S": city},
                "age": {"N": str(age)},
                "note": {"S": note},
            },
        )


def eq(v):
    return {"ComparisonOperator": "EQ", "AttributeValueList": [v]}


def test_key_conditions_on_a_gsi(ddb, tables):
    name = indexed_table(tables)
    fill(ddb, name)
    out = ddb.query(TableName=name, IndexName="byCity", KeyConditions={"city": eq({"S": "Paris"})})
    assert [i["sk"]["S"] for i in out["Items"]] == ["b", "a", "d"]
    out = ddb.query(
        TableName=name,
        IndexName="byCity",
        KeyConditions={
            "city": eq({"S": "Paris"}),
            "age": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "30"}]},
        },
        QueryFilter={"note": eq({"S": "x"})},
        ScanIndexForward=False,
    )
    assert [i["sk"]["S"] for i in out["Items"]] == ["d", "a"]
    assert out["ScannedCount"] == 2


def test_key_conditions_on_an_lsi_fetch_unprojected_attributes(ddb, tables):
    name = indexed_table(tables)
    fill(ddb, name)
    out = ddb.query(
        TableName=name,
        IndexName="byAge",
        KeyConditions={
            "pk": eq({"S": "p"}),
            "age": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "30"}, {"N": "45"}]},
        },
        Select="ALL_ATTRIBUTES",
    )
    assert [(i["sk"]["S"], i["note"]["S"]) for i in out["Items"]] == [("a", "x"), ("c", "z")]


def test_key_conditions_must_name_the_index_key(ddb, tables):
    name = indexed_table(tables)
    expect_validation(
        lambda: ddb.query(TableName=name, IndexName="byCity", KeyConditions={"pk": eq({"S": "p"})}),
        "Query condition missed key schema element: city",
    )
    expect_validation(
        lambda: ddb.query(
            TableName=name,
            IndexName="byCity",
            KeyConditions={"city": eq({"S": "Paris"})},
            QueryFilter={"age": eq({"N": "1"})},
        ),
        "QueryFilter can only contain non-primary key attributes: Primary key attribute: age",
    )


def test_index_start_key_outside_the_condition(ddb, tables):
    name = indexed_table(tables)
    fill(ddb, name)
    start = {"city": {"S": "Rome"}, "age": {"N": "40"}, "pk": {"S": "p"}, "sk": {"S": "c"}}
    expect_validation(
        lambda: ddb.query(
            TableName=name,
            IndexName="byCity",
            KeyConditions={"city": eq({"S": "Paris"})},
            ExclusiveStartKey=start,
        ),
        "The provided starting key is outside query boundaries based on provided conditions",
    )
    expect_validation(
        lambda: ddb.query(
            TableName=name,
            IndexName="byCity",
            KeyConditionExpression="city = :c AND age = :a",
            ExpressionAttributeValues={":c": {"S": "Rome"}, ":a": {"N": "41"}},
            ExclusiveStartKey=start,
        ),
        "The provided starting key does not match the range key predicate",
    )
    # A start key inside the condition resumes after it.
    paris = {"city": {"S": "Paris"}, "age": {"N": "25"}, "pk": {"S": "p"}, "sk": {"S": "b"}}
    out = ddb.query(
        TableName=name,
        IndexName="byCity",
        KeyConditions={"city": eq({"S": "Paris"})},
        ExclusiveStartKey=paris,
    )
    assert [i["sk"]["S"] for i in out["Items"]] == ["a", "d"]


def test_index_key_values_have_dynamodb_size_limits(ddb, tables):
    name = indexed_table(tables)
    item = {"pk": {"S": "p"}, "sk": {"S": "big"}, "age": {"N": "1"}}
    ddb.put_item(TableName=name, Item={**item, "city": {"S": "c" * 2048}})
    expect_validation(
        lambda: ddb.put_item(TableName=name, Item={**item, "city": {"S": "c" * 2049}}),
        INVALID
        + "Size limit exceeded for Index Key city Actual Size: 2049 bytes Max Size: 2048 bytes IndexName: byCity",
    )
    got = ddb.get_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"S": "big"}})["Item"]
    assert len(got["city"]["S"]) == 2048


def test_a_gsi_read_cannot_ask_for_unprojected_attributes(ddb, tables):
    name, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}],
        [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        label="gsiproj",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]},
            }
        ],
    )
    ddb.put_item(TableName=name, Item={k: {"S": k + "1"} for k in ("pk", "g", "a", "b")})
    got = ddb.query(
        TableName=name,
        IndexName="byG",
        KeyConditions={"g": eq({"S": "g1"})},
        AttributesToGet=["a", "pk"],
    )
    assert got["Items"] == [{"a": {"S": "a1"}, "pk": {"S": "pk1"}}]
    message = INVALID + "Global secondary index byG does not project [b]"
    expect_validation(
        lambda: ddb.query(
            TableName=name, IndexName="byG", KeyConditions={"g": eq({"S": "g1"})}, AttributesToGet=["b"]
        ),
        message,
    )
    expect_validation(
        lambda: ddb.query(
            TableName=name,
            IndexName="byG",
            KeyConditionExpression="g = :g",
            ProjectionExpression="a, b",
            ExpressionAttributeValues={":g": {"S": "g1"}},
        ),
        message,
    )
    expect_validation(lambda: ddb.scan(TableName=name, IndexName="byG", ProjectionExpression="b.c"), message)
