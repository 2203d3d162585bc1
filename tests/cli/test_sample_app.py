"""samples/sample_app.py, the user guide's sample application, run as a user runs it: a
subprocess with EXTENDDB_ENDPOINT pointing at the server under test and the standard AWS
variables (the conftest's dummy credentials; the servers under test use the `none` auth
provider). It must pass every one of its checks and drop its three tables, also when a step
fails.
"""

import os
import subprocess
import sys
from pathlib import Path

import boto3
from botocore.config import Config

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "sample_app.py"
TABLES = {"SampleUsers", "SampleOrders", "SampleTournamentMatches"}
STEPS = [
    "[1/9] Create tables",
    "[2/9] Wait for ACTIVE",
    "[3/9] Load data (PutItem, BatchWriteItem)",
    "[4/9] Query base tables and GSIs, Scan",
    "[5/9] UpdateItem with conditions",
    "[6/9] BatchGetItem across tables",
    "[7/9] TransactWriteItems and TransactGetItems across tables",
    "[8/9] DeleteItem",
    "[9/9] Drop tables (DeleteTable)",
]


def run_sample(endpoint, *args):
    env = dict(os.environ, EXTENDDB_ENDPOINT=endpoint)
    return subprocess.run([sys.executable, str(SAMPLE), *args], env=env, capture_output=True,
                          text=True, timeout=600)


def sample_tables(endpoint):
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                       config=Config(retries={"max_attempts": 0}))
    names = set()
    for page in ddb.get_paginator("list_tables").paginate():
        names.update(page["TableNames"])
    return names & TABLES


def test_the_sample_app_passes_every_check_and_drops_its_tables(endpoint):
    assert not sample_tables(endpoint), "sample tables left over before the run"
    out = run_sample(endpoint)
    assert out.returncode == 0, f"stdout:\n{out.stdout}\nstderr:\n{out.stderr}"
    lines = out.stdout.splitlines()
    assert [l for l in lines if l.startswith("[")] == STEPS
    assert "    created SampleTournamentMatches (GSIs: TournamentRegionIndex, PlayerMatchHistoryIndex)" in lines
    assert "    ok   Query multi-attribute GSI: T1/EU round 1, bracket >= B" in lines
    assert "    ok   TransactGetItems across three tables" in lines
    checks = [l for l in lines if l.startswith("    ok   ")]
    assert len(checks) >= 25
    assert lines[-1] == f"All {len(checks)} checks passed; tables dropped."
    for table in sorted(TABLES):
        assert f"    deleted {table}" in lines
    assert not sample_tables(endpoint)


def test_the_sample_app_drops_its_tables_when_a_step_fails(endpoint):
    out = run_sample(endpoint, "--simulate-failure-after", "query")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FAILED: simulated failure after step 'query'" in out.stderr
    assert "[9/9] Drop tables (DeleteTable)" in out.stdout
    assert "[5/9] UpdateItem with conditions" not in out.stdout
    assert not sample_tables(endpoint)


def test_the_sample_app_trusts_the_certificate_named_by_aws_ca_bundle(tmp_path):
    """Against an HTTPS server (a `extenddb dev --tls` of its own) the sample needs nothing but
    AWS_CA_BUNDLE, as the guide's run instructions say; without it, it fails and says why."""
    binary = os.environ.get("EXTENDDB_BIN")
    assert binary, "EXTENDDB_BIN must be set (scripts/test.sh does)"
    server = subprocess.Popen([binary, "dev", "--tls", "--port", "0", "--data-dir",
                               str(tmp_path / "data")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = server.stdout.readline().split(" listening on ")[1].strip()
        assert url.startswith("https://")
        cert = str(tmp_path / "data" / "tls" / "cert.pem")
        env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
        untrusted = subprocess.run([sys.executable, str(SAMPLE)], capture_output=True, text=True,
                                   timeout=300, env=dict(env, EXTENDDB_ENDPOINT=url,
                                                             AWS_MAX_ATTEMPTS="1"))
        assert untrusted.returncode == 1
        assert "SSLError: SSL validation failed for https://127.0.0.1:" in untrusted.stderr
        trusted = subprocess.run([sys.executable, str(SAMPLE)], capture_output=True, text=True,
                                 timeout=300,
                                 env=dict(env, EXTENDDB_ENDPOINT=url, AWS_CA_BUNDLE=cert))
        assert trusted.returncode == 0, trusted.stdout + trusted.stderr
        assert f"({'us-east-1'}, CA bundle {cert})" in trusted.stdout.splitlines()[0]
        assert trusted.stdout.splitlines()[-1].startswith("All ")
    finally:
        server.terminate()
        server.wait(timeout=30)
