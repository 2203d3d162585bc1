"""PartiQL from a user's point of view: `aws dynamodb execute-statement` (and its batch and
transaction siblings) run through the AWS CLI against the server under test, as the AWS
developer guide's PartiQL examples write them."""

import json
import shlex
import uuid

import boto3
import pytest
from botocore.config import Config

from test_guide_walkthrough import run


@pytest.fixture
def music(endpoint):
    """A Music table (Artist, SongTitle), deleted afterwards."""
    client = boto3.client(
        "dynamodb", endpoint_url=endpoint, config=Config(retries={"total_max_attempts": 1})
    )
    name = f"conf-music-{uuid.uuid4().hex[:12]}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"},
                   {"AttributeName": "SongTitle", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"},
                              {"AttributeName": "SongTitle", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    yield name
    client.delete_table(TableName=name)


def cli(endpoint, *args, check=True):
    command = "aws dynamodb " + " ".join(shlex.quote(a) for a in args)
    return run(command, endpoint, check=check)


def test_execute_statement_from_the_cli(endpoint, music):
    insert = f"INSERT INTO \"{music}\" VALUE {{'Artist':'Acme Band','SongTitle':'PartiQL Rocks','Awards':'8'}}"
    assert json.loads(cli(endpoint, "execute-statement", "--statement", insert).stdout) == {"Items": []}

    out = json.loads(cli(endpoint, "execute-statement", "--statement",
                         f"SELECT * FROM \"{music}\" WHERE Artist = ? AND SongTitle = ?",
                         "--parameters", '[{"S": "Acme Band"}, {"S": "PartiQL Rocks"}]').stdout)
    assert out["Items"] == [{"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "PartiQL Rocks"},
                             "Awards": {"S": "8"}}]

    out = json.loads(cli(endpoint, "execute-statement", "--statement",
                         f"UPDATE \"{music}\" SET AwardsWon = 1 SET AwardDetail = {{'Grammys':[2020, 2018]}} "
                         f"WHERE Artist = 'Acme Band' AND SongTitle = 'PartiQL Rocks' RETURNING ALL NEW *").stdout)
    assert out["Items"][0]["AwardDetail"] == {"M": {"Grammys": {"L": [{"N": "2020"}, {"N": "2018"}]}}}

    # The CLI reports DynamoDB's error and exits non-zero.
    dup = cli(endpoint, "execute-statement", "--statement", insert, check=False)
    assert dup.returncode != 0
    assert "DuplicateItemException" in dup.stderr
    assert "Duplicate primary key exists in table" in dup.stderr

    bad = cli(endpoint, "execute-statement", "--statement",
              f"DELETE FROM \"{music}\" WHERE Artist = 'Acme Band'", check=False)
    assert bad.returncode != 0
    assert "Where clause does not contain a mandatory equality on all key attributes" in bad.stderr


def test_batch_and_transaction_from_the_cli(endpoint, music):
    statements = [
        {"Statement": f"INSERT INTO \"{music}\" VALUE {{'Artist':'A','SongTitle':'one'}}"},
        {"Statement": f"INSERT INTO \"{music}\" VALUE {{'Artist':'A','SongTitle':'two'}}"},
    ]
    out = json.loads(cli(endpoint, "batch-execute-statement", "--statements", json.dumps(statements)).stdout)
    assert out["Responses"] == [{"TableName": music}, {"TableName": music}]

    tx = [{"Statement": f"UPDATE \"{music}\" SET n = 1 WHERE Artist = 'A' AND SongTitle = 'one'"},
          {"Statement": f"DELETE FROM \"{music}\" WHERE Artist = 'A' AND SongTitle = 'two'"}]
    out = json.loads(cli(endpoint, "execute-transaction", "--transact-statements", json.dumps(tx)).stdout)
    assert out["Responses"] == []

    out = json.loads(cli(endpoint, "execute-statement", "--statement",
                         f"SELECT SongTitle, n FROM \"{music}\" WHERE Artist = 'A'").stdout)
    assert out["Items"] == [{"SongTitle": {"S": "one"}, "n": {"N": "1"}}]
