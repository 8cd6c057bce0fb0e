"""Tables downloaded as CSV or Excel: the action tracker, indicators, the registers.

Text from users is never run as a formula. In CSV, a cell starting with a formula
character gets a leading apostrophe (CSV or formula injection); in XLSX every text cell is
written as a string cell, which Excel never evaluates, so it keeps its text unchanged.
Numbers stay numbers and dates stay dates in both.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from taskforce.clock import today

#: Spreadsheets treat a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")

#: Characters an XLSX (XML) file cannot hold; input refuses them, old rows may have them.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Row = Sequence[object]


def neutralise(value: object) -> object:
    """Stop text a user typed from being run as a spreadsheet formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # never 1E+3
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(value)


def to_csv(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_csv_cell(value) for value in row)
    # A byte-order mark so that Excel reads the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[str], rows: Iterable[Row], title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(NOT_IN_XML.sub("", title)[:31] or "Sheet1")
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                # A text cell, always: Excel never runs it, so it needs no quote mark.
                cell = WriteOnlyCell(sheet, value=NOT_IN_XML.sub("", value))
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, date):
                cell.number_format = "d mmm yyyy" if type(value) is date else "d mmm yyyy hh:mm"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(columns: Sequence[str], rows: Iterable[Row], fmt: str, stem: str, title: str):
    """The table as a CSV or XLSX attachment named stem.fmt."""
    body = to_csv(columns, rows) if fmt == "csv" else to_xlsx(columns, rows, title)
    return Response(
        body,
        content_type=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )


def taskforce_download(tf, table: str, columns: Sequence[str], rows: Iterable[Row], fmt: str):
    """One of a task force's tables as it stands today, named for both: a file
    risks-sw-2027-03-01.csv, a sheet "SW risks"."""
    stem = f"{table}-{tf.code.lower()}-{today():%Y-%m-%d}"
    return download(columns, rows, fmt, stem, f"{tf.code} {table}")
