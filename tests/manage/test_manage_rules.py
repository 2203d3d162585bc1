"""The rules of the guide's "manage" part, each refused as it should be, through
`extenddb manage` against `extenddb serve` (both backends), plus the management API of
`extenddb dev` (off under `none`, on with `--auth builtin`)."""

import json
import os
import re
import subprocess

import pytest
from botocore.exceptions import ClientError

from deployments import BIN, clean_env, field

DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}'


def fails(out, code):
    """A refusal: exit 1, one line on stderr naming the API's code."""
    assert out.returncode == 1, out.stdout
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    assert code in lines[0], out.stderr
    return lines[0]


def test_secrets_are_shown_once_and_lists_never_show_them(deployment):
    d, a, pw = deployment, deployment.account, deployment.admin_password
    d.manage("admin", pw, "create-user", "--account-id", a, "--user-name", "alice", "--user-password", "secret")
    created = d.manage(f"{a}/alice", "secret", "create-access-key").stdout
    key_id, secret = field(created, "Access key ID"), field(created, "Secret access key")
    listed = d.manage(f"{a}/alice", "secret", "--json", "list-access-keys").stdout
    keys = json.loads(listed)["items"]
    assert [k["access_key_id"] for k in keys] == [key_id]
    assert secret not in listed and "secret_access_key" not in listed
    user = d.manage("admin", pw, "--json", "get-user", "--account-id", a, "--user-name", "alice").stdout
    assert secret not in user and "secret" not in json.loads(user).values()


def test_the_password_may_come_from_the_environment(deployment):
    d = deployment
    env = clean_env(d.home)
    env["EXTENDDB_ADMIN_PASSWORD"] = d.admin_password
    out = d.run("manage", "--user", "admin", "--json", "whoami", env=env)
    assert json.loads(out.stdout) == {"kind": "admin", "name": "admin"}
    env["EXTENDDB_ADMIN_PASSWORD"] = "wrong"
    fails(d.run("manage", "--user", "admin", "whoami", env=env, check=False), "Unauthenticated")
    # --help never shows the password from the environment.
    env["EXTENDDB_ADMIN_PASSWORD"] = "do-not-show-me"
    assert "do-not-show-me" not in d.run("manage", "--help", env=env).stdout


def test_import_needs_yes_and_the_setting(deployment):
    d, a, pw = deployment, deployment.account, deployment.admin_password
    d.manage("admin", pw, "create-user", "--account-id", a, "--user-name", "alice")
    args = ["import-access-key", "--account-id", a, "--user-name", "alice",
            "--access-key-id", "AKIAIOSFODNN7EXAMPLE", "--secret-access-key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
    line = fails(d.manage("admin", pw, *args, check=False), "--yes")
    assert "re-run with --yes" in line
    d.run("settings", "--config", str(d.config), "set", "allow_credential_import", "false")
    assert d.run("settings", "--config", str(d.config), "get", "allow_credential_import").stdout == "false\n"
    fails(d.manage("admin", pw, *args, "--yes", check=False), "CredentialImportDisabled")
    d.run("settings", "--config", str(d.config), "set", "allow_credential_import", "true")
    d.manage("admin", pw, *args, "--yes")
    fails(d.manage("admin", pw, *args, "--yes", check=False), "EntityAlreadyExists")
    bad = ["import-access-key", "--account-id", a, "--user-name", "alice", "--access-key-id", "NOTAKEY",
           "--secret-access-key", "0123456789abcdef", "--yes"]
    fails(d.manage("admin", pw, *bad, check=False), "ValidationError")


def test_assume_role_checks_trust_and_duration(deployment):
    d, a, pw = deployment, deployment.account, deployment.admin_password
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{a}:user/alice"}, "Action": "sts:AssumeRole"}]})
    d.manage("admin", pw, "create-role", "--account-id", a, "--role-name", "r", "--trust-policy", trust)
    base = ["assume-role", "--account-id", a, "--role-name", "r", "--session-name", "s1"]
    line = fails(d.manage("admin", pw, *base, "--caller-arn", f"arn:aws:iam::{a}:user/bob", check=False), "AccessDenied")
    assert f"User: arn:aws:iam::{a}:user/bob is not authorized to perform: sts:AssumeRole" in line
    for secs in ("899", "43201"):
        fails(d.manage("admin", pw, *base, "--caller-arn", f"arn:aws:iam::{a}:user/alice",
                       "--duration-seconds", secs, check=False), "ValidationError")
    out = d.manage("admin", pw, "--json", *base, "--caller-arn", f"arn:aws:iam::{a}:user/alice",
                   "--duration-seconds", "43200").stdout
    creds = json.loads(out)
    assert creds["access_key_id"].startswith("ASIAEXTENDDB") and creds["expiration"].endswith("Z")
    fails(d.manage("admin", pw, *base, "--caller-arn", f"arn:aws:iam::{a}:user/alice",
                   "--session-policy", '{"Statement": []}', check=False), "MalformedPolicyDocument")
    fails(d.manage("admin", pw, "assume-role", "--account-id", a, "--role-name", "ghost", "--session-name", "s1",
                   "--caller-arn", f"arn:aws:iam::{a}:user/alice", check=False), "NoSuchEntity")


def test_policy_documents_and_names_are_checked(deployment):
    d, a, pw = deployment, deployment.account, deployment.admin_password
    d.manage("admin", pw, "create-user", "--account-id", a, "--user-name", "alice")
    put = ["put-user-policy", "--account-id", a, "--user-name", "alice", "--policy-name", "P", "--policy-document"]
    for doc in ('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', '{"Version":"2012-10-17"}',
                "not json", '{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps","Action":"*","Resource":"*"}]}'):
        fails(d.manage("admin", pw, *put, doc, check=False), "MalformedPolicyDocument")
    (d.home / "p.json").write_text(DOC)
    d.manage("admin", pw, *put, "file://p.json")
    for name in ("has space", "a/b", "x" * 65):
        fails(d.manage("admin", pw, "create-user", "--account-id", a, "--user-name", name, check=False), "ValidationError")
    fails(d.manage("admin", pw, "create-group", "--account-id", a, "--group-name", "g!", check=False), "ValidationError")
    fails(d.manage("admin", pw, "create-account", "--account-id", "12345", "--account-name", "x", check=False),
          "ValidationError")
    fails(d.manage("admin", pw, "create-user", "--account-id", a, "--user-name", "ALICE", check=False),
          "EntityAlreadyExists")
    fails(d.manage("admin", pw, "delete-user", "--account-id", a, "--user-name", "ghost", check=False), "NoSuchEntity")
    fails(d.manage("admin", pw, "delete-admin", "--admin-name", "admin", check=False), "DeleteConflict")


def test_users_manage_only_themselves(deployment):
    d, a, pw = deployment, deployment.account, deployment.admin_password
    for name in ("alice", "bob"):
        d.manage("admin", pw, "create-user", "--account-id", a, "--user-name", name, "--user-password", "secret")
    alice = f"{a}/alice"
    d.manage(alice, "secret", "list-access-keys")
    d.manage(alice, "secret", "list-user-policies")
    line = fails(d.manage(alice, "secret", "create-access-key", "--user-name", "bob", check=False), "AccessDenied")
    assert f"arn:aws:iam::{a}:user/alice is not authorized to perform: iam:CreateAccessKey" in line
    fails(d.manage(alice, "secret", "create-user", "--user-name", "eve", check=False), "AccessDenied")
    fails(d.manage(alice, "secret", "put-user-policy", "--policy-name", "Mine", "--policy-document", DOC, check=False),
          "AccessDenied")
    fails(d.manage(alice, "secret", "list-accounts", check=False), "AccessDenied")
    fails(d.manage(alice, "secret", "list-admins", check=False), "AccessDenied")


def test_users_groups_and_roles_share_policy_tag_and_boundary_commands(deployment):
    """The inline-policy commands on each kind, tags and boundaries on users and roles: what
    each prints and that it took effect."""
    d, a, pw = deployment, deployment.account, deployment.admin_password
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{a}:root"}, "Action": "sts:AssumeRole"}]})
    d.manage("admin", pw, "create-user", "--account-id", a, "--user-name", "alice")
    d.manage("admin", pw, "create-group", "--account-id", a, "--group-name", "devs")
    d.manage("admin", pw, "create-role", "--account-id", a, "--role-name", "reader", "--trust-policy", trust)
    kinds = {"user": ["--user-name", "alice"], "group": ["--group-name", "devs"], "role": ["--role-name", "reader"]}
    names = {"user": "alice", "group": "devs", "role": "reader"}
    for kind, who in kinds.items():
        on = ["--account-id", a, *who]
        said = d.manage("admin", pw, f"put-{kind}-policy", *on, "--policy-name", "P", "--policy-document", DOC).stdout
        assert said.strip() == f"Put policy 'P' on {kind} '{names[kind]}'."
        got = d.manage("admin", pw, "--json", f"get-{kind}-policy", *on, "--policy-name", "P").stdout
        assert json.loads(got)["policy_name"] == "P" and "dynamodb:*" in got
        listed = json.loads(d.manage("admin", pw, "--json", f"list-{kind}-policies", *on).stdout)["items"]
        assert [x["policy_name"] for x in listed] == ["P"]
        said = d.manage("admin", pw, f"delete-{kind}-policy", *on, "--policy-name", "P").stdout
        assert said.strip() == f"Deleted policy 'P' of {kind} '{names[kind]}'."
        fails(d.manage("admin", pw, f"get-{kind}-policy", *on, "--policy-name", "P", check=False), "NoSuchEntity")
        if kind == "group":
            continue
        tagged = d.manage("admin", pw, f"tag-{kind}", *on, "--tags", '[{"key":"Team","value":"Db"}]').stdout
        assert "Team" in tagged and "Db" in tagged
        assert "Team" in d.manage("admin", pw, f"list-{kind}-tags", *on).stdout
        untagged = d.manage("admin", pw, "--json", f"untag-{kind}", *on, "--tag-keys", "Team").stdout
        assert json.loads(untagged)["tags"] == []
        said = d.manage("admin", pw, f"set-{kind}-boundary", *on, "--policy-document", DOC).stdout
        assert said.strip() == f"Set the permissions boundary of {kind} '{names[kind]}'."
        assert "dynamodb:*" in d.manage("admin", pw, f"get-{kind}-boundary", *on).stdout
        said = d.manage("admin", pw, f"delete-{kind}-boundary", *on).stdout
        assert said.strip() == f"Removed the permissions boundary of {kind} '{names[kind]}'."
        assert d.manage("admin", pw, f"get-{kind}-boundary", *on).stdout.strip() == "(no permissions boundary)"


def test_failed_logins_are_rate_limited_per_principal(deployment):
    d, a, pw = deployment, deployment.account, deployment.admin_password
    d.manage("admin", pw, "create-user", "--account-id", a, "--user-name", "alice", "--user-password", "secret")
    for _ in range(5):
        fails(d.manage("admin", "wrong", "whoami", check=False), "Unauthenticated")
    line = fails(d.manage("admin", pw, "whoami", check=False), "TooManyFailedLogins")
    assert re.search(r"try again in \d+ seconds", line)
    # Another principal is not locked out.
    assert "IAM user" in d.manage(f"{a}/alice", "secret", "whoami").stdout


def test_errors_without_a_server_or_configuration_are_one_line(deployment, tmp_path):
    d = deployment
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run([BIN, "manage", "--user", "admin", "--password", "x", "list-admins"],
                         capture_output=True, text=True, cwd=elsewhere, env=clean_env(elsewhere), timeout=60)
    line = fails(out, "extenddb.toml not found")
    assert "--endpoint" in line
    out = d.manage("admin", "x", "--endpoint", "127.0.0.1:1", "list-admins", check=False)
    fails(out, "cannot reach the server at https://127.0.0.1:1")


def run_dev(*args, env=None):
    proc = subprocess.Popen([BIN, "dev", "--in-memory", "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    url = None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            url = m.group(1)
            break
    assert url, "".join(lines)
    return proc, url, "".join(lines)


def test_dev_has_the_management_api_only_with_builtin_auth(tmp_path):
    if not BIN:
        pytest.skip("EXTENDDB_BIN must name the extenddb binary")
    env = clean_env(tmp_path)
    proc, url, _ = run_dev(env=env)
    try:
        out = subprocess.run([BIN, "manage", "--user", "admin", "--password", "x", "--endpoint", url, "list-admins"],
                             capture_output=True, text=True, env=env, timeout=60)
        fails(out, "ManagementDisabled")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    env["EXTENDDB_ADMIN_PASSWORD"] = "dev-admin-pw"
    proc, url, banner = run_dev("--auth", "builtin", env=env)
    try:
        assert "Created admin 'admin' with the password in EXTENDDB_ADMIN_PASSWORD." in banner
        m = ["manage", "--user", "admin", "--endpoint", url]
        def manage(*args):
            out = subprocess.run([BIN, *m, *args], capture_output=True, text=True, env=env, timeout=60)
            assert out.returncode == 0, out.stderr
            return out.stdout
        manage("create-user", "--account-id", "000000000000", "--user-name", "dev", "--user-password", "devpw")
        manage("put-user-policy", "--account-id", "000000000000", "--user-name", "dev", "--policy-name", "All",
               "--policy-document", DOC)
        key = json.loads(manage("--json", "create-access-key", "--account-id", "000000000000", "--user-name", "dev"))
        import boto3
        client = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                              aws_access_key_id=key["access_key_id"], aws_secret_access_key=key["secret_access_key"])
        assert client.list_tables()["TableNames"] == []
        wrong = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                             aws_access_key_id="AKIAEXTENDDBNOTAKEY0", aws_secret_access_key="x" * 40)
        with pytest.raises(ClientError) as e:
            wrong.list_tables()
        assert e.value.response["Error"]["Code"] == "UnrecognizedClientException"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
