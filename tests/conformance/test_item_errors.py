"""PutItem, GetItem and DeleteItem with bad input: one test per case, each asserting HTTP 400,
the error code and DynamoDB's exact message. The client's own checks are off (`raw_ddb`), so
every answer comes from the server."""

import pytest

from support import expect_constraint_errors, expect_error, expect_validation, unique_name

NOT_MATCH_SCHEMA = "The provided key element does not match the schema"
INVALID = "One or more parameter values were invalid: "


# --- key attributes: types, presence, emptiness ---------------------------------------------


def test_put_hash_key_wrong_type(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": {"N": "1"}}),
        INVALID + "Type mismatch for key pk expected: S actual: N",
    )


def test_put_hash_key_set_type(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": {"SS": ["a"]}}),
        INVALID + "Type mismatch for key pk expected: S actual: SS",
    )


def test_put_range_key_wrong_type(raw_ddb, range_table):
    expect_validation(
        lambda: raw_ddb.put_item(
            TableName=range_table, Item={"pk": {"S": "a"}, "sk": {"S": "1"}}
        ),
        INVALID + "Type mismatch for key sk expected: N actual: S",
    )


def test_put_missing_hash_key(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={"other": {"S": "a"}}),
        INVALID + "Missing the key pk in the item",
    )


def test_put_missing_range_key(raw_ddb, range_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=range_table, Item={"pk": {"S": "a"}}),
        INVALID + "Missing the key sk in the item",
    )


def test_get_key_wrong_type(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.get_item(TableName=hash_table, Key={"pk": {"N": "1"}}),
        NOT_MATCH_SCHEMA,
    )


def test_get_key_missing_range_attribute(raw_ddb, range_table):
    expect_validation(
        lambda: raw_ddb.get_item(TableName=range_table, Key={"pk": {"S": "a"}}),
        NOT_MATCH_SCHEMA,
    )


def test_get_key_with_extra_attribute(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.get_item(
            TableName=hash_table, Key={"pk": {"S": "a"}, "extra": {"S": "b"}}
        ),
        NOT_MATCH_SCHEMA,
    )


def test_get_key_with_wrong_attribute_name(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.get_item(TableName=hash_table, Key={"nope": {"S": "a"}}),
        NOT_MATCH_SCHEMA,
    )


def test_delete_key_with_extra_attribute(raw_ddb, range_table):
    expect_validation(
        lambda: raw_ddb.delete_item(
            TableName=range_table,
            Key={"pk": {"S": "a"}, "sk": {"N": "1"}, "extra": {"N": "2"}},
        ),
        NOT_MATCH_SCHEMA,
    )


def test_delete_key_wrong_type(raw_ddb, range_table):
    expect_validation(
        lambda: raw_ddb.delete_item(
            TableName=range_table, Key={"pk": {"S": "a"}, "sk": {"B": b"1"}}
        ),
        NOT_MATCH_SCHEMA,
    )


def test_put_empty_string_hash_key(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": ""}}),
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: pk",
    )


def test_get_empty_string_key(raw_ddb, hash_table):
    # Note the wording differs from PutItem's ("were invalid:" vs "are not valid.").
    expect_validation(
        lambda: raw_ddb.get_item(TableName=hash_table, Key={"pk": {"S": ""}}),
        INVALID + "The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: pk",
    )


def test_put_empty_binary_hash_key(raw_ddb, binary_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=binary_table, Item={"pk": {"B": b""}}),
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty binary value. Key: pk",
    )


# --- unknown tables --------------------------------------------------------------------------


def test_put_unknown_table(raw_ddb):
    expect_error(
        lambda: raw_ddb.put_item(TableName=unique_name("none"), Item={"pk": {"S": "a"}}),
        "ResourceNotFoundException",
        "Requested resource not found",
    )


def test_get_unknown_table(raw_ddb):
    expect_error(
        lambda: raw_ddb.get_item(TableName=unique_name("none"), Key={"pk": {"S": "a"}}),
        "ResourceNotFoundException",
        "Requested resource not found",
    )


def test_delete_item_unknown_table(raw_ddb):
    expect_error(
        lambda: raw_ddb.delete_item(TableName=unique_name("none"), Key={"pk": {"S": "a"}}),
        "ResourceNotFoundException",
        "Requested resource not found",
    )


# --- table names on data-plane operations ----------------------------------------------------
# Unlike CreateTable/DescribeTable/DeleteTable, item operations report a bad name as
# constraint errors, each failed constraint separately.


def test_get_name_too_short(raw_ddb):
    expect_validation(
        lambda: raw_ddb.get_item(TableName="ab", Key={"pk": {"S": "a"}}),
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3",
    )


def test_put_name_short_and_bad_characters(raw_ddb):
    expect_constraint_errors(
        lambda: raw_ddb.put_item(TableName="a;", Item={"pk": {"S": "a"}}),
        [
            "Value 'a;' at 'tableName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            "Value 'a;' at 'tableName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 3",
        ],
    )


def test_delete_item_name_too_long(raw_ddb):
    name = "c" * 256
    expect_validation(
        lambda: raw_ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}}),
        f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy "
        "constraint: Member must have length less than or equal to 255",
    )


# --- attribute values ------------------------------------------------------------------------


def test_item_over_400kb(raw_ddb, hash_table):
    # One byte over 409600: "pk"(2) + "over"(4) + "big"(3) + 409592.
    item = {"pk": {"S": "over"}, "big": {"S": "a" * (409600 - 2 - 4 - 3 + 1)}}
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item=item),
        "Item size has exceeded the maximum allowed size",
    )


def test_duplicate_string_set_members(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(
            TableName=hash_table, Item={"pk": {"S": "a"}, "ss": {"SS": ["a", "a"]}}
        ),
        INVALID + "Input collection [a, a] contains duplicates.",
    )


def test_empty_string_set(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "a"}, "ss": {"SS": []}}),
        INVALID + "An string set  may not be empty",
    )


def test_empty_number_set(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "a"}, "ns": {"NS": []}}),
        INVALID + "An number set  may not be empty",
    )


def test_empty_binary_set(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "a"}, "bs": {"BS": []}}),
        INVALID + "Binary sets should not be empty",
    )


def test_invalid_number(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "a"}, "n": {"N": "abc"}}),
        "The parameter cannot be converted to a numeric value: abc",
    )


def test_invalid_number_in_set(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(
            TableName=hash_table, Item={"pk": {"S": "a"}, "ns": {"NS": ["1", "x1"]}}
        ),
        "The parameter cannot be converted to a numeric value: x1",
    )


def test_number_overflow(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "a"}, "n": {"N": "1e126"}}),
        "Number overflow. Attempting to store a number with magnitude larger than supported range",
    )


def test_number_underflow(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(
            TableName=hash_table, Item={"pk": {"S": "a"}, "n": {"N": "-1e-131"}}
        ),
        "Number underflow. Attempting to store a number with magnitude smaller than supported range",
    )


def test_number_more_than_38_digits(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(
            TableName=hash_table,
            Item={"pk": {"S": "a"}, "n": {"N": "123456789012345678901234567890123456789"}},
        ),
        "Attempting to store more than 38 significant digits in a Number",
    )


def test_number_key_more_than_38_digits(raw_ddb, tables):
    name = tables.hash_table(key_type="N", label="kn")
    expect_validation(
        lambda: raw_ddb.get_item(
            TableName=name, Key={"pk": {"N": "-1.23456789012345678901234567890123456789"}}
        ),
        "Attempting to store more than 38 significant digits in a Number",
    )


def test_empty_attribute_value(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "a"}, "x": {}}),
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
    )


def test_attribute_value_with_two_types(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(
            TableName=hash_table, Item={"pk": {"S": "a"}, "x": {"S": "a", "N": "1"}}
        ),
        "Supplied AttributeValue has more than one datatypes set, "
        "must contain exactly one of the supported datatypes",
    )


def test_null_false(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(
            TableName=hash_table, Item={"pk": {"S": "a"}, "x": {"NULL": False}}
        ),
        INVALID + "Null attribute value types must have the value of true",
    )


# --- ReturnValues ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_put_return_values_not_allowed(raw_ddb, hash_table, value):
    expect_validation(
        lambda: raw_ddb.put_item(
            TableName=hash_table, Item={"pk": {"S": "rv"}}, ReturnValues=value
        ),
        "ReturnValues can only be ALL_OLD or NONE",
    )


@pytest.mark.parametrize("value", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_delete_return_values_not_allowed(raw_ddb, hash_table, value):
    expect_validation(
        lambda: raw_ddb.delete_item(
            TableName=hash_table, Key={"pk": {"S": "rv"}}, ReturnValues=value
        ),
        "ReturnValues can only be ALL_OLD or NONE",
    )


def test_return_values_not_in_enum(raw_ddb, hash_table):
    expect_validation(
        lambda: raw_ddb.put_item(
            TableName=hash_table, Item={"pk": {"S": "rv"}}, ReturnValues="EVERYTHING"
        ),
        "1 validation error detected: Value 'EVERYTHING' at 'returnValues' failed to satisfy "
        "constraint: Member must satisfy enum value set: "
        "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
    )


def test_rejected_put_leaves_item_unchanged(ddb, raw_ddb, hash_table):
    key = {"pk": {"S": "unchanged"}}
    ddb.put_item(TableName=hash_table, Item={**key, "v": {"N": "1"}})
    expect_validation(
        lambda: raw_ddb.put_item(TableName=hash_table, Item={**key, "v": {"N": "1e200"}}),
        "Number overflow. Attempting to store a number with magnitude larger than supported range",
    )
    got = ddb.get_item(TableName=hash_table, Key=key, ConsistentRead=True)
    assert got["Item"] == {**key, "v": {"N": "1"}}
