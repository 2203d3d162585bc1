"""The user guide's "manage" part run verbatim against `extenddb serve` set up by `extenddb init`,
on the embedded store and on PostgreSQL: every command below is copied from the guide (shared
spec: user-guide.txt) with its line continuations, and runs through bash in the deployment's
directory (so `extenddb manage` finds the server in extenddb.toml). Only placeholders are
filled in: `<admin-pw>`/`<pw>`/`<admin-password>` (the admin's password as it is at that
step), `<account-id>` (the account init printed), `AKIAEXTENDDB...` (a key created before),
the port of `--endpoint 127.0.0.1:9000` (the server's). The commands run in an order where
each finds what it needs (the guide lists delete-account before create-user). It ends with the
AWS CLI and boto3 using the access key created by `create-access-key`, then checks the audit log
and that no secret reached the server's log.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from deployments import field

# --- After extenddb init, create an IAM user and access key for SDK use -----------------------
QUICK = [
    """./target/release/extenddb manage --user admin --password <admin-pw> \\
create-account --account-name dev-team""",
    """./target/release/extenddb manage --user admin --password <admin-pw> \\
create-user --account-id <account-id> \\
--user-name alice --user-password secret""",
    """./target/release/extenddb manage --user admin --password <admin-pw> \\
put-user-policy --account-id <account-id> --user-name alice \\
--policy-name FullAccess \\
--policy-document '{
"Version": "2012-10-17",
"Statement": [{
"Effect": "Allow",
"Action": "dynamodb:*",
"Resource": "*"
}]
}'""",
]
QUICK_KEY = """./target/release/extenddb manage --user <account-id>/alice --password secret \\
create-access-key"""

# --- The sample application's user ------------------------------------------------------------
SAMPLE = [
    """./target/release/extenddb manage --user admin --password '<admin-password>' \\
create-user --account-id <account-id> \\
--user-name sampleuser --user-password 'SamplePass1!'""",
    """./target/release/extenddb manage --user admin --password '<admin-password>' \\
put-user-policy --account-id <account-id> \\
--user-name sampleuser --policy-name FullAccess \\
--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}'""",
]
SAMPLE_KEY = """./target/release/extenddb manage --user <account-id>/sampleuser --password 'SamplePass1!' \\
create-access-key"""

# --- Admins -----------------------------------------------------------------------------------
ADMINS = [
    "./target/release/extenddb manage --user admin --password <pw> list-admins",
    """./target/release/extenddb manage --user admin --password <pw> \\
create-admin --admin-name ops --admin-password secret123""",
]
CHANGE_ADMIN_PW = """./target/release/extenddb manage --user admin --password <pw> \\
change-admin-password --admin-name admin --new-password newpw"""
DELETE_ADMIN = """./target/release/extenddb manage --user admin --password <pw> \\
delete-admin --admin-name ops"""

# --- Accounts, users, keys --------------------------------------------------------------------
ACCOUNTS = [
    """./target/release/extenddb manage --user admin --password <pw> \\
create-account --account-id 123456789012 --account-name dev-team""",
    "./target/release/extenddb manage --user admin --password <pw> list-accounts",
    """./target/release/extenddb manage --user admin --password <pw> \\
create-user --account-id 123456789012 \\
--user-name alice --user-password secret""",
    """./target/release/extenddb manage --user admin --password <pw> \\
list-users --account-id 123456789012""",
]
SELF_KEY = """./target/release/extenddb manage --user 123456789012/alice --password secret \\
create-access-key"""
ADMIN_KEY = """./target/release/extenddb manage --user admin --password <pw> \\
create-access-key --account-id 123456789012 --user-name alice"""
LIST_KEYS = """./target/release/extenddb manage --user 123456789012/alice --password secret \\
list-access-keys --account-id 123456789012 --user-name alice"""
DELETE_KEY = """./target/release/extenddb manage --user 123456789012/alice --password secret \\
delete-access-key --account-id 123456789012 \\
--user-name alice --access-key-id AKIAEXTENDDB..."""
IMPORT_KEY = """./target/release/extenddb manage --user admin --password <pw> \\
import-access-key --account-id 123456789012 --user-name alice \\
--access-key-id AKIAIOSFODNN7EXAMPLE \\
--secret-access-key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \\
--yes"""
IMPORT_OFF = """./target/release/extenddb settings --config extenddb.toml set \\
allow_credential_import false"""
IMPORT_ON = """./target/release/extenddb settings --config extenddb.toml set \\
allow_credential_import true"""
CHANGE_USER_PW = """./target/release/extenddb manage --user 123456789012/alice --password secret \\
change-user-password --account-id 123456789012 \\
--user-name alice --new-password newsecret"""

# --- Groups, policies, tags -------------------------------------------------------------------
IAM = [
    """./target/release/extenddb manage --user admin --password <pw> \\
create-group --account-id 123456789012 --group-name developers""",
    """./target/release/extenddb manage --user admin --password <pw> \\
add-group-member --account-id 123456789012 \\
--group-name developers --user-name alice""",
    """./target/release/extenddb manage --user admin --password <pw> \\
remove-group-member --account-id 123456789012 \\
--group-name developers --user-name alice""",
    """./target/release/extenddb manage --user admin --password <pw> \\
list-groups --account-id 123456789012""",
    """./target/release/extenddb manage --user admin --password <pw> \\
put-user-policy --account-id 123456789012 \\
--user-name alice \\
--policy-name ReadOnly \\
--policy-document '{
"Version": "2012-10-17",
"Statement": [{
"Effect": "Allow",
"Action": "dynamodb:GetItem",
"Resource": "*"
}]
}'""",
    """./target/release/extenddb manage --user admin --password <pw> \\
list-user-policies --account-id 123456789012 --user-name alice""",
    """./target/release/extenddb manage --user admin --password <pw> \\
delete-user-policy --account-id 123456789012 \\
--user-name alice --policy-name ReadOnly""",
    """./target/release/extenddb manage --user admin --password <pw> \\
put-group-policy --account-id 123456789012 \\
--group-name developers \\
--policy-name FullAccess \\
--policy-document '{
"Version": "2012-10-17",
"Statement": [{
"Effect": "Allow",
"Action": "dynamodb:*",
"Resource": "*"
}]
}'""",
    """./target/release/extenddb manage --user admin --password <pw> \\
list-group-policies --account-id 123456789012 --group-name developers""",
    """./target/release/extenddb manage --user admin --password <pw> \\
delete-group-policy --account-id 123456789012 \\
--group-name developers \\
--policy-name FullAccess""",
    """./target/release/extenddb manage --user admin --password <pw> \\
delete-group --account-id 123456789012 --group-name developers""",
    """./target/release/extenddb manage --user admin --password <pw> \\
tag-user --account-id 123456789012 --user-name alice \\
--tags '[{"key":"Department","value":"Engineering"}]'""",
    """./target/release/extenddb manage --user admin --password <pw> \\
list-user-tags --account-id 123456789012 --user-name alice""",
    """./target/release/extenddb manage --user admin --password <pw> \\
untag-user --account-id 123456789012 --user-name alice --tag-keys Department""",
]

# --- Roles, assume-role, boundaries -----------------------------------------------------------
ROLES = [
    """./target/release/extenddb manage --user admin --password <pw> \\
create-role --account-id 123456789012 --role-name data-reader \\
--trust-policy '{
"Version": "2012-10-17",
"Statement": [{
"Effect": "Allow",
"Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"},
"Action": "sts:AssumeRole"
}]
}'""",
    """./target/release/extenddb manage --user admin --password <pw> \\
list-roles --account-id 123456789012""",
    """./target/release/extenddb manage --user admin --password <pw> \\
put-role-policy --account-id 123456789012 \\
--role-name data-reader \\
--policy-name ReadOnly \\
--policy-document '{
"Version": "2012-10-17",
"Statement": [{
"Effect": "Allow",
"Action": "dynamodb:GetItem",
"Resource": "*"
}]
}'""",
    """./target/release/extenddb manage --user admin --password <pw> \\
list-role-policies --account-id 123456789012 --role-name data-reader""",
    """./target/release/extenddb manage --user admin --password <pw> \\
tag-role --account-id 123456789012 --role-name data-reader \\
--tags '[{"key":"Team","value":"Backend"}]'""",
    """./target/release/extenddb manage --user admin --password <pw> \\
list-role-tags --account-id 123456789012 --role-name data-reader""",
    """./target/release/extenddb manage --user admin --password <pw> \\
untag-role --account-id 123456789012 --role-name data-reader --tag-keys Team""",
]
ASSUME = """./target/release/extenddb manage --user admin --password <pw> \\
assume-role --account-id 123456789012 --role-name data-reader \\
--caller-arn arn:aws:iam::123456789012:user/alice \\
--session-name test-session"""
ASSUME_FULL = """./target/release/extenddb manage --user admin --password <pw> \\
assume-role --account-id 123456789012 --role-name data-reader \\
--caller-arn arn:aws:iam::123456789012:user/alice \\
--session-name test-session \\
--session-tags '{"Project":"Alpha"}' \\
--session-policy '{
"Version": "2012-10-17",
"Statement": [{
"Effect": "Allow",
"Action": "dynamodb:GetItem",
"Resource": "*"
}]
}' \\
--duration-seconds 1800"""
BOUNDARIES = [
    """./target/release/extenddb manage --user admin --password <pw> \\
delete-role-policy --account-id 123456789012 \\
--role-name data-reader --policy-name ReadOnly""",
    """./target/release/extenddb manage --user admin --password <pw> \\
set-user-boundary --account-id 123456789012 \\
--user-name alice \\
--policy-document '{
"Version": "2012-10-17",
"Statement": [{
"Effect": "Allow",
"Action": "dynamodb:*",
"Resource": "*"
}]
}'""",
    """./target/release/extenddb manage --user admin --password <pw> \\
get-user-boundary --account-id 123456789012 --user-name alice""",
    """./target/release/extenddb manage --user admin --password <pw> \\
delete-user-boundary --account-id 123456789012 --user-name alice""",
    """./target/release/extenddb manage --user admin --password <pw> \\
set-role-boundary --account-id 123456789012 \\
--role-name data-reader \\
--policy-document '{
"Version": "2012-10-17",
"Statement": [{
"Effect": "Allow",
"Action": "dynamodb:GetItem",
"Resource": "*"
}]
}'""",
    """./target/release/extenddb manage --user admin --password <pw> \\
get-role-boundary --account-id 123456789012 --role-name data-reader""",
    """./target/release/extenddb manage --user admin --password <pw> \\
delete-role-boundary --account-id 123456789012 --role-name data-reader""",
    """./target/release/extenddb manage --user admin --password <pw> \\
delete-role --account-id 123456789012 --role-name data-reader""",
    """./target/release/extenddb manage --user admin --password <pw> \\
--endpoint 127.0.0.1:9000 list-admins""",
]
END = [
    """./target/release/extenddb manage --user admin --password <pw> \\
delete-user --account-id 123456789012 --user-name alice""",
    """./target/release/extenddb manage --user admin --password <pw> \\
delete-account --account-id 123456789012""",
]

# --- The guide's first DynamoDB commands, with the created key --------------------------------
AWS_CLI = [
    """aws dynamodb create-table \\
--table-name MyTable \\
--attribute-definitions AttributeName=pk,AttributeType=S \\
--key-schema AttributeName=pk,KeyType=HASH \\
--billing-mode PAY_PER_REQUEST""",
    """aws dynamodb put-item \\
--table-name MyTable \\
--item '{"pk": {"S": "user-1"}, "name": {"S": "Alice"}, "age": {"N": "30"}}'""",
]


class Walk:
    """The walkthrough's state: what the placeholders stand for at each step."""

    def __init__(self, d):
        self.d = d
        self.pw = d.admin_password
        self.secrets = {d.admin_password, "secret123", "newpw", "secret", "newsecret", "SamplePass1!",
                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
        self.key_id = None

    def fill(self, cmd):
        for ph in ("<admin-pw>", "<pw>", "<admin-password>"):
            cmd = cmd.replace(ph, self.pw)
        cmd = cmd.replace("<account-id>", self.d.account)
        cmd = cmd.replace("127.0.0.1:9000", f"127.0.0.1:{self.d.port}")
        if self.key_id:
            cmd = cmd.replace("AKIAEXTENDDB...", self.key_id)
        return cmd

    def run(self, cmd, check=True):
        return self.d.shell(self.fill(cmd), check=check)

    def key(self, cmd):
        out = self.run(cmd).stdout
        key_id, secret = field(out, "Access key ID"), field(out, "Secret access key")
        assert re.fullmatch(r"AKIAEXTENDDB[A-Z0-9]{8}", key_id), out
        assert re.fullmatch(r"extenddb[A-Za-z0-9]{32}", secret), out
        self.secrets.add(secret)
        return key_id, secret


def aws_env(d, key_id, secret):
    """The guide's environment for the AWS CLI and SDKs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CA_BUNDLE=str(d.cert), AWS_ENDPOINT_URL_DYNAMODB=d.url,
               AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret,
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_PAGER="", HOME=str(d.home))
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    return env


def test_the_guides_manage_walkthrough_verbatim(deployment):
    d = deployment
    w = Walk(d)

    # Quick start: an account, alice in the default account with FullAccess, her own key.
    out = w.run(QUICK[0]).stdout
    assert re.fullmatch(r"\d{12}", field(out, "Account ID")) and field(out, "Account name") == "dev-team"
    for cmd in QUICK[1:]:
        w.run(cmd)
    alice_key, alice_secret = w.key(QUICK_KEY)
    for cmd in SAMPLE:
        w.run(cmd)
    w.key(SAMPLE_KEY)

    # Admins.
    listed = w.run(ADMINS[0]).stdout
    assert listed.splitlines()[0].split() == ["ADMIN", "NAME", "CREATED"] and "\nadmin " in listed
    w.run(ADMINS[1])
    w.run(CHANGE_ADMIN_PW)
    w.pw = "newpw"
    assert "ops" in w.run(ADMINS[0]).stdout
    w.run(DELETE_ADMIN)
    assert "ops" not in w.run(ADMINS[0]).stdout

    # Accounts, users and keys in account 123456789012.
    for cmd in ACCOUNTS:
        out = w.run(cmd).stdout
    assert "alice" in out
    w.key(SELF_KEY)
    w.key_id, _ = w.key(ADMIN_KEY)
    listed = w.run(LIST_KEYS).stdout
    assert w.key_id in listed and "Active" in listed
    assert not any(s in listed for s in w.secrets if s.startswith("extenddb")), "a list shows no secret"
    w.run(DELETE_KEY)
    assert w.key_id not in w.run(LIST_KEYS).stdout
    w.run(IMPORT_OFF)
    refused = w.run(IMPORT_KEY, check=False)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "CredentialImportDisabled" in refused.stderr, refused.stderr
    w.run(IMPORT_ON)
    assert "AKIAIOSFODNN7EXAMPLE" in w.run(IMPORT_KEY).stdout
    assert "AKIAIOSFODNN7EXAMPLE" in w.run(LIST_KEYS).stdout

    # Groups, policies, tags.
    outputs = [w.run(cmd).stdout for cmd in IAM]
    assert "developers" in outputs[3]
    assert "ReadOnly" in outputs[5] and "dynamodb:GetItem" in outputs[5]
    assert "FullAccess" in outputs[8]
    assert "Department" in outputs[12] and "Engineering" in outputs[12]
    assert "Department" not in outputs[13]

    # Roles and assume-role, whose credentials work with boto3.
    outputs = [w.run(cmd).stdout for cmd in ROLES]
    assert "data-reader" in outputs[1] and "ReadOnly" in outputs[3] and "Backend" in outputs[5]
    for cmd in (ASSUME, ASSUME_FULL):
        out = w.run(cmd).stdout
        sid, ssecret, token = (field(out, k) for k in ("Access key ID", "Secret access key", "Session token"))
        assert re.fullmatch(r"ASIAEXTENDDB[A-Z0-9]{8}", sid), out
        w.secrets.update({ssecret, token})
        session = d.client(sid, ssecret, token)
        with pytest.raises(ClientError) as e:  # authorized as dynamodb:GetItem; no such table
            session.get_item(TableName="Nothing", Key={"pk": {"S": "x"}})
        assert e.value.response["Error"]["Code"] == "ResourceNotFoundException", e.value.response
        with pytest.raises(ClientError) as e:  # the role allows only GetItem
            session.list_tables()
        assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    outputs = [w.run(cmd).stdout for cmd in BOUNDARIES]
    assert '"dynamodb:*"' in outputs[2]
    assert "dynamodb:GetItem" in outputs[5]
    assert "\nadmin " in outputs[-1]

    # change-user-password last among alice's commands: her old password stops working.
    w.run(CHANGE_USER_PW)
    assert w.run(LIST_KEYS, check=False).returncode == 1
    for cmd in END:
        w.run(cmd)
    gone = d.manage("admin", "newpw", "list-accounts").stdout
    assert "123456789012" not in gone

    # The guide's first DynamoDB commands with alice's key: the AWS CLI, then boto3.
    env = aws_env(d, alice_key, alice_secret)
    for cmd in AWS_CLI:
        out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env, timeout=120)
        assert out.returncode == 0, f"{cmd}\n{out.stderr}"
    ddb = d.client(alice_key, alice_secret)
    item = ddb.get_item(TableName="MyTable", Key={"pk": {"S": "user-1"}})["Item"]
    assert item == {"pk": {"S": "user-1"}, "name": {"S": "Alice"}, "age": {"N": "30"}}
    arn = ddb.describe_table(TableName="MyTable")["Table"]["TableArn"]
    assert arn == f"arn:aws:dynamodb:us-east-1:{d.account}:table/MyTable"

    # An account that owns a table is not deleted.
    refused = d.manage("admin", "newpw", "delete-account", "--account-id", d.account, check=False)
    assert refused.returncode == 1 and "MyTable" in refused.stderr and "DeleteConflict" in refused.stderr

    # The audit log names each change, and no secret made in this walk reached the log.
    d.stop()
    log = d.log.read_text()
    audit = [l for l in log.splitlines() if "extenddb::audit::" in l]
    for needle in ("iam:CreateUser", "iam:CreateAccessKey", "extenddb:ImportAccessKey", "sts:AssumeRole",
                   "extenddb:CreateAccount", "extenddb:DeleteAccount", "iam:PutUserPolicy",
                   "iam:PutUserPermissionsBoundary", "extenddb:ChangeAdminPassword",
                   "credential import refused", "AKIAIOSFODNN7EXAMPLE", "arn:aws:iam::123456789012:user/alice"):
        assert any(needle in l for l in audit), f"no audit line with {needle}"
    assert any("extenddb::audit::settings" in l and "allow_credential_import" in l for l in audit)
    assert all(" WARN " in l for l in audit), [l for l in audit if " WARN " not in l]
    leaked = [s for s in w.secrets if s in log]
    assert leaked == [], f"secrets in the server log: {leaked}"
