"""Open an uploaded Excel workbook for reading, having checked it first, so that no file
can take much memory or time however it is built.

An .xlsx file is a zip of XML parts. A small file can unpack to gigabytes (one 800 MB
string in 820 KB), or declare a million rows it does not have, or hold millions of tiny
elements that openpyxl would make into objects. So, before openpyxl opens the file:

1. the zip's listing is read from its end: at most MAX_PARTS parts, and at most 1 MB of
   listing (it could claim any number of parts);
2. the unpacked size of every part, of all of them together, and how far each is
   compressed are checked against MAX_PART_BYTES, MAX_TOTAL_BYTES and MAX_RATIO (zipfile
   never unpacks more than a part's stated size, so these cannot be lied past);
3. the parts openpyxl will parse, found as it finds them (the content types, the
   workbook, its links, styles, shared text, each worksheet and its links), are streamed
   through expat once, 64 KB at a time, counting what openpyxl would build: rows and cells
   (MAX_CELLS), pieces of shared text (MAX_TEXTS), everything else (MAX_OTHER: formats,
   merged cells, defined names). A value in a cell below row MAX_ROWS or right of column
   MAX_COLUMNS is refused, whatever the sheet's declared dimension says. Parts openpyxl
   does not read in read-only mode (pivot caches, pictures, comments) are only measured.

A file Excel could not have written (a DTD, a row of more cells than Excel allows, one part
read as two sheets) is refused as unreadable. openpyxl then opens it in read-only mode,
without parsing chart sheets, properties or the theme, none of which an import needs.
The limits are stated in each refusal and in the README.
"""

from __future__ import annotations

import posixpath
import pyexpat
import zipfile
import zlib
from collections import Counter
from typing import IO

MB = 1024 * 1024
#: Rows an import reads, the header included (the same for CSV).
MAX_ROWS = 100_000
#: Columns an import reads: A to CV.
MAX_COLUMNS = 100
#: Cells in the whole workbook, empty ones with formatting included: about 8 s of reading at
#: the worst.
MAX_CELLS = 500_000
#: Rows in the whole workbook, empty ones with formatting included (as many as one sheet
#: can have): each costs openpyxl about as much as a cell.
MAX_ROW_ELEMENTS = EXCEL_ROWS = 1_048_576
#: Pieces of text in the workbook's shared table of cell text.
MAX_TEXTS = 500_000
#: Every other XML element of the parts openpyxl parses (formats, merged cells, named
#: ranges, rich-text runs): it makes an object of each, at up to 100 microseconds apiece.
MAX_OTHER = 100_000
MAX_PARTS = 1_000
MAX_LISTING_BYTES = 1 * MB
MAX_PART_BYTES = 50 * MB
MAX_TOTAL_BYTES = 100 * MB
#: How much smaller than its unpacked size a part may be packed, for parts over 1 MB
#: unpacked: sheets of numbers pack 10 to 30 times; a zip bomb 1,000 times.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1 * MB
#: One cell, or one piece of shared text, as XML: Excel holds at most 32,767 characters.
MAX_ITEM_BYTES = 256 * 1024
EXCEL_COLUMNS = 16_384
CHUNK = 64 * 1024

#: The children of a cell that openpyxl reads cheaply (more than three are counted as other).
CELL_PARTS = {"v", "f", "is", "t"}
VALUES = {"v", "t"}
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
COPY_IT = (
    ": copy the indicator, period and value columns into a new workbook, or save them as "
    "CSV, and import that"
)


class Refused(Exception):
    """The workbook is over a limit (message says which, in words), or is not one Excel
    could have written (unreadable)."""

    def __init__(self, message: str, *, unreadable: bool = False):
        super().__init__(message)
        self.message = message
        self.unreadable = unreadable


def _unreadable(why: str) -> Refused:
    return Refused(why, unreadable=True)


def _mb(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= 10 * MB else f"{size / MB:,.1f} MB"


def _what(part: str) -> str:
    """A part of the workbook, in words, with its name for whoever supports the user."""
    if part.endswith("sharedStrings.xml"):
        return f"the text in its cells ({part})"
    if "/worksheets/" in part:
        return f"one of its sheets ({part})"
    if "/media/" in part:
        return f"a picture in it ({part})"
    return f"one of its parts ({part})"


def check(stream: IO[bytes]) -> None:
    """Raise Refused if the workbook in stream is over a limit; leave stream at its start."""
    try:
        _check_listing(stream)
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            _check_sizes(archive.infolist())
            _Workbook(archive).scan()
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, zlib.error):
        # damaged, encrypted, or packed in a way zipfile cannot unpack
        raise _unreadable("its zip structure is damaged") from None
    finally:
        stream.seek(0)


def _check_listing(stream: IO[bytes]) -> None:
    end = zipfile._EndRecData(stream)  # the record ZipFile itself reads
    if end is None:
        raise _unreadable("it is not a zip file, as an .xlsx workbook is")
    if end[zipfile._ECD_ENTRIES_TOTAL] > MAX_PARTS:
        raise Refused(
            f"the workbook has more than {MAX_PARTS:,} parts (sheets, charts, pictures and "
            f"the like), more than an import reads{COPY_IT}"
        )
    if end[zipfile._ECD_SIZE] > MAX_LISTING_BYTES:
        raise _unreadable("its list of parts is larger than any workbook's")


def _check_sizes(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise Refused(
            f"the workbook has more than {MAX_PARTS:,} parts (sheets, charts, pictures and "
            f"the like), more than an import reads{COPY_IT}"
        )
    names = Counter(p.filename for p in parts)
    if names and names.most_common(1)[0][1] > 1:
        raise _unreadable("two of its parts have the same name")
    total = 0
    for part in parts:
        size = part.file_size
        if size > MAX_PART_BYTES:
            raise Refused(
                f"the workbook is too big to import: {_what(part.filename)} unpacks to "
                f"{_mb(size)}, and an import reads at most {_mb(MAX_PART_BYTES)} of any one "
                f"part{COPY_IT}"
            )
        if size > RATIO_FROM_BYTES and size > MAX_RATIO * max(part.compress_size, 1):
            raise Refused(
                f"the workbook is too big to import: {_what(part.filename)} unpacks to "
                f"{_mb(size)} from {part.compress_size / 1024:,.0f} KB, more than "
                f"{MAX_RATIO} times its packed size, which no ordinary spreadsheet is{COPY_IT}"
            )
        total += size
        if total > MAX_TOTAL_BYTES:
            raise Refused(
                f"the workbook is too big to import: unpacked, its parts come to more than "
                f"{_mb(MAX_TOTAL_BYTES)}, the most an import reads{COPY_IT}"
            )


def row_limit(row: int, cell: str | None = None) -> str:
    """The refusal of a file with something in a row past MAX_ROWS (CSV and XLSX alike)."""
    where = f" (cell {cell})" if cell else ""
    return (
        f"row {row:,} has something in it{where}, but an import reads at most "
        f"{MAX_ROWS:,} rows, the header included: delete the rows below your data, or split "
        "it into several files"
    )


def column_limit(column: int, row: int) -> str:
    """The refusal of a file with something in a column past MAX_COLUMNS."""
    return (
        f"cell {_column_letters(column)}{row} has something in it, but an import reads only "
        f"the first {MAX_COLUMNS} columns (A to {_column_letters(MAX_COLUMNS)}): delete the "
        "columns to the right of your data, or move them nearer column A"
    )


def not_a_workbook(stream: IO[bytes]) -> str:
    """Why a zip that passed check() is not a workbook openpyxl can open, in words."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return "its zip structure is damaged"
    finally:
        stream.seek(0)
    if "word/document.xml" in names:
        return "it is a Word document"
    if "ppt/presentation.xml" in names:
        return "it is a PowerPoint presentation"
    if "content.xml" in names and "mimetype" in names:
        return "it is an OpenDocument file: save it from there as .xlsx or CSV"
    if "[Content_Types].xml" not in names:
        return "it is a zip file with no workbook in it"
    return "a part of it is damaged or missing"


def _column(ref: str) -> int:
    """The column number of a cell reference ("AB12" is 28); 0 if it has no letters."""
    number = 0
    for letter in ref:
        if "A" <= letter <= "Z":
            number = number * 26 + ord(letter) - 64
        else:
            break
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _row_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        value = float(text)  # openpyxl reads "1e3" and "5.0" as rows too
        if not value.is_integer():
            raise
        number = int(value)
    if not 1 <= number <= EXCEL_ROWS:
        raise ValueError(text)
    return number


WORKBOOK_TYPES = [  # in the order openpyxl looks for them (reader.excel._find_workbook_part)
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
]
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


class _Workbook:
    """The parts openpyxl will parse, found as it finds them, each streamed through expat
    once and counted."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.names = set(archive.namelist())
        self.cells = self.rows = self.texts = self.other = 0
        self.read: set[str] = set()
        #: what the parts read hold: content types, links, sheets
        self.overrides: list[tuple[str, str]] = []  # (part, content type)
        self.defaults: set[str] = set()
        self.links: dict[str, dict[str, tuple[str, str]]] = {}  # part -> id -> (type, target)
        self.sheet_ids: list[str] = []

    def scan(self) -> None:
        self.part("[Content_Types].xml")
        workbook = next(
            (part for kind in WORKBOOK_TYPES for part, type_ in self.overrides if type_ == kind),
            "xl/workbook.xml" if self.defaults & set(WORKBOOK_TYPES) else None,
        )
        strings = next((p for p, type_ in self.overrides if type_ == SHARED_STRINGS), None)
        if strings:
            self.part(strings, "strings")
        if workbook is None:
            return  # openpyxl will say it is no workbook
        self.part(workbook, "workbook")
        links = _rels_path(workbook)
        self.part(links)
        self.part("xl/styles.xml")
        for sheet_id in self.sheet_ids:
            kind, target = self.links.get(links, {}).get(sheet_id, ("", ""))
            if "chartsheet" in kind or target not in self.names:
                continue  # chart sheets are not parsed; openpyxl skips a missing sheet
            if target in self.read:
                raise _unreadable("two of its sheets are one and the same")
            self.part(target, "sheet")
            self.part(_rels_path(target))

    def part(self, name: str, role: str = "") -> None:
        """Scan a part openpyxl will parse as role: only a sheet's cells count as cells, and
        only the shared text's pieces as text (read as anything else, openpyxl would keep
        every element of them); everything else counts as other."""
        if name not in self.names or name in self.read:
            return
        self.read.add(name)
        scan = _Part(self, name, role)
        with self.archive.open(name) as source:
            while chunk := source.read(CHUNK):
                scan.feed(chunk)
            scan.feed(b"", final=True)


class _Part:
    """One part streamed through expat; raises Refused past a limit."""

    def __init__(self, book: _Workbook, name: str, role: str):
        self.book = book
        self.name = name
        self.role = role
        self.parser = parser = pyexpat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.doctype
        parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.depth = 0
        self.data_depth = 0  # the depth of sheetData, while inside it
        self.row = 0
        self.column = 0
        self.row_cells = 0
        self.cell_depth = 0  # the depth of the cell (or shared text) being read, or 0
        self.cell_start = 0
        self.cheap = 0

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except pyexpat.ExpatError as error:
            # openpyxl would fail here too, having read no more than was counted
            raise _unreadable(f"{self.name} is damaged ({error})") from None

    def doctype(self, *_args) -> None:
        raise _unreadable(f"{self.name} declares a DTD, which no workbook part has")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name[name.rfind(" ") + 1 :]
        self.depth += 1
        if self.cell_depth:  # inside a cell, or a piece of shared text
            if self.cheap < 3 and local in CELL_PARTS:
                self.cheap += 1
                if local in VALUES and self.data_depth:
                    self.value()
            else:
                self.count_other()
        elif self.data_depth and self.depth == self.data_depth + 1 and local == "row":
            self.start_row(attrs)
        elif self.data_depth and self.depth == self.data_depth + 2 and local == "c":
            self.start_cell(attrs)
        elif self.depth == 2 and local == "si" and self.role == "strings":
            self.book.texts += 1
            if self.book.texts > MAX_TEXTS:
                raise Refused(
                    f"the workbook has more than {MAX_TEXTS:,} different pieces of text in "
                    f"its cells, more than an import reads{COPY_IT}"
                )
            self.cell_depth, self.cell_start, self.cheap = 2, self.parser.CurrentByteIndex, 2
        else:
            if self.depth == 2 and local == "sheetData" and self.role == "sheet":
                self.data_depth = 2
                self.row = 0
            elif self.depth == 2 and local == "Relationship":
                self.relationship(attrs)
            elif self.depth == 2 and local == "Override":
                part = attrs.get("PartName", "")
                self.book.overrides.append((part[1:], attrs.get("ContentType", "")))
            elif self.depth == 2 and local == "Default":
                self.book.defaults.add(attrs.get("ContentType", ""))
            elif self.depth == 3 and local == "sheet" and self.role == "workbook":
                self.book.sheet_ids.append(attrs.get(f"{RELATIONSHIPS_NS} id", ""))
            self.count_other()

    def end(self, name: str) -> None:
        if self.depth == self.cell_depth:
            if self.parser.CurrentByteIndex - self.cell_start > MAX_ITEM_BYTES:
                where = f"cell {self.cell_name()}" if self.data_depth else "a piece of its text"
                raise _unreadable(
                    f"{where} holds more than Excel allows in one cell (32,767 characters)"
                )
            self.cell_depth = 0
        elif self.depth == self.data_depth:
            self.data_depth = 0
        self.depth -= 1

    def count_other(self) -> None:
        self.book.other += 1
        if self.book.other > MAX_OTHER:
            raise Refused(
                f"the workbook is too complicated to import: it has more than "
                f"{MAX_OTHER:,} formats, merged cells, named ranges and the like{COPY_IT}"
            )

    def count_cell(self) -> None:
        self.book.cells += 1
        if self.book.cells > MAX_CELLS:
            raise Refused(
                f"the workbook has more than {MAX_CELLS:,} cells (in all its sheets, "
                f"counting empty cells that have formatting), more than an import "
                f"reads{COPY_IT}"
            )

    def start_row(self, attrs: dict[str, str]) -> None:
        self.book.rows += 1
        if self.book.rows > MAX_ROW_ELEMENTS:
            raise Refused(
                f"the workbook has more than {MAX_ROW_ELEMENTS:,} rows (in all its sheets, "
                f"counting empty rows that have formatting), more than an import reads{COPY_IT}"
            )
        number = attrs.get("r")
        try:
            self.row = _row_number(number) if number is not None else self.row + 1
        except ValueError:
            raise _unreadable(f"{self.name} has a row numbered {number[:20]!r}") from None
        self.column = self.row_cells = 0

    def start_cell(self, attrs: dict[str, str]) -> None:
        self.count_cell()
        self.row_cells += 1
        ref = attrs.get("r")
        if ref:
            self.column = _column(ref)
            if not 1 <= self.column <= EXCEL_COLUMNS:
                raise _unreadable(f"{self.name} has a cell called {ref[:20]!r}")
        else:
            self.column += 1
        if self.row_cells > EXCEL_COLUMNS or self.column > EXCEL_COLUMNS:
            raise _unreadable(f"row {self.row:,} has more cells than Excel allows")
        self.cell_depth, self.cell_start, self.cheap = (
            self.depth,
            self.parser.CurrentByteIndex,
            0,
        )

    def cell_name(self) -> str:
        return f"{_column_letters(self.column)}{self.row}"

    def value(self) -> None:
        """A cell with something in it: it must be within the rows and columns read."""
        if self.row > MAX_ROWS:
            raise Refused(row_limit(self.row, self.cell_name()))
        if self.column > MAX_COLUMNS:
            raise Refused(column_limit(self.column, self.row))

    def relationship(self, attrs: dict[str, str]) -> None:
        if attrs.get("TargetMode") == "External":
            return
        target = attrs.get("Target", "")
        if target.startswith("/"):  # as openpyxl resolves it (get_dependents)
            target = target[1:]
        else:
            parent = posixpath.split(posixpath.dirname(self.name))[0]
            target = posixpath.normpath(posixpath.join(parent, target))
        links = self.book.links.setdefault(self.name, {})
        links[attrs.get("Id", "")] = (attrs.get("Type", ""), target)


def open_workbook(stream: IO[bytes]):
    """The workbook in stream, checked (raising Refused), then opened by openpyxl in
    read-only mode without what an import never needs: chart sheets (whose drawings would
    have openpyxl read a chart once for each place it is shown), properties, the theme."""
    from openpyxl.reader.excel import ExcelReader

    class Reader(ExcelReader):
        def read_chartsheet(self, sheet, rel):
            pass

        def read_properties(self):
            pass

        def read_custom(self):
            pass

        def read_theme(self):
            pass

    check(stream)
    reader = Reader(stream, read_only=True, data_only=True, keep_links=False)
    reader.read()
    return reader.wb
