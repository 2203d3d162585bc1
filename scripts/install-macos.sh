#!/usr/bin/env bash
# Builds extenddb from source on macOS with Homebrew: checks Homebrew, PostgreSQL 14+, Rust
# 1.85+, the Xcode command-line tools (a C compiler), AWS CLI v2, Python 3.10+ and Pango (for
# the PDF documentation); reports EVERY missing one with the command that would install it and
# exits 1. It never installs software itself. When everything is there: cargo build --release,
# the Python venv .venv (tests/ and docs/ requirements) and the PDF documentation
# (docs/build/extenddb.pdf, scripts/build-docs.sh).
#
#   scripts/install-macos.sh            check, then build
#   scripts/install-macos.sh --check    check only
#
# Environment: PG_BINDIR (the one directory to look for the `postgres` server binary in),
# PYTHON_BIN (the one interpreter to try), CARGO_TARGET_DIR (where cargo builds).
# Runs on macOS's own bash 3.2.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/install-common.sh
. "$ROOT/scripts/lib/install-common.sh"

CHECK_ONLY=0
case "${1:-}" in
  "") ;;
  --check) CHECK_ONLY=1 ;;
  -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

[ "$(uname -s)" = Darwin ] || { echo "$0 is for macOS; on Linux run scripts/install-linux.sh" >&2; exit 2; }
echo "Platform: macOS $(sw_vers -productVersion 2>/dev/null || echo '(unknown version)') ($(uname -m))"

BREW_PREFIX=""
if command -v brew >/dev/null 2>&1; then
  BREW_PREFIX="$(brew --prefix)"
  echo "ok: Homebrew ($BREW_PREFIX)"
else
  # Every hint below is a brew command, so a missing Homebrew is reported first.
  # shellcheck disable=SC2016 # printed for the user to run, not expanded here
  problem "Homebrew" "not found" '/bin/bash -c "$(curl -fsSL https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh)"'
fi

# Where Homebrew (Apple silicon and Intel) and Postgres.app put the server binaries.
POSTGRES_DIRS=()
for d in /opt/homebrew/opt/postgresql@*/bin /opt/homebrew/opt/postgresql/bin \
  /usr/local/opt/postgresql@*/bin /usr/local/opt/postgresql/bin \
  /Applications/Postgres.app/Contents/Versions/*/bin; do
  [ -d "$d" ] && POSTGRES_DIRS+=("$d")
done

hint_postgres() { echo "brew install postgresql@16 && brew services start postgresql@16"; }
hint_pg_start() { echo "brew services start postgresql@16   (or the postgresql@N you installed)"; }
hint_rust() { echo "brew install rustup && rustup-init   (or: curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh)"; }
hint_aws() { echo "brew install awscli"; }
hint_python() { echo "brew install python@3.12"; }
hint_venv() { echo "brew reinstall python@3.12   ($1 lacks the venv/ensurepip modules)"; }
hint_cc() { echo "xcode-select --install"; }
hint_pango() { echo "brew install pango"; }

pango_present() {
  local dir
  for dir in "$BREW_PREFIX/lib" /opt/homebrew/lib /usr/local/lib; do
    [ -n "$dir" ] && [ -e "$dir/libpango-1.0.dylib" ] && [ -e "$dir/libpangoft2-1.0.dylib" ] && return 0
  done
  return 1
}

check_dependencies || exit 1
[ "$CHECK_ONLY" = 1 ] && { echo "All dependencies present."; exit 0; }
build_everything "$ROOT"
