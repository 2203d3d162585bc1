"""Tests of devtools/run-external-tests; they need no external suite to be installed."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from devtool_scripts import load

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
SCRIPT = os.path.join(REPO, "devtools", "run-external-tests")


ret = load("run-external-tests")


def python_path_env():
    """An environment whose python3 is the interpreter running these tests (it has pytest)."""
    env = dict(os.environ)
    bindir = os.path.join(str(os.path.dirname(sys.executable)))
    shim = os.path.join(bindir, "python3")
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    assert os.path.exists(shim), "tests expect a python3 next to the running interpreter"
    return env


def write_config(tmp_path, body):
    path = tmp_path / "suites.toml"
    path.write_text(textwrap.dedent(body))
    return str(path)


def run_script(args, env=None):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          env=env or python_path_env())


def test_repo_registry_is_valid_and_registers_alternator():
    suites = ret.load_suites(os.path.join(REPO, "external-suites.toml"))
    alternator = [s for s in suites if "Alternator" in s["name"]]
    assert len(alternator) == 1
    assert alternator[0]["runner"] == "pytest"
    assert alternator[0]["path"] == "~/external/scylladb/test/alternator"
    assert ret.suite_command(alternator[0], "http://h:1") == [
        "python3", "-m", "pytest", "--url", "http://h:1", "--runxfail", "--junitxml=/tmp/alternator.xml"]
    # Without runpy the suite's root conftest loads ScyllaDB's own test driver (ninja, toxiproxy).
    assert ret.suite_env(alternator[0], "http://h:1", {})["SCYLLA_TEST_RUNNER"] == "runpy"


def test_env_and_args_substitution():
    suite = {"name": "s", "path": "/x", "runner": "maven", "enabled": True,
             "args": ["-Dendpoint=${EXTENDDB_ENDPOINT}", "-q"],
             "env": {"DDB_ENDPOINT": "${EXTENDDB_ENDPOINT}", "URL2": "x-${EXTENDDB_ENDPOINT}-${EXTENDDB_ENDPOINT}",
                     "PLAIN": "keep ${HOME}"}}
    env = ret.suite_env(suite, "http://localhost:9000", {"PATH": "/bin", "PLAIN": "old"})
    assert env == {"PATH": "/bin", "EXTENDDB_ENDPOINT": "http://localhost:9000",
                   "DDB_ENDPOINT": "http://localhost:9000",
                   "URL2": "x-http://localhost:9000-http://localhost:9000", "PLAIN": "keep ${HOME}"}
    assert ret.suite_command(suite, "http://localhost:9000") == ["mvn", "test", "-Dendpoint=http://localhost:9000", "-q"]


def test_dry_run_output_and_report_shape(tmp_path):
    suite_dir = tmp_path / "suite"
    suite_dir.mkdir()
    config = write_config(tmp_path, f"""
        [[suite]]
        name = "Present"
        path = "{suite_dir}"
        runner = "pytest"
        args = ["--url", "${{EXTENDDB_ENDPOINT}}"]
        [suite.env]
        DDB_ENDPOINT = "${{EXTENDDB_ENDPOINT}}"

        [[suite]]
        name = "Absent"
        path = "~/definitely/not/here-7f3a"
        runner = "cargo"

        [[suite]]
        name = "Off"
        path = "{suite_dir}"
        runner = "pytest"
        enabled = false
        """)
    report = tmp_path / "r.json"
    p = run_script(["--config", config, "--dry-run", "--endpoint", "http://localhost:9000", "--report", str(report)])
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "WOULD RUN Present" in out
    assert f"cd {suite_dir}" in out
    assert "env DDB_ENDPOINT=http://localhost:9000 python3 -m pytest --url http://localhost:9000" in out
    home = os.path.expanduser("~")
    assert f"SKIP Absent: path not found: {home}/definitely/not/here-7f3a" in out
    assert "SKIP Off: disabled in external-suites.toml" in out
    assert "suites: 0 passed, 0 failed, 2 skipped" in out
    data = json.loads(report.read_text())
    assert set(data) == {"endpoint", "config", "started_at", "dry_run", "suites", "totals"}
    assert data["endpoint"] == "http://localhost:9000" and data["dry_run"] is True
    assert [s["name"] for s in data["suites"]] == ["Present", "Absent", "Off"]
    assert [s["status"] for s in data["suites"]] == ["pending", "skipped", "skipped"]
    for s in data["suites"]:
        assert set(s) == {"name", "runner", "path", "command", "env", "status", "reason", "exit_code",
                          "passed", "failed", "skipped", "duration_seconds"}
    assert data["suites"][0]["env"] == {"DDB_ENDPOINT": "http://localhost:9000"}
    assert data["totals"]["suites_skipped"] == 2 and data["totals"]["suites_planned"] == 1


def test_missing_tools_skip_the_suite(tmp_path):
    suite_dir = tmp_path / "suite"
    suite_dir.mkdir()
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {"PATH": str(empty_bin)}
    for runner, tools in [("maven", "java, mvn"), ("gradle", "java, gradle"),
                          ("pytest", "python3, pytest"), ("cargo", "cargo")]:
        suite = {"name": runner, "path": str(suite_dir), "runner": runner, "enabled": True, "args": [], "env": {}}
        result, _ = ret.plan_suite(suite, "http://e", env)
        assert result["status"] == "skipped"
        assert result["reason"] == f"missing tools for {runner}: {tools}"
    # A java and mvn that exist satisfy maven; only the absent one is named.
    fake = empty_bin / "java"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert ret.missing_tools("maven", env) == ["mvn"]


def test_missing_tools_end_to_end_exit_zero(tmp_path):
    suite_dir = tmp_path / "suite"
    suite_dir.mkdir()
    config = write_config(tmp_path, f"""
        [[suite]]
        name = "NeedsGradle"
        path = "{suite_dir}"
        runner = "gradle"
        """)
    env = dict(os.environ)
    env["PATH"] = str(tmp_path)  # no java, no gradle
    p = subprocess.run([sys.executable, SCRIPT, "--config", config], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "SKIP NeedsGradle: missing tools for gradle: java, gradle" in p.stdout


def test_real_pytest_suite_counts_and_failure_exit(tmp_path):
    suite_dir = tmp_path / "suite"
    suite_dir.mkdir()
    (suite_dir / "test_sample.py").write_text(textwrap.dedent("""
        import os, pytest
        def test_endpoint_env():
            assert os.environ["DDB_ENDPOINT"] == "http://127.0.0.1:8999"
        def test_fails():
            assert 1 == 2
        @pytest.mark.skip(reason="no")
        def test_skipped():
            pass
        """))
    config = write_config(tmp_path, f"""
        [[suite]]
        name = "Sample"
        path = "{suite_dir}"
        runner = "pytest"
        args = ["-p", "no:cacheprovider"]
        [suite.env]
        DDB_ENDPOINT = "${{EXTENDDB_ENDPOINT}}"
        """)
    report = tmp_path / "r.json"
    p = run_script(["--config", config, "--endpoint", "http://127.0.0.1:8999", "--report", str(report)])
    assert p.returncode == 1, p.stdout + p.stderr
    assert "FAILED Sample" in p.stdout
    assert "--- last 30 lines of Sample ---" in p.stdout
    row = [line for line in p.stdout.splitlines() if line.startswith("Sample ")]
    assert row and row[-1].split()[1:5] == ["failed", "1", "1", "1"]
    data = json.loads(report.read_text())
    s = data["suites"][0]
    assert (s["status"], s["passed"], s["failed"], s["skipped"], s["exit_code"]) == ("failed", 1, 1, 1, 1)
    assert s["duration_seconds"] > 0
    assert data["totals"] == {"passed": 1, "failed": 1, "skipped": 1, "suites_passed": 0,
                              "suites_failed": 1, "suites_skipped": 0, "suites_planned": 0}


def test_suite_filter_and_unknown_name(tmp_path):
    config = write_config(tmp_path, """
        [[suite]]
        name = "A"
        path = "/nonexistent/a"
        runner = "cargo"
        [[suite]]
        name = "B"
        path = "/nonexistent/b"
        runner = "cargo"
        """)
    p = run_script(["--config", config, "--dry-run", "--suite", "B"])
    assert p.returncode == 0
    assert "SKIP B:" in p.stdout and "SKIP A:" not in p.stdout
    p = run_script(["--config", config, "--suite", "C"])
    assert p.returncode == 2
    assert "no suite named 'C'" in p.stderr


@pytest.mark.parametrize("body, message", [
    ('[[suite]]\nname = "x"\npath = "/p"\nrunner = "make"\n', "runner 'make' is not one of maven, gradle, pytest, cargo"),
    ('[[suite]]\nname = "x"\nrunner = "cargo"\n', "'path' is required"),
    ('[[suite]]\nname = "x"\npath = "/p"\nrunner = "cargo"\ntimeout = 3\n', "unknown key 'timeout'"),
    ('[[suite]]\nname = "x"\npath = "/p"\nrunner = "cargo"\nargs = "-q"\n', "'args' must be an array of strings"),
    ('[[suite]]\nname = "x"\npath = "/p"\nrunner = "cargo"\n[[suite]]\nname = "x"\npath = "/q"\nrunner = "cargo"\n',
     "suite 'x': duplicate name"),
    ('[[suite]\n', "suites.toml: "),
])
def test_config_errors_name_file_and_key(tmp_path, body, message):
    config = write_config(tmp_path, body)
    with pytest.raises(ret.ConfigError) as e:
        ret.load_suites(config)
    assert message in str(e.value)
    assert str(e.value).startswith(config)


def test_parse_counts_for_each_runner():
    assert ret.parse_counts("pytest", "....\n===== 10 passed, 2 failed, 3 skipped, 1 error in 4.20s =====\n") == \
        {"passed": 10, "failed": 3, "skipped": 3}
    assert ret.parse_counts("pytest", "..\n7 passed, 1 xfailed in 0.50s\n") == {"passed": 7, "failed": 0, "skipped": 1}
    assert ret.parse_counts("pytest", "collected 0 items\n==== no tests ran in 0.01s ====\n") == \
        {"passed": 0, "failed": 0, "skipped": 0}
    maven = ("[INFO] Tests run: 4, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.1 s - in a.BTest\n"
             "[INFO] Results:\n[ERROR] Tests run: 12, Failures: 1, Errors: 1, Skipped: 2\n")
    assert ret.parse_counts("maven", maven) == {"passed": 8, "failed": 2, "skipped": 2}
    assert ret.parse_counts("gradle", "31 tests completed, 2 failed, 1 skipped\n") == \
        {"passed": 28, "failed": 2, "skipped": 1}
    cargo = ("test result: ok. 5 passed; 0 failed; 1 ignored; 0 measured\n"
             "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured\n")
    assert ret.parse_counts("cargo", cargo) == {"passed": 8, "failed": 2, "skipped": 1}
    assert ret.parse_counts("gradle", "BUILD SUCCESSFUL\n") == {"passed": None, "failed": None, "skipped": None}
