"""A hand-built month of tickets on the AQUAREEL test contract (calendar: Monday–Friday
08:00–18:00, French holidays, 1 business day = 10 h), with the figures worked out by hand in
``test_figures``. March 2026 has no holiday; summer time starts on Sunday 29 March."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import Ticket

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 4, 2, 10, 0, tzinfo=PARIS)


def paris(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


class MarchScenario(JalonTestCase):
    t1: Ticket
    t2: Ticket
    t3: Ticket
    t4: Ticket
    t6: Ticket

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        at = cls.at
        # T1: urgent, bloquant; everything on time; closed in March.
        cls.t1 = cls.urgent("T1", paris(3, 2, 9, 0))
        with at(paris(3, 2, 9, 30)):  # qualified after 30 min
            cls.t1.qualify(cls.level1, urgency="critique", impact="site", criticality="bloquant")
        with at(paris(3, 2, 9, 40)):
            cls.t1.assign(cls.level1, group="Titulaire N2", person=cls.technician)
        with at(paris(3, 2, 10, 0)):  # taken in charge after 1 h of 10
            cls.t1.start_work(cls.technician)
            cls.t1.log_time(cls.technician, minutes=90, spent_on=date(2026, 3, 2))
            cls.t1.log_time(cls.technician, minutes=30, spent_on=date(2026, 3, 2),
                            charged_to_forfait=False)
        with at(paris(3, 2, 12, 0)):  # resolved after 2 h of 10
            cls.t1.resolve(cls.technician, "definitive")
        with at(paris(3, 3, 9, 0)):
            cls.t1.close(cls.level1)
        # T2: urgent, majeur; taken in charge late (13 h), resolved, reopened, resolved again.
        cls.t2 = cls.urgent("T2", paris(3, 3, 9, 0))
        with at(paris(3, 3, 11, 0)):  # qualified after 2 h
            cls.t2.qualify(cls.level1, urgency="critique", impact="site", criticality="majeur")
            cls.t2.assign(cls.level1, group="Titulaire N2", person=cls.technician)
        with at(paris(3, 4, 12, 0)):  # Tue 09–18 (9 h) + Wed 08–12 (4 h) = 13 h > 10 h
            cls.t2.start_work(cls.technician)
        with at(paris(3, 5, 10, 0)):  # Wed 12–18 (6 h) + Thu 08–10 (2 h) = 8 h
            cls.t2.resolve(cls.technician, "workaround")
        with at(paris(3, 6, 9, 0)):
            cls.t2.reopen(cls.level1, "Le contournement ne tient pas")
        with at(paris(3, 6, 10, 0)):  # 8 h + 1 h after the reopening: 9 h, on time
            cls.t2.resolve(cls.technician, "definitive")
        # T3: anomaly qualification opened in March, never qualified: in the backlog.
        with at(paris(3, 4, 14, 0)):
            cls.t3 = Ticket.open(cls.contract, actor=cls.requester, type="anomaly_qualification",
                                 title="T3")
        # T4: opened on Friday 27 February 17:00, first qualified on Monday 2 March 08:30
        # (1 h + 30 min), never taken in charge: overdue since Monday 2 March 17:00.
        cls.t4 = cls.urgent("T4", paris(2, 27, 17, 0))
        with at(paris(2, 27, 17, 30)):
            cls.t4.log_time(cls.technician, minutes=60, spent_on=date(2026, 2, 27))
        with at(paris(3, 2, 8, 30)):
            cls.t4.qualify(cls.level1, urgency="mineure", impact="utilisateur",
                           criticality="mineur")
        # T6: opened in April at 11:00: at 10:00 the next day, 9 h of 10 have run (at risk).
        cls.t6 = cls.urgent("T6", paris(4, 1, 11, 0))
        # A ticket on another contract never counts.
        with at(paris(3, 2, 9, 0)):
            Ticket.open(cls.other_contract, actor=cls.outsider, type="urgent_intervention",
                        title="Ailleurs")

    @staticmethod
    def at(instant: datetime) -> time_machine.travel:
        return time_machine.travel(instant, tick=False)

    @classmethod
    def urgent(cls, title: str, opened_at: datetime) -> Ticket:
        with cls.at(opened_at):
            return Ticket.open(cls.contract, actor=cls.requester, type="urgent_intervention",
                               title=title, is_urgent=True)
