"""Meetings' clocks go through the same clock scan as tickets: "minutes due" and "tacit
validation coming" warnings, a late-minutes breach notice, and a tacit validation applied by the
scan at its deadline with no breach notice."""

from __future__ import annotations

import time_machine

from jalon.governance.models import MeetingClock
from jalon.governance.tests.support import GovernanceTestCase, paris
from jalon.governance.workflow import MinutesState
from jalon.messaging.clockwatch import scan_clocks
from jalon.messaging.models import NoticeKind, OutboxMessage


class GovernanceScanTest(GovernanceTestCase):
    def scan(self, *when: int) -> int:
        with time_machine.travel(paris(*when), tick=False), self.captureOnCommitCallbacks(execute=True):
            return scan_clocks(paris(*when))

    def notices(self) -> list[tuple[str, str]]:
        rows = OutboxMessage.objects.order_by("pk").values_list("kind", "subject")
        return [(kind, subject) for kind, subject in rows]

    def test_minutes_warning_then_breach_once(self):
        with time_machine.travel(paris(2026, 3, 16, 12), tick=False):
            meeting = self.copil(paris(2026, 3, 16, 10))
            meeting.record_attendance(self.holder_manager, "Sophie")
        # minutes due by the end of Monday 23 March; warned from the day before
        self.scan(2026, 3, 21, 12)
        # the agenda was never sent (due by the end of 9 March): its breach, once
        assert [k for k, s in self.notices()] == [NoticeKind.BREACHED] * len(self.notices())
        assert all("ordre du jour" in s for k, s in self.notices())
        assert not [s for k, s in self.notices() if "Envoi du relevé" in s]
        self.scan(2026, 3, 23, 1)
        kinds = {k for k, s in self.notices() if "Envoi du relevé" in s}
        assert kinds == {NoticeKind.AT_RISK}
        self.scan(2026, 3, 23, 2)
        assert len([1 for k, s in self.notices() if "Envoi du relevé" in s and k == NoticeKind.AT_RISK]) == \
            len([1 for k, s in self.notices() if "Envoi du relevé" in s])  # no second warning
        self.scan(2026, 3, 24, 9)
        assert {k for k, s in self.notices() if "Envoi du relevé" in s} == {NoticeKind.AT_RISK, NoticeKind.BREACHED}

    def test_tacit_validation_is_warned_then_applied_without_a_breach(self):
        with time_machine.travel(paris(2026, 3, 16, 12), tick=False):
            meeting = self.copil(paris(2026, 3, 16, 10))
            meeting.record_attendance(self.holder_manager, "Sophie")
            meeting.draft_minutes(self.holder_manager, "CR")
            meeting.send_minutes(self.holder_manager)
        # ten business days after Monday 16 March: by the end of Monday 30 March, warned two days before
        self.scan(2026, 3, 30, 9)
        tacit = MeetingClock.objects.get(meeting=meeting, kind="tacit")
        assert tacit.warned_at is not None
        assert [s for k, s in self.notices() if k == NoticeKind.AT_RISK and "tacite" in s]
        meeting.refresh_from_db()
        assert meeting.minutes_state == MinutesState.SENT
        self.scan(2026, 3, 31, 0, 1)
        meeting.refresh_from_db()
        assert meeting.minutes_state == MinutesState.TACITLY_VALIDATED
        assert not [s for k, s in self.notices() if k == NoticeKind.BREACHED and "tacite" in s]
