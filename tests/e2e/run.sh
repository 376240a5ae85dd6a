#!/usr/bin/env bash
# End-to-end test of the upload pages in headless Chromium (playwright-core, Debian's chromium).
#   tests/e2e/run.sh CONSOLIDA_CLI MAKE_REGION SOURCE_DIR [SCREENSHOT_DIR]
# The screenshots of every page at 1280 and 390 px go to SCREENSHOT_DIR (ctest passes a folder of
# the build), or to $CONSOLIDA_E2E_SCREENSHOTS when set.
# Skips (77) where Chromium or the npm packages are missing, unless CONSOLIDA_REQUIRE_E2E=1
# (scripts/test.sh, hence CI, installs both and sets it).
set -euo pipefail
cli=$1 make_region=$2 source_dir=$3
screenshots=${CONSOLIDA_E2E_SCREENSHOTS:-${4:-}}
here="$source_dir/tests/e2e"

if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null || [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ] ||
   ! command -v soffice >/dev/null; then
  echo "e2e: chromium, node, playwright-core, axe-core or LibreOffice missing (scripts/test.sh installs them)"
  [ "${CONSOLIDA_REQUIRE_E2E:-0}" = 1 ] && exit 1
  exit 77
fi

work=$(mktemp -d)
server_pid=""
sink_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
  # The pages as the browser drew them, kept to look at (also when the test failed on one).
  if [ -n "$screenshots" ] && compgen -G "$work/*.png" >/dev/null; then
    mkdir -p "$screenshots" && cp "$work"/*.png "$screenshots"/
    echo "e2e: $(ls "$work"/*.png | wc -l) screenshots in $screenshots"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The Ambito of Melzo: every comune's file correct, and every one with a mistake.
"$make_region" "$work/valid" --scope ambito:MELZO --missing 0 --errors 0 --year 2024 >/dev/null
"$make_region" "$work/broken" --scope ambito:MELZO --missing 0 --errors 100 --year 2024 >/dev/null
grep -q '^comuni/015142-melzo.xlsx,spesa-sociale-comune,015142,0,codice_istat,' "$work/broken/manifest.csv"

data="$work/data"
source "$source_dir/tests/support/campaign_server.sh"
spesa_campaign_2024 "$data"
echo "password-della-regione" | "$cli" admin --data-dir "$data" utente aggiungi regione --ruolo regione >/dev/null 2>&1
echo "password-dell-ambito" | "$cli" admin --data-dir "$data" utente aggiungi ufficio-melzo --ruolo ambito --ente MELZO >/dev/null 2>&1

# A real SMTP server (Debian's python3-aiosmtpd) receives the mail: every message a file in $work/posta.
smtp_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkfifo "$work/sink-in" "$work/sink-out"
/usr/bin/python3 "$source_dir/tests/support/smtp_sink.py" "$smtp_port" "$work/posta" < "$work/sink-in" > "$work/sink-out" &
sink_pid=$!
exec 4> "$work/sink-in"  # held open: the sink runs until the test ends
read -r ready < "$work/sink-out"
[ "$ready" = pronto ] || { echo "e2e: the SMTP server did not start"; exit 1; }
"$cli" admin --data-dir "$data" utente email melzo servizi.sociali@melzo.example >/dev/null
# The scheduler's clock a day before the deadline (plus an hour): the reminder of the last day is due.
deadline=$(TZ=Europe/Rome date -d '+30 days' '+%Y-%m-%d %H:%M')
export CONSOLIDA_TEST_CLOCK=$(TZ=Europe/Rome date -d "$deadline 1 day ago 1 hour" '+%Y-%m-%d %H:%M')

# The site's texts from the configuration file, as a Region would set them.
printf '%s\n' "## Titolare" "Ufficio di prova dei Piani di Zona." > "$work/privacy.txt"
cat > "$work/consolida.conf" <<CONF
administration = Regione Lombardia
help_email = pianidizona@example.org
help_phone = 02 0000 0000
privacy_file = $work/privacy.txt
smtp_host = 127.0.0.1
smtp_port = $smtp_port
mail_from = pianidizona@example.org
site_url = http://127.0.0.1
CONF
start_serve "$data" --config "$work/consolida.conf" --plugins "$source_dir/plugins"
[ -n "$port" ] || { echo "e2e: the server did not start"; exit 1; }

node "$here/upload_flow.mjs" "http://127.0.0.1:$port" "$work/broken/comuni/015142-melzo.xlsx" "$work/valid/comuni/015142-melzo.xlsx" "$work" \
  "$(ls "$work"/valid/comuni/015059-*.xlsx)"
# The template the comune downloaded is the form's blank template: consolida recognises it (its
# required cells are empty, so it is not valid yet) and openpyxl opens it.
if "$cli" validate "$work/modello.xlsx" --format json > "$work/modello.json"; then
  echo "e2e: a blank template cannot be valid"; exit 1
fi
grep -q '"form":"spesa-sociale-comune"' "$work/modello.json" || { echo "e2e: the template is not recognised"; cat "$work/modello.json"; exit 1; }

# What the browser downloaded are real workbooks: the annotated copy marks the wrong code, the
# consolidation's provenance names Melzo's corrected file (its SHA-256) as sent, and no server path.
/usr/bin/python3 - "$work/annotato.xlsx" "$work/consolidato.xlsx" "$work/salvato/compilato.xlsx" "$work/broken/comuni/015142-melzo.xlsx" "$work/modello.xlsx" \
  "$work/consolidato-approvati.xlsx" "$(ls "$work"/valid/comuni/015059-*.xlsx)" <<'PY'
import hashlib
import sys
import openpyxl

template = openpyxl.load_workbook(sys.argv[5])
assert "CONSOLIDA_MODULO" in template.defined_names, "the template lacks its identity"

def texts(path):
    book = openpyxl.load_workbook(path, read_only=True)
    return [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v is not None]

annotated, consolidated = texts(sys.argv[1]), texts(sys.argv[2])
assert any("099142" in t for t in annotated), "annotated copy lacks the wrong code"
def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()

assert sha256(sys.argv[3]) in consolidated, "consolidation does not take Melzo's corrected file (the template it filled)"
assert sha256(sys.argv[4]) not in consolidated, "consolidation still takes Melzo's first file"
assert "compilato.xlsx" in consolidated, "consolidation does not name the file Melzo sent as it was named"
assert not any("/" in t and ("tmp" in t or "invii" in t) for t in consolidated), "consolidation shows a server path"
# The Region had filtered its dashboard to the Ambito di Melzo: the consolidation it was offered is
# that Ambito's (a comune of Melzo still missing is listed; one of Lodi is not there at all).
assert any("015114" in t for t in consolidated), "the Ambito's consolidation does not list its missing comune 015114"
assert not any("098031" in t for t in consolidated), "the consolidation is the region's, not the Ambito's chosen on the dashboard"
# Of the approved enti alone: Cassano (approved), not Melzo (sent back).
approved_only = texts(sys.argv[6])
assert sha256(sys.argv[7]) in approved_only, "the approved consolidation lacks Cassano's approved file"
assert sha256(sys.argv[3]) not in approved_only, "the approved consolidation takes Melzo, which was sent back"
print("e2e: annotated copy and consolidations open in openpyxl")
PY

# The mail, as the SMTP server received it: Melzo's receipts, its sending back with the note, and
# one reminder for the last day (Melzo was missing when the server started). The sender works on
# its own thread: its messages are awaited for a bounded time.
/usr/bin/python3 - "$work/posta" <<'PY'
import email
import email.policy
import glob
import sys
import time

folder = sys.argv[1]

def received():
    out = []
    for path in sorted(glob.glob(folder + "/*.eml")):
        message = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
        out.append((message["To"], str(message["Subject"]), message.get_body(("plain",)).get_content()))
    return out

def wanted(mails):
    to_melzo = [m for m in mails if "servizi.sociali@melzo.example" in m[0]]
    return (sum(s.startswith("Ricevuta ") for _, s, _ in to_melzo) >= 3,
            any(s.startswith("Da correggere") and "Controllare la quota del Fondo Povertà nella riga 12." in b for _, s, b in to_melzo),
            sum(s.startswith("Promemoria") for _, s, _ in to_melzo) == 1)

deadline = time.monotonic() + 30
while not all(wanted(received())) and time.monotonic() < deadline:
    time.sleep(0.2)
receipts, sent_back, reminder = wanted(received())
assert receipts, "the receipts of Melzo's three uploads did not all arrive: %r" % [s for _, s, _ in received()]
assert sent_back, "the sending back with its note did not arrive"
assert reminder, "not exactly one reminder: %r" % [s for _, s, _ in received()]
print("e2e: %d mails received by the SMTP server: receipts, the sending back with its note, one reminder" % len(received()))
PY
