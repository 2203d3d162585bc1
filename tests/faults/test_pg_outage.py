"""PostgreSQL stopped for 10 s under write load with several servers over it (issues 22 and
24): no request waits past the server's deadline, far inside the SDK's timeout (each fails
fast with a retryable InternalServerError instead of hanging), every server's readiness
answers 503 while the database is gone and 200 once it is back, every server recovers by
itself (its pool reconnects), and no acknowledged write is lost.

Runs its own private cluster (scripts/pg-cluster.sh, loopback, a temporary directory) so that
stopping it disturbs nothing else.
"""

import threading
import time

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError, EndpointConnectionError

from faults_support import Server, create_table, free_port, init_deployment, pg_cluster, private_cluster, wait_for

OUTAGE_SECONDS = 10
ACQUIRE_TIMEOUT_MS = 1000
REQUEST_TIMEOUT_MS = 3000
# The SDK's read timeout of the writers: a request the server left hanging would reach it.
SDK_READ_TIMEOUT = 30
# Slack for scheduling and the client's own work on a loaded 2-core machine.
LATENCY_BOUND = REQUEST_TIMEOUT_MS / 1000 + 2.0
SERVERS = 3
WRITERS_PER_SERVER = 2


@pytest.fixture
def cluster():
    with private_cluster() as c:
        yield c


def test_postgres_outage_under_load_with_several_servers(tmp_path, cluster):
    pg_dir, pg = cluster
    home = tmp_path / "home"
    home.mkdir()
    config = init_deployment(home, pg)
    env = {
        "HOME": str(home),
        "EXTENDDB_SERVER__CONTROL_PLANE_DELAY_SECONDS": "0",
        "EXTENDDB_SERVER__TLS__ENABLED": "false",
        "EXTENDDB_AUTH__PROVIDER": "none",
        "EXTENDDB_SERVER__PID_FILE": str(home / "extenddb.pid"),
        "EXTENDDB_SERVER__REQUEST_TIMEOUT_MS": str(REQUEST_TIMEOUT_MS),
        "EXTENDDB_STORAGE__POSTGRES__ACQUIRE_TIMEOUT_MS": str(ACQUIRE_TIMEOUT_MS),
    }
    servers = []
    try:
        for n in range(SERVERS):
            servers.append(Server(config, tmp_path / f"server{n}.log", cwd=home, env=env, port=free_port()))
        create_table(servers[0].client(), "outage")
        for s in servers:
            wait_for(lambda: s.ready()[0] == 200, 10, what=f"{s.url} ready")

        stop = threading.Event()
        acknowledged = {}
        latencies = []
        errors = []
        lock = threading.Lock()

        def writer(server, n):
            c = server.client(read_timeout=SDK_READ_TIMEOUT)
            i = 0
            while not stop.is_set():
                key = f"w{n}-{i}"
                started = time.monotonic()
                try:
                    c.put_item(TableName="outage", Item={"pk": {"S": key}, "v": {"N": str(i)}})
                    with lock:
                        acknowledged[key] = i
                except ClientError as e:
                    with lock:
                        errors.append((e.response["ResponseMetadata"]["HTTPStatusCode"],
                                       e.response["Error"]["Code"], e.response["Error"]["Message"]))
                except (ReadTimeoutError, EndpointConnectionError) as e:
                    with lock:
                        errors.append((0, type(e).__name__, str(e)))
                with lock:
                    latencies.append(time.monotonic() - started)
                i += 1
                time.sleep(0.01)

        threads = [threading.Thread(target=writer, args=(s, f"{k}.{j}"), daemon=True)
                   for k, s in enumerate(servers) for j in range(WRITERS_PER_SERVER)]
        for t in threads:
            t.start()
        time.sleep(2)
        before = len(acknowledged)
        assert before > 0, "no write succeeded before the outage"

        pg_cluster("stop", str(pg_dir))
        stopped_at = time.monotonic()
        for s in servers:
            r = wait_for(lambda: (lambda r: r if r[0] == 503 else None)(s.ready()),
                         OUTAGE_SECONDS - 2, what=f"{s.url}/health/ready 503 while PostgreSQL is down")
            assert r[1], "a not-ready answer names its reason"
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped_at)))
        pg_cluster("start", str(pg_dir))

        # Every server recovers by itself: nothing restarts it or tells it the database is back.
        for s in servers:
            wait_for(lambda: s.ready()[0] == 200, 30, what=f"{s.url}/health/ready 200 after PostgreSQL is back")
        with lock:
            mark = set(acknowledged)

        def servers_writing_again():
            with lock:
                return {k[1:].split(".")[0] for k in set(acknowledged) - mark}

        wait_for(lambda: servers_writing_again() == {str(n) for n in range(SERVERS)}, 30,
                 what="writes succeeding again on every server")
        stop.set()
        for t in threads:
            t.join(timeout=60)

        slowest = max(latencies)
        # Figures for whoever reads the output (pytest -s or a failure's captured stdout).
        print(f"outage: {SERVERS} servers, {len(latencies)} requests, {len(acknowledged)} acknowledged, "
              f"{len(errors)} refused, slowest {slowest:.2f} s (bound {LATENCY_BOUND} s, "
              f"SDK timeout {SDK_READ_TIMEOUT} s)")
        assert slowest <= LATENCY_BOUND, f"a request took {slowest:.1f} s (bound {LATENCY_BOUND} s)"
        assert errors, "the outage refused no request"
        for status, code, message in errors:
            # A 500 InternalServerError is what the SDKs retry (a transient server error).
            assert (status, code) == (500, "InternalServerError"), (status, code, message)
        # Every acknowledged write survived, read through another server than its writer's.
        readers = [s.client() for s in servers]
        for key, value in acknowledged.items():
            reader = readers[(int(key.split(".")[0][1:]) + 1) % SERVERS]
            item = reader.get_item(TableName="outage", Key={"pk": {"S": key}}, ConsistentRead=True).get("Item")
            assert item is not None and item["v"]["N"] == str(value), key
        for s in servers:
            log = s.log_text()
            assert "not ready" in log and "ready again" in log, log[-3000:]
    finally:
        for s in servers:
            s.stop()
