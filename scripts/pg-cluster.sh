#!/usr/bin/env bash
# A private PostgreSQL cluster for tests: initdb + pg_ctl in a directory of its own, listening on
# a free loopback port with trust authentication (loopback only), no effect on any other cluster.
#
#   scripts/pg-cluster.sh start <dir>   create (first time) and start the cluster in <dir>; a
#                                       restart keeps the port it had (clients reconnect)
#   scripts/pg-cluster.sh standby <dir> add a hot standby of that (running) cluster in <dir>/standby:
#                                       pg_basebackup -R (streaming replication), own free port
#   scripts/pg-cluster.sh env <dir>     print the export lines for the tests:
#                                       EXTENDDB_TEST_PG_HOST / _PORT / _USER, and
#                                       EXTENDDB_TEST_PG_REPLICA_PORT when it has a standby
#   scripts/pg-cluster.sh stop <dir>    stop it and its standby (the directory is left for the
#                                       caller to remove)
#   scripts/pg-cluster.sh stop-standby <dir>
#                                       stop only the standby (a replica outage; the primary runs on)
#
# Binaries come from PATH or /usr/lib/postgresql/*/bin; when neither has them and we are root,
# `apt-get install -y postgresql` installs them. initdb and pg_ctl refuse to run as root, so as
# root they run as the `postgres` OS user (runuser), which then owns <dir>/data.
set -euo pipefail

die() { echo "pg-cluster: $*" >&2; exit 1; }

find_bin() {
  local name=$1 dir
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/$name" ]; then echo "$dir/$name"; return 0; fi
  done
  return 1
}

ensure_binaries() {
  if ! find_bin initdb >/dev/null || ! find_bin pg_ctl >/dev/null; then
    [ "$(id -u)" = 0 ] || die "initdb/pg_ctl not found; install PostgreSQL (apt-get install postgresql)"
    echo "pg-cluster: PostgreSQL binaries missing; installing with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >/dev/null 2>&1 || {
      apt-get update >/dev/null 2>&1
      DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >/dev/null
    }
  fi
  INITDB=$(find_bin initdb) || die "initdb not found after installing postgresql"
  PG_CTL=$(find_bin pg_ctl) || die "pg_ctl not found after installing postgresql"
  PG_BASEBACKUP=$(find_bin pg_basebackup) || die "pg_basebackup not found after installing postgresql"
}

# Runs a command as the cluster's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

owner_name() {
  if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start|standby|stop|stop-standby|env <dir>"

case "$cmd" in
  start)
    ensure_binaries
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" = 0 ]; then
      chown postgres "$dir"
      # The owner must reach the directory through every parent.
      p=$dir; while [ "$p" != / ]; do chmod o+x "$p" 2>/dev/null || true; p=$(dirname "$p"); done
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$INITDB" -D "$dir/data" -U "$(owner_name)" --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || die "initdb failed; see $dir/initdb.log"
    fi
    # A restarted cluster keeps its port, so that servers configured with it reconnect.
    if [ -f "$dir/port" ]; then port=$(cat "$dir/port"); else port=$(free_port); fi
    echo "$port" >"$dir/port"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir/port"; fi
    opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200 -c fsync=on"
    as_owner "$PG_CTL" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null \
      || die "pg_ctl start failed; see $dir/server.log"
    echo "pg-cluster: PostgreSQL running on 127.0.0.1:$port (data in $dir/data)" >&2
    ;;
  standby)
    ensure_binaries
    dir=$(cd "$dir" && pwd)
    [ -f "$dir/port" ] && [ -f "$dir/data/postmaster.pid" ] || die "no running cluster in $dir (run: $0 start $dir)"
    sb=$dir/standby
    if [ ! -f "$sb/data/PG_VERSION" ]; then
      mkdir -p "$sb"
      if [ "$(id -u)" = 0 ]; then chown postgres "$sb"; fi
      # -R writes standby.signal and primary_conninfo; -X stream copies the WAL it needs.
      as_owner "$PG_BASEBACKUP" -h 127.0.0.1 -p "$(cat "$dir/port")" -U "$(owner_name)" \
        -D "$sb/data" -R -X stream >"$sb/basebackup.log" 2>&1 \
        || die "pg_basebackup failed; see $sb/basebackup.log"
    fi
    port=$(free_port)
    echo "$port" >"$sb/port"
    if [ "$(id -u)" = 0 ]; then chown postgres "$sb/port"; fi
    opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$sb -c max_connections=200 -c hot_standby=on"
    as_owner "$PG_CTL" -D "$sb/data" -l "$sb/server.log" -o "$opts" -w -t 60 start >/dev/null \
      || die "pg_ctl start (standby) failed; see $sb/server.log"
    echo "pg-cluster: standby running on 127.0.0.1:$port (data in $sb/data)" >&2
    ;;
  env)
    [ -f "$dir/port" ] || die "no cluster in $dir (run: $0 start $dir)"
    echo "export EXTENDDB_TEST_PG_HOST=127.0.0.1"
    echo "export EXTENDDB_TEST_PG_PORT=$(cat "$dir/port")"
    echo "export EXTENDDB_TEST_PG_USER=$(owner_name)"
    if [ -f "$dir/standby/port" ] && [ -f "$dir/standby/data/postmaster.pid" ]; then
      echo "export EXTENDDB_TEST_PG_REPLICA_PORT=$(cat "$dir/standby/port")"
    fi
    ;;
  stop-standby)
    ensure_binaries
    [ -f "$dir/standby/data/postmaster.pid" ] || { echo "pg-cluster: no standby running in $dir" >&2; exit 0; }
    as_owner "$PG_CTL" -D "$dir/standby/data" -m immediate -w stop >/dev/null || die "pg_ctl stop (standby) failed"
    echo "pg-cluster: standby stopped" >&2
    ;;
  stop)
    ensure_binaries
    if [ -f "$dir/standby/data/postmaster.pid" ]; then
      as_owner "$PG_CTL" -D "$dir/standby/data" -m fast -w stop >/dev/null || echo "pg-cluster: standby stop failed" >&2
    fi
    [ -f "$dir/data/postmaster.pid" ] || { echo "pg-cluster: not running in $dir" >&2; exit 0; }
    as_owner "$PG_CTL" -D "$dir/data" -m fast -w stop >/dev/null || die "pg_ctl stop failed"
    echo "pg-cluster: stopped" >&2
    ;;
  *) die "unknown command '$cmd' (start|standby|stop|stop-standby|env)";;
esac
