"""Peer reader for bench/xls_bench.py: xlrd (Debian python3-xlrd) on an .xls, values only.
Prints the same line as read_bench: cells=N seconds=S."""
import sys
import time

import xlrd

start = time.perf_counter()
workbook = xlrd.open_workbook(sys.argv[1], on_demand=True)
sheet = workbook.sheet_by_index(0)
cells = 0
for r in range(sheet.nrows):
    for cell_type in sheet.row_types(r):
        if cell_type not in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            cells += 1
workbook.release_resources()
print(f"cells={cells} seconds={time.perf_counter() - start:.4f}")
