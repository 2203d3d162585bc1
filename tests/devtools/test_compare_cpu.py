"""devtools/compare's CPU per request: read from /proc, divided by the successful requests,
and each variant's over its base. Needs no server."""

import os
import sys
import time
from types import SimpleNamespace

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, os.path.join(REPO, "devtools"))

import compare_render as cr  # noqa: E402
import compare_support as cs  # noqa: E402


def test_cpu_seconds_grow_with_work_and_gone_pids_count_nothing():
    before = cs.proc_cpu_seconds([os.getpid()])
    end = time.process_time() + 0.2
    while time.process_time() < end:
        pass
    after = cs.proc_cpu_seconds([os.getpid()])
    assert 0.1 <= after - before <= 5
    assert cs.proc_cpu_seconds([2 ** 30]) == 0


def test_a_missing_cluster_has_no_pids():
    assert cs.pg_backend_pids("/nonexistent") == []


def report(ok, server, pg=None):
    cpu = {"server": server}
    if pg is not None:
        cpu["postgres"] = pg
    return {"ok": ok, "ops_per_second": ok / 2, "errors_total": 0, "latency_ms": {"p50": 1, "p99": 2},
            "cpu_seconds": cpu}


def test_rows_carry_cpu_per_request_and_variants_compare_it():
    rows = []
    for rnd, (base, var) in enumerate([(0.2, 0.3), (0.2, 0.22), (0.2, 0.24)]):
        for target, secs in (("postgres", base), ("postgres-x", var)):
            row = cr.row_from_bench(target, "get", 16, report(10_000, secs, pg=0.1))
            row["round"] = rnd
            rows.append(row)
    assert abs(rows[0]["server_us"] - 20.0) < 1e-9 and abs(rows[0]["postgres_us"] - 10.0) < 1e-9
    args = SimpleNamespace(concurrency=[16], workloads=["get"],
                           variants={"postgres-x": {"base": "postgres"}})
    table = cr.cpu_headline(rows, args)
    # (server + cluster) variant ÷ base per round: 40/30, 32/30, 34/30; median 34/30.
    assert "| postgres-x ÷ postgres | get | 1.13× (1.07–1.33) |" in table
    assert "| 20.0 | 10.0 |" in cr.full_table(cr.median_rows(rows))


def test_without_cpu_figures_there_is_no_cpu_table():
    rows = [cr.row_from_bench("embedded", "get", 1, {"ok": 5, "ops_per_second": 5.0})]
    assert "server_us" not in rows[0]
    args = SimpleNamespace(concurrency=[1], workloads=["get"], variants={"v": {"base": "embedded"}})
    assert cr.cpu_headline(rows, args) == ""
