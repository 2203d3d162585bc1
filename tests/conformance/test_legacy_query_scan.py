"""Legacy parameters of Query and Scan: KeyConditions, QueryFilter, ScanFilter,
ConditionalOperator and AttributesToGet, through boto3's client API. Semantics as ScyllaDB
alternator's test_key_conditions.py / test_query_filter.py (run against DynamoDB) record them;
messages as dynalite's query/scan tests record them."""

import pytest

from support import expect_constraint_errors, expect_validation

INVALID = "One or more parameter values were invalid: "
MIXING = "Can not use both expression and non-expression parameters in the same request: "


def cond(op, *values):
    """One legacy Condition: ComparisonOperator with its AttributeValueList."""
    c = {"ComparisonOperator": op}
    if values:
        c["AttributeValueList"] = list(values)
    return c


def n(v):
    return {"N": str(v)}


def s(v):
    return {"S": v}


PK = {"pk": cond("EQ", s("p"))}


@pytest.fixture(scope="module")
def filled(ddb, range_table):
    """Partition "p" with sk 0..9; `v` = "v<sk>", `even` on even sks, `tag` on sk 3 and 7. A
    neighbour partition "px" must never leak into a Query."""
    for i in range(10):
        item = {"pk": s("p"), "sk": n(i), "v": s(f"v{i}")}
        if i % 2 == 0:
            item["even"] = {"BOOL": True}
        if i in (3, 7):
            item["tag"] = {"SS": ["x", f"t{i}"]}
        ddb.put_item(TableName=range_table, Item=item)
    ddb.put_item(TableName=range_table, Item={"pk": s("px"), "sk": n(1), "v": s("v1")})
    return range_table


def sks(resp):
    return [int(i["sk"]["N"]) for i in resp["Items"]]


def query(ddb, table, key_conditions, **extra):
    return ddb.query(TableName=table, KeyConditions=key_conditions, **extra)


@pytest.mark.parametrize(
    "sort, expected",
    [
        (None, list(range(10))),
        (cond("EQ", n(3)), [3]),
        (cond("LT", n(3)), [0, 1, 2]),
        (cond("LE", n(3)), [0, 1, 2, 3]),
        (cond("GT", n(7)), [8, 9]),
        (cond("GE", n(7)), [7, 8, 9]),
        (cond("BETWEEN", n(2), n(5)), [2, 3, 4, 5]),
    ],
)
def test_key_conditions_select_the_sort_key_range(ddb, filled, sort, expected):
    kc = dict(PK, **({"sk": sort} if sort else {}))
    resp = query(ddb, filled, kc)
    assert sks(resp) == expected
    assert resp["Count"] == resp["ScannedCount"] == len(expected)
    assert all(i["pk"] == s("p") for i in resp["Items"])


def test_key_conditions_begins_with_on_a_string_sort_key(ddb, tables):
    name = tables.range_table(range_type="S", label="lq")
    for sk in ["aa", "ab", "b", "a"]:
        ddb.put_item(TableName=name, Item={"pk": s("p"), "sk": s(sk)})
    resp = query(ddb, name, dict(PK, sk=cond("BEGINS_WITH", s("a"))))
    assert [i["sk"]["S"] for i in resp["Items"]] == ["a", "aa", "ab"]


def test_key_conditions_page_backwards(ddb, filled):
    kc = dict(PK, sk=cond("GE", n(5)))
    first = query(ddb, filled, kc, ScanIndexForward=False, Limit=3)
    assert sks(first) == [9, 8, 7]
    assert first["LastEvaluatedKey"] == {"pk": s("p"), "sk": n(7)}
    rest = query(ddb, filled, kc, ScanIndexForward=False, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert sks(rest) == [6, 5]
    assert "LastEvaluatedKey" not in rest


def test_query_filter_and_or(ddb, filled):
    qf = {"even": cond("EQ", {"BOOL": True}), "tag": cond("CONTAINS", s("x"))}
    both = query(ddb, filled, PK, QueryFilter=qf)
    assert both["Items"] == [] and both["Count"] == 0 and both["ScannedCount"] == 10
    assert sks(query(ddb, filled, PK, QueryFilter=qf, ConditionalOperator="AND")) == []
    either = query(ddb, filled, PK, QueryFilter=qf, ConditionalOperator="OR")
    assert sks(either) == [0, 2, 3, 4, 6, 7, 8]
    assert either["Count"] == 7 and either["ScannedCount"] == 10


@pytest.mark.parametrize(
    "qf, expected",
    [
        ({"tag": cond("NULL")}, [0, 1, 2, 4, 5, 6, 8, 9]),
        ({"tag": cond("NOT_NULL")}, [3, 7]),
        ({"v": cond("NE", s("v1"))}, [0, 2, 3, 4, 5, 6, 7, 8, 9]),
        ({"tag": cond("NOT_CONTAINS", s("t3"))}, [7]),
        ({"v": cond("IN", s("v4"), s("v9"), s("zz"))}, [4, 9]),
        ({"v": cond("BETWEEN", s("v2"), s("v4"))}, [2, 3, 4]),
        ({"v": cond("GT", s("v7"))}, [8, 9]),
        ({"v": cond("BEGINS_WITH", s("v1"))}, [1]),
        ({}, list(range(10))),
    ],
)
def test_query_filter_operators(ddb, filled, qf, expected):
    assert sks(query(ddb, filled, PK, QueryFilter=qf)) == expected


def test_query_filter_runs_after_limit(ddb, filled):
    resp = query(ddb, filled, PK, QueryFilter={"tag": cond("NOT_NULL")}, Limit=4)
    assert sks(resp) == [3]
    assert resp["Count"] == 1 and resp["ScannedCount"] == 4
    assert resp["LastEvaluatedKey"] == {"pk": s("p"), "sk": n(3)}


def test_attributes_to_get_and_select(ddb, filled):
    resp = query(ddb, filled, dict(PK, sk=cond("LE", n(1))), AttributesToGet=["v", "tag", "missing"])
    assert resp["Items"] == [{"v": s("v0")}, {"v": s("v1")}]
    resp = query(ddb, filled, dict(PK, sk=cond("EQ", n(3))), AttributesToGet=["sk", "tag"],
                 Select="SPECIFIC_ATTRIBUTES")
    [got] = resp["Items"]
    assert set(got) == {"sk", "tag"} and got["sk"] == n(3) and sorted(got["tag"]["SS"]) == ["t3", "x"]
    resp = query(ddb, filled, PK, QueryFilter={"even": cond("NOT_NULL")}, Select="COUNT")
    assert "Items" not in resp and resp["Count"] == 5 and resp["ScannedCount"] == 10


def test_key_conditions_go_with_filter_and_projection_expressions(ddb, filled):
    resp = query(ddb, filled, PK, FilterExpression="attribute_exists(tag)", ProjectionExpression="v")
    assert resp["Items"] == [{"v": s("v3")}, {"v": s("v7")}]


def test_scan_filter_and_attributes_to_get(ddb, filled):
    sf = {"v": cond("EQ", s("v1")), "pk": cond("EQ", s("px"))}
    resp = ddb.scan(TableName=filled, ScanFilter=sf, ConditionalOperator="OR", AttributesToGet=["pk", "sk"])
    got = sorted((i["pk"]["S"], i["sk"]["N"]) for i in resp["Items"])
    assert got == [("p", "1"), ("px", "1")]
    assert resp["ScannedCount"] == 11
    resp = ddb.scan(TableName=filled, ScanFilter=sf)
    assert resp["Items"] == [{"pk": s("px"), "sk": n(1), "v": s("v1")}]
    resp = ddb.scan(TableName=filled, ScanFilter={"even": cond("NOT_NULL"), "sk": cond("GE", n(4))},
                    Select="COUNT")
    assert resp["Count"] == 3 and "Items" not in resp


def test_query_validation_messages(raw_ddb, filled):
    q = lambda **kw: lambda: raw_ddb.query(TableName=filled, **kw)  # noqa: E731
    eq_p = cond("EQ", s("p"))
    cases = [
        (q(KeyConditions={"pk": eq_p}, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": s("p")}),
         MIXING + "Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"),
        (q(KeyConditions={"pk": eq_p}, QueryFilter={"v": eq_p}, FilterExpression="v = :p",
           ExpressionAttributeValues={":p": s("p")}),
         MIXING + "Non-expression parameters: {QueryFilter} Expression parameters: {FilterExpression}"),
        (q(KeyConditions={"pk": eq_p}, AttributesToGet=["v"], ProjectionExpression="v"),
         MIXING + "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"),
        (q(KeyConditions={"pk": eq_p}, ExpressionAttributeValues={":p": s("p")}),
         "ExpressionAttributeValues can only be specified when using expressions: "
         "FilterExpression and KeyConditionExpression are null"),
        (q(KeyConditions={}), "Conditions can be of length 1 or 2 only"),
        (q(KeyConditions={"pk": eq_p, "sk": cond("EQ", n(1)), "x": cond("NULL")}),
         "Conditions can be of length 1 or 2 only"),
        (q(KeyConditions={"pk": cond("EQ")}), INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
        (q(KeyConditions={"pk": cond("EQ", s("a"), s("b"))}),
         INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
        (q(KeyConditions={"pk": cond("IN", s("b"), n(1))}),
         INVALID + "AttributeValues inside AttributeValueList must be of same type"),
        (q(KeyConditions=dict(PK, sk=cond("BEGINS_WITH", n(1)))),
         INVALID + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
        (q(KeyConditions=dict(PK, sk=cond("BETWEEN", n(5), n(1)))),
         "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
        (q(KeyConditions={"sk": cond("EQ", n(1))}), "Query condition missed key schema element: pk"),
        (q(KeyConditions={"pk": eq_p, "v": eq_p}), "Query condition missed key schema element: sk"),
        (q(KeyConditions={"pk": cond("NE", s("p"))}), "Attempted conditional constraint is not an indexable operation"),
        (q(KeyConditions=dict(PK, sk=cond("NOT_NULL"))), "Attempted conditional constraint is not an indexable operation"),
        (q(KeyConditions={"pk": cond("GT", s("p"))}), "Query key condition not supported"),
        (q(KeyConditions={"pk": cond("EQ", n(1))}),
         INVALID + "Condition parameter type does not match schema type"),
        (q(KeyConditions=PK, QueryFilter={"sk": cond("NOT_NULL")}),
         "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk"),
        (q(KeyConditions=PK, ConditionalOperator="OR"), "ConditionalOperator cannot be used without Filter or Expected"),
        (q(KeyConditions=PK, QueryFilter={"v": eq_p}, ConditionalOperator="OR"),
         "ConditionalOperator can only be used when Filter or Expected has two or more elements"),
        (q(KeyConditions=PK, AttributesToGet=["v", "v"]), INVALID + "Duplicate value in attribute name: v"),
        (q(KeyConditions=PK, AttributesToGet=["v"], Select="ALL_ATTRIBUTES"),
         "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES"),
        (q(KeyConditions=PK, AttributesToGet=["v"], Select="COUNT"),
         "Cannot specify the AttributesToGet when choosing to get only the Count"),
        (q(KeyConditions=PK, ExclusiveStartKey={"pk": s("q"), "sk": n(1)}),
         "The provided starting key is outside query boundaries based on provided conditions"),
    ]
    for call, message in cases:
        expect_validation(call, message)


def test_constraint_errors(raw_ddb, filled):
    ops = "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
    expect_constraint_errors(
        lambda: raw_ddb.query(TableName=filled, KeyConditions={"pk": {"AttributeValueList": [s("p")]}},
                              QueryFilter={"v": cond("eq", s("a"))}, ConditionalOperator="and"),
        [
            f"Value 'eq' at 'queryFilter.v.member.comparisonOperator' failed to satisfy constraint: "
            f"Member must satisfy enum value set: {ops}",
            "Value 'and' at 'conditionalOperator' failed to satisfy constraint: "
            "Member must satisfy enum value set: [OR, AND]",
            "Value null at 'keyConditions.pk.member.comparisonOperator' failed to satisfy constraint: "
            "Member must not be null",
        ],
    )
    expect_constraint_errors(
        lambda: raw_ddb.scan(TableName=filled, ScanFilter={"v": cond("DOG", s("a"))}, AttributesToGet=[]),
        [
            f"Value 'DOG' at 'scanFilter.v.member.comparisonOperator' failed to satisfy constraint: "
            f"Member must satisfy enum value set: {ops}",
            "Value '[]' at 'attributesToGet' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
        ],
    )


def test_scan_validation_messages(raw_ddb, filled):
    sc = lambda **kw: lambda: raw_ddb.scan(TableName=filled, **kw)  # noqa: E731
    expect_validation(sc(ScanFilter={"v": cond("EQ", s("a"))}, FilterExpression="v = :a",
                         ExpressionAttributeValues={":a": s("a")}),
                      MIXING + "Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}")
    expect_validation(sc(ScanFilter={"v": cond("BETWEEN", s("a"))}),
                      INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator")
    expect_validation(sc(ScanFilter={"v": cond("LT", {"BOOL": True})}),
                      INVALID + "ComparisonOperator LT is not valid for BOOL AttributeValue type")
    expect_validation(sc(ConditionalOperator="AND"), "ConditionalOperator cannot be used without Filter or Expected")
    expect_validation(sc(AttributesToGet=["a", "a"], ScanFilter={"v": cond("EQ")}),
                      INVALID + "Duplicate value in attribute name: a")
    expect_validation(sc(Select="SPECIFIC_ATTRIBUTES"),
                      "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
