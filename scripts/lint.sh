#!/usr/bin/env bash
# Lint the Rust workspace: formatting must match rustfmt, and clippy must report nothing
# (warnings are errors). Run from anywhere; exits non-zero on the first finding.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==> cargo fmt --all -- --check"
cargo fmt --all -- --check

echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
