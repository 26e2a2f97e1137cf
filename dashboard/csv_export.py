"""CSV downloads of the dashboard's tables, safe to open in a spreadsheet.

A cell starting with = + - @ tab or carriage return is read as a formula by Excel and
LibreOffice (CSV injection, OWASP): such text cells are prefixed with a single quote. Numbers
are written as numbers (a negative number is data, not a formula).
"""

import csv

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(table, *, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a byte-order mark so Excel reads UTF-8
    writer = csv.writer(response)
    for row in table.csv_rows():
        writer.writerow([safe_cell(cell) for cell in row])
    return response
