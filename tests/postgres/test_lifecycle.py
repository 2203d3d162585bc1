"""The operator lifecycle on a real PostgreSQL, through the `extenddb` binary:
init -> verify -> serve --foreground (HTTPS, builtin auth, a key made with `extenddb manage`)
-> boto3 items -> kill -9 under write load ->
restart -> every acknowledged write is there -> destroy; plus the one-line bad-input errors.

Needs EXTENDDB_BIN (the binary) and EXTENDDB_TEST_PG_HOST/PORT/USER (a role that may create
roles and databases; scripts/pg-cluster.sh prints them). Skipped with the reason otherwise.
"""

import json
import os
import signal
import subprocess
import threading
import time

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from pg_support import BIN, PG, destroy, init, requires_pg, run

pytestmark = requires_pg


def access_key(home, url, init_out):
    """A user with dynamodb:* in the default account and its access key, made with
    `extenddb manage` as the admin `init` printed, against the server at `url`."""
    account = next(l.split()[-1] for l in init_out.splitlines() if l.startswith("Default account:"))
    password = next(l.split()[-1] for l in init_out.splitlines() if l.startswith("  password:"))
    manage = ["manage", "--user", "admin", "--password", password, "--endpoint", url]
    user = ["--account-id", account, "--user-name", "lifecycle"]
    run(home, *manage, "create-user", *user)
    run(home, *manage, "put-user-policy", *user, "--policy-name", "All", "--policy-document",
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}')
    key = json.loads(run(home, *manage, "--json", "create-access-key", *user).stdout)
    return key["access_key_id"], key["secret_access_key"]


class Server:
    """`extenddb serve --foreground` on a free port as `init` configured it (builtin auth);
    `url` from its banner. `client` signs with `creds`, or with a key made through
    `extenddb manage` when `init_out` (init's output, with the admin's password) is given."""

    def __init__(self, home, config, init_out=None, creds=None):
        env = dict(os.environ, HOME=str(home), RUST_LOG="warn")
        env["EXTENDDB_SERVER__CONTROL_PLANE_DELAY_SECONDS"] = "0"
        self.proc = subprocess.Popen(
            [BIN, "serve", "--config", str(config), "--foreground", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=home,
        )
        banner = self.proc.stdout.readline().strip()
        assert banner.startswith("extenddb 0.0.2 (catalog 0.0.2) listening on 127.0.0.1:"), banner
        self.url = "https://" + banner.rsplit(" ", 1)[1]
        self.creds = creds or (access_key(home, self.url, init_out) if init_out else ("AKIDEXAMPLE", "secret"))

    def client(self, home):
        return boto3.client(
            "dynamodb", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id=self.creds[0], aws_secret_access_key=self.creds[1],
            verify=str(home / ".extenddb/tls/cert.pem"),
            config=Config(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=10),
        )

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)


def test_init_server_refuses_unknown_credentials(deployment):
    """A server as `init` configured it (provider = "builtin") refuses a request signed with a
    key it never issued, and one with no signature at all, with DynamoDB's errors."""
    home, config, _, _ = deployment
    assert 'provider = "builtin"' in config.read_text()
    server = Server(home, config)
    try:
        client = server.client(home)
        with pytest.raises(ClientError) as e:
            client.list_tables()
        assert e.value.response["Error"]["Code"] == "UnrecognizedClientException"
        assert e.value.response["Error"]["Message"] == "The security token included in the request is invalid."
        unsigned = requests.post(
            server.url, data="{}", verify=str(home / ".extenddb/tls/cert.pem"),
            headers={"X-Amz-Target": "DynamoDB_20120810.ListTables",
                     "Content-Type": "application/x-amz-json-1.0"},
            timeout=10,
        )
        assert unsigned.status_code == 400
        assert unsigned.json()["__type"].endswith("#MissingAuthenticationTokenException")
    finally:
        assert server.stop() == 0


@pytest.fixture()
def deployment(tmp_path):
    """A fresh `extenddb init` into a temporary HOME, with unique database names."""
    config, out, dbs = init(tmp_path, "x")
    yield tmp_path, config, out.stdout, dbs
    destroy(tmp_path, config)


def test_init_verify_serve_items_destroy(deployment):
    home, config, init_out, (cat, data) = deployment
    account = next(l.split()[-1] for l in init_out.splitlines() if l.startswith("Default account:"))
    assert len(account) == 12 and account.isdigit()
    assert "  user:     admin" in init_out
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    assert oct((home / ".extenddb/tls/key.pem").stat().st_mode & 0o777) == "0o600"
    assert oct((home / ".extenddb/master.key").stat().st_mode & 0o777) == "0o600"

    verify = run(home, "verify", "--config", str(config)).stdout
    assert verify == (
        "=== extenddb verify ===\n--- Checking catalog connection...\nOK: Connected to catalog.\n"
        "--- Checking catalog version...\nOK: Catalog version 0.0.2\n--- Checking data database...\n"
        f"OK: Connected to data database '{data}'.\n--- Enumerating tables...\nTables: 0\nIndexes: 0\n"
        "=== HEALTHY: All checks passed ===\n"
    )
    again = run(home, "init", "--pg-host", PG["HOST"], "--pg-port", PG["PORT"],
                "--pg-user", PG["USER"], "--catalog-db", cat, "--data-db", data, check=False)
    assert again.returncode == 1
    assert again.stderr.startswith(f"error: database '{cat}' already exists; to re-initialize run `extenddb destroy")

    server = Server(home, config, init_out=init_out)
    try:
        ddb = server.client(home)
        ddb.create_table(TableName="Items", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        ddb.put_item(TableName="Items", Item={"pk": {"S": "a"}, "v": {"N": "00042.0"}})
        got = ddb.get_item(TableName="Items", Key={"pk": {"S": "a"}})["Item"]
        assert got == {"pk": {"S": "a"}, "v": {"N": "42"}}
        arn = ddb.describe_table(TableName="Items")["Table"]["TableArn"]
        assert f":{account}:table/Items" in arn
    finally:
        assert server.stop() == 0
    assert "Tables: 1\n" in run(home, "verify", "--config", str(config)).stdout

    refused = run(home, "destroy", "--config", str(config), check=False)
    assert refused.returncode == 1 and "re-run with --yes" in refused.stderr
    run(home, "destroy", "--config", str(config), "--yes")
    gone = run(home, "verify", "--config", str(config), check=False)
    assert gone.returncode == 1 and "=== UNHEALTHY" in gone.stdout


def test_kill_9_under_write_load_loses_no_acknowledged_write(deployment):
    home, config, init_out, _ = deployment
    server = Server(home, config, init_out=init_out)
    ddb = server.client(home)
    ddb.create_table(TableName="Crash", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    acked, lock, stop = [], threading.Lock(), threading.Event()

    def writer(n):
        client = server.client(home)
        i = 0
        while not stop.is_set():
            key = f"w{n}-{i}"
            try:
                client.put_item(TableName="Crash", Item={"pk": {"S": key}, "n": {"N": str(i)}})
            except Exception:
                return  # the server died mid-request: not acknowledged
            with lock:
                acked.append(key)
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    time.sleep(3)
    server.stop(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) > 20, "the load never got going"

    again = Server(home, config, creds=server.creds)
    try:
        ddb = again.client(home)
        missing = [k for k in acked if "Item" not in ddb.get_item(TableName="Crash", Key={"pk": {"S": k}}, ConsistentRead=True)]
        assert missing == [], f"{len(missing)} of {len(acked)} acknowledged writes lost"
    finally:
        assert again.stop() == 0


def test_bad_input_is_one_line_with_the_fix(tmp_path):
    bad_key = tmp_path / "bad.toml"
    bad_key.write_text("[storage.postgres]\npool_sise = 3\n")
    out = run(tmp_path, "verify", "--config", str(bad_key), check=False)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "pool_sise" in out.stderr and str(bad_key) in out.stderr

    bad_value = tmp_path / "value.toml"
    bad_value.write_text("[server]\nport = \"eighty\"\n")
    out = run(tmp_path, "serve", "--config", str(bad_value), "--foreground", check=False)
    assert out.returncode == 1 and "key 'server.port'" in out.stderr and out.stderr.count("\n") == 1

    wrong_db = tmp_path / "db.toml"
    wrong_db.write_text(
        f"[storage.postgres]\nhost = \"{PG['HOST']}\"\nport = {PG['PORT']}\nuser = \"{PG['USER']}\"\n"
        "catalog_db = \"no_such_catalog_db\"\ndata_db = \"no_such_data_db\"\n")
    out = run(tmp_path, "serve", "--config", str(wrong_db), "--foreground", check=False)
    assert out.returncode == 1
    assert out.stderr == "error: database 'no_such_data_db' does not exist (run `extenddb init`, or fix catalog_db/data_db)\n"

    unreachable = tmp_path / "port.toml"
    unreachable.write_text("[storage.postgres]\nhost = \"127.0.0.1\"\nport = 1\n")
    out = run(tmp_path, "migrate", "--config", str(unreachable), check=False)
    assert out.returncode == 1 and out.stderr.startswith("error: cannot reach PostgreSQL at 127.0.0.1:1: ")
    assert out.stderr.count("\n") == 1

    env_bad = run(tmp_path, "serve", "--config", str(wrong_db), "--foreground", check=False)
    assert env_bad.returncode == 1

    # As a daemon the same failure comes back from the background process, on one line. The
    # lines before it are what serve says before it detaches (issue 24): where the daemon
    # logs when no syslog socket answers (machines without one), and that authentication is
    # off (this configuration has no [auth]).
    out = run(tmp_path, "serve", "--config", str(wrong_db), check=False)
    assert out.returncode == 1
    *notices, error = out.stderr.splitlines()
    assert error == "error: database 'no_such_data_db' does not exist (run `extenddb init`, or fix catalog_db/data_db)"
    assert out.stderr.endswith("\n")
    assert "warning: authentication is off" in out.stderr, out.stderr
    for line in notices:
        assert line.startswith(("extenddb: no syslog socket at ", "warning: authentication is off")), line


def test_pending_migration_is_reported_by_verify_and_serve(deployment):
    """A deployment made by an older build (data migration 0002 not applied): verify fails
    naming it and the command that applies it, serve refuses on one line, migrate fixes both."""
    home, config, _, (_, data) = deployment
    subprocess.run(["psql", "-h", PG["HOST"], "-p", PG["PORT"], "-U", PG["USER"], "-d", data,
                    "-v", "ON_ERROR_STOP=1", "-qc",
                    "DROP FUNCTION extenddb_lock_apply; DROP FUNCTION extenddb_apply; "
                    "DELETE FROM _sqlx_migrations WHERE version = 2"], check=True, timeout=60)
    verify = run(home, "verify", "--config", str(config), check=False)
    assert verify.returncode == 1
    assert (f"FAIL: schema migrations pending (data 0002 write functions); "
            f"run `extenddb migrate --config {config}`\n") in verify.stdout
    assert "Catalog version 0.0.2" in verify.stdout
    serve = run(home, "serve", "--config", str(config), "--foreground", "--port", "0", check=False)
    assert serve.returncode == 1
    assert serve.stderr == ("error: schema migrations pending (data 0002 write functions); "
                            "run `extenddb migrate --config <file>`\n")
    run(home, "migrate", "--config", str(config))
    assert "=== HEALTHY: All checks passed ===" in run(home, "verify", "--config", str(config)).stdout


def test_settings_commands_of_the_guide(deployment):
    """The guide's `extenddb settings --config extenddb.toml set …` commands, verbatim but for
    the binary path; values are stored in the catalog and listed back; bad ones are refused."""
    home, config, _, _ = deployment
    guide = [
        ("control_plane_delay_seconds", "0"),
        ("control_plane_delay_seconds", "10"),
        ("allow_credential_import", "false"),
        ("allow_credential_import", "true"),
        ("gsi_propagation_delay_ms", "0"),
        ("gsi_propagation_delay_ms", "50"),
        ("throttling_enabled", "false"),
        ("throttling_enabled", "true"),
        ("ttl_deletion_target_seconds", "60"),
        ("ttl_deletion_target_seconds", "600"),
        ("log_level", "debug"),
        ("sqlx_log_level", "debug"),
        ("sqlx_log_level", "warn"),
    ]
    for name, value in guide:
        out = run(home, "settings", "--config", "extenddb.toml", "set", name, value)
        assert out.stdout == f"{name} = {value}\n"
    assert run(home, "settings", "--config", "extenddb.toml", "get", "gsi_propagation_delay_ms").stdout == "50\n"
    listed = run(home, "settings", "--config", "extenddb.toml", "list").stdout.splitlines()
    assert "ttl_deletion_target_seconds = 600" in listed
    assert "log_level = debug" in listed
    assert len(listed) == 8

    bad = run(home, "settings", "--config", "extenddb.toml", "set", "throttling_enabled", "maybe", check=False)
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error: invalid value 'maybe' for throttling_enabled: expected true or false"
    unknown = run(home, "settings", "--config", "extenddb.toml", "set", "no_such", "1", check=False)
    assert unknown.returncode == 1 and "unknown setting 'no_such'" in unknown.stderr


def test_daemon_serve_status_stop(deployment):
    """The guide's daemon commands: `serve` prints the banner and returns while the server keeps
    running in the background; `status` names its port and pid; `stop` ends it."""
    home, config, init_out, _ = deployment
    env = {"EXTENDDB_SERVER__CONTROL_PLANE_DELAY_SECONDS": "0"}
    started = subprocess.run(
        [BIN, "serve", "--config", "extenddb.toml", "--port", "0"], capture_output=True, text=True,
        env=dict(os.environ, HOME=str(home), **env), cwd=home, timeout=60,
    )
    assert started.returncode == 0, started.stderr
    banner = started.stdout.strip()
    assert banner.startswith("extenddb 0.0.2 (catalog 0.0.2) listening on 127.0.0.1:"), banner
    port = banner.rsplit(":", 1)[1]
    try:
        status = run(home, "status", "--config", "extenddb.toml")
        first, readiness = status.stdout.splitlines()
        assert first.startswith(f"extenddb is running on port {port} (pid ")
        # The readiness line, from the server's /health/ready over HTTPS with init's certificate.
        assert readiness == "ready: the store is reachable and writable", status.stdout
        pid = int(first.rsplit(" ", 1)[1].rstrip(")"))
        os.kill(pid, 0)  # the daemon outlived the `serve` command
        again = run(home, "serve", "--config", "extenddb.toml", "--port", "0", check=False)
        assert again.returncode == 1
        assert again.stderr == f"error: extenddb is already running on port {port} (pid {pid}); stop it with `extenddb stop`\n"

        key_id, secret = access_key(home, f"https://127.0.0.1:{port}", init_out)
        ddb = boto3.client(
            "dynamodb", endpoint_url=f"https://127.0.0.1:{port}", region_name="us-east-1",
            aws_access_key_id=key_id, aws_secret_access_key=secret,
            verify=str(home / ".extenddb/tls/cert.pem"),
        )
        ddb.create_table(TableName="Daemon", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        ddb.put_item(TableName="Daemon", Item={"pk": {"S": "a"}})
        assert ddb.get_item(TableName="Daemon", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    finally:
        stopped = run(home, "stop", "--config", "extenddb.toml", check=False)
    assert stopped.returncode == 0 and stopped.stdout == f"extenddb stopped (pid {pid})\n", stopped.stderr
    gone = run(home, "status", "--config", "extenddb.toml", check=False)
    assert gone.returncode == 3 and gone.stdout == "extenddb is not running\n"
    assert not (home / ".extenddb/extenddb.pid").exists()


def test_log_level_setting_takes_effect_while_running(deployment):
    """`settings set log_level debug` reaches a running server within 30 seconds."""
    home, config, _, _ = deployment
    log = home / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "RUST_LOG"}
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [BIN, "serve", "--config", str(config), "--foreground", "--port", "0"],
            stdout=subprocess.PIPE, stderr=err, text=True, env=dict(env, HOME=str(home)), cwd=home,
        )
    try:
        assert proc.stdout.readline().startswith("extenddb 0.0.2")
        run(home, "settings", "--config", "extenddb.toml", "set", "log_level", "debug")
        deadline = time.time() + 30
        while "level=debug" not in log.read_text() and time.time() < deadline:
            time.sleep(0.5)
        assert "log levels applied level=debug sqlx_level=warn" in log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_index_delay_overrides_the_system_wide_delay(deployment):
    """`settings index-delay` gives one GSI its own propagation delay; a running server follows
    it: with the system-wide delay 0, that index shows a write only after its own delay."""
    home, config, init_out, _ = deployment
    run(home, "settings", "--config", "extenddb.toml", "set", "gsi_propagation_delay_ms", "0")
    server = Server(home, config, init_out=init_out)
    try:
        ddb = server.client(home)
        ddb.create_table(
            TableName="Scores", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}],
        )

        def in_index():
            out = ddb.query(TableName="Scores", IndexName="byG", KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": {"S": "x"}})
            return sorted(i["pk"]["S"] for i in out["Items"])

        ddb.put_item(TableName="Scores", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
        assert in_index() == ["a"]  # system-wide delay 0: synchronous

        out = run(home, "settings", "--config", "extenddb.toml", "index-delay",
                  "--table", "Scores", "--index", "byG", "2000")
        assert out.stdout == "Scores/byG propagation_delay_ms = 2000\n"
        time.sleep(1)  # the catalog change reaches the server's cache by notification
        ddb.put_item(TableName="Scores", Item={"pk": {"S": "b"}, "g": {"S": "x"}})
        written = time.time()
        assert in_index() == ["a"]
        while in_index() != ["a", "b"]:
            assert time.time() - written < 20, "the entry never arrived"
            time.sleep(0.1)
        assert time.time() - written >= 1.5

        reset = run(home, "settings", "--config", "extenddb.toml", "index-delay",
                    "--table", "Scores", "--index", "byG", "default")
        assert reset.stdout == "Scores/byG propagation_delay_ms = default (gsi_propagation_delay_ms)\n"
        bad = run(home, "settings", "--config", "extenddb.toml", "index-delay",
                  "--table", "Scores", "--index", "nope", "5", check=False)
        assert bad.returncode == 1
        assert bad.stderr == "error: table 'Scores' has no global secondary index 'nope'\n"
    finally:
        assert server.stop() == 0
