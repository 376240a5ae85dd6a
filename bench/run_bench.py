#!/usr/bin/python3
"""Reader benchmark: consolida vs openpyxl (read-only) vs SheetJS, with the raw inflate floor.

Generates (once) 200k- and 1M-row x 10-column workbooks in two flavours: shared strings as
Excel writes them, and inline strings as libxlsxwriter's constant-memory mode writes them.
For each it prints cells/s, MB/s (uncompressed sheet XML per second) and peak RSS, the ratios
against consolida, and whether the targets of issue #2 hold.

Run with Debian's python (openpyxl lives there):  /usr/bin/python3 bench/run_bench.py
Options: --build DIR (default build), --rows 200000,1000000, --repeat N, --no-peers.

OpenDocument (issue #15): the 200k-row shared-string workbook saved as .ods by LibreOffice headless,
read by consolida, by SheetJS and converted to CSV by LibreOffice headless in the same run; and a
1M-row .ods made from LibreOffice's 200k one by repeating its data rows five times (LibreOffice
needs many minutes to write one; the markup is LibreOffice's own), read by consolida only.
Options: --ods-rows 200000,1000000 (empty: skip), --only-ods.
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
    parser.add_argument("--ods-rows", default="200000,1000000")
    parser.add_argument("--only-ods", action="store_true")
    args = parser.parse_args()

    generator = os.path.join(args.build, "bench", "generate_workbook")
    reader = os.path.join(args.build, "bench", "read_bench")
    out_dir = os.path.join(HERE, "out")
    os.makedirs(out_dir, exist_ok=True)
    have_sheetjs = os.path.isdir(os.path.join(HERE, "node_modules", "xlsx"))
    if not args.no_peers and not have_sheetjs:
        print("SheetJS missing: run `npm ci --prefix bench` (scripts/bench.sh does it)", file=sys.stderr)

    results = []
    if args.ods_rows:
        bench_ods(args, out_dir, generator, reader, have_sheetjs)
        if args.only_ods:
            return
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


CONTENT_PART = "content.xml"


def libreoffice_ods(xlsx_path, out_dir):
    """The .xlsx saved as .ods by LibreOffice headless (a private profile under out_dir)."""
    home = os.path.join(out_dir, "lo-home")
    os.makedirs(home, exist_ok=True)
    subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "ods:calc8", "--outdir", out_dir, xlsx_path],
                   check=True, capture_output=True, env={**os.environ, "HOME": home})
    return os.path.splitext(xlsx_path)[0] + ".ods"


def repeated_ods(source, target, times):
    """An .ods whose data rows (all but the first) are LibreOffice's, repeated `times` times."""
    with zipfile.ZipFile(source) as zin:
        content = zin.read(CONTENT_PART)
        first = content.index(b"<table:table-row")
        second = content.index(b"<table:table-row", content.index(b"</table:table-row>", first))
        tail = content.rindex(b"<table:table-row", 0, content.rindex(b"<table:table-row"))  # LibreOffice's two blank-row runs
        data = content[second:tail]
        rows = data.count(b"</table:table-row>") * times + 1
        end = re.sub(rb'table:number-rows-repeated="[0-9]+"', f'table:number-rows-repeated="{1048576 - rows - 1}"'.encode(),
                     content[tail:], count=1)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                if info.filename == CONTENT_PART:
                    with zout.open(CONTENT_PART, "w", force_zip64=True) as out:
                        out.write(content[:second])
                        for _ in range(times):
                            out.write(data)
                        out.write(end)
                else:
                    zout.writestr(info, zin.read(info.filename),
                                  zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED)


def bench_ods(args, out_dir, generator, reader, have_sheetjs):
    import shutil
    import tempfile
    if not shutil.which("soffice"):
        print("LibreOffice missing: the .ods bench needs it to write the .ods", file=sys.stderr)
        return
    xlsx_path = os.path.join(out_dir, "rows-200000-shared.xlsx")
    if not os.path.exists(xlsx_path):
        subprocess.run([generator, xlsx_path, "200000", "shared"], check=True)
    ods_200k = os.path.join(out_dir, "rows-200000-shared.ods")
    if not os.path.exists(ods_200k):
        libreoffice_ods(xlsx_path, out_dir)
    rows_list = [int(r) for r in args.ods_rows.split(",")]
    results = []
    for rows in rows_list:
        path = ods_200k if rows == 200000 else os.path.join(out_dir, f"rows-{rows}-lo.ods")
        if not os.path.exists(path):
            repeated_ods(ods_200k, path, rows // 200000)
        row = {"file": os.path.basename(path), "rows": rows, "file_mb": os.path.getsize(path) / 1e6,
               "xml_mb": zipfile.ZipFile(path).getinfo(CONTENT_PART).file_size / 1e6}
        stdout, wall, rss = best_of(args.repeat, [reader, path])
        row["cells"] = reported_cells(stdout)
        row["consolida"] = (reported_seconds(stdout, wall), rss)
        _, wall, rss = best_of(args.repeat, ["sh", "-c", f"unzip -p '{path}' {CONTENT_PART} > /dev/null"])
        row["unzip"] = (wall, rss)
        if rows <= 200000 and not args.no_peers:
            if have_sheetjs:
                stdout, wall, rss = timed(["node", "--max-old-space-size=16000", os.path.join(HERE, "sheetjs_read.js"), path], cwd=HERE)
                row["sheetjs"] = (wall, rss)
                row["sheetjs_cells"] = reported_cells(stdout)
            with tempfile.TemporaryDirectory() as tmp:
                env_home = os.path.join(tmp, "home")
                os.makedirs(env_home)
                cmd = ["env", f"HOME={env_home}", "soffice", "--headless", "--norestore", "--convert-to", "csv", "--outdir", tmp, path]
                _, wall, rss = timed(cmd)
                row["libreoffice"] = (wall, rss)
        results.append(row)
        print(f"\n{row['file']}: {row['cells']:,} cells, content.xml {row['xml_mb']:.0f} MB, file {row['file_mb']:.0f} MB")
        print(f"  {'reader':<34}{'seconds':>9}{'peak RSS MB':>13}{'x consolida':>13}")
        base = row["consolida"][0]
        for key, label in (("consolida", "consolida (stream)"), ("unzip", "floor: unzip -p content.xml"),
                           ("sheetjs", "SheetJS (dense)"), ("libreoffice", "LibreOffice headless -> CSV")):
            if key in row:
                seconds, rss = row[key]
                print(f"  {label:<34}{seconds:9.3f}{rss:13.1f}{seconds / base:13.2f}")
        if "sheetjs_cells" in row and row["sheetjs_cells"] != row["cells"]:
            print(f"  (SheetJS counted {row['sheetjs_cells']:,} cells)")
    print("targets (issue #15, .ods):")
    for row in results:
        c = row["consolida"][0]
        tag = f"{row['rows'] // 1000}k .ods"
        for key, name in (("sheetjs", "SheetJS"), ("libreoffice", "LibreOffice -> CSV")):
            if key in row:
                ratio = row[key][0] / c
                print(f"  [{'ok' if ratio >= 30 else 'MISSED'}] {tag}: >= 30x {name}: {ratio:.1f}x")
        print(f"  [{'ok' if row['consolida'][1] < 64 else 'MISSED'}] {tag}: peak RSS < 64 MB: {row['consolida'][1]:.1f} MB")


def print_row(row):
    cells = row["cells"]
    print(f"\n{row['file']}: {cells:,} cells, sheet XML {row['xml_mb']:.0f} MB, file {row['file_mb']:.0f} MB")
    print(f"  {'reader':<28}{'seconds':>9}{'Mcells/s':>10}{'MB/s':>8}{'peak RSS MB':>13}{'x consolida':>13}")
    base = row["consolida"][0]
    for key, label in (("consolida", "consolida (stream)"), ("zlib", "floor: inflate only (ISA-L)"),
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
