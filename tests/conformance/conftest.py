"""Fixtures for the conformance suite: boto3 clients against EXTENDDB_ENDPOINT and tables that
are created with unique names and always deleted afterwards."""

import boto3
import pytest
from botocore.config import Config

# Show full diffs for assertions made inside the helper module too.
pytest.register_assert_rewrite("support")

from support import REGION_NAME, TableFactory  # noqa: E402


def _client(endpoint: str, validate: bool, service: str = "dynamodb"):
    config = Config(
        region_name=REGION_NAME,
        retries={"total_max_attempts": 1},
        connect_timeout=10,
        read_timeout=30,
        parameter_validation=validate,
    )
    return boto3.client(service, endpoint_url=endpoint, config=config)


@pytest.fixture(scope="session")
def streams(endpoint):
    """A boto3 DynamoDB Streams client (the separate `dynamodbstreams` service, same
    endpoint), with the SDK's parameter validation, no retries."""
    return _client(endpoint, validate=True, service="dynamodbstreams")


@pytest.fixture(scope="session")
def raw_streams(endpoint):
    """A DynamoDB Streams client without client-side parameter checks."""
    return _client(endpoint, validate=False, service="dynamodbstreams")


@pytest.fixture(scope="session")
def ddb(endpoint):
    """A boto3 DynamoDB client with the SDK's own parameter validation, no retries."""
    return _client(endpoint, validate=True)


@pytest.fixture(scope="session")
def raw_ddb(endpoint):
    """A boto3 client that sends what it is given: botocore's client-side checks (minimum
    lengths, required members) are off, so the server's validation answers."""
    return _client(endpoint, validate=False)


@pytest.fixture
def tables(ddb):
    """A TableFactory whose tables are deleted at the end of the test."""
    factory = TableFactory(ddb)
    yield factory
    factory.cleanup()


@pytest.fixture(scope="module")
def hash_table(ddb):
    """A module-wide ACTIVE table with HASH key `pk` (S)."""
    factory = TableFactory(ddb)
    yield factory.hash_table()
    factory.cleanup()


@pytest.fixture(scope="module")
def range_table(ddb):
    """A module-wide ACTIVE table with HASH key `pk` (S) and RANGE key `sk` (N)."""
    factory = TableFactory(ddb)
    yield factory.range_table()
    factory.cleanup()


@pytest.fixture(scope="module")
def binary_table(ddb):
    """A module-wide ACTIVE table with HASH key `pk` (B)."""
    factory = TableFactory(ddb)
    yield factory.hash_table(key_type="B", label="hb")
    factory.cleanup()
