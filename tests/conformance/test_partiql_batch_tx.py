"""PartiQL's BatchExecuteStatement (up to 25 statements, all reads or all writes, each failing on
its own in `Responses`) and ExecuteTransaction (up to 100, all or nothing, ClientRequestToken
idempotency), with DynamoDB's texts."""

import uuid

import pytest
from botocore.exceptions import ClientError

from item_helpers import get
from support import expect_error, expect_validation


def batch(client, *statements, **extra):
    return client.batch_execute_statement(
        Statements=[s if isinstance(s, dict) else {"Statement": s} for s in statements], **extra
    )["Responses"]


def tx(client, *statements, **extra):
    return client.execute_transaction(
        TransactStatements=[s if isinstance(s, dict) else {"Statement": s} for s in statements],
        **extra,
    )


def key(pk):
    return {"pk": {"S": pk}}


def test_batch_writes_fail_one_by_one(ddb, hash_table):
    t = f'"{hash_table}"'
    ddb.put_item(TableName=hash_table, Item={**key("pqb-dup"), "n": {"N": "1"}})
    ddb.put_item(TableName=hash_table, Item={**key("pqb-other"), "n": {"N": "1"}})
    responses = batch(
        ddb,
        f"INSERT INTO {t} VALUE {{'pk': 'pqb-new'}}",
        f"INSERT INTO {t} VALUE {{'pk': 'pqb-dup'}}",
        f"UPDATE {t} SET a = 1 WHERE pk = 'pqb-absent'",
        f"DELETE FROM {t} WHERE pk = 'pqb-x' garbage",
        {"Statement": f"UPDATE {t} SET n = 2 WHERE pk = ? AND n = 5", "Parameters": [{"S": "pqb-other"}],
         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
    )
    assert responses[0] == {"TableName": hash_table}
    assert responses[1] == {"TableName": hash_table, "Error": {
        "Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}}
    assert responses[2]["Error"] == {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
    assert responses[3] == {"Error": {"Code": "ValidationError", "Message":
                                      "Statement wasn't well formed, can't be processed: Unexpected token after expression"}}
    assert responses[4]["Error"]["Item"] == {**key("pqb-other"), "n": {"N": "1"}}
    assert get(ddb, hash_table, key("pqb-new")) == key("pqb-new")
    assert get(ddb, hash_table, key("pqb-absent")) is None


def test_batch_reads(ddb, hash_table):
    t = f'"{hash_table}"'
    ddb.put_item(TableName=hash_table, Item={**key("pqb-r"), "v": {"S": "x"}, "w": {"N": "1"}})
    responses = batch(
        ddb,
        f"SELECT v FROM {t} WHERE pk = 'pqb-r'",
        {"Statement": f"SELECT * FROM {t} WHERE pk = ?", "Parameters": [{"S": "pqb-none"}], "ConsistentRead": True},
        f"SELECT * FROM {t} WHERE pk = 'pqb-r' AND v = 'x'",
        f"SELECT * FROM {t} WHERE v = 'x'",
        f"SELECT * FROM {t} WHERE pk = 'pqb-r' AND pk = 'pqb-r' AND",
    )
    assert responses[0] == {"TableName": hash_table, "Item": {"v": {"S": "x"}}}
    assert responses[1] == {"TableName": hash_table}
    rule = "Select statements within BatchExecuteStatement must specify the primary key in the where clause."
    assert responses[2]["Error"] == {"Code": "ValidationError", "Message": rule}
    assert responses[3]["Error"] == {"Code": "ValidationError", "Message": rule}
    assert responses[4]["Error"]["Code"] == "ValidationError"


def test_batch_refusals(ddb, raw_ddb, hash_table):
    t = f'"{hash_table}"'
    expect_validation(
        lambda: batch(ddb, f"SELECT * FROM {t} WHERE pk = 'a'", f"DELETE FROM {t} WHERE pk = 'b'"),
        "Read and write requests together in the same batch is not supported.",
    )
    expect_validation(
        lambda: batch(ddb, f"DELETE FROM {t} WHERE pk = 'pqb-2'", f"UPDATE {t} SET a = 1 WHERE pk = 'pqb-2'"),
        "Provided list of item keys contains duplicates",
    )
    responses = batch(ddb, f"EXISTS(SELECT * FROM {t} WHERE pk = 'a' AND v = 1)")
    assert responses[0]["Error"] == {"Code": "ValidationError",
                                     "Message": "EXISTS can only be used in ExecuteTransaction write requests."}
    many = [{"Statement": f"DELETE FROM {t} WHERE pk = 'pqb-{i}'"} for i in range(26)]
    with pytest.raises(ClientError) as info:
        raw_ddb.batch_execute_statement(Statements=many)
    message = info.value.response["Error"]["Message"]
    assert message.startswith("1 validation error detected: Value '[BatchStatementRequest(Statement=DELETE")
    assert message.endswith("at 'statements' failed to satisfy constraint: "
                            "Member must have length less than or equal to 25")
    expect_validation(
        lambda: raw_ddb.batch_execute_statement(Statements=[]),
        "1 validation error detected: Value '[]' at 'statements' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )


def test_batch_capacity(ddb, hash_table):
    t = f'"{hash_table}"'
    resp = ddb.batch_execute_statement(
        Statements=[{"Statement": f"INSERT INTO {t} VALUE {{'pk': 'pqb-c1'}}"},
                    {"Statement": f"INSERT INTO {t} VALUE {{'pk': 'pqb-c2'}}"}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert resp["ConsumedCapacity"] == [{"TableName": hash_table, "CapacityUnits": 2.0}]


def test_transaction_of_writes_is_all_or_nothing(ddb, hash_table, range_table):
    t, r = f'"{hash_table}"', f'"{range_table}"'
    ddb.put_item(TableName=hash_table, Item={**key("pqt-a"), "n": {"N": "1"}})
    err = expect_error(
        lambda: tx(ddb,
                   f"INSERT INTO {t} VALUE {{'pk': 'pqt-new'}}",
                   f"INSERT INTO {t} VALUE {{'pk': 'pqt-a'}}",
                   f"EXISTS(SELECT * FROM {r} WHERE pk = 'pqt-a' AND sk = 1 AND n = 1)"),
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, DuplicateItem, ConditionalCheckFailed]",
    )
    reasons = err.response["CancellationReasons"]
    assert reasons[1] == {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}
    assert get(ddb, hash_table, key("pqt-new")) is None
    resp = tx(ddb,
              f"INSERT INTO {t} VALUE {{'pk': 'pqt-new'}}",
              f"UPDATE {t} SET n = n + 1 WHERE pk = 'pqt-a' AND n = 1",
              f"DELETE FROM {t} WHERE pk = 'pqt-none'",
              ReturnConsumedCapacity="TOTAL")
    assert resp["Responses"] == []
    assert resp["ConsumedCapacity"] == [{"TableName": hash_table, "CapacityUnits": 6.0}]
    assert get(ddb, hash_table, key("pqt-a"))["n"] == {"N": "2"}
    assert get(ddb, hash_table, key("pqt-new")) == key("pqt-new")
    # EXISTS as a condition check.
    tx(ddb, f"EXISTS(SELECT * FROM {t} WHERE pk = 'pqt-a' AND n = 2)", f"DELETE FROM {t} WHERE pk = 'pqt-new'")
    assert get(ddb, hash_table, key("pqt-new")) is None
    err = expect_error(
        lambda: tx(ddb, f"EXISTS(SELECT * FROM {t} WHERE pk = 'pqt-a' AND n = 9)",
                   {"Statement": f"UPDATE {t} SET z = 1 WHERE pk = 'pqt-b' AND z = 1"}),
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ConditionalCheckFailed, ConditionalCheckFailed]",
    )


def test_transaction_of_reads(ddb, hash_table):
    t = f'"{hash_table}"'
    ddb.put_item(TableName=hash_table, Item={**key("pqt-r"), "v": {"S": "x"}, "w": {"N": "1"}})
    resp = tx(ddb, f"SELECT v FROM {t} WHERE pk = 'pqt-r'", f"SELECT * FROM {t} WHERE pk = 'pqt-none'",
              ReturnConsumedCapacity="TOTAL")
    assert resp["Responses"] == [{"Item": {"v": {"S": "x"}}}, {}]
    assert resp["ConsumedCapacity"] == [{"TableName": hash_table, "CapacityUnits": 4.0}]


def test_transaction_refusals(ddb, hash_table):
    t = f'"{hash_table}"'
    expect_validation(
        lambda: tx(ddb, f"SELECT * FROM {t} WHERE pk = 'a'", f"DELETE FROM {t} WHERE pk = 'b'"),
        "ExecuteTransaction API does not support both read and write operations in the same request.",
    )
    expect_validation(
        lambda: tx(ddb, f"SELECT * FROM {t} WHERE pk = 'a' AND attribute_exists(ss)"),
        "Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must "
        "specify the primary key in the where clause.",
    )
    expect_validation(
        lambda: tx(ddb, f"EXISTS(SELECT * FROM {t} WHERE pk = 'a')", f"DELETE FROM {t} WHERE pk = 'b'"),
        "Validation failed in TransactStatements[0]: EXISTS() must contain a single item read with additional condition",
    )
    expect_validation(
        lambda: tx(ddb, f"DELETE FROM {t} WHERE pk = 'a'", f"UPDATE {t} SET v = 1 WHERE pk = 'a'"),
        "Transaction request cannot include multiple operations on one item",
    )
    expect_validation(
        lambda: tx(ddb, f"DELETE FROM {t} WHERE pk = 'a' RETURNING ALL OLD *"),
        "Validation failed in TransactStatements[0]: RETURNING clause is not supported in ExecuteTransaction.",
    )
    err = expect_error(
        lambda: tx(ddb, f"INSERT INTO {t} VALUE {{'x': 1}}"),
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError]",
    )
    assert err.response["CancellationReasons"][0]["Message"] == "Key attribute should be present in the item: Key pk"


def test_transaction_token_idempotency(ddb, hash_table):
    t = f'"{hash_table}"'
    token = uuid.uuid4().hex
    statements = [{"Statement": f"UPDATE {t} SET n = n + 1 WHERE pk = 'pqt-tok'"}]
    ddb.put_item(TableName=hash_table, Item={**key("pqt-tok"), "n": {"N": "0"}})
    ddb.execute_transaction(TransactStatements=statements, ClientRequestToken=token)
    ddb.execute_transaction(TransactStatements=statements, ClientRequestToken=token)
    assert get(ddb, hash_table, key("pqt-tok"))["n"] == {"N": "1"}
    expect_error(
        lambda: ddb.execute_transaction(
            TransactStatements=[{"Statement": f"UPDATE {t} SET n = n + 2 WHERE pk = 'pqt-tok'"}],
            ClientRequestToken=token),
        "IdempotentParameterMismatchException",
        "Specified idempotent token was used with different request parameters within the idempotency window",
    )
