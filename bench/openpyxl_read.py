"""Peer reader for bench/run_bench.py: openpyxl in read-only mode, values only.
Prints the same line as read_bench: cells=N seconds=S."""
import sys
import time

import openpyxl

start = time.perf_counter()
workbook = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
sheet = workbook.worksheets[0]
cells = 0
for row in sheet.iter_rows(values_only=True):
    for value in row:
        if value is not None:
            cells += 1
workbook.close()
print(f"cells={cells} seconds={time.perf_counter() - start:.4f}")
