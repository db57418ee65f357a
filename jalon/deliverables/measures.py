"""The indicators the convention computes from deliverables (``deliverables.measures``).

- ``days_late`` — per deliverable due in the period: calendar days between its due date and its
  first version (today for one still missing and past due); 0 on time (CD13 R01, "jours après
  la date attendue", seeds/003…txt:L1444-1452);
- ``late_count`` — the deliverables due in the period remitted late or still missing past due;
- ``rejections`` — versions rejected in the period (LADE B3 "ajournements", D-97);
- ``reservations`` — acceptances with reservations in the period;
- ``on_time_share`` — the share (%) of deliverables due in the period remitted by their due
  date (AQUAREEL A9, audit reports within 3 weeks, 000 L310).

A deliverable due in the period and not yet due counts nowhere (nothing is late yet). Every value
carries its evidence: the deliverables, with their page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.urls import reverse

from jalon.commitments import sources
from jalon.commitments.sources import ComputedMeasure, Evidence, MeasureSource
from jalon.deliverables.events import EventKind
from jalon.deliverables.models import Deliverable, DeliverableEvent, local_day

if TYPE_CHECKING:
    from jalon.contracts.models import Contract
    from jalon.conventions.model import Convention, DeliverableMeasure
    from jalon.conventions.period import Period


def indicators(convention: Convention) -> set[str]:
    terms = convention.deliverables
    return {m.indicator for m in terms.measures} if terms else set()


def _url(d: Deliverable) -> str:
    return reverse("deliverable", args=[d.contract.slug, d.pk])


def _first_version_day(d: Deliverable) -> date | None:
    first = d.submissions.order_by("version").first()
    return local_day(first.submitted_at, d.zone) if first else None


def _lateness(d: Deliverable, today: date) -> int | None:
    """Days late (0 on time), None when not yet due and not remitted."""
    remitted = _first_version_day(d)
    if remitted is None:
        return (today - d.due_on).days if today > d.due_on else None
    return max(0, (remitted - d.due_on).days)


def measures(contract: Contract, wanted: set[str], period: Period, now: datetime
             ) -> Iterable[ComputedMeasure]:
    version = contract.current_convention()
    terms = version.parsed().deliverables if version else None
    if terms is None:
        return []
    zone = version.parsed().calendars[terms.calendar].tz if version else "UTC"
    found: list[ComputedMeasure] = []
    for rule in terms.measures:
        if rule.indicator in wanted:
            found.extend(_measure(contract, rule, period, now, zone))
    return found


def _measure(contract: Contract, rule: DeliverableMeasure, period: Period, now: datetime,
             zone: str) -> list[ComputedMeasure]:
    rows = Deliverable.objects.filter(contract=contract).select_related("contract", "convention_version")
    if rule.types:
        rows = rows.filter(type__in=rule.types)
    if rule.measure in ("rejections", "reservations"):
        kind = EventKind.REJECTED if rule.measure == "rejections" else EventKind.RESERVED
        first, last = period.datetime_bounds(zone)
        decided = (DeliverableEvent.objects.filter(deliverable__in=rows, kind=kind, at__gte=first, at__lt=last)
                   .select_related("deliverable__contract").order_by("at"))
        evidence = tuple(Evidence(e.deliverable.reference, f"{e.get_kind_display()} v{e.payload.get('version')} "
                                  f"le {e.at:%Y-%m-%d}", _url(e.deliverable)) for e in decided)
        return [ComputedMeasure(rule.indicator, period, float(len(evidence)), evidence=evidence)]
    due = list(rows.filter(due_on__gte=period.first_day, due_on__lte=period.last_day).order_by("due_on", "pk"))
    judged = [(d, late) for d in due if (late := _lateness(d, local_day(now, d.zone))) is not None]
    if rule.measure == "days_late":
        return [ComputedMeasure(rule.indicator, period, float(late), item=d.reference,
                                evidence=(Evidence(d.reference, f"échéance {d.due_on}, {late} j de retard",
                                                   _url(d)),))
                for d, late in judged]
    evidence = tuple(Evidence(d.reference, f"échéance {d.due_on}, "
                              + (f"{late} j de retard" if late else "à l’heure"), _url(d))
                     for d, late in judged)
    late_count = sum(1 for _d, late in judged if late)
    if rule.measure == "late_count":
        return [ComputedMeasure(rule.indicator, period, float(late_count), evidence=evidence)]
    if not judged:
        return []  # no deliverable due yet: no share to give
    share = 100.0 * (len(judged) - late_count) / len(judged)
    return [ComputedMeasure(rule.indicator, period, round(share, 2), evidence=evidence)]


SOURCE = MeasureSource(name="deliverables", indicators=indicators, measures=measures)


def register() -> None:
    sources.register_measures(SOURCE)
