"""Issue 11 §2, "a cancelled ticket is never pending", on the platform's dashboard: the backlog
at each week's end of a month (D-08, D-12), including a ticket whose history must be read
because it was reopened after an earlier week's end, then cancelled."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from jalon.conventions.period import Period
from jalon.dashboard import figures
from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import Ticket

PARIS = ZoneInfo("Europe/Paris")
JUNE = Period.parse("2026-06")
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=PARIS)


def at(day: int, hour: int = 10) -> Any:
    return time_machine.travel(datetime(2026, 6, day, hour, tzinfo=PARIS), tick=False)


class CancelledNeverPendingTest(JalonTestCase):
    def opened(self, day: int) -> Ticket:
        with at(day, 9):
            ticket = Ticket.open(self.contract, actor=self.requester, type="anomaly_qualification",
                                 title="Demande")
            ticket.qualify(self.level1, urgency="majeure", impact="site")
            ticket.assign(self.level1, group="N2", person=self.technician)
            ticket.start_work(self.technician)
        return ticket

    def backlog(self) -> dict[date, int]:
        d = figures.dashboard(self.contract, JUNE, NOW, tickets=Ticket.objects.all())
        return {p.last_day: p.count for p in d.backlog.series}

    def test_a_ticket_cancelled_in_the_month_leaves_the_backlog_when_it_is_cancelled(self) -> None:
        ticket = self.opened(2)
        with at(10):
            ticket.cancel(self.level1, reason="Doublon")
        assert self.backlog() == {date(2026, 6, 7): 1, date(2026, 6, 14): 0, date(2026, 6, 21): 0,
                                  date(2026, 6, 28): 0, date(2026, 6, 30): 0}

    def test_a_ticket_reopened_after_a_week_s_end_then_cancelled_is_not_pending_after(self) -> None:
        # resolved in the first week, reopened in the second (its history is read for the first
        # week's end), cancelled in the second: pending at no week's end but none
        ticket = self.opened(2)
        with at(3):
            ticket.resolve(self.technician, "definitive")
        with at(9):
            ticket.reopen(self.level1, "Le défaut est revenu")
        with at(10):
            ticket.assign(self.level1, group="N2", person=self.technician)
        with at(12):
            ticket.cancel(self.level1, reason="Remplacé par une évolution")
        assert self.backlog() == {date(2026, 6, 7): 0, date(2026, 6, 14): 0, date(2026, 6, 21): 0,
                                  date(2026, 6, 28): 0, date(2026, 6, 30): 0}


class RunningClockNotJudgedTest(JalonTestCase):
    """Issue 11 §2, "a clock still running at the window's end is not judged as failed", on the
    dashboard's delay compliance (D-02): past its target at the end of June and still running,
    it is in no figure of June; stopped in July, it is judged in July."""

    def test_a_clock_past_its_target_and_still_running_is_judged_where_it_stops(self) -> None:
        with at(29, 9):
            ticket = Ticket.open(self.contract, actor=self.requester, type="anomaly_qualification",
                                 title="Demande")
            ticket.qualify(self.level1, urgency="majeure", impact="site")
            ticket.assign(self.level1, group="N2", person=self.technician)
            ticket.start_work(self.technician)

        def stopped(period: str, now: datetime) -> dict[str, tuple[int, int]]:
            d = figures.dashboard(self.contract, Period.parse(period), now, tickets=Ticket.objects.all())
            return {r.clock: (r.stopped, r.late) for r in figures.clock_totals(d.delay_compliance)}

        running = {c.kind for c in ticket.clocks.filter(stopped_at__isnull=True, started_at__isnull=False)}
        assert running, "the scenario needs a clock running at the end of June"
        june = stopped("2026-06", datetime(2026, 7, 1, 12, tzinfo=PARIS))
        assert not running & set(june), june
        with time_machine.travel(datetime(2026, 7, 20, 10, tzinfo=PARIS), tick=False):
            ticket.resolve(self.technician, "definitive")
        july = stopped("2026-07", datetime(2026, 7, 21, 10, tzinfo=PARIS))
        late = {kind for kind, (_n, overrun) in july.items() if overrun}
        assert running & late, july  # three weeks for a delay of days: late, in July
        assert not running & set(stopped("2026-06", NOW)), "June judged it afterwards"
