"""The one XLSX writer of Jalon: sheets of plain values, ready for the office.

Every sheet with a header gets it bold and frozen, an autofilter over its columns, and column
widths fitted to the header and the first rows; numbers stay numbers and dates are dates (shown
in the reader's own date format). Every export (ticket lists, scorecards, forfait statements,
dashboard figures…) writes through this module, so they all look alike.

openpyxl builds an element tree per cell even in write-only mode, which made a scorecard with
80,000 evidence rows take several seconds; a sheet is only XML text, so this module writes that
text directly into the zip, a thousand rows at a time.

    with XlsxWriter("card.xlsx") as book:
        book.sheet("Synthèse", ["Famille", "Note"], [["tms", 18.5]])
        book.sheet("Preuves", EVIDENCE_COLUMNS, rows)  # any iterable, streamed

Values: ``str`` (inline strings, never formulas; ``""`` is an empty cell), ``int``/``float`` and
other real numbers, ``bool``, ``date`` and ``datetime`` (wall time: an offset is dropped, so
convert to the reader's zone first), ``None`` (an empty cell). Anything else is written as its
``str()``. Units belong in the header (``"Temps passé (h)"``), never in the cells. A sheet
holds at most 1,048,576 rows, Excel's limit: more raise ``ValueError``. Texts keep every character: those
XML 1.0 cannot hold are written with the ``_xHHHH_`` escape that spreadsheet readers decode.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from numbers import Real
from pathlib import Path
from types import TracebackType
from typing import IO, SupportsFloat
from xml.sax.saxutils import quoteattr

Cell = str | int | float | bool | date | Decimal | SupportsFloat | None
"""Numbers of other types (numpy integers and floats) are written as numbers too."""
ROWS_PER_WRITE = 1000
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
WIDTH_SAMPLE = 1000
"""Column widths are fitted to the header and this many first rows (the rest is streamed)."""
MIN_WIDTH, MAX_WIDTH = 8, 60
"""Column widths, in characters: wide enough for a date, never wider than a screen's half."""
_DATE_WIDTH, _DATETIME_WIDTH = 11, 17
_EPOCH = datetime(1899, 12, 30)
"""Day 0 of spreadsheet dates (the 1900 system, past Excel's 1900 leap-year slip)."""
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
# Style 0 is the default, 1 the header's bold font, 2 a date and 3 a date and time, in the
# built-in formats 14 and 22 that spreadsheet programs show in the reader's own language.
_HEADER, _DATE, _DATETIME = ' s="1"', ' s="2"', ' s="3"'
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs>'
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

    def __init__(self, path: str | Path | IO[bytes], *, compresslevel: int = 1) -> None:
        # Level 1 deflates a sheet several times faster than the default for a file about a
        # fifth larger: the evidence sheet is most of the work.
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._names: list[str] = []
        self._filters: dict[int, str] = {}
        """Each filtered sheet's range (``A1:Q42``), by its index: the workbook names it too."""

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def sheet(self, name: str, header: Sequence[str] | None, rows: Iterable[Sequence[Cell]]) -> None:
        """Add a sheet: an optional header (bold, frozen, with an autofilter) and rows of
        values, streamed; widths fit the header and the first :data:`WIDTH_SAMPLE` rows."""
        _check_name(name, self._names)
        self._names.append(name)
        part = f"xl/worksheets/sheet{len(self._names)}.xml"
        stream_of_rows = iter(rows)
        sample = list(islice(stream_of_rows, WIDTH_SAMPLE))
        with self._zip.open(part, "w") as stream:
            stream.write((_SHEET_HEAD + (_FROZEN_HEADER if header else "")
                          + _columns(header, sample) + "<sheetData>").encode())
            number, columns = 0, len(header or ())
            if header:
                number = 1
                stream.write(_row(1, header, _HEADER).encode())
            batch: list[str] = []
            for values in chain(sample, stream_of_rows):
                number += 1
                if number > MAX_ROWS:
                    raise ValueError(f"sheet {name!r}: more than {MAX_ROWS:,} rows")
                batch.append(_row(number, values))
                if len(batch) == ROWS_PER_WRITE:
                    stream.write("".join(batch).encode())
                    batch.clear()
            tail = "</sheetData>"
            if header:
                self._filters[len(self._names) - 1] = f"A1:{column_letter(max(columns, 1) - 1)}{number}"
                tail += f'<autoFilter ref="{self._filters[len(self._names) - 1]}"/>'
            stream.write(("".join(batch) + tail + "</worksheet>").encode())

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
            f'xmlns:r="{_REL}"><sheets>{sheets}</sheets>{self._filter_names()}</workbook>'))
        self._zip.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in count)
            + f'<Relationship Id="rId{len(self._names) + 1}" Type="{_REL}/styles" '
              'Target="styles.xml"/></Relationships>'))
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.close()

    def _filter_names(self) -> str:
        """The hidden names Excel gives the filtered ranges (it repairs a file without them)."""
        if not self._filters:
            return ""
        names = []
        for index, ref in self._filters.items():
            quoted = self._names[index].replace("'", "''")
            first, last = ref.split(":")
            absolute = f"${_split(first)}:${_split(last)}"
            names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" '
                         f'hidden="1">{_text_only(quoted, absolute)}</definedName>')
        return f"<definedNames>{''.join(names)}</definedNames>"


def _split(cell: str) -> str:
    """``AB12`` as ``AB$12``."""
    letters = cell.rstrip("0123456789")
    return f"{letters}${cell[len(letters):]}"


def _text_only(sheet: str, absolute: str) -> str:
    return f"'{sheet}'!{absolute}".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _columns(header: Sequence[str] | None, sample: Sequence[Sequence[Cell]]) -> str:
    """``<cols>`` with each column's width: its longest text among the header and the sample,
    within :data:`MIN_WIDTH` and :data:`MAX_WIDTH` characters."""
    widths: list[int] = []
    for values in chain([header or ()], sample):
        for index, value in enumerate(values):
            if index >= len(widths):
                widths.append(MIN_WIDTH)
            widths[index] = max(widths[index], _width(value))
    if not widths:
        return ""
    cols = "".join(f'<col min="{i}" max="{i}" width="{min(w, MAX_WIDTH) + 2}" customWidth="1"/>'
                   for i, w in enumerate(widths, start=1))
    return f"<cols>{cols}</cols>"


def _width(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return _DATETIME_WIDTH
    if isinstance(value, date):
        return _DATE_WIDTH
    if isinstance(value, float):
        return len(f"{value:.2f}")
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


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


def _row(number: int, values: Sequence[Cell], style: str = "") -> str:
    if len(values) > MAX_COLUMNS:
        raise ValueError(f"row {number}: more than {MAX_COLUMNS:,} columns")
    cells = []
    for index, value in enumerate(values):
        if value is None or value == "":
            continue
        where = f'<c r="{column_letter(index)}{number}"'
        if isinstance(value, str):
            cells.append(f'{where}{style} t="inlineStr"><is>{_text(value)}</is></c>')
        elif isinstance(value, bool):
            cells.append(f'{where}{style} t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, date):
            serial, date_style = _serial(value)
            cells.append(f"{where}{style or date_style}><v>{_number(serial)}</v></c>")
        elif isinstance(value, int | float | Real | Decimal) and math.isfinite(value):
            cells.append(f"{where}{style}><v>{_number(value)}</v></c>")
        else:  # NaN and infinities have no XLSX number: keep them readable as text
            cells.append(f'{where}{style} t="inlineStr"><is>{_text(str(value))}</is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _serial(value: date) -> tuple[float, str]:
    """A date as spreadsheets count it (days since 1899-12-30), with its style."""
    if isinstance(value, datetime):
        wall = value.replace(tzinfo=None)
        return round((wall - _EPOCH).total_seconds() / 86400, 9), _DATETIME
    return float((value - _EPOCH.date()).days), _DATE


def _number(value: float | Real | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):  # amounts in euros: keep every digit written
        return format(value.normalize(), "f")
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
