"""DynamoDB Streams records: what each write path writes to the stream, exactly as AWS writes
it (shape, images per view type, SizeBytes, sequence numbers), and that writes which leave an
item unchanged write nothing."""

import time

import pytest

from stream_support import VIEW_TYPES, read_all, stream_table, summary, wait_for

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731


def test_a_record_has_exactly_the_aws_shape(ddb, streams, tables):
    name, arn = stream_table(tables, label="shape")
    before = int(time.time())
    # The item of the record AWS produced in LocalStack's recorded snapshot (SizeBytes 46).
    item = {"pk": S("my-item-id"), "attr1": S("value1"), "attr2": S("value2")}
    ddb.put_item(TableName=name, Item=item)
    ddb.put_item(TableName=name, Item=dict(item, attr1=S("value3")))
    records = read_all(streams, arn)
    assert len(records) == 2
    insert, modify = records
    assert sorted(insert) == ["awsRegion", "dynamodb", "eventID", "eventName", "eventSource", "eventVersion"]
    assert insert["awsRegion"] == "us-east-1"
    assert insert["eventSource"] == "aws:dynamodb"
    assert insert["eventVersion"] == "1.1"
    assert insert["eventName"] == "INSERT"
    assert len(insert["eventID"]) == 32 and insert["eventID"] != modify["eventID"]
    d = insert["dynamodb"]
    assert sorted(d) == ["ApproximateCreationDateTime", "Keys", "NewImage", "SequenceNumber", "SizeBytes", "StreamViewType"]
    assert d["Keys"] == {"pk": S("my-item-id")}
    assert d["NewImage"] == item
    assert d["SizeBytes"] == 46
    assert d["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    created = d["ApproximateCreationDateTime"].timestamp()
    assert before - 1 <= created <= time.time() + 1
    m = modify["dynamodb"]
    assert modify["eventName"] == "MODIFY"
    assert m["OldImage"] == item and m["NewImage"]["attr1"] == S("value3")
    assert m["SizeBytes"] == 80
    a, b = d["SequenceNumber"], m["SequenceNumber"]
    assert a.isdecimal() and b.isdecimal() and len(a) >= 21
    assert int(a) < int(b)


@pytest.mark.parametrize("view", VIEW_TYPES)
def test_images_follow_the_view_type(ddb, streams, tables, view):
    name, arn = stream_table(tables, view=view, label="view")
    ddb.put_item(TableName=name, Item={"pk": S("k"), "a": N(1)})
    ddb.update_item(
        TableName=name,
        Key={"pk": S("k")},
        UpdateExpression="SET a = :v",
        ExpressionAttributeValues={":v": N(2)},
    )
    ddb.delete_item(TableName=name, Key={"pk": S("k")})
    got = summary(read_all(streams, arn))
    v1, v2 = {"pk": S("k"), "a": N(1)}, {"pk": S("k"), "a": N(2)}
    new = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    old = view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    key = {"pk": S("k")}
    assert got == [
        ("INSERT", key, v1 if new else None, None),
        ("MODIFY", key, v2 if new else None, v1 if old else None),
        ("REMOVE", key, None, v2 if old else None),
    ]
    for r in read_all(streams, arn):
        assert r["dynamodb"]["StreamViewType"] == view


def test_unchanged_items_write_no_record(ddb, streams, tables):
    name, arn = stream_table(tables, label="noop")
    item = {"pk": S("k"), "x": N(2)}
    ddb.put_item(TableName=name, Item=item)
    # Same value again, by each write path: no record.
    ddb.put_item(TableName=name, Item=item)
    ddb.update_item(
        TableName=name,
        Key={"pk": S("k")},
        UpdateExpression="SET x = :v",
        ExpressionAttributeValues={":v": N(2)},
    )
    ddb.update_item(TableName=name, Key={"pk": S("k")}, UpdateExpression="REMOVE nothere")
    ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": item}}]})
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": name, "Item": item}}])
    # Deleting what does not exist, or removing from a missing item: no record.
    ddb.delete_item(TableName=name, Key={"pk": S("gone")})
    ddb.update_item(TableName=name, Key={"pk": S("gone")}, UpdateExpression="REMOVE g")
    ddb.batch_write_item(RequestItems={name: [{"DeleteRequest": {"Key": {"pk": S("gone")}}}]})
    got = summary(read_all(streams, arn))
    assert got == [("INSERT", {"pk": S("k")}, item, None)]


def test_every_write_path_records_in_order(ddb, streams, tables):
    name, arn = stream_table(tables, range_key=True, label="paths")
    k = lambda sk: {"pk": S("p"), "sk": S(sk)}  # noqa: E731
    ddb.put_item(TableName=name, Item=dict(k("a"), v=N(1)))
    ddb.update_item(
        TableName=name,
        Key=k("a"),
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": N(2)},
    )
    ddb.batch_write_item(
        RequestItems={
            name: [
                {"PutRequest": {"Item": dict(k("b"), v=N(1))}},
                {"PutRequest": {"Item": dict(k("c"), v=N(1))}},
                {"DeleteRequest": {"Key": k("a")}},
            ]
        }
    )
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": name, "Item": dict(k("d"), v=N(1))}},
            {
                "Update": {
                    "TableName": name,
                    "Key": k("b"),
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": N(5)},
                }
            },
            {"Delete": {"TableName": name, "Key": k("c")}},
            {"ConditionCheck": {"TableName": name, "Key": k("b0"), "ConditionExpression": "attribute_not_exists(zz)"}},
        ]
    )
    # A failed condition writes nothing, so no record.
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=name, Item=dict(k("d"), v=N(9)), ConditionExpression="attribute_not_exists(pk)")
    got = [(e, keys["sk"]["S"]) for e, keys, _, _ in summary(read_all(streams, arn))]
    assert got[:2] == [("INSERT", "a"), ("MODIFY", "a")]
    assert sorted(got[2:5]) == [("INSERT", "b"), ("INSERT", "c"), ("REMOVE", "a")]
    assert sorted(got[5:]) == [("INSERT", "d"), ("MODIFY", "b"), ("REMOVE", "c")]
    assert len(got) == 8


def test_tables_with_indexes_record_only_table_keys(ddb, streams, tables):
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    defs = [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
        {"AttributeName": "g", "AttributeType": "S"},
    ]
    name, created = tables.create(
        keys,
        defs,
        label="idx",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "g", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    arn = created["TableDescription"]["LatestStreamArn"]
    ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": S("s"), "g": S("x"), "o": N(1)})
    records = read_all(streams, arn)
    assert [r["dynamodb"]["Keys"] for r in records] == [{"pk": S("p"), "sk": S("s")}]
    assert records[0]["dynamodb"]["SizeBytes"] == len("pk") + 1 + len("sk") + 1


def test_ttl_deletions_name_the_service(ddb, streams, tables):
    name, arn = stream_table(tables, label="ttl")
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    gone = {"pk": S("old"), "exp": N(int(time.time()) - 10)}
    ddb.put_item(TableName=name, Item=gone)

    def removed():
        recs = read_all(streams, arn)
        return [r for r in recs if r["eventName"] == "REMOVE"]

    found = wait_for(removed, timeout=60, step=0.5)
    assert found, "the TTL sweeper did not delete the expired item"
    (rec,) = found
    assert rec["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    assert rec["dynamodb"]["OldImage"] == gone
    # An ordinary delete carries no userIdentity.
    ddb.put_item(TableName=name, Item={"pk": S("mine")})
    ddb.delete_item(TableName=name, Key={"pk": S("mine")})
    mine = [r for r in read_all(streams, arn) if r["dynamodb"]["Keys"] == {"pk": S("mine")}]
    assert [r["eventName"] for r in mine] == ["INSERT", "REMOVE"]
    assert all("userIdentity" not in r for r in mine)
