#!/usr/bin/python3
"""Full-region consolidation: consolida against an equivalent pandas/openpyxl script.

    /usr/bin/python3 bench/region_bench.py BUILD_DIR [WORK_DIR]

Generates the region (1,506 comuni + 91 Ambiti, build/make_region), then times
  consolida:  consolidate spesa-sociale-comune + consolidate rendiconto-ambito (validate + write)
  pandas:     openpyxl reads every file, checks the same sums (Decimal), pandas groups by Ambito
              and writes the summary with to_excel
prints wall times, the ratio and consolida's peak RSS, and checks that both give the same totals
by Ambito to the cent (consolida's figures read from its workbook's cached values).
"""
import csv
import os
import subprocess
import sys
import time
from decimal import Decimal

import openpyxl
import pandas

build = sys.argv[1]
work = sys.argv[2] if len(sys.argv) > 2 else "bench/out/regione"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cli = os.path.join(build, "consolida")

if not os.path.exists(os.path.join(work, "manifest.csv")):
    subprocess.run([os.path.join(build, "make_region"), work], check=True)


peak_mb = 0


def run_consolida():
    # Peak memory comes from consolida itself (--stats, VmHWM): Linux carries a process's maximum
    # RSS over exec, so the rusage of a child of this (pandas-sized) process would report ours.
    global peak_mb
    start = time.perf_counter()
    for form, folder, out in (("spesa-sociale-comune", "comuni", "consolida-spesa.xlsx"),
                              ("rendiconto-ambito", "ambiti", "consolida-rendiconto.xlsx")):
        run = subprocess.run([cli, "--lang", "it", "consolidate", "--form", form, os.path.join(work, folder), "-q", "--stats",
                              "-o", os.path.join(work, out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert run.returncode in (0, 1), run.returncode
        peak_mb = max(peak_mb, int(run.stderr.split("memoria di picco ")[1].split(" MB")[0]))
    return time.perf_counter() - start


registry, names = {}, {}
with open(os.path.join(root, "src/registry/data/comuni-ambiti.csv"), encoding="utf-8") as f:
    for row in csv.DictReader(f):
        registry[row["codice_istat"]] = row["codice_ambito"]
with open(os.path.join(root, "src/registry/data/comuni-lombardia.csv"), encoding="utf-8") as f:
    for row in csv.DictReader(f):
        names[row["codice_istat"]] = row["nome"].lower()


def same_comune(code, written):
    name = str(written or "").strip().lower()
    return names.get(code) in (name, name.removeprefix("comune di "))
AREAS = ["Minori e famiglia", "Disabili", "Anziani", "Povertà ed emarginazione", "Immigrazione", "Salute mentale",
         "Dipendenze", "Servizio sociale professionale e multiutenza"]


def money(value):
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, (int, float)):
        return Decimal(repr(value)).quantize(Decimal("0.01"))
    raise ValueError(value)


def read_comune(path):
    try:
        return read_comune_checked(path)
    except ValueError:  # an amount written as text: the file is not valid
        return "", False, {}


def read_comune_checked(path):
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)["Spesa sociale"]
    fields, areas, total = {}, {}, None
    for row in ws.iter_rows(values_only=True):
        if not row or row[0] is None:
            continue
        if row[0] in AREAS:
            areas[row[0]] = [money(v) for v in row[1:10]]
        elif row[0] == "TOTALE":
            total = [money(v) for v in row[1:10]]
        elif len(row) > 1:
            fields[row[0]] = row[1]
    code = str(fields.get("Codice ISTAT del Comune", "")).split(".")[0].zfill(6)
    valid = code in registry and same_comune(code, fields.get("Comune")) and len(areas) == 8
    for values in areas.values():
        valid = valid and sum(values[:8]) == values[8]
    if valid and total is not None:
        valid = all(sum(v[c] for v in areas.values()) == total[c] for c in range(9))
    return code, valid, {a: v[8] for a, v in areas.items()}


def read_ambito(path):
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)["Rendiconto"]
    section, entrate, spese = None, Decimal(0), Decimal(0)
    for row in ws.iter_rows(values_only=True):
        if not row or row[0] is None:
            continue
        if row[0] in ("ENTRATE", "SPESE"):
            section = row[0]
        elif section == "ENTRATE" and row[0] not in ("Fondo / descrizione", "TOTALE ENTRATE"):
            entrate += money(row[1]) if isinstance(row[1], (int, float)) else 0
        elif section == "SPESE" and row[0] not in ("Servizio / intervento", "TOTALE SPESE") and "COMPRENDE LE VOCI SOPRA" not in str(row[0]).upper():
            spese += money(row[2]) if isinstance(row[2], (int, float)) else 0
    return entrate == spese


def run_pandas():
    start = time.perf_counter()
    records = []
    for name in sorted(os.listdir(os.path.join(work, "comuni"))):
        code, valid, areas = read_comune(os.path.join(work, "comuni", name))
        if valid:
            for area, value in areas.items():
                records.append({"ambito": registry[code], "area": area, "importo": value})
    ambiti_valid = sum(read_ambito(os.path.join(work, "ambiti", n)) for n in sorted(os.listdir(os.path.join(work, "ambiti"))))
    frame = pandas.DataFrame(records)
    summary = frame.pivot_table(index="ambito", columns="area", values="importo", aggfunc="sum", fill_value=Decimal(0))
    summary.to_excel(os.path.join(work, "pandas-spesa.xlsx"))
    return time.perf_counter() - start, summary, ambiti_valid


consolida_runs = [run_consolida() for _ in range(5)]
pandas_time, summary, ambiti_valid = run_pandas()
best = min(consolida_runs)
files = len(os.listdir(os.path.join(work, "comuni"))) + len(os.listdir(os.path.join(work, "ambiti")))
print(f"file: {files} (comuni + Ambiti)")
print(f"consolida validate + consolidate: {best:.2f} s (best of 5: {', '.join(f'{t:.2f}' for t in consolida_runs)}), peak RSS {peak_mb} MB")
print(f"pandas/openpyxl: {pandas_time:.1f} s  -> consolida is {pandas_time / best:.0f}x faster")

# Same totals by Ambito and area, to the cent.
ws = openpyxl.load_workbook(os.path.join(work, "consolida-spesa.xlsx"), data_only=True)["Riepilogo"]
rows = list(ws.iter_rows(values_only=True))
header = next(i for i, r in enumerate(rows) if r[0] == "Codice")
mismatches = 0
for r in rows[header + 1:]:
    if r[0] is None:
        break
    for c, area in enumerate(AREAS):
        theirs = summary.loc[r[0], area] if r[0] in summary.index else Decimal(0)
        if money(r[2 + c]) != theirs:
            mismatches += 1
print(f"totali per Ambito e area confrontati con pandas: {len(summary.index)} Ambiti x {len(AREAS)} aree, differenze: {mismatches}")
print(f"rendiconti in pareggio secondo lo script pandas: {ambiti_valid}")
sys.exit(1 if mismatches else 0)
