#!/usr/bin/env bash
# First README command: install what is missing, build, and run the main job: write every form's
# blank template, validate the bundled premialità samples (annotated copies of the files with
# problems), generate a full-region data set of filled rendicontazione forms (1,506 comuni, 91
# Ambiti, a share with typical mistakes) and write the consolidated regional workbooks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
bash scripts/build.sh build

out=out
rm -rf "$out/regione"
mkdir -p "$out/modelli" "$out/annotati" "$out/consolidati"
echo
for form in premialita spesa-sociale-comune rendiconto-ambito monitoraggio-obiettivi; do
  build/consolida template "$form" -o "$out/modelli/$form.xlsx"
done
echo
# Exit status 1 means "problems found": expected here, most samples are broken on purpose.
status=0
build/consolida validate sample-workbooks/premialita --annotate "$out/annotati" > "$out/verifica-premialita.txt" || status=$?
[ "$status" -le 1 ] || { cat "$out/verifica-premialita.txt"; exit "$status"; }
grep -E '^[^ ].*: (VALIDO|NON VALIDO|RIFIUTATO)' "$out/verifica-premialita.txt"
echo
build/consolida summary sample-workbooks/*.xlsx
echo
build/make_region "$out/regione"
# Exit status 1 means "some files were left out": the data set has files with mistakes on purpose.
for pair in spesa-sociale-comune:comuni rendiconto-ambito:ambiti monitoraggio-obiettivi:monitoraggio; do
  form=${pair%%:*}
  status=0
  build/consolida consolidate --form "$form" --level regione "$out/regione/${pair##*:}" -o "$out/consolidati/regione-$form.xlsx" || status=$?
  [ "$status" -le 1 ] || exit "$status"
done
echo
echo "Esito completo della verifica: $out/verifica-premialita.txt"
echo "Copie annotate (celle segnate e commentate): $out/annotati/"
echo "Modelli vuoti: $out/modelli/"
echo "Dati regionali generati (sintetici): $out/regione/ (manifest.csv dice quali file hanno errori voluti)"
echo "Consolidati regionali: $out/consolidati/regione-spesa-sociale-comune.xlsx, regione-rendiconto-ambito.xlsx, regione-monitoraggio-obiettivi.xlsx"
