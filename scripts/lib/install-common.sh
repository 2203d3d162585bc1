# shellcheck shell=bash
# Written for bash 3.2 (macOS's /bin/bash): no associative arrays, and empty arrays expanded
# as ${a[@]+"${a[@]}"} because `set -u` rejects "${a[@]}" when a is empty there.
#
# Shared by scripts/install-linux.sh and scripts/install-macos.sh: the dependency checks, the
# report of what is missing, and the build steps. Sourced, never run. The platform script
# defines the install hints (hint_postgres, hint_rust, hint_aws, hint_python, hint_venv, hint_cc,
# hint_pango, hint_pg_start) and pango_present before calling check_dependencies.
#
# Nothing here installs software: a missing dependency is reported with the command that would
# install it, and the caller exits non-zero.

MIN_POSTGRES=14
MIN_RUST=1.85
MIN_PYTHON=3.10

PROBLEMS=()
NOTES=()
PYTHON=""

# version_ge A B: true when dotted version A >= B (numeric fields; pure bash, as macOS's
# bash 3.2 and BSD sort lack what GNU tools have).
version_ge() {
  local IFS=. i x y
  local -a a b
  read -r -a a <<<"$1"
  read -r -a b <<<"$2"
  for ((i = 0; i < ${#a[@]} || i < ${#b[@]}; i++)); do
    x=${a[i]:-0}
    y=${b[i]:-0}
    if ((10#$x > 10#$y)); then return 0; fi
    if ((10#$x < 10#$y)); then return 1; fi
  done
  return 0
}

# problem WHAT FOUND HINT: records one missing or too old dependency.
problem() {
  PROBLEMS+=("$(printf '  - %s: %s\n      install: %s' "$1" "$2" "$3")")
}

note() {
  NOTES+=("$1")
}

# first_version TEXT: the first dotted number in TEXT (e.g. "psql (PostgreSQL) 15.18" -> 15.18).
first_version() {
  grep -oE '[0-9]+(\.[0-9]+)+|[0-9]+' <<<"$1" | head -n1
}

# PostgreSQL: the server binary `postgres` (not only the psql client). PG_BINDIR, when set, is
# the only place looked at; otherwise PATH and the platform's usual directories (POSTGRES_DIRS,
# set by the platform script), and the newest version found counts.
check_postgres() {
  local candidates=() dir best="" best_path="" v
  if [ -n "${PG_BINDIR:-}" ]; then
    candidates=("$PG_BINDIR/postgres")
  else
    if command -v postgres >/dev/null 2>&1; then candidates+=("$(command -v postgres)"); fi
    for dir in ${POSTGRES_DIRS[@]+"${POSTGRES_DIRS[@]}"}; do
      [ -x "$dir/postgres" ] && candidates+=("$dir/postgres")
    done
  fi
  for v in ${candidates[@]+"${candidates[@]}"}; do
    [ -x "$v" ] || continue
    local ver
    ver="$(first_version "$("$v" --version 2>/dev/null || true)")"
    [ -n "$ver" ] || continue
    if [ -z "$best" ] || version_ge "$ver" "$best"; then best="$ver"; best_path="$v"; fi
  done
  if [ -z "$best" ]; then
    problem "PostgreSQL $MIN_POSTGRES+ (server)" "not found${PG_BINDIR:+ in PG_BINDIR=$PG_BINDIR}" "$(hint_postgres)"
  elif ! version_ge "$best" "$MIN_POSTGRES"; then
    problem "PostgreSQL $MIN_POSTGRES+ (server)" "$best found at $best_path, too old" "$(hint_postgres)"
  else
    echo "ok: PostgreSQL $best ($best_path)"
    if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h "${PGHOST:-localhost}" -p "${PGPORT:-5432}" >/dev/null 2>&1; then
      note "PostgreSQL is installed but not accepting connections on ${PGHOST:-localhost}:${PGPORT:-5432}; start it before 'extenddb init': $(hint_pg_start)"
    fi
  fi
}

# Rust: rustc and cargo, rustc 1.85 or newer.
check_rust() {
  if ! command -v cargo >/dev/null 2>&1 || ! command -v rustc >/dev/null 2>&1; then
    problem "Rust $MIN_RUST+ (rustc and cargo)" "not found" "$(hint_rust)"
    return
  fi
  local ver
  ver="$(first_version "$(rustc --version 2>/dev/null || true)")"
  if [ -z "$ver" ] || ! version_ge "$ver" "$MIN_RUST"; then
    problem "Rust $MIN_RUST+ (rustc and cargo)" "rustc ${ver:-of unknown version} found, too old" "rustup update stable"
  else
    echo "ok: Rust $ver ($(command -v rustc))"
  fi
}

# A C compiler: some crates (ring, mimalloc) compile C code.
check_cc() {
  if command -v cc >/dev/null 2>&1; then
    echo "ok: C compiler ($(command -v cc))"
  else
    problem "C compiler (cc)" "not found" "$(hint_cc)"
  fi
}

# AWS CLI v2: `aws --version` prints aws-cli/2.x.
check_aws() {
  if ! command -v aws >/dev/null 2>&1; then
    problem "AWS CLI v2" "not found" "$(hint_aws)"
    return
  fi
  local out ver
  out="$(aws --version 2>&1 || true)"
  ver="$(grep -oE 'aws-cli/[0-9][0-9.]*' <<<"$out" | head -n1 | cut -d/ -f2)"
  if [ -z "$ver" ]; then
    problem "AWS CLI v2" "$(command -v aws) does not report an aws-cli version" "$(hint_aws)"
  elif [ "${ver%%.*}" != 2 ]; then
    problem "AWS CLI v2" "version $ver found at $(command -v aws) (v2 needed)" "$(hint_aws)"
  else
    echo "ok: AWS CLI $ver ($(command -v aws))"
  fi
}

# Python 3.10+ with a working venv module. PYTHON_BIN, when set, is the only interpreter tried.
check_python() {
  local names=(python3 python3.14 python3.13 python3.12 python3.11 python3.10) name best_seen=""
  if [ -n "${PYTHON_BIN:-}" ]; then names=("$PYTHON_BIN"); fi
  for name in "${names[@]}"; do
    command -v "$name" >/dev/null 2>&1 || continue
    local ver
    ver="$("$name" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || true)"
    [ -n "$ver" ] || continue
    if version_ge "$ver" "$MIN_PYTHON"; then
      PYTHON="$(command -v "$name")"
      break
    fi
    best_seen="$ver at $(command -v "$name")"
  done
  if [ -z "$PYTHON" ]; then
    problem "Python $MIN_PYTHON+" "${best_seen:+$best_seen, too old}${best_seen:-not found}" "$(hint_python)"
    return
  fi
  # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) in a separate package.
  if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    problem "Python venv module" "$PYTHON cannot create a venv (no ensurepip)" "$(hint_venv "$PYTHON")"
    return
  fi
  echo "ok: Python $("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])') ($PYTHON)"
}

# Pango: WeasyPrint, which renders the PDF documentation, draws text with it.
check_pango() {
  if pango_present; then
    echo "ok: Pango (for the PDF documentation)"
  else
    problem "Pango (the text library WeasyPrint needs for the PDF documentation)" "not found" "$(hint_pango)"
  fi
}

# Runs every check, prints what is missing (all of it) and returns 1 if anything is.
check_dependencies() {
  echo "Checking dependencies..."
  check_postgres
  check_rust
  check_cc
  check_aws
  check_python
  check_pango
  local n
  for n in ${NOTES[@]+"${NOTES[@]}"}; do echo "note: $n"; done
  if [ "${#PROBLEMS[@]}" -gt 0 ]; then
    {
      echo
      echo "Missing dependencies (${#PROBLEMS[@]}); this script installs nothing itself:"
      local p
      for p in "${PROBLEMS[@]}"; do echo "$p"; done
      echo
      echo "Install them, then run $0 again."
    } >&2
    return 1
  fi
}

# The build: release binary, Python venv (.venv) and the PDF documentation.
build_everything() {
  local root=$1 target="${CARGO_TARGET_DIR:-$1/target}"
  echo
  echo "==> cargo build --release --locked"
  (cd "$root" && cargo build --release --locked)

  echo "==> Python venv at $root/.venv"
  if [ -d "$root/.venv" ] && ! "$root/.venv/bin/python" -m pip --version >/dev/null 2>&1; then
    echo "    $root/.venv is unusable; recreating it"
    rm -rf "$root/.venv"
  fi
  [ -d "$root/.venv" ] || "$PYTHON" -m venv "$root/.venv"
  "$root/.venv/bin/python" -m pip install --disable-pip-version-check --quiet \
    -r "$root/tests/requirements.txt" -r "$root/docs/requirements.txt"

  echo "==> PDF documentation"
  EXTENDDB_BIN="$target/release/extenddb" "$root/scripts/build-docs.sh"

  echo
  echo "Done."
  echo "  binary:        $target/release/extenddb"
  echo "  Python venv:   $root/.venv (source $root/.venv/bin/activate)"
  echo "  documentation: $root/docs/build/extenddb.pdf (man pages in $root/docs/build/man)"
  echo "Next: initialize the deployment (user guide, step 2):"
  echo "  $target/release/extenddb init"
}
