"""Helpers of the DynamoDB Streams tests: stream tables, shards, and reading a stream."""

import time

from support import wait_active

VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]


def stream_table(tables, view="NEW_AND_OLD_IMAGES", range_key=False, label="st", **extra):
    """An ACTIVE table with a stream of `view` (HASH `pk` S, RANGE `sk` S when asked);
    returns (name, stream ARN)."""
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        defs.append({"AttributeName": "sk", "AttributeType": "S"})
    spec = {"StreamEnabled": True, "StreamViewType": view}
    name, created = tables.create(keys, defs, label=label, StreamSpecification=spec, **extra)
    return name, created["TableDescription"]["LatestStreamArn"]


def all_shards(streams, arn, limit=None):
    """Every shard of the stream, following LastEvaluatedShardId."""
    kwargs = {"StreamArn": arn}
    if limit:
        kwargs["Limit"] = limit
    desc = streams.describe_stream(**kwargs)["StreamDescription"]
    shards = list(desc["Shards"])
    while "LastEvaluatedShardId" in desc:
        desc = streams.describe_stream(
            ExclusiveStartShardId=desc["LastEvaluatedShardId"], **kwargs
        )["StreamDescription"]
        shards.extend(desc["Shards"])
    return shards


def iterator(streams, arn, shard_id, kind="TRIM_HORIZON", seq=None):
    kwargs = {"StreamArn": arn, "ShardId": shard_id, "ShardIteratorType": kind}
    if seq is not None:
        kwargs["SequenceNumber"] = seq
    return streams.get_shard_iterator(**kwargs)["ShardIterator"]


def read_all(streams, arn, limit=1000):
    """Every record of every shard from TRIM_HORIZON, oldest shard first, reading each shard
    until it answers no records (open) or no NextShardIterator (closed and drained)."""
    records = []
    for shard in all_shards(streams, arn):
        it = iterator(streams, arn, shard["ShardId"])
        while it:
            resp = streams.get_records(ShardIterator=it, Limit=limit)
            records.extend(resp["Records"])
            it = resp.get("NextShardIterator")
            if not resp["Records"]:
                break
    return records


def summary(records):
    """(eventName, Keys, NewImage, OldImage) of each record, for comparisons."""
    return [
        (
            r["eventName"],
            r["dynamodb"]["Keys"],
            r["dynamodb"].get("NewImage"),
            r["dynamodb"].get("OldImage"),
        )
        for r in records
    ]


def disable(ddb, name):
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    wait_active(ddb, name)


def wait_for(predicate, timeout=15.0, step=0.1):
    """Polls `predicate()` until it returns something truthy; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)
