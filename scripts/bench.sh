#!/usr/bin/env bash
# Reader benchmark against openpyxl and SheetJS (see bench/run_bench.py), .xls against xlrd (bench/xls_bench.py). Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh bench
bash scripts/build.sh build
(cd bench && npm ci --no-audit --no-fund --silent)
/usr/bin/python3 bench/run_bench.py --build build "$@"
/usr/bin/python3 bench/xls_bench.py --build build
/usr/bin/python3 bench/region_bench.py build bench/out/regione
/usr/bin/python3 bench/upload_bench.py build
