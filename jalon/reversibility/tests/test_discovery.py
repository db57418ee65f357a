"""The contract export finds its models through the app registry: every model of Jalon's apps is
in it or left out with a reason, a record app no one registered is found, the order respects the
keys."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from jalon.commitments.tests.probe.models import Reminder, ReminderClock
from jalon.reversibility.discovery import Role, plan, unclassified


def test_every_model_of_jalon_is_exported_or_left_out_with_a_reason() -> None:
    """A new record app's model that no foreign key leads to the contract from fails here: give
    it ``contract_path``, or list it in ``discovery.EXCLUDED`` (docs/architecture.md)."""
    assert unclassified() == [], "declare contract_path, or list the model in EXCLUDED"


def test_a_record_app_nobody_registered_is_found_with_its_clocks() -> None:
    parts = {p.label: p for p in plan()}
    assert parts["commitments_probe.reminder"].path == "contract"
    assert parts["commitments_probe.reminderclock"].path == "reminder__contract"
    assert parts["tickets.ticketevent"].path == "ticket__contract"
    assert parts["tickets.attachment"].files[0].name == "file"
    assert parts["auth.user"].role is Role.REFERENCED
    assert "password" in parts["auth.user"].dropped
    assert parts["accounts.profile"].role is Role.REFERENCED  # a person's satellite
    assert "totp_secret" in parts["accounts.profile"].dropped
    assert "messaging.outboxmessage" not in parts


def test_the_order_puts_every_required_key_after_its_target() -> None:
    parts = plan()
    seen: set[str] = set()
    for part in parts:
        for column in part.columns:
            if column.target and not column.field.null and column.target != part.label:
                assert column.target in seen, f"{part.label}.{column.name} before {column.target}"
        seen.add(part.label)


def test_a_model_may_leave_or_name_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ReminderClock, "contract_export", False, raising=False)
    assert "commitments_probe.reminderclock" not in {p.label for p in plan()}
    monkeypatch.setattr(Reminder, "contract_path", "person__memberships__contract", raising=False)
    assert {p.label: p.path for p in plan()}["commitments_probe.reminder"] == "person__memberships__contract"
    # a model reached only through a left-out one is lost: the check names it
    monkeypatch.setattr(Reminder, "contract_export", False, raising=False)
    monkeypatch.setattr(ReminderClock, "contract_export", True, raising=False)
    assert unclassified() == ["commitments_probe.reminderclock"]
    # a required key from an exported model to a left-out one is a mistake of the plan, named
    monkeypatch.setattr(ReminderClock, "contract_path", "reminder__contract", raising=False)
    with pytest.raises(ImproperlyConfigured, match="reminderclock.reminder"):
        plan()
