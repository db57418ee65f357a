"""Committees and the météo in the convention file: defaults, checks, the shipped seeds."""

from __future__ import annotations

import pytest

from jalon.conventions import ConventionError, load, loads
from jalon.conventions.tests.support import CONVENTIONS
from jalon.conventions.tests.test_loader import MINIMAL

COMMITTEES = MINIMAL + """\
committees:
  - {id: copil, label: COPIL, frequency: monthly, calendar: ho, duration: 2h, members: [buyer_manager],
     agenda_days_before: 5, minutes_days: 5, tacit_days: 10, escalates_to: costrat}
  - {id: costrat, frequency: yearly}
meteo: {send_at: "07:30", indicator: I1}
"""


def test_committee_fields_and_defaults():
    convention = loads(COMMITTEES, "c.yaml")
    copil = convention.committee("copil")
    assert copil is not None
    assert (copil.frequency, copil.duration_minutes, copil.members) == ("monthly", 120, ("buyer_manager",))
    assert (copil.agenda_days_before, copil.minutes_days, copil.tacit_days) == (5, 5, 10)
    assert copil.escalates_to == "costrat"
    costrat = convention.committee("costrat")
    assert costrat is not None
    assert (costrat.kind, costrat.calendar, costrat.duration_minutes, costrat.tacit_days) == ("costrat", "ho", 60, None)
    assert convention.meteo is not None
    assert (convention.meteo.send_at, convention.meteo.deadline, convention.meteo.indicator) == ("07:30", "08:00", "I1")


@pytest.mark.parametrize(("change", "into", "where"), [
    ("members: [buyer_manager]", "members: [chef]", "committees[0].members[0]: 'chef'"),
    ("escalates_to: costrat", "escalates_to: nowhere", "committees[0].escalates_to: 'nowhere'"),
    ("calendar: ho, duration", "calendar: nuit, duration", "committees[0].calendar: 'nuit'"),
    ("indicator: I1", "indicator: Z9", "meteo.indicator: 'Z9'"),
])
def test_bad_committee_values_are_located(change: str, into: str, where: str):
    with pytest.raises(ConventionError) as caught:
        loads(COMMITTEES.replace(change, into), "bad.yaml")
    (error,) = caught.value.errors
    assert error.startswith("bad.yaml:2")
    assert where in error


def test_unknown_frequency_is_refused():
    with pytest.raises(ConventionError) as caught:
        loads(COMMITTEES.replace("frequency: yearly", "frequency: sometimes"), "bad.yaml")
    assert "committees[1].frequency" in caught.value.errors[0]


def test_shipped_committees_follow_the_seeds():
    aquareel = load(CONVENTIONS / "aquareel-tma.yaml")
    assert [c.id for c in aquareel.committees] == ["suivi_hebdo", "copil", "revue_annuelle"]
    assert {c.minutes_days for c in aquareel.committees} == {5}
    lade = load(CONVENTIONS / "lade-tmes.yaml")
    assert {c.id for c in lade.committees} == {"costrat", "copil", "cosui", "cab", "problemes", "cotech"}
    copil = lade.committee("copil")
    assert copil is not None
    assert (copil.agenda_days_before, copil.minutes_days, copil.tacit_days) == (5, 5, 10)
    chain, step = [], lade.committee("cab")
    while step is not None:
        chain.append(step.id)
        step = lade.committee(step.escalates_to) if step.escalates_to else None
    assert chain == ["cab", "cosui", "copil", "costrat"]  # 002 L1805-1813
    assert lade.meteo is not None
    assert lade.meteo.indicator == "P3"
    cd13 = load(CONVENTIONS / "cd13-callipso.yaml")
    assert cd13.action_indicators == {"quality": "R05", "security": "R07"}
    assert cd13.finding_indicators == {"quality": "R06", "security": "R08"}
    assert {c.id: c.frequency for c in cd13.committees} == {
        "costra": "on_demand", "copil": "half_yearly", "cosui": "weekly", "cyber": "bimonthly"}
