"""GSIs kept up to date by the multi-item operations: BatchWriteItem puts and deletes, and
TransactWriteItems Put / Update / Delete, with the index read right after (delay 0)."""

from test_gsi import by_city, gsi_table


def cities(ddb, name, city):
    return [(i["pk"]["S"], i["age"]["N"]) for i in by_city(ddb, name, city)["Items"]]


def test_batch_write_maintains_the_index(ddb, tables):
    name = gsi_table(tables, {"ProjectionType": "KEYS_ONLY"})
    ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": {"pk": {"S": "a"}, "city": {"S": "Oslo"}, "age": {"N": "3"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "b"}, "city": {"S": "Oslo"}, "age": {"N": "1"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "c"}, "age": {"N": "9"}}}},
    ]})
    assert cities(ddb, name, "Oslo") == [("b", "1"), ("a", "3")]
    ddb.batch_write_item(RequestItems={name: [
        {"DeleteRequest": {"Key": {"pk": {"S": "b"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "a"}, "city": {"S": "Bern"}, "age": {"N": "3"}}}},
    ]})
    assert cities(ddb, name, "Oslo") == []
    assert cities(ddb, name, "Bern") == [("a", "3")]


def test_batch_write_refuses_a_wrong_index_key_type(ddb, tables):
    name = gsi_table(tables, {"ProjectionType": "ALL"})
    try:
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": "a"}, "city": {"N": "1"}, "age": {"N": "3"}}}},
        ]})
    except ddb.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "ValidationException"
        assert "Type mismatch for Index Key city" in e.response["Error"]["Message"]
    else:
        raise AssertionError("a wrong index key type was accepted")
    assert ddb.scan(TableName=name)["Count"] == 0


def test_transactions_maintain_the_index(ddb, tables):
    name = gsi_table(tables, {"ProjectionType": "ALL"})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "a"}, "city": {"S": "Lima"}, "age": {"N": "7"}}}},
        {"Put": {"TableName": name, "Item": {"pk": {"S": "b"}, "city": {"S": "Lima"}, "age": {"N": "5"}}}},
    ])
    assert cities(ddb, name, "Lima") == [("b", "5"), ("a", "7")]
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": name, "Key": {"pk": {"S": "a"}},
                    "UpdateExpression": "SET city = :c, age = :a",
                    "ExpressionAttributeValues": {":c": {"S": "Quito"}, ":a": {"N": "8"}}}},
        {"Delete": {"TableName": name, "Key": {"pk": {"S": "b"}}}},
    ])
    assert cities(ddb, name, "Lima") == []
    assert cities(ddb, name, "Quito") == [("a", "8")]
    # A cancelled transaction leaves the index untouched.
    try:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "z"}, "city": {"S": "Quito"}, "age": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "a"}},
                                "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
    except ddb.exceptions.TransactionCanceledException:
        pass
    else:
        raise AssertionError("the transaction was not cancelled")
    assert cities(ddb, name, "Quito") == [("a", "8")]
