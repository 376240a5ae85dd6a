#!/usr/bin/python3
"""Fills a blank template with openpyxl as a clerk might: the values of another file of the same
form, copied into the template's named fields and table cells, formulas left as the template has them.

    fill.py TEMPLATE SOURCE OUT
"""
import sys

import openpyxl
from openpyxl.utils.cell import range_boundaries

template_path, source_path, out_path = sys.argv[1:4]
template = openpyxl.load_workbook(template_path)
source = openpyxl.load_workbook(source_path, data_only=True)
for name in template.defined_names.definedName:
    if not (name.name.startswith("F_") or name.name.startswith("T_")):
        continue
    for sheet_name, ref in name.destinations:
        target, origin = template[sheet_name], source[sheet_name]
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                cell = target.cell(row=row, column=col)
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    continue  # the template's own formula (a total)
                value = origin.cell(row=row, column=col).value
                if value is not None:
                    cell.value = value
template.save(out_path)
