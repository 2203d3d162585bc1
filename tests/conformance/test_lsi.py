"""Local secondary indexes: CreateTable validation, DescribeTable, synchronous maintenance,
Query/Scan on the index with KEYS_ONLY/INCLUDE projections and the fetch of non-projected
attributes from the table."""

from support import expect_validation


def lsi_table(tables, projection):
    name, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "score", "AttributeType": "N"},
        ],
        label="lsi",
        LocalSecondaryIndexes=[
            {
                "IndexName": "byScore",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "score", "KeyType": "RANGE"},
                ],
                "Projection": projection,
            }
        ],
    )
    return name


def put(ddb, table, sk, score, extra="x"):
    item = {"pk": {"S": "p"}, "sk": {"S": sk}, "extra": {"S": extra}, "inc": {"S": "i" + sk}}
    if score is not None:
        item["score"] = {"N": str(score)}
    ddb.put_item(TableName=table, Item=item)


def test_describe_lists_the_lsi(ddb, tables):
    name = lsi_table(tables, {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["inc"]})
    put(ddb, name, "a", 3)
    put(ddb, name, "b", None)
    desc = ddb.describe_table(TableName=name)["Table"]
    [lsi] = desc["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "byScore"
    assert lsi["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "score", "KeyType": "RANGE"},
    ]
    assert lsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["inc"]}
    assert lsi["IndexArn"] == desc["TableArn"] + "/index/byScore"
    assert lsi["ItemCount"] == 1  # sparse: the item without `score` has no entry
    assert "IndexStatus" not in lsi


def test_query_in_index_order_and_fetch(ddb, tables):
    name = lsi_table(tables, {"ProjectionType": "KEYS_ONLY"})
    for sk, score in [("a", 30), ("b", 10), ("c", 20), ("d", None)]:
        put(ddb, name, sk, score)
    out = ddb.query(
        TableName=name,
        IndexName="byScore",
        KeyConditionExpression="pk = :p AND score > :s",
        ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"N": "10"}},
    )
    assert [i["sk"]["S"] for i in out["Items"]] == ["c", "a"]
    assert set(out["Items"][0]) == {"pk", "sk", "score"}
    # ALL_ATTRIBUTES on an LSI fetches the rest from the table.
    out = ddb.query(
        TableName=name,
        IndexName="byScore",
        Select="ALL_ATTRIBUTES",
        ScanIndexForward=False,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
    )
    assert [i["sk"]["S"] for i in out["Items"]] == ["a", "c", "b"]
    assert out["Items"][0]["extra"] == {"S": "x"}
    # Changing the LSI key moves the entry at once (synchronous).
    put(ddb, name, "a", 5)
    out = ddb.query(
        TableName=name,
        IndexName="byScore",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Limit=1,
    )
    assert [i["sk"]["S"] for i in out["Items"]] == ["a"]
    assert out["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"S": "a"}, "score": {"N": "5"}}
    nxt = ddb.query(
        TableName=name,
        IndexName="byScore",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey=out["LastEvaluatedKey"],
    )
    assert [i["sk"]["S"] for i in nxt["Items"]] == ["b", "c"]
    ddb.delete_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"S": "b"}})
    scan = ddb.scan(TableName=name, IndexName="byScore")
    assert sorted(i["sk"]["S"] for i in scan["Items"]) == ["a", "c"]


def test_lsi_key_type_is_enforced(ddb, tables):
    name = lsi_table(tables, {"ProjectionType": "ALL"})
    expect_validation(
        lambda: ddb.put_item(
            TableName=name,
            Item={"pk": {"S": "p"}, "sk": {"S": "a"}, "score": {"S": "high"}},
        ),
        "One or more parameter values were invalid: Type mismatch for Index Key score "
        "Expected: N Actual: S IndexName: byScore",
    )


def test_create_table_lsi_rules(ddb):
    base = dict(
        TableName="conf-lsi-invalid",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "x", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )
    lsi = {
        "IndexName": "other",
        "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"},
    }
    expect_validation(
        lambda: ddb.create_table(**base, LocalSecondaryIndexes=[lsi]),
        "One or more parameter values were invalid: Index KeySchema does not have the same leading "
        "hash key as table KeySchema for index: other. index hash key: x, table hash key: pk",
    )
    lsi["KeySchema"][0]["AttributeName"] = "pk"
    lsi["KeySchema"][1]["AttributeName"] = "x"
    lsi["Projection"] = {"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]}
    expect_validation(
        lambda: ddb.create_table(**base, LocalSecondaryIndexes=[lsi]),
        "One or more parameter values were invalid: ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified",
    )
