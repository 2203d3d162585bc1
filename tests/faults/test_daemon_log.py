"""Logs never vanish (issue 24): `serve` as a daemon on a machine without a syslog socket says so
on stderr before it detaches and logs to its log file (next to the pid file by default); the
lines name the `serve` command; `status` shows readiness and warns that authentication is off.
"""

import os
import subprocess
import time

from faults_support import BIN, wait_for, write_config


def run(config, *args, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EXTENDDB_")}
    environment.update(env or {})
    return subprocess.run([BIN, *args, "--config", str(config)], capture_output=True, text=True,
                          env=environment, cwd=config.parent, timeout=60)


def test_daemon_without_syslog_logs_to_a_file(tmp_path):
    run_dir = tmp_path / "run"
    config = write_config(tmp_path / "extenddb.toml", {
        "pid_file": str(run_dir / "extenddb.pid"),
        "syslog_socket": str(tmp_path / "no-syslog-here.sock"),
        "port": 0,
    }, '[storage]\nprovider = "embedded"\n\n[storage.embedded]\nin_memory = true')
    log = run_dir / "extenddb.log"
    started = run(config, "serve")
    try:
        assert started.returncode == 0, started.stderr
        assert " listening on " in started.stdout
        assert "no syslog socket" in started.stderr and str(log) in started.stderr, started.stderr
        assert "authentication is off" in started.stderr
        wait_for(lambda: log.is_file() and "serve: extenddb ready" in log.read_text(), 10,
                 what="the ready line in the log file")
        status = run(config, "status")
        assert status.returncode == 0, status.stderr
        assert "extenddb is running on port" in status.stdout
        assert "ready: the store is reachable and writable" in status.stdout, status.stdout
        assert "authentication is off" in status.stderr
    finally:
        stopped = run(config, "stop")
    assert stopped.returncode == 0, stopped.stderr
    text = wait_for(lambda: (lambda t: t if "serve: stopped" in t else None)(log.read_text()), 10,
                    what="the stop line in the log file")
    assert "serve: SIGTERM received; shutting down" in text
    assert "dev:" not in text
