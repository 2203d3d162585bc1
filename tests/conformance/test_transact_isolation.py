"""Isolation of transactions: many clients transfer money between overlapping accounts with
TransactWriteItems while others update the same items one at a time and read all accounts with
TransactGetItems. The sum of balances never changes, and no reader ever sees a transfer half
done."""

import random
import threading

from botocore.exceptions import ClientError

ACCOUNTS = 8
START = 1000
WRITERS = 6
TRANSFERS = 40
READS = 60


def _acct(i):
    return {"pk": {"S": f"acct-{i}"}}


def _transfer(client, table, rng):
    src, dst = rng.sample(range(ACCOUNTS), 2)
    amount = {":a": {"N": str(rng.randint(1, 50))}}
    client.transact_write_items(
        TransactItems=[
            {"Update": {"TableName": table, "Key": _acct(src), "UpdateExpression": "SET balance = balance - :a",
                        "ConditionExpression": "balance >= :a", "ExpressionAttributeValues": amount}},
            {"Update": {"TableName": table, "Key": _acct(dst), "UpdateExpression": "SET balance = balance + :a",
                        "ExpressionAttributeValues": amount}},
        ]
    )


def test_transfers_keep_the_sum_constant(ddb, tables, endpoint):
    table = tables.hash_table(label="iso")
    for i in range(ACCOUNTS):
        ddb.put_item(TableName=table, Item={**_acct(i), "balance": {"N": str(START)}, "touches": {"N": "0"}})
    total = ACCOUNTS * START
    failures = []
    done = {"transfers": 0, "cancelled": 0, "reads": 0, "touches": 0}
    lock = threading.Lock()

    def count(what):
        with lock:
            done[what] += 1

    def writer(seed):
        rng = random.Random(seed)
        for _ in range(TRANSFERS):
            try:
                _transfer(ddb, table, rng)
                count("transfers")
            except ClientError as err:
                code = err.response["Error"]["Code"]
                if code in ("TransactionCanceledException", "TransactionConflictException"):
                    count("cancelled")
                else:
                    failures.append(f"transfer: {code} {err}")

    def toucher(seed):
        rng = random.Random(seed)
        for _ in range(TRANSFERS):
            try:
                ddb.update_item(TableName=table, Key=_acct(rng.randrange(ACCOUNTS)),
                                UpdateExpression="ADD touches :one",
                                ExpressionAttributeValues={":one": {"N": "1"}})
                count("touches")
            except ClientError as err:
                failures.append(f"touch: {err}")

    def reader():
        for _ in range(READS):
            resp = ddb.transact_get_items(
                TransactItems=[{"Get": {"TableName": table, "Key": _acct(i)}} for i in range(ACCOUNTS)]
            )
            balances = [int(r["Item"]["balance"]["N"]) for r in resp["Responses"]]
            if sum(balances) != total:
                failures.append(f"partial state seen: {balances}")
            if min(balances) < 0:
                failures.append(f"negative balance: {balances}")
            count("reads")

    threads = [threading.Thread(target=writer, args=(s,)) for s in range(WRITERS)]
    threads += [threading.Thread(target=toucher, args=(100 + s,)) for s in range(2)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert failures == []
    assert done["transfers"] > 0 and done["reads"] == 2 * READS
    assert done["transfers"] + done["cancelled"] == WRITERS * TRANSFERS
    final = ddb.scan(TableName=table, ConsistentRead=True)["Items"]
    assert sum(int(i["balance"]["N"]) for i in final) == total
    assert sum(int(i["touches"]["N"]) for i in final) == done["touches"] == 2 * TRANSFERS
