from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jalon.accounts.access import NotAllowed
from jalon.accounts.models import Role
from jalon.commitments import registry, sources
from jalon.conventions.model import ROLE_IDS
from jalon.conventions.period import Period
from jalon.deliverables.events import EventKind
from jalon.deliverables.models import Deliverable, DeliverableClock, DeliverableEvent, periods
from jalon.deliverables.tests.support import MONDAY, expect, load_terms, pdf
from jalon.deliverables.workflow import DeliverableState as S
from jalon.lib.clock import replaying
from jalon.messaging.clockwatch import scan_clocks
from jalon.testing.cast import JalonTestCase


class DeliverableWorkflowTests(JalonTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_terms(cls)

    def test_role_ids_are_the_platforms(self) -> None:
        assert set(ROLE_IDS) == set(Role.values)

    def test_submission_is_versioned_with_its_sha256(self) -> None:
        d = expect(self)
        with replaying(MONDAY + timedelta(hours=2)):
            first = d.submit(self.technician, file=pdf(body=b"one"))
        assert (first.version, first.sha256) == (1, hashlib.sha256(b"one").hexdigest())
        with replaying(MONDAY + timedelta(hours=3)):
            d.reject(self.buyer_manager, reason="Il manque la liste des correctifs.")
        d.refresh_from_db()
        assert d.state == S.REJECTED
        with replaying(MONDAY + timedelta(hours=4)):
            second = d.submit(self.technician, file=pdf(body=b"two"))
        assert second.version == 2
        assert list(d.submissions.values_list("version", "outcome")) == [(1, S.REJECTED), (2, "")]
        assert [e.kind for e in d.history.all()] == [
            EventKind.EXPECTED, EventKind.SUBMITTED, EventKind.REJECTED, EventKind.SUBMITTED]

    def test_roles_limits(self) -> None:
        d = expect(self)
        with pytest.raises(PermissionDenied):
            d.submit(self.requester, file=pdf())
        with pytest.raises(NotAllowed):  # the buyer side does not remit the holder's document
            d.submit(self.buyer_manager, file=pdf())
        d.submit(self.technician, file=pdf())
        with pytest.raises(PermissionDenied):
            d.accept(self.technician)
        with pytest.raises(NotAllowed):  # level 1 is no validator of this type
            d.accept(self.level1)
        with pytest.raises(PermissionDenied):
            Deliverable.expect(self.contract, self.technician, type="A.1", title="x", due_on=date(2026, 4, 1))

    def test_bad_input_is_located(self) -> None:
        with pytest.raises(ValidationError) as caught:
            Deliverable.expect(self.contract, self.buyer_manager, type="Z", title="x", due_on=date(2026, 4, 1))
        assert "type" in caught.value.message_dict
        d = expect(self)
        with pytest.raises(ValidationError) as caught:
            d.submit(self.technician, file=pdf("virus.exe"))
        assert "file" in caught.value.message_dict
        assert d.submissions.count() == 0

    def test_reservations_each_have_a_lifting_clock(self) -> None:
        d = expect(self, type="A.4")
        with replaying(MONDAY + timedelta(hours=1)):
            d.submit(self.technician, file=pdf())
        with replaying(MONDAY + timedelta(hours=2)):
            d.accept_with_reservations(self.buyer_manager, reservations="Annexe B absente\nSynthèse à revoir")
        d.refresh_from_db()
        assert d.state == S.RESERVED
        reservations = list(d.reservations.all())
        assert len(reservations) == 2
        assert reservations[0].lift_by == date(2026, 3, 9)  # 5 business days, on "ho"
        clocks = {c.kind: c for c in d.clocks.all()}
        assert clocks["reservation-1"].is_running
        assert clocks["submission"].stopped_at
        assert clocks["validation"].stopped_at
        with replaying(MONDAY + timedelta(days=1)):
            d.lift_reservation(self.buyer_manager, number=1)
        d.refresh_from_db()
        assert d.state == S.RESERVED
        with replaying(MONDAY + timedelta(days=1, hours=1)):
            d.lift_reservation(self.buyer_manager, number=2)
        d.refresh_from_db()
        assert d.state == S.ACCEPTED
        assert not any(c.is_running for c in d.clocks.all())

    def test_tacit_validation_is_a_state_of_its_own_by_the_scan(self) -> None:
        d = expect(self)  # A.1: 5 business days, tacit
        with replaying(MONDAY + timedelta(hours=1)):
            d.submit(self.technician, file=pdf())
        with replaying(MONDAY + timedelta(days=6)):  # Sunday: not yet (5 business days = next Monday 09:00)
            scan_clocks(MONDAY + timedelta(days=6))
        d.refresh_from_db()
        assert d.state == S.SUBMITTED
        later = MONDAY + timedelta(days=7, hours=2)
        scan_clocks(later)
        d.refresh_from_db()
        assert d.state == S.TACIT
        event = d.history.get(kind=EventKind.TACITLY_VALIDATED)
        assert event.actor is None
        assert event.at == MONDAY + timedelta(days=7, hours=1)
        assert not d.history.filter(kind=EventKind.ACCEPTED).exists()
        with pytest.raises(ValidationError):
            d.accept(self.buyer_manager)

    def test_no_tacit_validation_where_the_type_forbids_it(self) -> None:
        d = expect(self, type="A.4")
        with replaying(MONDAY):
            d.submit(self.technician, file=pdf())
        scan_clocks(MONDAY + timedelta(days=30))
        d.refresh_from_db()
        assert d.state == S.SUBMITTED
        clock = d.clocks.get(kind="validation")
        assert clock.breached
        assert clock.breach_notified_at is not None

    def test_submission_clock_judges_the_due_date(self) -> None:
        d = expect(self, due_on=date(2026, 3, 3))
        clock = d.clocks.get(kind="submission")
        assert clock.due_at is not None
        assert clock.due_at.isoformat() == "2026-03-03T22:59:59+00:00"
        with replaying(MONDAY + timedelta(days=3)):
            d.submit(self.technician, file=pdf())
        clock.refresh_from_db()
        assert clock.breached
        assert "deliverable" in [c.name for c in registry.registered()]
        assert registry.of(DeliverableClock).name == "deliverable"

    def test_plan_from_the_register_is_idempotent(self) -> None:
        with replaying(MONDAY):
            made = Deliverable.plan(self.contract, date(2026, 4, 30))
            again = Deliverable.plan(self.contract, date(2026, 4, 30))
        assert again == []
        dues = sorted(d.due_on for d in made)
        assert date(2026, 3, 31) in dues  # the PAQ
        assert date(2026, 4, 5) in dues  # March's dashboard, 5 days after the month
        assert periods("quarter", date(2026, 2, 10), date(2026, 4, 1))[-1][2] == "2026-Q2"

    def test_history_is_append_only(self) -> None:
        expect(self)
        with pytest.raises(TypeError):
            DeliverableEvent.objects.all().update(payload={})

    def test_measures_from_deliverables(self) -> None:
        late = expect(self, due_on=date(2026, 3, 3))
        with replaying(MONDAY + timedelta(days=3)):
            late.submit(self.technician, file=pdf())  # Thursday 5th: 2 days late
        with replaying(MONDAY + timedelta(days=3, hours=1)):
            late.reject(self.buyer_manager, reason="Incomplet")
        audit = expect(self, type="A.4", due_on=date(2026, 3, 20))
        with replaying(MONDAY + timedelta(days=4)):
            audit.submit(self.technician, file=pdf())
        source = next(s for s in sources.measure_sources() if s.name == "deliverables")
        version = self.contract.current_convention()
        assert version is not None
        convention = version.parsed()
        assert source.indicators(convention) == {"retard", "ajournements", "a_l_heure"}
        found = list(source.measures(self.contract, {"retard", "ajournements", "a_l_heure"},
                                     Period.parse("2026-03"), MONDAY + timedelta(days=30)))
        by = {(m.indicator, m.item): m.value for m in found}
        assert by[("retard", late.reference)] == 2.0
        assert by[("retard", audit.reference)] == 0.0
        assert by[("ajournements", "")] == 1.0
        assert by[("a_l_heure", "")] == 100.0
        assert all(m.evidence for m in found)
