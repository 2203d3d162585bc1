"""Global secondary indexes (the server runs with gsi_propagation_delay_ms 0, so GSIs are
synchronous): DescribeTable, sparse entries, reads right after writes, projections, DynamoDB's
refusals, and multi-attribute keys (the tournament pattern)."""

from support import expect_validation


def gsi_table(tables, projection, billing="PAY_PER_REQUEST"):
    extra = {}
    gsi = {
        "IndexName": "byCity",
        "KeySchema": [
            {"AttributeName": "city", "KeyType": "HASH"},
            {"AttributeName": "age", "KeyType": "RANGE"},
        ],
        "Projection": projection,
    }
    if billing == "PROVISIONED":
        extra["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        gsi["ProvisionedThroughput"] = {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}
    name, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}],
        [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "city", "AttributeType": "S"},
            {"AttributeName": "age", "AttributeType": "N"},
        ],
        label="gsi",
        GlobalSecondaryIndexes=[gsi],
        **extra,
    )
    return name


def people(ddb, name):
    rows = [("ann", "Paris", 31), ("bob", "Paris", 25), ("cid", "Rome", 40), ("dan", None, 50)]
    for pk, city, age in rows:
        item = {"pk": {"S": pk}, "age": {"N": str(age)}, "note": {"S": pk + "!"}}
        if city:
            item["city"] = {"S": city}
        ddb.put_item(TableName=name, Item=item)


def by_city(ddb, name, city, **kw):
    return ddb.query(
        TableName=name,
        IndexName="byCity",
        KeyConditionExpression="city = :c",
        ExpressionAttributeValues={":c": {"S": city}},
        **kw,
    )


def test_read_immediately_after_writes_with_delay_zero(ddb, tables):
    name = gsi_table(tables, {"ProjectionType": "ALL"})
    people(ddb, name)
    out = by_city(ddb, name, "Paris")
    assert [i["pk"]["S"] for i in out["Items"]] == ["bob", "ann"]
    assert out["Items"][0]["note"] == {"S": "bob!"}
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "bob"}},
        UpdateExpression="SET city = :r",
        ExpressionAttributeValues={":r": {"S": "Rome"}},
    )
    assert [i["pk"]["S"] for i in by_city(ddb, name, "Paris")["Items"]] == ["ann"]
    assert [i["pk"]["S"] for i in by_city(ddb, name, "Rome")["Items"]] == ["bob", "cid"]
    ddb.delete_item(TableName=name, Key={"pk": {"S": "cid"}})
    assert [i["pk"]["S"] for i in by_city(ddb, name, "Rome")["Items"]] == ["bob"]
    scan = ddb.scan(TableName=name, IndexName="byCity")
    assert sorted(i["pk"]["S"] for i in scan["Items"]) == ["ann", "bob"]  # dan is not indexed


def test_describe_and_item_count(ddb, tables):
    name = gsi_table(tables, {"ProjectionType": "KEYS_ONLY"}, billing="PROVISIONED")
    people(ddb, name)
    desc = ddb.describe_table(TableName=name)["Table"]
    [gsi] = desc["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "byCity"
    assert gsi["IndexStatus"] == "ACTIVE"
    assert gsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert gsi["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert gsi["ItemCount"] == 3
    assert gsi["IndexSizeBytes"] > 0
    assert gsi["IndexArn"].endswith(":table/" + name + "/index/byCity")


def test_projection_and_refusals(ddb, tables):
    name = gsi_table(tables, {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]})
    people(ddb, name)
    item = by_city(ddb, name, "Rome")["Items"][0]
    assert set(item) == {"pk", "city", "age", "note"}
    expect_validation(
        lambda: by_city(ddb, name, "Rome", ConsistentRead=True),
        "Consistent reads are not supported on global secondary indexes",
    )
    expect_validation(
        lambda: by_city(ddb, name, "Rome", Select="ALL_ATTRIBUTES"),
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
        "for global secondary index byCity because its projection type is not ALL",
    )
    expect_validation(
        lambda: ddb.query(
            TableName=name,
            IndexName="nope",
            KeyConditionExpression="city = :c",
            ExpressionAttributeValues={":c": {"S": "Rome"}},
        ),
        "The table does not have the specified index: nope",
    )
    expect_validation(
        lambda: ddb.put_item(TableName=name, Item={"pk": {"S": "x"}, "age": {"S": "old"}}),
        "One or more parameter values were invalid: Type mismatch for Index Key age "
        "Expected: N Actual: S IndexName: byCity",
    )


def tournament(tables):
    name, _ = tables.create(
        [{"AttributeName": "id", "KeyType": "HASH"}],
        [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "region", "AttributeType": "S"},
            {"AttributeName": "tier", "AttributeType": "S"},
            {"AttributeName": "score", "AttributeType": "N"},
            {"AttributeName": "player", "AttributeType": "S"},
        ],
        label="tour",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "board",
                "KeySchema": [
                    {"AttributeName": "region", "KeyType": "HASH"},
                    {"AttributeName": "tier", "KeyType": "HASH"},
                    {"AttributeName": "score", "KeyType": "RANGE"},
                    {"AttributeName": "player", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    return name


def test_multi_attribute_keys(raw_ddb, tables):
    ddb = raw_ddb  # botocore's model may predate multi-attribute keys
    name = tournament(tables)
    rows = [
        ("1", "eu", "gold", 10, "zed"),
        ("2", "eu", "gold", 10, "amy"),
        ("3", "eu", "gold", 7, "bo"),
        ("4", "eu", "silver", 99, "cy"),
        ("5", "us", "gold", 50, "di"),
    ]
    for i, region, tier, score, player in rows:
        ddb.put_item(
            TableName=name,
            Item={
                "id": {"S": i},
                "region": {"S": region},
                "tier": {"S": tier},
                "score": {"N": str(score)},
                "player": {"S": player},
            },
        )
    desc = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert [k["KeyType"] for k in desc["KeySchema"]] == ["HASH", "HASH", "RANGE", "RANGE"]

    def q(cond, values, **kw):
        out = ddb.query(
            TableName=name,
            IndexName="board",
            KeyConditionExpression=cond,
            ExpressionAttributeValues=values,
            **kw,
        )
        return [i["id"]["S"] for i in out["Items"]]

    eu_gold = {":r": {"S": "eu"}, ":t": {"S": "gold"}}
    assert q("#r = :r AND tier = :t", eu_gold, ExpressionAttributeNames={"#r": "region"}) == ["3", "2", "1"]
    assert q(
        "#r = :r AND tier = :t AND score = :s",
        {**eu_gold, ":s": {"N": "10"}},
        ExpressionAttributeNames={"#r": "region"},
        ScanIndexForward=False,
    ) == ["1", "2"]
    assert q(
        "#r = :r AND tier = :t AND score = :s AND player > :p",
        {**eu_gold, ":s": {"N": "10"}, ":p": {"S": "b"}},
        ExpressionAttributeNames={"#r": "region"},
    ) == ["1"]
    assert q(
        "#r = :r AND tier = :t AND score >= :s",
        {**eu_gold, ":s": {"N": "8"}},
        ExpressionAttributeNames={"#r": "region"},
    ) == ["2", "1"]
    expect_validation(
        lambda: q("#r = :r", {":r": {"S": "eu"}}, ExpressionAttributeNames={"#r": "region"}),
        "Query condition missed key schema element: tier",
    )
    expect_validation(
        lambda: q(
            "#r = :r AND tier = :t AND player = :p",
            {**eu_gold, ":p": {"S": "amy"}},
            ExpressionAttributeNames={"#r": "region"},
        ),
        "Query key condition not supported",
    )
