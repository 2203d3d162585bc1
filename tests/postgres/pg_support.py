"""What the tests of this folder share: the binary and the PostgreSQL role scripts/test.sh
gives them, running `extenddb` commands in a deployment's HOME, a free port, and a fresh
`extenddb init` with its `destroy`.
"""

import os
import socket
import subprocess
import time

import pytest

PG = {k: os.environ.get(f"EXTENDDB_TEST_PG_{k}") for k in ("HOST", "PORT", "USER")}
BIN = os.environ.get("EXTENDDB_BIN")
# Applied by each module as its `pytestmark`.
requires_pg = pytest.mark.skipif(
    not BIN or not all(PG.values()),
    reason="EXTENDDB_BIN and EXTENDDB_TEST_PG_HOST/PORT/USER must be set (scripts/test.sh does)",
)


def run(home, *args, check=True):
    """`extenddb <args>` with HOME=home (no EXTENDDB_SERVER* overrides from the environment)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXTENDDB_SERVER")}
    env["HOME"] = str(home)
    out = subprocess.run([BIN, *args], capture_output=True, text=True, env=env, cwd=home, timeout=120)
    if check:
        assert out.returncode == 0, out.stderr
    return out


def free_port():
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def init(home, prefix):
    """`extenddb init` into `home` with database names unique to this run (starting with
    `prefix`): (the config path, init's output, (catalog db, data db))."""
    tag = f"{prefix}{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    cat, data = f"{tag}_catalog", f"{tag}_data"
    out = run(home, "init", "--pg-host", PG["HOST"], "--pg-port", PG["PORT"],
              "--pg-user", PG["USER"], "--catalog-db", cat, "--data-db", data)
    return home / "extenddb.toml", out, (cat, data)


def destroy(home, config):
    """`extenddb destroy`; --pg-user drops the extenddb role too, so that the next test's init
    creates it afresh (init refuses to guess an existing role's password)."""
    run(home, "destroy", "--config", str(config), "--yes", "--pg-user", PG["USER"], check=False)
