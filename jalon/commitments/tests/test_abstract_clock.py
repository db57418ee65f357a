"""What every stored clock does, shown on the test-only reminder's clock."""

from __future__ import annotations

from dataclasses import replace

import pytest

from jalon.commitments import registry
from jalon.commitments.models import ClockNotice, ClockQuerySet
from jalon.commitments.state import clock_state
from jalon.commitments.tests.probe.models import ANSWER, OFFICE_HOURS, Reminder, ReminderClock
from jalon.commitments.tests.probe.registration import REMINDERS
from jalon.commitments.tests.test_clock_state import paris
from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import Clock


class AbstractClockTest(JalonTestCase):
    def clock(self) -> ReminderClock:
        reminder = Reminder.objects.create(contract=self.contract, number=1, title="Plan",
                                           asked_at=paris(11, 9))
        return reminder.recompute_clocks(paris(11, 9))[0]

    def test_the_scan_candidates_are_running_clocks_past_their_warning_or_due_instant(self) -> None:
        clock = self.clock()
        clocks: ClockQuerySet[ReminderClock] = ClockQuerySet(ReminderClock)
        assert list(clocks.to_notify_before(paris(11, 16))) == []
        assert list(clocks.to_warn_before(paris(11, 17))) == [clock]
        assert list(clocks.breaching_before(paris(12, 9))) == []
        assert list(clocks.breaching_before(paris(12, 9, 1))) == [clock]

    def test_a_warning_is_claimed_once(self) -> None:
        self.clock()
        now = paris(11, 17)
        first, second = Reminder.objects.get().recompute_clocks(now)[0], \
            ReminderClock.objects.get()
        assert first.claim_notice(now) is ClockNotice.WARNING
        assert second.claim_notice(now) is None  # a stale copy read before the claim
        assert ReminderClock.objects.get().warned_at == now

    def test_a_breach_claim_stands_for_the_warning(self) -> None:
        self.clock()
        now = paris(12, 10)
        clock = Reminder.objects.get().recompute_clocks(now)[0]
        assert clock.claim_notice(now) is ClockNotice.BREACH
        stored = ReminderClock.objects.get()
        assert stored.breach_notified_at == now
        assert stored.warned_at == now
        assert stored.claim_notice(now) is None

    def test_a_clock_out_of_danger_again_forgets_its_warning(self) -> None:
        self.clock()
        clock = Reminder.objects.get().recompute_clocks(paris(11, 17))[0]
        clock.claim_notice(paris(11, 17))
        clock.refresh_from_db()
        state = clock_state(ANSWER, OFFICE_HOURS, paris(11, 17), started_at=paris(11, 9))
        assert clock.warned_at is not None
        assert state.at_risk
        clock.record(replace(state, at_risk=False), paris(11, 17))  # e.g. a longer target
        assert clock.warned_at is None

    def test_a_name_is_registered_for_one_clock_model_only(self) -> None:
        with pytest.raises(ValueError, match="reminder"):
            registry.register(replace(REMINDERS, clock_model=Clock))  # type: ignore[arg-type]
        registry.register(REMINDERS)  # again, from a second ready(): harmless
        assert registry.of(ReminderClock) is REMINDERS
        assert registry.of(Clock).name == "ticket"
