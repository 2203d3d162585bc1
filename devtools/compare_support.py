"""Helpers of devtools/compare: peer installation, processes, the PostgreSQL cluster and pgbench.

Rendering of the results lives in compare_render.py. Standard library only.
"""

import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

from compare_render import PG_FLOOR, fmt_row, render, replace_block, row_from_bench  # noqa: F401  (re-exported)


def log(msg):
    """Progress on stderr."""
    print(f"[compare] {msg}", file=sys.stderr, flush=True)


def free_port():
    """A free loopback TCP port."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, timeout=60.0):
    """Waits until 127.0.0.1:port accepts connections; fails if proc exits first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def port_of(cmd):
    """The value after --port / -p in a command line."""
    for i, a in enumerate(cmd):
        if a in ("--port", "-p") and i + 1 < len(cmd):
            return int(cmd[i + 1])
    raise ValueError(f"no --port in {cmd}")


class Processes:
    """Servers started by the script, by name; each logs to <work>/<name>.log."""

    def __init__(self):
        self.procs = {}

    def start(self, name, cmd, work, env=None):
        """Starts cmd and waits for its port."""
        log(f"starting {name}: {' '.join(cmd)}")
        out = open(os.path.join(work, f"{name}.log"), "w")
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=work, env=env,
                                start_new_session=True)
        self.procs[name] = proc
        wait_port(port_of(cmd), proc)

    def pids(self, name):
        """The pids of the server `name` and of the extra servers of its deployment."""
        return [p.pid for n, p in self.procs.items() if n == name or n.startswith(name + "#")]

    def stop(self, name):
        """Stops one server (SIGTERM, then SIGKILL after 10 s), and the extra servers of its
        deployment (`<name>#<n>`)."""
        for extra in [n for n in self.procs if n.startswith(name + "#")]:
            self.stop(extra)
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop_all(self):
        """Stops every server still running."""
        for name in list(self.procs):
            self.stop(name)


def ensure_dynoxide(tools):
    """The dynoxide binary, installed with `cargo install --locked dynoxide-rs` when missing."""
    root = os.path.join(tools, "dynoxide")
    exe = os.path.join(root, "bin", "dynoxide")
    if not os.path.exists(exe):
        log("installing dynoxide-rs with cargo install (takes minutes)")
        env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(tools, "cargo-target"))
        subprocess.run(["cargo", "install", "--locked", "dynoxide-rs", "--root", root], env=env, check=True)
    return exe


def ensure_dynalite(tools):
    """dynalite's CLI script, installed with npm into <tools>/dynalite when missing."""
    prefix = os.path.join(tools, "dynalite")
    exe = os.path.join(prefix, "node_modules", "dynalite", "cli.js")
    if not os.path.exists(exe):
        log("installing dynalite with npm")
        os.makedirs(prefix, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", prefix, "dynalite"], check=True)
    return exe


def ensure_moto(tools):
    """moto_server from a virtualenv in <tools>/moto-venv, created when missing."""
    venv = os.path.join(tools, "moto-venv")
    exe = os.path.join(venv, "bin", "moto_server")
    if not os.path.exists(exe):
        log("installing moto[server] into a virtualenv")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "moto[server]"], check=True)
    return exe


def peer_versions(tools, targets):
    """Installed versions of the peers that ran, for the record."""
    out = {}
    dyn = os.path.join(tools, "dynoxide", ".crates2.json")
    if any(t.startswith("dynoxide") for t in targets) and os.path.exists(dyn):
        m = re.search(r'dynoxide-rs ([0-9][^ "]*)', open(dyn).read())
        out["dynoxide-rs"] = m.group(1) if m else "?"
    pkg = os.path.join(tools, "dynalite", "node_modules", "dynalite", "package.json")
    if any(t.startswith("dynalite") for t in targets) and os.path.exists(pkg):
        m = re.search(r'"version":\s*"([^"]+)"', open(pkg).read())
        out["dynalite"] = m.group(1) if m else "?"
        out["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    pip = os.path.join(tools, "moto-venv", "bin", "pip")
    if "moto" in targets and os.path.exists(pip):
        r = subprocess.run([pip, "show", "moto"], capture_output=True, text=True).stdout
        m = re.search(r"^Version: (.+)$", r, re.M)
        out["moto"] = m.group(1) if m else "?"
    if "pgbench" in targets or "postgres" in targets:
        pg = shutil.which("pgbench") or "pgbench"
        out["pgbench"] = subprocess.run([pg, "--version"], capture_output=True, text=True).stdout.strip()
    return out


def loadavg():
    """The 1/5/15-minute load averages as a string."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine_info(repo):
    """nproc, memory, CPU model, commit, date and load before the run."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    total = mem[1].split()[1] if len(mem) > 1 else "?"
    commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "memory": total, "cpu": cpu, "commit": commit + ("+dirty" if dirty else ""),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_before": loadavg(),
            "kernel": os.uname().release}


# --- CPU time --------------------------------------------------------------------------------

CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pids):
    """User + system CPU seconds of the processes `pids` (all their threads) so far; a pid that
    has gone counts 0."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command's closing parenthesis: state is field 3, utime 14, stime 15.
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICK


def pg_backend_pids(pg):
    """The PostgreSQL cluster's processes: the postmaster and its children (backends, WAL
    writer, checkpointer, ...)."""
    try:
        with open(os.path.join(pg, "data", "postmaster.pid")) as f:
            master = int(f.readline().strip())
    except (OSError, ValueError):
        return []
    pids = [master]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == master:
            pids.append(int(entry))
    return pids


# --- PostgreSQL -------------------------------------------------------------------------------

def start_pg_cluster(repo, work):
    """Starts the private cluster of scripts/pg-cluster.sh in <work>/pg; returns its directory."""
    pg = os.path.join(work, "pg")
    subprocess.run([os.path.join(repo, "scripts", "pg-cluster.sh"), "start", pg], check=True)
    return pg


def start_pg_standby(repo, pg):
    """Adds a hot standby (streaming replication) to the private cluster."""
    subprocess.run([os.path.join(repo, "scripts", "pg-cluster.sh"), "standby", pg], check=True)


def stop_pg_cluster(repo, pg):
    """Stops the private cluster."""
    subprocess.run([os.path.join(repo, "scripts", "pg-cluster.sh"), "stop", pg])


def pg_port(pg):
    """The port the private cluster listens on."""
    with open(os.path.join(pg, "port")) as f:
        return int(f.read().strip())


def pg_user():
    """The cluster's superuser (pg-cluster.sh runs it as `postgres` when we are root)."""
    return "postgres" if os.getuid() == 0 else os.environ.get("USER", "postgres")


def prepare_pg_server(ext, pg, work, https, name="postgres", settings=None, builtin=False,
                      replica=False, servers=1):
    """`extenddb init` into a scratch HOME (databases named after `name`), then the runtime
    `settings` stored; returns (endpoint, ca_bundle, serve commands, env): `servers` commands
    of the one configuration on their own ports, and the endpoint lists them all,
    comma-separated. With `replica` the configuration reads eventually consistent data from
    the cluster's standby (start_pg_standby). The server runs with authentication off (`none`:
    extenddb-bench signs with throw-away keys) unless `builtin` (init's default;
    make_bench_key reads the first admin's password from init's output)."""
    home = os.path.join(work, f"{name}-home")
    os.makedirs(home, exist_ok=True)
    # Every deployment on the cluster shares the `extenddb` role: give it one known password
    # (binaries before `init --role-password` ignore the variable and make the role themselves).
    env = dict(os.environ, HOME=home, EXTENDDB_ADMIN_PASSWORD=BENCH_ADMIN_PASSWORD,
               EXTENDDB_ROLE_PASSWORD=BENCH_ROLE_PASSWORD)
    if not builtin:
        env["EXTENDDB_AUTH__PROVIDER"] = "none"
    port = free_port()
    config = os.path.join(home, "extenddb.toml")
    db = re.sub(r"[^a-z0-9_]", "_", name.lower())
    subprocess.run([ext, "init", "--pg-host", "127.0.0.1", "--pg-port", str(pg_port(pg)), "--pg-user", pg_user(),
                    "--port", str(port), "--config", config,
                    "--catalog-db", f"cmp_{db}_catalog", "--data-db", f"cmp_{db}_data"], env=env, check=True,
                   stdout=open(os.path.join(work, f"{name}-init.log"), "w"), stderr=subprocess.STDOUT)
    for key, value in (settings or {}).items():
        subprocess.run([ext, "settings", "--config", config, "set", key, value], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    if not https:
        text = open(config).read()
        text, n = re.subn(r"(\[server\.tls\][^\[]*?enabled\s*=\s*)true", r"\1false", text)
        if n != 1:
            raise RuntimeError(f"cannot switch TLS off in {config}")
        open(config, "w").write(text)
    if replica:
        with open(os.path.join(pg, "standby", "port")) as f:
            replica_port = int(f.read().strip())
        with open(config, "a") as f:
            f.write(f'\n[[storage.postgres.replicas]]\nhost = "127.0.0.1"\nport = {replica_port}\n')
    scheme = "https" if https else "http"
    ca = os.path.join(home, ".extenddb", "tls", "cert.pem") if https else None
    ports = [port] + [free_port() for _ in range(servers - 1)]
    cmds = [[ext, "serve", "--config", config, "--foreground", "--port", str(p)] for p in ports]
    return ",".join(f"{scheme}://127.0.0.1:{p}" for p in ports), ca, cmds, env


# The first admin's password on builtin-auth targets (scratch deployments on loopback only).
BENCH_ADMIN_PASSWORD = "compare-admin-Passw0rd!"
# The `extenddb` role's password on compare's private cluster.
BENCH_ROLE_PASSWORD = "compare-role-Passw0rd!"

# The bench user's policy: every DynamoDB action on the account's tables, under conditions the
# evaluator must check on every request (a source-IP range and a secure-transport-or-loopback
# test), so the measured cost includes condition evaluation, not just a key lookup.
BENCH_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": "dynamodb:*",
        "Resource": "arn:aws:dynamodb:*:*:table/*",
        "Condition": {
            "IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]},
            "StringLike": {"aws:username": "bench*"},
        },
    }],
})


def make_bench_key(ext, endpoint, env, work, name, config=None):
    """On a builtin-auth server: a user `bench` in the default account with BENCH_POLICY and an
    access key, made through `extenddb manage` as the first admin; returns (key id, secret)."""
    env = dict(env or os.environ, EXTENDDB_ADMIN_PASSWORD=BENCH_ADMIN_PASSWORD)
    init_log = os.path.join(work, f"{name}-init.log")
    if os.path.exists(init_log):
        # `extenddb init` generates the first admin's password and prints it once.
        m = re.search(r"^  password: (\S+)$", open(init_log).read(), re.M)
        if m:
            env["EXTENDDB_ADMIN_PASSWORD"] = m.group(1)
    base = [ext, "manage", "--endpoint", endpoint, "--user", "admin"]
    if config:
        base += ["--config", config]
    logf = open(os.path.join(work, f"{name}-manage.log"), "w")

    def manage(*a, capture=False):
        r = subprocess.run(base + list(a), env=env, check=True, text=True,
                           stdout=subprocess.PIPE if capture else logf, stderr=logf)
        return r.stdout

    # The default account: `extenddb init` prints it ("Default account: …"), `dev` names it in
    # its banner ("default account …"). On a busy machine the banner can reach the log after
    # the server already answers, so the logs are read again for a while.
    account = None
    deadline = time.monotonic() + 15
    while account is None:
        for logname in (f"{name}-init.log", f"{name}.log"):
            path = os.path.join(work, logname)
            if os.path.exists(path):
                m = re.search(r"[Dd]efault account:? (\d{12})", open(path).read())
                if m:
                    account = m.group(1)
                    break
        if account is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name}: cannot find the default account in its logs")
            time.sleep(0.2)
    manage("create-user", "--account-id", account, "--user-name", "bench")
    manage("put-user-policy", "--account-id", account, "--user-name", "bench",
           "--policy-name", "bench", "--policy-document", BENCH_POLICY)
    key = json.loads(manage("--json", "create-access-key", "--account-id", account,
                            "--user-name", "bench", capture=True))
    log(f"  {name}: bench user in account {account}, key {key['access_key_id']}")
    return key["access_key_id"], key["secret_access_key"]


PGBENCH_SETUP = """
DROP TABLE IF EXISTS pgb_items;
CREATE TABLE pgb_items (storage_id bigint NOT NULL, key bytea NOT NULL, item bytea NOT NULL,
                        size int NOT NULL, PRIMARY KEY (storage_id, key));
INSERT INTO pgb_items
SELECT 1, convert_to('k' || lpad(i::text, 12, '0'), 'UTF8'), convert_to(repeat('v', {size}), 'UTF8'), {size}
FROM generate_series(0, {keys} - 1) AS i;
VACUUM ANALYZE pgb_items;
"""

PGBENCH_SCRIPTS = {
    # Single-row upsert of a whole item, as extenddb's PutItem stores it.
    "upsert": """\\set k random(0, {keys} - 1)
INSERT INTO pgb_items (storage_id, key, item, size)
VALUES (1, convert_to('k' || lpad(:k::text, 12, '0'), 'UTF8'), convert_to(repeat('v', {size}), 'UTF8'), {size})
ON CONFLICT (storage_id, key) DO UPDATE SET item = EXCLUDED.item, size = EXCLUDED.size;
""",
    # Point select by primary key, as GetItem reads.
    "select": """\\set k random(0, {keys} - 1)
SELECT item FROM pgb_items WHERE storage_id = 1 AND key = convert_to('k' || lpad(:k::text, 12, '0'), 'UTF8');
""",
}


def percentile(sorted_vals, q):
    """The q-quantile (0..1) of sorted values, nearest rank."""
    if not sorted_vals:
        return None
    idx = min(len(sorted_vals) - 1, max(0, int(round(q * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[idx]


def setup_pgbench(pg, args, work):
    """Creates pgbench's table and writes its scripts; returns {script name: path}."""
    port, user = pg_port(pg), pg_user()
    base = ["-h", "127.0.0.1", "-p", str(port), "-U", user]
    subprocess.run(["psql", *base, "-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
                   input="SET client_min_messages = warning;" + PGBENCH_SETUP.format(keys=args.keys, size=args.item_size),
                   text=True, check=True, stdout=subprocess.DEVNULL)
    paths = {}
    for name, script in PGBENCH_SCRIPTS.items():
        path = os.path.join(work, f"pgbench-{name}.sql")
        with open(path, "w") as f:
            f.write(script.format(keys=args.keys, size=args.item_size))
        paths[name] = path
    return paths


def run_pgbench_once(pg, args, work, name, path, c):
    """pgbench -M prepared with one script at one concurrency; returns its result row."""
    port, user = pg_port(pg), pg_user()
    base = ["-h", "127.0.0.1", "-p", str(port), "-U", user]
    secs = max(1, round(parse_seconds(args.duration)))
    warm = parse_seconds(args.warmup)
    jobs = str(min(c, os.cpu_count() or 1))
    if warm > 0:
        subprocess.run(["pgbench", *base, "-n", "-M", "prepared", "-c", str(c), "-j", jobs,
                        "-T", str(max(1, round(warm))), "-f", path, "postgres"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    logdir = os.path.join(work, f"pgbench-{name}-{c}")
    os.makedirs(logdir, exist_ok=True)
    r = subprocess.run(["pgbench", *base, "-n", "-M", "prepared", "-c", str(c), "-j", jobs,
                        "-T", str(secs), "-l", "--log-prefix", os.path.join(logdir, "log"),
                        "-f", path, "postgres"], capture_output=True, text=True)
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", r.stdout)
    lat = []
    for fn in glob.glob(os.path.join(logdir, "log*")):
        with open(fn) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    lat.append(int(parts[2]) / 1000.0)
    lat.sort()
    row = {"target": "pgbench", "workload": name, "concurrency": c,
           "ops": float(m.group(1)) if m else None, "ok": len(lat),
           "errors": 0 if r.returncode == 0 else 1,
           "p50": percentile(lat, 0.50), "p99": percentile(lat, 0.99)}
    log(f"  pgbench {name} c={c}: {fmt_row(row)}")
    return row


def parse_seconds(text):
    """Seconds in the bench's duration syntax: 500ms, 10s, 1m or plain seconds."""
    m = re.fullmatch(r"([\d.]+)(ms|s|m)?", text.strip())
    if not m:
        raise ValueError(f"bad duration {text!r}")
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "ms" else v * 60 if m.group(2) == "m" else v
