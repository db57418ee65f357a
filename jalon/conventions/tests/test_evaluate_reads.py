"""``reads``: the days whose tickets a period's score reads."""

from __future__ import annotations

from datetime import date

from jalon.conventions.evaluate import reads
from jalon.conventions.loader import load, loads
from jalon.conventions.period import Period
from jalon.conventions.tests.support import CONVENTIONS

AQUAREEL = CONVENTIONS / "aquareel-tma.yaml"
YEARLY_MEASURE = """    kind: measure
    unit: j
    aggregate: sum
    frequency: yearly
"""


def test_a_period_reads_its_own_days_when_only_measures_are_yearly() -> None:
    convention = load(AQUAREEL)
    assert any(i.frequency == "yearly" and i.kind == "measure" for i in convention.indicators)
    for text in ("2026-Q3", "2026-Q4", "2026-11"):
        assert reads(convention, Period.parse(text)) == Period.parse(text)


def test_a_yearly_indicator_of_tickets_reads_the_contract_year_in_its_last_quarter() -> None:
    text = AQUAREEL.read_text(encoding="utf-8")
    assert YEARLY_MEASURE in text
    convention = loads(text.replace(YEARLY_MEASURE, "    kind: count\n    frequency: yearly\n"), "aquareel.yaml")
    year = convention.contract.contract_year().ending_in(Period.parse("2026-Q4"))
    assert year is not None
    assert reads(convention, Period.parse("2026-Q4")) == Period(year.first_day, date(2026, 12, 31))
    assert reads(convention, Period.parse("2026-Q3")) == Period.parse("2026-Q3")
