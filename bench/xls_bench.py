#!/usr/bin/python3
"""Excel 97-2003 reader benchmark: consolida vs xlrd on a 65,000-row x 10-column .xls (issue #15:
at least 10x faster). The workbook is the reader bench's (bench/generate_workbook), saved as .xls
by LibreOffice headless once and kept in bench/out/.

Run with Debian's python (xlrd lives there):  /usr/bin/python3 bench/xls_bench.py [--build DIR]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from run_bench import best_of, reported_cells, reported_seconds, timed  # noqa: E402

ROWS = 65000  # an .xls sheet holds at most 65,536 rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out_dir = os.path.join(HERE, "out")
    os.makedirs(out_dir, exist_ok=True)
    xlsx = os.path.join(out_dir, f"rows-{ROWS}-shared.xlsx")
    xls = os.path.join(out_dir, f"rows-{ROWS}-shared.xls")
    if not os.path.exists(xlsx):
        subprocess.run([os.path.join(args.build, "bench", "generate_workbook"), xlsx, str(ROWS), "shared"], check=True)
    if not os.path.exists(xls):
        with tempfile.TemporaryDirectory() as home:  # a private LibreOffice profile
            subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", out_dir, xlsx], check=True,
                           env=dict(os.environ, HOME=home), capture_output=True)
    stdout, wall, rss = best_of(args.repeat, [os.path.join(args.build, "bench", "read_bench"), xls])
    cells = reported_cells(stdout)
    ours = reported_seconds(stdout, wall)
    print(f"\n{os.path.basename(xls)}: {cells:,} cells, file {os.path.getsize(xls) / 1e6:.1f} MB")
    print(f"  {'reader':<28}{'seconds':>9}{'Mcells/s':>10}{'peak RSS MB':>13}{'x consolida':>13}")
    print(f"  {'consolida':<28}{ours:9.3f}{cells / ours / 1e6:10.2f}{rss:13.1f}{1:13.2f}")
    stdout, wall, peer_rss = timed(["/usr/bin/python3", os.path.join(HERE, "xlrd_read.py"), xls])
    assert reported_cells(stdout) == cells, f"xlrd saw {reported_cells(stdout)} cells, consolida {cells}"
    print(f"  {'xlrd (python3-xlrd)':<28}{wall:9.3f}{cells / wall / 1e6:10.2f}{peer_rss:13.1f}{wall / ours:13.2f}")
    holds = wall / ours >= 10
    print(f"  [{'ok' if holds else 'MISSED'}] .xls 65k rows: >= 10x xlrd: {wall / ours:.1f}x")


if __name__ == "__main__":
    if not shutil.which("soffice"):
        sys.exit("soffice (LibreOffice) missing: scripts/install-deps.sh test installs it")
    main()
