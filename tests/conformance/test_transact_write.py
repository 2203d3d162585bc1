"""TransactWriteItems: Put, Update, Delete and ConditionCheck over several tables, all or
nothing; cancellation reasons in request order; one action per item; limits; idempotency."""

import uuid

import pytest

from item_helpers import error, get, key

ONE = {":one": {"N": "1"}}


def put(table, item, **extra):
    return {"Put": {"TableName": table, "Item": item, **extra}}


def update(table, k, expr, **extra):
    return {"Update": {"TableName": table, "Key": k, "UpdateExpression": expr, **extra}}


def delete(table, k, **extra):
    return {"Delete": {"TableName": table, "Key": k, **extra}}


def check(table, k, cond, **extra):
    return {"ConditionCheck": {"TableName": table, "Key": k, "ConditionExpression": cond, **extra}}


def cancelled(call, **kwargs):
    code, msg, resp = error(call, **kwargs)
    assert code == "TransactionCanceledException"
    return msg, resp["CancellationReasons"]


def test_all_four_actions_over_two_tables(ddb, hash_table, range_table):
    a, b, c = key(), key(), key()
    ddb.put_item(TableName=hash_table, Item={**b, "n": {"N": "5"}})
    ddb.put_item(TableName=hash_table, Item={**c, "gone": {"BOOL": True}})
    r = {"pk": {"S": uuid.uuid4().hex}, "sk": {"N": "1"}}
    ddb.put_item(TableName=range_table, Item={**r, "ok": {"BOOL": True}})
    resp = ddb.transact_write_items(
        TransactItems=[
            put(hash_table, {**a, "v": {"S": "new"}}, ConditionExpression="attribute_not_exists(pk)"),
            update(hash_table, b, "ADD n :one", ExpressionAttributeValues=ONE),
            delete(hash_table, c),
            check(range_table, r, "ok = :t", ExpressionAttributeValues={":t": {"BOOL": True}}),
        ]
    )
    assert "ConsumedCapacity" not in resp
    assert get(ddb, hash_table, a)["v"] == {"S": "new"}
    assert get(ddb, hash_table, b)["n"] == {"N": "6"}
    assert get(ddb, hash_table, c) is None
    assert get(ddb, range_table, r) == {**r, "ok": {"BOOL": True}}


def test_update_creates_missing_item(ddb, hash_table):
    k = key()
    ddb.transact_write_items(TransactItems=[update(hash_table, k, "SET v = :one", ExpressionAttributeValues=ONE)])
    assert get(ddb, hash_table, k) == {**k, "v": {"N": "1"}}


def test_failed_condition_cancels_everything(ddb, hash_table):
    a, b = key(), key()
    ddb.put_item(TableName=hash_table, Item={**b, "n": {"N": "1"}})
    msg, reasons = cancelled(
        ddb.transact_write_items,
        TransactItems=[
            put(hash_table, {**a, "v": {"S": "x"}}),
            update(hash_table, b, "SET n = :one", ConditionExpression="attribute_not_exists(pk)",
                   ExpressionAttributeValues=ONE),
        ],
    )
    assert msg == ("Transaction cancelled, please refer cancellation reasons for specific "
                   "reasons [None, ConditionalCheckFailed]")
    assert reasons == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]
    assert get(ddb, hash_table, a) is None
    assert get(ddb, hash_table, b) == {**b, "n": {"N": "1"}}


def test_all_old_on_condition_failure(ddb, hash_table):
    a, b = key(), key()
    item = {**a, "v": {"S": "kept"}}
    ddb.put_item(TableName=hash_table, Item=item)
    msg, reasons = cancelled(
        ddb.transact_write_items,
        TransactItems=[
            check(hash_table, a, "attribute_not_exists(v)", ReturnValuesOnConditionCheckFailure="ALL_OLD"),
            check(hash_table, b, "attribute_exists(v)", ReturnValuesOnConditionCheckFailure="ALL_OLD"),
        ],
    )
    assert msg.endswith("[ConditionalCheckFailed, ConditionalCheckFailed]")
    assert reasons[0] == {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed", "Item": item}
    # The absent item has nothing to return.
    assert reasons[1] == {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}


def test_update_type_error_is_a_validation_reason(ddb, hash_table):
    a = key()
    ddb.put_item(TableName=hash_table, Item={**a, "s": {"S": "text"}})
    msg, reasons = cancelled(
        ddb.transact_write_items,
        TransactItems=[
            put(hash_table, key()),
            update(hash_table, a, "ADD s :one", ExpressionAttributeValues=ONE),
        ],
    )
    assert msg.endswith("[None, ValidationError]")
    assert reasons[1]["Code"] == "ValidationError"
    assert reasons[1]["Message"] == "An operand in the update expression has an incorrect data type"


def test_one_item_at_most_once(ddb, hash_table):
    a = key()
    assert error(
        ddb.transact_write_items,
        TransactItems=[put(hash_table, a), check(hash_table, a, "attribute_exists(pk)")],
    )[:2] == ("ValidationException", "Transaction request cannot include multiple operations on one item")


def test_request_shape_errors(raw_ddb, ddb, hash_table):
    assert error(raw_ddb.transact_write_items, TransactItems=[])[:2] == (
        "ValidationException",
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )
    code, msg, _ = error(raw_ddb.transact_write_items, TransactItems=[put(hash_table, key())] * 101)
    assert code == "ValidationException"
    assert msg.startswith("1 validation error detected: Value ")
    assert msg.endswith("at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100")
    both = {**put(hash_table, key()), **delete(hash_table, key())}
    assert error(raw_ddb.transact_write_items, TransactItems=[both])[:2] == (
        "ValidationException",
        "TransactItems can only contain one of Check, Put, Update or Delete",
    )
    assert error(raw_ddb.transact_write_items, TransactItems=[{"Update": {"TableName": hash_table, "Key": key()}}])[:2] == (
        "ValidationException",
        "1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression' "
        "failed to satisfy constraint: Member must not be null",
    )
    assert error(ddb.transact_write_items, TransactItems=[delete(hash_table, {**key(), "x": {"S": "1"}})])[:2] == (
        "ValidationException",
        "The provided key element does not match the schema",
    )
    assert error(ddb.transact_write_items, TransactItems=[put("conf-missing-" + uuid.uuid4().hex[:8], key())])[:2] == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )
    assert error(
        ddb.transact_write_items,
        TransactItems=[update(hash_table, key(), "SET pk = :one", ExpressionAttributeValues=ONE)],
    )[:2] == (
        "ValidationException",
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
    )


def test_100_actions_at_once(ddb, hash_table):
    keys = [key() for _ in range(100)]
    ddb.transact_write_items(TransactItems=[put(hash_table, {**k, "i": {"N": str(i)}}) for i, k in enumerate(keys)])
    assert get(ddb, hash_table, keys[99])["i"] == {"N": "99"}


def test_consumed_capacity_is_doubled(ddb, hash_table, range_table):
    resp = ddb.transact_write_items(
        TransactItems=[
            put(hash_table, {**key(), "v": {"S": "x" * 1500}}),
            put(hash_table, key()),
            put(range_table, {"pk": {"S": "cap"}, "sk": {"N": "1"}}),
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    caps = {c["TableName"]: c["CapacityUnits"] for c in resp["ConsumedCapacity"]}
    assert caps == {hash_table: 6.0, range_table: 2.0}


def test_client_request_token_is_idempotent(ddb, hash_table):
    a = key()
    ddb.put_item(TableName=hash_table, Item={**a, "n": {"N": "0"}})
    token = uuid.uuid4().hex
    items = [update(hash_table, a, "ADD n :one", ExpressionAttributeValues=ONE)]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert get(ddb, hash_table, a)["n"] == {"N": "1"}
    other = [update(hash_table, a, "ADD n :two", ExpressionAttributeValues={":two": {"N": "2"}})]
    assert error(ddb.transact_write_items, TransactItems=other, ClientRequestToken=token)[:2] == (
        "IdempotentParameterMismatchException",
        "Specified idempotent token was used with different request parameters within the idempotency window",
    )
    assert get(ddb, hash_table, a)["n"] == {"N": "1"}
    # Another token runs again.
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=uuid.uuid4().hex)
    assert get(ddb, hash_table, a)["n"] == {"N": "2"}


def test_cancelled_request_does_not_bind_its_token(ddb, hash_table):
    a = key()
    token = uuid.uuid4().hex
    items = [put(hash_table, a, ConditionExpression="attribute_exists(pk)")]
    cancelled(ddb.transact_write_items, TransactItems=items, ClientRequestToken=token)
    ddb.put_item(TableName=hash_table, Item=a)
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)


def test_token_length(raw_ddb, hash_table):
    assert error(raw_ddb.transact_write_items, TransactItems=[put(hash_table, key())], ClientRequestToken="t" * 37)[:2] == (
        "ValidationException",
        f"1 validation error detected: Value '{'t' * 37}' at 'clientRequestToken' failed to satisfy "
        "constraint: Member must have length less than or equal to 36",
    )


def test_four_mb_of_items_at_most(ddb, hash_table):
    big = "x" * 390_000
    items = [put(hash_table, {**key(), "v": {"S": big}}) for _ in range(11)]
    code, msg, _ = error(ddb.transact_write_items, TransactItems=items)
    assert (code, msg) == (
        "ValidationException",
        "Transaction request size has exceeded the maximum allowed size of 4 MB",
    )
    assert get(ddb, hash_table, {"pk": items[0]["Put"]["Item"]["pk"]}) is None
    # Ten of them (3.9 MB) are fine.
    ddb.transact_write_items(TransactItems=items[:10])
    assert get(ddb, hash_table, {"pk": items[9]["Put"]["Item"]["pk"]})["v"] == {"S": big}


def test_concurrent_retries_with_one_token_apply_once(ddb, hash_table):
    import threading

    a = key()
    ddb.put_item(TableName=hash_table, Item={**a, "n": {"N": "0"}})
    token = uuid.uuid4().hex
    items = [update(hash_table, a, "ADD n :one", ExpressionAttributeValues=ONE)]
    errors = []

    def retry():
        try:
            ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
        except Exception as err:  # noqa: BLE001 - every failure is a test failure
            errors.append(err)

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert get(ddb, hash_table, a)["n"] == {"N": "1"}


def test_replay_reports_read_capacity(ddb, hash_table):
    a = key()
    token = uuid.uuid4().hex
    items = [put(hash_table, {**a, "v": {"S": "x" * 1500}})]
    first = ddb.transact_write_items(TransactItems=items, ClientRequestToken=token, ReturnConsumedCapacity="TOTAL")
    assert first["ConsumedCapacity"] == [{"TableName": hash_table, "CapacityUnits": 4.0}]
    again = ddb.transact_write_items(TransactItems=items, ClientRequestToken=token, ReturnConsumedCapacity="TOTAL")
    # The retry writes nothing; it reads the item transactionally (2 x 1 unit of 4 KB).
    assert again["ConsumedCapacity"] == [{"TableName": hash_table, "CapacityUnits": 2.0}]


def test_a_key_of_the_wrong_type_is_a_validation_reason(ddb, hash_table):
    msg, reasons = cancelled(
        ddb.transact_write_items,
        TransactItems=[
            put(hash_table, {"pk": {"N": "7"}}),
            put(hash_table, {"pk": {"N": "8"}}),
            check(hash_table, key(), "attribute_exists(pk)"),
        ],
    )
    assert msg.endswith("[ValidationError, None, None]")
    assert reasons[0] == {
        "Code": "ValidationError",
        "Message": "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
    }
    assert reasons[1] == {"Code": "None"}
