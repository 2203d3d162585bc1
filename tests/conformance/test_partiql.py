"""PartiQL's ExecuteStatement: every statement form (SELECT with projections, WHERE on keys and
non-keys, "table"."index", ORDER BY, Limit/NextToken, ConsistentRead; INSERT; UPDATE with SET,
REMOVE, arithmetic, list_append, set_add, set_delete and RETURNING; DELETE with RETURNING;
parameters; the operators and functions) and its errors, with DynamoDB's texts (captured from
DynamoDB: paritysuite/dynamodb-conformance's PartiQL files, DynamoDB Local's catalogue)."""

import pytest

from item_helpers import get
from support import expect_error, expect_validation

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"


def run(client, statement, **extra):
    return client.execute_statement(Statement=statement, **extra)


def items(client, statement, **extra):
    return run(client, statement, **extra)["Items"]


def all_items(client, statement, **extra):
    """Every item of a SELECT, following NextToken."""
    out, token = [], None
    while True:
        kwargs = dict(extra)
        if token:
            kwargs["NextToken"] = token
        page = run(client, statement, **kwargs)
        out.extend(page["Items"])
        token = page.get("NextToken")
        if not token:
            return out


@pytest.fixture(scope="module")
def music(ddb, range_table):
    """range_table (pk S, sk N) holding three artists' songs, and a hash-key item or two."""
    for pk, sk, extra in [
        ("acme", 1, {"title": {"S": "Happy Day"}, "plays": {"N": "10"}, "tags": {"SS": ["a", "b"]}}),
        ("acme", 2, {"title": {"S": "PartiQL Rocks"}, "plays": {"N": "3"}}),
        ("acme", 3, {"title": {"S": "Hello"}, "plays": {"N": "7"}, "nul": {"NULL": True}}),
        ("bee", 1, {"title": {"S": "Buzz"}, "plays": {"N": "1"}, "m": {"M": {"sub": {"S": "x"}}}}),
        ("cat", 5, {"title": {"S": "Meow"}, "l": {"L": [{"N": "1"}, {"S": "two"}]}}),
    ]:
        ddb.put_item(TableName=range_table, Item={"pk": {"S": pk}, "sk": {"N": str(sk)}, **extra})
    return range_table


def sks(found):
    return [(i["pk"]["S"], int(i["sk"]["N"])) for i in found]


# --- SELECT ---------------------------------------------------------------------------------


def test_select_by_partition_in_sort_key_order(ddb, music):
    found = items(ddb, f'SELECT * FROM "{music}" WHERE pk = \'acme\'')
    assert sks(found) == [("acme", 1), ("acme", 2), ("acme", 3)]
    assert found[0]["tags"] == {"SS": ["a", "b"]}


def test_select_projection_and_nested_paths(ddb, music):
    found = items(ddb, f'SELECT title, plays FROM "{music}" WHERE pk = \'acme\' AND sk = 1')
    assert found == [{"title": {"S": "Happy Day"}, "plays": {"N": "10"}}]
    # A nested path comes back under its last name, a list element with its index.
    found = items(ddb, f'SELECT m.sub FROM "{music}" WHERE pk = \'bee\'')
    assert found == [{"sub": {"S": "x"}}]
    found = items(ddb, f'SELECT l[1] FROM "{music}" WHERE pk = \'cat\'')
    assert found == [{"l[1]": {"S": "two"}}]


def test_select_sort_key_conditions(ddb, music):
    table = f'"{music}"'
    assert sks(items(ddb, f"SELECT * FROM {table} WHERE pk = 'acme' AND sk > 1")) == [("acme", 2), ("acme", 3)]
    assert sks(items(ddb, f"SELECT * FROM {table} WHERE pk = 'acme' AND sk BETWEEN 2 AND 3")) == [("acme", 2), ("acme", 3)]
    assert sks(items(ddb, f"SELECT * FROM {table} WHERE pk = 'acme' AND 2 >= sk")) == [("acme", 1), ("acme", 2)]
    assert sks(items(ddb, f"SELECT * FROM {table} WHERE pk IN ['bee', 'cat']")) == [("bee", 1), ("cat", 5)]


def test_select_order_by_sort_key(ddb, music):
    found = items(ddb, f'SELECT * FROM "{music}" WHERE pk = \'acme\' ORDER BY sk DESC')
    assert sks(found) == [("acme", 3), ("acme", 2), ("acme", 1)]
    found = items(ddb, f'SELECT * FROM "{music}" WHERE pk = \'acme\' ORDER BY sk ASC')
    assert sks(found) == [("acme", 1), ("acme", 2), ("acme", 3)]
    expect_validation(
        lambda: run(ddb, f'SELECT * FROM "{music}" ORDER BY sk'),
        "Must have WHERE clause in the statement when using ORDER BY clause.",
    )
    expect_validation(
        lambda: run(ddb, f'SELECT * FROM "{music}" WHERE plays > 1 ORDER BY sk'),
        "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.",
    )
    expect_validation(
        lambda: run(ddb, f'SELECT * FROM "{music}" WHERE pk = \'acme\' ORDER BY plays'),
        "Variable reference plays in ORDER BY clause must be part of the primary key",
    )


def test_select_non_key_filters_and_full_scan(ddb, music):
    table = f'"{music}"'
    found = items(ddb, f"SELECT * FROM {table} WHERE pk = 'acme' AND plays > 5")
    assert sks(found) == [("acme", 1), ("acme", 3)]
    # No key condition: a full scan with the WHERE clause as its filter.
    found = all_items(ddb, f"SELECT pk, sk FROM {table} WHERE plays < 4")
    assert sorted(sks(found)) == [("acme", 2), ("bee", 1)]
    found = all_items(ddb, f"SELECT * FROM {table} WHERE title = 'Hello' OR title = 'Meow'")
    assert sorted(sks(found)) == [("acme", 3), ("cat", 5)]


@pytest.mark.parametrize(
    "condition,expected",
    [
        ("attribute_exists(tags)", [1]),
        ("attribute_not_exists(tags)", [2, 3]),
        ("begins_with(title, 'H')", [1, 3]),
        ("contains(title, 'Rock')", [2]),
        ("contains(tags, 'b')", [1]),
        ("size(title) = 5", [3]),
        ("attribute_type(plays, 'N')", [1, 2, 3]),
        ("tags IS MISSING", [2, 3]),
        ("tags IS NOT MISSING", [1]),
        ("nul IS NULL", [3]),
        ("nul IS NOT NULL", [1, 2]),
        ("title IS STRING", [1, 2, 3]),
        ("plays IN [3, 7]", [2, 3]),
        ("plays NOT IN [3, 7]", [1]),
        ("plays BETWEEN 3 AND 7", [2, 3]),
        ("NOT plays = 3", [1, 3]),
        ("plays <> 3 AND plays != 7", [1]),
        ("tags = <<'b', 'a'>>", [1]),
    ],
)
def test_select_operators_and_functions(ddb, music, condition, expected):
    found = items(ddb, f'SELECT sk FROM "{music}" WHERE pk = \'acme\' AND {condition}')
    assert [int(i["sk"]["N"]) for i in found] == expected


def test_select_parameters(ddb, music):
    found = items(
        ddb,
        f'SELECT title FROM "{music}" WHERE pk = ? AND sk = ?',
        Parameters=[{"S": "acme"}, {"N": "2"}],
    )
    assert found == [{"title": {"S": "PartiQL Rocks"}}]


def test_select_limit_and_next_token(ddb, music):
    page = run(ddb, f'SELECT * FROM "{music}" WHERE pk = \'acme\'', Limit=2, ConsistentRead=True)
    assert sks(page["Items"]) == [("acme", 1), ("acme", 2)]
    assert page["LastEvaluatedKey"] == {"pk": {"S": "acme"}, "sk": {"N": "2"}}
    rest = run(ddb, f'SELECT * FROM "{music}" WHERE pk = \'acme\'', Limit=2, NextToken=page["NextToken"])
    assert sks(rest["Items"]) == [("acme", 3)]
    assert "NextToken" not in rest
    # A token belongs to its statement.
    expect_validation(
        lambda: run(ddb, f'SELECT * FROM "{music}" WHERE pk = \'bee\'', NextToken=page["NextToken"]),
        "NextToken does not match request",
    )
    expect_validation(lambda: run(ddb, f'SELECT * FROM "{music}"', NextToken="nope"), "Invalid NextToken")
    # Limit counts items read, before the filter (as Query and Scan do).
    page = run(ddb, f'SELECT * FROM "{music}" WHERE pk = \'acme\' AND plays = 7', Limit=2)
    assert page["Items"] == []
    assert "NextToken" in page
    # Across the partitions of an IN, page by page.
    found = all_items(ddb, f'SELECT sk FROM "{music}" WHERE pk IN [\'acme\', \'bee\']', Limit=1)
    assert [int(i["sk"]["N"]) for i in found] == [1, 2, 3, 1]


def test_select_consumed_capacity(ddb, music):
    resp = run(ddb, f'SELECT * FROM "{music}" WHERE pk = \'bee\'', ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": music, "CapacityUnits": 0.5}
    resp = run(ddb, f'SELECT * FROM "{music}" WHERE pk = \'bee\'', ReturnConsumedCapacity="TOTAL",
               ConsistentRead=True)
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_select_through_indexes(ddb, tables):
    name, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "city", "AttributeType": "S"},
            {"AttributeName": "age", "AttributeType": "N"},
        ],
        label="pqidx",
        GlobalSecondaryIndexes=[{
            "IndexName": "byCity",
            "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}, {"AttributeName": "age", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
        LocalSecondaryIndexes=[{
            "IndexName": "byAge",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "age", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
    )
    for sk, city, age in [("a", "Paris", 31), ("b", "Paris", 25), ("c", "Rome", 40)]:
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"S": sk}, "city": {"S": city},
                                          "age": {"N": str(age)}, "note": {"S": sk + "!"}})
    found = items(ddb, f'SELECT * FROM "{name}"."byCity" WHERE city = \'Paris\'')
    assert [i["sk"]["S"] for i in found] == ["b", "a"]
    assert "note" not in found[0]
    found = items(ddb, f'SELECT sk FROM "{name}"."byCity" WHERE city = \'Paris\' AND age > 30')
    assert found == [{"sk": {"S": "a"}}]
    # Without the index's partition key: a scan of the index.
    found = all_items(ddb, f'SELECT sk FROM "{name}"."byCity" WHERE age > 30')
    assert sorted(i["sk"]["S"] for i in found) == ["a", "c"]
    expect_validation(
        lambda: run(ddb, f'SELECT note FROM "{name}"."byCity" WHERE city = \'Paris\''),
        "One or more parameter values were invalid: Global secondary index byCity does not project [note]",
    )
    expect_validation(
        lambda: run(ddb, f'SELECT * FROM "{name}"."byCity" WHERE city = \'Paris\'', ConsistentRead=True),
        "Strongly consistent read is not supported on Global Secondary Indexes",
    )
    # An LSI reaches attributes outside its projection, and reads consistently.
    found = items(ddb, f'SELECT note FROM "{name}"."byAge" WHERE pk = \'p\' AND age < 35', ConsistentRead=True)
    assert found == [{"note": {"S": "b!"}}, {"note": {"S": "a!"}}]
    expect_validation(
        lambda: run(ddb, f'SELECT * FROM "{name}"."nope" WHERE pk = \'p\''),
        "The table does not have the specified index: nope",
    )


# --- INSERT, UPDATE, DELETE -----------------------------------------------------------------


def test_insert_and_duplicate(ddb, hash_table):
    resp = run(ddb, f"INSERT INTO \"{hash_table}\" VALUE {{'pk': 'pq-ins', 'n': 1.50, 'b': TRUE, "
                    f"'z': NULL, 'l': [1, 'a'], 'm': {{'k': 'v'}}, 'ss': <<'x', 'y'>>, 'ns': <<1, 2>>}}")
    assert resp["Items"] == []
    assert get(ddb, hash_table, {"pk": {"S": "pq-ins"}}) == {
        "pk": {"S": "pq-ins"}, "n": {"N": "1.5"}, "b": {"BOOL": True}, "z": {"NULL": True},
        "l": {"L": [{"N": "1"}, {"S": "a"}]}, "m": {"M": {"k": {"S": "v"}}},
        "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]},
    }
    expect_error(
        lambda: run(ddb, f"INSERT INTO \"{hash_table}\" VALUE {{'pk': 'pq-ins'}}"),
        "DuplicateItemException",
        "Duplicate primary key exists in table",
    )
    expect_validation(
        lambda: run(ddb, f"INSERT INTO \"{hash_table}\" VALUE {{'n': 1}}"),
        "Key attribute should be present in the item: Key pk",
    )
    expect_validation(
        lambda: run(ddb, f"INSERT INTO \"{hash_table}\" VALUE {{'pk': 'x'}} RETURNING ALL OLD *"),
        "RETURNING is not supported in INSERT",
    )
    resp = run(ddb, f"INSERT INTO \"{hash_table}\" VALUE {{'pk': ?, 'v': ?}}",
               Parameters=[{"S": "pq-ins-p"}, {"B": b"\x01"}])
    assert get(ddb, hash_table, {"pk": {"S": "pq-ins-p"}})["v"] == {"B": b"\x01"}


def test_update_forms_and_returning(ddb, hash_table):
    key = {"pk": {"S": "pq-upd"}}
    ddb.put_item(TableName=hash_table, Item={**key, "n": {"N": "1"}, "l": {"L": [{"N": "1"}]},
                                             "s": {"SS": ["a", "b"]}, "gone": {"S": "x"}})
    t = f'"{hash_table}"'
    resp = run(ddb, f"UPDATE {t} SET n = n + 2, l = list_append(l, [2]) SET s = set_add(s, <<'c'>>) "
                    f"REMOVE gone WHERE pk = 'pq-upd' RETURNING ALL NEW *")
    assert resp["Items"] == [{**key, "n": {"N": "3"}, "l": {"L": [{"N": "1"}, {"N": "2"}]},
                              "s": {"SS": ["a", "b", "c"]}}]
    resp = run(ddb, f"UPDATE {t} SET n = n - 1 SET s = set_delete(s, <<'a'>>) WHERE pk = 'pq-upd' "
                    f"RETURNING MODIFIED OLD *")
    assert resp["Items"] == [{"n": {"N": "3"}, "s": {"SS": ["a", "b", "c"]}}]
    resp = run(ddb, f"UPDATE {t} SET added = 'x' WHERE pk = 'pq-upd' RETURNING MODIFIED NEW *")
    assert resp["Items"] == [{"added": {"S": "x"}}]
    resp = run(ddb, f"UPDATE {t} SET added2 = 'y' WHERE pk = 'pq-upd' RETURNING MODIFIED OLD *")
    assert resp["Items"] == []
    resp = run(ddb, f"UPDATE {t} SET m = 1 WHERE pk = 'pq-upd' RETURNING ALL OLD *")
    assert "m" not in resp["Items"][0]
    resp = run(ddb, f"FROM {t} WHERE pk = 'pq-upd' SET ff = 1 REMOVE added")
    assert resp["Items"] == []
    item = get(ddb, hash_table, key)
    assert item["ff"] == {"N": "1"} and "added" not in item
    assert item["s"] == {"SS": ["b", "c"]}


def test_update_conditions(ddb, hash_table):
    t = f'"{hash_table}"'
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "pq-upc"}, "n": {"N": "5"}})
    # A further condition that holds, and one that does not.
    run(ddb, f"UPDATE {t} SET n = 6 WHERE pk = 'pq-upc' AND n = 5")
    err = expect_error(
        lambda: run(ddb, f"UPDATE {t} SET n = 7 WHERE pk = 'pq-upc' AND n = 5",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD"),
        "ConditionalCheckFailedException",
        "The conditional request failed",
    )
    assert err.response["Item"] == {"pk": {"S": "pq-upc"}, "n": {"N": "6"}}
    # An UPDATE needs the item: a missing key fails its condition and creates nothing.
    expect_error(
        lambda: run(ddb, f"UPDATE {t} SET n = 1 WHERE pk = 'pq-upc-absent'"),
        "ConditionalCheckFailedException",
        "The conditional request failed",
    )
    assert get(ddb, hash_table, {"pk": {"S": "pq-upc-absent"}}) is None
    expect_validation(lambda: run(ddb, f"UPDATE {t} SET n = 1 WHERE n = 6"), INCOMPLETE_KEY)
    expect_validation(lambda: run(ddb, f"UPDATE {t} SET n = 1 WHERE pk = 'a' OR pk = 'b'"), INCOMPLETE_KEY)
    expect_validation(
        lambda: run(ddb, f"UPDATE {t} SET n = 1 WHERE pk = 'a' AND pk = 'b'"),
        "Multiple conditions on same key pk. Only single item Update/Insert/Delete are supported",
    )
    expect_validation(
        lambda: run(ddb, f"UPDATE {t} SET pk = 'b' WHERE pk = 'pq-upc'"),
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
    )
    expect_validation(
        lambda: run(ddb, f"UPDATE {t} SET s = 'x' WHERE pk = 'pq-upc' AND s = 'y' OR n = 1"),
        INCOMPLETE_KEY,
    )


def test_update_needs_the_whole_key(ddb, range_table):
    expect_validation(
        lambda: run(ddb, f"UPDATE \"{range_table}\" SET a = 1 WHERE pk = 'x'"), INCOMPLETE_KEY
    )
    expect_validation(
        lambda: run(ddb, f"DELETE FROM \"{range_table}\" WHERE pk = 'x' AND sk > 1"), INCOMPLETE_KEY
    )


def test_set_function_errors(ddb, hash_table):
    t = f'"{hash_table}"'
    stmt = f"UPDATE {t} SET t = set_add(s, <<'x'>>) WHERE pk = 'pq-set'"
    col = stmt.index("set_add") + 1
    expect_validation(lambda: run(ddb, stmt),
                      f"The first argument to SET_ADD must equal the assignment value at 1:{col}:7")
    stmt = f"UPDATE {t} SET s = set_add(s, 'x') WHERE pk = 'pq-set'"
    col = stmt.index("set_add(") + len("set_add(") + 1
    expect_validation(lambda: run(ddb, stmt),
                      f"The second argument to SET_ADD must be a value with type SET at 1:{col}:1")
    expect_validation(lambda: run(ddb, f"UPDATE {t} SET s = set_add(s, <<>>) WHERE pk = 'pq-set'"),
                      "Empty bags are not supported")


def test_delete_and_returning(ddb, hash_table):
    t = f'"{hash_table}"'
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "pq-del"}, "v": {"S": "x"}})
    expect_error(lambda: run(ddb, f"DELETE FROM {t} WHERE pk = 'pq-del' AND v = 'y'"),
                 "ConditionalCheckFailedException", "The conditional request failed")
    assert get(ddb, hash_table, {"pk": {"S": "pq-del"}}) is not None
    resp = run(ddb, f"DELETE FROM {t} WHERE pk = 'pq-del' RETURNING ALL OLD *")
    assert resp["Items"] == [{"pk": {"S": "pq-del"}, "v": {"S": "x"}}]
    assert get(ddb, hash_table, {"pk": {"S": "pq-del"}}) is None
    # A missing item: nothing to delete, its condition unchecked.
    assert run(ddb, f"DELETE FROM {t} WHERE pk = 'pq-del' AND v = 'y'")["Items"] == []
    expect_validation(
        lambda: run(ddb, f"DELETE FROM {t} WHERE pk = 'pq-del' RETURNING MODIFIED OLD *"),
        "Invalid returning clause: RETURNING MODIFIED OLD *. Only RETURNING ALL OLD * is allowed in DELETE statements.",
    )
    expect_validation(lambda: run(ddb, f"DELETE FROM {t} WHERE v = 'x'"), INCOMPLETE_KEY)


def test_writes_charge_capacity(ddb, hash_table):
    resp = run(ddb, f"INSERT INTO \"{hash_table}\" VALUE {{'pk': 'pq-cap'}}", ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0}


def test_writes_maintain_indexes(ddb, tables):
    name, _ = tables.create(
        [{"AttributeName": "pk", "KeyType": "HASH"}],
        [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "city", "AttributeType": "S"}],
        label="pqgsi",
        GlobalSecondaryIndexes=[{"IndexName": "byCity",
                                 "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
    )
    run(ddb, f"INSERT INTO \"{name}\" VALUE {{'pk': 'a', 'city': 'Oslo'}}")
    q = lambda city: ddb.query(TableName=name, IndexName="byCity", KeyConditionExpression="city = :c",
                               ExpressionAttributeValues={":c": {"S": city}})["Items"]
    assert [i["pk"]["S"] for i in q("Oslo")] == ["a"]
    run(ddb, f"UPDATE \"{name}\" SET city = 'Bergen' WHERE pk = 'a'")
    assert q("Oslo") == [] and [i["pk"]["S"] for i in q("Bergen")] == ["a"]
    run(ddb, f"DELETE FROM \"{name}\" WHERE pk = 'a'")
    assert q("Bergen") == []


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tail",
    ["WHERE pk = 1 foo", "WHERE pk = 1)", "ORDER BY pk WHERE pk = 1"],
)
def test_leftover_tokens(ddb, hash_table, tail):
    expect_validation(lambda: run(ddb, f'SELECT * FROM "{hash_table}" {tail}'),
                      f"{NOT_WELL_FORMED}Unexpected token after expression")


def test_syntax_and_statement_errors(ddb, hash_table):
    t = f'"{hash_table}"'
    expect_validation(lambda: run(ddb, f"SELECT * FROM {t} x WHERE pk = 'x'"), "Aliasing is not supported")
    expect_validation(lambda: run(ddb, f"SELECT * FROM {t} WHERE pk = 'a' # c"), NOT_WELL_FORMED)
    expect_validation(lambda: run(ddb, "TRUNCATE TABLE x"), f"{NOT_WELL_FORMED}Expected data manipulation")
    stmt = f"SELECT * FROM {t} WHERE pk = 'a' AND EXISTS(v)"
    expect_validation(lambda: run(ddb, stmt), f"Unrecognized function: exists at 1:{stmt.index('EXISTS') + 1}:6")
    expect_validation(lambda: run(ddb, f"SELECT * FROM {t} WHERE pk = ?"),
                      "Number of parameters in request and statement don't match.")
    expect_validation(lambda: run(ddb, f"SELECT * FROM {t} WHERE pk = 'a' AND v < TRUE"),
                      "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL")
    expect_validation(lambda: run(ddb, f"SELECT * FROM {t} WHERE pk = 1e126"),
                      "Number overflow. Attempting to store a number with magnitude larger than supported range under root")
    expect_validation(lambda: run(ddb, f"INSERT INTO {t} VALUE {{'pk': 'x', 'm': {{'y': 1e126}}}}"),
                      "Number overflow. Attempting to store a number with magnitude larger than supported range under root.y")
    expect_validation(lambda: run(ddb, f"SELECT * FROM {t} WHERE v = MISSING"),
                      "MISSING must be compared using IS operator")
    expect_validation(lambda: run(ddb, f"EXISTS(SELECT * FROM {t} WHERE pk = 'a' AND v = 1)"),
                      "EXISTS can only be used in ExecuteTransaction write requests.")
    expect_error(lambda: run(ddb, 'SELECT * FROM "pq-missing-table"'),
                 "ResourceNotFoundException", "Requested resource not found")


def test_model_constraints(raw_ddb):
    expect_validation(
        lambda: raw_ddb.execute_statement(Statement="SELECT * FROM t", Parameters=[]),
        "1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )
    expect_validation(
        lambda: raw_ddb.execute_statement(Statement=""),
        "1 validation error detected: Value '' at 'statement' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )
    expect_validation(
        lambda: raw_ddb.execute_statement(Statement="SELECT * FROM t", Limit=0),
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    )
