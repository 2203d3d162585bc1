"""`extenddb export` and `extenddb import` against the server under test, through the binary
(EXTENDDB_BIN) as an operator runs them: a 100,000-item round trip in DynamoDB JSON lines
(import a plain file, export gzip, compare every item), a resumed import of the gzip file
after Ctrl-C, malformed input named by line with nothing written,
and an HTTPS endpoint trusted through --ca-bundle / AWS_CA_BUNDLE.

The retry behaviour that a real server rarely shows (UnprocessedItems, throttling) is in
test_transfer_retries.py, against a scripted fake endpoint.
"""

import base64
import gzip
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

BIN = os.environ.get("EXTENDDB_BIN")
pytestmark = pytest.mark.skipif(not BIN, reason="EXTENDDB_BIN must be set (scripts/test.sh does)")
ITEMS = 100_000


def extenddb(*args, env=None, timeout=600, cwd=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout,
                          env=env or dict(os.environ), cwd=cwd)


def client(endpoint):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 3}))


def create_table(ddb, name):
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}])
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    return name


def count(ddb, name):
    total = 0
    for page in ddb.get_paginator("scan").paginate(TableName=name, Select="COUNT"):
        total += page["Count"]
    return total


def item(i):
    """Item i, with every attribute type, numbers already in DynamoDB's normalized form."""
    return {
        "pk": {"S": f"user-{i % 5000:05d}"},
        "sk": {"N": str(i)},
        "name": {"S": f"Name {i} \u00fc\u4e16 \"quoted\""},
        "score": {"N": f"{i % 1000}.{i % 7 + 1}"},
        "tags": {"SS": sorted({"a", f"t{i % 7}"})},
        "nums": {"NS": sorted({"1", str(i % 9 + 2)})},
        "blob": {"B": base64.b64encode(bytes([i % 256, 0, 255])).decode()},
        "flag": {"BOOL": i % 2 == 0},
        "nothing": {"NULL": True},
        "doc": {"M": {"list": {"L": [{"N": "1"}, {"S": "two"}, {"M": {"deep": {"BOOL": True}}}]}}},
    }


def boto_item(i):
    """item(i) as boto3 takes it (binary as bytes, which boto3 base64-encodes itself)."""
    value = item(i)
    value["blob"] = {"B": base64.b64decode(value["blob"]["B"])}
    return value


def canonical(line):
    """A line's item with set members sorted (DynamoDB does not keep set order)."""
    def norm(v):
        (t, x), = v.items()
        if t in ("SS", "NS", "BS"):
            return {t: sorted(x)}
        if t == "M":
            return {t: {k: norm(e) for k, e in x.items()}}
        if t == "L":
            return {t: [norm(e) for e in x]}
        return v
    parsed = json.loads(line)
    assert list(parsed) == ["Item"]
    return json.dumps({k: norm(v) for k, v in parsed["Item"].items()}, sort_keys=True)


@pytest.fixture(scope="module")
def items_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("transfer") / "items.jsonl"
    with path.open("w") as f:
        for i in range(ITEMS):
            f.write(json.dumps({"Item": item(i)}) + "\n")
    return path


@pytest.fixture(scope="module")
def items_gz(items_file):
    """The same items, gzip-compressed (as DynamoDB's export to S3 writes them)."""
    path = items_file.with_name("items.json.gz")
    with items_file.open("rb") as src, gzip.open(path, "wb", compresslevel=1) as dst:
        dst.write(src.read())
    return path


@pytest.fixture(scope="module")
def expected(items_file):
    with items_file.open() as f:
        return sorted(canonical(line) for line in f)


def unique(label):
    return f"xfer-{label}-{os.getpid()}-{time.time_ns() % 10**9}"


def test_round_trip_of_100000_items(endpoint, items_file, expected, tmp_path):
    ddb = client(endpoint)
    source = create_table(ddb, unique("src"))
    try:
        imported = extenddb("import", "--endpoint", endpoint, "--table", source,
                            str(items_file), "--json")
        assert imported.returncode == 0, imported.stderr
        report = json.loads(imported.stdout)
        assert (report["items"], report["written_items"], report["skipped_items"],
                report["batches"]) == (ITEMS, ITEMS, 0, ITEMS // 25)
        print(f"import: {report['items_per_second']:.0f} items/s")
        assert not Path(f"{items_file}.{source}.import-progress").exists()
        got = ddb.get_item(TableName=source, Key={"pk": {"S": "user-01234"}, "sk": {"N": "61234"}},
                           ConsistentRead=True)["Item"]
        want = item(61234)
        assert (got["name"], got["score"], got["doc"]) == (want["name"], want["score"], want["doc"])
        assert got["blob"]["B"] == base64.b64decode(want["blob"]["B"])
        assert sorted(got["tags"]["SS"]) == want["tags"]["SS"]

        exported_path = tmp_path / "export.jsonl.gz"
        exported = extenddb("export", "--endpoint", endpoint, "--table", source,
                            "--out", str(exported_path), "--segments", "4", "--json")
        assert exported.returncode == 0, exported.stderr
        report = json.loads(exported.stdout)
        assert report["items"] == ITEMS
        print(f"export: {report['items_per_second']:.0f} items/s")
        assert exported_path.read_bytes()[:2] == b"\x1f\x8b"
        with gzip.open(exported_path, "rt") as f:
            assert sorted(canonical(line) for line in f) == expected
        assert not Path(f"{exported_path}.partial").exists()

        # An existing output file is kept unless --force.
        refused = extenddb("export", "--endpoint", endpoint, "--table", source,
                           "--out", str(exported_path))
        assert refused.returncode == 1
        assert refused.stderr == f"error: {exported_path} already exists; pass --force to replace it\n"
    finally:
        ddb.delete_table(TableName=source)


def test_an_interrupted_import_resumes_where_it_stopped(endpoint, items_gz):
    ddb = client(endpoint)
    table = create_table(ddb, unique("resume"))
    progress = Path(f"{items_gz}.{table}.import-progress")
    argv = [BIN, "import", "--endpoint", endpoint, "--table", table, str(items_gz),
            "--concurrency", "4"]
    try:
        first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not (progress.exists() and len(progress.read_text().splitlines()) > 40):
            assert first.poll() is None, "the import ended before it could be interrupted"
            assert time.monotonic() < deadline, "no progress recorded"
            time.sleep(0.02)
        first.send_signal(signal.SIGINT)
        out, err = first.communicate(timeout=60)
        assert first.returncode == 1, out + err
        assert f"error: import into '{table}' is incomplete: " in err
        assert f"interrupted. Progress is saved in {progress}: run the same command again to resume" in err
        assert progress.exists()
        recorded = len(progress.read_text().splitlines()) - 1
        written = count(ddb, table)
        assert 0 < written < ITEMS
        assert written >= recorded * 25

        second = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        assert second.returncode == 0, second.stderr
        assert second.stderr.startswith(f"Resuming: {recorded} of {ITEMS // 25} batches ({recorded * 25} items) were written by an earlier run")
        assert second.stdout.rstrip().endswith(f"({recorded * 25} more were written by an earlier run).")
        assert second.stdout.startswith(f"Imported {ITEMS - recorded * 25} items into '{table}'")
        assert not progress.exists()
        assert count(ddb, table) == ITEMS
    finally:
        ddb.delete_table(TableName=table)
        progress.unlink(missing_ok=True)


def test_malformed_input_is_named_by_line_and_nothing_is_written(endpoint, tmp_path):
    ddb = client(endpoint)
    table = create_table(ddb, unique("bad"))
    good = json.dumps({"Item": item(1)})
    cases = {
        '{"Item": {"pk": {"S": "a"}, "sk": {"N": 5}}}':
            "line 3: attribute 'sk': \"N\" must be a string, found the number 5",
        '{"pk": {"S": "a"}, "sk": {"N": "5"}}':
            "line 3: expected {\"Item\": {...}}, found an object with keys [\"pk\", \"sk\"]",
        '{"Item": {"pk": {"S": "a"}}}': "line 3: the item lacks key attribute 'sk'",
        '{"Item": {"pk": {"S": "a"}, "sk": {"N": "1"}': "line 3: not valid JSON: ",
    }
    try:
        for bad, message in cases.items():
            path = tmp_path / "bad.jsonl"
            path.write_text(f"{good}\n\n{bad}\n{good}\n")
            out = extenddb("import", "--endpoint", endpoint, "--table", table, str(path))
            assert out.returncode == 1
            assert out.stderr.startswith(f"error: {path}: {message}"), out.stderr
            assert out.stderr.endswith("; nothing was imported\n"), out.stderr
            assert not Path(f"{path}.{table}.import-progress").exists()
        assert count(ddb, table) == 0

        # An item the server refuses (over 400 KB) is named by its line, after the items
        # before it were written; the progress file is kept for the re-run.
        path = tmp_path / "big.jsonl"
        big = {"Item": {"pk": {"S": "big"}, "sk": {"N": "1"}, "v": {"S": "x" * 410_000}}}
        path.write_text("".join(json.dumps({"Item": item(i)}) + "\n" for i in range(30))
                        + json.dumps(big) + "\n")
        out = extenddb("import", "--endpoint", endpoint, "--table", table, str(path))
        assert out.returncode == 1
        assert f": {path}: line 31: PutItem: ValidationException: Item size" in out.stderr, out.stderr
        assert "is incomplete: 25 of 31 items written (1 of 2 batches)" in out.stderr
        assert Path(f"{path}.{table}.import-progress").exists()

        dry = extenddb("import", "--endpoint", endpoint, "--table", table, str(path), "--dry-run")
        assert dry.returncode == 0
        assert dry.stdout == f"{path}: 31 items in 2 batches, every line valid; nothing written (--dry-run).\n"

        missing = extenddb("export", "--endpoint", endpoint, "--table", "no-such-table",
                           "--out", str(tmp_path / "none.jsonl"))
        assert (missing.returncode, missing.stderr) == (
            1, f"error: table 'no-such-table' does not exist at {endpoint}\n")
        assert not list(tmp_path.glob("none.jsonl*"))
    finally:
        ddb.delete_table(TableName=table)


def test_endpoint_from_extenddb_toml(endpoint, tmp_path):
    """Without --endpoint, the server of ./extenddb.toml is called (here plain HTTP)."""
    ddb = client(endpoint)
    table = create_table(ddb, unique("cfg"))
    try:
        ddb.put_item(TableName=table, Item=boto_item(7))
        port = endpoint.rsplit(":", 1)[1]
        (tmp_path / "extenddb.toml").write_text(
            f"[server]\nport = {port}\n\n[server.tls]\nenabled = false\n")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_ENDPOINT_URL", "EXTENDDB_SERVER"))}
        out = extenddb("export", "--table", table, "--out", "t.jsonl", env=env, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith(f"Exported 1 items from '{table}' to t.jsonl in ")
        assert [canonical(l) for l in (tmp_path / "t.jsonl").read_text().splitlines()] == [
            canonical(json.dumps({"Item": item(7)}))]
    finally:
        ddb.delete_table(TableName=table)


def test_https_endpoints_are_verified_against_the_ca_bundle(tmp_path):
    """A dev server with --tls: refused without the certificate, trusted with --ca-bundle or
    AWS_CA_BUNDLE, as the AWS CLI does."""
    server = subprocess.Popen([BIN, "dev", "--tls", "--port", "0",
                               "--data-dir", str(tmp_path / "data")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = server.stdout.readline()
        url = first.split(" listening on ")[1].strip()
        assert url.startswith("https://127.0.0.1:"), first
        cert = str(tmp_path / "data" / "tls" / "cert.pem")
        ddb = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", verify=cert)
        table = create_table(ddb, "tls-table")
        ddb.put_item(TableName=table, Item=boto_item(3))
        env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}

        refused = extenddb("export", "--endpoint", url, "--table", table,
                           "--out", str(tmp_path / "a.jsonl"), env=env)
        assert refused.returncode == 1
        assert "invalid peer certificate: UnknownIssuer" in refused.stderr, refused.stderr

        with_flag = extenddb("export", "--endpoint", url, "--table", table, "--ca-bundle", cert,
                             "--out", str(tmp_path / "b.jsonl"), env=env)
        assert with_flag.returncode == 0, with_flag.stderr
        with_env = extenddb("export", "--endpoint", url, "--table", table,
                            "--out", str(tmp_path / "c.jsonl"), env=dict(env, AWS_CA_BUNDLE=cert))
        assert with_env.returncode == 0, with_env.stderr
        assert [canonical(l) for l in (tmp_path / "b.jsonl").read_text().splitlines()] == [
            canonical(json.dumps({"Item": item(3)}))]
        assert [canonical(l) for l in (tmp_path / "c.jsonl").read_text().splitlines()] == [
            canonical(json.dumps({"Item": item(3)}))]
    finally:
        server.terminate()
        server.wait(timeout=30)
