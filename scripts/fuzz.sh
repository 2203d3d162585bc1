#!/usr/bin/env bash
# Bounded fuzz runs (cargo-fuzz / libFuzzer) of the expression parser and of PartiQL.
#
#   scripts/fuzz.sh [seconds] [target…]     default 60 seconds each, every target
#                                           (expression_parser, partiql)
#
# cargo-fuzz needs nightly-only flags (-Z sanitizer, sancov). No nightly toolchain is
# installed here, so the run uses the stable toolchain with RUSTC_BOOTSTRAP=1, which lets
# stable rustc accept those flags. cargo-fuzz is installed with `cargo install` if missing.
# Any crash leaves its input in fuzz/artifacts/<target>/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=(expression_parser partiql)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
# The fuzz crate has its own target dir unless the caller shares one.
export CARGO_TARGET_DIR="${CARGO_FUZZ_TARGET_DIR:-$PWD/fuzz/target}"
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    cp -n "fuzz/seeds/$target"/* "fuzz/corpus/$target/" 2>/dev/null || true
    cargo fuzz run "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -max_len=512 -timeout=10
done
