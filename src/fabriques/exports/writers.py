"""Writers of export blocks: CSV (streamed line by line), XLSX (openpyxl write-only), ODS (odfpy).

Cells are ints, floats, naive local datetimes or strings; each format keeps the type
(numbers as numbers, dates as dates) so a spreadsheet opened back reads the same values.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator

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


def _ods_cell(value):
    from odf.table import TableCell
    from odf.text import P

    if isinstance(value, bool):
        value = "oui" if value else "non"
    if isinstance(value, (int, float)):
        cell = TableCell(valuetype="float", value=value)
    elif isinstance(value, dt.datetime):
        cell = TableCell(valuetype="date", datevalue=value.isoformat())
    else:
        cell = TableCell(valuetype="string")
    cell.addElement(P(text=_text(value)))
    return cell


def write_ods(blocks: list[Block], fileobj, on_row: Callable[[], None] | None = None) -> None:
    """One table per block (odfpy builds the document in memory before zipping it: use jobs for big waves)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableRow

    document = OpenDocumentSpreadsheet()
    for index, block in enumerate(blocks):
        table = Table(name=block.name[:SHEET_NAME_MAX])
        header = TableRow()
        for value in block.header:
            header.addElement(_ods_cell(value))
        table.addElement(header)
        for row in block.rows:
            if on_row and index == 0:
                on_row()
            line = TableRow()
            for value in row:
                line.addElement(_ods_cell(value))
            table.addElement(line)
        document.spreadsheet.addElement(table)
    document.write(fileobj)
