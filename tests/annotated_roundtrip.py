#!/usr/bin/python3
"""Annotated round trip (issue #12, acceptance): for each broken sample of each form, the annotated
copy is corrected ONLY at its marked cells, as a clerk would (the right value from the clean data,
or a value known valid), saved by LibreOffice (which computes every formula again), and then:
  1. it validates clean (no error, no warning);
  2. its total rows still hold the template's formulas;
  3. nothing the clerk typed was dropped without a message: every written cell of the sample is in
     the copy, or the copy's problem list names it.

    annotated_roundtrip.py CONSOLIDA_CLI SOURCE_DIR WORK_DIR REGION_DIR

REGION_DIR is a make_region data set with mistakes (manifest.csv says which). A problem whose
cause no one cell holds (two totals apart) highlights the cells where it can lie: those are
marked cells too, and the correction must stay among them."""
import csv
import glob
import json
import os
import re
import subprocess
import sys

import openpyxl

CLI, SOURCE, WORK, REGION = sys.argv[1:5]
PLUGINS = os.path.join(SOURCE, "plugins")
PREMIALITA = os.path.join(SOURCE, "sample-workbooks", "premialita")
TOTAL_LABELS = {"TOT", "TOTALE", "TOTALE ENTRATE", "TOTALE SPESE"}
OWN_SHEETS = {"Istruzioni", "Liste", "Problemi"}
failures = []


def run(*args, ok=(0, 1)):
    r = subprocess.run([CLI, *args, "--plugins", PLUGINS] if args[0] != "dump" else [CLI, *args], capture_output=True, text=True)
    if r.returncode not in ok:
        raise RuntimeError(f"{args}: exit {r.returncode}: {r.stderr}")
    return r.stdout


def validate(path):
    files = json.loads(run("validate", path, "--format", "json"))["files"]
    return files[0]


def annotate(path, out):
    run("validate", path, "--annotate", out)
    return out


def problems_of(copy):
    """(code, sheet, link cell in the copy, original cell, message) of each problem and note."""
    ws = openpyxl.load_workbook(copy)["Problemi"]
    out = []
    for row in ws.iter_rows(min_row=2, values_only=True):
        severity, sheet, link, message, code, original = (list(row) + [None] * 6)[:6]
        if code:
            out.append({"severity": severity, "sheet": sheet, "cell": link, "original": original or "", "code": code, "message": message})
    return out


def amount(text):
    """An Italian amount as a clerk types it ("€ 44.606,88"), or None."""
    if isinstance(text, (int, float)):
        return round(float(text), 2)
    t = str(text).replace("€", "").replace("euro", "").replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"-?[\d.]+(,\d+)?", t):
        return None
    try:
        return round(float(t.replace(".", "").replace(",", ".")), 2)
    except ValueError:
        return None


# ---- corrections -------------------------------------------------------------------------------
# Each takes the workbook being corrected (formulas kept), its values as cached, the problem and the
# sample's context; it changes the marked cell. Codes not listed take the clean data's value.

def row_cells(ws, cell):
    row = ws[cell].row
    return row, [ws.cell(row, c) for c in range(1, 11)]


def copy_from_clean(ws, values, p, ctx):
    clean = ctx["clean"]
    target = ws[p["cell"]]
    if isinstance(target.value, str) and target.value.startswith("="):
        return "formula lasciata"  # a total the copy computes: nothing to type
    if clean is None:
        raise RuntimeError(f"no clean data for {p['code']}")
    src = clean[p["sheet"]][p["cell"]]
    target.value = src.value
    return f"{p['cell']} = {src.value!r} (dati puliti)"


def copy_row_from_clean(ws, values, p, ctx):
    """A missing row ("no deliverable", "no activity") marked at the key of the table's first empty
    row, its other cells highlighted as to fill: the clerk types the row there (a deliverable
    needs its indicator, unit, target and source). Every cell typed must be marked."""
    clean = ctx["clean"][p["sheet"]]
    row, cells = row_cells(ws, p["cell"])
    for c in cells:
        value = clean.cell(row, c.column).value
        marked = c.coordinate == p["cell"] or (c.comment is not None and f"da verificare per {p['code']}" in c.comment.text)
        if value is not None and not marked:
            failures.append(f"{p['code']}: {c.coordinate} va riempita ma non è segnata nella copia")
        c.value = value
    return f"riga {row} dai dati puliti, nella cella segnata {p['cell']} e nelle celle della riga evidenziate"


def mark_the_cell(ws, values, p, ctx):
    """No key point marked (marked: the first key point of the chosen macro-area), an activity
    without quarters (marked: its first quarter): the clerk puts an X in the marked cell."""
    ws[p["cell"]].value = "X"
    return f"{p['cell']} = 'X'"


def second_ambito(ws, values, p, ctx):
    """Only one Ambito: the marked cell is the first empty row of the table; the clerk types the
    second Ambito there."""
    ws[p["cell"]].value = "Ambito di Melzo"
    return f"{p['cell']} = 'Ambito di Melzo' (secondo Ambito)"


def istat_code(ws, values, p, ctx):
    ws[p["cell"]].value = ctx["ente"]
    return f"{p['cell']} = {ctx['ente']} (manifest)"


def comune_name(ws, values, p, ctx):
    with open(os.path.join(SOURCE, "src", "registry", "data", "comuni-lombardia.csv"), encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    code_col = next(i for i, h in enumerate(header) if "istat" in h.lower())
    name_col = next(i for i, h in enumerate(header) if h.lower() in ("nome", "comune", "denominazione"))
    name = next(r[name_col] for r in rows[1:] if r[code_col] == ctx["ente"])
    ws[p["cell"]].value = name
    return f"{p['cell']} = {name!r} (anagrafica)"


def row_total_from_sources(ws, values, p, ctx):
    row = ws[p["cell"]].row
    col = ws[p["cell"]].column
    total = sum(v for v in (values.cell(row, c).value for c in range(2, col)) if isinstance(v, (int, float)))
    ws[p["cell"]].value = round(total, 2)
    return f"{p['cell']} = {total:.2f} (somma delle fonti della riga)"


def source_from_row_total(ws, values, p, ctx):
    row = ws[p["cell"]].row
    cell = ws[p["cell"]]
    total_col = 10  # J: the row total, kept as the clerk wrote it
    others = sum(v for c in range(2, total_col) if c != cell.column for v in [values.cell(row, c).value] if isinstance(v, (int, float)))
    value = round(values.cell(row, total_col).value - others, 2)
    cell.value = value
    return f"{p['cell']} = {value:.2f} (totale della riga meno le altre fonti)"


def subtotal_from_rows(ws, values, p, ctx):
    row, col = ws[p["cell"]].row, ws[p["cell"]].column
    total, r = 0.0, row - 1
    while r > 0 and isinstance(values.cell(r, col).value, (int, float)) and "COMPRENDE" not in str(values.cell(r, 1).value):
        total += values.cell(r, col).value
        r -= 1
    ws[p["cell"]].value = round(total, 2)
    return f"{p['cell']} = {total:.2f} (somma delle voci sopra)"


def risk_solution(ws, values, p, ctx):
    ws[p["cell"]].value = "Riprogrammare le attività con gli enti partner"
    return f"{p['cell']} = soluzione scritta dall'impiegato"


def percent_target(ws, values, p, ctx):
    ws[p["cell"]].value = 70
    return f"{p['cell']} = 70 (valore del generatore)"


def find_rows(values, column_a):
    return [r for r in range(1, values.max_row + 1) if values.cell(r, 1).value == column_a]


def spese_rows(values):
    header = find_rows(values, "Voce di spesa") or find_rows(values, "Servizio / intervento")
    start = (header[0] if header else 1) + 1
    end = find_rows(values, "TOTALE SPESE")[0]
    return start, end


def highlighted(p):
    """The cells a problem names as where its cause lies ("... una delle 9 celle evidenziate
    (C41:C48, B11)"), ranges expanded."""
    m = re.search(r"celle evidenziate \(([^)]*)\)", str(p["message"]))
    cells = set()
    for part in (m.group(1).split(", ") if m else []):
        first, _, last = part.partition(":")
        col, r1 = re.fullmatch(r"([A-Z]+)(\d+)", first).groups()
        r2 = int(re.fullmatch(r"[A-Z]+(\d+)", last).group(1)) if last else int(r1)
        cells |= {f"{col}{r}" for r in range(int(r1), r2 + 1)}
    return cells


def entrate_spese(ws, values, p, ctx):
    """The rule marks the SPESE total and, the earmarked funds being in balance, highlights the
    cells where the difference can lie; the clerk finds the wrong figure among them. Here the
    surplus is in a service row and in its subtotal (written, not a formula): two highlighted
    cells change, and both must be highlighted."""
    entrate = values.cell(find_rows(values, "TOTALE ENTRATE")[0], 2).value
    spese_total_row = find_rows(values, "TOTALE SPESE")[0]
    spese = values.cell(spese_total_row, 3).value
    diff = round(spese - entrate, 2)
    start = next(r for r in range(spese_total_row, 0, -1) if values.cell(r, 1).value == "SID Servizio Integrato Domiciliarità")
    sub = next(r for r in range(start, spese_total_row) if "COMPRENDE" in str(values.cell(r, 1).value))
    outside = {f"C{start}", f"C{sub}"} - highlighted(p)
    if outside:
        failures.append(f"REND-R04: la correzione tocca celle non evidenziate: {sorted(outside)}")
    for cell in sorted(highlighted(p)):
        note = ws[cell].comment.text if ws[cell].comment else ""
        if "da verificare per REND-R04" not in note or ws[cell].fill.fgColor.rgb[-6:] != "DDEBF7":
            failures.append(f"REND-R04: {cell} non è evidenziata nella copia (commento {note[:60]!r}, colore {ws[cell].fill.fgColor.rgb})")
    ws.cell(start, 3).value = round(values.cell(start, 3).value - diff, 2)
    ws.cell(sub, 3).value = round(values.cell(sub, 3).value - diff, 2)
    return f"C{start} e C{sub} (celle evidenziate) meno {diff:.2f}"


def pass_through(ws, values, p, ctx):
    """Money moved from a fund's transfer to a row without a fund: the rule marks that row's empty
    fund cell and names the fund to choose there («scegliere «FNA. ...» in B25»); the clerk picks
    it from the drop-down. Without such a row it marks the transfer and names the fund's income,
    which the clerk types there."""
    chosen = re.search(r"scegliere «([^»]+)» in " + p["cell"], str(p["message"]))
    if chosen:
        ws[p["cell"]].value = chosen.group(1)
        return f"{p['cell']} = {chosen.group(1)!r} (fondo indicato dal messaggio)"
    income = amount(re.search(r"entrate (\d[\d.]*,\d\d)", str(p["message"])).group(1))
    ws[p["cell"]].value = income
    return f"{p['cell']} = {income:.2f} (entrate del fondo, dal messaggio)"


CORRECTIONS = {
    "PREM-R01": mark_the_cell,
    "PREM-R03": second_ambito,
    "PREM-R07": copy_row_from_clean,
    "PREM-R10": copy_row_from_clean,
    "PREM-R11": mark_the_cell,
    "PREM-R13": copy_row_from_clean,
    "PREM-R16": risk_solution,
    "SSC-R01": istat_code,
    "SSC-R02": comune_name,
    "SSC-R03": row_total_from_sources,
    "SSC-SPESA-RISORSE_COMUNE-FORMATO": source_from_row_total,
    "REND-SPESE-SUBTOTALE": subtotal_from_rows,
    "REND-R04": entrate_spese,
    "REND-R05": pass_through,
    "MON-R03": percent_target,
}


# ---- checks ------------------------------------------------------------------------------------

def total_formulas(path):
    """(sheet, label, column) of every total-row cell holding a formula."""
    book = openpyxl.load_workbook(path)
    out = set()
    for ws in book.worksheets:
        if ws.title in OWN_SHEETS:
            continue
        for row in ws.iter_rows():
            if row[0].value in TOTAL_LABELS:
                out |= {(ws.title, row[0].value, c.column) for c in row[1:] if isinstance(c.value, str) and c.value.startswith("=")}
    return out


def list_validations(path):
    book = openpyxl.load_workbook(path)
    return sum(len(dv.sqref.ranges) for ws in book.worksheets if ws.title not in OWN_SHEETS
               for dv in ws.data_validations.dataValidation if dv.type == "list")


def written_cells(path, sheets):
    book = openpyxl.load_workbook(path, data_only=True)
    for ws in book.worksheets:
        if ws.title not in sheets:
            continue
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and str(c.value).strip():
                    yield ws.title, c.coordinate, c.value


def shown_values(path, sheet):
    book = openpyxl.load_workbook(path, data_only=True)
    values = set()
    if sheet not in book.sheetnames:
        return values
    for row in book[sheet].iter_rows(values_only=True):
        for v in row:
            if v is None:
                continue
            values.add(str(v).strip())
            a = amount(v)
            if a is not None:
                values.add(a)
    return values


def rows_too_short(copy, form_sheets):
    """Rows whose text cannot fit on one line of its column yet keep the default height: printed,
    their wrapped text would run over the next rows."""
    book = openpyxl.load_workbook(copy)
    short = []
    for ws in book.worksheets:
        if ws.title not in form_sheets | {"Istruzioni"}:
            continue
        merged = {r.start_cell.coordinate for r in ws.merged_cells.ranges}  # as wide as several columns
        for row in ws.iter_rows():
            for c in row:
                if not hasattr(c, "column_letter") or c.coordinate in merged:
                    continue
                width = ws.column_dimensions[c.column_letter].width
                if isinstance(c.value, str) and not c.value.startswith("=") and c.alignment.wrap_text and width \
                        and len(c.value) > 1.3 * width and (ws.row_dimensions[c.row].height or 15) <= 15:
                    short.append(f"{ws.title}!{c.coordinate}")
    return short


def dropped_without_message(sample, copy, form_sheets, problems):
    named = {p["original"] for p in problems if p["original"]}
    left_out_sheets = {m.group(1) for p in problems for m in [re.search(r"foglio «([^»]+)» del file inviato non fa parte", str(p["message"]))] if m}
    # A form sheet the clerk renamed is carried under the template's name.
    renamed = {m.group(2): m.group(1) for p in problems for m in [re.search(r"il foglio «([^»]+)» del modello .* si chiama «([^»]+)»", str(p["message"]))] if m}
    copy_values = {s: shown_values(copy, s) for s in form_sheets}
    dropped = []
    book = openpyxl.load_workbook(sample)
    for ws in book.worksheets:
        if ws.title in OWN_SHEETS:
            continue
        in_copy = renamed.get(ws.title, ws.title)
        if in_copy not in form_sheets:
            if ws.title not in left_out_sheets:
                dropped.append(f"foglio {ws.title}")
            continue
        for _, cell, value in written_cells(sample, {ws.title}):
            shown = str(value).strip()
            if shown in copy_values[in_copy] or amount(value) in copy_values[in_copy] or cell in named:
                continue
            dropped.append(f"{ws.title}!{cell}={shown[:40]!r}")
    return dropped


# ---- the samples -------------------------------------------------------------------------------

def samples():
    out = []
    for path in sorted(glob.glob(os.path.join(PREMIALITA, "*.xlsx"))):
        name = os.path.basename(path)
        if name.startswith(("errore-", "avviso-")) or name in ("lodi-casi-complessi.xlsx", "lodi-dimissioni-protette-come-nel-seed.xlsx"):
            out.append(("premialita", path, None))
    seen = set()
    with open(os.path.join(REGION, "manifest.csv"), encoding="utf-8") as f:
        for line in csv.DictReader(f):
            if line["valido"] == "0" and (line["modulo"], line["errore"]) not in seen:
                seen.add((line["modulo"], line["errore"]))
                out.append((line["modulo"], os.path.join(REGION, line["file"]), line["ente"]))
    return out


def main():
    os.makedirs(os.path.join(WORK, "annotati"), exist_ok=True)
    os.makedirs(os.path.join(WORK, "corretti"), exist_ok=True)
    clean_copy = annotate(os.path.join(PREMIALITA, "lodi-dimissioni-protette.xlsx"), os.path.join(WORK, "annotati", "pulito.xlsx"))
    clean = openpyxl.load_workbook(clean_copy)
    forms = {}
    for form_id in ("premialita", "spesa-sociale-comune", "rendiconto-ambito", "monitoraggio-obiettivi"):
        spec = json.load(open(os.path.join(PLUGINS, form_id, "form.json"), encoding="utf-8"))
        template = os.path.join(WORK, f"modello-{form_id}.xlsx")
        run("template", form_id, "-o", template, ok=(0,))
        forms[form_id] = {"sheets": {s["name"] for s in spec["sheets"]}, "totals": total_formulas(template),
                          "lists": list_validations(template)}
    corrected = []
    seen_forms = set()
    for form_id, sample, ente in samples():
        name = os.path.basename(sample)
        before = validate(sample)
        if before["errors"] + before["warnings"] == 0:
            failures.append(f"{name}: il campione non ha problemi")
            continue
        seen_forms.add(form_id)
        copy = annotate(sample, os.path.join(WORK, "annotati", f"{form_id}--{name}"))
        problems = problems_of(copy)
        if list_validations(copy) < forms[form_id]["lists"]:
            failures.append(f"{name}: la copia ha {list_validations(copy)} elenchi a discesa, il modello {forms[form_id]['lists']}")
        short = rows_too_short(copy, forms[form_id]["sheets"])
        if short:
            failures.append(f"{name}: righe troppo basse per il loro testo: {short[:5]}")
        dropped = dropped_without_message(sample, copy, forms[form_id]["sheets"], problems)
        if dropped:
            failures.append(f"{name}: contenuto perso senza messaggio: {dropped[:5]}")
        book = openpyxl.load_workbook(copy)
        values = openpyxl.load_workbook(copy, data_only=True)
        ctx = {"clean": clean if form_id == "premialita" else None, "ente": ente}
        done = []
        for p in problems:
            if p["severity"] in ("nota", "note") or not p["cell"]:
                continue
            if p["code"].endswith("-FOGLIO"):
                done.append(f"{p['code']}: niente da correggere, la copia ha già il nome del foglio del modello")
                continue
            fix = CORRECTIONS.get(p["code"], copy_from_clean)
            done.append(f"{p['code']}: {fix(book[p['sheet']], values[p['sheet']], p, ctx)}")
        out = os.path.join(WORK, "corretti", f"{form_id}--{name}")
        book.save(out)
        corrected.append((form_id, name, out))
        print(f"{name}: " + "; ".join(done))
    missing = {"premialita", "spesa-sociale-comune", "rendiconto-ambito", "monitoraggio-obiettivi"} - seen_forms
    if missing:
        failures.append(f"moduli senza campioni con errori: {sorted(missing)}")
    # LibreOffice computes every formula again while saving.
    lo = os.path.join(WORK, "libreoffice")
    subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", lo,
                    *[c[2] for c in corrected]], capture_output=True, check=True)
    for form_id, name, out in corrected:
        saved = os.path.join(lo, os.path.basename(out))
        if not os.path.exists(saved):
            failures.append(f"{name}: LibreOffice non ha salvato la copia corretta")
            continue
        result = validate(saved)
        if result["errors"] + result["warnings"]:
            failures.append(f"{name}: dopo la correzione {result['errors']} errori, {result['warnings']} avvisi: "
                            + "; ".join(f"{i['code']} {i['cell']} {i['message']['it'][:90]}" for i in result["issues"]))
        lost = forms[form_id]["totals"] - total_formulas(saved)
        if lost:
            failures.append(f"{name}: righe di totale senza formula: {sorted(lost)}")
    for f in failures:
        print("FALLITO:", f)
    print(f"{len(corrected)} copie corrette, {len(failures)} problemi")
    return 1 if failures else 0


sys.exit(main())
