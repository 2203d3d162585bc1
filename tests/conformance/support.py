"""Helpers shared by the conformance tests: unique names, waiting on table status, and one
assertion for DynamoDB error answers."""

import time
import uuid

import pytest
from botocore.exceptions import ClientError

# Every table a test creates starts with this, so leftovers are recognisable.
TABLE_PREFIX = "conf"

# The region every client signs for.
REGION_NAME = "us-east-1"

# How long a table may take to become ACTIVE or to disappear. DynamoDB itself takes seconds;
# extenddb's control_plane_delay_seconds defaults to a few seconds.
STATUS_TIMEOUT_SECONDS = 60.0


def unique_name(label: str = "t") -> str:
    """A table name no other test (or earlier run) uses: prefix, label and 12 random hex digits."""
    return f"{TABLE_PREFIX}-{label}-{uuid.uuid4().hex[:12]}"


def wait_active(client, name: str, timeout: float = STATUS_TIMEOUT_SECONDS) -> dict:
    """Polls DescribeTable until the table is ACTIVE; returns that Table description."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        table = client.describe_table(TableName=name)["Table"]
        status = table["TableStatus"]
        if status == "ACTIVE":
            return table
        time.sleep(0.1)
    pytest.fail(f"table {name} not ACTIVE after {timeout}s (last status {status})")


def wait_gone(client, name: str, timeout: float = STATUS_TIMEOUT_SECONDS) -> ClientError:
    """Polls DescribeTable until it answers ResourceNotFoundException; returns that error."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        try:
            status = client.describe_table(TableName=name)["Table"]["TableStatus"]
        except ClientError as err:
            if err.response["Error"]["Code"] == "ResourceNotFoundException":
                return err
            raise
        time.sleep(0.1)
    pytest.fail(f"table {name} still present after {timeout}s (last status {status})")


def expect_error(call, code: str, message: str, status: int = 400) -> ClientError:
    """Runs `call()` and asserts it fails with exactly this HTTP status, error code and message."""
    with pytest.raises(ClientError) as info:
        call()
    err = info.value
    got_status = err.response["ResponseMetadata"]["HTTPStatusCode"]
    got_code = err.response["Error"]["Code"]
    got_message = err.response["Error"].get("Message")
    assert (got_status, got_code, got_message) == (status, code, message)
    return err


def expect_validation(call, message: str) -> ClientError:
    """Shorthand: a 400 ValidationException with exactly `message`."""
    return expect_error(call, "ValidationException", message)


def expect_constraint_errors(call, parts) -> ClientError:
    """Asserts a 400 ValidationException listing exactly the constraint errors `parts`.

    DynamoDB reports several failed constraints as "N validation errors detected: a; b; c"
    in no fixed order, so the parts are compared as a set."""
    with pytest.raises(ClientError) as info:
        call()
    err = info.value
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err.response["Error"]["Code"] == "ValidationException"
    message = err.response["Error"].get("Message", "")
    prefix = f"{len(parts)} validation error{'' if len(parts) == 1 else 's'} detected: "
    assert message.startswith(prefix), message
    assert sorted(message[len(prefix):].split("; ")) == sorted(parts)
    return err


class TableFactory:
    """Creates tables that are deleted when the test ends, whatever its outcome."""

    def __init__(self, client):
        self.client = client
        self.created = []

    def create(self, key_schema, attribute_definitions, label="t", wait=True, **extra):
        """CreateTable with a unique name (PAY_PER_REQUEST unless `extra` says otherwise);
        waits for ACTIVE when `wait`. Returns (name, CreateTable response)."""
        name = unique_name(label)
        params = {
            "TableName": name,
            "KeySchema": key_schema,
            "AttributeDefinitions": attribute_definitions,
        }
        if "ProvisionedThroughput" not in extra:
            params["BillingMode"] = "PAY_PER_REQUEST"
        params.update(extra)
        response = self.client.create_table(**params)
        self.created.append(name)
        if wait:
            wait_active(self.client, name)
        return name, response

    def hash_table(self, key_type="S", label="h"):
        """A table with one HASH key `pk` of `key_type`; returns its name."""
        name, _ = self.create(
            [{"AttributeName": "pk", "KeyType": "HASH"}],
            [{"AttributeName": "pk", "AttributeType": key_type}],
            label=label,
        )
        return name

    def range_table(self, hash_type="S", range_type="N", label="hr"):
        """A table with HASH key `pk` and RANGE key `sk`; returns its name."""
        name, _ = self.create(
            [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            [
                {"AttributeName": "pk", "AttributeType": hash_type},
                {"AttributeName": "sk", "AttributeType": range_type},
            ],
            label=label,
        )
        return name

    def cleanup(self):
        for name in self.created:
            try:
                status = self.client.describe_table(TableName=name)["Table"]["TableStatus"]
                if status == "DELETING":
                    continue
                if status != "ACTIVE":
                    wait_active(self.client, name)
                self.client.delete_table(TableName=name)
            except ClientError as err:
                if err.response["Error"]["Code"] != "ResourceNotFoundException":
                    raise
