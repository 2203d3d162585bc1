"""The fault tests (issue 24) need the extenddb binary: skipped, saying so, without it."""

import pytest

from faults_support import BIN


def pytest_collection_modifyitems(config, items):
    if not BIN:
        skip = pytest.mark.skip(reason="EXTENDDB_BIN must name the extenddb binary (scripts/test.sh sets it)")
        for item in items:
            item.add_marker(skip)
