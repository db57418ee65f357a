"""The support package's terms do its arithmetic: days used, remaining, share, warning."""

from __future__ import annotations

from jalon.conventions.model import Forfait

AQUAREEL = Forfait(days_per_year=15, day_minutes=600, warn_ratio=0.8)


def test_minutes_are_counted_in_days_of_the_package():
    assert AQUAREEL.days(1500) == 2.5
    assert (AQUAREEL.remaining_days(1500), AQUAREEL.share_used(1500)) == (12.5, 2.5 / 15)


def test_the_buyer_is_warned_from_the_warning_share_on():
    assert not AQUAREEL.warns(11 * 600)
    assert AQUAREEL.warns(12 * 600)  # 12 of 15 days: exactly 80 %
    assert AQUAREEL.remaining_days(16 * 600) == -1


def test_without_a_days_length_nothing_is_counted_in_days():
    terms = Forfait(days_per_year=15, day_minutes=0, warn_ratio=0.8)
    assert (terms.days(600), terms.remaining_days(600), terms.share_used(600)) == (None, None, None)
    assert not terms.warns(10**6)
