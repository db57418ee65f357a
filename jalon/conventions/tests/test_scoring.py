from __future__ import annotations

import numpy as np
import pytest

from jalon.conventions import scoring
from jalon.conventions.model import BonusBand, Deduction, NoteRule, PenaltyRule


def test_it_counts_every_started_step():
    assert scoring.steps(105, 30, "ceil") == 4
    assert scoring.steps(90, 30, "ceil") == 3
    assert scoring.steps(0, 30, "ceil") == 0
    assert scoring.steps(15, 10, "floor") == 1
    assert scoring.steps(15, 10, "exact") == 1.5


def test_seed_003_example_1_gives_8_points():
    # expected 1 h, step 30 min, weight 2, measured 2h45 -> 4 steps -> 8 points (L1438)
    rule = PenaltyRule(weight=2, step=30, expected=60, direction="at_most", per_item=False)
    assert scoring.penalty_points(165, rule) == (8, 4)


def test_seed_003_example_2_gives_6_points():
    # expected 90 % < GTR, step 1 %, weight 3, measured 88 % -> 6 points (L1439)
    rule = PenaltyRule(weight=3, step=1, expected=90, direction="at_least", per_item=False)
    assert scoring.penalty_points(88.0, rule) == (6, 2)
    assert scoring.penalty_points(100 * 22 / 25, rule) == (6, 2)  # 87.99999… is still 2 steps


def test_no_penalty_when_the_level_is_reached():
    rule = PenaltyRule(weight=3, step=1, expected=90, direction="at_least", per_item=False)
    assert scoring.penalty_points(90.0, rule) == (0, 0)
    assert scoring.penalty_points(97.5, rule) == (0, 0)


def test_item_penalties_count_steps_per_item():
    rule = PenaltyRule(weight=2, step=3600, expected=None, direction="at_most", per_item=True)
    gaps = np.array([1.0, 3600.0, 3601.0, 0.0])
    assert scoring.item_penalty_points(gaps, rule) == (2 * (1 + 1 + 2), 4)


def s1_rule() -> NoteRule:
    return NoteRule(
        deductions=(
            Deduction("between", 2, low=85, high=92, bounds="[)"),
            Deduction("below", 1, threshold=85, unit=1, base=2),
        ),
        floor=0,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(93.0, 20), (92.0, 20), (91.9, 18), (85.0, 18), (84.5, 17), (84.0, 17), (80.0, 13), (0.0, 0)],
)
def test_note_deducts_band_then_each_started_percent(value, expected):
    note, _ = scoring.note(value, s1_rule())
    assert note == expected


def test_note_is_capped_at_the_maximum_and_may_have_no_floor():
    rule = NoteRule(deductions=(Deduction("above", 5, threshold=4, unit=1),), floor=None)
    assert scoring.note(2.0, rule) == (20, 0)
    assert scoring.note(9.5, rule) == (-10, 30)  # 6 started hours x 5 points, no floor


def test_between_bounds_are_honoured():
    closed = Deduction("between", 4, low=50, high=70, bounds="[]")
    open_low = Deduction("between", 4, low=3, high=7, bounds="(]")
    assert scoring.deduction_points(50, closed) == 4
    assert scoring.deduction_points(70, closed) == 4
    assert scoring.deduction_points(3, open_low) == 0
    assert scoring.deduction_points(7, open_low) == 4


def test_backlog_counts_a_started_lot_of_ten():
    rule = NoteRule(
        deductions=(Deduction("between", 4, low=50, high=70), Deduction("above", 1, threshold=70, unit=10, base=4))
    )
    assert scoring.note(71, rule)[0] == 15
    assert scoring.note(80, rule)[0] == 15
    assert scoring.note(81, rule)[0] == 14


def test_family_note_is_the_weighted_mean():
    assert scoring.weighted_note([(20, 2), (14, 1)]) == 18
    assert scoring.weighted_note([]) is None


def test_seed_002_global_note_is_16_50():
    # Pilotage 10 % 16/20, TMS 40 % 16,5/20, TME 40 % 17/20, Ponctuel 10 % 15/20 (L7089-7101)
    families = [(16.0, 10.0), (16.5, 40.0), (17.0, 40.0), (15.0, 10.0)]
    assert scoring.global_note(families, "hundred") == pytest.approx(16.50)
    assert scoring.global_note(families, "sum_of_shares") == pytest.approx(16.50)


def test_global_note_without_a_family_divides_by_the_shares_present():
    families = [(16.0, 10.0), (16.5, 40.0), (17.0, 40.0), (None, 10.0)]
    assert scoring.global_note(families, "sum_of_shares") == pytest.approx(15000 / 900)
    assert scoring.global_note(families, "hundred") == pytest.approx(15.0)


def test_bonus_band_is_the_highest_reached():
    bands = (BonusBand(16, "bonus", 2, "prime"), BonusBand(12, "neutral", None, ""), BonusBand(0, "malus", 2, "malus"))
    assert scoring.bonus_band(16.5, bands).outcome == "bonus"
    assert scoring.bonus_band(16.0, bands).outcome == "bonus"
    assert scoring.bonus_band(13, bands).outcome == "neutral"
    assert scoring.bonus_band(3, bands).outcome == "malus"
