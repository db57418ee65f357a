from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models

from jalon.businesstime import Calendar
from jalon.commitments.models import AbstractClock, ClockQuerySet, running_due_index
from jalon.commitments.state import ClockSpec, clock_state
from jalon.contracts.models import Contract

OFFICE_HOURS = Calendar.build("mon-fri 08:00-18:00", "FR", tz="Europe/Paris")
ANSWER = ClockSpec(kind="answer", label="Réponse au rappel", calendar_name="office",
                   target_seconds=10 * 3600, warn_ratio=0.8)


class Reminder(models.Model):
    """Something asked of someone, to be answered within one business day (10 open hours)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                               related_name="+")
    asked_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True)

    objects: ClassVar[models.Manager[Reminder]] = models.Manager()
    clocks: models.Manager[ReminderClock]

    def __str__(self) -> str:
        return f"RAP-{self.number}"

    def recompute_clocks(self, now: datetime) -> list[ReminderClock]:
        state = clock_state(ANSWER, OFFICE_HOURS, now, started_at=self.asked_at,
                            stopped_at=self.answered_at)
        clock = self.clocks.filter(kind=ANSWER.kind).first() or ReminderClock(reminder=self)
        clock.record(state, now)
        clock.save()
        return [clock]


class ReminderClock(AbstractClock):
    owner_field = "reminder"
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="clocks")

    objects: ClassVar[models.Manager[ReminderClock]] = \
        ClockQuerySet["ReminderClock"].as_manager()

    class Meta:
        constraints = (models.UniqueConstraint(fields=["reminder", "kind"],
                                               name="reminder_clock_unique"),)
        indexes = (running_due_index("reminder_clock_running_due"),)
