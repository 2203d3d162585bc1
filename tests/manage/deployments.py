"""Helpers of tests/manage: a deployment made by `extenddb init` (on PostgreSQL or on the embedded store) in a temporary
HOME, its server (`extenddb serve --foreground`, HTTPS with the generated certificate) and
helpers to run the guide's `extenddb manage` commands verbatim.

Needs EXTENDDB_BIN; the PostgreSQL deployments also EXTENDDB_TEST_PG_HOST/PORT/USER (a role
that may create roles and databases). scripts/test.sh sets them.
"""

import os
import re
import subprocess
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

BIN = os.environ.get("EXTENDDB_BIN")
PG = {k: os.environ.get(f"EXTENDDB_TEST_PG_{k}") for k in ("HOST", "PORT", "USER")}
GUIDE_BIN = "./target/release/extenddb"


def clean_env(home):
    """The environment of a command of the deployment: its HOME, no inherited server overrides,
    no AWS settings of the machine."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EXTENDDB_SERVER", "EXTENDDB_AUTH", "EXTENDDB_STORAGE", "AWS_"))}
    env.pop("EXTENDDB_ADMIN_PASSWORD", None)
    env["HOME"] = str(home)
    return env


class Deployment:
    """One `extenddb init` and, once started, its server."""

    def __init__(self, backend, home):
        self.backend = backend
        self.home = home
        self.config = home / "extenddb.toml"
        self.cert = home / ".extenddb/tls/cert.pem"
        self.proc = None
        self.url = None
        self.log = home / "server.log"
        tag = f"m{os.getpid()}_{int(time.time() * 1000) % 10**8}"
        if backend == "postgres":
            args = ["init", "--pg-host", PG["HOST"], "--pg-port", PG["PORT"], "--pg-user", PG["USER"],
                    "--catalog-db", f"{tag}_catalog", "--data-db", f"{tag}_data"]
        else:
            args = ["init", "--storage", "embedded", "--data-dir", str(home / "data")]
        out = self.run(*args)
        self.init_output = out.stdout
        self.account = re.search(r"^Default account: (\d{12})$", out.stdout, re.M).group(1)
        self.admin_password = re.search(r"^  password: (\S+)$", out.stdout, re.M).group(1)

    def run(self, *args, check=True, env=None):
        out = subprocess.run([BIN, *args], capture_output=True, text=True, cwd=self.home,
                             env=env or clean_env(self.home), timeout=120)
        if check:
            assert out.returncode == 0, f"{args}\nstdout: {out.stdout}\nstderr: {out.stderr}"
        return out

    def start(self):
        env = clean_env(self.home)
        env["RUST_LOG"] = "info"
        env["EXTENDDB_SERVER__CONTROL_PLANE_DELAY_SECONDS"] = "0"
        self.log_file = open(self.log, "a")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--config", str(self.config), "--foreground", "--port", "0"],
            stdout=subprocess.PIPE, stderr=self.log_file, text=True, env=env, cwd=self.home,
        )
        banner = self.proc.stdout.readline().strip()
        assert " listening on 127.0.0.1:" in banner, banner
        self.port = int(banner.rsplit(":", 1)[1])
        self.url = f"https://127.0.0.1:{self.port}"
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        if self.proc:
            self.log_file.close()
        self.proc = None

    def shell(self, command, check=True, env=None):
        """Runs a command line of the guide through bash in the deployment's directory, with
        the guide's binary path pointing at the binary under test."""
        command = command.replace(GUIDE_BIN, BIN)
        out = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                             cwd=self.home, env=env or clean_env(self.home), timeout=120)
        if check:
            assert out.returncode == 0, f"{command}\nstdout: {out.stdout}\nstderr: {out.stderr}"
        return out

    def manage(self, user, password, *args, check=True):
        out = self.run("manage", "--user", user, "--password", password, *args, check=check)
        return out

    def client(self, key_id, secret, token=None, service="dynamodb"):
        return boto3.client(
            service, endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id=key_id, aws_secret_access_key=secret, aws_session_token=token,
            verify=str(self.cert),
            config=Config(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=30),
        )

    def destroy(self):
        self.stop()
        if self.backend == "postgres":
            # --pg-user drops the extenddb role too: the next deployment's init creates it
            # afresh (init refuses to guess an existing role's password).
            self.run("destroy", "--config", str(self.config), "--yes", "--pg-user", PG["USER"],
                     check=False)


def field(text, label):
    """The value of an `  Label: value` line of extenddb manage's output."""
    m = re.search(rf"^\s*{re.escape(label)}:\s+(\S.*)$", text, re.M)
    assert m, f"no '{label}:' in\n{text}"
    return m.group(1).strip()


def backends():
    out = [pytest.param("embedded")]
    out.append(pytest.param("postgres", marks=pytest.mark.skipif(
        not all(PG.values()), reason="EXTENDDB_TEST_PG_HOST/PORT/USER not set")))
    return out
