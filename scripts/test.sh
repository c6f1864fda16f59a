#!/usr/bin/env bash
# Runs every test of razz on a fresh Debian machine (as root): installs what is needed
# (scripts/install.sh, then the browser-test tools), checks formatting and lints, then runs
# the whole test suite, which reads real footage from ../shared/data (override with
# RAZZ_SHARED_DATA) and drives a real chromium against a real razz serve.
set -euo pipefail
cd "$(dirname "$0")/.."
# A fresh clone's build and test artifacts take about 5.5 GB of disk; when that runs out, the
# compiler dies with "No space left on device", so say up front how much there is.
echo "test: disk free where target/ goes: $(df -h --output=avail . | tail -1 | tr -d ' ') (a full build and test needs about 6 GB)"
bash scripts/install.sh
# The browser tests (crates/razz/tests/web_browser.rs) drive Debian's chromium with
# Playwright's playwright-core from the npm registry; neither is needed to run razz.
export DEBIAN_FRONTEND=noninteractive
browser_pkgs=()
dpkg -s chromium >/dev/null 2>&1 || browser_pkgs+=(chromium)
command -v node >/dev/null 2>&1 || browser_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || browser_pkgs+=(npm)
if [ ${#browser_pkgs[@]} -gt 0 ]; then
  echo "test: apt packages for the browser tests: ${browser_pkgs[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${browser_pkgs[@]}" >/dev/null
fi
echo "test: npm ci (e2e: playwright-core)"
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
echo "test: bundled model checksums"
(cd models && sha256sum --quiet -c SHA256SUMS)
echo "test: cargo fmt --check"
cargo fmt --all -- --check
echo "test: cargo clippy -D warnings"
cargo clippy --release --locked --workspace --all-targets -- -D warnings
echo "test: cargo test"
cargo test --release --locked --workspace
