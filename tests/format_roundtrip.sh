#!/usr/bin/env bash
# Template identity across the formats a clerk saves in. For each plugin's form: the template
# (consolida template), filled with openpyxl as a clerk would and saved by LibreOffice headless
# in each format of FORMATS, must give
#   - in `consolida validate --format json` without --form: the same form and version, the same
#     outcome, the same problems at the same cells;
#   - in `consolida consolidate`: the same figures.
# Usage: format_roundtrip.sh CONSOLIDA_CLI SOURCE_DIR MAKE_REGION. Exit 77 (skipped) without LibreOffice.
set -euo pipefail
cli=$1
source_dir=$2
make_region=$3
# The formats compared with the .xlsx LibreOffice saves (LibreOffice's filter names).
# "xls:" is LibreOffice's default filter for .xls (Excel 97-2003), whose name has spaces.
FORMATS="ods:calc8 xls:"
source "$source_dir/tests/support/peers.sh"
needs_tools soffice
needs_openpyxl
private_work_dir
plugins="$source_dir/plugins"

save_as() {  # save_as IN OUTDIR EXT:FILTER
  local ext=${3%%:*} filter=${3#*:}
  mkdir -p "$2"
  soffice --headless --norestore --convert-to "$ext${filter:+:$filter}" --outdir "$2" "$1" >/dev/null 2>&1
  local out="$2/$(basename "${1%.*}").$ext"
  [ -s "$out" ] || { echo "LibreOffice non ha salvato $1 come .$ext"; exit 1; }
}

# Filled sources: valid files of the Ambito of Melzo for the forms make_region writes; the
# premialità project is filled by its own sample script.
"$make_region" "$work/region" --scope ambito:MELZO --missing 0 --year 2024 --errors 0 >/dev/null
failures=0
cases=""
for form in $(ls "$plugins"); do
  [ -f "$plugins/$form/form.json" ] || continue
  dir="$work/$form"
  mkdir -p "$dir"
  "$cli" template "$form" -o "$dir/modello.xlsx" --plugins "$plugins" >/dev/null
  if [ "$form" = premialita ]; then
    /usr/bin/python3 "$source_dir/sample-workbooks/make_premialita_samples.py" "$dir/modello.xlsx" "$dir/compilato.xlsx" \
      --one-clean-with-formulas >/dev/null
  else
    source_file=$(awk -F, -v f="$form" '$2 == f { print $1; exit }' "$work/region/manifest.csv")
    [ -n "$source_file" ] || { echo "$form: make_region non ha scritto un file di esempio"; failures=$((failures + 1)); continue; }
    /usr/bin/python3 "$source_dir/tests/e2e/fill_template.py" "$dir/modello.xlsx" "$work/region/$source_file" "$dir/compilato.xlsx"
  fi
  cases="$cases $form:$form"
done
# A file with problems, so that problems and their cells are compared too.
mkdir -p "$work/premialita-errori"
cp "$source_dir/sample-workbooks/premialita/errore-bilancio-non-quadra.xlsx" "$work/premialita-errori/compilato.xlsx"
cases="$cases premialita-errori:premialita"

for case in $cases; do
  name=${case%%:*}
  form=${case#*:}
  dir="$work/$name"
  save_as "$dir/compilato.xlsx" "$dir/xlsx" "xlsx:Calc MS Excel 2007 XML"
  for format in $FORMATS; do
    ext=${format%%:*}
    save_as "$dir/xlsx/compilato.xlsx" "$dir/$ext" "$format"
  done
  for saved in "$dir/xlsx/compilato.xlsx" $(for format in $FORMATS; do echo "$dir/${format%%:*}/compilato.${format%%:*}"; done); do
    ext=${saved##*.}
    status=0
    "$cli" validate "$saved" --plugins "$plugins" --format json > "$dir/validate-$ext.json" || status=$?
    [ "$status" -le 1 ] || { echo "$name .$ext: validate è uscito con $status"; cat "$dir/validate-$ext.json"; failures=$((failures + 1)); continue; }
    # Forms without a consolidation (premialità) are compared in validate only.
    grep -q '"consolidation"' "$plugins/$form/form.json" || continue
    status=0
    "$cli" consolidate --form "$form" --tutti "$saved" -o "$dir/consolidato-$ext.xlsx" --plugins "$plugins" -q >/dev/null || status=$?
    [ "$status" -le 1 ] || { echo "$name .$ext: consolidate è uscito con $status"; failures=$((failures + 1)); continue; }
    "$cli" dump "$dir/consolidato-$ext.xlsx" > "$dir/consolidato-$ext.json"
  done
  for format in $FORMATS; do
    ext=${format%%:*}
    if ! /usr/bin/python3 - "$name" "$ext" "$dir" <<'PY'
import json, os, sys
form, ext, d = sys.argv[1:4]

def report(path):
    doc = json.load(open(path))
    files = doc["files"] if isinstance(doc, dict) and "files" in doc else doc
    [entry] = files if isinstance(files, list) else [files]
    entry = dict(entry)
    entry.pop("file", None)
    return entry

a, b = report(f"{d}/validate-xlsx.json"), report(f"{d}/validate-{ext}.json")
problems = lambda r: sorted(json.dumps(i, sort_keys=True, ensure_ascii=False) for i in r.get("issues", []))
ok = True
for key in sorted(set(a) | set(b)):
    if key == "issues":
        continue
    if a.get(key) != b.get(key):
        print(f"{form} .{ext}: {key} differs: xlsx {a.get(key)!r}, {ext} {b.get(key)!r}")
        ok = False
if problems(a) != problems(b):
    print(f"{form} .{ext}: problems differ:\n  xlsx {problems(a)}\n  {ext} {problems(b)}")
    ok = False
if not a.get("form"):
    print(f"{form}: the .xlsx is not recognised")
    ok = False

def figures(path):
    doc = json.load(open(path))
    out = {}
    for sheet in doc["sheets"]:
        for cell in sheet["cells"]:
            ref, kind, value = cell[0], cell[1], cell[2]
            if kind == "n":
                out[(sheet["name"], ref)] = value
    return out

consolidated = os.path.exists(f"{d}/consolidato-xlsx.json")
fa = figures(f"{d}/consolidato-xlsx.json") if consolidated else {}
fb = figures(f"{d}/consolidato-{ext}.json") if consolidated else {}
if consolidated and not fa:
    print(f"{form}: the consolidation of the .xlsx has no figures")
    ok = False
if fa != fb:
    diff = sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))[:10]
    print(f"{form} .{ext}: consolidated figures differ at {diff}")
    ok = False
n = len(a.get("issues", []))
print(f"{form} .{ext}: {'same' if ok else 'DIFFERENT'} outcome ({'valid' if a.get('valid') else 'invalid'}, {n} problems), {len(fa)} figures")
sys.exit(0 if ok else 1)
PY
    then failures=$((failures + 1)); fi
  done
done
# The server too: the spesa sociale file in each format, sent by the Region for its comune, is
# stored as sent (the same bytes come back, typed by their format), validated alike, and its
# annotated copy is an .xlsx named so.
needs_tools curl
source "$source_dir/tests/support/campaign_server.sh"
data="$work/data"
spesa_campaign_2024 "$data"
echo "password-della-regione" | "$cli" admin --data-dir "$data" utente aggiungi regione --ruolo regione >/dev/null 2>&1
token=$("$cli" admin --data-dir "$data" token regione 2>/dev/null | grep -o '[A-Za-z0-9_-]\{32,\}' | head -1)
start_serve "$data"
[ -n "$port" ] || { echo "consolida serve non è partito"; exit 1; }
trap 'kill $server_pid 2>/dev/null || true' EXIT
ente=$(basename "$(awk -F, '$2 == "spesa-sociale-comune" { print $1; exit }' "$work/region/manifest.csv")" | cut -c1-6)
declare -A type=([xlsx]=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet [ods]=application/vnd.oasis.opendocument.spreadsheet
                 [xls]=application/vnd.ms-excel)
for ext in xlsx $(for format in $FORMATS; do echo "${format%%:*}"; done); do
  saved="$work/spesa-sociale-comune/$ext/compilato.$ext"
  code=$(curl -s -o "$work/sent.json" -w '%{http_code}' -H "Authorization: Bearer $token" -H "X-Ente: $ente" -H "X-Nome-File: compilato.$ext" \
    -H "Content-Type: application/octet-stream" --data-binary "@$saved" "http://127.0.0.1:$port/api/v1/campagne/1/invii")
  id=$(grep -o '"id":[0-9]*' "$work/sent.json" | head -1 | cut -d: -f2)
  if [ "$code" != 201 ] || ! grep -q '"valido":true' "$work/sent.json" || [ -z "$id" ]; then
    echo "server .$ext: $code $(head -c 400 "$work/sent.json")"; failures=$((failures + 1)); continue
  fi
  got_type=$(curl -s -o "$work/back.$ext" -w '%{content_type}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/invii/$id/file")
  cmp -s "$saved" "$work/back.$ext" || { echo "server .$ext: the file sent back is not the one sent"; failures=$((failures + 1)); }
  [ "$got_type" = "${type[$ext]}" ] || { echo "server .$ext: sent back as $got_type"; failures=$((failures + 1)); }
  disposition=$(curl -s -o "$work/annotato.xlsx" -D - -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/invii/$id/annotato" | grep -i '^content-disposition:')
  grep -q 'filename="annotato-compilato.xlsx"' <<< "$disposition" || { echo "server .$ext: annotated copy named $disposition"; failures=$((failures + 1)); }
  [ "$(head -c 2 "$work/annotato.xlsx")" = PK ] || { echo "server .$ext: the annotated copy is not an .xlsx"; failures=$((failures + 1)); }
  echo "server .$ext: stored as sent ($got_type), valid, annotated copy annotato-compilato.xlsx"
done

[ "$failures" -eq 0 ] || { echo "$failures failed"; exit 1; }
echo "all formats agree"
