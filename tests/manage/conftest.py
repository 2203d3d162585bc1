"""Fixtures of tests/manage: a fresh deployment (`extenddb init` on each backend) with its
server running. The helpers are in deployments.py."""

import pytest

pytest.register_assert_rewrite("deployments")

from deployments import BIN, Deployment, backends  # noqa: E402


@pytest.fixture(params=backends())
def deployment(request, tmp_path):
    """A fresh deployment with its server running."""
    if not BIN:
        pytest.skip("EXTENDDB_BIN must name the extenddb binary (scripts/test.sh sets it)")
    d = Deployment(request.param, tmp_path)
    d.start()
    yield d
    d.destroy()
