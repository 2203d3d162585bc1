"""samples/stream_webhook.py, the example stream sink: it forwards committed stream records to an
HTTP receiver. Against a receiver that refuses its first posts and a forwarder killed (-9)
while a delivery is unacknowledged, every acknowledged write must arrive at least once, each
key's changes in the order they were made, the unacknowledged batch re-sent after the restart,
and nothing lost."""

import http.server
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from botocore.exceptions import ClientError

from stream_support import stream_table

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "stream_webhook.py"
FAIL_FIRST = 3


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook on a free loopback port: answers 503 to its first `fail_first` posts; keeps
    every batch it answered 200 (`batches`) and, when `hold_after` batches were answered,
    records the next one but does not answer it until `release` is set."""

    daemon_threads = True

    def __init__(self, fail_first, hold_after=None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.fail_first, self.hold_after = fail_first, hold_after
        self.posts = self.refused = 0
        self.batches, self.held = [], []
        self.lock = threading.Lock()
        self.holding, self.release = threading.Event(), threading.Event()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        srv = self.server
        with srv.lock:
            srv.posts += 1
            refuse = srv.posts <= srv.fail_first
            hold = not refuse and srv.hold_after is not None and len(srv.batches) == srv.hold_after \
                and not srv.holding.is_set()
            if refuse:
                srv.refused += 1
            elif hold:
                srv.held.append(body)
                srv.holding.set()
            else:
                srv.batches.append(body)
        if hold:
            srv.release.wait(30)
            return  # the connection closes without an answer: not acknowledged
        self.send_response(503 if refuse else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def serve(receiver):
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    return receiver


def write_versions(ddb, table, keys, versions):
    """Puts version 1 of each key, then updates each to 2..versions, interleaving keys;
    returns {key: [acknowledged versions]}."""
    acked = {k: [] for k in keys}
    for v in range(1, versions + 1):
        for k in keys:
            ddb.put_item(TableName=table, Item={"pk": {"S": k}, "v": {"N": str(v)}})
            acked[k].append(v)
    return acked


def received(batches):
    """(versions per key in arrival order, records counted with repeats)."""
    seen, total = {}, 0
    for batch in batches:
        for rec in batch["Records"]:
            total += 1
            key = rec["dynamodb"]["Keys"]["pk"]["S"]
            seen.setdefault(key, []).append(int(rec["dynamodb"]["NewImage"]["v"]["N"]))
    return seen, total


def first_occurrences(versions):
    """The versions with later repeats removed (a re-sent batch repeats a suffix)."""
    out = []
    for v in versions:
        if v not in out:
            out.append(v)
    return out


def forwarder(endpoint, table, url, checkpoint, *extra):
    return subprocess.Popen(
        [sys.executable, str(SAMPLE), "--endpoint", endpoint, "--table", table, "--url", url,
         "--checkpoint", str(checkpoint), "--batch", "10", "--max-backoff", "0.2", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not within {timeout} s"
        time.sleep(0.05)


def test_webhook_retries_refused_posts_and_delivers_everything_in_order(endpoint, ddb, tables, tmp_path):
    table, _ = stream_table(tables, label="hook")
    receiver = serve(Receiver(fail_first=FAIL_FIRST))
    try:
        acked = write_versions(ddb, table, [f"k{i}" for i in range(5)], 6)
        proc = forwarder(endpoint, table, receiver.url, tmp_path / "cp.json", "--idle-exit", "1.5")
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
        assert receiver.refused == FAIL_FIRST
        seen, total = received(receiver.batches)
        # No crash: each record exactly once, per key in write order.
        assert seen == acked, (seen, err)
        assert total == 30
        assert out.strip().endswith(f"({FAIL_FIRST} failed and retried)"), out
        assert "delivery failed (HTTP 503)" in err
        # The checkpoint holds the last delivered sequence number: a second run sends nothing.
        proc = forwarder(endpoint, table, receiver.url, tmp_path / "cp.json", "--idle-exit", "0.5")
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.startswith("forwarded 0 records"), out
        assert len(receiver.batches) * 10 >= total and received(receiver.batches)[1] == 30
    finally:
        receiver.shutdown()


def test_webhook_survives_kill_9_with_a_delivery_in_flight(endpoint, ddb, tables, tmp_path):
    table, _ = stream_table(tables, label="hook9")
    # The second batch (20 records, 10 a batch) is held unanswered while the forwarder is killed.
    receiver = serve(Receiver(fail_first=1, hold_after=1))
    checkpoint = tmp_path / "cp.json"
    try:
        keys = [f"k{i}" for i in range(4)]
        acked = write_versions(ddb, table, keys, 5)
        first = forwarder(endpoint, table, receiver.url, checkpoint)
        try:
            wait_until(receiver.holding.is_set, 60, "a delivery held by the receiver")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            receiver.release.set()
            if first.poll() is None:
                first.kill()
        # More writes while no forwarder runs, then a restart from the checkpoint.
        more = write_versions(ddb, table, [f"m{i}" for i in range(2)], 3)
        acked.update(more)
        for k in keys:  # and later versions of the first keys
            ddb.put_item(TableName=table, Item={"pk": {"S": k}, "v": {"N": "6"}})
            acked[k].append(6)
        second = forwarder(endpoint, table, receiver.url, checkpoint, "--idle-exit", "1.5")
        out, err = second.communicate(timeout=90)
        assert second.returncode == 0, err
        seen, total = received(receiver.batches)
        held = {r["dynamodb"]["SequenceNumber"] for b in receiver.held for r in b["Records"]}
        resent = {r["dynamodb"]["SequenceNumber"] for b in receiver.batches for r in b["Records"]} & held
        # The batch that was never acknowledged was sent again after the restart.
        assert held and resent == held
        for key, versions in acked.items():
            got = seen.get(key, [])
            # At least once (nothing acknowledged is missing), in per-key order.
            assert first_occurrences(got) == versions, (key, got)
            assert got == sorted(got), (key, got)
        assert total == sum(len(v) for v in acked.values())  # the held batch is the only repeat
    finally:
        receiver.shutdown()


def test_checkpoint_survives_a_torn_write(tmp_path):
    spec = importlib.util.spec_from_file_location("stream_webhook", SAMPLE)
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    path = tmp_path / "cp.json"
    cp = sample.Checkpoint(str(path), "arn:1")
    cp.delivered["shardId-1"] = "000000000000000000042"
    cp.drained.add("shardId-0")
    cp.save()
    # A crash during the next save leaves only the temporary file behind.
    (tmp_path / "cp.json.tmp").write_text('{"StreamArn": "arn:1", "Deliv')
    again = sample.Checkpoint(str(path), "arn:1")
    assert again.delivered == {"shardId-1": "000000000000000000042"} and again.drained == {"shardId-0"}
    # A checkpoint of another stream (the table's stream was re-enabled) is not reused.
    assert sample.Checkpoint(str(path), "arn:2").delivered == {}


def test_only_server_side_failures_are_waited_out():
    spec = importlib.util.spec_from_file_location("stream_webhook", SAMPLE)
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)

    def error(status, code):
        return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetRecords")

    assert sample.transient(error(500, "InternalServerError"))
    assert sample.transient(error(503, "ServiceUnavailable"))
    assert sample.transient(error(400, "ThrottlingException"))
    assert sample.transient(error(400, "LimitExceededException"))
    assert not sample.transient(error(400, "ResourceNotFoundException"))
    assert not sample.transient(error(400, "ExpiredIteratorException"))
    answers = [error(500, "InternalServerError"), "ok"]

    def call():
        a = answers.pop(0)
        if isinstance(a, Exception):
            raise a
        return a

    assert sample.retrying(call, log=lambda m: None, pause=0) == "ok"
