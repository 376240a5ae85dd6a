#!/usr/bin/env bash
# First README command: install what is missing, build, and run the main job on the bundled
# samples: write each form's blank template, validate the premialità samples (with annotated
# copies of the files that have problems) and summarise the other sample workbooks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
bash scripts/build.sh build

out=out
mkdir -p "$out/modelli" "$out/annotati"
echo
build/consolida template premialita -o "$out/modelli/premialita.xlsx"
echo
# Exit status 1 means "problems found": expected here, most samples are broken on purpose.
status=0
build/consolida validate sample-workbooks/premialita --annotate "$out/annotati" > "$out/verifica-premialita.txt" || status=$?
[ "$status" -le 1 ] || { cat "$out/verifica-premialita.txt"; exit "$status"; }
grep -E '^[^ ].*: (VALIDO|NON VALIDO|RIFIUTATO)' "$out/verifica-premialita.txt"
echo
build/consolida summary sample-workbooks/*.xlsx
echo
echo "Esito completo della verifica: $out/verifica-premialita.txt"
echo "Copie annotate (celle segnate e commentate): $out/annotati/"
echo "Modelli vuoti: $out/modelli/"
