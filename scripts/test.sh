#!/usr/bin/env bash
# Second README command (and CI): install what is missing, build, run every test; then the same
# tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test

bash scripts/build.sh build
(cd build && ctest --output-on-failure -j "$(nproc)")

bash scripts/build.sh build-asan -DCONSOLIDA_SANITIZE=ON
(cd build-asan && ctest --output-on-failure -j "$(nproc)")
