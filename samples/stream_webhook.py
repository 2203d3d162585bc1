#!/usr/bin/env python3
"""A stream sink that forwards a table's DynamoDB Streams records to an HTTP webhook, at least
once and in per-key order, surviving crashes of itself, of the server and of the receiver.

    python3 samples/stream_webhook.py --endpoint http://127.0.0.1:8000 --table StreamTable \\
        --url http://127.0.0.1:9000/hook --checkpoint webhook-checkpoint.json

It does not hook into the write path: extenddb's built-in sink already writes every record in
the same store transaction as its item change. This forwarder reads those *committed* records
the way any Streams consumer does (DescribeStream, GetShardIterator, GetRecords) and POSTs them
in batches:

    POST <url>   Content-Type: application/json
    {"StreamArn": "...", "ShardId": "...", "Records": [<records as GetRecords returns them>]}

A batch counts as delivered when the receiver answers 2xx; anything else (an error status, a
refused connection, a timeout) is retried with exponential backoff, forever, without moving
on, so a shard's records arrive in order. Only after a delivery does the forwarder store, in
the checkpoint file (written to a temporary file, fsynced, renamed), the last sequence number
it delivered per shard; on start it resumes each shard AFTER_SEQUENCE_NUMBER of that
checkpoint. A crash between a delivery and its checkpoint therefore re-sends that batch:
delivery is at least once, and a receiver that must act once deduplicates by `eventID` (or the
shard's `SequenceNumber`, which increases within a shard). A child shard is read only once its
parent is drained, so per-key order holds across shard rollover too.

With --idle-exit SECONDS it stops after that long without a new record (tests, batch jobs);
otherwise it runs until interrupted.
"""

import argparse
import base64
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError


def clients(endpoint, ca_bundle=None, region="us-east-1"):
    """The DynamoDB and DynamoDB Streams clients (one endpoint, two services)."""
    config = Config(region_name=region, retries={"mode": "standard", "max_attempts": 3},
                    connect_timeout=3, read_timeout=10)
    kwargs = {"endpoint_url": endpoint, "config": config}
    if ca_bundle:
        kwargs["verify"] = os.path.expanduser(ca_bundle)
    return boto3.client("dynamodb", **kwargs), boto3.client("dynamodbstreams", **kwargs)


class Checkpoint:
    """Per shard, the last sequence number delivered, and the shards drained; kept in a JSON
    file that is replaced atomically, so a crash leaves the old or the new state, never half."""

    def __init__(self, path, stream_arn):
        self.path, self.stream_arn = path, stream_arn
        self.delivered, self.drained = {}, set()
        try:
            with open(path) as f:
                state = json.load(f)
        except FileNotFoundError:
            return
        if state.get("StreamArn") == stream_arn:  # a new stream starts from scratch
            self.delivered = dict(state.get("Delivered", {}))
            self.drained = set(state.get("Drained", []))

    def save(self):
        """Writes the state: temporary file, fsync, rename, fsync of the directory."""
        tmp = f"{self.path}.tmp"
        with open(tmp, "w") as f:
            json.dump({"StreamArn": self.stream_arn, "Delivered": self.delivered,
                       "Drained": sorted(self.drained)}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        directory = os.open(os.path.dirname(os.path.abspath(self.path)), os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def to_json(value):
    """json.dumps' fallback: boto3 hands ApproximateCreationDateTime as a datetime, the wire
    format is epoch seconds; binary attribute values go back to base64 as on the wire."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


class Webhook:
    """POSTs batches to `url`, retrying each until the receiver answers 2xx."""

    def __init__(self, url, timeout=10.0, first_backoff=0.2, max_backoff=10.0, log=print):
        self.url, self.timeout = url, timeout
        self.first_backoff, self.max_backoff, self.log = first_backoff, max_backoff, log
        self.attempts = self.failures = 0

    def deliver(self, body):
        """Sends `body` (bytes) until it is acknowledged; returns the attempts it took."""
        backoff, tries = self.first_backoff, 0
        while True:
            tries += 1
            self.attempts += 1
            request = urllib.request.Request(self.url, data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                    reply.read()
                    if 200 <= reply.status < 300:
                        return tries
                    problem = f"HTTP {reply.status}"
            except urllib.error.HTTPError as err:  # 4xx/5xx
                problem = f"HTTP {err.code}"
            except (urllib.error.URLError, OSError) as err:  # refused, reset, timed out
                problem = repr(err)
            self.failures += 1
            self.log(f"webhook: delivery failed ({problem}); retrying in {backoff:.1f}s")
            time.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)


def transient(err):
    """Whether a DynamoDB error is worth waiting out: a server-side failure (5xx, e.g. the
    database restarting behind the server) or throttling; not a refusal of the request."""
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    code = err.response.get("Error", {}).get("Code", "")
    return status >= 500 or "Throttl" in code or code == "LimitExceededException"


def retrying(call, log, pause=0.5):
    """Runs `call()` until it answers, waiting out a server that is down, restarting or
    briefly failing (the SDK's own retries come first)."""
    while True:
        try:
            return call()
        except (BotoCoreError, ConnectionError) as err:
            log(f"stream: {err!r}; retrying")
        except ClientError as err:
            if not transient(err):
                raise
            log(f"stream: {err.response['Error'].get('Code')}; retrying")
        time.sleep(pause)


class Forwarder:
    """Follows every shard of one stream from its checkpoint and hands each GetRecords page to
    the webhook; a shard's checkpoint moves only after its page was acknowledged."""

    def __init__(self, streams, stream_arn, webhook, checkpoint, batch=100, log=print):
        self.streams, self.arn, self.webhook = streams, stream_arn, webhook
        self.checkpoint, self.batch, self.log = checkpoint, batch, log
        self.iterators = {}
        self.forwarded = 0

    def shards(self):
        """Every shard of the stream (DescribeStream, paged)."""
        out, start = [], None
        while True:
            kwargs = {"StreamArn": self.arn}
            if start:
                kwargs["ExclusiveStartShardId"] = start
            desc = retrying(lambda: self.streams.describe_stream(**kwargs), self.log)["StreamDescription"]
            out += desc["Shards"]
            start = desc.get("LastEvaluatedShardId")
            if not start:
                return out

    def iterator(self, shard_id):
        """An iterator just after the shard's checkpoint (from its start without one)."""
        last = self.checkpoint.delivered.get(shard_id)
        kwargs = {"StreamArn": self.arn, "ShardId": shard_id}
        if last:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=last)
        else:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        try:
            return retrying(lambda: self.streams.get_shard_iterator(**kwargs), self.log)["ShardIterator"]
        except ClientError as err:
            if err.response["Error"]["Code"] != "TrimmedDataAccessException":
                raise
            # The checkpoint is older than the 24 h the stream keeps: what was trimmed is gone.
            self.log(f"stream: records of {shard_id} after the checkpoint were trimmed; "
                     "resuming at the oldest kept")
            kwargs = {"StreamArn": self.arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}
            return retrying(lambda: self.streams.get_shard_iterator(**kwargs), self.log)["ShardIterator"]

    def discover(self):
        """Starts following the shards that are ready: not drained, and whose parent is drained
        or no longer listed (trimmed)."""
        shards = self.shards()
        listed = {s["ShardId"] for s in shards}
        for shard in shards:
            sid = shard["ShardId"]
            if sid in self.iterators or sid in self.checkpoint.drained:
                continue
            parent = shard.get("ParentShardId")
            if parent and parent in listed and parent not in self.checkpoint.drained:
                continue
            self.iterators[sid] = self.iterator(sid)

    def poll_once(self):
        """One GetRecords per followed shard, each page delivered then checkpointed; answers
        how many records were forwarded."""
        sent = 0
        for sid, it in list(self.iterators.items()):
            try:
                page = retrying(lambda: self.streams.get_records(ShardIterator=it, Limit=self.batch), self.log)
            except ClientError as err:
                if err.response["Error"]["Code"] not in ("ExpiredIteratorException", "TrimmedDataAccessException"):
                    raise
                self.iterators[sid] = self.iterator(sid)
                continue
            records = page.get("Records", [])
            if records:
                body = json.dumps({"StreamArn": self.arn, "ShardId": sid, "Records": records},
                                  default=to_json).encode()
                self.webhook.deliver(body)
                self.checkpoint.delivered[sid] = records[-1]["dynamodb"]["SequenceNumber"]
                sent += len(records)
            nxt = page.get("NextShardIterator")
            if nxt:
                self.iterators[sid] = nxt
            else:  # closed and drained: its children may start
                del self.iterators[sid]
                self.checkpoint.drained.add(sid)
            if records or not nxt:
                self.checkpoint.save()
        self.forwarded += sent
        return sent

    def run(self, idle_exit=None, idle_sleep=0.5):
        """Forwards until interrupted, or until `idle_exit` seconds pass without a record."""
        self.discover()
        idle_since = time.monotonic()
        while True:
            if self.poll_once():
                idle_since = time.monotonic()
                continue
            if idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
                return
            time.sleep(idle_sleep)
            self.discover()


def stream_arn_of(dynamodb, table):
    """The table's current stream ARN; exits with a message when it has no stream."""
    arn = dynamodb.describe_table(TableName=table)["Table"].get("LatestStreamArn")
    if not arn:
        sys.exit(f"table {table} has no stream (enable one with UpdateTable StreamSpecification)")
    return arn


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--endpoint", default=os.environ.get("EXTENDDB_ENDPOINT", "https://127.0.0.1:8000"))
    p.add_argument("--ca-bundle", help="PEM of the server's certificate (e.g. ~/.extenddb/tls/cert.pem)")
    p.add_argument("--table", help="table whose current stream is forwarded")
    p.add_argument("--stream-arn", help="stream to forward (instead of --table)")
    p.add_argument("--url", required=True, help="webhook URL that receives the POSTed batches")
    p.add_argument("--checkpoint", required=True, help="JSON file of the delivered positions")
    p.add_argument("--batch", type=int, default=100, help="records per GetRecords and per POST (1-1000)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the receiver's answer")
    p.add_argument("--max-backoff", type=float, default=10.0, help="longest pause between retries")
    p.add_argument("--idle-exit", type=float, help="exit after this many seconds without a new record")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if not (args.table or args.stream_arn):
        p.error("give --table or --stream-arn")

    def log(msg):
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    dynamodb, streams = clients(args.endpoint, args.ca_bundle)
    arn = args.stream_arn or retrying(lambda: stream_arn_of(dynamodb, args.table), log)
    forwarder = Forwarder(streams, arn, Webhook(args.url, args.timeout, max_backoff=args.max_backoff, log=log),
                          Checkpoint(args.checkpoint, arn), batch=args.batch, log=log)
    try:
        forwarder.run(idle_exit=args.idle_exit)
    except KeyboardInterrupt:
        pass
    print(f"forwarded {forwarder.forwarded} records in {forwarder.webhook.attempts} POSTs "
          f"({forwarder.webhook.failures} failed and retried)", flush=True)


if __name__ == "__main__":
    main()
