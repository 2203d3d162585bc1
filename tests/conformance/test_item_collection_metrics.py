"""ReturnItemCollectionMetrics=SIZE: reported by PutItem, UpdateItem, DeleteItem, BatchWriteItem
and TransactWriteItems for tables with local secondary indexes (the collection's partition key
and a size range in GB), and never for tables without them."""

from test_lsi import lsi_table

UNDER_1GB = [0.0, 1.0]


def item(pk, sk, score=1):
    return {"pk": {"S": pk}, "sk": {"S": sk}, "score": {"N": str(score)}}


def test_single_item_writes_report_the_collection(ddb, tables):
    name = lsi_table(tables, {"ProjectionType": "ALL"})
    out = ddb.put_item(TableName=name, Item=item("p1", "a"), ReturnItemCollectionMetrics="SIZE")
    assert out["ItemCollectionMetrics"] == {
        "ItemCollectionKey": {"pk": {"S": "p1"}},
        "SizeEstimateRangeGB": UNDER_1GB,
    }
    out = ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "p1"}, "sk": {"S": "a"}},
        UpdateExpression="SET score = :s",
        ExpressionAttributeValues={":s": {"N": "5"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert out["ItemCollectionMetrics"]["ItemCollectionKey"] == {"pk": {"S": "p1"}}
    assert out["ItemCollectionMetrics"]["SizeEstimateRangeGB"] == UNDER_1GB
    out = ddb.delete_item(
        TableName=name,
        Key={"pk": {"S": "p1"}, "sk": {"S": "a"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert out["ItemCollectionMetrics"]["ItemCollectionKey"] == {"pk": {"S": "p1"}}


def test_not_returned_unless_asked(ddb, tables):
    name = lsi_table(tables, {"ProjectionType": "ALL"})
    out = ddb.put_item(TableName=name, Item=item("p1", "a"))
    assert "ItemCollectionMetrics" not in out
    out = ddb.put_item(TableName=name, Item=item("p1", "b"), ReturnItemCollectionMetrics="NONE")
    assert "ItemCollectionMetrics" not in out


def test_not_returned_for_tables_without_lsi(ddb, hash_table):
    out = ddb.put_item(
        TableName=hash_table,
        Item={"pk": {"S": "icm"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert "ItemCollectionMetrics" not in out
    out = ddb.batch_write_item(
        RequestItems={hash_table: [{"PutRequest": {"Item": {"pk": {"S": "icm2"}}}}]},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert "ItemCollectionMetrics" not in out


def test_batch_write_reports_per_table_and_write(ddb, tables, hash_table):
    name = lsi_table(tables, {"ProjectionType": "KEYS_ONLY"})
    out = ddb.batch_write_item(
        RequestItems={
            name: [
                {"PutRequest": {"Item": item("p1", "a")}},
                {"PutRequest": {"Item": item("p2", "a")}},
                {"DeleteRequest": {"Key": {"pk": {"S": "p3"}, "sk": {"S": "x"}}}},
            ],
            hash_table: [{"PutRequest": {"Item": {"pk": {"S": "icm3"}}}}],
        },
        ReturnItemCollectionMetrics="SIZE",
    )
    metrics = out["ItemCollectionMetrics"]
    assert list(metrics) == [name]
    keys = [m["ItemCollectionKey"]["pk"]["S"] for m in metrics[name]]
    assert sorted(keys) == ["p1", "p2", "p3"]
    assert all(m["SizeEstimateRangeGB"] == UNDER_1GB for m in metrics[name])


def test_transact_write_reports_writes_not_checks(ddb, tables):
    name = lsi_table(tables, {"ProjectionType": "ALL"})
    ddb.put_item(TableName=name, Item=item("c", "a"))
    out = ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": name, "Item": item("p1", "a")}},
            {
                "ConditionCheck": {
                    "TableName": name,
                    "Key": {"pk": {"S": "c"}, "sk": {"S": "a"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": name,
                    "Key": {"pk": {"S": "p2"}, "sk": {"S": "a"}},
                    "UpdateExpression": "SET score = :s",
                    "ExpressionAttributeValues": {":s": {"N": "2"}},
                }
            },
            {"Delete": {"TableName": name, "Key": {"pk": {"S": "p3"}, "sk": {"S": "a"}}}},
        ],
        ReturnItemCollectionMetrics="SIZE",
    )
    [entries] = out["ItemCollectionMetrics"].values()
    assert [m["ItemCollectionKey"]["pk"]["S"] for m in entries] == ["p1", "p2", "p3"]
    assert all(m["SizeEstimateRangeGB"] == UNDER_1GB for m in entries)
