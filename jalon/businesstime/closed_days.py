"""Days closed all day: public holidays (from the ``holidays`` package) and closure dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays as holidays_package

from jalon.businesstime.errors import CalendarError

# The package names Alsace "6AE"; people write the départements' numbers.
SUBDIVISION_ALIASES = {("FR", "67"): "6AE", ("FR", "68"): "6AE"}


def check_holiday_code(code: str, field: str = "holidays") -> str:
    """Normalise ``none``, ``FR`` or ``FR-57``; raise CalendarError naming what is unknown."""
    code = code.strip()
    if code.lower() in {"", "none"}:
        return "none"
    country, _, subdivision = code.partition("-")
    country = country.upper()
    if country not in _supported_countries():
        raise CalendarError(field, f"unknown holiday code {code!r} (expected none, FR or FR-57)")
    if subdivision:
        subdivision = SUBDIVISION_ALIASES.get((country, subdivision), subdivision)
        known = _subdivisions(country)
        if subdivision not in known:
            raise CalendarError(
                field,
                f"unknown subdivision {code!r} for {country} (known: {', '.join(sorted(known))})",
            )
        return f"{country}-{subdivision}"
    return country


@lru_cache(maxsize=64)
def public_holidays(code: str, first_year: int, last_year: int) -> frozenset[date]:
    """Public holidays of ``code`` (as returned by :func:`check_holiday_code`) for the years."""
    if code == "none":
        return frozenset()
    country, _, subdivision = code.partition("-")
    years = range(first_year, last_year + 1)
    days = holidays_package.country_holidays(country, subdiv=subdivision or None, years=years)
    return frozenset(days.keys())


def parse_closures(values: Iterable[str | date], field: str = "closures") -> frozenset[date]:
    closures = set()
    for value in values:
        if isinstance(value, date):
            closures.add(value)
            continue
        text = value.strip()
        if not text:
            continue
        try:
            closures.add(date.fromisoformat(text))
        except ValueError:
            raise CalendarError(field, f"{text!r} is not a date (expected YYYY-MM-DD)") from None
    return frozenset(closures)


@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays_package.list_supported_countries())


@lru_cache(maxsize=16)
def _subdivisions(country: str) -> frozenset[str]:
    cls = holidays_package.country_holidays(country).__class__
    return frozenset(cls.subdivisions)
