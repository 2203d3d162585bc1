"""`extenddb init` is safe to repeat on a cluster where the `extenddb` role already exists.

Runs on a private PostgreSQL cluster of its own (scripts/pg-cluster.sh) whose pg_hba.conf makes
the `extenddb` role log in with a SCRAM password over TCP, so that a wrong password is really
refused (the shared test cluster trusts everyone). Checks, against pg_authid's password hash:
an existing role keeps its password unless --reset-role-password; without a way to know the
password init refuses before creating anything; --role-password is checked by logging in; the
guide's destroy-then-init reuses the password from the extenddb.toml being replaced.

Needs EXTENDDB_BIN and the PostgreSQL server binaries (as scripts/pg-cluster.sh finds them).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

BIN = os.environ.get("EXTENDDB_BIN")
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not BIN, reason="EXTENDDB_BIN must be set (scripts/test.sh does)")

REFUSAL = (
    "error: PostgreSQL role 'extenddb' already exists (another deployment on this cluster may "
    "use it) and its password cannot be read back; pass --role-password <its password> to keep "
    "it, or --reset-role-password to give it a new one (deployments using the old password must "
    "then be updated)\n"
)


def psql_binary() -> str:
    found = shutil.which("psql")
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"), reverse=True):
        return str(candidate)
    pytest.fail("psql not found (install postgresql-client)")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A private cluster; TCP logins of role extenddb need its SCRAM password."""
    root = tmp_path_factory.mktemp("pg")
    script = ROOT / "scripts" / "pg-cluster.sh"
    subprocess.run([script, "start", root], check=True, capture_output=True, timeout=120)
    env = dict(line.split(" ", 1)[1].split("=", 1)
               for line in subprocess.run([script, "env", root], check=True, capture_output=True,
                                          text=True).stdout.splitlines())
    hba = root / "data" / "pg_hba.conf"
    hba.write_text("host all extenddb 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
    pg = {"host": env["EXTENDDB_TEST_PG_HOST"], "port": env["EXTENDDB_TEST_PG_PORT"],
          "user": env["EXTENDDB_TEST_PG_USER"]}
    sql(pg, "SELECT pg_reload_conf()")
    yield pg
    subprocess.run([script, "stop", root], capture_output=True, timeout=120)


def sql(pg, query: str) -> str:
    out = subprocess.run(
        [psql_binary(), "-h", pg["host"], "-p", pg["port"], "-U", pg["user"], "-d", "postgres",
         "-Atc", query],
        capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def role_hash(pg) -> str:
    return sql(pg, "SELECT rolpassword FROM pg_authid WHERE rolname = 'extenddb'")


def databases(pg) -> set:
    return set(sql(pg, "SELECT datname FROM pg_database").split())


def extenddb(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("EXTENDDB_") or k == "EXTENDDB_BIN"}
    env["HOME"] = str(home)
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env, cwd=home,
                          timeout=120)


def init(pg, home: Path, name: str, *extra: str) -> subprocess.CompletedProcess:
    return extenddb(home, "init", "--pg-host", pg["host"], "--pg-port", pg["port"],
                    "--pg-user", pg["user"], "--catalog-db", f"{name}_catalog",
                    "--data-db", f"{name}_data", "--config", str(home / f"{name}.toml"), *extra)


def healthy(home: Path, name: str) -> bool:
    out = extenddb(home, "verify", "--config", str(home / f"{name}.toml"))
    return out.returncode == 0 and out.stdout.endswith("=== HEALTHY: All checks passed ===\n")


def config_password(home: Path, name: str) -> str:
    for line in (home / f"{name}.toml").read_text().splitlines():
        if line.startswith("password = "):
            value = line.split(" = ", 1)[1]
            if value.startswith("'"):  # TOML literal strings ('x' or '''x'''): no escapes
                return value.strip("'")
            return json.loads(value)  # a TOML basic string escapes like JSON
    raise AssertionError(f"no password in {name}.toml")


def test_a_repeated_init_keeps_the_role_password_unless_asked(cluster, tmp_path):
    pg = cluster
    first = init(pg, tmp_path, "one")
    assert first.returncode == 0, first.stderr
    assert "Created role 'extenddb'.\n" in first.stdout
    original = role_hash(pg)
    assert original.startswith("SCRAM-SHA-256$")

    # Another deployment on the same cluster, nothing to tell init the password: refused,
    # before anything is created, and the role is untouched.
    before = databases(pg)
    refused = init(pg, tmp_path, "two")
    assert (refused.returncode, refused.stderr) == (1, REFUSAL)
    assert databases(pg) == before
    assert not (tmp_path / "two.toml").exists()

    # A wrong --role-password is found out by logging in.
    wrong = init(pg, tmp_path, "two", "--role-password", "not-the-password")
    assert wrong.returncode == 1
    assert wrong.stderr.startswith(
        "error: PostgreSQL role 'extenddb' already exists and the password from --role-password "
        "does not log in (PostgreSQL refused user 'extenddb': password authentication failed")
    assert databases(pg) == before

    # The right one is kept: both deployments work, the hash never changed.
    right = init(pg, tmp_path, "two", "--role-password", config_password(tmp_path, "one"))
    assert right.returncode == 0, right.stderr
    assert "Kept the existing role 'extenddb' and its password (from --role-password).\n" in right.stdout
    assert role_hash(pg) == original
    assert healthy(tmp_path, "one") and healthy(tmp_path, "two")

    # The guide's re-initialization: destroy (keeps the role), then init with the same config.
    destroyed = extenddb(tmp_path, "destroy", "--config", str(tmp_path / "two.toml"), "--yes")
    assert destroyed.returncode == 0, destroyed.stderr
    again = init(pg, tmp_path, "two")
    assert again.returncode == 0, again.stderr
    assert f"Kept the existing role 'extenddb' and its password (from the existing {tmp_path / 'two.toml'}).\n" in again.stdout
    assert role_hash(pg) == original and healthy(tmp_path, "two")

    # --reset-role-password: a new password, written to the new config; the old configs stop
    # working, as the message warns.
    reset = init(pg, tmp_path, "three", "--reset-role-password")
    assert reset.returncode == 0, reset.stderr
    assert "Reset the password of the existing role 'extenddb' (--reset-role-password)" in reset.stdout
    assert role_hash(pg) != original
    assert healthy(tmp_path, "three")
    assert not healthy(tmp_path, "one")
    assert config_password(tmp_path, "three") != config_password(tmp_path, "one")


def test_operator_chosen_passwords_with_quotes_and_backslashes_work(cluster, tmp_path):
    password = "it's a \\ test"
    made = init(cluster, tmp_path, "quoted", "--reset-role-password", "--role-password", password)
    assert made.returncode == 0, made.stderr
    assert config_password(tmp_path, "quoted") == password
    assert healthy(tmp_path, "quoted")
