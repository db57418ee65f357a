"""A simple commitment's clock (one start, pauses, one stop) on office hours 08:00–18:00."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from jalon.businesstime import Calendar
from jalon.commitments.state import ClockSpec, clock_state

PARIS = ZoneInfo("Europe/Paris")
OFFICE = Calendar.build("mon-fri 08:00-18:00", "FR", tz="Europe/Paris")
TEN_HOURS = ClockSpec(kind="answer", label="Réponse", calendar_name="office",
                      target_seconds=10 * 3600, warn_ratio=0.8)


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=PARIS)


def test_a_clock_not_started_has_no_due_instant() -> None:
    state = clock_state(TEN_HOURS, OFFICE, paris(11, 9), started_at=None)
    assert (state.started_at, state.due_at, state.elapsed_seconds) == (None, None, 0)


def test_a_running_clock_is_due_after_its_target_in_open_time_in_utc() -> None:
    state = clock_state(TEN_HOURS, OFFICE, paris(11, 12), started_at=paris(11, 9))
    assert state.due_at == paris(12, 9)
    assert state.risk_at == paris(11, 17)
    assert state.due_at is not None
    assert state.due_at.tzinfo is UTC
    assert state.elapsed_seconds == 3 * 3600
    assert not state.at_risk
    assert not state.breached


def test_running_out_exactly_at_the_target_is_on_time() -> None:
    state = clock_state(TEN_HOURS, OFFICE, paris(12, 9), started_at=paris(11, 9))
    assert state.at_risk
    assert not state.breached
    late = clock_state(TEN_HOURS, OFFICE, paris(12, 9, 1), started_at=paris(11, 9))
    assert late.breached


def test_a_paused_clock_has_no_due_instant_and_does_not_count_the_pause() -> None:
    state = clock_state(TEN_HOURS, OFFICE, paris(12, 17), started_at=paris(11, 9),
                        pauses=[(paris(11, 10), None)])
    assert state.due_at is None
    assert state.risk_at is None
    assert state.elapsed_seconds == 3600


def test_an_ended_pause_moves_the_due_instant() -> None:
    state = clock_state(TEN_HOURS, OFFICE, paris(11, 16), started_at=paris(11, 9),
                        pauses=[(paris(11, 10), paris(11, 12))])
    assert state.due_at == paris(12, 11)
    assert state.elapsed_seconds == 5 * 3600


def test_a_stopped_clock_counts_until_its_stop() -> None:
    state = clock_state(TEN_HOURS, OFFICE, paris(13, 9), started_at=paris(11, 9),
                        stopped_at=paris(11, 11))
    assert state.stopped_at == paris(11, 11)
    assert state.elapsed_seconds == 2 * 3600
    assert not state.breached
