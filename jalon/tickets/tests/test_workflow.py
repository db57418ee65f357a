"""The workflow table is the one statement of the ticket's actions: the domain methods, the
page's actions and the API's transitions all follow it."""

from __future__ import annotations

import inspect
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from jalon.accounts.models import Role, members_of
from jalon.api.tickets.transitions import ACTIONS as API_ACTIONS
from jalon.commitments.workflow import input_fields
from jalon.testing.cast import JalonTestCase, make_user
from jalon.tickets import events
from jalon.tickets.events import PAYLOADS, EventKind
from jalon.tickets.models import InvalidTransition, Ticket, TicketEvent
from jalon.tickets.workflow import STEPS
from jalon.web.tickets.actions import ACTIONS as PAGE_ACTIONS
from jalon.web.tickets.actions import RECORDS, TRANSITIONS


def test_every_step_names_a_domain_method_taking_its_input() -> None:
    for step in STEPS.values():
        method = getattr(Ticket, step.method)
        accepted = set(inspect.signature(method).parameters) - {"self", "actor"}
        assert {f.name for f in input_fields(step.input)} <= accepted, step.name
        assert not step.check or callable(getattr(Ticket, step.check)), step.name


def test_the_page_and_the_api_offer_the_table_s_steps_and_nothing_else() -> None:
    assert [a.step for a in PAGE_ACTIONS.values()] == list(STEPS.values())
    assert set(TRANSITIONS) | set(RECORDS) == set(PAGE_ACTIONS)
    assert set(API_ACTIONS) == {s.name for s in STEPS.values() if s.in_api}
    for action in PAGE_ACTIONS.values():
        # fields a form enters an input as (time in hours or days gives its minutes) are its own
        form_fields = set(action.form.base_fields) - getattr(action.form, "entered_as", frozenset())
        assert {f.name for f in input_fields(action.step.input)} >= form_fields - {"internal"}, action.slug


def test_every_event_kind_has_a_typed_payload() -> None:
    assert set(PAYLOADS) == set(EventKind)


def test_a_payload_reads_back_as_it_was_written() -> None:
    called = datetime(2026, 5, 7, 8, 30, tzinfo=UTC)
    for payload in (events.PhoneCall(called_at=called, note="SPC"),
                    events.TimeLogged(entry=3, minutes=45, spent_on=date(2026, 5, 7), forfait=False),
                    events.Resolved(resolution="workaround", note="contourné"),
                    events.Opened(type="t", title="x", requester=None)):
        stored = payload.as_json()
        assert events.read(payload.kind, stored) == payload
    assert "requester" not in events.Opened(title="x").as_json()
    assert events.Resolved(resolution="definitive").as_json() == {"kind": "definitive", "note": ""}


def test_an_older_payload_without_a_new_field_takes_its_default() -> None:
    assert events.read("waiting", {"note": "relancé"}) == events.Waiting(reason="", note="relancé")


class WorkflowOnTicketsTest(JalonTestCase):
    def setUp(self) -> None:
        self.ticket = Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance",
                                  title="Purge en échec", description="La purge nocturne échoue.")

    def test_the_domain_refuses_a_step_from_a_state_the_table_does_not_allow(self) -> None:
        assert not STEPS["close"].allows(self.ticket.state)
        with pytest.raises(InvalidTransition):
            self.ticket.close(self.level1)

    def test_the_steps_offered_follow_the_roles_the_state_and_the_step_s_own_rule(self) -> None:
        def offered(user: User) -> set[str]:
            return {s.name for s in STEPS.values() if self.ticket.offers(s, user)}

        assert {"qualify", "cancel"} <= offered(self.level1)
        assert "qualify" not in offered(self.technician)
        assert "start" not in offered(self.technician)  # not from "new"
        assert "cancel" in offered(self.requester)  # their own request, still new
        assert "cancel" not in offered(self.other_requester)
        self.ticket.qualify(self.level1, urgency="critique", impact="site")
        assert "cancel" not in offered(self.requester)  # taken in charge: level 1 cancels it

    def test_each_step_records_its_event_with_a_typed_payload(self) -> None:
        self.ticket.qualify(self.level1, urgency="critique", impact="site", criticality="bloquant")
        self.ticket.assign(self.level1, group="Titulaire N2", person=self.technician)
        event = TicketEvent.objects.filter(ticket=self.ticket, kind=EventKind.ASSIGNED).get()
        assert event.data == events.Assigned(group="Titulaire N2", assignee=self.technician.pk)

    def test_members_are_the_active_people_with_a_role(self) -> None:
        assert self.technician in members_of(self.contract)
        assert self.outsider not in members_of(self.contract)
        assert list(members_of(self.contract, roles=[Role.AUDITOR])) == [self.auditor]
        self.technician.is_active = False
        self.technician.save()
        assert self.technician not in members_of(self.contract)

    def test_a_deactivated_member_cannot_be_assigned(self) -> None:
        self.ticket.qualify(self.level1, urgency="critique", impact="site")
        gone = make_user("gaston.parti", self.holder)
        self.contract.memberships.create(user=gone, role=Role.HOLDER_TECHNICIAN)
        gone.is_active = False
        gone.save()
        with pytest.raises(ValidationError) as raised:
            self.ticket.assign(self.level1, group="N2", person=gone)
        assert "assignee" in raised.value.message_dict

    def test_the_search_finds_title_description_number_and_reference(self) -> None:
        def found(text: str) -> list[Ticket]:
            return list(Ticket.objects.filter(contract=self.contract).matching(text))

        assert found("purge") == [self.ticket]
        assert found("nocturne") == [self.ticket]  # the description
        assert found(str(self.ticket.number)) == [self.ticket]
        assert found(f"#{self.ticket.number}") == [self.ticket]
        assert found(self.ticket.reference) == [self.ticket]
        assert found("sauvegarde") == []


