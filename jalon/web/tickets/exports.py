"""CSV and XLSX exports of the ticket list: the tickets the list's filters select, read in chunks
(``iterator``) and written as they come."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from jalon.tickets.models import Ticket, TimeEntry
from jalon.web.exports import csv_response, local, xlsx_response
from jalon.web.rules import Rules
from jalon.web.tickets import clockview

CHUNK = 500


def ticket_header() -> list[str]:
    return [_("Référence"), _("Marché"), _("Objet"), _("Type"), _("État"), _("Priorité"),
            _("Criticité"), _("Canal"), _("Niveau"), _("Groupe affecté"), _("Ouvert le"), _("Résolu le"),
            _("Clos le"), _("Réouvertures"), _("Délai le plus proche"), _("Échéance"),
            _("Statut du délai"), _("Demandeur"), _("Intervenant"), _("Site"),
            _("Nature de la résolution"), _("Temps passé (h)")]


def _minutes_spent() -> Subquery:
    """The ticket's time entries summed (a reversal counts negative), in one subquery per row
    rather than a GROUP BY over every column of the ticket."""
    total = (TimeEntry.objects.filter(ticket=OuterRef("pk")).order_by().values("ticket")
             .annotate(total=Sum("minutes")).values("total"))
    return Subquery(total, output_field=IntegerField())


def _name(person: Any) -> str:
    return (person.get_full_name() or person.username) if person is not None else ""


def ticket_rows(tickets: QuerySet[Ticket], rules: dict[int, Rules], now: datetime,
                internal: frozenset[int] = frozenset()) -> Iterator[list[Any]]:
    """One row per ticket; the time spent only on the contracts in ``internal`` (those whose
    internal records the reader sees: requesters do not see the holder's time)."""
    chosen = tickets.select_related("contract", "list_clock", "requester", "assignee").annotate(
        minutes_spent=_minutes_spent())
    for ticket in chosen.iterator(chunk_size=CHUNK):
        rule = rules.get(ticket.contract_id)
        clock = clockview.shown(ticket, now)
        minutes = ticket.minutes_spent if ticket.contract_id in internal else None
        yield [ticket.reference, ticket.contract.reference, ticket.title,
               rule.type_label(ticket.type) if rule else ticket.type, ticket.get_state_display(),
               ticket.priority, ticket.get_criticality_display(), ticket.get_channel_display(),
               ticket.level,
               ticket.assigned_group, local(ticket.opened_at), local(ticket.resolved_at),
               local(ticket.closed_at), ticket.reopen_count,
               clock.label if clock else "", local(clock.clock.due_at) if clock else None,
               clock.status.label if clock else "",
               _name(ticket.requester), _name(ticket.assignee), ticket.site,
               ticket.get_resolution_kind_display(),
               None if minutes is None else round(minutes / 60, 2)]


def tickets_csv(tickets: QuerySet[Ticket], rules: dict[int, Rules], now: datetime,
                filename: str, internal: frozenset[int] = frozenset()) -> StreamingHttpResponse:
    return csv_response(filename, ticket_header(), ticket_rows(tickets, rules, now, internal))


def tickets_xlsx(tickets: QuerySet[Ticket], rules: dict[int, Rules], now: datetime,
                 filename: str, internal: frozenset[int] = frozenset()) -> FileResponse:
    return xlsx_response(filename, _("Tickets"), ticket_header(),
                         ticket_rows(tickets, rules, now, internal))
