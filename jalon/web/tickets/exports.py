"""CSV and XLSX exports of the ticket list: the tickets the list's filters select, read in chunks
(``iterator``) and written as they come."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from jalon.tickets.models import Ticket
from jalon.web.exports import csv_response, local, xlsx_response
from jalon.web.rules import Rules
from jalon.web.tickets import clockview

CHUNK = 500


def ticket_header() -> list[str]:
    return [_("Référence"), _("Marché"), _("Objet"), _("Type"), _("État"), _("Priorité"),
            _("Criticité"), _("Canal"), _("Niveau"), _("Groupe affecté"), _("Ouvert le"), _("Résolu le"),
            _("Clos le"), _("Réouvertures"), _("Délai le plus proche"), _("Échéance"),
            _("Statut du délai")]


def ticket_rows(tickets: QuerySet[Ticket], rules: dict[int, Rules], now: datetime) -> Iterator[list[Any]]:
    for ticket in tickets.select_related("contract", "list_clock").iterator(chunk_size=CHUNK):
        rule = rules.get(ticket.contract_id)
        clock = clockview.shown(ticket, now)
        yield [ticket.reference, ticket.contract.reference, ticket.title,
               rule.type_label(ticket.type) if rule else ticket.type, ticket.get_state_display(),
               ticket.priority, ticket.get_criticality_display(), ticket.get_channel_display(),
               ticket.level,
               ticket.assigned_group, local(ticket.opened_at), local(ticket.resolved_at),
               local(ticket.closed_at), ticket.reopen_count,
               clock.label if clock else "", local(clock.clock.due_at) if clock else None,
               clock.status.label if clock else ""]


def tickets_csv(tickets: QuerySet[Ticket], rules: dict[int, Rules], now: datetime,
                filename: str) -> StreamingHttpResponse:
    return csv_response(filename, ticket_header(), ticket_rows(tickets, rules, now))


def tickets_xlsx(tickets: QuerySet[Ticket], rules: dict[int, Rules], now: datetime,
                 filename: str) -> FileResponse:
    return xlsx_response(filename, _("Tickets"), ticket_header(), ticket_rows(tickets, rules, now))
