"""Scoring rules, as plain functions of numbers.

* *note sur 20* (seed 002 ch. 8): start from 20, subtract the table's deductions whatever the
  weight, cap at 20; family note = Σ note × weight / Σ weight; global note weighted by each
  family's share of the quarter's cost (L7089-7113).
* *points de pénalité* (seed 003 L1436): weight × every started step of the gap between the
  measure and the expected level.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from jalon.conventions.model import BonusBand, Deduction, NoteRule, PenaltyRule, Rounding

EPSILON = 1e-9
"""Percentages such as 88.0 arrive as 87.99999999; a step is started only beyond this."""


def steps(amount: float, unit: float, rounding: Rounding) -> float:
    """How many ``unit`` steps ``amount`` makes: every started one (ceil), whole ones, or exact."""
    if amount <= EPSILON:
        return 0.0
    ratio = amount / unit
    if rounding == "ceil":
        return float(math.ceil(ratio - EPSILON))
    if rounding == "floor":
        return float(math.floor(ratio + EPSILON))
    return ratio


def deduction_points(value: float, rule: Deduction) -> float:
    if rule.kind == "between":
        low_ok = value >= rule.low if rule.bounds[0] == "[" else value > rule.low
        high_ok = value <= rule.high if rule.bounds[1] == "]" else value < rule.high
        return rule.points if low_ok and high_ok else 0.0
    gap = rule.threshold - value if rule.kind == "below" else value - rule.threshold
    if gap <= EPSILON:
        return 0.0
    return rule.base + rule.points * steps(gap, rule.unit, rule.rounding)


def note(value: float, rule: NoteRule) -> tuple[float, float]:
    """(note, points deducted) for one indicator value."""
    deducted = sum(deduction_points(value, d) for d in rule.deductions)
    return bounded(rule.initial - deducted, rule), deducted


def bounded(score: float, rule: NoteRule) -> float:
    score = min(score, rule.maximum)
    return score if rule.floor is None else max(score, rule.floor)


def weighted_note(notes: Sequence[tuple[float, float]]) -> float | None:
    """Σ note × weight / Σ weight over (note, weight) pairs; None when nothing was weighed."""
    total = sum(weight for _, weight in notes)
    if total <= 0:
        return None
    return sum(score * weight for score, weight in notes) / total


def global_note(families: Sequence[tuple[float | None, float]], divide_by: str = "sum_of_shares") -> float | None:
    """Families' (note, cost share in %) to the global note.

    ``hundred`` is the seed's literal formula (/100, L7105-7113); ``sum_of_shares`` divides by
    the shares of the families that have a note, so a quarter without one-off orders is not
    pulled towards 0.
    """
    scored = [(n, share) for n, share in families if n is not None]
    if not scored:
        return None
    divisor = 100.0 if divide_by == "hundred" else sum(share for _, share in scored)
    if divisor <= 0:
        return None
    return sum(n * share for n, share in scored) / divisor


def bonus_band(score: float, bands: Iterable[BonusBand]) -> BonusBand | None:
    return next((band for band in bands if score >= band.min_note - EPSILON), None)


def penalty_points(value: float, rule: PenaltyRule) -> tuple[float, float]:
    """(points, started steps) for a period-level measure against ``rule.expected``."""
    assert rule.expected is not None
    gap = rule.expected - value if rule.direction == "at_least" else value - rule.expected
    count = steps(gap, rule.step, rule.rounding)
    return rule.weight * count, count


def item_penalty_points(gaps: npt.NDArray[np.float64], rule: PenaltyRule) -> tuple[float, float]:
    """(points, started steps) summed over items, each gap (e.g. a clock's overrun) on its own."""
    positive = gaps[gaps > EPSILON]
    if rule.rounding == "ceil":
        counts = np.ceil(positive / rule.step - EPSILON)
    elif rule.rounding == "floor":
        counts = np.floor(positive / rule.step + EPSILON)
    else:
        counts = positive / rule.step
    total = float(counts.sum())
    return rule.weight * total, total
