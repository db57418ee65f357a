"""What the pages need to know of a contract's convention: choices, labels, orders, forfait.

The parsed :class:`~jalon.conventions.model.Convention` keeps ids only for ticket types and
priorities' order; the labels written in the YAML file are read here once per version text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from jalon.businesstime import Calendar
from jalon.contracts.models import ConventionVersion
from jalon.conventions.calendars import build_calendar
from jalon.conventions.model import Convention

# A day of the support package when the convention gives no fixed business day.
DEFAULT_FORFAIT_DAY_MINUTES = 8 * 60


@dataclass(frozen=True)
class Rules:
    """One convention version, seen from the pages."""

    convention: Convention
    type_labels: dict[str, str]

    @property
    def types(self) -> list[tuple[str, str]]:
        return [(t, self.type_labels.get(t, t)) for t in self.convention.types]

    @property
    def priorities(self) -> list[tuple[str, str]]:
        return [(p.id, p.label or p.id) for p in self.convention.priorities]

    @property
    def urgencies(self) -> list[str]:
        matrix = self.convention.matrix
        return list(matrix.urgencies) if matrix else []

    @property
    def impacts(self) -> list[str]:
        matrix = self.convention.matrix
        return list(matrix.impacts) if matrix else []

    @property
    def lots(self) -> list[str]:
        return list(self.convention.contract.lots)

    @property
    def clocks(self) -> list[tuple[str, str]]:
        return [(c.id, c.label or c.id) for c in self.convention.clocks]

    def type_label(self, type_id: str) -> str:
        return self.type_labels.get(type_id, type_id)

    def calendar(self, name: str) -> Calendar | None:
        spec = self.convention.calendars.get(name)
        return build_calendar(spec) if spec else None

    def forfait_days(self) -> float | None:
        """Days a year of the support package: the ``<=`` target of the convention's measure
        indicator in days about the *forfait* (AQUAREEL's V6, "15 par an"), if any."""
        for indicator in self.convention.indicators:
            words = f"{indicator.id} {indicator.label}".lower()
            target = indicator.target
            if (indicator.kind == "measure" and indicator.unit == "j" and "forfait" in words
                    and target is not None and target.op in ("<=", "<")):
                return target.value
        return None

    def forfait_day_minutes(self) -> int:
        """Minutes in one day of the package: the convention's fixed business day (AQUAREEL:
        10 h), else 8 h."""
        for spec in self.convention.calendars.values():
            business_day = spec.business_day.strip().lower()
            minutes = _minutes(business_day)
            if minutes:
                return minutes
        return DEFAULT_FORFAIT_DAY_MINUTES


def _minutes(text: str) -> int:
    text = text.removeprefix("fixed:")
    try:
        if text.endswith("min"):
            return int(text[:-3])
        if text.endswith("h"):
            return int(float(text[:-1]) * 60)
        return int(text)
    except ValueError:
        return 0


def rules_for(version: ConventionVersion) -> Rules:
    return Rules(convention=version.parsed(), type_labels=_type_labels(version.text))


@lru_cache(maxsize=64)
def _type_labels(text: str) -> dict[str, str]:
    try:
        document: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    labels: dict[str, str] = {}
    for entry in (document or {}).get("types") or []:
        if isinstance(entry, dict) and entry.get("id"):
            labels[str(entry["id"])] = str(entry.get("label") or entry["id"])
    return labels
