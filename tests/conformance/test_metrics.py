"""GET /metrics: Prometheus' text format, parsed with the prometheus_client package, and the
values move as requests are made — requests, errors and latency by operation, capacity units
consumed and requests throttled by table, background-worker lag."""

import boto3
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError
from prometheus_client.parser import text_string_to_metric_families

from support import REGION_NAME


def scrape(endpoint):
    """The samples of one scrape as {(name, sorted label items): value}. The request is signed
    like any API call (a server with real authentication requires it)."""
    url = endpoint + "/metrics"
    request = AWSRequest(method="GET", url=url)
    credentials = boto3.Session().get_credentials()
    if credentials is not None:
        SigV4Auth(credentials, "dynamodb", REGION_NAME).add_auth(request)
    resp = requests.get(url, headers=dict(request.headers), timeout=10)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(resp.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_request_counters_and_latency_move(ddb, endpoint, hash_table):
    before = scrape(endpoint)
    for i in range(3):
        ddb.put_item(TableName=hash_table, Item={"pk": {"S": f"m{i}"}})
    ddb.get_item(TableName=hash_table, Key={"pk": {"S": "m0"}})
    try:
        ddb.get_item(TableName="conf-no-such-table-metrics", Key={"pk": {"S": "x"}})
    except ClientError:
        pass
    after = scrape(endpoint)
    put = lambda s: value(s, "extenddb_requests_total", operation="PutItem")  # noqa: E731
    get = lambda s: value(s, "extenddb_requests_total", operation="GetItem")  # noqa: E731
    assert put(after) - put(before) == 3
    assert get(after) - get(before) == 2
    errors = lambda s: value(  # noqa: E731
        s, "extenddb_request_errors_total", operation="GetItem", error="ResourceNotFoundException"
    )
    assert errors(after) - errors(before) == 1
    count = lambda s: value(  # noqa: E731
        s, "extenddb_request_duration_seconds_count", operation="PutItem"
    )
    assert count(after) - count(before) == 3
    # Every observation falls in the +Inf bucket.
    inf = value(after, "extenddb_request_duration_seconds_bucket", operation="PutItem", le="+Inf")
    assert inf == count(after)
    assert value(after, "extenddb_request_duration_seconds_sum", operation="PutItem") > 0


def test_consumed_and_throttled_units_by_table(ddb, endpoint, tables):
    name, created = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}],
        [{"AttributeName": "pk", "AttributeType": "S"}],
        label="met",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    account = created["TableDescription"]["TableArn"].split(":")[4]
    labels = {"account": account, "table": name}
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"S": "x" * 1500}})  # 2 WCU
    ddb.get_item(TableName=name, Key={"pk": {"S": "a"}}, ConsistentRead=True)  # 1 RCU
    throttled = 0
    for i in range(20):
        try:
            ddb.put_item(TableName=name, Item={"pk": {"S": f"t{i}"}})
        except ClientError as e:
            assert e.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
            throttled += 1
    assert throttled > 0
    s = scrape(endpoint)
    written = value(s, "extenddb_consumed_write_capacity_units_total", **labels)
    assert written == 2 + (20 - throttled)
    assert value(s, "extenddb_consumed_read_capacity_units_total", **labels) == 1
    assert value(s, "extenddb_throttled_writes_total", **labels) == throttled


def test_worker_lag_is_reported(endpoint):
    s = scrape(endpoint)
    assert ("extenddb_worker_lag_seconds", (("worker", "gsi_propagation"),)) in s
