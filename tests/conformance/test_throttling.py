"""Throttling as DynamoDB does it (throttling_enabled is on by default): provisioned tables
refill at their provisioned units per second after their burst is spent, tables do not share
capacity, refusals carry DynamoDB's exception, message and ThrottlingReasons, batches hand
throttled entries back, transactions cancel with a throttling reason, on-demand maximums cap a
table, and capacity changes apply at once."""

import time

import pytest
import requests
from botocore.exceptions import ClientError

from support import unique_name, wait_active

HASH = [{"AttributeName": "pk", "KeyType": "HASH"}]
PK_S = [{"AttributeName": "pk", "AttributeType": "S"}]
# One write unit per item: just under 1 KB with the key and attribute names.
PAYLOAD = "x" * 900

TABLE_MESSAGE = (
    "The level of configured provisioned throughput for the table was exceeded. "
    "Consider increasing your provisioning level with the UpdateTable API."
)
ON_DEMAND_MESSAGE = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if "
    "you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
)


def provisioned(tables, read, write, **extra):
    name, _ = tables.create(
        HASH, PK_S, label="thr",
        ProvisionedThroughput={"ReadCapacityUnits": read, "WriteCapacityUnits": write},
        **extra,
    )
    return name


def put(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "v": {"S": PAYLOAD}})


def throttled(call):
    """Runs `call`; True when it was refused by throttling, False when it succeeded."""
    try:
        call()
        return False
    except ClientError as e:
        if e.response["Error"]["Code"] in (
            "ProvisionedThroughputExceededException", "ThrottlingException",
        ):
            return True
        raise


def spend_burst(ddb, table):
    """Writes until the first refusal (the accrued capacity is spent); returns how many."""
    n = 0
    while not throttled(lambda: put(ddb, table, f"burst-{n}")):
        n += 1
        assert n < 1000, "no throttling after 1000 one-unit writes on a 5 WCU table"
    return n


def test_a_5_wcu_table_sustains_5_writes_per_second_and_another_table_is_unaffected(ddb, tables):
    slow = provisioned(tables, 5, 5)
    other = provisioned(tables, 5, 5)
    burst = spend_burst(ddb, slow)
    assert burst >= 1
    start = time.monotonic()
    admitted = 0
    i = 0
    while time.monotonic() - start < 20.0:
        if not throttled(lambda: put(ddb, slow, f"steady-{i}")):
            admitted += 1
        i += 1
        time.sleep(0.02)
    elapsed = time.monotonic() - start
    rate = admitted / elapsed
    # 5 units/s +- 10 %, after the burst was spent.
    assert 4.5 <= rate <= 5.5, f"{admitted} writes admitted in {elapsed:.1f}s ({rate:.2f}/s)"
    # The other table kept its own capacity all along.
    for j in range(4):
        put(ddb, other, f"o-{j}")


def test_refusal_is_dynamodbs_error_with_throttling_reasons(ddb, tables, endpoint):
    name = provisioned(tables, 1, 1)
    spend_burst(ddb, name)
    with pytest.raises(ClientError) as e:
        put(ddb, name, "again")
    err = e.value.response
    assert err["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert err["Error"]["Message"] == TABLE_MESSAGE
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    # The wire form, as the service model names the member.
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    raw = requests.post(
        endpoint,
        data='{"TableName":"%s","Item":{"pk":{"S":"raw"}}}' % name,
        headers={
            "X-Amz-Target": "DynamoDB_20120810.PutItem",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/"
            "dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature="
            + "0" * 64,
            "X-Amz-Date": "20240102T030405Z",
        },
        timeout=10,
    )
    if raw.status_code == 400 and "ProvisionedThroughput" in raw.json().get("__type", ""):
        body = raw.json()
        assert body["__type"] == (
            "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
        )
        assert body["ThrottlingReasons"] == [
            {"reason": "TableWriteProvisionedThroughputExceeded", "resource": arn}
        ]
    else:
        # A server with real authentication refuses the unsigned request first.
        assert raw.status_code == 400, raw.text


def test_reads_and_writes_are_metered_apart(ddb, tables):
    name = provisioned(tables, 5, 1)
    spend_burst(ddb, name)
    # Writes are spent; reads still have their own capacity.
    for i in range(3):
        ddb.get_item(TableName=name, Key={"pk": {"S": f"burst-{i}"}}, ConsistentRead=True)


def test_batch_write_hands_throttled_items_back(ddb, tables):
    name = provisioned(tables, 1, 1)
    spend_burst(ddb, name)
    other = provisioned(tables, 5, 5)
    resp = ddb.batch_write_item(RequestItems={
        name: [{"PutRequest": {"Item": {"pk": {"S": "b1"}}}}],
        other: [{"PutRequest": {"Item": {"pk": {"S": "b2"}}}}],
    })
    assert resp["UnprocessedItems"] == {
        name: [{"PutRequest": {"Item": {"pk": {"S": "b1"}}}}]
    }
    assert "Item" in ddb.get_item(TableName=other, Key={"pk": {"S": "b2"}}, ConsistentRead=True)
    # Every entry throttled: the call itself is refused.
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "b3"}}}}]})
    assert e.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_batch_get_hands_throttled_keys_back(ddb, tables):
    name = provisioned(tables, 1, 5)
    put(ddb, name, "k")
    # Spend the read capacity with strongly consistent reads of a 1-unit item.
    while not throttled(lambda: ddb.get_item(TableName=name, Key={"pk": {"S": "k"}},
                                             ConsistentRead=True)):
        pass
    other = provisioned(tables, 5, 5)
    put(ddb, other, "k")
    resp = ddb.batch_get_item(RequestItems={
        name: {"Keys": [{"pk": {"S": "k"}}]},
        other: {"Keys": [{"pk": {"S": "k"}}]},
    })
    assert resp["UnprocessedKeys"][name]["Keys"] == [{"pk": {"S": "k"}}]
    assert len(resp["Responses"][other]) == 1


def test_a_throttled_transaction_is_cancelled_with_a_throttling_reason(ddb, tables):
    name = provisioned(tables, 1, 1)
    spend_burst(ddb, name)
    other = provisioned(tables, 5, 5)
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": other, "Item": {"pk": {"S": "t1"}}}},
            {"Put": {"TableName": name, "Item": {"pk": {"S": "t2"}}}},
        ])
    err = e.value.response
    assert err["Error"]["Code"] == "TransactionCanceledException"
    reasons = err["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1]["Code"] == "ProvisionedThroughputExceeded"
    assert reasons[1]["Message"] == TABLE_MESSAGE
    # Nothing was written.
    assert "Item" not in ddb.get_item(TableName=other, Key={"pk": {"S": "t1"}},
                                      ConsistentRead=True)


def test_a_capacity_increase_applies_at_once(ddb, tables):
    name = provisioned(tables, 5, 1)
    spend_burst(ddb, name)
    ddb.update_table(
        TableName=name,
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 1000},
    )
    wait_active(ddb, name)
    # The bucket is empty when the rate rises: a loopback client can write faster than 1,000
    # one-unit items a second, so give the new rate 100 ms to accrue (the old one would need
    # 100 s for the same 100 units).
    time.sleep(0.1)
    for i in range(20):
        put(ddb, name, f"after-{i}")


def test_on_demand_maximum_caps_the_table(ddb, tables):
    name, created = tables.create(
        HASH, PK_S, label="odm",
        OnDemandThroughput={"MaxReadRequestUnits": 2, "MaxWriteRequestUnits": 3},
    )
    assert created["TableDescription"]["OnDemandThroughput"] == {
        "MaxReadRequestUnits": 2, "MaxWriteRequestUnits": 3,
    }
    with pytest.raises(ClientError) as e:
        for i in range(100):
            put(ddb, name, f"m-{i}")
    err = e.value.response
    assert err["Error"]["Code"] == "ThrottlingException"
    assert err["Error"]["Message"] == ON_DEMAND_MESSAGE
    # Removing the maximum (-1) lifts the cap.
    ddb.update_table(
        TableName=name,
        OnDemandThroughput={"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1},
    )
    wait_active(ddb, name)
    assert "OnDemandThroughput" not in ddb.describe_table(TableName=name)["Table"]
    for i in range(20):
        put(ddb, name, f"n-{i}")


def test_on_demand_throughput_is_refused_on_a_provisioned_table(raw_ddb):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(
            TableName=unique_name("odp"), KeySchema=HASH, AttributeDefinitions=PK_S,
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            OnDemandThroughput={"MaxReadRequestUnits": 2},
        )
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_a_provisioned_gsi_throttles_writes_to_its_table(ddb, tables):
    name, _ = tables.create(
        HASH, PK_S + [{"AttributeName": "g", "AttributeType": "S"}], label="gthr",
        ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100},
        GlobalSecondaryIndexes=[{
            "IndexName": "byG",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        }],
    )

    def write(i):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"p{i}"}, "g": {"S": "x"},
                                          "v": {"S": PAYLOAD}})

    with pytest.raises(ClientError) as e:
        for i in range(200):
            write(i)
    err = e.value.response
    assert err["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert err["Error"]["Message"] == (
        "The level of configured provisioned throughput for one or more global secondary "
        "indexes of the table was exceeded. Consider increasing your provisioning level for "
        "the under-provisioned global secondary indexes with the UpdateTable API"
    )
