"""Shared set-up for every test under tests/: the endpoint under test and dummy AWS settings.

The suites talk to a running extenddb (or any DynamoDB-compatible endpoint) named by the
EXTENDDB_ENDPOINT environment variable, e.g. http://127.0.0.1:8000. scripts/test.sh starts a
server and sets it; to run by hand, start `extenddb dev` yourself and export the variable.
"""

import os

import pytest

# Credentials: EXTENDDB_TEST_ACCESS_KEY_ID / EXTENDDB_TEST_SECRET_ACCESS_KEY when the server
# checks signatures (scripts/test.sh creates a key with `extenddb manage` for the PostgreSQL
# run), else dummy ones, which the dev server (`none` auth) accepts. Set before boto3 or the AWS
# CLI read the environment, and never taken from the developer's own AWS setup.
os.environ["AWS_ACCESS_KEY_ID"] = os.environ.get("EXTENDDB_TEST_ACCESS_KEY_ID", "AKIDEXTENDDBTEST0000")
os.environ["AWS_SECRET_ACCESS_KEY"] = os.environ.get(
    "EXTENDDB_TEST_SECRET_ACCESS_KEY", "extenddb-test-secret-key"
)
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.pop("AWS_SESSION_TOKEN", None)
os.environ.pop("AWS_PROFILE", None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

REGION = "us-east-1"


def _endpoint() -> str:
    value = os.environ.get("EXTENDDB_ENDPOINT", "").strip()
    if not value:
        raise pytest.UsageError(
            "EXTENDDB_ENDPOINT is not set: start a server (`extenddb dev`) and export "
            "EXTENDDB_ENDPOINT=http://127.0.0.1:<port>, or run scripts/test.sh"
        )
    return value.rstrip("/")


@pytest.fixture(scope="session")
def endpoint() -> str:
    """The base URL of the server under test, without a trailing slash."""
    return _endpoint()
