from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jalon.accounts.access import NotAllowed
from jalon.accounts.models import Role
from jalon.conventions.model import PLATFORM_ROLES
from jalon.governance import deadlines, schedule
from jalon.governance.models import Meeting, MeetingClock
from jalon.governance.tests.support import GovernanceTestCase, paris
from jalon.governance.workflow import MeetingState, MinutesState


def test_platform_roles_are_the_accounts_roles():
    assert set(PLATFORM_ROLES) == set(Role.values)


class DeadlineTests(GovernanceTestCase):
    def test_agenda_due_counts_business_days_before(self):
        meeting = self.copil(paris(2026, 3, 16, 10))  # Monday
        calendar = meeting.calendar()
        # five business days before Monday 16 March: Monday 9 March, by its end
        assert deadlines.agenda_due(calendar, meeting.starts_at, 5) == paris(2026, 3, 10, 0)
        # "la veille": the business day before a Monday is the Friday
        assert deadlines.agenda_due(calendar, meeting.starts_at, 0) == paris(2026, 3, 14, 0)

    def test_minutes_due_skips_holidays(self):
        meeting = self.copil(paris(2026, 4, 30, 10))  # Thursday; 1 May and 8 May are holidays
        calendar = meeting.calendar()
        assert deadlines.days_after_due(calendar, meeting.ends_at, 5) == paris(2026, 5, 12, 0)  # 4, 5, 6, 7 and 11 May


class WorkflowTests(GovernanceTestCase):
    def test_minutes_tacitly_validated_at_the_deadline(self):
        with time_machine.travel(paris(2026, 3, 2, 9), tick=False):
            meeting = self.copil(paris(2026, 3, 16, 10))
            meeting.send_agenda(self.holder_manager, "1. Indicateurs\n2. Plan de progrès")
        with time_machine.travel(paris(2026, 3, 16, 12), tick=False):
            meeting.record_attendance(self.holder_manager, "Sophie\nHugo")
            meeting.draft_minutes(self.holder_manager, "Décision 1 : …")
        with time_machine.travel(paris(2026, 3, 18, 9), tick=False):
            meeting.send_minutes(self.holder_manager)
        clocks = {c.kind: c for c in MeetingClock.objects.filter(meeting=meeting)}
        assert clocks["agenda"].stopped_at is not None
        assert not clocks["agenda"].breached
        assert not clocks["minutes"].breached
        tacit = clocks["tacit"]
        assert tacit.due_at == paris(2026, 4, 2, 0)  # 10 business days after 18 March
        Meeting.objects.get(pk=meeting.pk).recompute_clocks(paris(2026, 4, 1, 23))
        meeting.refresh_from_db()
        assert meeting.minutes_state == MinutesState.SENT  # the day before the deadline
        locked = Meeting.objects.get(pk=meeting.pk)
        locked.recompute_clocks(paris(2026, 4, 2, 0, 1))
        meeting.refresh_from_db()
        assert meeting.minutes_state == MinutesState.TACITLY_VALIDATED
        assert meeting.minutes_validated_by is None
        assert meeting.minutes_validated_at == paris(2026, 4, 2, 0)
        assert meeting.events.filter(kind="tacitly_validated").count() == 1
        tacit = MeetingClock.objects.get(meeting=meeting, kind="tacit")
        assert tacit.stopped_at == tacit.due_at
        assert not tacit.breached

    def test_remarks_stop_tacit_validation_and_explicit_validation_is_distinct(self):
        with time_machine.travel(paris(2026, 3, 16, 12), tick=False):
            meeting = self.copil(paris(2026, 3, 16, 10))
            meeting.record_attendance(self.holder_manager, "Sophie")
            meeting.draft_minutes(self.holder_manager, "v1")
            meeting.send_minutes(self.holder_manager)
            meeting.remark(self.buyer_manager, "Point 2 à corriger")
        meeting.refresh_from_db()
        meeting.recompute_clocks(paris(2026, 5, 1, 12))
        meeting.refresh_from_db()
        assert meeting.minutes_state == MinutesState.REMARKS  # no tacit validation after remarks
        with time_machine.travel(paris(2026, 3, 17, 12), tick=False):
            meeting.draft_minutes(self.holder_manager, "v2")
            meeting.send_minutes(self.holder_manager)
            meeting.validate(self.buyer_manager)
        meeting.refresh_from_db()
        assert meeting.minutes_state == MinutesState.VALIDATED
        assert meeting.minutes_validated_by == self.buyer_manager
        assert meeting.minutes_sendings == 2
        assert meeting.minutes_first_sent_at == paris(2026, 3, 16, 12)

    def test_late_minutes_breach_their_clock(self):
        with time_machine.travel(paris(2026, 3, 16, 12), tick=False):
            meeting = self.copil(paris(2026, 3, 16, 10))
            meeting.record_attendance(self.holder_manager, "Sophie")
            meeting.draft_minutes(self.holder_manager, "v1")
        with time_machine.travel(paris(2026, 3, 25, 12), tick=False):
            meeting.send_minutes(self.holder_manager)
        assert MeetingClock.objects.get(meeting=meeting, kind="minutes").breached
        assert meeting.minutes_on_time() is False

    def test_role_and_state_come_from_the_table(self):
        meeting = self.copil(paris(2026, 3, 16, 10))
        with pytest.raises(NotAllowed):
            meeting.send_agenda(self.technician, "ODJ")
        with pytest.raises(ValidationError):
            meeting.send_minutes(self.holder_manager)  # no minutes drafted, meeting not held
        with pytest.raises(NotAllowed):
            meeting.remark(self.holder_manager, "?")

    def test_move_and_cancel_need_a_reason(self):
        meeting = self.copil(paris(2026, 3, 16, 10))
        with pytest.raises(ValidationError):
            meeting.move(self.buyer_manager, paris(2026, 3, 17, 10), " ")
        meeting.move(self.buyer_manager, paris(2026, 3, 17, 14), "Grève")
        meeting.refresh_from_db()
        assert meeting.starts_at == paris(2026, 3, 17, 14)
        assert meeting.slot == paris(2026, 3, 16, 10)
        assert meeting.ends_at == paris(2026, 3, 17, 16)
        meeting.cancel(self.buyer_manager, "Reporté au mois prochain")
        meeting.refresh_from_db()
        assert meeting.status == MeetingState.CANCELLED
        assert not meeting.clocks.exists()
        assert [e.kind for e in meeting.events.all()] == ["scheduled", "moved", "cancelled"]


class ScheduleTests(GovernanceTestCase):
    def test_meetings_follow_each_frequency_on_business_days(self):
        made = schedule.schedule_contract(self.contract, date(2026, 4, 1), horizon_days=60)
        copils = [m.starts_at for m in made if m.committee == "copil"]
        assert copils == [paris(2026, 4, 1, 10), paris(2026, 5, 4, 10)]  # 1 May is a holiday, then a weekend
        cosuis = [m for m in made if m.committee == "cosui"]
        assert len(cosuis) == 9
        assert not [m for m in made if m.committee == "costrat"]  # on demand
        # again: nothing new, the slots are taken
        assert schedule.schedule_contract(self.contract, date(2026, 4, 1), horizon_days=60) == []
        # later: the rhythm goes on from the last slot (1 June, a Monday)
        later = schedule.schedule_contract(self.contract, date(2026, 4, 1), horizon_days=70)
        assert [m.starts_at for m in later if m.committee == "copil"] == [paris(2026, 6, 1, 10)]
