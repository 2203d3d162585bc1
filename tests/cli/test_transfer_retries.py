"""Retries in `extenddb import` / `extenddb export` that a real server seldom shows on demand:
BatchWriteItem answering UnprocessedItems (a throttled table), and Scan answering
ProvisionedThroughputExceededException. Runs the binary against a scripted fake DynamoDB
endpoint in this process (plain HTTP, any signature accepted), so no server is needed.
"""

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BIN = os.environ.get("EXTENDDB_BIN")
pytestmark = pytest.mark.skipif(not BIN, reason="EXTENDDB_BIN must be set (scripts/test.sh does)")


class FakeDynamo:
    """Answers DescribeTable, BatchWriteItem and Scan for one table keyed by `pk`.

    accept_per_call: how many PutRequests a BatchWriteItem call accepts (the rest come back as
    UnprocessedItems); 0 accepts none, ever. throttle_scans: how many Scan calls are answered
    with ProvisionedThroughputExceededException first.
    """

    def __init__(self, accept_per_call, throttle_scans=0):
        self.accept_per_call = accept_per_call
        self.throttle_scans = throttle_scans
        self.items = {}
        self.calls = {"BatchWriteItem": 0, "Scan": 0, "throttled": 0}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                op = self.headers["X-Amz-Target"].split(".")[1]
                assert self.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
                status, answer = fake.answer(op, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, op, body):
        with self.lock:
            if op == "DescribeTable":
                return 200, {"Table": {"TableName": body["TableName"], "TableStatus": "ACTIVE",
                                       "ItemCount": len(self.items),
                                       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}}
            if op == "BatchWriteItem":
                self.calls[op] += 1
                (table, requests), = body["RequestItems"].items()
                accepted = requests[:self.accept_per_call]
                for r in accepted:
                    item = r["PutRequest"]["Item"]
                    self.items[item["pk"]["S"]] = item
                rest = requests[len(accepted):]
                return 200, {"UnprocessedItems": {table: rest} if rest else {}}
            if op == "Scan":
                self.calls[op] += 1
                if self.calls["throttled"] < self.throttle_scans:
                    self.calls["throttled"] += 1
                    return 400, {"__type": "com.amazonaws.dynamodb.v20120810#"
                                           "ProvisionedThroughputExceededException",
                                 "message": "The level of configured provisioned throughput for "
                                            "the table was exceeded."}
                items = list(self.items.values()) if body.get("Segment", 0) == 0 else []
                return 200, {"Items": items, "Count": len(items), "ScannedCount": len(items)}
            return 400, {"__type": "com.amazonaws.dynamodb.v20120810#UnknownOperationException"}

    def close(self):
        self.server.shutdown()


def write_items(path: Path, n: int):
    path.write_text("".join(
        json.dumps({"Item": {"pk": {"S": f"k{i:04d}"}, "n": {"N": str(i)}}}) + "\n"
        for i in range(n)))


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120)


def test_unprocessed_items_are_sent_again_until_written(tmp_path):
    fake = FakeDynamo(accept_per_call=10)
    try:
        path = tmp_path / "items.jsonl"
        write_items(path, 100)
        out = run("import", "--endpoint", fake.url, "--table", "T", str(path), "--concurrency", "2")
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("Imported 100 items into 'T' from ")
        assert sorted(fake.items) == [f"k{i:04d}" for i in range(100)]
        # 4 batches of 25, each taking three calls (10 + 10 + 5).
        assert fake.calls["BatchWriteItem"] == 12
        assert not Path(f"{path}.T.import-progress").exists()
    finally:
        fake.close()


def test_items_that_stay_unprocessed_fail_the_import_and_keep_its_progress(tmp_path):
    fake = FakeDynamo(accept_per_call=0)
    try:
        path = tmp_path / "items.jsonl"
        write_items(path, 30)
        out = run("import", "--endpoint", fake.url, "--table", "T", str(path),
                  "--max-attempts", "3", "--concurrency", "1")
        assert out.returncode == 1
        assert out.stderr.startswith("error: import into 'T' is incomplete: 0 of 30 items written "
                                     "(0 of 2 batches): ")
        assert (f"{path}: lines 1-25: 25 items still unprocessed after 3 BatchWriteItem attempts "
                "(the table is throttled; retry later or raise its write capacity)") in out.stderr
        assert fake.calls["BatchWriteItem"] == 3
        assert Path(f"{path}.T.import-progress").exists()
        assert "Imported" not in out.stdout
    finally:
        fake.close()


def test_throttled_scans_are_retried(tmp_path):
    fake = FakeDynamo(accept_per_call=25, throttle_scans=3)
    try:
        for i in range(40):
            fake.items[f"k{i:04d}"] = {"pk": {"S": f"k{i:04d}"}, "n": {"N": str(i)}}
        out = run("export", "--endpoint", fake.url, "--table", "T", "--segments", "2",
                  "--out", str(tmp_path / "out.jsonl"))
        assert out.returncode == 0, out.stderr
        assert fake.calls["throttled"] == 3
        lines = (tmp_path / "out.jsonl").read_text().splitlines()
        assert sorted(json.loads(l)["Item"]["pk"]["S"] for l in lines) == sorted(fake.items)

        fake.throttle_scans = 100
        out = run("export", "--endpoint", fake.url, "--table", "T", "--max-attempts", "2",
                  "--out", str(tmp_path / "never.jsonl"))
        assert out.returncode == 1
        assert "Scan: ProvisionedThroughputExceededException: The level of configured " \
               "provisioned throughput for the table was exceeded. (after 2 attempts)" in out.stderr
        assert not list(tmp_path.glob("never.jsonl*"))
    finally:
        fake.close()
