"""devtools/compare's variants: a stream on the bench's tables, several servers of one
PostgreSQL deployment, a hot standby — parsed, refused where they make no sense, and turned
into the bench's arguments and the servers' commands. Needs no server."""

import os
import sys

import pytest
from devtool_scripts import load

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, os.path.join(REPO, "devtools"))


compare = load("compare")


def test_variant_options_are_parsed():
    a = compare.parse_args([
        "--targets", "postgres",
        "--variant", "pg-stream=postgres,stream=NEW_AND_OLD_IMAGES",
        "--variant", "pg-3=postgres,servers=3",
        "--variant", "pg-replica=postgres,replica=1,throttling_enabled=false",
    ])
    assert a.targets == ["postgres", "pg-stream", "pg-3", "pg-replica"]
    assert a.variants["pg-stream"]["stream"] == "NEW_AND_OLD_IMAGES"
    assert a.variants["pg-stream"]["servers"] == 1 and not a.variants["pg-stream"]["replica"]
    assert a.variants["pg-3"]["servers"] == 3
    assert a.variants["pg-replica"]["replica"] is True
    # The runtime settings keep only what is a setting.
    assert a.variants["pg-replica"]["settings"] == {"throttling_enabled": "false"}


@pytest.mark.parametrize("spec", ["e=embedded,servers=2", "e=embedded,replica=1", "p=postgres,servers=0",
                                  "p=postgres,servers=two", "p=postgres,servers=2,auth=builtin"])
def test_variant_options_that_make_no_sense_are_refused(spec, capsys):
    with pytest.raises(SystemExit):
        compare.parse_args(["--variant", spec])
    assert "--variant" in capsys.readouterr().err


def test_bench_gets_the_stream_view_type_and_every_endpoint(monkeypatch, tmp_path):
    seen = []

    class Done:
        returncode = 1

        def __init__(self, cmd, **_kw):
            seen.append(cmd)

        def wait(self, _timeout=None):
            return self.returncode

        def communicate(self):
            return "", "stopped here"

    monkeypatch.setattr(compare.subprocess, "Popen", Done)
    args = compare.parse_args(["--targets", "postgres"])
    compare.bench_run("bench", "http://127.0.0.1:1,http://127.0.0.1:2", "t-1", "put", 64, args,
                      str(tmp_path / "out.json"), stream="NEW_IMAGE")
    cmd = seen[0]
    assert cmd[cmd.index("--endpoint") + 1] == "http://127.0.0.1:1,http://127.0.0.1:2"
    assert cmd[cmd.index("--stream-view-type") + 1] == "NEW_IMAGE"
    compare.bench_run("bench", "http://127.0.0.1:1", "t-1", "put", 64, args, str(tmp_path / "out.json"))
    assert "--stream-view-type" not in seen[1]
