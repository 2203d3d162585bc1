#!/usr/bin/env bash
# The project's test command. Runs everything, in this order, and stops at the first failure:
#   1. a Python venv at .venv with tests/requirements.txt (created or refreshed as needed)
#   2. scripts/lint.sh (rustfmt check, clippy with warnings as errors)
#   3. cargo build --release, then cargo test --workspace --release (same profile, one build)
#   4. per storage backend: start `extenddb dev` on a free port, wait for /health, run pytest
#      over tests/ with EXTENDDB_ENDPOINT set, stop the server
#   5. the fault tests (tests/faults): disk full on a small tmpfs, PostgreSQL stopped under load
#      (a cluster of their own), 1,000 idle connections, the connection cap, a stalled body,
#      the daemon without syslog; each starts its own servers, loopback only, bounded waits
#   6. tests/manage: the management API, `extenddb manage` and IAM end to end, on deployments
#      the tests make with `extenddb init` (embedded store and PostgreSQL)
#   7. tests/console: the web console in headless Chromium (Debian's chromium + chromium-driver,
#      installed when missing), driven by Selenium; screenshots in $TARGET_DIR/console-screenshots
#   8. tests/install: the installer scripts (refusals and a real run) and the PDF documentation
# A private PostgreSQL cluster (scripts/pg-cluster.sh: initdb + pg_ctl, temp dir, free loopback
# port) runs for the whole script: the Rust tests get EXTENDDB_TEST_PG_*, and the postgres
# backend step runs `extenddb init` into a temporary HOME, `extenddb serve --foreground` (builtin
# auth, the suite signing with a key made by `extenddb manage`), the whole pytest suite again, and
# tests/postgres (lifecycle, kill -9). All stopped on exit.
# Idempotent; works as root or as a user on Debian/Ubuntu with Rust and python3 (+ python3-venv).
# Honours CARGO_TARGET_DIR (default ./target). Extra arguments go to pytest, e.g.
#   scripts/test.sh -k items -x
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

START_SECONDS=$(date +%s)
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/extenddb"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
HEALTH_TIMEOUT_SECONDS="${EXTENDDB_HEALTH_TIMEOUT:-60}"
LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/extenddb-test.XXXXXX")"
PYTEST_ARGS=("$@")

CURRENT_STEP="start"
DONE_STEPS=()
SERVER_PID=""
SERVER_LOG=""

log() { printf '==> %s\n' "$*"; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }
step() { CURRENT_STEP="$1"; log "$1"; }
step_done() { DONE_STEPS+=("$CURRENT_STEP"); }

stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

show_server_log() {
  if [[ -n "$SERVER_LOG" && -s "$SERVER_LOG" ]]; then
    printf -- '--- last 60 lines of %s ---\n' "$SERVER_LOG" >&2
    tail -n 60 "$SERVER_LOG" >&2
    printf -- '--- end of server log ---\n' >&2
  elif [[ -n "$SERVER_LOG" ]]; then
    printf -- '(server log %s is empty)\n' "$SERVER_LOG" >&2
  fi
}

PG_DIR=""

stop_pg() {
  if [[ -n "$PG_DIR" ]]; then
    scripts/pg-cluster.sh stop "$PG_DIR" || true
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}

on_exit() {
  local rc=$?
  stop_server
  stop_pg
  local elapsed=$(( $(date +%s) - START_SECONDS ))
  if [[ $rc -eq 0 ]]; then
    rm -rf "$LOG_DIR"
    printf 'test.sh: PASSED (%s) in %ss\n' "$(IFS=,; echo "${DONE_STEPS[*]}")" "$elapsed"
  else
    show_server_log
    printf 'test.sh: FAILED at step "%s" (exit %s) in %ss; logs in %s\n' \
      "$CURRENT_STEP" "$rc" "$elapsed" "$LOG_DIR" >&2
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Python venv -----------------------------------------------------------------------------

setup_venv() {
  step "python venv"
  command -v python3 >/dev/null 2>&1 ||
    die "python3 not found; on Debian/Ubuntu: apt-get install python3 python3-venv"
  # A venv whose interpreter is gone or that has no pip (python3-venv was missing when it was
  # made) is rebuilt from scratch.
  if [[ -d "$VENV" ]] && ! { "$PY" -c 'import sys' && "$PY" -m pip --version; } >/dev/null 2>&1; then
    log "removing unusable $VENV"
    rm -rf "$VENV"
  fi
  if [[ ! -d "$VENV" ]]; then
    if ! python3 -m venv "$VENV"; then
      rm -rf "$VENV"
      die "python3 -m venv failed; on Debian/Ubuntu: apt-get install python3-venv"
    fi
  fi
  local stamp="$VENV/.requirements.sha256" want
  want="$( { sha256sum tests/requirements.txt; "$PY" -V; } | sha256sum | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    log "installing tests/requirements.txt into $VENV"
    "$PY" -m pip install --disable-pip-version-check --quiet -r tests/requirements.txt
    echo "$want" >"$stamp"
  fi
  step_done
}

# --- Rust ------------------------------------------------------------------------------------

rust_checks() {
  step "lint"
  scripts/lint.sh
  step_done

  step "cargo build --release"
  cargo build --release
  [[ -x "$BIN" ]] || die "cargo build succeeded but $BIN is missing"
  step_done

  step "cargo test --workspace --release (PostgreSQL tests on the private cluster)"
  cargo test --workspace --release
  step_done
}

# --- the private PostgreSQL cluster ------------------------------------------------------------

start_pg() {
  step "private PostgreSQL cluster"
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/extenddb-pg.XXXXXX")"
  scripts/pg-cluster.sh start "$PG_DIR"
  # A hot standby for the replica tests (eventually consistent reads; a few seconds).
  scripts/pg-cluster.sh standby "$PG_DIR"
  eval "$(scripts/pg-cluster.sh env "$PG_DIR")"
  step_done
}

# --- the server and pytest, once per backend ---------------------------------------------------

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

healthy() {
  "$PY" - "$1" <<'EOF'
import json, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1] + "/health", timeout=2) as response:
        sys.exit(0 if json.load(response).get("status") == "healthy" else 1)
except Exception:
    sys.exit(1)
EOF
}

# start_server NAME ARGS... : runs `extenddb ARGS --port <free>` in the background, logs to
# $LOG_DIR/server-NAME.log, and sets ENDPOINT once /health answers healthy.
start_server() {
  local name="$1"; shift
  local port
  port="$(free_port)"
  SERVER_LOG="$LOG_DIR/server-$name.log"
  ENDPOINT="http://127.0.0.1:$port"
  log "starting: $BIN $* --port $port (log: $SERVER_LOG)"
  "$BIN" "$@" --port "$port" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  local deadline=$(( $(date +%s) + HEALTH_TIMEOUT_SECONDS ))
  until healthy "$ENDPOINT"; do
    kill -0 "$SERVER_PID" 2>/dev/null || die "server ($name) exited before answering /health"
    (( $(date +%s) < deadline )) ||
      die "server ($name) not healthy at $ENDPOINT/health after ${HEALTH_TIMEOUT_SECONDS}s"
    sleep 0.2
  done
  log "server ($name) healthy at $ENDPOINT"
}

run_pytest() {
  EXTENDDB_ENDPOINT="$ENDPOINT" EXTENDDB_BIN="$BIN" "$PY" -m pytest tests --ignore=tests/postgres \
    --ignore=tests/faults --ignore=tests/manage --ignore=tests/console --ignore=tests/install \
    "${PYTEST_ARGS[@]}"
}

# One function per storage backend. A backend that needs a service (PostgreSQL) starts it
# here too, and is added to BACKENDS below.
backend_embedded() {
  step "pytest (embedded, in-memory)"
  start_server embedded dev --in-memory --gsi-propagation-delay-ms 0 --ttl-deletion-target-seconds 1
  run_pytest
  stop_server
  SERVER_LOG=""
  step_done
}

# PostgreSQL: `extenddb init` into a temporary HOME (config, TLS certificate, data key), then
# `extenddb serve --foreground` with control-plane delay 0; then the lifecycle tests (HTTPS).
backend_postgres() {
  step "pytest (postgres)"
  local home="$LOG_DIR/pg-home"
  mkdir -p "$home"
  (cd "$home" && HOME="$home" "$BIN" init --pg-host "$EXTENDDB_TEST_PG_HOST" \
      --pg-port "$EXTENDDB_TEST_PG_PORT" --pg-user "$EXTENDDB_TEST_PG_USER" \
      --config "$home/extenddb.toml" >"$LOG_DIR/init.log") || { cat "$LOG_DIR/init.log" >&2; die "extenddb init failed"; }
  HOME="$home" "$BIN" verify --config "$home/extenddb.toml" >"$LOG_DIR/verify.log" ||
    { cat "$LOG_DIR/verify.log" >&2; die "extenddb verify failed"; }
  # The conformance suite expects synchronous GSIs, as the guide sets them for external suites.
  HOME="$home" "$BIN" settings --config "$home/extenddb.toml" set gsi_propagation_delay_ms 0 \
    >"$LOG_DIR/settings.log" 2>&1 || { cat "$LOG_DIR/settings.log" >&2; die "extenddb settings failed"; }
  # TTL tests wait for expired items to go: a 1 s target makes the sweeper run every 0.5 s.
  HOME="$home" "$BIN" settings --config "$home/extenddb.toml" set ttl_deletion_target_seconds 1 \
    >>"$LOG_DIR/settings.log" 2>&1 || { cat "$LOG_DIR/settings.log" >&2; die "extenddb settings failed"; }
  # Plain HTTP here, as for the embedded run (the walkthrough runs the AWS CLI without a CA
  # bundle); HTTPS with the generated certificate is covered by tests/postgres and tests/manage.
  # Authentication is the builtin provider `init` configured: the suite signs with an access key
  # made through `extenddb manage`, so every request's signature is verified.
  HOME="$home" EXTENDDB_SERVER__CONTROL_PLANE_DELAY_SECONDS=0 EXTENDDB_SERVER__TLS__ENABLED=false \
    start_server postgres serve --config "$home/extenddb.toml" --foreground
  conformance_key "$home"
  EXTENDDB_TEST_ACCESS_KEY_ID="$TEST_KEY_ID" EXTENDDB_TEST_SECRET_ACCESS_KEY="$TEST_SECRET" \
  run_pytest
  stop_server
  SERVER_LOG=""
  HOME="$home" "$BIN" destroy --config "$home/extenddb.toml" --yes \
    --pg-user "$EXTENDDB_TEST_PG_USER" >/dev/null
  EXTENDDB_BIN="$BIN" "$PY" -m pytest tests/postgres "${PYTEST_ARGS[@]}"
  step_done
}

# The fault tests start their own servers (and, for the outage, their own PostgreSQL cluster).
faults() {
  step "fault tests (tests/faults)"
  EXTENDDB_BIN="$BIN" "$PY" -m pytest tests/faults "${PYTEST_ARGS[@]}"
  step_done
}

# conformance_key HOME: a user with dynamodb:* (and extenddb:GetMetrics, for the suite's GET
# /metrics scrapes) in the default account that `extenddb init` printed, and its access key,
# made through `extenddb manage` against the running server; sets TEST_KEY_ID and TEST_SECRET.
conformance_key() {
  local home="$1" account admin_pw key
  account="$(sed -n 's/^Default account: //p' "$LOG_DIR/init.log")"
  admin_pw="$(sed -n 's/^  password: //p' "$LOG_DIR/init.log")"
  manage() {
    HOME="$home" EXTENDDB_SERVER__TLS__ENABLED=false EXTENDDB_ADMIN_PASSWORD="$admin_pw" \
      "$BIN" manage --config "$home/extenddb.toml" --endpoint "$ENDPOINT" --user admin "$@"
  }
  manage create-user --account-id "$account" --user-name conformance >/dev/null
  manage put-user-policy --account-id "$account" --user-name conformance --policy-name All \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:*","extenddb:GetMetrics"],"Resource":"*"}]}' \
    >/dev/null
  key="$(manage --json create-access-key --account-id "$account" --user-name conformance)"
  TEST_KEY_ID="$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["access_key_id"])' <<<"$key")"
  TEST_SECRET="$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["secret_access_key"])' <<<"$key")"
}

# The management API and `extenddb manage` (issue 17) and IAM end to end (issue 16): each test
# makes its own deployment with `extenddb init` (embedded store and PostgreSQL) and serves it.
manage_tests() {
  step "pytest tests/manage (management API, IAM end to end; both backends)"
  EXTENDDB_BIN="$BIN" "$PY" -m pytest tests/manage "${PYTEST_ARGS[@]}"
  step_done
}

# The web console (issue 18) in a real browser: headless Chromium from Debian's packages, driven
# by Selenium through the system chromedriver (nothing downloaded at test time). Installed with
# apt-get when missing and we are root, as the installer's prerequisites are.
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then return 0; fi
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "not root (or no apt-get): cannot install chromium chromium-driver; the console tests will skip"
    return 0
  fi
  log "installing chromium chromium-driver (Debian packages) for the console tests"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >"$LOG_DIR/apt-chromium.log" 2>&1 || {
    apt-get update -q >>"$LOG_DIR/apt-chromium.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >>"$LOG_DIR/apt-chromium.log" 2>&1
  } || { tail -n 20 "$LOG_DIR/apt-chromium.log" >&2; die "apt-get install chromium chromium-driver failed"; }
}

console_tests() {
  step "pytest tests/console (web console in headless Chromium)"
  ensure_chromium
  EXTENDDB_BIN="$BIN" EXTENDDB_SCREENSHOTS="$TARGET_DIR/console-screenshots" \
    "$PY" -m pytest tests/console "${PYTEST_ARGS[@]}"
  log "console screenshots: $TARGET_DIR/console-screenshots"
  step_done
}

BACKENDS=(embedded postgres)

# --- installers and the PDF documentation (issue 21) -----------------------------------------

# What scripts/install-linux.sh's success path needs beyond the test machine's basics: AWS CLI
# v2 and Pango (WeasyPrint's text library). Installed from Debian's packages when missing and
# we are root, as pg-cluster.sh installs the PostgreSQL server: the installer then finds the
# real tools, not stand-ins. (The test venv's `aws` is v1 from PyPI; AWS CLI v2 is not on PyPI,
# and Debian 12's awscli package is 2.x.)
ensure_installer_prerequisites() {
  local missing=() aws
  aws="$(PATH=/usr/local/bin:/usr/bin command -v aws || true)"
  if [[ -z "$aws" ]] || ! "$aws" --version 2>&1 | grep -q '^aws-cli/2\.'; then missing+=(awscli); fi
  if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then
    missing+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
  fi
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "not root (or no apt-get): cannot install ${missing[*]}; the installer test will say what is missing"
    return 0
  fi
  log "installing ${missing[*]} (Debian packages) for the installer's success path"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$LOG_DIR/apt.log" 2>&1 || {
    apt-get update -q >>"$LOG_DIR/apt.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1
  } || { tail -n 20 "$LOG_DIR/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
}

# tests/install: shellcheck of both installers; install-linux.sh's refusals with PATH narrowed
# (every missing tool named with its install command, exit 1) and with too-old tools; its
# success path (binary, .venv, PDF, man pages); install-macos.sh's report (fake Darwin); the
# PDF opened with pypdf (documents, headings, pages, dates) and rebuilt byte for byte.
installers() {
  step "installers and PDF documentation"
  ensure_installer_prerequisites
  EXTENDDB_BIN="$BIN" "$PY" -m pytest tests/install "${PYTEST_ARGS[@]}"
  step_done
}

setup_venv
start_pg
rust_checks
for backend in "${BACKENDS[@]}"; do
  "backend_$backend"
done
faults
manage_tests
console_tests
installers
