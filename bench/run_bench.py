#!/usr/bin/python3
"""Reader benchmark: consolida vs openpyxl (read-only) vs SheetJS, with the raw inflate floor.

Generates (once) 200k- and 1M-row x 10-column workbooks in two flavours: shared strings as
Excel writes them, and inline strings as libxlsxwriter's constant-memory mode writes them.
For each it prints cells/s, MB/s (uncompressed sheet XML per second) and peak RSS, the ratios
against consolida, and whether the targets of issue #2 hold.

Run with Debian's python (openpyxl lives there):  /usr/bin/python3 bench/run_bench.py
Options: --build DIR (default build), --rows 200000,1000000, --repeat N, --no-peers.
"""
import argparse
import os
import re
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHEET_PART = "xl/worksheets/sheet1.xml"


def timed(cmd, cwd=None):
    """Runs cmd under GNU time; returns (stdout, wall seconds, peak RSS in MB)."""
    full = ["/usr/bin/time", "-f", "__time__ %e %M"] + cmd
    proc = subprocess.run(full, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}")
    match = re.search(r"__time__ ([0-9.]+) ([0-9]+)", proc.stderr)
    return proc.stdout, float(match.group(1)), int(match.group(2)) / 1024.0


def reported_seconds(stdout, fallback):
    match = re.search(r"seconds=([0-9.]+)", stdout)
    return float(match.group(1)) if match else fallback


def reported_cells(stdout):
    match = re.search(r"cells=([0-9]+)", stdout)
    return int(match.group(1)) if match else None


def best_of(n, cmd, cwd=None):
    runs = [timed(cmd, cwd) for _ in range(n)]
    return min(runs, key=lambda r: r[1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--rows", default="200000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true", help="skip openpyxl and SheetJS")
    args = parser.parse_args()

    generator = os.path.join(args.build, "bench", "generate_workbook")
    reader = os.path.join(args.build, "bench", "read_bench")
    out_dir = os.path.join(HERE, "out")
    os.makedirs(out_dir, exist_ok=True)
    have_sheetjs = os.path.isdir(os.path.join(HERE, "node_modules", "xlsx"))
    if not args.no_peers and not have_sheetjs:
        print("SheetJS missing: run `npm ci --prefix bench` (scripts/bench.sh does it)", file=sys.stderr)

    results = []
    for rows in [int(r) for r in args.rows.split(",")]:
        for flavour in ("shared", "inline"):
            path = os.path.join(out_dir, f"rows-{rows}-{flavour}.xlsx")
            if not os.path.exists(path):
                subprocess.run([generator, path, str(rows), flavour], check=True)
            xml_mb = zipfile.ZipFile(path).getinfo(SHEET_PART).file_size / 1e6
            row = {"file": os.path.basename(path), "rows": rows, "flavour": flavour, "xml_mb": xml_mb,
                   "file_mb": os.path.getsize(path) / 1e6}
            stdout, wall, rss = best_of(args.repeat, [reader, path])
            row["cells"] = reported_cells(stdout)
            row["consolida"] = (reported_seconds(stdout, wall), rss)
            _, wall, rss = best_of(args.repeat, ["sh", "-c", f"unzip -p '{path}' {SHEET_PART} > /dev/null"])
            row["unzip"] = (wall, rss)
            stdout, wall, rss = best_of(args.repeat, [reader, "--inflate-only", path, SHEET_PART])
            row["zlib"] = (reported_seconds(stdout, wall), rss)
            if not args.no_peers:
                stdout, wall, rss = timed(["/usr/bin/python3", os.path.join(HERE, "openpyxl_read.py"), path])
                assert reported_cells(stdout) == row["cells"], "openpyxl saw a different number of cells"
                row["openpyxl"] = (wall, rss)
                if have_sheetjs:
                    stdout, wall, rss = timed(["node", "--max-old-space-size=16000",
                                               os.path.join(HERE, "sheetjs_read.js"), path], cwd=HERE)
                    assert reported_cells(stdout) == row["cells"], "SheetJS saw a different number of cells"
                    row["sheetjs"] = (wall, rss)
            results.append(row)
            print_row(row)

    print()
    check_targets(results)


def print_row(row):
    cells = row["cells"]
    print(f"\n{row['file']}: {cells:,} cells, sheet XML {row['xml_mb']:.0f} MB, file {row['file_mb']:.0f} MB")
    print(f"  {'reader':<28}{'seconds':>9}{'Mcells/s':>10}{'MB/s':>8}{'peak RSS MB':>13}{'x consolida':>13}")
    base = row["consolida"][0]
    for key, label in (("consolida", "consolida (stream)"), ("zlib", "floor: zlib inflate only"),
                       ("unzip", "floor: unzip -p > /dev/null"), ("openpyxl", "openpyxl read-only"),
                       ("sheetjs", "SheetJS xlsx (dense)")):
        if key not in row:
            continue
        seconds, rss = row[key]
        rate = f"{cells / seconds / 1e6:10.2f}" if key not in ("zlib", "unzip") else f"{'':>10}"
        print(f"  {label:<28}{seconds:9.3f}{rate}{row['xml_mb'] / seconds:8.0f}{rss:13.1f}{seconds / base:13.2f}")


def check_targets(results):
    print("targets (issue #2):")
    ok = True

    def verdict(name, holds, detail):
        nonlocal ok
        ok = ok and holds
        print(f"  [{'ok' if holds else 'MISSED'}] {name}: {detail}")

    for row in results:
        c = row["consolida"][0]
        tag = f"{row['rows'] // 1000}k {row['flavour']}"
        if "openpyxl" in row:
            verdict(f"{tag}: >= 20x openpyxl", row["openpyxl"][0] / c >= 20, f"{row['openpyxl'][0] / c:.1f}x")
        if "sheetjs" in row:
            verdict(f"{tag}: >= 8x SheetJS", row["sheetjs"][0] / c >= 8, f"{row['sheetjs'][0] / c:.1f}x")
        verdict(f"{tag}: <= 2x raw inflate (unzip -p)", c / row["unzip"][0] <= 2, f"{c / row['unzip'][0]:.2f}x")
        if row["rows"] >= 1000000 and row["flavour"] == "inline":
            verdict(f"{tag}: peak RSS < 64 MB", row["consolida"][1] < 64, f"{row['consolida'][1]:.1f} MB")
    print("all targets hold" if ok else "some targets missed")


if __name__ == "__main__":
    main()
