#!/usr/bin/env python3
"""A complete DynamoDB Streams consumer for extenddb: writer threads change items while a poller
thread follows the table's stream the way the user guide shows (DescribeStream, a TRIM_HORIZON
iterator per shard, GetRecords in a loop), also following shards that roll over.

    python3 samples/stream_consumer.py --endpoint https://127.0.0.1:8000 \
        --ca-bundle ~/.extenddb/tls/cert.pem --writers 4 --writes 50 --verify

It creates the table (StreamTable, NEW_AND_OLD_IMAGES) if it does not exist. Each writer puts
and updates its own keys, giving every change a version number; with --verify the run ends
by checking that the stream showed every acknowledged change exactly once and, per key, in
the order it was made (exit status 1 otherwise). Writers and poller retry through connection
errors, so the server may be restarted (even killed) while it runs.
"""

import argparse
import os
import sys
import threading
import time
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

RETRYABLE = (BotoConnectionError, EndpointConnectionError, ReadTimeoutError, ConnectionError)


def clients(endpoint, ca_bundle=None, region="us-east-1"):
    """The DynamoDB and DynamoDB Streams clients: two services, one endpoint."""
    config = Config(region_name=region, retries={"mode": "standard", "max_attempts": 3},
                    connect_timeout=3, read_timeout=10)
    kwargs = {"endpoint_url": endpoint, "config": config}
    if ca_bundle:
        kwargs["verify"] = os.path.expanduser(ca_bundle)
    return boto3.client("dynamodb", **kwargs), boto3.client("dynamodbstreams", **kwargs)


def ensure_table(dynamodb, table):
    """Creates `table` with a NEW_AND_OLD_IMAGES stream unless it exists; returns its stream
    ARN once the table is ACTIVE."""
    try:
        dynamodb.create_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceInUseException":
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1})
    return dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]


def retrying(call, stop):
    """Runs `call()` until it answers, waiting out connection errors (a restarting server)."""
    while True:
        try:
            return call()
        except RETRYABLE:
            if stop.is_set():
                raise
            time.sleep(0.5)


class Poller(threading.Thread):
    """Follows every shard of a stream from TRIM_HORIZON, handing each record to `on_record`.
    A shard whose iterator ends (closed and drained) is replaced by its children, found with
    DescribeStream."""

    def __init__(self, streams, stream_arn, on_record, limit=100, idle_sleep=1.0):
        super().__init__(daemon=True)
        self.streams, self.arn, self.on_record = streams, stream_arn, on_record
        self.limit, self.idle_sleep = limit, idle_sleep
        self.stop = threading.Event()
        self.iterators = {}
        self.finished_shards = set()
        self.error = None

    def discover(self):
        """Gets a TRIM_HORIZON iterator for every shard not followed yet."""
        desc = retrying(lambda: self.streams.describe_stream(StreamArn=self.arn), self.stop)
        shards = desc["StreamDescription"]["Shards"]
        while "LastEvaluatedShardId" in desc["StreamDescription"]:
            last = desc["StreamDescription"]["LastEvaluatedShardId"]
            desc = retrying(lambda: self.streams.describe_stream(
                StreamArn=self.arn, ExclusiveStartShardId=last), self.stop)
            shards += desc["StreamDescription"]["Shards"]
        for shard in shards:
            sid = shard["ShardId"]
            if sid in self.iterators or sid in self.finished_shards:
                continue
            # A child is read only after its parent is drained, so per-key order holds.
            parent = shard.get("ParentShardId")
            if parent in self.iterators:
                continue
            resp = retrying(lambda: self.streams.get_shard_iterator(
                StreamArn=self.arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON"), self.stop)
            self.iterators[sid] = resp["ShardIterator"]

    def poll_once(self):
        """One pass over the followed shards; answers how many records it handed on."""
        seen = 0
        for shard_id, iterator in list(self.iterators.items()):
            resp = retrying(lambda: self.streams.get_records(ShardIterator=iterator, Limit=self.limit), self.stop)
            for record in resp.get("Records", []):
                self.on_record(record)
                seen += 1
            nxt = resp.get("NextShardIterator")
            if nxt:
                self.iterators[shard_id] = nxt
            else:
                del self.iterators[shard_id]
                self.finished_shards.add(shard_id)
                self.discover()
        return seen

    def run(self):
        try:
            self.discover()
            while not self.stop.is_set():
                if self.poll_once() == 0:
                    time.sleep(self.idle_sleep)
        except Exception as err:  # reported by the caller
            self.error = err


class Writer(threading.Thread):
    """Changes its own keys `<run>-w<n>-k<j>` round robin, `writes` times: a put creates a key,
    later changes set `v` to the next version. `acked[key]` lists the versions the server
    acknowledged, in order; a write that failed may or may not have happened."""

    def __init__(self, dynamodb, table, run, number, keys, writes):
        super().__init__(daemon=True)
        self.dynamodb, self.table = dynamodb, table
        self.keys = [f"{run}-w{number}-k{j}" for j in range(keys)]
        self.writes = writes
        self.acked = {k: [] for k in self.keys}
        self.version = {k: 0 for k in self.keys}
        self.stop = threading.Event()
        self.error = None

    def run(self):
        try:
            for i in range(self.writes):
                if self.stop.is_set():
                    return
                key = self.keys[i % len(self.keys)]
                self.version[key] += 1
                v = self.version[key]
                try:
                    if v == 1:
                        self.dynamodb.put_item(TableName=self.table,
                                               Item={"pk": {"S": key}, "v": {"N": str(v)}})
                    else:
                        self.dynamodb.update_item(
                            TableName=self.table, Key={"pk": {"S": key}},
                            UpdateExpression="SET v = :v",
                            ExpressionAttributeValues={":v": {"N": str(v)}})
                    self.acked[key].append(v)
                except RETRYABLE:
                    time.sleep(0.5)  # not acknowledged: it may or may not have happened
        except Exception as err:  # reported by the caller
            self.error = err


def check(acked, seen):
    """Problems with what the stream showed (`seen[key]`: versions in stream order) given
    what was acknowledged (`acked[key]`); empty when every acknowledged change appeared
    exactly once and each key's changes appeared in the order they were made."""
    problems = []
    for key, versions in acked.items():
        got = seen.get(key, [])
        if got != sorted(set(got)):
            problems.append(f"{key}: out of order or repeated: {got}")
        missing = sorted(set(versions) - set(got))
        if missing:
            problems.append(f"{key}: acknowledged but not in the stream: {missing}")
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--endpoint", default=os.environ.get("EXTENDDB_ENDPOINT", "https://127.0.0.1:8000"))
    p.add_argument("--ca-bundle", help="PEM of the server's certificate (e.g. ~/.extenddb/tls/cert.pem)")
    p.add_argument("--table", default="StreamTable")
    p.add_argument("--writers", type=int, default=2)
    p.add_argument("--keys", type=int, default=5, help="keys per writer")
    p.add_argument("--writes", type=int, default=20, help="writes per writer")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the stream to catch up")
    p.add_argument("--verify", action="store_true", help="check the stream against the writes; exit 1 on a problem")
    p.add_argument("--quiet", action="store_true", help="do not print each record")
    args = p.parse_args()

    dynamodb, streams = clients(args.endpoint, args.ca_bundle)
    stream_arn = ensure_table(dynamodb, args.table)
    run = uuid.uuid4().hex[:8]
    seen, lock = {}, threading.Lock()

    def on_record(record):
        if not args.quiet:
            print(f"{record['eventName']}: {record['dynamodb']['Keys']}")
        key = record["dynamodb"]["Keys"]["pk"]["S"]
        if key.startswith(run) and "NewImage" in record["dynamodb"]:
            with lock:
                seen.setdefault(key, []).append(int(record["dynamodb"]["NewImage"]["v"]["N"]))

    poller = Poller(streams, stream_arn, on_record, idle_sleep=0.2)
    poller.start()
    writers = [Writer(dynamodb, args.table, run, n, args.keys, args.writes) for n in range(args.writers)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    acked = {k: v for w in writers for k, v in w.acked.items()}
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        with lock:
            if not check(acked, seen):
                break
        time.sleep(0.2)
    poller.stop.set()
    poller.join(timeout=10)
    errors = [e for e in [poller.error, *(w.error for w in writers)] if e]
    with lock:
        problems = check(acked, seen)
    total = sum(len(v) for v in acked.values())
    print(f"{total} acknowledged writes, {sum(len(v) for v in seen.values())} seen in the stream")
    for e in errors:
        print(f"error: {e!r}", file=sys.stderr)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    if args.verify and (problems or errors):
        sys.exit(1)


if __name__ == "__main__":
    main()
