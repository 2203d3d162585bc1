"""PutItem, GetItem and DeleteItem on success paths: every AttributeValue type, number
normalization, overwrite, ReturnValues ALL_OLD and ConsumedCapacity."""

import pytest

# One attribute of each type; the answer must be equal after sets are compared as sets.
EVERY_TYPE = {
    "s": {"S": "hello, wörld ✓"},
    "s_empty": {"S": ""},
    "n": {"N": "42"},
    "b": {"B": b"\x00\x01\xfe\xff"},
    "b_empty": {"B": b""},
    "ss": {"SS": ["a", "b", "zz"]},
    "ns": {"NS": ["1", "-2.5", "1000"]},
    "bs": {"BS": [b"\x00", b"\x01\x02", b"\xff"]},
    "m": {
        "M": {
            "inner": {"S": "x"},
            "deeper": {"M": {"n": {"N": "7"}, "l": {"L": [{"BOOL": False}]}}},
            "empty_map": {"M": {}},
        }
    },
    "l": {
        "L": [
            {"S": "a"},
            {"N": "1"},
            {"B": b"\x10"},
            {"BOOL": True},
            {"NULL": True},
            {"SS": ["q"]},
            {"L": []},
            {"M": {}},
        ]
    },
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "null": {"NULL": True},
}


def canonical(value):
    """An AttributeValue with sets sorted, so two items compare equal regardless of set order."""
    (kind, inner), = value.items()
    if kind in ("SS", "NS", "BS"):
        return {kind: sorted(inner)}
    if kind == "M":
        return {"M": {k: canonical(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [canonical(v) for v in inner]}
    return value


def canonical_item(item):
    return {k: canonical(v) for k, v in item.items()}


def test_every_attribute_type_round_trips(ddb, hash_table):
    item = {"pk": {"S": "every-type"}, **EVERY_TYPE}
    assert "Attributes" not in ddb.put_item(TableName=hash_table, Item=item)
    got = ddb.get_item(TableName=hash_table, Key={"pk": {"S": "every-type"}}, ConsistentRead=True)
    assert canonical_item(got["Item"]) == canonical_item(item)


@pytest.mark.parametrize(
    "given, stored",
    [
        ("1.50", "1.5"),
        ("-0", "0"),
        ("0.000", "0"),
        ("00012", "12"),
        ("-12.340", "-12.34"),
        ("1e3", "1000"),
        ("1E-3", "0.001"),
        ("2.5E+2", "250"),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        ("-1.2345678901234567890123456789012345678", "-1.2345678901234567890123456789012345678"),
        ("0000012345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        ("9.9999999999999999999999999999999999999E+125", "9" * 38 + "0" * 88),
        ("-9.9999999999999999999999999999999999999E+125", "-" + "9" * 38 + "0" * 88),
        ("1E-130", "0." + "0" * 129 + "1"),
        ("-1E-130", "-0." + "0" * 129 + "1"),
    ],
)
def test_numbers_are_normalized(ddb, hash_table, given, stored):
    key = {"pk": {"S": f"num:{given}"}}
    ddb.put_item(TableName=hash_table, Item={**key, "n": {"N": given}, "ns": {"NS": [given]}})
    item = ddb.get_item(TableName=hash_table, Key=key, ConsistentRead=True)["Item"]
    assert item["n"] == {"N": stored}
    assert item["ns"] == {"NS": [stored]}


@pytest.mark.parametrize(
    "key_type, value",
    [
        ("S", {"S": "k"}),
        ("N", {"N": "-3.25"}),
        ("B", {"B": b"\x00\xffkey"}),
    ],
)
def test_hash_key_types(ddb, tables, key_type, value):
    name = tables.hash_table(key_type=key_type, label=f"k{key_type.lower()}")
    item = {"pk": value, "v": {"S": "payload"}}
    ddb.put_item(TableName=name, Item=item)
    got = ddb.get_item(TableName=name, Key={"pk": value}, ConsistentRead=True)
    assert got["Item"] == item


def test_number_key_is_matched_by_value(ddb, tables):
    name = tables.hash_table(key_type="N", label="kn")
    ddb.put_item(TableName=name, Item={"pk": {"N": "1.50"}, "v": {"S": "x"}})
    # 1.5, 1.50 and 15E-1 are the same number, hence the same key.
    for spelling in ("1.5", "1.50", "15E-1"):
        got = ddb.get_item(TableName=name, Key={"pk": {"N": spelling}}, ConsistentRead=True)
        assert got["Item"] == {"pk": {"N": "1.5"}, "v": {"S": "x"}}


def test_hash_range_items_are_distinct_by_range_key(ddb, range_table):
    for sk in ("1", "2", "10"):
        ddb.put_item(
            TableName=range_table,
            Item={"pk": {"S": "hr"}, "sk": {"N": sk}, "v": {"S": f"v{sk}"}},
        )
    for sk in ("1", "2", "10"):
        got = ddb.get_item(
            TableName=range_table, Key={"pk": {"S": "hr"}, "sk": {"N": sk}}, ConsistentRead=True
        )
        assert got["Item"] == {"pk": {"S": "hr"}, "sk": {"N": sk}, "v": {"S": f"v{sk}"}}
    ddb.delete_item(TableName=range_table, Key={"pk": {"S": "hr"}, "sk": {"N": "2"}})
    gone = ddb.get_item(TableName=range_table, Key={"pk": {"S": "hr"}, "sk": {"N": "2"}})
    assert "Item" not in gone
    kept = ddb.get_item(TableName=range_table, Key={"pk": {"S": "hr"}, "sk": {"N": "10"}})
    assert kept["Item"]["v"] == {"S": "v10"}


def test_string_and_binary_range_keys(ddb, tables):
    name = tables.range_table(hash_type="B", range_type="S", label="bs")
    item = {"pk": {"B": b"\x01"}, "sk": {"S": "é"}, "v": {"N": "1"}}
    ddb.put_item(TableName=name, Item=item)
    got = ddb.get_item(TableName=name, Key={"pk": {"B": b"\x01"}, "sk": {"S": "é"}})
    assert got["Item"] == item
    other = ddb.get_item(TableName=name, Key={"pk": {"B": b"\x01"}, "sk": {"S": "e"}})
    assert "Item" not in other


def test_put_overwrites_whole_item(ddb, hash_table):
    key = {"pk": {"S": "overwrite"}}
    ddb.put_item(TableName=hash_table, Item={**key, "a": {"S": "1"}, "b": {"N": "2"}})
    ddb.put_item(TableName=hash_table, Item={**key, "c": {"BOOL": True}})
    got = ddb.get_item(TableName=hash_table, Key=key, ConsistentRead=True)
    # Attributes of the old item that the new one lacks are gone, not merged.
    assert got["Item"] == {**key, "c": {"BOOL": True}}


def test_put_return_values_all_old(ddb, hash_table):
    key = {"pk": {"S": "put-all-old"}}
    first = ddb.put_item(
        TableName=hash_table, Item={**key, "v": {"N": "1"}}, ReturnValues="ALL_OLD"
    )
    assert "Attributes" not in first
    second = ddb.put_item(
        TableName=hash_table, Item={**key, "v": {"N": "2"}, "w": {"S": "x"}}, ReturnValues="ALL_OLD"
    )
    assert second["Attributes"] == {**key, "v": {"N": "1"}}
    third = ddb.put_item(TableName=hash_table, Item={**key, "v": {"N": "3"}}, ReturnValues="NONE")
    assert "Attributes" not in third


def test_delete_return_values_all_old(ddb, hash_table):
    key = {"pk": {"S": "delete-all-old"}}
    item = {**key, "v": {"SS": ["x"]}, "n": {"N": "0.10"}}
    ddb.put_item(TableName=hash_table, Item=item)
    deleted = ddb.delete_item(TableName=hash_table, Key=key, ReturnValues="ALL_OLD")
    assert deleted["Attributes"] == {**key, "v": {"SS": ["x"]}, "n": {"N": "0.1"}}
    assert "Item" not in ddb.get_item(TableName=hash_table, Key=key, ConsistentRead=True)
    again = ddb.delete_item(TableName=hash_table, Key=key, ReturnValues="ALL_OLD")
    assert "Attributes" not in again


def test_delete_without_return_values_returns_nothing(ddb, hash_table):
    key = {"pk": {"S": "delete-none"}}
    ddb.put_item(TableName=hash_table, Item={**key, "v": {"S": "x"}})
    response = ddb.delete_item(TableName=hash_table, Key=key)
    assert "Attributes" not in response
    assert "Item" not in ddb.get_item(TableName=hash_table, Key=key, ConsistentRead=True)


def test_get_missing_item_returns_no_item(ddb, hash_table):
    response = ddb.get_item(TableName=hash_table, Key={"pk": {"S": "never-written"}})
    assert "Item" not in response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_item_of_exactly_400kb_is_accepted(ddb, hash_table):
    # Size = attribute name lengths + value lengths: "pk"(2) + "big"(3) + "fits"(4) + 409591.
    item = {"pk": {"S": "fits"}, "big": {"S": "a" * (409600 - 2 - 3 - 4)}}
    ddb.put_item(TableName=hash_table, Item=item)
    got = ddb.get_item(TableName=hash_table, Key={"pk": {"S": "fits"}}, ConsistentRead=True)
    assert len(got["Item"]["big"]["S"]) == 409591


def test_consumed_capacity_total(ddb, hash_table):
    key = {"pk": {"S": "capacity"}}
    put = ddb.put_item(
        TableName=hash_table, Item={**key, "v": {"S": "small"}}, ReturnConsumedCapacity="TOTAL"
    )
    assert put["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0}

    eventual = ddb.get_item(TableName=hash_table, Key=key, ReturnConsumedCapacity="TOTAL")
    assert eventual["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 0.5}

    strong = ddb.get_item(
        TableName=hash_table, Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL"
    )
    assert strong["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0}

    missing = ddb.get_item(
        TableName=hash_table, Key={"pk": {"S": "capacity-missing"}}, ReturnConsumedCapacity="TOTAL"
    )
    assert missing["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 0.5}

    deleted = ddb.delete_item(TableName=hash_table, Key=key, ReturnConsumedCapacity="TOTAL")
    assert deleted["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0}

    # Without ReturnConsumedCapacity nothing is reported.
    assert "ConsumedCapacity" not in ddb.get_item(TableName=hash_table, Key=key)


def test_consumed_capacity_grows_with_item_size(ddb, hash_table):
    key = {"pk": {"S": "capacity-big"}}
    # "pk"(2) + "capacity-big"(12) + "v"(1) + 5000 = 5015 bytes: 5 write units of 1 KB,
    # 2 read units of 4 KB (1 when eventually consistent).
    big = {**key, "v": {"S": "x" * 5000}}
    small = {**key, "v": {"S": "x"}}

    def put(item):
        response = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="TOTAL")
        return response["ConsumedCapacity"]

    assert put(big) == {"TableName": hash_table, "CapacityUnits": 5.0}
    strong = ddb.get_item(
        TableName=hash_table, Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL"
    )
    assert strong["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 2.0}
    eventual = ddb.get_item(TableName=hash_table, Key=key, ReturnConsumedCapacity="TOTAL")
    assert eventual["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0}

    # A write is charged for the larger of the old and the new item.
    assert put(small) == {"TableName": hash_table, "CapacityUnits": 5.0}
    assert put(small) == {"TableName": hash_table, "CapacityUnits": 1.0}
    assert put(big) == {"TableName": hash_table, "CapacityUnits": 5.0}

    # A delete is charged for the item it removes.
    deleted = ddb.delete_item(TableName=hash_table, Key=key, ReturnConsumedCapacity="TOTAL")
    assert deleted["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 5.0}
