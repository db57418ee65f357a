"""The demo's quarter of committees: meetings scheduled from the convention and replayed through
the domain methods, minutes in every state AQUAREEL's convention allows, actions, risks."""

from __future__ import annotations

import pytest

from jalon.demo.data import load_demo
from jalon.governance.models import (
    Action,
    ActionClock,
    ActionEvent,
    Decision,
    Escalation,
    Meeting,
    Risk,
    RiskEvent,
    RiskReview,
)
from jalon.governance.workflow import MeetingState, MinutesState
from jalon.web.tests.test_demo import NOW


@pytest.mark.django_db
def test_demo_has_a_quarter_of_committees():
    load_demo(NOW, count=5, slugs=("aquareel",))
    meetings = Meeting.objects.all()
    assert {m.committee for m in meetings} >= {"suivi_hebdo", "copil"}
    states = set(meetings.values_list("minutes_state", flat=True))
    assert states >= {MinutesState.NONE, MinutesState.DRAFTED, MinutesState.SENT, MinutesState.REMARKS,
                      MinutesState.VALIDATED, MinutesState.ARCHIVED}
    assert meetings.filter(status=MeetingState.CANCELLED).exclude(cancel_reason="").count() == 1
    assert meetings.filter(events__kind="moved").count() == 1
    assert meetings.filter(starts_at__gt=NOW).exists()  # a month ahead
    assert Decision.objects.count() >= 4
    assert Action.objects.count() >= 4
    assert Risk.objects.count() == 4
    assert RiskReview.objects.exists()
    assert any(clock.breached for m in meetings for clock in m.clocks.all())  # a late minutes
    assert ActionEvent.objects.filter(kind="due").exists()  # an action rescheduled, with its reason
    assert RiskEvent.objects.filter(kind="reviewed").count() == RiskReview.objects.count()
    assert ActionClock.objects.count() == Action.objects.count()
    escalation = Escalation.objects.get()
    assert escalation.settled_in is not None
    load_demo(NOW, count=5, slugs=("aquareel",))  # again: nothing added
    assert Meeting.objects.count() == meetings.count()


@pytest.mark.django_db
def test_lade_demo_has_minutes_validated_tacitly():
    load_demo(NOW, count=3, slugs=("lade",))
    tacit = Meeting.objects.get(minutes_state=MinutesState.TACITLY_VALIDATED)
    assert tacit.minutes_validated_by is None
    assert tacit.events.filter(kind="tacitly_validated").exists()
    assert not tacit.events.filter(kind="validated").exists()
