#!/usr/bin/env bash
# Second README command (and CI): install what is missing, build, run every test; then the same
# tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test

# playwright-core drives Debian's Chromium; it downloads no browser of its own.
(cd tests/e2e && npm ci --no-audit --no-fund --silent)

bash scripts/build.sh build
(cd build && CONSOLIDA_REQUIRE_E2E=1 ctest --output-on-failure -j "$(nproc)")

bash scripts/build.sh build-asan -DCONSOLIDA_SANITIZE=ON
# Full unwinding lets the one suppression (tests/lsan.supp) match the library frame it names.
(cd build-asan && ASAN_OPTIONS=fast_unwind_on_malloc=0 LSAN_OPTIONS="suppressions=$PWD/../tests/lsan.supp" \
  ctest --output-on-failure -j "$(nproc)")
