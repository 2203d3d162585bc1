"""TagResource, UntagResource, ListTagsOfResource and CreateTable's Tags: tagging a table,
listing and removing tags, their lifetime with the table, concurrent changes, and every error
the tagging operations answer (HTTP 400, error code and exact message)."""

import threading

import pytest

from support import (
    expect_constraint_errors,
    expect_error,
    expect_validation,
    unique_name,
    wait_active,
    wait_gone,
)

INVALID = "One or more parameter values were invalid: "
ALLOWED = (
    "tag keys and values may contain only Unicode letters, digits, white space and "
    "+ - = . _ : /"
)
HASH_PK = [{"AttributeName": "pk", "KeyType": "HASH"}]
DEF_PK = [{"AttributeName": "pk", "AttributeType": "S"}]


def arn_of(client, name):
    return client.describe_table(TableName=name)["Table"]["TableArn"]


def listed(client, arn):
    """The table's tags as a list of (key, value), in the answer's order."""
    answer = client.list_tags_of_resource(ResourceArn=arn)
    assert "NextToken" not in answer
    return [(t["Key"], t["Value"]) for t in answer["Tags"]]


def tags(*pairs):
    return [{"Key": k, "Value": v} for k, v in pairs]


@pytest.fixture
def table_arn(ddb, tables):
    """A fresh, untagged ACTIVE table's ARN."""
    return arn_of(ddb, tables.hash_table(label="tag"))


# --- tagging, listing, untagging ----------------------------------------------------------


def test_new_table_has_no_tags(ddb, table_arn):
    assert ddb.list_tags_of_resource(ResourceArn=table_arn)["Tags"] == []


def test_tag_list_untag(ddb, table_arn):
    answer = ddb.tag_resource(
        ResourceArn=table_arn, Tags=tags(("team", "audio"), ("7", " "), (" ", "9"))
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert listed(ddb, table_arn) == [("team", "audio"), ("7", " "), (" ", "9")]
    # Absent keys are ignored.
    ddb.untag_resource(ResourceArn=table_arn, TagKeys=["7", "non-existent"])
    assert listed(ddb, table_arn) == [("team", "audio"), (" ", "9")]
    ddb.untag_resource(ResourceArn=table_arn, TagKeys=["team", " "])
    assert listed(ddb, table_arn) == []


def test_tagging_an_existing_key_replaces_its_value(ddb, table_arn):
    ddb.tag_resource(ResourceArn=table_arn, Tags=tags(("a", "1"), ("b", "2")))
    ddb.tag_resource(ResourceArn=table_arn, Tags=tags(("a", "changed"), ("c", "3")))
    assert listed(ddb, table_arn) == [("a", "changed"), ("b", "2"), ("c", "3")]


def test_empty_value_longest_key_and_value_and_unicode(ddb, table_arn):
    pairs = [
        ("empty", ""),
        ("k" * 128, "v" * 256),
        ("законные буквы", "ѮѮѮ"),
        ("a+b-c=d.e_f:g/h", "x y"),
    ]
    ddb.tag_resource(ResourceArn=table_arn, Tags=tags(*pairs))
    assert listed(ddb, table_arn) == pairs


def test_next_token_is_never_returned(ddb, table_arn):
    ddb.tag_resource(ResourceArn=table_arn, Tags=tags(*[(f"k{i}", "v") for i in range(50)]))
    answer = ddb.list_tags_of_resource(ResourceArn=table_arn, NextToken="whatever")
    assert len(answer["Tags"]) == 50
    assert "NextToken" not in answer


def test_create_table_with_tags(ddb, tables):
    name, _ = tables.create(HASH_PK, DEF_PK, label="tagc", Tags=tags(("env", "test"), ("x", "")))
    assert listed(ddb, arn_of(ddb, name)) == [("env", "test"), ("x", "")]


def test_tags_survive_update_table(ddb, table_arn, tables):
    ddb.tag_resource(ResourceArn=table_arn, Tags=tags(("keep", "me")))
    name = table_arn.rsplit("/", 1)[1]
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    assert listed(ddb, table_arn) == [("keep", "me")]


def test_deleted_table_loses_its_tags_and_a_new_one_starts_untagged(ddb, tables):
    name, _ = tables.create(HASH_PK, DEF_PK, label="tagd", Tags=tags(("old", "1")))
    arn = arn_of(ddb, name)
    ddb.delete_table(TableName=name)
    wait_gone(ddb, name)
    expect_error(
        lambda: ddb.list_tags_of_resource(ResourceArn=arn),
        "ResourceNotFoundException",
        f"Requested resource not found: ResourceArn: {arn} not found",
    )
    ddb.create_table(
        TableName=name, KeySchema=HASH_PK, AttributeDefinitions=DEF_PK, BillingMode="PAY_PER_REQUEST"
    )
    wait_active(ddb, name)
    assert listed(ddb, arn) == []


def test_concurrent_tag_changes_are_not_lost(ddb, table_arn):
    """Threads tag and untag their own keys at once: each sees its own change every time."""
    failures = []

    def worker(key):
        try:
            for _ in range(15):
                ddb.tag_resource(ResourceArn=table_arn, Tags=tags((key, "on")))
                if (key, "on") not in listed(ddb, table_arn):
                    failures.append(f"{key} lost after tagging")
                ddb.untag_resource(ResourceArn=table_arn, TagKeys=[key])
                if any(k == key for k, _ in listed(ddb, table_arn)):
                    failures.append(f"{key} still there after untagging")
            ddb.tag_resource(ResourceArn=table_arn, Tags=tags((key, "final")))
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(repr(e))

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(listed(ddb, table_arn)) == [(f"w{i}", "final") for i in range(4)]


# --- resource ARNs ------------------------------------------------------------------------


def one_tag():
    return tags(("x", "y"))


def test_arn_must_start_with_arn(ddb):
    expect_validation(
        lambda: ddb.tag_resource(ResourceArn="I_do_not_exist", Tags=one_tag()),
        INVALID + "ARNs must start with 'arn:': I_do_not_exist",
    )


def test_missing_arn(raw_ddb):
    expect_validation(lambda: raw_ddb.tag_resource(Tags=one_tag()), "Invalid TableArn")
    expect_validation(lambda: raw_ddb.list_tags_of_resource(), "Invalid TableArn")
    expect_validation(lambda: raw_ddb.untag_resource(TagKeys=["x"]), "Invalid TableArn")


def test_empty_and_overlong_arn(raw_ddb):
    expect_constraint_errors(
        lambda: raw_ddb.list_tags_of_resource(ResourceArn=""),
        ["Value '' at 'resourceArn' failed to satisfy constraint: "
         "Member must have length greater than or equal to 1"],
    )
    long = "arn:" + "x" * 1280
    expect_constraint_errors(
        lambda: raw_ddb.list_tags_of_resource(ResourceArn=long),
        [f"Value '{long}' at 'resourceArn' failed to satisfy constraint: "
         "Member must have length less than or equal to 1283"],
    )


def test_arn_of_another_service_or_account_is_denied(ddb, table_arn):
    parts = table_arn.split(":")
    account = parts[4]
    other_account = parts[:4] + ["999999999999"] + parts[5:]
    other_service = parts[:2] + ["s3"] + parts[3:]
    for arn in ["arn:not/a/good/format", ":".join(other_account), ":".join(other_service)]:
        expect_error(
            lambda arn=arn: ddb.tag_resource(ResourceArn=arn, Tags=one_tag()),
            "AccessDeniedException",
            f"User: arn:aws:iam::{account}:root is not authorized to perform: "
            f"dynamodb:TagResource on resource: {arn}",
        )


def test_arn_of_another_region_or_a_bad_table_name_is_invalid(ddb, table_arn):
    parts = table_arn.split(":")
    other_region = ":".join(parts[:3] + ["eu-west-1"] + parts[4:])
    short_name = ":".join(parts[:5] + ["table/ab"])
    for arn in [other_region, short_name, table_arn + "/other/x"]:
        expect_validation(
            lambda arn=arn: ddb.list_tags_of_resource(ResourceArn=arn),
            f"Invalid TableArn: Invalid ResourceArn provided as input {arn}",
        )


def test_non_table_resource_arn(ddb, table_arn):
    backup = table_arn.rsplit(":", 1)[0] + ":backup/b1"
    expect_validation(
        lambda: ddb.list_tags_of_resource(ResourceArn=backup),
        INVALID + f"Provided Arn is not a DynamoDB resource arn: {backup}",
    )


def test_index_arns_cannot_be_tagged(ddb, tables):
    name, _ = tables.create(
        HASH_PK,
        DEF_PK + [{"AttributeName": "g", "AttributeType": "S"}],
        label="tagi",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    index_arn = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["IndexArn"]
    message = (
        INVALID + "Invalid resource arn provided, only table or stream is accepted. "
        f"Provided resource arn: {index_arn}"
    )
    expect_validation(lambda: ddb.list_tags_of_resource(ResourceArn=index_arn), message)
    expect_validation(lambda: ddb.tag_resource(ResourceArn=index_arn, Tags=one_tag()), message)


def test_table_that_does_not_exist(ddb, table_arn):
    arn = table_arn + "x"
    message = f"Requested resource not found: ResourceArn: {arn} not found"
    expect_error(
        lambda: ddb.tag_resource(ResourceArn=arn, Tags=one_tag()),
        "ResourceNotFoundException",
        message,
    )
    expect_error(
        lambda: ddb.untag_resource(ResourceArn=arn, TagKeys=["x"]),
        "ResourceNotFoundException",
        message,
    )
    expect_error(
        lambda: ddb.list_tags_of_resource(ResourceArn=arn), "ResourceNotFoundException", message
    )


def test_table_being_created_is_not_found(ddb, tables):
    name, response = tables.create(HASH_PK, DEF_PK, label="tagn", wait=False)
    arn = response["TableDescription"]["TableArn"]
    if ddb.describe_table(TableName=name)["Table"]["TableStatus"] != "CREATING":
        pytest.skip("the server's control-plane delay is zero: tables are ACTIVE at once")
    expect_error(
        lambda: ddb.tag_resource(ResourceArn=arn, Tags=one_tag()),
        "ResourceNotFoundException",
        f"Requested resource not found: ResourceArn: {arn} not found",
    )


# --- tags and tag keys --------------------------------------------------------------------


def test_empty_tag_list(ddb, table_arn):
    expect_validation(
        lambda: ddb.tag_resource(ResourceArn=table_arn, Tags=[]),
        "Atleast one Tag needs to be provided as Input.",
    )


def test_empty_tag_key_list(ddb, table_arn):
    expect_validation(
        lambda: ddb.untag_resource(ResourceArn=table_arn, TagKeys=[]),
        "Atleast one Tag Key needs to be provided as Input.",
    )


def test_missing_tags_and_tag_keys(raw_ddb, table_arn):
    expect_constraint_errors(
        lambda: raw_ddb.tag_resource(ResourceArn=table_arn),
        ["Value null at 'tags' failed to satisfy constraint: Member must not be null"],
    )
    expect_constraint_errors(
        lambda: raw_ddb.untag_resource(ResourceArn=table_arn),
        ["Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"],
    )


def test_key_and_value_lengths(raw_ddb, table_arn):
    key, value = "k" * 129, "v" * 257
    expect_constraint_errors(
        lambda: raw_ddb.tag_resource(
            ResourceArn=table_arn, Tags=[{"Key": key, "Value": value}, {"Key": "", "Value": "x"}]
        ),
        [
            f"Value '{key}' at 'tags.1.member.key' failed to satisfy constraint: "
            "Member must have length less than or equal to 128",
            f"Value '{value}' at 'tags.1.member.value' failed to satisfy constraint: "
            "Member must have length less than or equal to 256",
            "Value '' at 'tags.2.member.key' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
        ],
    )
    expect_constraint_errors(
        lambda: raw_ddb.tag_resource(ResourceArn=table_arn, Tags=[{"Key": "dog"}]),
        ["Value null at 'tags.1.member.value' failed to satisfy constraint: "
         "Member must not be null"],
    )
    expect_constraint_errors(
        lambda: raw_ddb.untag_resource(ResourceArn=table_arn, TagKeys=[key]),
        [f"Value '{key}' at 'tagKeys.1.member' failed to satisfy constraint: "
         "Member must have length less than or equal to 128"],
    )


@pytest.mark.parametrize("bad", ["hi!", "d%g", '"hello"', "<><"])
def test_forbidden_characters(ddb, table_arn, bad):
    expect_validation(
        lambda: ddb.tag_resource(ResourceArn=table_arn, Tags=tags((bad, "v"))),
        INVALID + f"Invalid tag key '{bad}': {ALLOWED}",
    )
    expect_validation(
        lambda: ddb.tag_resource(ResourceArn=table_arn, Tags=tags(("k", bad))),
        INVALID + f"Invalid tag value '{bad}': {ALLOWED}",
    )
    assert listed(ddb, table_arn) == []


def test_reserved_aws_prefix(ddb, table_arn):
    expect_validation(
        lambda: ddb.tag_resource(ResourceArn=table_arn, Tags=tags(("aws:cost", "v"))),
        INVALID + "Tag key 'aws:cost' is reserved: keys beginning with 'aws:' are for AWS use",
    )


def test_duplicate_keys_in_one_request(ddb, table_arn):
    expect_validation(
        lambda: ddb.tag_resource(ResourceArn=table_arn, Tags=tags(("k", "1"), ("k", "2"))),
        INVALID + "Duplicate tag key 'k' in the request",
    )
    assert listed(ddb, table_arn) == []


TOO_MANY = INVALID + "A resource can have at most 50 tags"


def test_at_most_fifty_tags(ddb, table_arn):
    ddb.tag_resource(ResourceArn=table_arn, Tags=tags(*[(str(i), "v") for i in range(30)]))
    # Overlapping keys replace values: 40 tags in all.
    ddb.tag_resource(ResourceArn=table_arn, Tags=tags(*[(str(i), "w") for i in range(20, 40)]))
    assert len(listed(ddb, table_arn)) == 40
    expect_validation(
        lambda: ddb.tag_resource(
            ResourceArn=table_arn, Tags=tags(*[(str(i), "v") for i in range(40, 60)])
        ),
        TOO_MANY,
    )
    assert len(listed(ddb, table_arn)) == 40
    expect_validation(
        lambda: ddb.tag_resource(ResourceArn=table_arn, Tags=tags(*[(f"n{i}", "") for i in range(51)])),
        TOO_MANY,
    )


def test_create_table_with_bad_tags_creates_nothing(ddb):
    for bad, message in [
        (tags(*[(str(i), "v") for i in range(51)]), TOO_MANY),
        (tags(("aws:x", "v")), INVALID + "Tag key 'aws:x' is reserved: keys beginning with 'aws:' are for AWS use"),
    ]:
        name = unique_name("tagbad")
        expect_validation(
            lambda bad=bad, name=name: ddb.create_table(
                TableName=name,
                KeySchema=HASH_PK,
                AttributeDefinitions=DEF_PK,
                BillingMode="PAY_PER_REQUEST",
                Tags=bad,
            ),
            message,
        )
        expect_error(
            lambda name=name: ddb.describe_table(TableName=name),
            "ResourceNotFoundException",
            f"Requested resource not found: Table: {name} not found",
        )
