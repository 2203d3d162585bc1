"""Enabling and disabling streams: StreamSpecification on CreateTable and UpdateTable with
DynamoDB's refusals; a disabled stream stays listed and readable with its shards closed; a
re-enabled stream gets a new ARN while the old one stays readable."""

from stream_support import all_shards, disable, iterator, read_all, stream_table
from support import expect_validation, unique_name, wait_active

S = lambda v: {"S": v}  # noqa: E731
KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]
DEFS = [{"AttributeName": "pk", "AttributeType": "S"}]


def test_create_table_refusals(ddb, raw_ddb):
    def create(spec):
        return lambda: raw_ddb.create_table(
            TableName=unique_name("bad"),
            KeySchema=KEYS,
            AttributeDefinitions=DEFS,
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification=spec,
        )

    expect_validation(
        create({"StreamEnabled": True}),
        "One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required",
    )
    expect_validation(
        create({"StreamEnabled": False, "StreamViewType": "NEW_IMAGE"}),
        "One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified",
    )
    expect_validation(
        create({"StreamEnabled": True, "StreamViewType": "Fisk"}),
        "1 validation error detected: Value 'Fisk' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]",
    )


def test_a_table_without_stream_describes_none(ddb, hash_table):
    table = ddb.describe_table(TableName=hash_table)["Table"]
    assert "StreamSpecification" not in table and "LatestStreamArn" not in table


def test_update_table_enables_and_refuses_as_dynamodb(ddb, raw_ddb, streams, tables):
    name = tables.hash_table(label="upd")
    expect_validation(
        lambda: ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False}),
        f"Table has no stream to disable: TableName: {name}",
    )
    expect_validation(
        lambda: ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True}),
        "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required",
    )
    expect_validation(
        lambda: raw_ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "Fisk"}),
        "1 validation error detected: Value 'Fisk' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]",
    )
    out = ddb.update_table(
        TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    )["TableDescription"]
    arn = out["LatestStreamArn"]
    assert out["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    wait_active(ddb, name)
    for view in ["NEW_IMAGE", "OLD_IMAGE"]:
        expect_validation(
            lambda: ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": view}),
            f"Table already has an enabled stream: TableName: {name}",
        )
    assert [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]] == [arn]
    # An unrelated update keeps the stream and its ARN.
    again = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert again["LatestStreamArn"] == arn
    ddb.tag_resource(ResourceArn=again["TableArn"], Tags=[{"Key": "k", "Value": "v"}])
    assert [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]] == [arn]
    ddb.put_item(TableName=name, Item={"pk": S("a")})
    assert [r["eventName"] for r in read_all(streams, arn)] == ["INSERT"]


def test_a_disabled_stream_stays_readable_with_closed_shards(ddb, streams, tables):
    name, arn = stream_table(tables, view="KEYS_ONLY", label="dis")
    (shard,) = all_shards(streams, arn)
    latest = iterator(streams, arn, shard["ShardId"], "LATEST")
    ddb.put_item(TableName=name, Item={"pk": S("a")})
    disable(ddb, name)
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": False}
    assert table["LatestStreamArn"] == arn
    # Writes after disabling are not recorded.
    ddb.put_item(TableName=name, Item={"pk": S("b")})
    assert [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]] == [arn]
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamStatus"] == "DISABLED"
    (closed,) = desc["Shards"]
    rng = closed["SequenceNumberRange"]
    assert rng["EndingSequenceNumber"].isdecimal()
    # The iterator got while open reads the record, then the drained closed shard ends.
    got = streams.get_records(ShardIterator=latest)
    assert [r["dynamodb"]["Keys"] for r in got["Records"]] == [{"pk": S("a")}]
    assert rng["EndingSequenceNumber"] == got["Records"][0]["dynamodb"]["SequenceNumber"]
    if "NextShardIterator" in got:
        end = streams.get_records(ShardIterator=got["NextShardIterator"])
        assert end["Records"] == [] and "NextShardIterator" not in end
    trim = iterator(streams, arn, closed["ShardId"], "TRIM_HORIZON")
    assert len(streams.get_records(ShardIterator=trim)["Records"]) == 1
    expect_validation(
        lambda: ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False}),
        f"Table has no stream to disable: TableName: {name}",
    )


def test_an_empty_disabled_stream_closes_its_shard(ddb, streams, tables):
    name, arn = stream_table(tables, view="KEYS_ONLY", label="disempty")
    disable(ddb, name)
    (closed,) = all_shards(streams, arn)
    assert closed["SequenceNumberRange"]["EndingSequenceNumber"].isdecimal()
    end = streams.get_records(ShardIterator=iterator(streams, arn, closed["ShardId"]))
    assert end["Records"] == [] and "NextShardIterator" not in end


def test_reenabling_makes_a_new_stream_and_keeps_the_old(ddb, streams, tables):
    name, first = stream_table(tables, view="KEYS_ONLY", label="reen")
    ddb.put_item(TableName=name, Item={"pk": S("one")})
    disable(ddb, name)
    second = ddb.update_table(
        TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    )["TableDescription"]["LatestStreamArn"]
    wait_active(ddb, name)
    assert second != first
    ddb.put_item(TableName=name, Item={"pk": S("two")})
    listed = {s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]}
    assert listed == {first, second}
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(streams, first)] == ["one"]
    new = read_all(streams, second)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in new] == ["two"]
    assert new[0]["dynamodb"]["StreamViewType"] == "NEW_IMAGE"
    assert streams.describe_stream(StreamArn=first)["StreamDescription"]["StreamStatus"] == "DISABLED"
    assert streams.describe_stream(StreamArn=second)["StreamDescription"]["StreamStatus"] == "ENABLED"
