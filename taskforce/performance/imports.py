"""Import actuals from management-information exports: CSV or XLSX, all or nothing.

A file has a header row (row 1) naming three columns, in any order. Headers are matched
without regard to case, spaces, underscores or a trailing "name":

- indicator: `indicator`, `indicator name`, `measure`, `kpi`, `metric`
- period: `period`, `month`, `week`, `quarter`, `date`
- value: `value`, `actual`, `amount`, `result`

The header must be row 1: when it is not, but a row below it (within the first ten) looks
like the header, the refusal says which row. Other columns are ignored and blank rows
skipped. Every row is checked before anything is written: an unknown indicator, a period
that does not fit the indicator's frequency, the same indicator and period twice, a value
that is not a number. If any row is bad nothing is imported, and each bad row is named by
its number (the header is row 1) and column. Files are read as a stream, a row at a time.

Limits, stated in each refusal: MAX_ROWS rows (the header included) and MAX_COLUMNS
columns, for CSV and XLSX alike; a CSV line at most MAX_LINE_CHARS characters; a workbook
is checked by `workbooks.check` (its unpacked size, cells, text) before it is opened. In a
workbook with several sheets the data is on the first sheet whose row 1 is the header
(visible sheets first), else the first visible sheet; refusals then name the sheet.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO

from taskforce.audit.services import Actor
from taskforce.bodies.models import TaskForce
from taskforce.errors import ValidationError
from taskforce.extensions import db
from taskforce.performance import periods, services, workbooks
from taskforce.performance.models import Indicator

COLUMNS = {
    "indicator": {"indicator", "indicatorname", "measure", "kpi", "metric"},
    "period": {"period", "month", "week", "quarter", "date"},
    "value": {"value", "actual", "amount", "result"},
}
#: Bad rows listed in one refusal (all their problems); the message says how many in all.
ROWS_SHOWN = 100
#: Rows looked at for a header below row 1, to say where it is when row 1 is not it.
HEADER_SEARCH_ROWS = 10
#: A CSV line, in characters: past this it is not a file of actuals (and a gigantic line
#: would be held whole in memory).
MAX_LINE_CHARS = 1_000_000
#: A zip file's first bytes: a part, an empty zip, a split one.
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
#: Excel 97-2003 (.xls) files, and password-protected workbooks of any age.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


@dataclass
class RowProblem:
    row: int
    column: str
    message: str


class ImportRefused(ValidationError):
    """The file as a whole, or some of its rows, cannot be imported; nothing was. sheet is
    the workbook sheet read, named when the workbook has more than one."""

    def __init__(
        self, problems: list[RowProblem], total: int | None = None, sheet: str | None = None
    ):
        rows = sorted({p.row for p in problems})
        total = total if total is not None else len(rows)
        nothing = f"Nothing was imported from sheet {sheet!r}" if sheet else "Nothing was imported"
        if all(row <= 1 for row in rows):  # the file or its header, not its data
            message = f"{nothing}: {problems[0].message}"
            if len(problems) > 1:
                message += f" (and {len(problems) - 1} more: see the list)"
        else:
            message = (
                f"{nothing}: {total} row{'s' if total != 1 else ''} "
                f"need{'s' if total == 1 else ''} correcting"
            )
            if total > len(rows):
                message += f" (the first {len(rows)} are listed)"
        super().__init__({"file": [message]}, message)
        self.problems = problems
        self.total = total
        self.sheet = sheet
        self.extra = {"rows": [vars(p) for p in problems]}
        if sheet:
            self.extra["sheet"] = sheet

    @classmethod
    def file(cls, message: str) -> ImportRefused:
        """The file as a whole cannot be read."""
        return cls([RowProblem(0, "", message)])


@dataclass
class Table:
    """The rows of a file, numbered as the user sees them (the header is row 1); blank
    rows may be left out. sheet: the workbook sheet they come from, when there are several."""

    rows: Generator[tuple[int, list[object]]]
    sheet: str | None = None


def _key(header: object) -> str:
    return re.sub(r"[\s_\-]+", "", str(header or "").strip().lower())


def _found(header: list[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        key = _key(cell)
        for column, names in COLUMNS.items():
            if key in names and column not in found:
                found[column] = position
    return found


def _header(rows: Iterator[tuple[int, list[object]]]) -> dict[str, int]:
    """Find the columns in row 1; if a row below it is the header, say so."""
    first = next(rows, None)
    header = first[1] if first is not None and first[0] == 1 else []
    found = _found(header)
    if len(found) == len(COLUMNS):
        return found
    # Every way on from here refuses the file, so reading one row too many does no harm.
    below = [] if first is None or first[0] == 1 else [first]
    below += itertools.takewhile(lambda numbered: numbered[0] <= HEADER_SEARCH_ROWS, rows)
    below = [(number, row) for number, row in below if number <= HEADER_SEARCH_ROWS]
    for number, row in below:
        if len(_found(row)) >= max(2, len(found) + 1):  # a better header than row 1
            message = (
                f"The header row must be row 1; row {number} looks like the header: "
                "delete the rows above it"
            )
            raise ImportRefused([RowProblem(1, "", message)])
    if _is_blank(header):
        if all(_is_blank(row) for _number, row in below):
            raise ImportRefused([RowProblem(0, "", "the file is empty: it needs a header row")])
        message = (
            "The header row must be row 1, but row 1 is blank: put the column names "
            "(indicator, period and value) in row 1"
        )
        raise ImportRefused([RowProblem(1, "", message)])
    return _columns(found)


def _is_blank(row: list[object]) -> bool:
    if row.count(None) == len(row):  # most blank rows of a workbook: quickly
        return True
    return all(cell is None or str(cell).strip() == "" for cell in row)


def _columns(found: dict[str, int]) -> dict[str, int]:
    missing = [c for c in COLUMNS if c not in found]
    if missing:
        raise ImportRefused(
            [
                RowProblem(
                    1,
                    column,
                    f"The header row has no {column} column (call it "
                    f"{' or '.join(sorted(COLUMNS[column])[:3])})",
                )
                for column in missing
            ]
        )
    return found


def _unreadable(why: str = "") -> ImportRefused:
    return ImportRefused.file(
        "the file is not a readable Excel workbook (.xlsx)" + (f": {why}" if why else "")
    )


def _table(stream: IO[bytes], filename: str) -> Table:
    head = stream.read(len(OLE_MAGIC))
    stream.seek(0)
    if not head:
        raise ImportRefused.file("the file is empty: it needs a header row")
    if head.startswith(OLE_MAGIC):
        raise ImportRefused.file(
            "the file is an Excel 97-2003 workbook (.xls), or has a password: save it in Excel "
            "as an Excel Workbook (.xlsx) without a password, or as CSV UTF-8"
        )
    if head[:4] in ZIP_MAGICS or filename.lower().endswith(WORKBOOK_SUFFIXES):
        return _workbook_table(stream)
    return Table(_csv_rows(stream, head))


def _csv_rows(stream: IO[bytes], head: bytes) -> Generator[tuple[int, list[object]]]:
    utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text", say
    text = io.TextIOWrapper(stream, encoding="utf-16" if utf16 else "utf-8-sig", newline="")
    records = csv.reader(_lines(text))
    try:
        for number, row in enumerate(records, start=1):
            if not row or _is_blank(row):
                continue
            if number > workbooks.MAX_ROWS:
                raise ImportRefused.file(workbooks.row_limit(number))
            if len(row) > workbooks.MAX_COLUMNS and not _is_blank(row[workbooks.MAX_COLUMNS :]):
                beyond = next(
                    i for i, cell in enumerate(row) if i >= workbooks.MAX_COLUMNS and cell.strip()
                )
                raise ImportRefused.file(workbooks.column_limit(beyond + 1, number))
            yield number, row
    except UnicodeDecodeError:
        encoding = "UTF-16" if utf16 else "UTF-8"
        raise ImportRefused.file(
            f"the file is not {encoding} text: save it as CSV (UTF-8) or XLSX"
        ) from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            message = (
                f"a cell on line {records.line_num:,} is longer than "
                f"{csv.field_size_limit():,} characters: is it really a file of actuals?"
            )
        else:
            message = f"the file is not valid CSV ({error})"
        raise ImportRefused.file(message) from None
    finally:
        text.detach()


def _lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The file's lines, none of them held whole if it is longer than MAX_LINE_CHARS."""
    for number in itertools.count(1):
        line = text.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        if len(line) > MAX_LINE_CHARS:
            raise ImportRefused.file(
                f"line {number:,} of the file is longer than {MAX_LINE_CHARS:,} characters, "
                "the most an import reads: is it really a file of actuals?"
            )
        yield line


def _workbook_table(stream: IO[bytes]) -> Table:
    try:
        book = workbooks.open_workbook(stream)  # checked before anything parses it
    except workbooks.Refused as refused:
        if refused.unreadable:
            raise _unreadable(refused.message) from None
        raise ImportRefused.file(refused.message) from None
    except Exception:  # not a workbook inside the zip, or broken XML in one
        raise _unreadable(workbooks.not_a_workbook(stream)) from None
    try:
        sheets = book.worksheets  # chart sheets are not among them
        if not sheets:
            raise ImportRefused.file(
                "the workbook has no worksheets (only charts, perhaps): put the indicator, "
                "period and value columns on a worksheet"
            )
        sheet = _data_sheet(sheets)
    except BaseException:
        book.close()
        raise
    return Table(_sheet_rows(book, sheet), sheet.title if len(sheets) > 1 else None)


def _data_sheet(sheets: list) -> object:
    """The first sheet whose row 1 is the header, visible sheets first; else the first."""
    ordered = [s for s in sheets if s.sheet_state == "visible"]
    ordered += [s for s in sheets if s.sheet_state != "visible"]
    for sheet in ordered:
        sheet.reset_dimensions()  # the declared size may be anything: read what is there
        rows = sheet.iter_rows(max_row=1, max_col=workbooks.MAX_COLUMNS, values_only=True)
        try:
            header = next(rows, ())
        except Exception:  # a damaged sheet: broken XML inside a valid zip
            raise _unreadable() from None
        finally:
            rows.close()
        if len(_found(list(header))) == len(COLUMNS):
            return sheet
    return ordered[0]


def _sheet_rows(book, sheet) -> Generator[tuple[int, list[object]]]:
    """The sheet's rows, at most MAX_ROWS of MAX_COLUMNS cells (workbooks.check has refused
    any value outside them), blank ones left out."""
    try:
        rows = sheet.iter_rows(
            max_row=workbooks.MAX_ROWS, max_col=workbooks.MAX_COLUMNS, values_only=True
        )
        for number in itertools.count(1):
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # a damaged sheet: broken XML inside a valid zip
                raise _unreadable() from None
            if row.count(None) != len(row):
                yield number, list(row)
    finally:
        book.close()


def _value(cell: object) -> Decimal:
    if isinstance(cell, bool):
        raise ValueError("is true/false, not a number")
    if isinstance(cell, int | float | Decimal):
        number = Decimal(str(cell))
    elif isinstance(cell, datetime | date | time | timedelta):
        # openpyxl reads a number in a cell formatted as a date or time as one.
        raise ValueError("is a date or time, not a number: format the cell as a number in Excel")
    elif cell is None:
        raise ValueError("is empty (a formula cell may have no saved result: save it in Excel)")
    else:
        text = str(cell).strip().replace(",", "")
        if not text:
            raise ValueError("is empty")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{str(cell).strip()[:40]!r} is not a number") from None
    problem = services.value_problem(number)
    if problem:
        raise ValueError(problem)
    return number


def _checked(
    rows: Iterator[tuple[int, list[object]]],
    by_name: dict[str, Indicator | None],
    alike: dict[str, list[str]],
) -> dict[int, dict[str, Decimal]]:
    """Every row checked: the values to record by indicator id and period, or a refusal."""
    columns = _header(rows)
    values: dict[int, dict[str, Decimal]] = {}
    first_seen: dict[tuple[int, str], int] = {}
    problems: list[RowProblem] = []
    bad_rows = 0
    for number, row in rows:
        cells = {c: (row[i] if i < len(row) else None) for c, i in columns.items()}
        if _is_blank(row):
            continue
        found = []
        indicator = by_name.get(services.name_key(cells["indicator"]))
        if indicator is None and services.name_key(cells["indicator"]) in by_name:
            found.append(
                RowProblem(
                    number,
                    "indicator",
                    "indicators "
                    + " and ".join(repr(n) for n in alike[services.name_key(cells["indicator"])])
                    + " differ only in capitals or spaces: rename one before importing",
                )
            )
        elif indicator is None:
            name = str(cells["indicator"] or "").strip()
            found.append(
                RowProblem(
                    number,
                    "indicator",
                    f"no indicator called {name[:80]!r} in this task force" if name else "is empty",
                )
            )
        elif indicator.retired_at is not None:
            found.append(
                RowProblem(number, "indicator", f"{indicator.name} is retired: reinstate it first")
            )
        period = None
        if indicator is not None:
            try:
                period = str(periods.parse(cells["period"], indicator.frequency))
            except periods.PeriodError as error:
                found.append(RowProblem(number, "period", str(error)))
        try:
            value = _value(cells["value"])
        except ValueError as error:
            found.append(RowProblem(number, "value", f"the value {error}"))
        if indicator is not None and period is not None:
            earlier = first_seen.setdefault((indicator.id, period), number)
            if earlier != number:
                found.append(
                    RowProblem(
                        number, "period", f"{indicator.name} {period} is already in row {earlier}"
                    )
                )
        if found:
            bad_rows += 1
            if bad_rows <= ROWS_SHOWN:  # list whole rows, the first hundred of them
                problems.extend(found)
            continue
        values.setdefault(indicator.id, {})[period] = value
    if problems:
        raise ImportRefused(problems, bad_rows)
    if not values:
        raise ImportRefused([RowProblem(0, "", "the file has a header but no rows of data")])
    return values


def import_actuals(tf: TaskForce, stream: IO[bytes], filename: str, actor: Actor) -> int:
    """Check every row, then record them all; return how many values were imported."""
    by_name: dict[str, Indicator | None] = {}
    alike: dict[str, list[str]] = {}
    for i in db.session.scalars(db.select(Indicator).where(Indicator.taskforce_id == tf.id)):
        key = services.name_key(i.name)
        alike.setdefault(key, []).append(i.name)
        by_name[key] = None if key in by_name else i  # None: two names read alike
    table = _table(stream, filename)
    try:
        values = _checked(table.rows, by_name, alike)
    except ImportRefused as refused:
        if table.sheet and not refused.sheet:
            raise ImportRefused(refused.problems, refused.total, table.sheet) from None
        raise
    finally:
        table.rows.close()
    indicators = {i.id: i for i in by_name.values() if i is not None}
    for indicator_id, by_period in values.items():
        services.record_actuals(indicators[indicator_id], by_period, actor, note="imported")
    return sum(len(v) for v in values.values())
