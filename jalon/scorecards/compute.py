"""A contract's period scored from the platform's database with the convention engine.

The tickets are read by ``jalon.tickets.export.tickets_to_ticketset`` (two queries) and scored
through the built-in ``jalon`` profile, as the live clocks read them; each window reads the
history known at its end (D-08). The measures are the manual ones of the platform
(:class:`~jalon.scorecards.models.ManualMeasure`) and those every registered
:class:`~jalon.commitments.sources.MeasureSource` computes from its records. A validated period
is read from its frozen figures, never recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from jalon.commitments.sources import ComputedMeasure, measure_sources
from jalon.contracts.models import Contract, ConventionVersion
from jalon.conventions import report
from jalon.conventions.evaluate import Scorecard, evaluate, reads
from jalon.conventions.measures import Measure
from jalon.conventions.model import Convention
from jalon.conventions.period import Period
from jalon.conventions.platform import PLATFORM_PROFILE
from jalon.scorecards.models import ManualMeasure, PeriodScorecard
from jalon.scorecards.workflow import Status
from jalon.tickets.export import tickets_to_ticketset
from jalon.tickets.models import Ticket


class NoConvention(Exception):
    """The contract has no convention version: nothing to score."""


@dataclass
class Live:
    """A period scored now: the engine's scorecard and what it read."""

    version: ConventionVersion
    convention: Convention
    card: Scorecard
    measures: list[Measure]
    sources: dict[tuple[str, str], str]
    """(indicator, item) → where the measure came from (the typed-in source, or the name of the
    registered source that computed it)."""
    computed: list[ComputedMeasure]
    """The measures the registered sources computed, with the evidence behind each."""


def overlaps(a: Period, b: Period) -> bool:
    return a.first_day <= b.last_day and b.first_day <= a.last_day


def platform_measures(contract: Contract, convention: Convention, period: Period,
                      now: datetime) -> tuple[list[Measure], dict[tuple[str, str], str], list[ComputedMeasure]]:
    """The manual measures of periods overlapping ``period``, then the computed ones."""
    measures: list[Measure] = []
    sources: dict[tuple[str, str], str] = {}
    computed: list[ComputedMeasure] = []
    for row in ManualMeasure.objects.filter(contract=contract).order_by("indicator", "period", "item", "pk"):
        measured = Period.parse(row.period)
        if overlaps(measured, period):
            measures.append(Measure(row.indicator, measured, row.value, row.item, row.comment,
                                    f"measure:{row.pk}"))
            sources[(row.indicator, row.item)] = row.source
    ids = {i.id for i in convention.indicators}
    for source in measure_sources():
        wanted = source.indicators(convention) & ids
        if not wanted:
            continue
        for m in source.measures(contract, wanted, period, now):
            measures.append(Measure(m.indicator, m.period, m.value, m.item, m.comment, f"source:{source.name}"))
            sources[(m.indicator, m.item)] = source.name
            computed.append(m)
    return measures, sources, computed


def score(contract: Contract, period: Period, now: datetime) -> Live:
    """Score ``period`` of ``contract`` from the database as of ``now``."""
    version = contract.current_convention()
    if version is None:
        raise NoConvention(contract.slug)
    convention = version.parsed()
    start, end = reads(convention, period).datetime_bounds(convention.contract.tz)
    # a ticket opened after the period, or closed (cancelled) before its earliest window and not
    # reopened since, weighs on none of its figures; the events are all those known now
    inputs = (Ticket.objects.filter(contract=contract, opened_at__lt=end)
              .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start)))
    tickets = tickets_to_ticketset(inputs, source=PLATFORM_PROFILE)
    measures, sources, computed = platform_measures(contract, convention, period, now)
    card = evaluate(convention, tickets, measures, period, PLATFORM_PROFILE)
    return Live(version, convention, card, measures, sources, computed)


def figures(card: Scorecard) -> dict[str, Any]:
    """The scorecard's figures as the file-to-file command writes them (JSON types only)."""
    import json

    data: dict[str, Any] = json.loads(json.dumps(report.scorecard_dict(card)))
    return data


def scoring_periods(contract: Contract, today: date) -> list[Period]:
    """The scored periods of the contract (quarters, or months: ``JALON_SCORECARD_PERIOD``,
    D-60) from its start (the platform's, else the convention's, else the first ticket) to the
    current one, most recent first, with any other period a scorecard was stored for."""
    version = contract.current_convention()
    convention = version.parsed() if version else None
    start = contract.starts_on or (convention.contract.starts if convention else None)
    if start is None:
        first = (Ticket.objects.filter(contract=contract).order_by("opened_at")
                 .values_list("opened_at", flat=True).first())
        start = first.date() if first else today
    start = max(start, date(today.year - 10, 1, 1))
    months = 1 if settings.JALON_SCORECARD_PERIOD == "month" else 3

    def holding(day: date) -> Period:
        return Period.of_months(day.year, (day.month - 1) // months * months + 1, months)

    periods = []
    current, period = holding(today), holding(start)
    while period.first_day <= current.first_day:
        periods.append(period)
        period = holding(date.fromordinal(period.last_day.toordinal() + 1))
    stored = {Period.parse(p) for p in PeriodScorecard.objects.filter(contract=contract)
              .values_list("period", flat=True)}
    return sorted(set(periods) | stored, key=lambda p: (p.first_day, p.last_day), reverse=True)


def archive_url(card: PeriodScorecard) -> str:
    return reverse("scorecard-archive", args=[card.contract.slug, card.period, card.version])


def document(contract: Contract, period: Period, now: datetime) -> dict[str, Any]:
    """The JSON of ``jalon scorecard --contract`` and of ``GET …/scorecards/{period}``: the
    engine's figures (frozen ones once validated, else computed now) and the workflow's state."""
    stored = PeriodScorecard.current(contract, period)
    frozen = (stored if stored is not None and stored.frozen else
              PeriodScorecard.objects.filter(contract=contract, period=str(period), status=Status.VALIDATED)
              .defer("archive", "figures", "shown").order_by("-version").first())
    if stored is not None and stored.frozen:
        data = dict(stored.figures or {})
    else:
        data = figures(score(contract, period, now).card)
    data["status"] = stored.status if stored is not None else Status.DRAFT
    data["version"] = stored.version if stored is not None else 1
    data["validated_at"] = frozen.validated_at.isoformat() if frozen and frozen.validated_at else None
    data["archive_url"] = archive_url(frozen) if frozen is not None else None
    if stored is not None and stored.reason:
        data["correction_reason"] = stored.reason
    return data
