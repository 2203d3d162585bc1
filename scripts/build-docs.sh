#!/usr/bin/env bash
# Builds the PDF documentation, docs/build/extenddb.pdf, from the operator documents in docs/
# (user guide, local PostgreSQL set-up, configuration, management when present,
# troubleshooting, architecture) with python-markdown and WeasyPrint (docs/requirements.txt,
# installed into .venv when missing); and the man pages, docs/build/man/*.1, with `extenddb man`
# when the binary is built (EXTENDDB_BIN, else $CARGO_TARGET_DIR or target/ release build).
#
# Reproducible: SOURCE_DATE_EPOCH (default: the time of the last commit that touched docs/)
# fixes the only date in the PDF, so the same sources give the same bytes.
#
#   scripts/build-docs.sh [--out FILE]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/docs/build/extenddb.pdf"
case "${1:-}" in
  "") ;;
  --out) OUT="${2:?--out needs a file}" ;;
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: $0 [--out FILE]" >&2; exit 2 ;;
esac

VENV="$ROOT/.venv"
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
  python3 -m venv "$VENV" || { echo "build-docs: cannot create $VENV (python3 -m venv)" >&2; exit 1; }
fi
stamp="$VENV/.docs-requirements.sha256"
want="$( { sha256sum "$ROOT/docs/requirements.txt" 2>/dev/null || shasum -a 256 "$ROOT/docs/requirements.txt"; "$PY" -V; } | { sha256sum 2>/dev/null || shasum -a 256; } | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "build-docs: installing docs/requirements.txt into $VENV"
  "$PY" -m pip install --disable-pip-version-check --quiet -r "$ROOT/docs/requirements.txt"
  echo "$want" >"$stamp"
fi

# Homebrew's Pango is not on macOS's default library path.
if [ "$(uname -s)" = Darwin ] && command -v brew >/dev/null 2>&1; then
  DYLD_FALLBACK_LIBRARY_PATH="$(brew --prefix)/lib${DYLD_FALLBACK_LIBRARY_PATH:+:$DYLD_FALLBACK_LIBRARY_PATH}"
  export DYLD_FALLBACK_LIBRARY_PATH
fi

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH="$(git -C "$ROOT" log -1 --format=%ct -- docs 2>/dev/null || true)"
  # Outside a git checkout: 2026-01-01T00:00:00Z.
  SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1767225600}"
fi
export SOURCE_DATE_EPOCH

VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n1)"
SOURCES=()
for doc in user-guide local-postgres-setup configuration management troubleshooting architecture; do
  [ -f "$ROOT/docs/$doc.md" ] && SOURCES+=("$ROOT/docs/$doc.md")
done
(cd "$ROOT/docs" && "$PY" "$ROOT/scripts/docs_pdf.py" --out "$OUT" --version "$VERSION" "${SOURCES[@]}")

BIN="${EXTENDDB_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/extenddb}"
if [ -x "$BIN" ]; then
  "$BIN" man --out-dir "$ROOT/docs/build/man" >/dev/null
  pages=("$ROOT"/docs/build/man/*.1)
  echo "Wrote the man pages to $ROOT/docs/build/man (${#pages[@]} pages)."
else
  echo "build-docs: $BIN not built; no man pages (cargo build --release first)"
fi
