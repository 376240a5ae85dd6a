#!/usr/bin/env bash
# Acceptance of the consolidated workbooks with real peers, for the three rendicontazione forms:
#  1. LibreOffice headless opens and converts each one as written (no repair);
#  2. openpyxl reads every sheet;
#  3. with the cached results removed (an openpyxl re-save), LibreOffice computes every formula
#     again: each result equals consolida's cached value, to the cent.
# Usage: consolidated_libreoffice.sh CONSOLIDA_CLI MAKE_REGION SOURCE_DIR. Exit 77 without LibreOffice.
set -euo pipefail
cli=$1
make_region=$2
source_dir=$3
source "$source_dir/tests/support/peers.sh"
needs_tools soffice
needs_openpyxl
private_work_dir

"$make_region" "$work/dati" --scope ats:VP --errors 10 --missing 5 --seed 11 --plugins "$source_dir/plugins"
consolidate() {  # consolidate FORM LEVEL INPUT OUTPUT: exit 1 (some files left out) is expected here
  "$cli" consolidate --form "$1" --level "$2" "$3" -o "$4" --plugins "$source_dir/plugins" -q || [ $? -eq 1 ]
}
consolidate spesa-sociale-comune ats "$work/dati/comuni" "$work/spesa.xlsx"
consolidate rendiconto-ambito regione "$work/dati/ambiti" "$work/rendiconto.xlsx"
consolidate monitoraggio-obiettivi ats "$work/dati/monitoraggio" "$work/monitoraggio.xlsx"

for name in spesa rendiconto monitoraggio; do
  mkdir -p "$work/lo-$name" "$work/ricalcolo-$name"
  soffice --headless --norestore --convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$work/lo-$name" "$work/$name.xlsx" >/dev/null 2>&1
  [ -s "$work/lo-$name/$name.xlsx" ] || { echo "LibreOffice non apre $name.xlsx"; exit 1; }
  /usr/bin/python3 - "$work/$name.xlsx" "$work/senza-risultati-$name.xlsx" <<'PY'
import sys
import openpyxl
book = openpyxl.load_workbook(sys.argv[1])  # formulas only: openpyxl keeps no results
for ws in book.worksheets:
    assert ws.max_row >= 1, ws.title
book.save(sys.argv[2])
PY
  soffice --headless --norestore --convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$work/ricalcolo-$name" "$work/senza-risultati-$name.xlsx" >/dev/null 2>&1
  /usr/bin/python3 - "$work/$name.xlsx" "$work/ricalcolo-$name/senza-risultati-$name.xlsx" <<'PY'
import sys
import openpyxl
ours_formulas = openpyxl.load_workbook(sys.argv[1])
ours = openpyxl.load_workbook(sys.argv[1], data_only=True)
theirs = openpyxl.load_workbook(sys.argv[2], data_only=True)
checked = 0
for ws in ours_formulas.worksheets:
    for row in ws.iter_rows():
        for cell in row:
            if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                continue
            cached = ours[ws.title][cell.coordinate].value
            computed = theirs[ws.title][cell.coordinate].value
            if isinstance(cached, (int, float)) and not isinstance(cached, bool):
                assert isinstance(computed, (int, float)), f"{ws.title}!{cell.coordinate}: LibreOffice gives {computed!r}, cached {cached!r}"
                assert abs(computed - cached) < 0.005 * max(1, abs(cached) / 1e9), f"{ws.title}!{cell.coordinate} {cell.value}: LibreOffice {computed}, consolida {cached}"
            else:
                assert computed in (None, "", cached), f"{ws.title}!{cell.coordinate}: LibreOffice {computed!r}, cached {cached!r}"
            checked += 1
assert checked > 20, f"only {checked} formulas"
print(f"{sys.argv[1]}: {checked} formule ricalcolate da LibreOffice uguali ai valori di consolida")
PY
done
