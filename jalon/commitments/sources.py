"""What record apps give the layers above them without being imported by them.

Two registries, filled from each record app's ``ready()``:

- **Computed measures** — an indicator that the seeds compute from records other than tickets
  (an order's quote delay, a committee's minutes delay, an action's days late, the météo's send
  time) is no longer typed in: the record app registers a :class:`MeasureSource`, and the
  scorecard (``jalon/scorecards``) asks every source for the measures of a contract and period,
  with the evidence behind each value (rows that link to the record's page)::

      sources.register_measures(MeasureSource(
          name="orders", indicators=lambda convention: {"B1", "B2", "B3"},
          measures=orders_measures))

  ``indicators`` says which of the convention's indicator ids the source computes (so that the
  scorecard refuses a manual measure for them); ``measures(contract, indicators, period, now)``
  returns :class:`ComputedMeasure` rows (several per indicator when the indicator is per item:
  one per ordered work unit, per meeting…).

- **Calendar entries** — every dated thing a person may want in their calendar (a meeting, a
  deliverable due, an action's due date) that is not already a clock: the record app registers
  a function ``entries(user, contract, first, last) -> Iterable[CalendarEntry]``; the iCalendar
  feed adds the running clocks of every registered commitment by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from jalon.contracts.models import Contract
    from jalon.conventions.model import Convention
    from jalon.conventions.period import Period


@dataclass(frozen=True)
class Evidence:
    """One row behind a computed value: the record, what was measured, and its page."""

    record: str
    """The record's reference as people say it: ``BC-2026-014``, ``COPIL 2026-03-12``."""
    detail: str
    """What was measured, in French: ``devis remis 2 j ouvrés après la demande (cible 5 j)``."""
    url: str = ""
    """The record's page, as a path."""


@dataclass(frozen=True)
class ComputedMeasure:
    indicator: str
    period: Period
    value: float
    item: str = ""
    """The ordered item, for per-item indicators (work unit, order, meeting)."""
    comment: str = ""
    evidence: tuple[Evidence, ...] = field(default=())


@dataclass(frozen=True)
class MeasureSource:
    name: str
    indicators: Callable[[Convention], set[str]]
    measures: Callable[[Contract, set[str], Period, datetime], Iterable[ComputedMeasure]]


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    """Stable across feeds (``meeting-42-agenda@jalon``), so a client updates the event in place."""
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    url: str = ""
    description: str = ""


CalendarSource = Callable[["User", "Contract", datetime, datetime], Iterable[CalendarEntry]]

_measures: dict[str, MeasureSource] = {}
_calendars: dict[str, CalendarSource] = {}


def register_measures(source: MeasureSource) -> None:
    _measures[source.name] = source


def measure_sources() -> list[MeasureSource]:
    return list(_measures.values())


def register_calendar(name: str, source: CalendarSource) -> None:
    _calendars[name] = source


def calendar_sources() -> list[CalendarSource]:
    return list(_calendars.values())
