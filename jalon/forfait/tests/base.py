"""The cast's contract under a convention with a support package of 2 days of 10 h a year."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings

from jalon.contracts.models import ConventionVersion
from jalon.testing.cast import AQUAREEL_CONVENTION, JalonTestCase
from jalon.tickets.models import Ticket, TimeEntry

PARIS = ZoneInfo("Europe/Paris")

FORFAIT = """\
forfait:
  days_per_year: 2
  day: 10h
  warn_ratio: 0.8
  chargeable_types: [urgent_intervention, anomaly_qualification]
"""


@override_settings(JALON_TIME_DAY_MAX_MINUTES=24 * 60)  # the ledger's sums, not the daily cap (D-116)
class ForfaitTestCase(JalonTestCase):
    extra = ""
    urgent: Ticket
    corrective: Ticket

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.contract.starts_on = date(2026, 3, 1)
        cls.contract.save()
        ConventionVersion.load(cls.contract, AQUAREEL_CONVENTION + FORFAIT + cls.extra, "forfait.yaml")
        with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=PARIS), tick=False):
            cls.urgent = Ticket.open(cls.contract, actor=cls.requester, type="urgent_intervention",
                                     title="Serveur arrêté")
            cls.corrective = Ticket.open(cls.contract, actor=cls.requester, type="corrective_maintenance",
                                         title="Correction")

    def log(self, minutes: int, day: date, ticket: Ticket | None = None) -> TimeEntry:
        """``minutes`` spent on ``day``, logged that evening (never a day in the future)."""
        with time_machine.travel(datetime.combine(day, time(19), PARIS), tick=False):
            return (ticket or self.urgent).log_time(self.technician, minutes=minutes, spent_on=day)
