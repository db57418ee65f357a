"""The contract dashboard: period, rows read with a fixed number of queries, figures, charts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.contracts.models import Contract
from jalon.tickets.models import (
    Clock,
    Criticality,
    EventKind,
    Ticket,
    TicketEvent,
    TicketState,
    TimeEntry,
)
from jalon.web import figures, ticketlist
from jalon.web.figures import Cell, Period
from jalon.web.rules import Rules


def parse_period(params: Any, today: date) -> tuple[Period, list[str]]:
    """The period asked for (``period=month&month=2026-05``, ``period=quarter&quarter=2026-T2``,
    ``period=custom&from=…&to=…``); the current month by default. Errors are returned in words."""
    kind = params.get("period") or "month"
    errors: list[str] = []
    if kind == "quarter":
        match = re.fullmatch(r"(\d{4})-[TQ]([1-4])", params.get("quarter") or "")
        if match:
            return Period.quarter(int(match[1]), int(match[2])), errors
        if params.get("quarter"):
            errors.append(_("Trimestre attendu au format AAAA-T1 à AAAA-T4."))
        return Period.quarter(today.year, (today.month - 1) // 3 + 1), errors
    if kind == "custom":
        try:
            first = date.fromisoformat(params.get("from") or "")
            last = date.fromisoformat(params.get("to") or "")
        except ValueError:
            errors.append(_("Indiquez les dates de début et de fin de la période."))
        else:
            if first <= last and (last - first).days <= 3 * 366:
                return Period(first, last), errors
            errors.append(_("La fin de la période doit suivre son début (trois ans au plus)."))
    match = re.fullmatch(r"(\d{4})-(\d{2})", params.get("month") or "")
    if match and 1 <= int(match[2]) <= 12:
        return Period.month(int(match[1]), int(match[2])), errors
    if params.get("month"):
        errors.append(_("Mois attendu au format AAAA-MM."))
    return Period.month(today.year, today.month), errors


@dataclass
class Dashboard:
    period: Period
    compliance: list[figures.ComplianceRow]
    qualification: figures.Qualification
    volumes: dict[str, figures.Table]
    backlog: list[figures.BacklogPoint]
    reopening: figures.Reopening
    at_risk: Cell
    breached: Cell
    forfait: figures.Forfait


def build(contract: Contract, rules: Rules, tickets: QuerySet[Ticket], period: Period,
          now: datetime) -> Dashboard:
    """Every figure of the dashboard, over ``tickets`` (those the user may see). Seven queries,
    whatever the number of tickets."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = figures.day_start(period.first, zone)
    end = figures.day_start(period.last + timedelta(days=1), zone)
    rows = [figures.TicketRow(**r) for r in tickets.filter(
        Q(opened_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=start))).values(
        "pk", "type", "criticality", "priority", "opened_at", "closed_at")]
    clocks = [figures.ClockRow(**r) for r in Clock.objects.filter(
        ticket__in=tickets, stopped_at__gte=start, stopped_at__lt=end).values(
        "ticket_id", "kind", "breached", "elapsed_seconds", "target_seconds",
        priority=F("ticket__priority"))]
    opened = tickets.filter(opened_at__gte=start, opened_at__lt=end).annotate(
        qualified_at=Min("events__at", filter=Q(events__kind=EventKind.QUALIFIED)))
    events = TicketEvent.objects.filter(ticket__in=tickets, at__gte=start, at__lt=end,
                                        kind__in=(EventKind.RESOLVED, EventKind.REOPENED))
    event_rows = list(events.values_list("ticket_id", "kind"))
    year = figures.contract_year(period.last, contract.starts_on)
    entries = list(TimeEntry.objects.filter(
        ticket__in=tickets, charged_to_forfait=True, spent_on__gte=min(year.first, period.first),
        spent_on__lte=period.last).values_list("spent_on", "minutes"))
    active = tickets.exclude(state__in=(TicketState.RESOLVED, TicketState.CLOSED))
    calendar = _qualification_calendar(rules)
    priorities = [p for p, _label in rules.priorities]
    return Dashboard(
        period=period,
        compliance=figures.compliance(clocks, dict(rules.clocks), priorities, period),
        qualification=figures.qualification(
            list(opened.values_list("pk", "opened_at", "qualified_at")), period,
            (lambda a, b: calendar.elapsed(a, b) if b > a else 0) if calendar
            else (lambda a, b: max(0, int((b - a).total_seconds())))),
        volumes=figures.volumes(rows, period, zone, dict(rules.types), {
            **{k: str(v) for k, v in Criticality.choices}, "": _("Non renseignée")}),
        backlog=figures.backlog(rows, period, zone),
        reopening=figures.reopening([t for t, k in event_rows if k == EventKind.RESOLVED],
                                    [t for t, k in event_rows if k == EventKind.REOPENED], period),
        at_risk=Cell(active.filter(ticketlist.has_clock(ticketlist.at_risk_now(now))).count(),
                     {"at_risk": True, "state": "active"}),
        breached=Cell(active.filter(ticketlist.has_clock(ticketlist.breached_now(now))).count(),
                      {"breached": True, "state": "active"}),
        forfait=figures.forfait(entries, period, year, rules.forfait_days(),
                                rules.forfait_day_minutes()),
    )


def _qualification_calendar(rules: Rules) -> Any:
    """The calendar of the convention's first clock (qualification runs in business time)."""
    for clock in rules.convention.clocks:
        calendar = rules.calendar(clock.calendar)
        if calendar is not None:
            return calendar
    return None


# -- charts ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str
    href: str


@dataclass(frozen=True)
class Chart:
    """A bar chart drawn in SVG by the template; its data table is printed beside it."""

    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, str]]
    ticks: list[tuple[float, str]]
    legend: list[tuple[str, str]]


def bar_chart(categories: list[str], series: list[tuple[str, str, list[Cell]]],
              link: Any, unit: str = "", maximum: float | None = None) -> Chart:
    """Grouped vertical bars: one group per category, one bar per series.

    ``series`` is ``(name, css class, cells)``; ``link`` turns a cell's filters into a URL.
    """
    width, height, left, bottom, top = 640, 240, 44, 40, 12
    plot_h = height - bottom - top
    top_value = maximum or max([c.value or 0 for _n, _c, cells in series for c in cells] or [0]) or 1
    group_w = (width - left - 8) / max(len(categories), 1)
    bar_w = min(28.0, (group_w - 8) / max(len(series), 1))
    bars = []
    for s_index, (name, css, cells) in enumerate(series):
        for c_index, cell in enumerate(cells):
            value = cell.value or 0
            h = plot_h * value / top_value
            x = left + c_index * group_w + (group_w - bar_w * len(series)) / 2 + s_index * bar_w
            bars.append(Bar(round(x, 1), round(top + plot_h - h, 1), round(bar_w - 2, 1),
                            round(h, 1), css, f"{name} — {categories[c_index]} : {cell.display}",
                            link(cell.filters) if cell.filters else ""))
    labels = [(round(left + (i + 0.5) * group_w, 1), c) for i, c in enumerate(categories)]
    ticks = [(round(top + plot_h - plot_h * f, 1), _tick(top_value * f, unit))
             for f in (0, 0.5, 1)]
    return Chart(width, height, bars, labels, ticks, [(n, css) for n, css, _c in series])


def _tick(value: float, unit: str) -> str:
    text = f"{value:.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}".replace(".", ",")
    return f"{text}{' ' + unit if unit else ''}"


def charts(board: Dashboard, link: Any) -> dict[str, Chart]:
    total = board.volumes["total"]
    compliance = [r for r in board.compliance if r.priority]
    return {
        "volumes": bar_chart(total.columns, [
            (_("Ouverts"), "jalon-bar--a", total.rows[0][1]),
            (_("Clos"), "jalon-bar--b", total.rows[1][1])], link),
        "backlog": bar_chart([p.label for p in board.backlog], [
            (_("Tickets en stock"), "jalon-bar--a", [p.size for p in board.backlog])], link),
        "compliance": bar_chart([f"{r.label} · {r.priority}" for r in compliance], [
            (_("Dans les délais"), "jalon-bar--b", [r.share for r in compliance])], link,
            unit="%", maximum=100),
        "forfait": bar_chart([label for label, _c in board.forfait.per_bucket], [
            (_("Consommé"), "jalon-bar--a", [c for _l, c in board.forfait.per_bucket])], link,
            unit="j"),
    }


def figure_rows(board: Dashboard) -> list[tuple[str, str, str, str]]:
    """Every figure as (section, row, column, value), for the CSV and XLSX exports."""
    out: list[tuple[str, str, str, str]] = []
    for r in board.compliance:
        row = f"{r.label} · {r.priority or _('toutes priorités')}"
        for column, cell in ((_("arrêtés"), r.total), (_("dans les délais"), r.met),
                             (_("dépassés"), r.breached), (_("taux"), r.share),
                             (_("durée moyenne"), r.mean_hours)):
            out.append((_("Respect des délais"), row, str(column), cell.display))
    q = board.qualification
    for column, cell in ((_("ouverts"), q.opened), (_("qualifiés"), q.qualified),
                         (_("non qualifiés"), q.waiting), (_("délai moyen"), q.mean_hours),
                         (_("délai maximal"), q.max_hours)):
        out.append((_("Qualification"), _("niveau 1"), str(column), cell.display))
    for name, table in board.volumes.items():
        for row_label, cells in table.rows:
            for column, cell in zip(table.columns, cells, strict=True):
                out.append((_("Volumes") + f" ({name})", row_label, column, cell.display))
    for p in board.backlog:
        out.append((_("Backlog"), p.label, _("tickets"), p.size.display))
        out.append((_("Backlog"), p.label, _("âge moyen"), p.mean_age_days.display))
    r2 = board.reopening
    for column, cell in ((_("résolus"), r2.resolved), (_("rouverts"), r2.reopened),
                         (_("taux"), r2.rate)):
        out.append((_("Réouvertures"), "", str(column), cell.display))
    out.append((_("Tickets à risque"), "", _("maintenant"), board.at_risk.display))
    out.append((_("Tickets en dépassement"), "", _("maintenant"), board.breached.display))
    f = board.forfait
    for column, cell in ((_("consommé sur la période"), f.used_in_period),
                         (_("consommé sur l’année"), f.used_in_year),
                         (_("reste"), f.remaining)):
        out.append((_("Forfait"), "", str(column), cell.display))
    return out


def today() -> date:
    return timezone.localdate()
