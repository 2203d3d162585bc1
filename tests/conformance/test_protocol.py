"""The wire protocol below the SDKs, spoken with plain HTTP (`requests`): health checks, response
headers, content types, unknown members, and the errors for unknown operations, unparsable
bodies and missing credentials."""

import json
import os
import re
import zlib

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from support import REGION_NAME

CONTENT_TYPE = "application/x-amz-json-1.0"
# DynamoDB's request ids are 52 upper-case letters and digits.
REQUEST_ID_RE = re.compile(r"[0-9A-Z]{52}")
# The suite's credentials (tests/conftest.py): a real key when the server checks signatures.
CREDENTIALS = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])


def signed_post(endpoint, target, body: bytes, content_type=CONTENT_TYPE):
    """POSTs `body` with X-Amz-Target `target`, signed with SigV4 as an SDK would sign it.
    Like botocore it accepts only `identity` (requests would otherwise ask for gzip).
    `content_type=None` sends no Content-Type at all."""
    headers = {"X-Amz-Target": target, "Accept-Encoding": "identity"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    SigV4Auth(CREDENTIALS, "dynamodb", REGION_NAME).add_auth(request)
    return requests.post(endpoint + "/", data=body, headers=dict(request.headers), timeout=30)


def assert_crc32(response):
    """x-amz-crc32 is the CRC32 of the body bytes as sent, in decimal; SDKs reject a mismatch."""
    assert response.headers["x-amz-crc32"] == str(zlib.crc32(response.content) & 0xFFFFFFFF)


def test_health(endpoint):
    response = requests.get(endpoint + "/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}


def test_readiness(endpoint):
    response = requests.get(endpoint + "/health/ready", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_success_headers(endpoint):
    response = signed_post(endpoint, "DynamoDB_20120810.ListTables", b"{}")
    assert response.status_code == 200
    assert "TableNames" in response.json()
    assert response.headers["Content-Type"] == CONTENT_TYPE
    assert_crc32(response)
    assert REQUEST_ID_RE.fullmatch(response.headers["x-amzn-RequestId"])


def test_request_ids_are_unique(endpoint):
    ids = {
        signed_post(endpoint, "DynamoDB_20120810.ListTables", b"{}").headers["x-amzn-RequestId"]
        for _ in range(5)
    }
    assert len(ids) == 5


def test_error_headers_and_crc32(endpoint):
    body = json.dumps({"TableName": "no-such-table-protocol"}).encode()
    response = signed_post(endpoint, "DynamoDB_20120810.DescribeTable", body)
    assert response.status_code == 400
    assert response.json() == {
        "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
        "message": "Requested resource not found: Table: no-such-table-protocol not found",
    }
    assert_crc32(response)
    assert REQUEST_ID_RE.fullmatch(response.headers["x-amzn-RequestId"])
    assert response.headers["Content-Type"] == CONTENT_TYPE


def test_crc32_of_large_body(endpoint, ddb, tables):
    name = tables.hash_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "big"}, "v": {"S": "é" * 20000}})
    body = json.dumps({"TableName": name, "Key": {"pk": {"S": "big"}}}).encode()
    response = signed_post(endpoint, "DynamoDB_20120810.GetItem", body)
    assert response.status_code == 200
    assert response.json()["Item"]["v"]["S"] == "é" * 20000
    assert_crc32(response)


@pytest.mark.parametrize(
    "target",
    [
        "DynamoDB_20120810.NoSuchOperation",
        "DynamoDB_20120810.ListTable",
        "SomethingElse_20120810.ListTables",
        "DynamoDB_20120810",
    ],
)
def test_unknown_operation(endpoint, target):
    response = signed_post(endpoint, target, b"{}")
    assert response.status_code == 400
    # The message real DynamoDB sent (boto/boto3#1542, aws/aws-toolkit-jetbrains#2956).
    assert response.json() == {"__type": "com.amazon.coral.service#UnknownOperationException",
                               "message": "Unknown operation exception"}
    assert_crc32(response)


@pytest.mark.parametrize("body", [b"{", b"not json", b'{"TableName": "abc",}'])
def test_malformed_json(endpoint, body):
    response = signed_post(endpoint, "DynamoDB_20120810.DescribeTable", body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["__type"] == "com.amazon.coral.service#SerializationException"
    # Every error carries a message saying what was wrong.
    assert answer["message"].startswith("The request body is not valid JSON"), answer
    assert_crc32(response)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "application/x-amz-json-1.1"])
def test_a_body_that_is_not_json_by_its_content_type_is_refused(endpoint, content_type):
    """DynamoDB refuses a body of another media type (or of none) before looking at the target
    or credentials: 404 with `<UnknownOperationException/>` (dynalite's captures)."""
    response = signed_post(endpoint, "DynamoDB_20120810.ListTables", b"{}", content_type=content_type)
    assert response.status_code == 404
    assert response.content == b"<UnknownOperationException/>\n"
    assert_crc32(response)
    assert REQUEST_ID_RE.fullmatch(response.headers["x-amzn-RequestId"])


@pytest.mark.parametrize("content_type", ["application/x-amz-json-1.0; charset=utf-8",
                                          "APPLICATION/X-AMZ-JSON-1.0"])
def test_json_content_type_parameters_and_case_do_not_matter(endpoint, content_type):
    response = signed_post(endpoint, "DynamoDB_20120810.ListTables", b"{}", content_type=content_type)
    assert response.status_code == 200
    assert "TableNames" in response.json()


def test_plain_json_is_accepted_and_answered_in_kind(endpoint):
    response = signed_post(endpoint, "DynamoDB_20120810.ListTables", b"{}", content_type="application/json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "TableNames" in response.json()


def test_unknown_top_level_members_are_ignored(endpoint, ddb, tables):
    """DynamoDB ignores request members it does not model (dynalite's type checks, drawn from
    DynamoDB's answers, drop them); the request is served as if they were absent."""
    name = tables.hash_table()
    body = json.dumps({"TableName": name, "Item": {"pk": {"S": "extra"}, "v": {"N": "1"}},
                       "NoSuchMember": {"anything": [1, 2]}, "ReturnValuez": "ALL_OLD"}).encode()
    response = signed_post(endpoint, "DynamoDB_20120810.PutItem", body)
    assert response.status_code == 200, response.text
    assert response.json() == {}
    item = ddb.get_item(TableName=name, Key={"pk": {"S": "extra"}}, ConsistentRead=True)["Item"]
    assert item == {"pk": {"S": "extra"}, "v": {"N": "1"}}


def test_missing_authorization(endpoint):
    response = requests.post(
        endpoint + "/",
        data=b"{}",
        headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": "DynamoDB_20120810.ListTables"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {
        "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
        "message": "Request is missing Authentication Token",
    }
    assert_crc32(response)


def test_authorization_not_sigv4(endpoint):
    # An Authorization header that is not AWS4-… counts as no token at all.
    response = requests.post(
        endpoint + "/",
        data=b"{}",
        headers={
            "Content-Type": CONTENT_TYPE,
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Authorization": "Basic dXNlcjpwYXNz",
        },
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {
        "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
        "message": "Request is missing Authentication Token",
    }


def test_describe_endpoints_names_the_address_in_use(ddb, endpoint):
    endpoints = ddb.describe_endpoints()["Endpoints"]
    assert endpoints == [{"Address": endpoint.split("://", 1)[1].rstrip("/"), "CachePeriodInMinutes": 1440}]


def test_cors_headers_only_for_requests_with_an_origin(endpoint):
    cors = ["Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
            "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"]
    for call in (requests.options, requests.get, requests.post):
        plain = call(endpoint + "/", timeout=10)
        assert not [h for h in cors if h in plain.headers]
    asked = {"Origin": "http://example.com/", "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "x-amz-target, content-type"}
    pre = requests.options(endpoint + "/", headers=asked, timeout=10)
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert pre.headers["Access-Control-Allow-Methods"] == "POST"
    assert pre.headers["Access-Control-Allow-Headers"] == "x-amz-target, content-type"
    assert pre.headers["Access-Control-Max-Age"] == "86400"
    assert "x-amzn-RequestId" in pre.headers["Access-Control-Expose-Headers"]
    for call in (requests.get, requests.post):
        resp = call(endpoint + "/", headers=asked, timeout=10)
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Expose-Headers" in resp.headers
        assert not [h for h in ("Access-Control-Max-Age", "Access-Control-Allow-Methods") if h in resp.headers]


def signed_get_item(endpoint, table, key, accept_encoding):
    body = json.dumps({"TableName": table, "Key": key}).encode()
    headers = {"Content-Type": CONTENT_TYPE, "X-Amz-Target": "DynamoDB_20120810.GetItem",
               "Accept-Encoding": accept_encoding}
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    SigV4Auth(CREDENTIALS, "dynamodb", REGION_NAME).add_auth(request)
    return requests.post(endpoint + "/", data=body, headers=dict(request.headers), timeout=30, stream=True)


@pytest.mark.parametrize("accept,coding", [("gzip", "gzip"), ("deflate", "deflate"), ("br, deflate, gzip", "deflate"),
                                           ("gzip;q=0, identity", None), ("identity", None)])
def test_large_answers_are_compressed_as_accepted(ddb, endpoint, hash_table, accept, coding):
    big = {"pk": {"S": "compressed-big"}}
    ddb.put_item(TableName=hash_table, Item={**big, "v": {"S": "x" * 5000}})
    small = {"pk": {"S": "compressed-small"}}
    ddb.put_item(TableName=hash_table, Item={**small, "v": {"S": "x" * 100}})
    resp = signed_get_item(endpoint, hash_table, big, accept)
    raw = resp.raw.read(decode_content=False)
    assert resp.status_code == 200
    assert resp.headers.get("Content-Encoding") == coding
    # The CRC32 and length describe the bytes as sent.
    assert resp.headers["x-amz-crc32"] == str(zlib.crc32(raw) & 0xFFFFFFFF)
    assert int(resp.headers["Content-Length"]) == len(raw)
    if coding == "gzip":
        raw = zlib.decompress(raw, 16 + zlib.MAX_WBITS)
    elif coding == "deflate":
        raw = zlib.decompress(raw)
    assert json.loads(raw)["Item"]["v"]["S"] == "x" * 5000
    # Answers under 4 KB are never compressed.
    resp = signed_get_item(endpoint, hash_table, small, accept)
    assert "Content-Encoding" not in resp.headers
