#!/usr/bin/env python3
"""extenddb sample application: the whole DynamoDB lifecycle with boto3.

  1. Create tables   SampleUsers (simple key), SampleOrders (key + sort key, a GSI) and
                     SampleTournamentMatches (GSIs with multi-attribute keys)
  2. Wait for ACTIVE poll DescribeTable until the tables and their indexes are ACTIVE
  3. Load data       PutItem and BatchWriteItem (unprocessed items retried)
  4. Query and scan  Query on base tables and GSIs (multi-attribute GSI keys too), Scan
  5. Update          UpdateItem with update expressions and conditions
  6. Batch read      BatchGetItem across tables
  7. Transactions    TransactWriteItems and TransactGetItems across tables
  8. Delete items    DeleteItem
  9. Drop tables     DeleteTable (also when anything above fails or is interrupted)

Every step checks what the server answered; the script exits 0 only when every check passed.

Configuration, from the environment as every AWS SDK reads it:
  EXTENDDB_ENDPOINT      the server (default https://127.0.0.1:8000); or --endpoint
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)   the access key to sign with
  AWS_CA_BUNDLE          the certificate to trust, e.g. ~/.extenddb/tls/cert.pem
  AWS_REGION / AWS_DEFAULT_REGION   default us-east-1

Run:  python3 samples/sample_app.py            (needs boto3: pip install boto3)
"""

import argparse
import os
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

USERS = "SampleUsers"
ORDERS = "SampleOrders"
MATCHES = "SampleTournamentMatches"
STEPS = ["create", "active", "load", "query", "update", "batch-get", "transactions", "delete"]


class CheckFailed(Exception):
    """A server answer differed from what DynamoDB answers."""


class SimulatedFailure(Exception):
    """Raised by --simulate-failure-after, to show that the tables are dropped anyway."""


class Sample:
    def __init__(self, client, wait_seconds):
        self.ddb = client
        self.wait_seconds = wait_seconds
        self.created = []
        self.checks = 0

    # --- helpers ---------------------------------------------------------------------------

    def check(self, what, actual, expected):
        self.checks += 1
        if actual != expected:
            raise CheckFailed(f"{what}: expected {expected!r}, got {actual!r}")
        print(f"    ok   {what}")

    def eventually(self, what, read, expected):
        """GSIs are eventually consistent: poll `read()` until it gives `expected`."""
        deadline = time.monotonic() + self.wait_seconds
        while True:
            actual = read()
            if actual == expected or time.monotonic() > deadline:
                return self.check(what, actual, expected)
            time.sleep(0.05)

    def expect_error(self, what, code, call):
        self.checks += 1
        try:
            call()
        except ClientError as e:
            got = e.response["Error"]["Code"]
            if got != code:
                raise CheckFailed(f"{what}: expected {code}, got {got}: {e}") from e
            print(f"    ok   {what} ({code})")
            return e.response
        raise CheckFailed(f"{what}: expected {code}, but the call succeeded")

    # --- 1. create tables ------------------------------------------------------------------

    def create_tables(self):
        self.create(
            TableName=USERS,
            AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
        )
        self.create(
            TableName=ORDERS,
            AttributeDefinitions=[
                {"AttributeName": "customer_id", "AttributeType": "S"},
                {"AttributeName": "order_id", "AttributeType": "S"},
                {"AttributeName": "status", "AttributeType": "S"},
                {"AttributeName": "order_date", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "customer_id", "KeyType": "HASH"},
                {"AttributeName": "order_id", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[{
                "IndexName": "StatusDateIndex",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "order_date", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }],
        )
        # Multi-attribute GSI keys: up to four partition-key and four sort-key attributes,
        # each its own typed attribute (no "TOURNAMENT#REGION" string concatenation).
        self.create(
            TableName=MATCHES,
            AttributeDefinitions=[
                {"AttributeName": "match_id", "AttributeType": "S"},
                {"AttributeName": "tournament_id", "AttributeType": "S"},
                {"AttributeName": "region", "AttributeType": "S"},
                {"AttributeName": "round", "AttributeType": "N"},
                {"AttributeName": "bracket", "AttributeType": "S"},
                {"AttributeName": "player1_id", "AttributeType": "S"},
                {"AttributeName": "match_date", "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": "match_id", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "TournamentRegionIndex",
                    "KeySchema": [
                        {"AttributeName": "tournament_id", "KeyType": "HASH"},
                        {"AttributeName": "region", "KeyType": "HASH"},
                        {"AttributeName": "round", "KeyType": "RANGE"},
                        {"AttributeName": "bracket", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "PlayerMatchHistoryIndex",
                    "KeySchema": [
                        {"AttributeName": "player1_id", "KeyType": "HASH"},
                        {"AttributeName": "match_date", "KeyType": "RANGE"},
                        {"AttributeName": "round", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
            ],
        )

    def create(self, **spec):
        name = spec["TableName"]
        try:
            self.ddb.create_table(BillingMode="PAY_PER_REQUEST", **spec)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceInUseException":
                raise CheckFailed(
                    f"table {name} already exists (left by an earlier run?); delete it with: "
                    f"aws dynamodb delete-table --table-name {name}") from e
            raise
        self.created.append(name)
        gsis = [g["IndexName"] for g in spec.get("GlobalSecondaryIndexes", [])]
        print(f"    created {name}" + (f" (GSIs: {', '.join(gsis)})" if gsis else ""))

    # --- 2. wait for ACTIVE ----------------------------------------------------------------

    def wait_active(self):
        deadline = time.monotonic() + max(self.wait_seconds, 60)
        for name in self.created:
            while True:
                table = self.ddb.describe_table(TableName=name)["Table"]
                states = [table["TableStatus"]] + [
                    g["IndexStatus"] for g in table.get("GlobalSecondaryIndexes", [])]
                if all(s == "ACTIVE" for s in states):
                    break
                if time.monotonic() > deadline:
                    raise CheckFailed(f"{name} not ACTIVE in time: {states}")
                time.sleep(0.5)
            self.check(f"{name} is ACTIVE", table["TableStatus"], "ACTIVE")

    # --- 3. load ---------------------------------------------------------------------------

    def load(self):
        users = [
            ("u1", "Alice", "alice@example.com", "active"),
            ("u2", "Bob", "bob@example.com", "active"),
            ("u3", "Carol", "carol@example.com", "suspended"),
        ]
        for uid, name, email, state in users:
            self.ddb.put_item(TableName=USERS, Item={
                "user_id": {"S": uid}, "name": {"S": name}, "email": {"S": email},
                "account_status": {"S": state}, "order_count": {"N": "0"},
            })
        print(f"    PutItem: {len(users)} users")
        orders = [
            ("u1", "o-1001", "SHIPPED", "2026-01-05", "25.50"),
            ("u1", "o-1002", "PENDING", "2026-01-09", "120"),
            ("u1", "o-1003", "SHIPPED", "2026-02-01", "9.99"),
            ("u2", "o-2001", "SHIPPED", "2026-01-20", "310"),
            ("u2", "o-2002", "CANCELLED", "2026-02-11", "42"),
        ]
        self.batch_write(ORDERS, [{
            "customer_id": {"S": c}, "order_id": {"S": o}, "status": {"S": s},
            "order_date": {"S": d}, "total": {"N": t},
        } for c, o, s, d, t in orders])
        matches = [
            ("m1", "T1", "EU", 1, "A", "p1", "2026-03-01"),
            ("m2", "T1", "EU", 1, "B", "p2", "2026-03-01"),
            ("m3", "T1", "EU", 2, "A", "p1", "2026-03-08"),
            ("m4", "T1", "US", 1, "A", "p3", "2026-03-02"),
            ("m5", "T2", "EU", 1, "A", "p1", "2026-04-01"),
            ("m6", "T1", "EU", 3, "A", "p2", "2026-03-15"),
        ]
        self.batch_write(MATCHES, [{
            "match_id": {"S": m}, "tournament_id": {"S": t}, "region": {"S": r},
            "round": {"N": str(n)}, "bracket": {"S": b}, "player1_id": {"S": p},
            "match_date": {"S": d},
        } for m, t, r, n, b, p, d in matches])
        self.check("GetItem u1 after PutItem",
                   self.ddb.get_item(TableName=USERS, Key={"user_id": {"S": "u1"}})["Item"]["name"],
                   {"S": "Alice"})

    def batch_write(self, table, items):
        requests = {table: [{"PutRequest": {"Item": item}} for item in items]}
        for attempt in range(8):
            left = self.ddb.batch_write_item(RequestItems=requests).get("UnprocessedItems", {})
            if not left:
                print(f"    BatchWriteItem: {len(items)} items into {table}")
                return
            requests = left
            time.sleep(0.05 * 2 ** attempt)
        raise CheckFailed(f"BatchWriteItem into {table}: items still unprocessed")

    # --- 4. query and scan -----------------------------------------------------------------

    def query_and_scan(self):
        def ids(resp, attr):
            return [i[attr]["S"] for i in resp["Items"]]

        self.check("Query SampleOrders customer u1 (base table, ascending order_id)", ids(
            self.ddb.query(TableName=ORDERS, KeyConditionExpression="customer_id = :c",
                           ExpressionAttributeValues={":c": {"S": "u1"}}), "order_id"),
            ["o-1001", "o-1002", "o-1003"])
        self.check("Query SampleOrders u1 with begins_with and a filter", ids(
            self.ddb.query(TableName=ORDERS,
                           KeyConditionExpression="customer_id = :c AND begins_with(order_id, :p)",
                           FilterExpression="#t > :min",
                           ExpressionAttributeNames={"#t": "total"},
                           ExpressionAttributeValues={":c": {"S": "u1"}, ":p": {"S": "o-10"},
                                                      ":min": {"N": "20"}}), "order_id"),
            ["o-1001", "o-1002"])
        self.eventually("Query GSI StatusDateIndex: SHIPPED orders by date", lambda: ids(
            self.ddb.query(TableName=ORDERS, IndexName="StatusDateIndex",
                           KeyConditionExpression="#s = :s",
                           ExpressionAttributeNames={"#s": "status"},
                           ExpressionAttributeValues={":s": {"S": "SHIPPED"}}), "order_id"),
            ["o-1001", "o-2001", "o-1003"])
        tr = {":t": {"S": "T1"}, ":r": {"S": "EU"}}
        names = {"#r": "region", "#n": "round"}
        self.eventually("Query multi-attribute GSI: tournament T1 AND region EU", lambda: ids(
            self.ddb.query(TableName=MATCHES, IndexName="TournamentRegionIndex",
                           KeyConditionExpression="tournament_id = :t AND #r = :r",
                           ExpressionAttributeNames={"#r": "region"},
                           ExpressionAttributeValues=tr), "match_id"),
            ["m1", "m2", "m3", "m6"])
        self.eventually("Query multi-attribute GSI: T1/EU round 1, bracket >= B", lambda: ids(
            self.ddb.query(TableName=MATCHES, IndexName="TournamentRegionIndex",
                           KeyConditionExpression="tournament_id = :t AND #r = :r AND #n = :n "
                                                  "AND bracket >= :b",
                           ExpressionAttributeNames=names,
                           ExpressionAttributeValues={**tr, ":n": {"N": "1"}, ":b": {"S": "B"}}),
            "match_id"), ["m2"])
        self.eventually("Query multi-attribute GSI: T1/EU rounds >= 2, newest first", lambda: ids(
            self.ddb.query(TableName=MATCHES, IndexName="TournamentRegionIndex",
                           KeyConditionExpression="tournament_id = :t AND #r = :r AND #n >= :n",
                           ExpressionAttributeNames={"#r": "region", "#n": "round"},
                           ExpressionAttributeValues={**tr, ":n": {"N": "2"}},
                           ScanIndexForward=False), "match_id"), ["m6", "m3"])
        self.eventually("Query GSI PlayerMatchHistoryIndex: player p1's matches by date", lambda: ids(
            self.ddb.query(TableName=MATCHES, IndexName="PlayerMatchHistoryIndex",
                           KeyConditionExpression="player1_id = :p",
                           ExpressionAttributeValues={":p": {"S": "p1"}}), "match_id"),
            ["m1", "m3", "m5"])
        users = self.ddb.scan(TableName=USERS)["Items"]
        self.check("Scan SampleUsers", sorted(i["user_id"]["S"] for i in users), ["u1", "u2", "u3"])
        scanned = self.ddb.scan(TableName=ORDERS, FilterExpression="#t >= :min",
                                ExpressionAttributeNames={"#t": "total"},
                                ExpressionAttributeValues={":min": {"N": "100"}})
        self.check("Scan SampleOrders with a filter (total >= 100)",
                   sorted(ids(scanned, "order_id")), ["o-1002", "o-2001"])

    # --- 5. update -------------------------------------------------------------------------

    def update(self):
        new = self.ddb.update_item(
            TableName=USERS, Key={"user_id": {"S": "u1"}},
            UpdateExpression="SET email = :e, last_login = :now ADD login_count :one",
            ConditionExpression="attribute_exists(user_id) AND account_status = :active",
            ExpressionAttributeValues={":e": {"S": "alice@new.example.com"},
                                       ":now": {"S": "2026-03-01T10:00:00Z"},
                                       ":one": {"N": "1"}, ":active": {"S": "active"}},
            ReturnValues="ALL_NEW")["Attributes"]
        self.check("UpdateItem u1 (condition true): email and login_count",
                   (new["email"]["S"], new["login_count"]["N"]), ("alice@new.example.com", "1"))
        self.expect_error(
            "UpdateItem u3 with condition account_status = active refused",
            "ConditionalCheckFailedException",
            lambda: self.ddb.update_item(
                TableName=USERS, Key={"user_id": {"S": "u3"}},
                UpdateExpression="SET email = :e", ConditionExpression="account_status = :active",
                ExpressionAttributeValues={":e": {"S": "x@example.com"}, ":active": {"S": "active"}}))
        self.check("u3 unchanged after the refused update", self.ddb.get_item(
            TableName=USERS, Key={"user_id": {"S": "u3"}})["Item"]["email"]["S"], "carol@example.com")
        moved = self.ddb.update_item(
            TableName=ORDERS, Key={"customer_id": {"S": "u1"}, "order_id": {"S": "o-1002"}},
            UpdateExpression="SET #s = :shipped", ConditionExpression="#s = :pending",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":shipped": {"S": "SHIPPED"}, ":pending": {"S": "PENDING"}},
            ReturnValues="UPDATED_OLD")["Attributes"]
        self.check("UpdateItem o-1002 PENDING -> SHIPPED (UPDATED_OLD)", moved, {"status": {"S": "PENDING"}})
        self.eventually("the GSI follows the update: SHIPPED orders", lambda: [
            i["order_id"]["S"] for i in self.ddb.query(
                TableName=ORDERS, IndexName="StatusDateIndex", KeyConditionExpression="#s = :s",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": {"S": "SHIPPED"}})["Items"]],
            ["o-1001", "o-1002", "o-2001", "o-1003"])

    # --- 6. batch read ---------------------------------------------------------------------

    def batch_get(self):
        request = {
            USERS: {"Keys": [{"user_id": {"S": "u1"}}, {"user_id": {"S": "u2"}},
                             {"user_id": {"S": "nobody"}}],
                    "ProjectionExpression": "user_id, #n",
                    "ExpressionAttributeNames": {"#n": "name"}},
            ORDERS: {"Keys": [{"customer_id": {"S": "u2"}, "order_id": {"S": "o-2001"}}]},
        }
        found = {USERS: [], ORDERS: []}
        for _ in range(8):
            resp = self.ddb.batch_get_item(RequestItems=request)
            for table, items in resp["Responses"].items():
                found[table].extend(items)
            request = resp.get("UnprocessedKeys") or {}
            if not request:
                break
        self.check("BatchGetItem SampleUsers (projection; a missing key is skipped)",
                   sorted((i["user_id"]["S"], i["name"]["S"]) for i in found[USERS]),
                   [("u1", "Alice"), ("u2", "Bob")])
        self.check("BatchGetItem SampleOrders", [i["total"]["N"] for i in found[ORDERS]], ["310"])

    # --- 7. transactions -------------------------------------------------------------------

    def transactions(self):
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": ORDERS, "Item": {
                "customer_id": {"S": "u2"}, "order_id": {"S": "o-2003"}, "status": {"S": "PENDING"},
                "order_date": {"S": "2026-03-02"}, "total": {"N": "77"}},
                "ConditionExpression": "attribute_not_exists(order_id)"}},
            {"Update": {"TableName": USERS, "Key": {"user_id": {"S": "u2"}},
                        "UpdateExpression": "ADD order_count :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": MATCHES, "Key": {"match_id": {"S": "m1"}},
                                "ConditionExpression": "attribute_exists(match_id)"}},
        ])
        print("    TransactWriteItems: Put order + Update user + ConditionCheck match")
        got = self.ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": USERS, "Key": {"user_id": {"S": "u2"}}}},
            {"Get": {"TableName": ORDERS, "Key": {"customer_id": {"S": "u2"},
                                                  "order_id": {"S": "o-2003"}}}},
            {"Get": {"TableName": MATCHES, "Key": {"match_id": {"S": "m1"}}}},
        ])["Responses"]
        self.check("TransactGetItems across three tables",
                   (got[0]["Item"]["order_count"]["N"], got[1]["Item"]["total"]["N"],
                    got[2]["Item"]["tournament_id"]["S"]), ("1", "77", "T1"))
        err = self.expect_error(
            "TransactWriteItems with a false condition is cancelled as a whole",
            "TransactionCanceledException",
            lambda: self.ddb.transact_write_items(TransactItems=[
                {"Update": {"TableName": USERS, "Key": {"user_id": {"S": "u2"}},
                            "UpdateExpression": "ADD order_count :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                {"ConditionCheck": {"TableName": MATCHES, "Key": {"match_id": {"S": "no-such"}},
                                    "ConditionExpression": "attribute_exists(match_id)"}},
            ]))
        reasons = [r["Code"] for r in err.get("CancellationReasons", [])]
        self.check("cancellation reasons", reasons, ["None", "ConditionalCheckFailed"])
        self.check("nothing of the cancelled transaction was written", self.ddb.get_item(
            TableName=USERS, Key={"user_id": {"S": "u2"}}, ConsistentRead=True)["Item"]["order_count"]["N"], "1")

    # --- 8. delete items -------------------------------------------------------------------

    def delete_items(self):
        key = {"customer_id": {"S": "u2"}, "order_id": {"S": "o-2002"}}
        old = self.ddb.delete_item(TableName=ORDERS, Key=key, ReturnValues="ALL_OLD")["Attributes"]
        self.check("DeleteItem o-2002 returns the old item", old["status"]["S"], "CANCELLED")
        self.check("o-2002 is gone", "Item" in self.ddb.get_item(TableName=ORDERS, Key=key), False)
        self.expect_error(
            "DeleteItem with a false condition refused", "ConditionalCheckFailedException",
            lambda: self.ddb.delete_item(TableName=USERS, Key={"user_id": {"S": "u1"}},
                                         ConditionExpression="account_status = :s",
                                         ExpressionAttributeValues={":s": {"S": "suspended"}}))

    # --- 9. drop tables --------------------------------------------------------------------

    def drop_tables(self):
        """Deletes every table this run created and waits until they are gone; never raises
        (it runs on failure and on Ctrl-C too)."""
        ok = True
        deleting = []
        for name in list(self.created):
            try:
                self.ddb.delete_table(TableName=name)
                deleting.append(name)
            except ClientError as e:
                if e.response["Error"]["Code"] != "ResourceNotFoundException":
                    ok = False
                    print(f"    could not delete {name}: {e}", file=sys.stderr)
            except Exception as e:  # noqa: BLE001 - cleanup must go on
                ok = False
                print(f"    could not delete {name}: {e}", file=sys.stderr)
        deadline = time.monotonic() + 120
        for name in deleting:
            while True:
                try:
                    self.ddb.describe_table(TableName=name)
                except ClientError as e:
                    if e.response["Error"]["Code"] == "ResourceNotFoundException":
                        print(f"    deleted {name}")
                        break
                    ok = False
                    print(f"    {name}: {e}", file=sys.stderr)
                    break
                except Exception as e:  # noqa: BLE001
                    ok = False
                    print(f"    {name}: {e}", file=sys.stderr)
                    break
                if time.monotonic() > deadline:
                    ok = False
                    print(f"    {name} still DELETING after 120 s", file=sys.stderr)
                    break
                time.sleep(0.25)
        self.created = []
        return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", default=os.environ.get("EXTENDDB_ENDPOINT",
                                                             "https://127.0.0.1:8000"),
                        help="server URL (default: $EXTENDDB_ENDPOINT or https://127.0.0.1:8000)")
    parser.add_argument("--wait-seconds", type=float, default=10.0,
                        help="how long to wait for eventually consistent GSI reads (default 10)")
    parser.add_argument("--simulate-failure-after", choices=STEPS, metavar="STEP",
                        help="raise an error after STEP (one of %(choices)s) to see the cleanup")
    args = parser.parse_args()
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    client = boto3.client("dynamodb", endpoint_url=args.endpoint, region_name=region,
                          # Retries: the SDK's standard mode (3 attempts, or AWS_MAX_ATTEMPTS).
                          config=Config(retries={"mode": "standard"}))
    print(f"extenddb sample application: {args.endpoint} ({region}"
          f"{', CA bundle ' + os.environ['AWS_CA_BUNDLE'] if os.environ.get('AWS_CA_BUNDLE') else ''})")
    sample = Sample(client, args.wait_seconds)
    plan = [
        ("create", "Create tables", sample.create_tables),
        ("active", "Wait for ACTIVE", sample.wait_active),
        ("load", "Load data (PutItem, BatchWriteItem)", sample.load),
        ("query", "Query base tables and GSIs, Scan", sample.query_and_scan),
        ("update", "UpdateItem with conditions", sample.update),
        ("batch-get", "BatchGetItem across tables", sample.batch_get),
        ("transactions", "TransactWriteItems and TransactGetItems across tables",
         sample.transactions),
        ("delete", "DeleteItem", sample.delete_items),
    ]
    failure = None
    try:
        for i, (step, title, run) in enumerate(plan, 1):
            print(f"[{i}/{len(plan) + 1}] {title}")
            run()
            if args.simulate_failure_after == step:
                raise SimulatedFailure(f"simulated failure after step '{step}'")
    except KeyboardInterrupt:
        failure = "interrupted"
    except (CheckFailed, SimulatedFailure) as e:
        failure = str(e)
    except ClientError as e:
        failure = f"{e.operation_name}: {e.response['Error']['Code']}: {e.response['Error'].get('Message', '')}"
    except Exception as e:  # noqa: BLE001 - reported, then the tables are dropped
        failure = f"{type(e).__name__}: {e}"
    finally:
        print(f"[{len(plan) + 1}/{len(plan) + 1}] Drop tables (DeleteTable)")
        cleaned = sample.drop_tables()
    if failure:
        print(f"FAILED: {failure} ({sample.checks} checks run before it)", file=sys.stderr)
        return 1
    if not cleaned:
        print("FAILED: some tables could not be deleted", file=sys.stderr)
        return 1
    print(f"All {sample.checks} checks passed; tables dropped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
