"""Helpers of the item-operation conformance tests (UpdateItem, conditions, projections,
legacy parameters): fresh keys and failing calls unpacked for exact assertions."""

import uuid

import pytest
from botocore.exceptions import ClientError


def key():
    """A fresh partition key value for the `hash_table` fixture, so tests never share items."""
    return {"pk": {"S": uuid.uuid4().hex}}


def error(call, *args, **kwargs):
    """Runs `call(*args, **kwargs)`, which must fail with HTTP 400; returns (code, message,
    response)."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    resp = info.value.response
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    return resp["Error"]["Code"], resp["Error"]["Message"], resp


def get(ddb, table, k):
    """The item at key `k`, read consistently (None when absent)."""
    return ddb.get_item(TableName=table, Key=k, ConsistentRead=True).get("Item")
