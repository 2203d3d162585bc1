#!/usr/bin/env bash
# Bounded fuzz run of the expression parser (cargo-fuzz / libFuzzer).
#
#   scripts/fuzz.sh [seconds]     default 60
#
# cargo-fuzz needs nightly-only flags (-Z sanitizer, sancov). No nightly toolchain is
# installed here, so the run uses the stable toolchain with RUSTC_BOOTSTRAP=1, which lets
# stable rustc accept those flags. cargo-fuzz is installed with `cargo install` if missing.
# Any crash leaves its input in fuzz/artifacts/expression_parser/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
# The fuzz crate has its own target dir unless the caller shares one.
export CARGO_TARGET_DIR="${CARGO_FUZZ_TARGET_DIR:-$PWD/fuzz/target}"
mkdir -p fuzz/corpus/expression_parser
cp -n fuzz/seeds/expression_parser/* fuzz/corpus/expression_parser/ 2>/dev/null || true
cargo fuzz run expression_parser fuzz/corpus/expression_parser -- \
    -max_total_time="$seconds" -max_len=512 -timeout=10
