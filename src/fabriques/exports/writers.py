"""Writers of export blocks: CSV (streamed line by line), XLSX (openpyxl write-only, lxml), ODS (streamed XML).

Cells are ints, floats, naive local datetimes or strings ("" for none); each format keeps the type
(numbers as numbers, dates as dates) so a spreadsheet opened back reads the same values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from xml.sax.saxutils import escape

from fabriques.exports.queries import Block

SHEET_NAME_MAX = 31


class _Line:
    """A write-only file object that returns what is written (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def _text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value if isinstance(value, str) else str(value)


def csv_lines(block: Block, on_row: Callable[[], None] | None = None) -> Iterator[str]:
    """The block as CSV lines (UTF-8 with BOM for spreadsheet programs, comma, RFC 4180 quoting)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(block.header)
    for row in block.rows:
        if on_row:
            on_row()
        yield writer.writerow([_text(v) for v in row])


def write_xlsx(blocks: list[Block], fileobj, on_row: Callable[[], None] | None = None) -> None:
    """One sheet per block, written row by row (openpyxl write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for index, block in enumerate(blocks):
        sheet = workbook.create_sheet(title=block.name[:SHEET_NAME_MAX])
        sheet.append(block.header)
        for row in block.rows:
            if on_row and index == 0:
                on_row()
            sheet.append(row)
    workbook.save(fileobj)


ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _ods_cell(value) -> str:
    if isinstance(value, bool):
        value = "oui" if value else "non"
    if isinstance(value, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{value!r}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    if isinstance(value, dt.datetime):
        stamp = value.isoformat()
        return (f'<table:table-cell office:value-type="date" office:date-value="{stamp}">'
                f"<text:p>{stamp}</text:p></table:table-cell>")
    if value == "":
        return "<table:table-cell/>"
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def write_ods(blocks: list[Block], fileobj, on_row: Callable[[], None] | None = None) -> None:
    """One table per block, content.xml streamed into the zip row by row (memory stays flat).

    odfpy builds the whole document in memory (about 0.3 GB per 1,000 dossiers), so the file is written
    here directly in the OpenDocument format; tests read it back with odfpy.
    """
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        with archive.open("content.xml", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
            out.write(ODS_HEAD)
            for index, block in enumerate(blocks):
                out.write(f'<table:table table:name="{escape(block.name[:SHEET_NAME_MAX], {chr(34): "&quot;"})}">')
                out.write("<table:table-row>" + "".join(_ods_cell(v) for v in block.header) + "</table:table-row>")
                for row in block.rows:
                    if on_row and index == 0:
                        on_row()
                    out.write("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>")
                out.write("</table:table>")
            out.write(ODS_TAIL)
