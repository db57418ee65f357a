"""A small streaming XLSX writer: sheets of plain values, a bold frozen header, nothing else.

openpyxl builds an element tree per cell even in write-only mode, which made a scorecard with
80,000 evidence rows take several seconds; a sheet is only XML text, so this module writes that
text directly into the zip, a thousand rows at a time.

    with XlsxWriter("card.xlsx") as book:
        book.sheet("Synthèse", ["Famille", "Note"], [["tms", 18.5]])
        book.sheet("Preuves", EVIDENCE_COLUMNS, rows)  # any iterable, streamed

Values: ``str`` (inline strings; ``""`` is an empty cell), ``int``/``float`` and other real
numbers, ``bool``, ``None`` (an empty cell). Anything else is written as its ``str()``. A sheet
holds at most 1,048,576 rows, Excel's limit: more raise ``ValueError``. Texts keep every character: those
XML 1.0 cannot hold are written with the ``_xHHHH_`` escape that spreadsheet readers decode.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from numbers import Real
from pathlib import Path
from types import TracebackType
from typing import SupportsFloat
from xml.sax.saxutils import quoteattr

Cell = str | int | float | bool | SupportsFloat | None
"""Numbers of other types (numpy integers and floats) are written as numbers too."""
ROWS_PER_WRITE = 1000
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
_FORBIDDEN_IN_NAMES = re.compile(r"[\[\]:*?/\\]")
# XML 1.0 cannot hold most control characters, and parsers turn a carriage return into a line end.
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")

_CONTENT_TYPES_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Style 0 is the default, style 1 the header's bold font.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_FROZEN_HEADER = (
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
)


class XlsxWriter:
    """An XLSX file written sheet by sheet; :meth:`close` (or leaving ``with``) finishes it."""

    def __init__(self, path: str | Path, *, compresslevel: int = 1) -> None:
        # Level 1 deflates a sheet several times faster than the default for a file about a
        # fifth larger: the evidence sheet is most of the work.
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._names: list[str] = []

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def sheet(self, name: str, header: Sequence[str] | None, rows: Iterable[Sequence[Cell]]) -> None:
        """Add a sheet: an optional header (bold, frozen) and rows of values, streamed."""
        _check_name(name, self._names)
        self._names.append(name)
        part = f"xl/worksheets/sheet{len(self._names)}.xml"
        with self._zip.open(part, "w") as stream:
            stream.write((_SHEET_HEAD + (_FROZEN_HEADER if header else "") + "<sheetData>").encode())
            number = 0
            if header:
                number = 1
                stream.write(_row(1, header, ' s="1"').encode())
            batch: list[str] = []
            for values in rows:
                number += 1
                if number > MAX_ROWS:
                    raise ValueError(f"sheet {name!r}: more than {MAX_ROWS:,} rows")
                batch.append(_row(number, values, ""))
                if len(batch) == ROWS_PER_WRITE:
                    stream.write("".join(batch).encode())
                    batch.clear()
            stream.write(("".join(batch) + "</sheetData></worksheet>").encode())

    def close(self) -> None:
        if self._zip.fp is None:
            return
        if not self._names:
            raise ValueError("an XLSX workbook needs at least one sheet")
        count = range(1, len(self._names) + 1)
        sheets = "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                         for i, name in zip(count, self._names, strict=True))
        self._zip.writestr("[Content_Types].xml", _CONTENT_TYPES_HEAD + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
            for i in count) + "</Types>")
        self._zip.writestr("_rels/.rels", _ROOT_RELS)
        self._zip.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'))
        self._zip.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in count)
            + f'<Relationship Id="rId{len(self._names) + 1}" Type="{_REL}/styles" '
              'Target="styles.xml"/></Relationships>'))
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.close()


def _check_name(name: str, taken: list[str]) -> None:
    """Excel's rules for sheet names, checked here because Excel refuses the whole file."""
    if not name or len(name) > 31 or _FORBIDDEN_IN_NAMES.search(name) or name[0] == "'" or (
        name[-1] == "'"
    ):
        raise ValueError(f"sheet name {name!r}: 1 to 31 characters, none of []:*?/\\, no "
                         "leading or trailing apostrophe")
    if name.casefold() in (other.casefold() for other in taken):
        raise ValueError(f"sheet name {name!r} is already used")


_LETTERS: list[str] = []


def column_letter(index: int) -> str:
    """``A`` for 0, ``Z`` for 25, ``AA`` for 26…"""
    while len(_LETTERS) <= index:
        number, letters = len(_LETTERS) + 1, ""
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        _LETTERS.append(letters)
    return _LETTERS[index]


def _row(number: int, values: Sequence[Cell], style: str) -> str:
    if len(values) > MAX_COLUMNS:
        raise ValueError(f"row {number}: more than {MAX_COLUMNS:,} columns")
    cells = []
    for index, value in enumerate(values):
        if value is None or value == "":
            continue
        where = f'<c r="{column_letter(index)}{number}"{style}'
        if isinstance(value, str):
            cells.append(f'{where} t="inlineStr"><is>{_text(value)}</is></c>')
        elif isinstance(value, bool):
            cells.append(f'{where} t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float | Real) and math.isfinite(value):
            cells.append(f"{where}><v>{_number(value)}</v></c>")
        else:  # NaN and infinities have no XLSX number: keep them readable as text
            cells.append(f'{where} t="inlineStr"><is>{_text(str(value))}</is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _number(value: float | Real) -> str:
    if isinstance(value, int):
        return str(value)
    number = float(value)
    # 8.0 is written 8, as spreadsheets do: same number, shorter sheet
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def escape_controls(value: str) -> str:
    """``value`` with the characters XML 1.0 cannot hold written as ``_xHHHH_`` (and a literal
    ``_xHHHH_`` kept literal), as spreadsheet readers decode them: for writers other than this
    one (openpyxl refuses those characters and fails the whole file)."""
    if not _NEEDS_ESCAPE.search(value):
        return value
    value = re.sub(r"_(?=x[0-9A-Fa-f]{4}_)", "_x005F_", value)
    return _CONTROL.sub(lambda found: f"_x{ord(found.group()):04X}_", value)


def _text(value: str) -> str:
    if _NEEDS_ESCAPE.search(value):
        # A literal "_x0041_" would be read back as "A": its underscore is escaped first.
        value = re.sub(r"_(?=x[0-9A-Fa-f]{4}_)", "_x005F_", value)
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        value = _CONTROL.sub(lambda found: f"_x{ord(found.group()):04X}_", value)
    if value[:1].isspace() or value[-1:].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"
