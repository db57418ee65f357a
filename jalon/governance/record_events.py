"""What each change of a decision, an action or a risk records: one typed payload per
:class:`RecordEventKind`, stored as JSON in the record's append-only history
(``DecisionEvent``, ``ActionEvent``, ``RiskEvent``) and read back typed with ``.data``.

Each domain method of those records (``Action.update``, ``Risk.update``, ``Risk.review``…)
writes one event per thing that changed, before and after, in the transaction of the change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar, Self

from django.db import models
from django.utils.translation import gettext_lazy as _lazy

from jalon.governance.events import EventData


class RecordEventKind(models.TextChoices):
    CREATED = "created", _lazy("Création")
    AMENDED = "amended", _lazy("Modification du texte")
    STATUS = "status", _lazy("Changement de statut")
    OWNER = "owner", _lazy("Changement de responsable")
    DUE = "due", _lazy("Changement d’échéance")
    RATING = "rating", _lazy("Nouvelle cotation")
    MITIGATION = "mitigation", _lazy("Mesures de maîtrise")
    REVIEWED = "reviewed", _lazy("Revue en comité")


@dataclasses.dataclass(frozen=True)
class RecordEventData(EventData):
    kind: ClassVar[RecordEventKind]  # type: ignore[assignment]

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Self:
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            if field.name in stored:
                value = stored[field.name]
                if str(field.type).startswith("date") and isinstance(value, str) and value:
                    value = date.fromisoformat(value)
                values[field.name] = value
        return cls(**values)

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        """What changed, in a line (the history's column); ``labels``: the record's statuses."""
        return ""


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value or "—")


@dataclasses.dataclass(frozen=True)
class Created(RecordEventData):
    kind: ClassVar[RecordEventKind] = RecordEventKind.CREATED
    title: str = ""

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        return self.title


@dataclasses.dataclass(frozen=True)
class Amended(RecordEventData):
    """A decision's or action's wording changed (the previous text kept here)."""

    kind: ClassVar[RecordEventKind] = RecordEventKind.AMENDED
    title_before: str = ""
    title: str = ""
    text_before: str = ""
    text: str = ""
    reason: str = ""

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        changed = f"« {self.title_before} » → « {self.title} »" if self.title != self.title_before else ""
        return " — ".join(p for p in (changed, self.reason) if p)


@dataclasses.dataclass(frozen=True)
class StatusChanged(RecordEventData):
    kind: ClassVar[RecordEventKind] = RecordEventKind.STATUS
    before: str = ""
    after: str = ""
    done_on: date | None = None

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        shown = labels or {}
        return (f"{shown.get(self.before, self.before)} → {shown.get(self.after, self.after)}"
                + (f" ({_day(self.done_on)})" if self.done_on else ""))


@dataclasses.dataclass(frozen=True)
class OwnerChanged(RecordEventData):
    kind: ClassVar[RecordEventKind] = RecordEventKind.OWNER
    before: str = ""
    after: str = ""
    """Usernames ("" for nobody)."""

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        return f"{self.before or '—'} → {self.after or '—'}"


@dataclasses.dataclass(frozen=True)
class DueChanged(RecordEventData):
    kind: ClassVar[RecordEventKind] = RecordEventKind.DUE
    before: date | None = None
    after: date | None = None
    reason: str = ""

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        return f"{_day(self.before)} → {_day(self.after)}" + (f" — {self.reason}" if self.reason else "")


@dataclasses.dataclass(frozen=True)
class Rated(RecordEventData):
    kind: ClassVar[RecordEventKind] = RecordEventKind.RATING
    probability_before: int = 0
    impact_before: int = 0
    probability: int = 0
    impact: int = 0

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        return (f"P{self.probability_before}×I{self.impact_before} → P{self.probability}×I{self.impact}")


@dataclasses.dataclass(frozen=True)
class MitigationChanged(RecordEventData):
    kind: ClassVar[RecordEventKind] = RecordEventKind.MITIGATION
    before: str = ""
    after: str = ""

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        return self.after


@dataclasses.dataclass(frozen=True)
class Reviewed(RecordEventData):
    """A risk reviewed at a committee's meeting: its rating and status as decided there."""

    kind: ClassVar[RecordEventKind] = RecordEventKind.REVIEWED
    meeting: int = 0
    meeting_label: str = ""
    probability: int = 0
    impact: int = 0
    status: str = ""
    note: str = ""

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        status = (labels or {}).get(self.status, self.status)
        return " — ".join(p for p in (self.meeting_label, f"P{self.probability}×I{self.impact}", status,
                                      self.note) if p)


PAYLOADS: dict[str, type[RecordEventData]] = {
    cls.kind.value: cls for cls in (Created, Amended, StatusChanged, OwnerChanged, DueChanged, Rated,
                                    MitigationChanged, Reviewed)}
