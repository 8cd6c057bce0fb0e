"""Hostile and odd uploads: each is refused in words, or read, within stated limits of memory
and time, and none gives a 500. The files are built here, small, with zipfile and openpyxl."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Iterable

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from taskforce.extensions import db
from taskforce.performance import imports, workbooks
from taskforce.performance.models import Actual

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ["indicator", "period", "value"]


@pytest.fixture
def indicator(make_indicator):
    return make_indicator(name="Starts")


def _import(api, tf, content: bytes, name: str = "mi.xlsx"):
    return api.upload(f"/taskforces/{tf.id}/actuals/import", content, name)


def _refusal(api, tf, content: bytes, name: str = "mi.xlsx") -> str:
    response = _import(api, tf, content, name)
    assert response.status_code == 422, response.get_json()
    assert db.session.query(Actual).count() == 0
    return response.get_json()["error"]["message"]


def _book(*sheets: list[list], build=None) -> bytes:
    """A workbook saved by openpyxl: a sheet of rows for each list given."""
    book = Workbook()
    for number, rows in enumerate(sheets):
        sheet = book.active if number == 0 else book.create_sheet(f"Sheet{number + 1}")
        for row in rows:
            sheet.append(row)
    if build:
        build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = _book([HEADER, ["Starts", "2027-01", 1]])


def _rewrite(source: bytes, parts: dict[str, bytes | Iterable[bytes] | None]) -> bytes:
    """source with parts replaced (None removes one), or added; an iterable of chunks is
    streamed into the zip, so a part of many megabytes never sits in memory."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for item in old.infolist():
            if item.filename not in parts:
                new.writestr(item, old.read(item.filename))
        for name, content in parts.items():
            if content is None:
                continue
            if isinstance(content, bytes):
                new.writestr(name, content)
                continue
            streamed = zipfile.ZipInfo(name)
            streamed.compress_type = zipfile.ZIP_DEFLATED
            with new.open(streamed, "w") as target:
                for chunk in content:
                    target.write(chunk)
    return out.getvalue()


def _part(source: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        return archive.read(name).decode()


def _sheet(rows: str, before: str = "") -> bytes:
    return f'<worksheet xmlns="{MAIN}">{before}<sheetData>{rows}</sheetData></worksheet>'.encode()


HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>indicator</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>period</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>value</t></is></c></row>'
)


def _row(number: int, value: str = "1", period: str = "2027-01") -> str:
    return (
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>Starts</t></is></c>'
        f'<c r="B{number}" t="inlineStr"><is><t>{period}</t></is></c>'
        f'<c r="C{number}"><v>{value}</v></c></row>'
    )


def _with_shared_strings(text: Iterable[bytes]) -> bytes:
    """GOOD with a shared-strings part streamed from text (an <sst> document's chunks)."""
    types = _part(GOOD, "[Content_Types].xml").replace(
        "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/></Types>'
    )
    rels = _part(GOOD, "xl/_rels/workbook.xml.rels").replace(
        "</Relationships>",
        f'<Relationship Id="rIdS" Type="{SST_REL}" Target="sharedStrings.xml"/></Relationships>',
    )
    return _rewrite(
        GOOD,
        {
            "[Content_Types].xml": types.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "xl/sharedStrings.xml": text,
        },
    )


def _one_long_string(megabytes: int) -> Iterable[bytes]:
    yield f'<sst xmlns="{MAIN}"><si><t>'.encode()
    for _ in range(megabytes):
        yield b"a" * 1024 * 1024
    yield b"</t></si></sst>"


# --- 2. Memory: a workbook's parts are measured before anything parses them -----------------


def test_a_shared_string_that_unpacks_to_megabytes_is_refused_before_it_is_read(api, tf, indicator):
    bomb = _with_shared_strings(_one_long_string(60))  # 60 MB of one string in ~60 KB
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        message = _refusal(api, tf, bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "too big to import" in message
    assert "the text in its cells (xl/sharedStrings.xml)" in message
    assert "unpacks to 60 MB" in message
    assert "an import reads at most 50 MB of any one part" in message
    assert "save them as CSV" in message
    assert peak < 10 * 1024 * 1024  # the string was never unpacked


def test_a_part_packed_more_than_a_hundred_to_one_is_refused(api, tf, indicator):
    message = _refusal(api, tf, _with_shared_strings(_one_long_string(2)))
    assert "unpacks to 2.0 MB from 2 KB, more than 100 times its packed size" in message


def test_all_parts_together_are_limited_too(api, tf, indicator, monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_TOTAL_BYTES", 20_000)  # GOOD alone is about 15 KB
    big = _rewrite(GOOD, {"xl/media/image1.png": bytes(range(256)) * 40})
    message = _refusal(api, tf, big)
    assert "unpacked, its parts come to more than 0.0 MB, the most an import reads" in message


def test_a_part_whose_zip_listing_understates_its_size_is_never_unpacked_past_it(
    api, tf, indicator
):
    """zipfile stops at the size the listing gives: a part claiming 100 bytes that holds
    5 MB is read as 100 bytes and fails its checksum; nothing more is unpacked."""
    honest = _with_shared_strings(_one_long_string(5))
    lying = bytearray(honest)
    with zipfile.ZipFile(io.BytesIO(honest)) as archive:
        info = archive.getinfo("xl/sharedStrings.xml")
    struct.pack_into("<I", lying, info.header_offset + 22, 100)  # its local header
    entry = 0
    while True:  # and its entry in the zip's listing (the central directory)
        entry = lying.index(b"PK\x01\x02", entry + 1)
        name_length = struct.unpack_from("<H", lying, entry + 28)[0]
        if lying[entry + 46 : entry + 46 + name_length] == b"xl/sharedStrings.xml":
            break
    struct.pack_into("<I", lying, entry + 24, 100)
    tracemalloc.start()
    try:
        message = _refusal(api, tf, bytes(lying))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "not a readable Excel workbook" in message
    assert peak < 10 * 1024 * 1024


def test_a_zip_of_more_than_a_thousand_parts_is_refused_before_its_listing_is_read(
    api, tf, indicator
):
    many = _rewrite(GOOD, {f"customXml/item{n}.xml": b"<a/>" for n in range(1_000)})
    message = _refusal(api, tf, many)
    assert "more than 1,000 parts (sheets, charts, pictures and the like)" in message


@pytest.mark.parametrize(
    ("limit", "sheet", "message"),
    [
        (
            "MAX_CELLS",
            _sheet(HEADER_ROW + "".join(_row(n) for n in range(2, 40))),
            "more than 100 cells (in all its sheets, counting empty cells that have formatting)",
        ),
        (
            "MAX_OTHER",
            _sheet(
                HEADER_ROW + _row(2), before="<cols>" + '<col min="1" max="1"/>' * 101 + "</cols>"
            ),
            "too complicated to import: it has more than 100 formats, merged cells, named ranges",
        ),
    ],
)
def test_cells_and_other_elements_are_counted_before_openpyxl_makes_objects_of_them(
    api, tf, indicator, monkeypatch, limit, sheet, message
):
    monkeypatch.setattr(workbooks, limit, 100)
    assert message in _refusal(api, tf, _rewrite(GOOD, {"xl/worksheets/sheet1.xml": sheet}))


def test_too_many_pieces_of_shared_text_are_refused(api, tf, indicator, monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_TEXTS", 100)
    texts = [f'<sst xmlns="{MAIN}">'.encode(), b"<si><t>x</t></si>" * 101, b"</sst>"]
    message = _refusal(api, tf, _with_shared_strings(texts))
    assert "more than 100 different pieces of text in its cells" in message


@pytest.mark.parametrize(
    ("part", "content", "why"),
    [
        (  # the "billion laughs": entities that expand to gigabytes
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + _sheet(HEADER_ROW + _row(2, "&b;")),
            "declares a DTD",
        ),
        (
            "xl/worksheets/sheet1.xml",
            _sheet(HEADER_ROW + '<row r="2">' + "<c/>" * 16_385 + "</row>"),
            "row 2 has more cells than Excel allows",
        ),
        (
            "xl/worksheets/sheet1.xml",
            _sheet(HEADER_ROW + _row(2, "1" * 300_000)),
            "cell C2 holds more than Excel allows in one cell",
        ),
        ("xl/worksheets/sheet1.xml", _sheet('<row r="x1"/>'), "has a row numbered 'x1'"),
        (
            "xl/workbook.xml",
            _part(GOOD, "xl/workbook.xml")
            .replace(
                "</sheets>",
                f'<sheet xmlns:r="{RELS}" name="Again" sheetId="2" r:id="rId1"/></sheets>',
            )
            .encode(),
            "two of its sheets are one and the same",
        ),
    ],
)
def test_workbooks_excel_could_not_have_written_are_unreadable(
    api, tf, indicator, part, content, why
):
    message = _refusal(api, tf, _rewrite(GOOD, {part: content}))
    assert (
        message == f"Nothing was imported: the file is not a readable Excel workbook (.xlsx): {why}"
        or ("not a readable Excel workbook" in message and why in message)
    )


# --- 3. Time: the work is bounded by the cells present, and by rows and columns read ------


def _declared_huge(last_row: int, cell: str = "A") -> bytes:
    dimension = f'<dimension ref="A1:XFD{last_row}"/>'
    data = f'<row r="{last_row}"><c r="{cell}{last_row}"><v>1</v></c></row>'
    return _rewrite(GOOD, {"xl/worksheets/sheet1.xml": _sheet(HEADER_ROW + data, dimension)})


def test_a_declared_dimension_is_not_trusted_and_empty_rows_cost_nothing(api, tf, indicator):
    """A1:XFD20000 with one row at 20000 once took 12.5 s, every empty row padded to 16,384
    cells; now only the rows present are read, each at most MAX_COLUMNS wide."""
    content = _declared_huge(20_000)
    table = imports._table(io.BytesIO(content), "mi.xlsx")
    rows = list(table.rows)
    assert [number for number, _row in rows] == [1, 20_000]
    assert max(len(row) for _number, row in rows) == workbooks.MAX_COLUMNS
    started = time.perf_counter()
    response = _import(api, tf, content)
    assert time.perf_counter() - started < 2  # 12.5 s before
    assert response.get_json()["error"]["rows"][0]["row"] == 20_000


def test_something_below_the_row_limit_is_refused_naming_the_limit(api, tf, indicator):
    started = time.perf_counter()
    message = _refusal(api, tf, _declared_huge(1_048_576))  # about 10 minutes before
    assert time.perf_counter() - started < 2
    assert message == (
        "Nothing was imported: row 1,048,576 has something in it (cell A1048576), but an import "
        "reads at most 100,000 rows, the header included: delete the rows below your data, "
        "or split it into several files"
    )


def test_something_right_of_the_column_limit_is_refused_naming_the_limit(api, tf, indicator):
    message = _refusal(api, tf, _declared_huge(5, cell="XFD"))
    assert "cell XFD5 has something in it, but an import reads only the first 100 columns" in (
        message
    )
    assert "(A to CV)" in message


def test_empty_formatted_cells_far_right_and_below_are_not_data(api, tf, indicator):
    formatted = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Starts</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>2027-01</t></is></c><c r="C2"><v>1</v></c>'
        '<c r="XFD2" s="0"/></row><row r="1048576" ht="30" customHeight="1"/>'
    )
    content = _rewrite(GOOD, {"xl/worksheets/sheet1.xml": _sheet(HEADER_ROW + formatted)})
    response = _import(api, tf, content)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"imported": 1}


def test_a_csv_has_the_same_row_limit(api, tf, indicator):
    blank = "indicator,period,value\n" + "\n" * 99_999  # rows 2 to 100,000 blank: fine
    assert "no rows of data" in _refusal(api, tf, blank.encode(), "mi.csv")
    over = blank + "Starts,2027-01,1\n"
    assert _refusal(api, tf, over.encode(), "mi.csv") == (
        "Nothing was imported: row 100,001 has something in it, but an import reads at most "
        "100,000 rows, the header included: delete the rows below your data, or split it into "
        "several files"
    )


def test_a_csv_has_the_same_column_limit(api, tf, indicator):
    wide = "indicator,period,value" + "," * 100 + "note\nStarts,2027-01,1\n"
    message = _refusal(api, tf, wide.encode(), "mi.csv")
    assert "cell CY1 has something in it, but an import reads only the first 100 columns" in (
        message
    )


def test_a_csv_with_a_gigantic_line_is_refused_without_holding_it():
    line = b"indicator,period,value\n" + b"," * 2_000_000
    tracemalloc.start()
    try:
        with pytest.raises(imports.ImportRefused) as refused:
            list(imports._table(io.BytesIO(line), "mi.csv").rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.message == (
        "Nothing was imported: line 2 of the file is longer than 1,000,000 characters, the most "
        "an import reads: is it really a file of actuals?"
    )
    assert peak < 20 * 1024 * 1024  # no row of two million cells is made


def test_a_long_line_is_refused_through_the_api_too(api, tf, indicator, monkeypatch):
    # (test uploads stay under 500 KB: the test client spools larger ones to a file that
    # it never closes)
    monkeypatch.setattr(imports, "MAX_LINE_CHARS", 100_000)
    message = _refusal(api, tf, b"indicator,period,value\n" + b"1" * 200_000, "mi.csv")
    assert "line 2 of the file is longer than 100,000 characters" in message


def test_a_csv_cell_past_the_csv_modules_limit_says_so(api, tf, indicator):
    long_cell = b'indicator,period,value\nStarts,2027-01,"' + b"1" * 200_000 + b'"\n'
    message = _refusal(api, tf, long_cell, "mi.csv")
    assert "a cell on line 2 is longer than 131,072 characters" in message


def test_an_upload_over_the_size_limit_is_a_413_in_words_not_a_500(api, web, tf, app):
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        response = _import(api, tf, b"indicator,period,value\n" + b"x" * 5000, "mi.csv")
        assert response.status_code == 413
        assert response.get_json()["error"]["code"] == "too_large"
        page = web.post(
            f"/taskforces/{tf.id}/actuals/import",
            data={"file": (io.BytesIO(b"x" * 5000), "mi.csv")},
            content_type="multipart/form-data",
        )
        assert page.status_code == 413
        assert "File too large" in page.get_data(as_text=True)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old


# --- 4. Odd but valid workbooks: the data sheet is found, or the refusal says why ----------


def _chart_on(book):
    chart = BarChart()
    chart.add_data(Reference(book.worksheets[0], min_col=3, min_row=1, max_row=2))
    book.create_chartsheet("Chart").add_chart(chart)


def test_a_workbook_saved_with_a_chart_sheet_active_reads_its_worksheet(api, tf, indicator):
    def chart_active(book):
        _chart_on(book)
        book.active = 1

    content = _book([HEADER, ["Starts", "2027-01", 1]], build=chart_active)
    response = _import(api, tf, content)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"imported": 1}


def test_a_workbook_with_no_worksheets_says_so(api, tf, indicator):
    def only_a_chart(book):
        _chart_on(book)
        book.remove(book.worksheets[0])

    assert _refusal(api, tf, _book([HEADER], build=only_a_chart)) == (
        "Nothing was imported: the workbook has no worksheets (only charts, perhaps): put the "
        "indicator, period and value columns on a worksheet"
    )


def test_the_data_is_read_from_the_first_sheet_with_the_header_and_refusals_name_it(
    api, tf, indicator
):
    content = _book(
        [["Notes for the board"], ["Prepared by the MI team"]],
        [HEADER, ["Starts", "2027-01", "lots"]],
    )
    response = _import(api, tf, content)
    error = response.get_json()["error"]
    assert error["message"] == "Nothing was imported from sheet 'Sheet2': 1 row needs correcting"
    assert error["sheet"] == "Sheet2"
    assert error["rows"] == [
        {"row": 2, "column": "value", "message": "the value 'lots' is not a number"}
    ]


def test_with_no_header_on_any_sheet_the_first_is_named(api, tf, indicator):
    content = _book([["Notes"]], [["More notes"]])
    message = _refusal(api, tf, content)
    assert message.startswith("Nothing was imported from sheet 'Sheet': The header row has no")


def test_visible_sheets_come_before_hidden_ones_and_a_hidden_one_is_read_if_alone(
    api, tf, indicator
):
    def hide_first(book):
        book.worksheets[0].sheet_state = "hidden"

    old = [HEADER, ["Starts", "2026-12", 5]]
    new = [HEADER, ["Starts", "2027-01", 6]]
    assert _import(api, tf, _book(old, new, build=hide_first)).get_json() == {"imported": 1}
    assert db.session.query(Actual).one().period == "2027-01"
    alone = _book([HEADER, ["Starts", "2027-02", 7]], [["Notes"]], build=hide_first)
    assert _import(api, tf, alone).get_json() == {"imported": 1}


def test_merged_cells_and_formulas_with_and_without_saved_results(api, tf, make_indicator):
    make_indicator(name="Starts")
    make_indicator(name="Leavers")
    rows = (
        HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>Starts</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>2027-01</t></is></c>'
        '<c r="C2"><f>1+1</f><v>2</v></c><c r="D2" t="inlineStr"><is><t>merged</t></is></c>'
        "</row>"
        '<row r="3"><c r="A3" t="inlineStr"><is><t>Leavers</t></is></c>'
        '<c r="B3" t="inlineStr"><is><t>2027-01</t></is></c><c r="C3"><f>A1*2</f></c></row>'
    )
    sheet = _sheet(rows).replace(
        b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="D2:E3"/></mergeCells>'
    )
    response = _import(api, tf, _rewrite(GOOD, {"xl/worksheets/sheet1.xml": sheet}))
    assert response.get_json()["error"]["rows"] == [
        {
            "row": 3,
            "column": "value",
            "message": "the value is empty (a formula cell may have no saved result: save it "
            "in Excel)",
        }
    ]
    fixed = sheet.replace(b"<f>A1*2</f>", b"<f>A1*2</f><v>4</v>")
    response = _import(api, tf, _rewrite(GOOD, {"xl/worksheets/sheet1.xml": fixed}))
    assert response.get_json() == {"imported": 2}


def test_many_sheets_with_the_data_on_the_last(api, tf, indicator):
    sheets = [[["Notes"]] for _ in range(299)] + [[HEADER, ["Starts", "2027-01", 1]]]
    content = _book(*sheets)
    started = time.perf_counter()
    assert _import(api, tf, content).get_json() == {"imported": 1}
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("mi.xlsm", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
        (
            "mi.xltx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
        ),
    ],
)
def test_macro_workbooks_and_templates_are_read(api, tf, indicator, name, content_type):
    types = _part(GOOD, "[Content_Types].xml").replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", content_type
    )
    content = _rewrite(GOOD, {"[Content_Types].xml": types.encode()})
    assert _import(api, tf, content, name).get_json() == {"imported": 1}


@pytest.mark.parametrize(
    "content",
    [
        "\ufeffindicator,period,value\nStarts,2027-01,1\n".encode(),
        "indicator,period,value\r\nStarts,2027-01,1\r\n".encode("utf-16"),  # with its BOM
        "indicator,period,value\nStarts,2027-01,1\n".encode("utf-16-be").join([b"\xfe\xff", b""]),
    ],
    ids=["utf-8 with BOM", "utf-16", "utf-16 big-endian"],
)
def test_csv_with_a_bom_or_in_utf16_is_read(api, tf, indicator, content):
    response = _import(api, tf, content, "mi.csv")
    assert response.get_json() == {"imported": 1}


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "mi.xlsx", "the file is empty: it needs a header row"),
        (b"", "mi.csv", "the file is empty: it needs a header row"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "mi.xls",
            "the file is an Excel 97-2003 workbook (.xls), or has a password",
        ),
        (
            _rewrite(b"PK\x05\x06" + bytes(18), {"actuals.csv": b"indicator,period,value\n"}),
            "mi.zip",
            "it is a zip file with no workbook in it",
        ),
        (
            _rewrite(
                b"PK\x05\x06" + bytes(18),
                {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"},
            ),
            "mi.xlsx",
            "it is a Word document",
        ),
        (b"PK\x05\x06" + bytes(18), "mi.xlsx", "it is a zip file with no workbook in it"),
        (b"indicator,period,value\n", "mi.xlsx", "it is not a zip file, as an .xlsx workbook is"),
        ("indicator,period\n".encode("utf-16")[:-1], "mi.csv", "the file is not UTF-16 text"),
    ],
    ids=[
        "empty xlsx",
        "empty csv",
        "xls",
        "zip of a csv",
        "docx",
        "empty zip",
        "csv as xlsx",
        "bad utf-16",
    ],
)
def test_files_that_are_not_what_they_seem_are_explained(
    api, tf, indicator, content, name, message
):
    assert message in _refusal(api, tf, content, name)
