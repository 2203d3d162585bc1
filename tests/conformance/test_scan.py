"""Scan: pagination, Limit before FilterExpression, Select, projection, parallel scan (every
item exactly once across segments) and DynamoDB's validation messages."""

from collections import Counter

import pytest
from support import expect_validation


@pytest.fixture(scope="module")
def filled(ddb, hash_table):
    """The module's hash table holding 120 items pk k0..k119 with n = index."""
    for i in range(120):
        ddb.put_item(TableName=hash_table, Item={"pk": {"S": f"k{i}"}, "n": {"N": str(i)}, "m": {"M": {"x": {"N": str(i % 3)}}}})
    return hash_table


def _walk(ddb, table, **params):
    pages = []
    while True:
        resp = ddb.scan(TableName=table, **params)
        pages.append(resp)
        if "LastEvaluatedKey" not in resp:
            return pages
        params["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
        assert len(pages) < 500


def test_full_scan_pages_with_limit_cover_everything(ddb, filled):
    pages = _walk(ddb, filled, Limit=13)
    keys = [i["pk"]["S"] for p in pages for i in p["Items"]]
    assert sorted(keys) == sorted(f"k{i}" for i in range(120))
    assert [p["ScannedCount"] for p in pages] == [13] * 9 + [3]


def test_filter_runs_after_limit(ddb, filled):
    pages = _walk(ddb, filled, Limit=10, FilterExpression="m.x = :z",
                  ExpressionAttributeValues={":z": {"N": "0"}})
    assert sum(p["ScannedCount"] for p in pages) == 120
    found = sorted(int(i["n"]["N"]) for p in pages for i in p["Items"])
    assert found == list(range(0, 120, 3))
    assert all(p["Count"] == len(p["Items"]) <= p["ScannedCount"] for p in pages)


@pytest.mark.parametrize("total", [1, 2, 3, 7, 16])
def test_parallel_scan_returns_every_item_exactly_once(ddb, filled, total):
    seen = Counter()
    for segment in range(total):
        for page in _walk(ddb, filled, Segment=segment, TotalSegments=total, Limit=9):
            seen.update(i["pk"]["S"] for i in page["Items"])
    assert seen == Counter(f"k{i}" for i in range(120))


def test_select_count_and_projection(ddb, filled):
    resp = ddb.scan(TableName=filled, Select="COUNT", FilterExpression="n >= :a",
                    ExpressionAttributeValues={":a": {"N": "100"}}, ReturnConsumedCapacity="TOTAL")
    assert "Items" not in resp
    assert (resp["Count"], resp["ScannedCount"]) == (20, 120)
    # A whole-table scan pays at least one read per initial partition (4 × 0.5 eventually
    # consistent), as DynamoDB reports for small tables; the filter does not lower it.
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 2.0
    resp = ddb.scan(TableName=filled, ProjectionExpression="#m.x", ExpressionAttributeNames={"#m": "m"}, Limit=1)
    assert set(resp["Items"][0]) == {"m"} and set(resp["Items"][0]["m"]["M"]) == {"x"}


def test_start_key_from_another_segment(ddb, filled):
    first = ddb.scan(TableName=filled, Segment=0, TotalSegments=2, Limit=1)
    expect_validation(
        lambda: ddb.scan(TableName=filled, Segment=1, TotalSegments=2, ExclusiveStartKey=first["LastEvaluatedKey"]),
        "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey "
        "with correct Segment. TotalSegments: 2 Segment: 1",
    )


def test_validation_messages(raw_ddb, filled):
    s = lambda **kw: lambda: raw_ddb.scan(TableName=filled, **kw)  # noqa: E731
    expect_validation(s(Segment=0), "The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
    expect_validation(s(TotalSegments=2), "The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
    expect_validation(s(Segment=3, TotalSegments=3), "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3")
    expect_validation(s(ExclusiveStartKey={"pk": {"N": "1"}}), "The provided starting key is invalid: The provided key element does not match the schema")
    expect_validation(s(Select="SPECIFIC_ATTRIBUTES"), "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
    expect_validation(s(ExpressionAttributeNames={"#a": "a"}), "ExpressionAttributeNames can only be specified when using expressions")
    expect_validation(s(FilterExpression="a = :a"), "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :a")
    expect_validation(s(ScanFilter={}, ProjectionExpression="a"),
                      "Can not use both expression and non-expression parameters in the same request: "
                      "Non-expression parameters: {ScanFilter} Expression parameters: {ProjectionExpression}")
    expect_validation(s(IndexName="nope"), "The table does not have the specified index: nope")
    expect_validation(s(Limit=0), "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
