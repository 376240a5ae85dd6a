#!/usr/bin/env bash
# Installs the Debian packages consolida needs, only those that are missing.
#   scripts/install-deps.sh [build|test|bench]
set -euo pipefail

packages=(build-essential cmake pkg-config zlib1g-dev libisal-dev libssl-dev libpoco-dev libxlsxwriter-dev libgtest-dev unzip)
if [ "${1:-build}" = test ]; then
  # The template round trip (tests/libreoffice_roundtrip.sh) and the typing test
  # (tests/libreoffice_typing.py, through UNO) need real peers; the end-to-end test
  # of the upload pages (tests/e2e) needs Debian's Chromium and Node.js for playwright-core.
  # The deployment test (tests/deploy_nginx.sh) puts Debian's nginx in front of the server.
  # The mail tests (tests/mail_test.cpp) deliver to a local aiosmtpd; the receipt's print test
  # (tests/e2e/receipt_print.sh) reads Chromium's PDF with poppler's pdfinfo and pdftotext.
  packages+=(python3 python3-openpyxl libreoffice-calc python3-uno chromium nginx openssl curl python3-aiosmtpd poppler-utils)
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi
if [ "${1:-build}" = bench ]; then
  packages+=(python3 python3-openpyxl python3-pandas python3-xlrd libreoffice-calc time)
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "consolida: installo i pacchetti mancanti: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
