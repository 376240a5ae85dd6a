#!/usr/bin/env bash
# The receipt page printed to PDF by headless Chromium: one A4 page, with the protocol number, the
# whole SHA-256 on one line, and none of the site's navigation.
#   tests/e2e/receipt_print.sh CONSOLIDA_CLI MAKE_REGION SOURCE_DIR
# Skips (77) like run.sh where Chromium, node, playwright-core or poppler-utils are missing.
set -euo pipefail
cli=$1 make_region=$2 source_dir=$3
here="$source_dir/tests/e2e"
if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null || [ ! -d "$here/node_modules/playwright-core" ] || ! command -v pdfinfo >/dev/null; then
  echo "receipt: chromium, node, playwright-core or pdfinfo missing (scripts/test.sh installs them)"
  [ "${CONSOLIDA_REQUIRE_E2E:-0}" = 1 ] && exit 1
  exit 77
fi
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$make_region" "$work/broken" --scope ambito:MELZO --missing 0 --errors 100 --year 2024 >/dev/null
data="$work/data"
source "$source_dir/tests/support/campaign_server.sh"
spesa_campaign_2024 "$data"
start_serve "$data" --plugins "$source_dir/plugins"
[ -n "$port" ] || { echo "receipt: the server did not start"; exit 1; }

broken="$work/broken/comuni/015142-melzo.xlsx"
node "$here/receipt_print.mjs" "http://127.0.0.1:$port" "$broken" "$work"
if [ -n "${CONSOLIDA_E2E_SCREENSHOTS:-}" ]; then
  mkdir -p "$CONSOLIDA_E2E_SCREENSHOTS"
  cp "$work/ricevuta.png" "$work/ricevuta.pdf" "$CONSOLIDA_E2E_SCREENSHOTS"/
fi

fail() { echo "receipt: $*"; exit 1; }
info=$(pdfinfo "$work/ricevuta.pdf")
grep -q '^Pages: *1$' <<< "$info" || fail "not one page: $(grep Pages <<< "$info")"
# A4 is 595.28 x 841.89 points (Chromium writes 594.96 x 841.92).
grep -Eq '^Page size: *(594\.9|595\.[0-3])[0-9]* x (841\.[89]|842\.0)[0-9]* pts' <<< "$info" || fail "not A4: $(grep 'Page size' <<< "$info")"
text=$(pdftotext -layout "$work/ricevuta.pdf" -)
protocol=$(cat "$work/protocollo.txt")
sha=$(sha256sum "$broken" | cut -d' ' -f1)
grep -q "$protocol" <<< "$text" || fail "no protocol number $protocol"
grep -q "$sha" <<< "$text" || fail "the SHA-256 is not whole on one line"
for expected in "Ricevuta di invio" "015142 Melzo" "015142-melzo.xlsx" "con errori bloccanti" "Europe/Rome"; do
  grep -q "$expected" <<< "$text" || fail "missing «$expected»"
done
! grep -q "Esci" <<< "$text" || fail "the site's header (Esci) is printed"
! grep -q "Torna all'esito" <<< "$text" || fail "the page's links are printed"
echo "receipt: one A4 page with $protocol, the SHA-256 whole, no navigation"
