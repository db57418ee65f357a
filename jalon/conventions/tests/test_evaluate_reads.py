"""``reads``: the days whose tickets a period's score reads."""

from __future__ import annotations

from datetime import date

from jalon.conventions.evaluate import reads
from jalon.conventions.loader import loads
from jalon.conventions.period import Period
from jalon.testing.cast import AQUAREEL_CONVENTION

YEARLY_MEASURE = """\
  - id: S9
    label: Satisfaction annuelle
    family: support
    kind: measure
    unit: "%"
    frequency: yearly
"""


def test_a_period_reads_its_own_days_when_no_ticket_indicator_is_yearly() -> None:
    convention = loads(AQUAREEL_CONVENTION + YEARLY_MEASURE, "aquareel.yaml")
    for text in ("2026-Q3", "2026-Q4", "2026-11"):
        assert reads(convention, Period.parse(text)) == Period.parse(text)


def test_a_yearly_indicator_of_tickets_reads_the_contract_year_in_its_last_quarter() -> None:
    yearly = YEARLY_MEASURE.replace("kind: measure", "kind: count").replace('unit: "%"', "unit: tickets")
    convention = loads(AQUAREEL_CONVENTION + yearly, "aquareel.yaml")
    year = convention.contract.contract_year().ending_in(Period.parse("2026-Q4"))
    assert year is not None
    assert reads(convention, Period.parse("2026-Q4")) == Period(year.first_day, date(2026, 12, 31))
    assert reads(convention, Period.parse("2026-Q3")) == Period.parse("2026-Q3")
