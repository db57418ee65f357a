"""CSV and XLSX exports of the ticket list and of the dashboard's figures.

The ticket list is read in chunks (``iterator``) and written as it goes: CSV is streamed to the
client; XLSX is written by openpyxl's write-only workbook into a spooled temporary file (a zip
cannot be streamed before it is complete).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jalon.web import clockview
from jalon.web.rules import Rules

CHUNK = 500


def ticket_header() -> list[str]:
    return [_("Référence"), _("Marché"), _("Objet"), _("Type"), _("État"), _("Priorité"),
            _("Criticité"), _("Niveau"), _("Groupe affecté"), _("Ouvert le"), _("Résolu le"),
            _("Clos le"), _("Réouvertures"), _("Délai le plus proche"), _("Échéance"),
            _("Statut du délai")]


def _local(instant: datetime | None) -> datetime | None:
    # Spreadsheets have no time zones: write Paris wall time, without an offset.
    return localtime(instant).replace(tzinfo=None) if instant else None


def ticket_rows(tickets: Any, rules: dict[int, Rules], now: datetime) -> Iterator[list[Any]]:
    for ticket in tickets.select_related("contract", "list_clock").iterator(chunk_size=CHUNK):
        rule = rules.get(ticket.contract_id)
        clock = clockview.shown(ticket, now)
        yield [ticket.reference, ticket.contract.reference, ticket.title,
               rule.type_label(ticket.type) if rule else ticket.type, ticket.get_state_display(),
               ticket.priority, ticket.get_criticality_display(), ticket.level,
               ticket.assigned_group, _local(ticket.opened_at), _local(ticket.resolved_at),
               _local(ticket.closed_at), ticket.reopen_count,
               clock.label if clock else "", _local(clock.clock.due_at) if clock else None,
               clock.status.label if clock else ""]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never let a spreadsheet run a cell as a formula
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
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by the response
    book.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str) and value[:1] == "=":
        return "'" + value
    return value


def tickets_csv(tickets: Any, rules: dict[int, Rules], now: datetime,
                filename: str) -> StreamingHttpResponse:
    return csv_response(filename, ticket_header(), ticket_rows(tickets, rules, now))


def tickets_xlsx(tickets: Any, rules: dict[int, Rules], now: datetime,
                 filename: str) -> FileResponse:
    return xlsx_response(filename, _("Tickets"), ticket_header(), ticket_rows(tickets, rules, now))


def figures_header() -> list[str]:
    return [_("Indicateur"), _("Ligne"), _("Colonne"), _("Valeur")]
