#!/usr/bin/env bash
# Acceptance of the consolidated workbooks on paper (issue #12): LibreOffice prints the REGIONAL
# consolidation of the three rendicontazione forms to PDF, and
#  1. no cell shows "###" (pdftotext);
#  2. the regional spesa workbook takes at most 60 pages (pdfinfo);
#  3. every page of a one-table sheet repeats the table's header row;
#  4. the Grafici sheet takes one page per chart (a chart cut by a page break takes two), and
#     every Ambito of the region is named on those pages (no label skipped);
#  5. the monitoraggio workbook has no "importi ... in euro" line.
# With CONSOLIDA_PRINT_PNG_DIR set, every page is also left there as a PNG (pdftoppm -r 50) for a
# person to look at.
# Usage: consolidated_print.sh CONSOLIDA_CLI MAKE_REGION SOURCE_DIR. Exit 77 without LibreOffice or poppler.
set -euo pipefail
cli=$1
make_region=$2
source_dir=$3
source "$source_dir/tests/support/peers.sh"
needs_tools soffice pdftotext pdfinfo pdftoppm
private_work_dir
started=$SECONDS

"$make_region" "$work/dati" --scope regione --seed 12 --plugins "$source_dir/plugins" >/dev/null
consolidate() {  # consolidate FORM FOLDER NAME: exit 1 (some files left out) is expected here
  "$cli" consolidate --form "$1" --level regione "$work/dati/$2" -o "$work/$3.xlsx" --plugins "$source_dir/plugins" -q >/dev/null || [ $? -eq 1 ]
}
consolidate spesa-sociale-comune comuni spesa
consolidate rendiconto-ambito ambiti rendiconto
consolidate monitoraggio-obiettivi monitoraggio monitoraggio
soffice --headless --norestore --convert-to pdf --outdir "$work/pdf" "$work/spesa.xlsx" "$work/rendiconto.xlsx" "$work/monitoraggio.xlsx" >/dev/null 2>&1

failures=0
fail() { echo "ERRORE: $*"; failures=$((failures + 1)); }
ambiti=$(tail -n +2 "$source_dir/src/registry/data/ambiti.csv" | wc -l)

for name in spesa rendiconto monitoraggio; do
  pdf="$work/pdf/$name.pdf"
  [ -s "$pdf" ] || { fail "LibreOffice non ha stampato $name.xlsx"; continue; }
  pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  hashes=$(pdftotext "$pdf" - | grep -c '###' || true)
  [ "$hashes" -eq 0 ] || fail "$name: $hashes celle mostrano ### (colonna troppo stretta)"
  # Each page's sheet, from the footer "<foglio> ... Pagina N di M"; its text for the checks.
  declare -A sheet_pages=()
  grafici_text=""
  for ((page = 1; page <= pages; page++)); do
    text=$(pdftotext -f "$page" -l "$page" -layout "$pdf" -)
    sheet=$(printf '%s\n' "$text" | sed -n 's/^ *\(Riepilogo\|Dettaglio\|Grafici\|Mancanti\|Provenienza\|Log validazione\)  .*Pagina [0-9]* di [0-9]*.*/\1/p' | tail -1)
    [ -n "$sheet" ] || { fail "$name, pagina $page: piè di pagina senza il nome del foglio"; continue; }
    sheet_pages[$sheet]=$(( ${sheet_pages[$sheet]:-0} + 1 ))
    first_header=""
    case "$sheet" in
      Dettaglio) first_header="Codice" ;;
      Mancanti) first_header="Codice" ;;
      Provenienza) first_header="SHA-256" ;;
      "Log validazione") first_header="Messaggio" ;;
      Grafici) grafici_text+="$text"$'\n' ;;
    esac
    if [ -n "$first_header" ] && ! grep -q "$first_header" <<<"$text"; then
      fail "$name, pagina $page ($sheet): manca la riga di intestazione"
    fi
  done
  summary=""
  for sheet in Riepilogo Dettaglio Grafici Mancanti Provenienza "Log validazione"; do summary+="$sheet ${sheet_pages[$sheet]:-0}, "; done
  echo "$name.xlsx: $pages pagine (${summary%, })"
  charts=$(unzip -l "$work/$name.xlsx" | grep -c 'xl/charts/chart[0-9]*\.xml' || true)
  [ "${sheet_pages[Grafici]:-0}" -eq "$charts" ] || fail "$name: $charts grafici su ${sheet_pages[Grafici]:-0} pagine (un grafico tagliato da un salto pagina)"
  if [ "$name" != monitoraggio ]; then
    # Every Ambito of the region has its bar, its name (less "Ambito di" and "(sintetico)")
    # printed whole beside it.
    named=0
    while IFS= read -r ambito; do
      label=${ambito#Ambito di }
      if grep -qF -- "${label% (sintetico)}" <<<"$grafici_text"; then named=$((named + 1)); else echo "  manca nei grafici: $ambito"; fi
    done < <(tail -n +2 "$source_dir/src/registry/data/ambiti.csv" | cut -d, -f2)
    [ "$named" -eq "$ambiti" ] || fail "$name: nei grafici compaiono $named Ambiti su $ambiti"
  fi
  if [ "$name" = spesa ] && [ "$pages" -gt 60 ]; then fail "spesa: $pages pagine, al massimo 60"; fi
  if [ "$name" = monitoraggio ] && grep -q 'in euro' <<<"$(pdftotext "$pdf" -)"; then fail "monitoraggio: dice «in euro» ma non ha importi"; fi
  if [ -n "${CONSOLIDA_PRINT_PNG_DIR:-}" ]; then
    mkdir -p "$CONSOLIDA_PRINT_PNG_DIR"
    pdftoppm -r 50 -png "$pdf" "$CONSOLIDA_PRINT_PNG_DIR/$name"
  fi
  unset sheet_pages
done
echo "stampa dei consolidati regionali verificata in $((SECONDS - started)) s"
[ "$failures" -eq 0 ]
