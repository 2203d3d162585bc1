"""ReturnConsumedCapacity (NONE, TOTAL, INDEXES) and ReturnItemCollectionMetrics on every
data-plane operation, with DynamoDB's unit rules: 4 KB read units (half when eventually
consistent), 1 KB write units (the larger of old and new item), doubled in transactions."""

import pytest

from item_helpers import error, key

KB = 1024


def item(k, size_hint):
    # "pk" + 32-char key + "v" + value: about size_hint bytes.
    return {**k, "v": {"S": "x" * size_hint}}


def units(resp):
    return resp["ConsumedCapacity"]["CapacityUnits"]


def test_put_update_delete_units(ddb, hash_table):
    k = key()
    assert units(ddb.put_item(TableName=hash_table, Item=item(k, 2500), ReturnConsumedCapacity="TOTAL")) == 3.0
    # Replacing a 2.5 KB item with a small one costs the larger.
    assert units(ddb.put_item(TableName=hash_table, Item=k, ReturnConsumedCapacity="TOTAL")) == 3.0
    resp = ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="SET v = :v",
                           ExpressionAttributeValues={":v": {"S": "y" * 1100}}, ReturnConsumedCapacity="TOTAL")
    assert units(resp) == 2.0
    assert units(ddb.delete_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="TOTAL")) == 2.0
    # Deleting nothing still costs one unit.
    assert units(ddb.delete_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="TOTAL")) == 1.0


def test_get_units_halve_when_eventually_consistent(ddb, hash_table):
    k = key()
    ddb.put_item(TableName=hash_table, Item=item(k, 9000))
    assert units(ddb.get_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="TOTAL")) == 1.5
    assert units(ddb.get_item(TableName=hash_table, Key=k, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")) == 3.0
    assert units(ddb.get_item(TableName=hash_table, Key=key(), ReturnConsumedCapacity="TOTAL")) == 0.5


def test_indexes_reports_the_table_share(ddb, hash_table):
    k = key()
    resp = ddb.put_item(TableName=hash_table, Item=k, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    resp = ddb.get_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}}
    resp = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": hash_table, "Key": k}}], ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == [{"TableName": hash_table, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}}]


def test_none_reports_nothing(ddb, hash_table):
    k = key()
    for resp in (
        ddb.put_item(TableName=hash_table, Item=k, ReturnConsumedCapacity="NONE"),
        ddb.get_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="NONE"),
        ddb.batch_get_item(RequestItems={hash_table: {"Keys": [k]}}, ReturnConsumedCapacity="NONE"),
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": hash_table, "Item": k}}], ReturnConsumedCapacity="NONE"),
    ):
        assert "ConsumedCapacity" not in resp


def test_query_and_scan_units(ddb, tables):
    table = tables.range_table()
    for i in range(3):
        ddb.put_item(TableName=table, Item={"pk": {"S": "q"}, "sk": {"N": str(i)}, "v": {"S": "x" * 3000}})
    q = ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "q"}},
                  ReturnConsumedCapacity="TOTAL")
    # About 9 KB read together: 3 units of 4 KB, halved.
    assert units(q) == 1.5
    for i in range(3, 6):
        ddb.put_item(TableName=table, Item={"pk": {"S": "q"}, "sk": {"N": str(i)}, "v": {"S": "x" * 3000}})
    # About 18 KB: 5 units of 4 KB.
    s = ddb.scan(TableName=table, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert units(s) == 5.0
    # A page that stops early pays by size only.
    s = ddb.scan(TableName=table, ConsistentRead=True, Limit=1, ReturnConsumedCapacity="TOTAL")
    assert units(s) == 1.0


def test_whole_scan_of_a_tiny_table_pays_each_initial_partition(ddb, tables):
    # DynamoDB reports 4 units (2 eventually consistent) for a Scan of a one-item table.
    table = tables.hash_table()
    ddb.put_item(TableName=table, Item=key())
    assert units(ddb.scan(TableName=table, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")) == 4.0
    assert units(ddb.scan(TableName=table, ReturnConsumedCapacity="TOTAL")) == 2.0


def test_indexes_breakdown_for_writes_and_index_reads(ddb, tables):
    table, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "x")],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                  {"AttributeName": "x", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}],
    )
    k = {"pk": {"S": "p"}, "sk": {"S": "c"}}
    both = {"TableName": table, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
            "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 1.0}},
            "LocalSecondaryIndexes": {"lsi": {"CapacityUnits": 1.0}}}
    put = ddb.put_item(TableName=table, Item={**k, "x": {"S": "1"}}, ReturnConsumedCapacity="INDEXES")
    assert put["ConsumedCapacity"] == both
    # TOTAL counts the index writes too.
    put = ddb.put_item(TableName=table, Item={**k, "x": {"S": "1"}, "a": {"S": "b"}}, ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 3.0}
    # Moving the index key deletes the old entries and writes new ones.
    upd = ddb.update_item(TableName=table, Key=k, UpdateExpression="SET x = :x",
                          ExpressionAttributeValues={":x": {"S": "2"}}, ReturnConsumedCapacity="INDEXES")
    assert upd["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {"gsi": {"CapacityUnits": 2.0}}
    assert upd["ConsumedCapacity"]["CapacityUnits"] == 5.0
    q = ddb.query(TableName=table, IndexName="gsi", KeyConditionExpression="x = :x",
                  ExpressionAttributeValues={":x": {"S": "2"}}, ReturnConsumedCapacity="INDEXES")
    assert q["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 0.5,
                                     "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 0.5}}}
    batch = ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": k}}]},
                                 ReturnConsumedCapacity="INDEXES")
    assert batch["ConsumedCapacity"] == [both]
    # Neither the old nor the new item is in the indexes: the table alone pays.
    put = ddb.put_item(TableName=table, Item={**k, "a": {"S": "b"}}, ReturnConsumedCapacity="INDEXES")
    assert put["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}


def test_transaction_writes_pay_for_index_entries(ddb, tables):
    table, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}],
        [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "x")],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
    )
    k = {"pk": {"S": "p"}}
    # The table's share is doubled as a transaction; the index entry is an ordinary write.
    put = ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": {**k, "x": {"S": "1"}}}}],
                                   ReturnConsumedCapacity="INDEXES")
    assert put["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 2.0},
                                        "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 1.0}}}]
    # Moving the entry removes the old one and writes the new.
    upd = ddb.transact_write_items(TransactItems=[{"Update": {
        "TableName": table, "Key": k, "UpdateExpression": "SET x = :x",
        "ExpressionAttributeValues": {":x": {"S": "2"}}}}], ReturnConsumedCapacity="TOTAL")
    assert upd["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 4.0}]
    # A condition check changes no entry; a delete removes one.
    both = ddb.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": table, "Key": k, "ConditionExpression": "attribute_exists(x)"}},
        {"Delete": {"TableName": table, "Key": {"pk": {"S": "absent"}}}},
    ], ReturnConsumedCapacity="INDEXES")
    assert "GlobalSecondaryIndexes" not in both["ConsumedCapacity"][0]
    gone = ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": table, "Key": k}}],
                                    ReturnConsumedCapacity="INDEXES")
    assert gone["ConsumedCapacity"][0]["GlobalSecondaryIndexes"] == {"gsi": {"CapacityUnits": 1.0}}


@pytest.mark.parametrize("op", ["put", "update", "delete", "batch", "transact"])
def test_item_collection_metrics_accepted_without_local_indexes(ddb, hash_table, op):
    k = key()
    calls = {
        "put": lambda: ddb.put_item(TableName=hash_table, Item=k, ReturnItemCollectionMetrics="SIZE"),
        "update": lambda: ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="SET a = :a",
                                          ExpressionAttributeValues={":a": {"N": "1"}}, ReturnItemCollectionMetrics="SIZE"),
        "delete": lambda: ddb.delete_item(TableName=hash_table, Key=k, ReturnItemCollectionMetrics="SIZE"),
        "batch": lambda: ddb.batch_write_item(RequestItems={hash_table: [{"PutRequest": {"Item": k}}]},
                                              ReturnItemCollectionMetrics="SIZE"),
        "transact": lambda: ddb.transact_write_items(TransactItems=[{"Put": {"TableName": hash_table, "Item": k}}],
                                                     ReturnItemCollectionMetrics="SIZE"),
    }
    resp = calls[op]()
    # Item collections exist only for tables with local secondary indexes.
    assert "ItemCollectionMetrics" not in resp or resp["ItemCollectionMetrics"] == {}


def test_enum_errors(raw_ddb, hash_table):
    k = key()
    assert error(raw_ddb.batch_write_item, RequestItems={hash_table: [{"PutRequest": {"Item": k}}]},
                 ReturnConsumedCapacity="ALL", ReturnItemCollectionMetrics="BIG")[:2] == (
        "ValidationException",
        "2 validation errors detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: "
        "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; Value 'BIG' at 'returnItemCollectionMetrics' "
        "failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]",
    )
    assert error(raw_ddb.transact_get_items, TransactItems=[{"Get": {"TableName": hash_table, "Key": k}}],
                 ReturnConsumedCapacity="ALL")[:2] == (
        "ValidationException",
        "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: "
        "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]",
    )
