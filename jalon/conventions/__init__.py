"""The convention de service as code: load a convention file, rebuild clocks from a ticket
export, compute indicators and score a period (pure Python + numpy; no Django, no clock reads).

    convention = load("conventions/lade-tmes.yaml")
    scorecard = evaluate(convention, tickets, measures, Period.parse("2026-Q1"), "servicenow")
"""

from __future__ import annotations

from jalon.conventions.errors import ConventionError, InputError
from jalon.conventions.evaluate import FamilyResult, IndicatorResult, Scorecard, evaluate
from jalon.conventions.loader import convention_hash, load, loads
from jalon.conventions.measures import Measure, check_measures, load_measures
from jalon.conventions.model import Convention
from jalon.conventions.period import ContractYear, Period, PeriodError

__all__ = [
    "ContractYear",
    "Convention",
    "ConventionError",
    "FamilyResult",
    "IndicatorResult",
    "InputError",
    "Measure",
    "Period",
    "PeriodError",
    "Scorecard",
    "check_measures",
    "convention_hash",
    "evaluate",
    "load",
    "load_measures",
    "loads",
]
