"""Connection hygiene (issue 24): the server closes idle keep-alive connections after
`idle_timeout_seconds` (1,000 of them here), refuses connections past `max_connections` with a
503 it actually delivers, and answers a request body that stalls with 408 after
`body_read_timeout_seconds` instead of waiting forever.
"""

import os
import resource
import select
import socket
import time

import pytest

from faults_support import Server, wait_for, write_config

IDLE = 1000
IDLE_TIMEOUT = 2
MEMORY = '[storage]\nprovider = "embedded"\n\n[storage.embedded]\nin_memory = true'


def raise_fd_limit(want):
    """This test process opens many sockets: raise its own open-file limit (not the server's)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want and os.geteuid() == 0:
        try:  # root may raise the hard limit too (a container's default is often 1,024)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, want))
            hard = want
        except (ValueError, OSError):
            pass
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < want:
        pytest.skip(f"this process may open only {soft} files; the test needs {want}")


def get_health(sock):
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b'{"status":"healthy"}' not in data:
        chunk = sock.recv(4096)
        assert chunk, "connection closed before the answer"
        data += chunk
    return data


def closed_by_peer(sock, timeout):
    """True when the peer closed `sock` (EOF or reset) within `timeout` seconds."""
    readable, _, _ = select.select([sock], [], [], timeout)
    if not readable:
        return False
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, OSError):
        return True


def connect(server):
    return socket.create_connection((server.host, server.port), timeout=10)


def test_idle_keep_alive_connections_are_closed(tmp_path):
    raise_fd_limit(IDLE + 200)
    config = write_config(tmp_path / "extenddb.toml", {
        "pid_file": str(tmp_path / "extenddb.pid"),
        "idle_timeout_seconds": IDLE_TIMEOUT,
        "max_connections": IDLE + 100,
    }, MEMORY)
    server = Server(config, tmp_path / "server.log")
    socks = []
    try:
        for _ in range(IDLE):
            s = connect(server)
            get_health(s)  # a keep-alive connection that served a request, now idle
            socks.append(s)
        opened = time.monotonic()
        # The server still answers while the idle connections are open.
        with connect(server) as fresh:
            assert b"200 OK" in get_health(fresh)
        deadline = opened + IDLE_TIMEOUT + 10
        still_open = list(socks)
        while still_open and time.monotonic() < deadline:
            readable, _, _ = select.select(still_open, [], [], 1.0)
            for s in readable:
                try:
                    gone = s.recv(1) == b""
                except OSError:
                    gone = True
                if gone:
                    still_open.remove(s)
        assert not still_open, f"{len(still_open)} of {IDLE} idle connections still open"
        # Not before the timeout: a connection used within it stays open.
        with connect(server) as s:
            get_health(s)
            assert not closed_by_peer(s, IDLE_TIMEOUT * 0.5)
            get_health(s)
        open_now = wait_for(
            lambda: (lambda m: m if m is not None and m <= 2 else None)(metric(server, "extenddb_connections_open")),
            10, what="open connections back to ~0")
        assert open_now <= 2
    finally:
        for s in socks:
            s.close()
        server.stop()


def metric(server, name):
    import requests
    text = requests.get(server.url + "/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def test_connections_past_the_cap_are_refused_with_503(tmp_path):
    cap = 20
    raise_fd_limit(cap + 100)
    config = write_config(tmp_path / "extenddb.toml", {
        "pid_file": str(tmp_path / "extenddb.pid"),
        "max_connections": cap,
    }, MEMORY)
    server = Server(config, tmp_path / "server.log")
    held = []
    try:
        for _ in range(cap):
            s = connect(server)
            get_health(s)
            held.append(s)
        with connect(server) as extra:
            extra.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            while True:
                chunk = extra.recv(4096)
                if not chunk:
                    break
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 503"), answer
        assert b"too many open connections" in answer
        assert metric_after_release(server, held) >= 1
        assert "connection limit reached" in server.log_text()
    finally:
        for s in held:
            s.close()
        server.stop()


def metric_after_release(server, held):
    """Closes the held connections, then reads the refusal counter over a new one."""
    for s in held:
        s.close()
    held.clear()
    return wait_for(lambda: metric(server, "extenddb_connections_refused_total"), 10,
                    what="a new connection accepted after the others closed")


def test_a_stalled_request_body_gets_408(tmp_path):
    config = write_config(tmp_path / "extenddb.toml", {
        "pid_file": str(tmp_path / "extenddb.pid"),
        "body_read_timeout_seconds": 1,
    }, MEMORY)
    server = Server(config, tmp_path / "server.log")
    try:
        with connect(server) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                      b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 100\r\n\r\n{\"Li")
            started = time.monotonic()
            s.settimeout(10)
            answer = s.recv(4096)
            waited = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert b"RequestTimeoutException" in answer
        assert waited < 5, waited
    finally:
        server.stop()
