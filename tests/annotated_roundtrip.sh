#!/usr/bin/env bash
# Annotated round trip (issue #12): every broken sample of the four forms (the premialità samples
# and one file per kind of mistake from make_region) is annotated, corrected only at its marked
# cells, saved by LibreOffice and validated again; see annotated_roundtrip.py.
# Usage: annotated_roundtrip.sh CONSOLIDA_CLI MAKE_REGION SOURCE_DIR. Exit 77 without LibreOffice.
set -euo pipefail
cli=$1
make_region=$2
source_dir=$3
source "$source_dir/tests/support/peers.sh"
needs_tools soffice
needs_openpyxl
private_work_dir
# The Milan ATS with many mistakes: every kind of each rendicontazione form occurs (seed 3).
"$make_region" "$work/dati" --scope ats:MI --errors 60 --seed 3 --plugins "$source_dir/plugins" >/dev/null
/usr/bin/python3 "$source_dir/tests/annotated_roundtrip.py" "$cli" "$source_dir" "$work" "$work/dati"
