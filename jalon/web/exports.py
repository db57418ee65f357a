"""CSV and XLSX answers, for every export of the pages.

Rows are written as they come: CSV is streamed to the client; XLSX is written by the one XLSX
writer (``jalon.lib.xlsx``: numbers as numbers, dates as dates, frozen header, autofilter,
column widths) into a spooled temporary file (a zip cannot be streamed before it is complete).
Cells that a spreadsheet would run as formulas are written as text.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.formats import number_format
from django.utils.timezone import localtime

from jalon.lib.xlsx import XlsxWriter


def local(instant: datetime | None) -> datetime | None:
    # Spreadsheets have no time zones: write Paris wall time, without an offset.
    if not instant:
        return None
    try:
        return localtime(instant).replace(tzinfo=None)
    except (OverflowError, ValueError):  # an instant stored before they were range-checked
        return instant.replace(tzinfo=None)


class _Echo:
    def write(self, value: str) -> str:
        return value


# What makes a spreadsheet read a cell as a formula, or a command (OWASP "CSV injection"): the
# ASCII signs, their full-width forms (Excel folds them), and tab, CR or LF before anything;
# leading spaces are skipped by some readers before they look.
_FORMULA_SIGNS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def neutralise(value: str) -> str:
    """``value`` prefixed with an apostrophe when a spreadsheet would run it."""
    if value[:1] in _FORMULA_SIGNS or value.lstrip(" \u00a0\u3000")[:1] in _FORMULA_SIGNS:
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float | Decimal):
        # the reader's decimal sign ("1,5" in French), as a spreadsheet opening the file expects
        return number_format(value, use_l10n=True)
    if isinstance(value, str):
        return neutralise(value)  # never let a spreadsheet run a cell as a formula
    return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
                 ) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";")

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so that spreadsheet programs read UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_csv_value(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, title: str, header: Sequence[str],
                  rows: Iterable[Sequence[Any]]) -> FileResponse:
    """One sheet named ``title``; put units in ``header`` and numbers (not texts) in ``rows``."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by the response
    with XlsxWriter(spool) as book:
        book.sheet(sheet_name(title), header, ([_xlsx_value(v) for v in row] for row in rows))
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))


def sheet_name(title: str) -> str:
    """``title`` as Excel accepts a sheet's name: 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip(" '")
    return cleaned[:31] or "Export"


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        # The writer stores texts, never formulas; the apostrophe still warns whoever copies
        # the cell into a formula bar or a CSV, as the CSV export does.
        return neutralise(value)
    return value
