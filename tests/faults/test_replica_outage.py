"""A hot standby stopped under eventually consistent read load (issue 22): the servers read from
it while it runs (its own statistics count the reads), and when it stops every read goes on,
answered by the primary, without one error or one missing item; the server logs that it
skipped the replica.

Runs its own private cluster with a standby (scripts/pg-cluster.sh start + standby, loopback,
a temporary directory) so that stopping it disturbs nothing else.
"""

import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from faults_support import Server, create_table, free_port, init_deployment, pg_cluster, private_cluster, wait_for

SERVERS = 2
READERS_PER_SERVER = 2
ITEMS = 100


@pytest.fixture
def cluster():
    with private_cluster(standby=True) as c:
        yield c


def psql_bin():
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "psql").exists():
            return str(d / "psql")
    return "psql"


def standby_index_scans(pg, database):
    """Index scans of the `items` table that the standby itself answered."""
    out = subprocess.run(
        [psql_bin(), "-h", pg["EXTENDDB_TEST_PG_HOST"], "-p", pg["EXTENDDB_TEST_PG_REPLICA_PORT"],
         "-U", pg["EXTENDDB_TEST_PG_USER"], "-d", database, "-Atc",
         "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_tables WHERE relname = 'items'"],
        capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip())


def test_replica_stopped_under_eventually_consistent_reads(tmp_path, cluster):
    pg_dir, pg = cluster
    assert "EXTENDDB_TEST_PG_REPLICA_PORT" in pg, "pg-cluster.sh started no standby"
    home = tmp_path / "home"
    home.mkdir()
    config = init_deployment(home, pg)
    text = config.read_text()
    database = re.search(r'^data_db\s*=\s*"([^"]+)"', text, re.M).group(1)
    with open(config, "a") as f:
        f.write(f'\n[[storage.postgres.replicas]]\nhost = "127.0.0.1"\n'
                f'port = {pg["EXTENDDB_TEST_PG_REPLICA_PORT"]}\n')
    env = {
        "HOME": str(home),
        "EXTENDDB_SERVER__CONTROL_PLANE_DELAY_SECONDS": "0",
        "EXTENDDB_SERVER__TLS__ENABLED": "false",
        "EXTENDDB_AUTH__PROVIDER": "none",
        "EXTENDDB_SERVER__PID_FILE": str(home / "extenddb.pid"),
    }
    servers = []
    try:
        for n in range(SERVERS):
            servers.append(Server(config, tmp_path / f"server{n}.log", cwd=home, env=env, port=free_port()))
        writer = servers[0].client()
        create_table(writer, "replicated")
        for i in range(ITEMS):
            writer.put_item(TableName="replicated", Item={"pk": {"S": f"k{i}"}, "v": {"N": str(i)}})

        stop = threading.Event()
        reads, errors, lock = [0], [], threading.Lock()

        def reader(server, n):
            c = server.client(read_timeout=30)
            i = n
            while not stop.is_set():
                key = f"k{i % ITEMS}"
                try:
                    if i % 10 == 0:
                        got = c.scan(TableName="replicated", Limit=20)
                        ok = got["Count"] > 0
                    else:
                        got = c.get_item(TableName="replicated", Key={"pk": {"S": key}})
                        ok = got.get("Item", {}).get("v", {}).get("N") == str(i % ITEMS)
                    with lock:
                        reads[0] += 1
                        if not ok:
                            errors.append(("missing", key, got))
                except Exception as e:  # any error fails the test
                    with lock:
                        errors.append((type(e).__name__, key, str(e)))
                i += 7

        # Reads use the standby only while it is within the lag bound (1 s), so the items just
        # written are found from the start.
        scans_before = standby_index_scans(pg, database)
        threads = [threading.Thread(target=reader, args=(s, k * 10 + j), daemon=True)
                   for k, s in enumerate(servers) for j in range(READERS_PER_SERVER)]
        for t in threads:
            t.start()
        # The standby answers reads while it runs.
        wait_for(lambda: standby_index_scans(pg, database) > scans_before + 100, 20,
                 what="reads answered by the standby")
        with lock:
            before_outage = reads[0]

        pg_cluster("stop-standby", str(pg_dir))
        stopped_at = time.monotonic()
        # Reads go on from the primary: a few seconds of load after the standby is gone.
        time.sleep(4)
        with lock:
            during = reads[0] - before_outage
        stop.set()
        for t in threads:
            t.join(timeout=60)
        print(f"replica outage: {reads[0]} reads, {during} in the {time.monotonic() - stopped_at:.1f} s "
              f"after the standby stopped, {len(errors)} errors")
        assert not errors, errors[:5]
        assert during > 50, f"only {during} reads after the standby stopped"
        for s in servers:
            log = s.log_text()
            assert "replica skipped" in log, log[-3000:]
    finally:
        for s in servers:
            s.stop()
