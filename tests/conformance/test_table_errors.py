"""CreateTable, DescribeTable, DeleteTable and ListTables with bad input: one test per case,
each asserting HTTP 400, the error code and DynamoDB's exact message."""

from support import expect_error, expect_validation, unique_name

INVALID = "One or more parameter values were invalid: "
HASH_PK = [{"AttributeName": "pk", "KeyType": "HASH"}]
DEF_PK = [{"AttributeName": "pk", "AttributeType": "S"}]


def create(client, name=None, **overrides):
    """CreateTable with a valid PAY_PER_REQUEST hash-only request, except for `overrides`."""
    params = {
        "TableName": name or unique_name("bad"),
        "KeySchema": HASH_PK,
        "AttributeDefinitions": DEF_PK,
        "BillingMode": "PAY_PER_REQUEST",
    }
    params.update(overrides)
    return client.create_table(**{k: v for k, v in params.items() if v is not None})


# --- table names -----------------------------------------------------------------------------
# A name's length and characters are member constraints, reported together in the generic form
# (DynamoDB's control plane answered "TableName must be at least 3 characters long and at most
# 255 characters long" before its 2026 validation framework; the captures of that year give
# the generic texts for DescribeTable and CreateTable: ack-api-quirks' degenerate-input
# catalogue, issue #20).

SHORT = "Member must have length greater than or equal to 3"
LONG = "Member must have length less than or equal to 255"
PATTERN = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"


def name_error(name, *constraints):
    parts = [f"Value '{name}' at 'tableName' failed to satisfy constraint: {c}" for c in constraints]
    n = len(parts)
    return f"{n} validation error{'' if n == 1 else 's'} detected: " + "; ".join(parts)


def test_create_name_too_short(raw_ddb):
    expect_validation(lambda: create(raw_ddb, name="ab"), name_error("ab", SHORT))


def test_create_name_too_long(raw_ddb):
    expect_validation(lambda: create(raw_ddb, name="a" * 256), name_error("a" * 256, LONG))


def test_create_name_longest_allowed(raw_ddb, tables):
    name = (unique_name("long") + "x" * 255)[:255]
    create(raw_ddb, name=name)
    tables.created.append(name)
    assert raw_ddb.describe_table(TableName=name)["Table"]["TableName"] == name


def test_create_name_bad_characters(raw_ddb):
    expect_validation(
        lambda: create(raw_ddb, name="bad name!"),
        "1 validation error detected: Value 'bad name!' at 'tableName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    )


def test_create_name_short_and_bad_characters(raw_ddb):
    # Both constraints, in one message.
    expect_validation(lambda: create(raw_ddb, name="a;"), name_error("a;", PATTERN, SHORT))


def test_describe_name_too_short(raw_ddb):
    expect_validation(lambda: raw_ddb.describe_table(TableName="ab"), name_error("ab", SHORT))


def test_delete_table_name_too_long(raw_ddb):
    expect_validation(lambda: raw_ddb.delete_table(TableName="b" * 256), name_error("b" * 256, LONG))


def test_describe_name_bad_characters(raw_ddb):
    expect_validation(
        lambda: raw_ddb.describe_table(TableName="abc;"),
        "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    )


# --- existence -------------------------------------------------------------------------------


def test_create_existing_table(raw_ddb, tables):
    name = tables.hash_table()
    expect_error(
        lambda: create(raw_ddb, name=name),
        "ResourceInUseException",
        f"Table already exists: {name}",
    )


def test_describe_unknown_table(raw_ddb):
    name = unique_name("none")
    expect_error(
        lambda: raw_ddb.describe_table(TableName=name),
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {name} not found",
    )


def test_delete_unknown_table(raw_ddb):
    name = unique_name("none")
    expect_error(
        lambda: raw_ddb.delete_table(TableName=name),
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {name} not found",
    )


# --- KeySchema and AttributeDefinitions ------------------------------------------------------


def test_attribute_definition_not_in_key_schema(raw_ddb):
    expect_validation(
        lambda: create(
            raw_ddb,
            AttributeDefinitions=DEF_PK + [{"AttributeName": "other", "AttributeType": "S"}],
        ),
        INVALID + "Number of attributes in KeySchema does not exactly match number of "
        "attributes defined in AttributeDefinitions",
    )


def test_key_attribute_not_defined(raw_ddb):
    expect_validation(
        lambda: create(
            raw_ddb, AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}]
        ),
        INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
        "Keys: [pk], AttributeDefinitions: [other]",
    )


def test_first_key_not_hash(raw_ddb):
    expect_validation(
        lambda: create(raw_ddb, KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}]),
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
    )


def test_second_key_not_range(raw_ddb):
    expect_validation(
        lambda: create(
            raw_ddb,
            KeySchema=HASH_PK + [{"AttributeName": "sk", "KeyType": "HASH"}],
            AttributeDefinitions=DEF_PK + [{"AttributeName": "sk", "AttributeType": "N"}],
        ),
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
    )


def test_hash_and_range_same_name(raw_ddb):
    expect_validation(
        lambda: create(
            raw_ddb,
            KeySchema=HASH_PK + [{"AttributeName": "pk", "KeyType": "RANGE"}],
            AttributeDefinitions=DEF_PK + [{"AttributeName": "x", "AttributeType": "N"}],
        ),
        "Both the Hash Key and the Range Key element in the KeySchema have the same name",
    )


def test_attribute_type_not_in_enum(raw_ddb):
    expect_validation(
        lambda: create(raw_ddb, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "X"}]),
        "1 validation error detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' "
        "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]",
    )


# --- BillingMode and ProvisionedThroughput ---------------------------------------------------


def test_pay_per_request_with_throughput(raw_ddb):
    expect_validation(
        lambda: create(
            raw_ddb, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
        ),
        INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
        "BillingMode is PAY_PER_REQUEST",
    )


def test_provisioned_without_throughput(raw_ddb):
    expect_validation(
        lambda: create(raw_ddb, BillingMode="PROVISIONED"),
        INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
        "BillingMode is PROVISIONED",
    )


def test_no_billing_mode_and_no_throughput(raw_ddb):
    # BillingMode defaults to PROVISIONED, which needs throughput.
    expect_validation(
        lambda: create(raw_ddb, BillingMode=None),
        INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
        "BillingMode is PROVISIONED",
    )


def test_billing_mode_not_in_enum(raw_ddb):
    expect_validation(
        lambda: create(raw_ddb, BillingMode="FREE"),
        "1 validation error detected: Value 'FREE' at 'billingMode' failed to satisfy "
        "constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
    )


def test_read_capacity_below_one(raw_ddb):
    expect_validation(
        lambda: create(
            raw_ddb,
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1},
        ),
        "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' "
        "failed to satisfy constraint: Member must have value greater than or equal to 1",
    )


# --- ListTables ------------------------------------------------------------------------------


def test_list_tables_limit_zero(raw_ddb):
    expect_validation(
        lambda: raw_ddb.list_tables(Limit=0),
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    )


def test_list_tables_limit_over_100(raw_ddb):
    expect_validation(
        lambda: raw_ddb.list_tables(Limit=101),
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    )


def test_create_attribute_defined_twice(raw_ddb):
    expect_validation(
        lambda: create(
            raw_ddb,
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "pk", "AttributeType": "N"},
            ],
        ),
        "Attribute Name is duplicated: pk",
    )
