"""The dashboard page: the period asked for, and :mod:`jalon.dashboard.figures` laid out as cells
that link to the ticket list, charts and export rows.

Nothing is counted here: every number comes from :func:`jalon.dashboard.figures.dashboard`.
What this module adds is presentation — French display, bucket labels, and for each cell the
list filters (:mod:`jalon.web.tickets.listing`) that select the tickets behind it, which follow the
definitions written at the top of :mod:`jalon.dashboard.figures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.conventions.period import Period, PeriodError
from jalon.dashboard import figures
from jalon.tickets.models import Criticality, Proposal, TicketState
from jalon.web.rules import Rules

Filters = dict[str, Any]


def parse_period(params: Any, today: date) -> tuple[Period, str, list[str]]:
    """The period asked for (``period=month&month=2026-05``, ``period=quarter&quarter=2026-T2``,
    ``period=custom&from=…&to=…``) and its kind; the current month by default. Errors are
    returned in words."""
    kind = params.get("period") or "month"
    errors: list[str] = []
    if kind not in ("month", "quarter", "custom"):
        errors.append(_("Période inconnue : « %(p)s » (attendu : month, quarter ou custom).") % {"p": kind[:40]})
        kind = "month"
    if kind == "quarter":
        match = re.fullmatch(r"(\d{4})-[TQ]([1-4])", params.get("quarter") or "")
        if match:
            return Period.parse(f"{match[1]}-Q{match[2]}"), kind, errors
        if params.get("quarter"):
            errors.append(_("Trimestre attendu au format AAAA-T1 à AAAA-T4."))
        return Period.quarter_of(today), kind, errors
    if kind == "custom":
        try:
            period = Period.parse(f"{params.get('from') or ''}..{params.get('to') or ''}")
        except PeriodError:
            errors.append(_("Indiquez les dates de début et de fin de la période (la fin suit "
                            "le début)."))
        else:
            if period.days <= 3 * 366 + 1:
                return period, kind, errors
            errors.append(_("La période couvre trois ans au plus."))
    match = re.fullmatch(r"(\d{4})-(\d{2})", params.get("month") or "")
    if match and 1 <= int(match[2]) <= 12:
        return Period.parse(match[0]), "month", errors
    if params.get("month"):
        errors.append(_("Mois attendu au format AAAA-MM."))
    return Period.parse(f"{today:%Y-%m}"), "month", errors


@dataclass(frozen=True)
class Cell:
    value: float | None
    filters: Filters | None = None
    unit: str = ""

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.unit == "%":
            return f"{self.value:.1f} %".replace(".", ",")
        if isinstance(self.value, float) and not self.value.is_integer():
            return f"{self.value:.1f}".replace(".", ",") + (f" {self.unit}" if self.unit else "")
        return f"{int(self.value)}" + (f" {self.unit}" if self.unit else "")


@dataclass(frozen=True)
class ComplianceRow:
    clock: str
    label: str
    priority: str | None
    total: Cell
    met: Cell
    breached: Cell
    share: Cell
    mean_hours: Cell
    target_hours: float | None


@dataclass(frozen=True)
class Qualification:
    qualified: Cell
    mean_hours: Cell
    median_hours: Cell
    max_hours: Cell


@dataclass
class Table:
    """Rows × columns of cells, with a heading per row and per column."""

    columns: list[str]
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)


@dataclass(frozen=True)
class BacklogPoint:
    label: str
    size: Cell
    mean_age_days: Cell


@dataclass(frozen=True)
class Reopening:
    resolved: Cell
    reopened: Cell
    rate: Cell


@dataclass(frozen=True)
class ForfaitPanel:
    """The support-package panel: :class:`jalon.dashboard.figures.ForfaitUse` as linked cells."""

    use: figures.ForfaitUse
    used_in_period: Cell
    used_in_year: Cell
    remaining: Cell
    per_bucket: list[tuple[str, Cell]]

    @property
    def unit(self) -> str:
        """``j`` (days of the convention's forfait) or ``h`` when the convention has none."""
        return self.use.unit

    @property
    def allowance(self) -> Cell:
        return Cell(self.use.allowance_days, unit="j")

    @property
    def share_percent(self) -> float | None:
        share = self.use.share_used
        return None if share is None else 100 * share

    @property
    def warn_percent(self) -> float | None:
        ratio = self.use.warn_ratio
        return None if ratio is None else 100 * ratio


@dataclass(frozen=True)
class DiagnosisPanel:
    """The holder's diagnoses (:class:`jalon.dashboard.figures.Diagnoses`) as linked cells."""

    label: str
    due: Cell
    delivered: Cell
    on_time: Cell
    late: Cell
    untimed: int
    proposals: list[tuple[str, Cell]]


@dataclass(frozen=True)
class Board:
    period: Period
    kind: str
    """``month``, ``quarter`` or ``custom``: what the period form shows."""
    compliance: list[ComplianceRow]
    qualification: Qualification
    volumes: dict[str, Table]
    backlog: list[BacklogPoint]
    reopening: Reopening
    at_risk: Cell
    overdue: Cell
    forfait: ForfaitPanel
    diagnoses: DiagnosisPanel | None = None


def board_of(d: figures.Dashboard, rules: Rules, kind: str) -> Board:
    labels = [bucket_label(d.period, b) for b in d.buckets]
    return Board(
        period=d.period, kind=kind, compliance=compliance(d),
        qualification=qualification(d.qualification_delay, d.period),
        volumes=volumes(d, labels, rules),
        backlog=[BacklogPoint(label, Cell(p.count, {"open_on": p.last_day}),
                              Cell(_round(p.mean_age_days), {"open_on": p.last_day}, "j"))
                 for label, p in zip(labels, d.backlog.series, strict=True)],
        reopening=reopening(d.reopen_rate, d.period),
        at_risk=Cell(d.risk.at_risk, {"at_risk": True}),
        overdue=Cell(d.risk.overdue, {"overdue": True}),
        forfait=forfait(d, labels),
        diagnoses=diagnoses(d.diagnoses, d.period),
    )


def bucket_label(period: Period, bucket: Period) -> str:
    """Weeks as ``04/05–10/05``, months as ``05/2026`` (see :meth:`Period.buckets`)."""
    if period.in_weeks:
        return f"{bucket.first_day:%d/%m}–{bucket.last_day:%d/%m}"
    return f"{bucket.first_day:%m/%Y}"


def _span(prefix: str, period: Period) -> Filters:
    return {f"{prefix}_from": period.first_day, f"{prefix}_to": period.last_day}


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def compliance(d: figures.Dashboard) -> list[ComplianceRow]:
    """Each clock's rows by priority, then its row for all priorities."""
    rows = []
    for total in figures.clock_totals(d.delay_compliance):
        for r in [*(r for r in d.delay_compliance if r.clock == total.clock), total]:
            base: Filters = {"clock": r.clock, **_span("clock", d.period)}
            if r.priority is not None:
                base["priority"] = r.priority
            rows.append(ComplianceRow(
                clock=r.clock, label=r.label, priority=r.priority, total=Cell(r.stopped, base),
                met=Cell(r.on_time, {**base, "outcome": "met"}),
                breached=Cell(r.late, {**base, "outcome": "breached"}),
                share=Cell(r.on_time_percent, base, "%"),
                mean_hours=Cell(_hours(r.mean_elapsed_seconds), base, "h"),
                target_hours=None if r.target_seconds is None else r.target_seconds / 3600))
    return rows


def qualification(q: figures.QualificationDelay, period: Period) -> Qualification:
    base = _span("qualified", period)
    return Qualification(Cell(q.count, base), Cell(_hours(q.mean_seconds), base, "h"),
                         Cell(_hours(q.median_seconds), base, "h"),
                         Cell(_hours(q.max_seconds), base, "h"))


def volumes(d: figures.Dashboard, labels: list[str], rules: Rules) -> dict[str, Table]:
    """Opened and closed per bucket: in all, by type and by criticality."""
    criticalities = {**{k: str(v) for k, v in Criticality.choices}, "": _("Non renseignée")}
    tables = {"total": Table(labels)}
    for which in ("opened", "closed"):
        def counts(v: figures.Volume, which: str = which) -> tuple[int, ...]:
            return v.opened_by_bucket if which == "opened" else v.closed_by_bucket

        tables["total"].rows.append((which, _cells(
            [sum(counts(v)[i] for v in d.volumes) for i in range(len(labels))], d, which, {})))
        for dimension, label_of in (("type", rules.type_label),
                                    ("criticality", criticalities.__getitem__)):
            table = tables[f"{which}_{dimension}"] = Table(labels)
            for key in dict.fromkeys(getattr(v, dimension) for v in d.volumes):
                sums = [sum(counts(v)[i] for v in d.volumes if getattr(v, dimension) == key)
                        for i in range(len(labels))]
                if any(sums):
                    table.rows.append((label_of(key), _cells(sums, d, which,
                                                             {dimension: key or "none"})))
    return tables


def _cells(values: list[int], d: figures.Dashboard, which: str, extra: Filters) -> list[Cell]:
    return [Cell(n, {**_span(which, b), **extra}) for n, b in zip(values, d.buckets, strict=True)]


def diagnoses(g: figures.Diagnoses | None, period: Period) -> DiagnosisPanel | None:
    """Due now (taken in charge, the diagnosis clock running), then delivered in the period, on
    time or late, and by proposal: each linked to the tickets behind it."""
    if g is None:
        return None
    delivered: Filters = _span("diagnosed", period)
    timed: Filters = {**delivered, "clock": g.clock}
    names = dict(Proposal.choices)
    return DiagnosisPanel(
        label=g.label,
        due=Cell(g.due, {"state": TicketState.IN_PROGRESS.value, "clock": g.clock}),
        delivered=Cell(g.delivered, delivered),
        on_time=Cell(g.on_time, {**timed, "outcome": "met"}),
        late=Cell(g.late, {**timed, "outcome": "breached"}),
        untimed=g.untimed,
        proposals=[(str(names.get(p, p)), Cell(n, {**delivered, "proposal": p}))
                   for p, n in g.proposals])


def reopening(r: figures.ReopenRate, period: Period) -> Reopening:
    resolved = _span("resolved", period)
    reopened = {**resolved, **_span("reopened", period)}
    return Reopening(Cell(r.resolved, resolved), Cell(r.reopened, reopened),
                     Cell(r.percent, reopened, "%"))


def forfait(d: figures.Dashboard, labels: list[str]) -> ForfaitPanel:
    f = d.forfait
    year = {"forfait_from": f.year_first_day, "forfait_to": d.period.last_day}
    return ForfaitPanel(
        use=f,
        used_in_period=Cell(f.amount(f.minutes), _span("forfait", d.period), f.unit),
        used_in_year=Cell(f.amount(f.year_minutes), year, f.unit),
        remaining=Cell(_round(f.remaining_days, 2), year, f.unit),
        per_bucket=[(label, Cell(f.amount(m), _span("forfait", b), f.unit))
                    for label, m, b in zip(labels, f.minutes_by_bucket, d.buckets, strict=True)],
    )


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


def charts(board: Board, link: Any) -> dict[str, Chart]:
    total = board.volumes["total"]
    compliance = [r for r in board.compliance if r.priority is not None]
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
            unit=board.forfait.unit),
    }


FigureRow = tuple[str, str, str, float | None, str]


def figure_rows(board: Board) -> list[FigureRow]:
    """Every figure as (section, row, column, value, unit), for the CSV and XLSX exports: the
    value a number (empty when not computed), its unit in a column of its own."""
    out: list[FigureRow] = []
    for r in board.compliance:
        row = f"{r.label} · {r.priority if r.priority is not None else _('toutes priorités')}"
        for column, cell in ((_("arrêtés"), r.total), (_("dans les délais"), r.met),
                             (_("dépassés"), r.breached), (_("taux"), r.share),
                             (_("durée moyenne"), r.mean_hours)):
            out.append((_("Respect des délais"), row, str(column), *_number(cell)))
    q = board.qualification
    for column, cell in ((_("qualifiés"), q.qualified), (_("délai moyen"), q.mean_hours),
                         (_("délai médian"), q.median_hours), (_("délai maximal"), q.max_hours)):
        out.append((_("Qualification"), _("niveau 1"), str(column), *_number(cell)))
    for name, table in board.volumes.items():
        for row_label, cells in table.rows:
            for column, cell in zip(table.columns, cells, strict=True):
                out.append((_("Volumes") + f" ({name})", row_label, column, *_number(cell)))
    for p in board.backlog:
        out.append((_("Backlog"), p.label, _("tickets"), *_number(p.size)))
        out.append((_("Backlog"), p.label, _("âge moyen"), *_number(p.mean_age_days)))
    r2 = board.reopening
    for column, cell in ((_("résolus"), r2.resolved), (_("rouverts"), r2.reopened),
                         (_("taux"), r2.rate)):
        out.append((_("Réouvertures"), "", str(column), *_number(cell)))
    g = board.diagnoses
    if g is not None:
        out.append((_("Diagnostics"), g.label, _("dus maintenant"), *_number(g.due)))
        for column, cell in ((_("rendus"), g.delivered), (_("dans les délais"), g.on_time),
                             (_("dépassés"), g.late)):
            out.append((_("Diagnostics"), g.label, str(column), *_number(cell)))
        for name, cell in g.proposals:
            out.append((_("Diagnostics"), _("proposition"), name, *_number(cell)))
    out.append((_("Tickets à risque"), "", _("maintenant"), *_number(board.at_risk)))
    out.append((_("Tickets en dépassement"), "", _("maintenant"), *_number(board.overdue)))
    f = board.forfait
    for column, cell in ((_("consommé sur la période"), f.used_in_period),
                         (_("consommé sur l’année"), f.used_in_year),
                         (_("reste"), f.remaining)):
        out.append((_("Forfait"), "", str(column), *_number(cell)))
    return out


def _number(cell: Cell) -> tuple[float | None, str]:
    """A cell's value as a number and its unit, for a spreadsheet."""
    if cell.value is None:
        return None, cell.unit
    value = round(cell.value, 2) if isinstance(cell.value, float) else cell.value
    return value, cell.unit


def today() -> date:
    return timezone.localdate()
