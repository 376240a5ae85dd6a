# Sourced by the shell tests that run real peers (LibreOffice, openpyxl, poppler).
#   needs_tools soffice pdftotext ...   skip the test (exit 77) when one is not installed
#   needs_openpyxl                      the same for Debian's python3-openpyxl
#   private_work_dir                    $work: a fresh folder removed on exit, also LibreOffice's
#                                       private profile (HOME), so runs never share a profile

needs_tools() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$tool non installato: test saltato"; exit 77; }
  done
}

needs_openpyxl() {
  /usr/bin/python3 -c 'import openpyxl' 2>/dev/null || { echo "openpyxl non installato: test saltato"; exit 77; }
}

private_work_dir() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  export HOME="$work"
}
