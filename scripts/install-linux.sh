#!/usr/bin/env bash
# Builds extenddb from source on Linux (Debian/Ubuntu, Amazon Linux 2023, Fedora/RHEL and their
# relatives): checks PostgreSQL 14+, Rust 1.85+, a C compiler, AWS CLI v2, Python 3.10+ (with
# venv) and Pango (for the PDF documentation); reports EVERY missing one with the command that
# would install it on this distribution and exits 1. It never installs software itself.
# When everything is there: cargo build --release, the Python venv .venv (tests/ and docs/
# requirements) and the PDF documentation (docs/build/extenddb.pdf, scripts/build-docs.sh).
#
#   scripts/install-linux.sh            check, then build
#   scripts/install-linux.sh --check    check only
#
# Environment: PG_BINDIR (the one directory to look for the `postgres` server binary in),
# PYTHON_BIN (the one interpreter to try), CARGO_TARGET_DIR (where cargo builds).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/install-common.sh
. "$ROOT/scripts/lib/install-common.sh"

CHECK_ONLY=0
case "${1:-}" in
  "") ;;
  --check) CHECK_ONLY=1 ;;
  -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

[ "$(uname -s)" = Linux ] || { echo "$0 is for Linux; on macOS run scripts/install-macos.sh" >&2; exit 2; }

# The distribution family, from /etc/os-release: debian, fedora, rhel, amzn or unknown.
DISTRO=unknown
DISTRO_NAME="an unknown distribution"
if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  DISTRO_NAME="${PRETTY_NAME:-${ID:-unknown}}"
  case " ${ID:-} ${ID_LIKE:-} " in
    *" amzn "*) DISTRO=amzn ;;
    *" fedora "*) [ "${ID:-}" = fedora ] && DISTRO=fedora || DISTRO=rhel ;;
    *" debian "* | *" ubuntu "*) DISTRO=debian ;;
    *" rhel "* | *" centos "*) DISTRO=rhel ;;
  esac
fi
echo "Platform: $DISTRO_NAME ($DISTRO family)"

# Where packages put the PostgreSQL server binaries outside PATH.
POSTGRES_DIRS=()
for d in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin /usr/local/pgsql/bin; do
  [ -d "$d" ] && POSTGRES_DIRS+=("$d")
done

RUSTUP="curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh"
# shellcheck disable=SC2016 # printed for the user to run, not expanded here
AWS_OFFICIAL='curl "https://awscli.amazonaws.com/awscli-exe-linux-$(uname -m).zip" -o awscliv2.zip && unzip awscliv2.zip && sudo ./aws/install'

hint_rust() { echo "$RUSTUP   (then: source \"\$HOME/.cargo/env\")"; }

hint_postgres() {
  case $DISTRO in
    debian) echo "sudo apt-get install postgresql   (Debian 12 / Ubuntu 22.04 or newer; older releases: the apt.postgresql.org repository)" ;;
    fedora) echo "sudo dnf install postgresql-server && sudo postgresql-setup --initdb" ;;
    rhel) echo "sudo dnf module enable -y postgresql:16 && sudo dnf install postgresql-server && sudo postgresql-setup --initdb" ;;
    amzn) echo "sudo dnf install postgresql16-server && sudo postgresql-setup --initdb" ;;
    *) echo "install the PostgreSQL $MIN_POSTGRES+ server with your package manager (https://www.postgresql.org/download/linux/)" ;;
  esac
}

hint_pg_start() {
  case $DISTRO in
    debian) echo "sudo systemctl start postgresql" ;;
    *) echo "sudo systemctl enable --now postgresql" ;;
  esac
}

hint_aws() {
  case $DISTRO in
    fedora) echo "sudo dnf install awscli2" ;;
    amzn) echo "sudo dnf install awscli-2" ;;
    *) echo "$AWS_OFFICIAL" ;;
  esac
}

hint_python() {
  case $DISTRO in
    debian) echo "sudo apt-get install python3 python3-venv" ;;
    fedora) echo "sudo dnf install python3" ;;
    rhel | amzn) echo "sudo dnf install python3.11" ;;
    *) echo "install Python $MIN_PYTHON+ with its venv module" ;;
  esac
}

hint_venv() {
  local minor
  minor="$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)"
  case $DISTRO in
    debian) echo "sudo apt-get install python3-venv   (Ubuntu: python$minor-venv)" ;;
    *) echo "reinstall Python $minor with its standard library (the venv and ensurepip modules)" ;;
  esac
}

hint_cc() {
  case $DISTRO in
    debian) echo "sudo apt-get install build-essential" ;;
    fedora | rhel | amzn) echo "sudo dnf install gcc" ;;
    *) echo "install gcc or clang" ;;
  esac
}

hint_pango() {
  case $DISTRO in
    debian) echo "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" ;;
    fedora | rhel | amzn) echo "sudo dnf install pango" ;;
    *) echo "install Pango 1.44+ (libpango-1.0 and libpangoft2-1.0)" ;;
  esac
}

pango_present() {
  local lib
  for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0; do
    if command -v ldconfig >/dev/null 2>&1; then
      ldconfig -p 2>/dev/null | grep -q "$lib" && continue
    fi
    # ldconfig may be missing from a narrowed PATH: look where distributions put libraries.
    compgen -G "/usr/lib*/$lib" >/dev/null || compgen -G "/usr/lib/*-linux-gnu/$lib" >/dev/null \
      || compgen -G "/lib/*-linux-gnu/$lib" >/dev/null || return 1
  done
}

check_dependencies || exit 1
[ "$CHECK_ONLY" = 1 ] && { echo "All dependencies present."; exit 0; }
build_everything "$ROOT"
