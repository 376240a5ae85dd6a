#!/usr/bin/env bash
# First README command: install what is missing, build, and run the main job on the samples.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
bash scripts/build.sh build
echo
build/consolida summary sample-workbooks
