"""The indicators computed from committees' records (the registered MeasureSource)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jalon.accounts.access import NotAllowed
from jalon.calendars.feed import entries as feed_entries
from jalon.commitments.sources import calendar_sources, measure_sources
from jalon.conventions.period import Period
from jalon.governance.models import Action, Finding, Meeting
from jalon.governance.tests.support import GovernanceTestCase, paris

MARCH = Period.parse("2026-03")


def source():
    (found,) = [s for s in measure_sources() if s.name == "governance"]
    return found


class MeasureTests(GovernanceTestCase):
    def held(self, committee: str, starts, agenda_at=None, minutes_at=None) -> Meeting:
        meeting = Meeting.schedule(self.holder_manager, self.contract, committee, starts)
        if agenda_at:
            with time_machine.travel(agenda_at, tick=False):
                meeting.send_agenda(self.holder_manager, "ODJ")
        with time_machine.travel(meeting.ends_at, tick=False):
            meeting.record_attendance(self.holder_manager, "Sophie")
            meeting.draft_minutes(self.holder_manager, "CR")
        if minutes_at:
            with time_machine.travel(minutes_at, tick=False):
                meeting.send_minutes(self.holder_manager)
        return meeting

    def test_the_source_names_the_convention_indicators(self):
        convention = self.convention.parsed()
        assert source().indicators(convention) == {"agenda_days", "minutes_days", "minutes_share",
                                                  "actions_late", "meteo_late", "breaches"}

    def test_agenda_and_minutes_days_per_meeting(self):
        # agenda Monday 9 March for Monday 16: five business days; minutes Thursday 19: three
        self.held("copil", paris(2026, 3, 16, 10), agenda_at=paris(2026, 3, 9, 17), minutes_at=paris(2026, 3, 19, 9))
        # agenda never sent; minutes never sent: counted to the end of March (Tuesday 31)
        self.held("copil", paris(2026, 3, 24, 10))
        rows = list(source().measures(self.contract, {"agenda_days", "minutes_days"}, MARCH, paris(2026, 4, 15, 12)))
        got = sorted((m.indicator, m.item, m.value) for m in rows)
        assert got == [("agenda_days", "COPIL 2026-03-16", 5.0), ("agenda_days", "COPIL 2026-03-24", 0.0),
                       ("minutes_days", "COPIL 2026-03-16", 3.0), ("minutes_days", "COPIL 2026-03-24", 5.0)]
        assert all(e.url.startswith("/marches/aquareel/gouvernance/reunions/") for m in rows for e in m.evidence)

    def test_minutes_share_counts_late_and_unsent_minutes(self):
        self.held("cosui", paris(2026, 3, 2, 10), minutes_at=paris(2026, 3, 6, 9))   # 4 business days
        self.held("cosui", paris(2026, 3, 9, 10), minutes_at=paris(2026, 3, 18, 9))  # 7: late
        self.held("cosui", paris(2026, 3, 16, 10))                                    # unsent, due 23 March
        self.held("cosui", paris(2026, 3, 30, 10))                                    # unsent, not yet due
        (row,) = source().measures(self.contract, {"minutes_share"}, MARCH, paris(2026, 3, 31, 20))
        assert round(row.value, 1) == 33.3
        assert [e.detail for e in row.evidence] == ["dans le délai", "hors délai", "hors délai"]

    def test_actions_days_late(self):
        with time_machine.travel(paris(2026, 3, 1, 9), tick=False):
            done = Action.create(self.buyer_manager, self.contract, title="A", due_on=date(2026, 3, 10))
            Action.create(self.buyer_manager, self.contract, title="B", due_on=date(2026, 3, 20))
            Action.create(self.buyer_manager, self.contract, title="C", due_on=date(2026, 4, 20))
            old = Action.create(self.buyer_manager, self.contract, title="D", due_on=date(2026, 1, 10))
        done.set_status(self.buyer_manager, "done", date(2026, 3, 13))
        old.set_status(self.buyer_manager, "done", date(2026, 2, 1))  # late, but before March
        rows = source().measures(self.contract, {"actions_late"}, MARCH, paris(2026, 4, 15, 12))
        assert sorted((m.item, m.value) for m in rows) == [("ACT-001", 3.0), ("ACT-002", 11.0)]

    def test_calendar_entries_for_meetings_and_actions(self):
        meeting = self.held("copil", paris(2026, 3, 16, 10))
        action = Action.create(self.buyer_manager, self.contract, title="A", due_on=date(2026, 3, 20),
                               meeting=meeting)
        (entries,) = [list(f(self.buyer_manager, self.contract, paris(2026, 3, 1), paris(2026, 4, 1)))
                      for f in calendar_sources()]
        assert [e.uid for e in entries] == [f"meeting-{meeting.pk}@jalon"]
        # the action's due date comes with its registered clock, with a stable id
        feed = [e.uid for e in feed_entries(self.buyer_manager, [self.contract], paris(2026, 3, 17), "")]
        assert f"action-{action.pk}-due@jalon" in feed
        assert f"action-{action.pk}-due@jalon" not in [
            e.uid for e in feed_entries(self.requester, [self.contract], paris(2026, 3, 17), "")]
        assert list(calendar_sources()[0](self.requester, self.contract, paris(2026, 3, 1), paris(2026, 4, 1))) == []

    def test_breaches_found_in_committee_are_counted(self):
        meeting = self.held("cosui", paris(2026, 3, 2, 10))
        scheduled = Meeting.schedule(self.holder_manager, self.contract, "cosui", paris(2026, 3, 9, 10))
        Finding.record(self.buyer_manager, meeting, domain="security", description="Correctifs non appliqués")
        Finding.record(self.buyer_manager, meeting, domain="security", description="Comptes non revus")
        Finding.record(self.buyer_manager, meeting, domain="quality", description="Hors indicateur ici")
        with pytest.raises(ValidationError):
            Finding.record(self.buyer_manager, scheduled, domain="security", description="Pas encore tenue")
        with pytest.raises(NotAllowed):
            Finding.record(self.technician, meeting, domain="security", description="?")
        (row,) = source().measures(self.contract, {"breaches"}, MARCH, paris(2026, 4, 15, 12))
        assert row.value == 2.0
        assert [e.detail for e in row.evidence] == ["Correctifs non appliqués", "Comptes non revus"]
        (none,) = source().measures(self.contract, {"breaches"}, Period.parse("2026-02"), paris(2026, 4, 15, 12))
        assert none.value == 0.0
