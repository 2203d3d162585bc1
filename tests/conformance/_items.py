"""Fixtures and helpers shared by the item-operation conformance tests (UpdateItem,
conditions, projections, legacy parameters).

Stand-alone until the shared conformance framework's conftest lands: a boto3 client for
EXTENDDB_ENDPOINT and a fresh table keyed by the string `pk` per test module."""

import os
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


@pytest.fixture(scope="session")
def ddb():
    endpoint = os.environ.get("EXTENDDB_ENDPOINT", "http://127.0.0.1:8000")
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="dummy",
        aws_secret_access_key="dummy",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def table(ddb):
    name = "items-" + uuid.uuid4().hex[:12]
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    yield name
    ddb.delete_table(TableName=name)


def key():
    """A fresh partition key value, so tests never share items."""
    return {"pk": {"S": uuid.uuid4().hex}}


def error(call, **kwargs):
    """Runs `call(**kwargs)`, which must fail; returns (code, message, full response)."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    err = info.value.response["Error"]
    return err["Code"], err["Message"], info.value.response
