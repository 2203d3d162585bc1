"""The DynamoDB Streams API on the same endpoint as DynamoDB, through boto3's separate
`dynamodbstreams` client: ListStreams, DescribeStream, GetShardIterator, GetRecords — shapes,
paging, iterator types and DynamoDB's errors."""

import pytest
from botocore.exceptions import ClientError

from stream_support import all_shards, iterator, read_all, stream_table
from support import expect_error, expect_validation

S = lambda v: {"S": v}  # noqa: E731
ARN_GARBAGE = "sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf"


def code(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_describe_stream_has_aws_keys_and_one_open_shard(ddb, streams, tables):
    name, arn = stream_table(tables, view="KEYS_ONLY", range_key=True, label="desc")
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert sorted(desc) == [
        "CreationRequestDateTime",
        "KeySchema",
        "Shards",
        "StreamArn",
        "StreamLabel",
        "StreamStatus",
        "StreamViewType",
        "TableName",
    ]
    assert desc["StreamArn"] == arn
    assert arn.endswith("/stream/" + desc["StreamLabel"])
    assert desc["StreamStatus"] == "ENABLED"
    assert desc["StreamViewType"] == "KEYS_ONLY"
    assert desc["TableName"] == name
    assert desc["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    (shard,) = desc["Shards"]
    assert sorted(shard) == ["SequenceNumberRange", "ShardId"]
    assert 28 <= len(shard["ShardId"]) <= 65 and shard["ShardId"].startswith("shardId-")
    start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    assert start.isdecimal() and len(start) >= 21
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["LatestStreamArn"] == arn
    assert table["LatestStreamLabel"] == desc["StreamLabel"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    label = desc["StreamLabel"]
    assert len(label) == 23 and label[10] == "T" and label[19] == "."


def test_describe_stream_errors(streams, raw_streams, tables):
    _, arn = stream_table(tables, label="dserr")
    assert code(lambda: streams.describe_stream(StreamArn=ARN_GARBAGE))[0] == "ValidationException"
    missing = arn.replace("table/", "table/nothere-")
    expect_error(
        lambda: streams.describe_stream(StreamArn=missing),
        "ResourceNotFoundException",
        f"Requested resource not found: Stream: {missing} not found",
    )
    other_label = arn[: -len("2026-01-01T00:00:00.000")] + "2001-01-01T00:00:00.000"
    assert code(lambda: streams.describe_stream(StreamArn=other_label))[0] == "ResourceNotFoundException"
    expect_validation(
        lambda: raw_streams.describe_stream(StreamArn=arn, Limit=101),
        "One or more parameter values were invalid: Limit cannot be greater than the maximum: 100",
    )
    expect_validation(
        lambda: raw_streams.describe_stream(StreamArn=arn, Limit=0),
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    )
    # A well-formed ShardId after every shard: an empty page, no error.
    desc = streams.describe_stream(
        StreamArn=arn, ExclusiveStartShardId="zzzzzzzzzzzzzzzzzzzzzzzzsfasdgagadfadfgagkjsdfsfsdjfjks"
    )["StreamDescription"]
    assert desc["Shards"] == []


def test_shard_filter_child_shards(streams, raw_streams, tables):
    _, arn = stream_table(tables, label="filt")
    (shard,) = all_shards(streams, arn)
    desc = streams.describe_stream(
        StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": shard["ShardId"]}
    )["StreamDescription"]
    assert desc["Shards"] == [] and desc["StreamArn"] == arn
    expect_validation(
        lambda: raw_streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "foo", "ShardId": shard["ShardId"]}),
        "1 validation error detected: Value 'foo' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [CHILD_SHARDS]",
    )
    expect_validation(
        lambda: raw_streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": "qwerty"}),
        "1 validation error detected: Value 'qwerty' at 'shardFilter.shardId' failed to satisfy constraint: Member must have length greater than or equal to 28",
    )
    for partial in ({"ShardId": shard["ShardId"]}, {"Type": "CHILD_SHARDS"}):
        assert code(lambda: raw_streams.describe_stream(StreamArn=arn, ShardFilter=partial))[0] == "ValidationException"


def test_iterator_types(ddb, streams, tables):
    name, arn = stream_table(tables, view="KEYS_ONLY", label="iters")
    (shard,) = all_shards(streams, arn)
    sid = shard["ShardId"]
    start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    latest = iterator(streams, arn, sid, "LATEST")
    at_start = iterator(streams, arn, sid, "AT_SEQUENCE_NUMBER", start)
    empty = streams.get_records(ShardIterator=latest)
    assert empty["Records"] == [] and "NextShardIterator" in empty
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": S(f"k{i}")})
    got = streams.get_records(ShardIterator=latest)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in got["Records"]] == ["k0", "k1", "k2"]
    seqs = [r["dynamodb"]["SequenceNumber"] for r in got["Records"]]
    assert [int(s) for s in seqs] == sorted(int(s) for s in seqs)
    # Read again past the end: nothing, and the shard stays open.
    again = streams.get_records(ShardIterator=got["NextShardIterator"])
    assert again["Records"] == [] and "NextShardIterator" in again
    assert len(streams.get_records(ShardIterator=at_start)["Records"]) == 3
    at = iterator(streams, arn, sid, "AT_SEQUENCE_NUMBER", seqs[1])
    after = iterator(streams, arn, sid, "AFTER_SEQUENCE_NUMBER", seqs[1])
    assert [r["dynamodb"]["SequenceNumber"] for r in streams.get_records(ShardIterator=at)["Records"]] == seqs[1:]
    assert [r["dynamodb"]["SequenceNumber"] for r in streams.get_records(ShardIterator=after)["Records"]] == seqs[2:]
    trim = iterator(streams, arn, sid, "TRIM_HORIZON")
    page = streams.get_records(ShardIterator=trim, Limit=2)
    assert len(page["Records"]) == 2
    rest = streams.get_records(ShardIterator=page["NextShardIterator"], Limit=2)
    assert [r["dynamodb"]["SequenceNumber"] for r in rest["Records"]] == seqs[2:]
    # Each iterator is distinct (consumers deduplicate them).
    assert len({latest, at_start, at, after, trim}) == 5


def test_get_shard_iterator_errors(streams, raw_streams, tables):
    _, arn = stream_table(tables, label="itherr")
    (shard,) = all_shards(streams, arn)
    sid = shard["ShardId"]
    seq = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    for kind in ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"]:
        assert code(lambda: streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType=kind))[0] == "ValidationException"
    for kind in ["TRIM_HORIZON", "LATEST"]:
        expect_validation(
            lambda: streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType=kind, SequenceNumber=seq),
            "SequenceNumber should not be passed for this iterator type",
        )
    expect_validation(
        lambda: raw_streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="bulle"),
        "1 validation error detected: Value 'bulle' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]",
    )
    assert code(lambda: streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber="sdfsafglldfngjdafnasdflgnaldklkafdsgkl"))[0] == "ValidationException"
    expect_validation(
        lambda: streams.get_shard_iterator(StreamArn=ARN_GARBAGE, ShardId=sid, ShardIteratorType="LATEST"),
        "Invalid StreamArn",
    )
    for bad in ["semprinidfaasdasfsdvacsdcfsdsvsdvsdvsdvsdvsdv", "shardId-00000000000000000001-00000000"]:
        assert code(lambda: streams.get_shard_iterator(StreamArn=arn, ShardId=bad, ShardIteratorType="LATEST"))[0] == "ResourceNotFoundException"
    # A sequence number beyond an open shard's start is fine; one before it is not.
    expect_validation(
        lambda: streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber="100000000000000000000"),
        "Invalid SequenceNumber for the shard",
    )


def test_get_records_errors(streams, raw_streams, tables):
    _, arn = stream_table(tables, label="grerr")
    (shard,) = all_shards(streams, arn)
    it = iterator(streams, arn, shard["ShardId"], "LATEST")
    streams.get_records(ShardIterator=it, Limit=1000)
    for bad, msg in [
        (1001, "One or more parameter values were invalid: Limit should be less than or equal to 1000"),
        (0, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
        (-1, "1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
    ]:
        expect_validation(lambda: raw_streams.get_records(ShardIterator=it, Limit=bad), msg)
    expect_validation(
        lambda: streams.get_records(ShardIterator="sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg"),
        "Invalid ShardIterator",
    )
    # An altered iterator is not one either.
    expect_validation(lambda: streams.get_records(ShardIterator=it[:-6] + "AAAA=="), "Invalid ShardIterator")


def test_list_streams_pages_by_arn(streams, raw_streams, tables):
    mine = [stream_table(tables, view="KEYS_ONLY", label="ls")[1] for _ in range(3)]
    seen, resp = [], streams.list_streams(Limit=1)
    while True:
        assert len(resp["Streams"]) <= 1
        seen.extend(s["StreamArn"] for s in resp["Streams"])
        if "LastEvaluatedStreamArn" not in resp:
            break
        assert resp["LastEvaluatedStreamArn"] == resp["Streams"][-1]["StreamArn"]
        resp = streams.list_streams(Limit=1, ExclusiveStartStreamArn=resp["LastEvaluatedStreamArn"])
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert set(mine) <= set(seen)
    everything = streams.list_streams(Limit=100)
    assert "LastEvaluatedStreamArn" not in everything or len(everything["Streams"]) == 100
    one = streams.list_streams(TableName=mine[0].split("/")[1])["Streams"]
    assert one == [{"StreamArn": mine[0], "TableName": mine[0].split("/")[1], "StreamLabel": mine[0].split("/")[-1]}]
    expect_validation(
        lambda: raw_streams.list_streams(Limit=101),
        "One or more parameter values were invalid: Limit cannot be greater than the maximum allowed size: 100",
    )
    assert code(lambda: raw_streams.list_streams(Limit=0))[0] == "ValidationException"
    expect_validation(
        lambda: streams.list_streams(ExclusiveStartStreamArn="kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas"),
        "Invalid StreamArn",
    )
    expect_error(
        lambda: streams.list_streams(TableName="conf-nothere-000"),
        "ResourceNotFoundException",
        "Requested resource not found: Table: conf-nothere-000 not found",
    )


def test_list_streams_of_a_table_without_one_is_empty(streams, hash_table):
    assert streams.list_streams(TableName=hash_table)["Streams"] == []


def test_a_page_resumes_after_a_deleted_tables_stream(ddb, streams, tables):
    arns = sorted(stream_table(tables, view="KEYS_ONLY", label="del")[1] for _ in range(2))
    first = arns[0]
    ddb.delete_table(TableName=first.split("/")[1])
    rest = streams.list_streams(ExclusiveStartStreamArn=first)["Streams"]
    names = [s["StreamArn"] for s in rest]
    assert first not in names and arns[1] in names


def test_long_table_names_get_streams(ddb, streams, tables):
    for length in (192, 222, 255):
        name, created = tables.create(
            [{"AttributeName": "p", "KeyType": "HASH"}],
            [{"AttributeName": "p", "AttributeType": "S"}],
            label="x" * (length - len("conf--") - 12),
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        )
        assert len(name) == length
        arn = created["TableDescription"]["LatestStreamArn"]
        ddb.put_item(TableName=name, Item={"p": S("v")})
        assert len(read_all(streams, arn)) == 1
