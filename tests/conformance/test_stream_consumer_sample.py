"""samples/stream_consumer.py, the user guide's polling loop made runnable: run as a program
against the server under test, it must see every write its writer threads made, once each and
in order per key; and its checker must catch a stream that loses, repeats or reorders."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from support import unique_name

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "stream_consumer.py"


def test_the_sample_consumer_verifies_its_own_writes(endpoint, ddb):
    table = unique_name("consumer")
    try:
        out = subprocess.run(
            [sys.executable, str(SAMPLE), "--endpoint", endpoint, "--table", table,
             "--writers", "3", "--keys", "4", "--writes", "40", "--verify", "--timeout", "30"],
            capture_output=True, text=True, timeout=120, env=dict(os.environ),
        )
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert lines[-1] == "120 acknowledged writes, 120 seen in the stream"
        # The guide's loop prints each record as "<eventName>: <Keys>".
        events = [l for l in lines[:-1] if l.startswith(("INSERT: ", "MODIFY: "))]
        assert len(events) == 120
        assert sum(l.startswith("INSERT: ") for l in events) == 12
    finally:
        ddb.delete_table(TableName=table)


def test_the_checker_catches_lost_repeated_and_reordered_changes():
    spec = importlib.util.spec_from_file_location("stream_consumer", SAMPLE)
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    acked = {"a": [1, 2, 3], "b": [1]}
    assert sample.check(acked, {"a": [1, 2, 3], "b": [1]}) == []
    # An unacknowledged change may appear (it may have committed before the failure).
    assert sample.check({"a": [1, 3]}, {"a": [1, 2, 3]}) == []
    assert sample.check(acked, {"a": [1, 3], "b": [1]}) == ["a: acknowledged but not in the stream: [2]"]
    assert sample.check(acked, {"a": [1, 2, 2, 3], "b": [1]}) == ["a: out of order or repeated: [1, 2, 2, 3]"]
    assert sample.check(acked, {"a": [2, 1, 3], "b": [1]}) == ["a: out of order or repeated: [2, 1, 3]"]
