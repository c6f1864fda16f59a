#!/usr/bin/env bash
# Runs every test of razz on a fresh Debian machine (as root): installs what is needed
# (scripts/install.sh), checks formatting and lints, then runs the whole test suite, which
# reads real footage from ../shared/data (override with RAZZ_SHARED_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
echo "test: bundled model checksums"
(cd models && sha256sum --quiet -c SHA256SUMS)
echo "test: cargo fmt --check"
cargo fmt --all -- --check
echo "test: cargo clippy -D warnings"
cargo clippy --release --locked --workspace --all-targets -- -D warnings
echo "test: cargo test"
cargo test --release --locked --workspace
