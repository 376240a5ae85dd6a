#!/usr/bin/env bash
# Acceptance of the premialità template with real peers:
#  1. the generated template converts in LibreOffice headless and opens in openpyxl, with its
#     drop-down lists and TOT formulas present in both;
#  2. filled with openpyxl (TOT formulas kept, without results) and re-saved by LibreOffice, which
#     computes the formulas, it validates clean: LibreOffice's totals equal consolida's cent sums.
# Usage: libreoffice_roundtrip.sh CONSOLIDA_CLI SOURCE_DIR. Exit 77 (skipped) without LibreOffice.
set -euo pipefail
cli=$1
source_dir=$2
source "$source_dir/tests/support/peers.sh"
needs_tools soffice
private_work_dir

resave() {  # resave IN OUTDIR
  soffice --headless --norestore --convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$2" "$1" >/dev/null 2>&1
  [ -s "$2/$(basename "$1")" ] || { echo "LibreOffice non ha convertito $1"; exit 1; }
}

"$cli" template premialita -o "$work/modello.xlsx" --plugins "$source_dir/plugins"
resave "$work/modello.xlsx" "$work/lo"

/usr/bin/python3 - "$work/modello.xlsx" "$work/lo/modello.xlsx" <<'PY'
import sys
import openpyxl
for path in sys.argv[1:]:
    ws = openpyxl.load_workbook(path)["Scheda progetto"]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    sums = [c.coordinate for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.upper().startswith("=SUM(")]
    assert len(lists) >= 10, f"{path}: {len(lists)} list validations"
    assert len(sums) == 8, f"{path}: {len(sums)} TOT formulas"
    print(f"{path}: {len(lists)} elenchi a discesa, {len(sums)} formule TOT")
PY
"$cli" validate "$work/lo/modello.xlsx" --plugins "$source_dir/plugins" --format json > "$work/blank.json" || [ $? -eq 1 ]
grep -q '"form":"premialita"' "$work/blank.json" || { echo "il modello salvato da LibreOffice non è riconosciuto"; exit 1; }

/usr/bin/python3 "$source_dir/sample-workbooks/make_premialita_samples.py" "$work/modello.xlsx" "$work/compilato.xlsx" --one-clean-with-formulas
resave "$work/compilato.xlsx" "$work/lo"
"$cli" validate "$work/lo/compilato.xlsx" --plugins "$source_dir/plugins"
# The TOT of the economic resources, computed by LibreOffice: 5.500 + 44.606,88.
"$cli" dump "$work/lo/compilato.xlsx" --sheet "Scheda progetto" | grep -q '"n",50106.88,"=SUM(' \
  || { echo "TOT calcolato da LibreOffice diverso da 50106.88"; exit 1; }
echo "1 passed, 0 failed"
