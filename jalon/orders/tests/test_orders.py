from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404

from jalon.accounts.access import NotAllowed
from jalon.accounts.models import Role
from jalon.commitments import registry, sources
from jalon.contracts.models import Contract, ConventionVersion
from jalon.conventions.period import Period
from jalon.lib.clock import replaying
from jalon.orders.loading import load_index, load_schedule
from jalon.orders.models import InvalidTransition, Order, OrderClock, PriceRevision, PriceSchedule, RecurringOrder
from jalon.orders.schedulefile import ScheduleFileError, read_index_csv, read_schedule
from jalon.orders.workflow import OrderState
from jalon.testing.cast import JalonTestCase

SCHEDULES = Path(settings.BASE_DIR) / "schedules"
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris


def upload(name: str = "rapport.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 rapport", content_type="application/pdf")


class ScheduleFileTests(JalonTestCase):
    def test_shipped_schedules_read(self) -> None:
        for name, units in (("aquareel.yaml", 7), ("lade.yaml", 108), ("cd13.yaml", 6)):
            parsed = read_schedule((SCHEDULES / name).read_text(), name)
            assert len(parsed.units) == units
            assert parsed.demo_prices

    def test_errors_name_file_line_and_field(self) -> None:
        text = (SCHEDULES / "aquareel.yaml").read_text().replace('price: "850.00"', 'price: "8,5,0"')
        with pytest.raises(ScheduleFileError) as error:
            read_schedule(text, "bpu.yaml")
        line = next(i for i, t in enumerate(text.splitlines(), 1) if "8,5,0" in t)
        assert str(error.value).startswith(f"bpu.yaml:{line}: units[0].price:")
        bad_type = (SCHEDULES / "aquareel.yaml").read_text().replace("type: audit,", "type: audits,")
        with pytest.raises(ScheduleFileError, match=r"units\[5\]\.type: unknown type 'audits'"):
            read_schedule(bad_type, "bpu.yaml")
        with pytest.raises(ScheduleFileError, match="published_on"):
            read_index_csv("published_on,value\n2026-13-01,100\n", "syntec.csv")

    def test_load_is_versioned_and_idempotent(self) -> None:
        text = (SCHEDULES / "aquareel.yaml").read_text()
        first, created = load_schedule(text, "aquareel.yaml")
        again, created_again = load_schedule(text, "aquareel.yaml")
        assert created
        assert not created_again
        assert again.pk == first.pk
        assert first.units.get(code="AUD").unit_price == Decimal("4200.00")
        out = StringIO()
        call_command("orders", "load-schedule", str(SCHEDULES / "aquareel.yaml"), stdout=out)
        assert "déjà chargé" in out.getvalue()
        with pytest.raises(CommandError, match="no contract 'lade'"):
            call_command("orders", "load-schedule", str(SCHEDULES / "lade.yaml"))


class OrderTests(JalonTestCase):
    schedule: PriceSchedule

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.schedule, _ = load_schedule((SCHEDULES / "aquareel.yaml").read_text(), "aquareel.yaml")

    def order(self, actor=None, lines=(("PON-J", 3),), title="Ajout de stations") -> Order:
        with replaying(MONDAY):
            return Order.request(self.contract, actor=actor or self.requester, title=title, lines=list(lines))

    def test_one_off_intervention_through_service_done(self) -> None:
        order = self.order()
        assert order.number == 1
        assert order.reference == "BC-AQR-2026-1"
        assert order.amount == Decimal("2160.00")
        assert order.service == self.spc_ain
        with replaying(MONDAY + timedelta(minutes=5)):
            order.request_quote(self.requester)
        devis = order.clocks.get(kind="devis")
        assert devis.target_seconds == 2 * 10 * 3600
        assert devis.due_at == MONDAY + timedelta(days=2, minutes=5)
        with replaying(MONDAY + timedelta(days=1)):
            order.deliver_quote(self.technician, execution_days=5)
        with replaying(MONDAY + timedelta(days=1, hours=1)):
            with pytest.raises(ValidationError):
                order.sign(self.requester, commitment_number="  ")
            order.sign(self.requester, commitment_number="EJ-2026-0042")
        order.refresh_from_db()
        assert order.execution_days == 5
        assert order.state == OrderState.SIGNED
        assert not order.clocks.get(kind="devis").breached
        with replaying(MONDAY + timedelta(days=3)):
            with pytest.raises(ValidationError, match="livrable"):
                order.deliver(self.technician)
            stored = order.add_deliverable(self.technician, upload())
            assert len(stored.sha256) == 64
            order.deliver(self.technician)
        with replaying(MONDAY + timedelta(days=4)):
            order.defer(self.requester, new_deadline=date(2026, 3, 13), reason="Rapport incomplet")
        assert order.deferrals == 1
        assert order.state == OrderState.DEFERRED
        assert order.clocks.get(kind="relivraison").stopped_at is None
        with replaying(MONDAY + timedelta(days=7)):
            order.add_deliverable(self.technician, upload("rapport-v2.pdf"))
            order.deliver(self.technician)
            order.admit_with_refaction(self.requester, amount=Decimal("200"), reason="Livré en retard")
            order.record_service_done(self.requester)
        order.refresh_from_db()
        assert order.state == OrderState.SERVICE_DONE
        assert order.accepted_amount == Decimal("1960.00")
        assert not order.clocks.get(kind="execution").breached
        kinds = list(order.events.values_list("kind", flat=True))
        assert kinds[:3] == ["requested", "quote_requested", "quoted"]
        assert kinds[-1] == "service_done"
        with pytest.raises(InvalidTransition):
            order.cancel(self.requester, reason="trop tard")

    def test_who_orders_what(self) -> None:
        with pytest.raises(NotAllowed):  # corrective maintenance is the SCV's (§7.7)
            self.order(self.requester, lines=[("COR-S", 1)])
        corrective = self.order(self.buyer_manager, lines=[("COR-S", 1)])
        with pytest.raises(NotAllowed):
            corrective.sign(self.requester, commitment_number="EJ-1")
        with pytest.raises(NotAllowed):
            self.order(self.auditor)
        with pytest.raises(NotAllowed):
            self.order(self.technician)
        mine = self.order()
        with pytest.raises(NotAllowed):  # the holder does not sign
            mine.sign(self.technician, commitment_number="EJ-2")
        with pytest.raises(ValidationError, match="un seul type"):
            self.order(self.buyer_manager, lines=[("COR-S", 1), ("PON-J", 1)])
        with pytest.raises(ValidationError, match="inconnue"):
            self.order(lines=[("NOPE", 1)])
        with pytest.raises(ValidationError, match="quantité"):
            self.order(lines=[("PON-J", "-2")])

    def test_a_requester_sees_its_own_service_only(self) -> None:
        mine = self.order()
        theirs = self.order(self.other_requester)
        assert list(Order.objects.visible_to(self.requester, self.contract)) == [mine]
        assert set(Order.objects.visible_to(self.auditor, self.contract)) == {mine, theirs}
        with pytest.raises(Http404):
            Order.objects.get_for(self.requester, self.contract, theirs.number)
        with pytest.raises(Http404):
            Order.objects.get_for(self.outsider, self.contract, mine.number)
        with pytest.raises(NotAllowed):
            theirs.request_quote(self.requester)

    def test_audit_runs_to_performance_then_report(self) -> None:
        order = self.order(lines=[("AUD", 1)], title="Audit annuel")
        with replaying(MONDAY):
            order.sign(self.requester, commitment_number="EJ-7")
        assert order.execution_days == 20
        with replaying(MONDAY + timedelta(days=30)):  # 22 business days: late
            order.record_performed(self.technician)
        execution = order.clocks.get(kind="execution")
        assert execution.breached
        assert execution.stopped_at is not None
        rapport = order.clocks.get(kind="rapport")
        assert rapport.target_seconds == 15 * 36000
        assert rapport.stopped_at is None
        assert registry.of(OrderClock).url(order) == f"/marches/{self.contract.slug}/commandes/{order.number}/"

    def test_an_installation_is_due_after_the_later_of_order_and_audit(self) -> None:
        audit = self.order(lines=[("AUD", 1)], title="Audit avant HA")
        with replaying(MONDAY):
            audit.sign(self.requester, commitment_number="EJ-A")
            ha = Order.request(self.contract, actor=self.requester, title="HA", lines=[("HA", 1)], audit=audit)
            ha.sign(self.requester, commitment_number="EJ-H")
        before = ha.clocks.get(kind="execution").due_at
        assert before == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 20 business days; summer time
        with replaying(MONDAY + timedelta(days=7)):
            audit.record_performed(self.technician)
        # 20 business days after the audit: Easter Monday (6 April) is a holiday
        assert ha.clocks.get(kind="execution").due_at == datetime(2026, 4, 7, 8, 0, tzinfo=UTC)
        with pytest.raises(ValidationError, match="audit"), replaying(MONDAY):
            Order.request(self.contract, actor=self.requester, title="HA", lines=[("HA", 1)], audit=ha)

    def test_revision_makes_a_new_version(self) -> None:
        load_index("SYNTEC", "Syntec", [(date(2025, 10, 1), Decimal("300")), (date(2026, 10, 1), Decimal("309"))])
        from jalon.orders.models import PriceIndex

        revision = PriceRevision.compute(self.schedule, PriceIndex.objects.get(code="SYNTEC"),
                                         a=Decimal("0.15"), b=Decimal("0.85"), base_day=date(2025, 12, 31),
                                         new_day=date(2026, 12, 1), effective_from=date(2027, 1, 1),
                                         actor=self.buyer_manager)
        prices = {p.code: p for p in revision.prices()}
        assert prices["AUD"].after == Decimal("4307.10")  # 4200 × (0.15 + 0.85 × 1.03)
        with pytest.raises(NotAllowed):
            revision.approve(self.holder_manager)
        made = revision.approve(self.buyer_manager)
        assert made.version == 2
        assert made.units.get(code="AUD").unit_price == Decimal("4307.10")
        assert self.schedule.units.get(code="AUD").unit_price == Decimal("4200.00")
        with pytest.raises(ValidationError):
            revision.approve(self.buyer_manager)

    def test_monthly_recurring_orders_once(self) -> None:
        template = RecurringOrder.objects.create(
            contract=self.contract, title="Interventions mensuelles", lines=[["PON-DJ", 2]],
            requester=self.requester, commitment_number="EJ-REC", first_month="2026-01",
            execution_days=20)
        with replaying(MONDAY):
            call_command("orders", "recurring", "--month", "2026-03", stdout=StringIO())
            call_command("orders", "recurring", "--month", "2026-03", stdout=StringIO())
        made = Order.objects.get(template=template)
        assert made.month == "2026-03"
        assert made.state == OrderState.SIGNED
        assert made.commitment_number == "EJ-REC-2026-03"


class MeasureTests(JalonTestCase):
    def test_lade_b1_b2_b3_per_ordered_unit(self) -> None:
        lade = Contract.objects.create(reference="LADE", name="LADE", slug="lade", buyer=self.scv, holder=self.holder)
        text = (Path(settings.BASE_DIR) / "conventions" / "lade-tmes.yaml").read_text()
        ConventionVersion.load(lade, text, "lade-tmes.yaml")
        manager = self.member("lade.acheteur", self.scv, Role.BUYER_MANAGER)
        from jalon.accounts.models import Membership

        Membership.objects.create(user=manager, contract=lade, role="buyer_manager")
        Membership.objects.create(user=self.technician, contract=lade, role="holder_technician")
        load_schedule((SCHEDULES / "lade.yaml").read_text(), "lade.yaml")
        with replaying(MONDAY):
            order = Order.request(lade, actor=manager, title="Expertise réseau", lines=[("UO12a", 4), ("UO13a", 2)])
            order.request_quote(manager)
        with replaying(MONDAY + timedelta(days=9)):  # 7 business days: 2 days late
            order.deliver_quote(self.technician, execution_days=3)
            order.sign(manager, commitment_number="EJ-L1")
        source = next(s for s in sources.measure_sources() if s.name == "orders")
        version = lade.current_convention()
        assert version is not None
        convention = version.parsed()
        assert {"B1", "B2", "B3"} <= source.indicators(convention)
        found = list(source.measures(lade, {"B1", "B2", "B3"}, Period.parse("2026-Q1"),
                                     datetime(2026, 4, 1, tzinfo=UTC)))
        b1 = [m for m in found if m.indicator == "B1"]
        assert [m.item for m in b1] == ["BC-LADE-1 UO12a", "BC-LADE-1 UO13a"]
        assert all(m.value == 2 for m in b1)
        b2 = [m for m in found if m.indicator == "B2"]
        assert all(m.value > 0 for m in b2)  # not delivered by the end of the quarter
        assert b1[0].evidence[0].url == "/marches/lade/commandes/1/"


class NoticeTests(JalonTestCase):
    def test_state_changes_are_told_to_the_other_side(self) -> None:
        from jalon.messaging.models import NoticeKind, OutboxMessage

        load_schedule((SCHEDULES / "aquareel.yaml").read_text(), "aquareel.yaml")
        with self.captureOnCommitCallbacks(execute=False):
            order = Order.request(self.contract, actor=self.requester, title="Flux", lines=[("PON-J", 1)])
            assert not OutboxMessage.objects.exists()  # a request is not a change of state
            order.request_quote(self.requester)
            to_holder = set(OutboxMessage.objects.filter(kind=NoticeKind.ORDER_STATE).values_list("to", flat=True))
            assert self.holder_manager.email in to_holder
            assert self.requester.email in to_holder
            order.deliver_quote(self.technician, execution_days=3)
        told = OutboxMessage.objects.filter(kind=NoticeKind.ORDER_STATE).order_by("-pk").first()
        assert told is not None
        assert "Devis remis" in told.subject
        assert order.reference in told.subject
        assert f"/marches/aquareel/commandes/{order.number}/" in told.body


class RecurringTaskTests(JalonTestCase):
    def test_each_template_is_issued_once_and_a_broken_one_skipped(self) -> None:
        from jalon.orders.recurring import issue_all

        load_schedule((SCHEDULES / "aquareel.yaml").read_text(), "aquareel.yaml")
        RecurringOrder.objects.create(contract=self.contract, title="Bon", lines=[["PON-DJ", 1]],
                                      requester=self.requester, first_month="2026-01")
        RecurringOrder.objects.create(contract=self.contract, title="Cassé", lines=[["GONE", 1]],
                                      requester=self.requester, first_month="2026-01")
        with replaying(MONDAY):
            assert len(issue_all()) == 1
            assert issue_all() == []
        assert Order.objects.get().month == "2026-03"

    def test_the_periodic_task_makes_the_month_once(self) -> None:
        from jalon.messaging import tasks

        load_schedule((SCHEDULES / "aquareel.yaml").read_text(), "aquareel.yaml")
        RecurringOrder.objects.create(contract=self.contract, title="Bon", lines=[["PON-DJ", 1]],
                                      requester=self.requester, commitment_number="EJ", first_month="2026-01",
                                      execution_days=10)
        with replaying(MONDAY):
            assert tasks.recurring_orders() == 1
            assert tasks.recurring_orders() == 0
        assert "recurring_orders" in {t.__name__ for t in tasks.huey._registry._periodic_tasks}
        assert Order.objects.get().state == OrderState.SIGNED

    def test_a_second_worker_that_missed_the_first_is_refused_by_the_constraint(self) -> None:
        load_schedule((SCHEDULES / "aquareel.yaml").read_text(), "aquareel.yaml")
        template = RecurringOrder.objects.create(contract=self.contract, title="Bon", lines=[["PON-DJ", 1]],
                                                 requester=self.requester, commitment_number="EJ",
                                                 first_month="2026-01", execution_days=10)
        with replaying(MONDAY):
            assert template.issue("2026-03") is not None
            # the other worker read "not made yet" before the first one committed
            with mock.patch.object(RecurringOrder, "made", side_effect=[False, True]):
                assert template.issue("2026-03") is None
        assert Order.objects.filter(template=template).count() == 1
        assert Order.objects.get(template=template).state == OrderState.SIGNED


class AquareelMeasureTests(JalonTestCase):
    def test_a9_share_of_audit_reports_on_time_with_evidence(self) -> None:
        shipped = (Path(settings.BASE_DIR) / "conventions" / "aquareel-tma.yaml").read_text()
        ConventionVersion.load(self.contract, shipped, "aquareel-tma.yaml")
        load_schedule((SCHEDULES / "aquareel.yaml").read_text(), "aquareel.yaml")
        source = next(s for s in sources.measure_sources() if s.name == "orders")
        version = self.contract.current_convention()
        assert version is not None
        assert source.indicators(version.parsed()) == {"A9"}
        refs = []
        for late in (False, True):
            with replaying(MONDAY):
                audit = Order.request(self.contract, actor=self.requester, title="Audit", lines=[("AUD", 1)])
                audit.sign(self.requester, commitment_number="EJ")
            with replaying(MONDAY + timedelta(days=7)):
                audit.record_performed(self.technician)
            with replaying(MONDAY + timedelta(days=(30 if late else 14))):
                audit.add_deliverable(self.technician, upload())
                audit.deliver(self.technician)
            refs.append(audit.reference)
        spring = Period.parse("2026-03-01..2026-04-30")
        found = list(source.measures(self.contract, {"A9"}, spring, datetime(2026, 7, 1, tzinfo=UTC)))
        assert [(m.indicator, m.value, m.comment) for m in found] == [("A9", 50.0, "1/2")]
        assert [(e.record, e.detail) for e in found[0].evidence] == [(refs[0], "dans le délai"),
                                                                     (refs[1], "hors délai")]
        assert list(source.measures(self.contract, {"A9"}, Period.parse("2026-Q4"),
                                    datetime(2027, 1, 1, tzinfo=UTC))) == []


class GaugeTests(JalonTestCase):
    def test_ordered_delivered_accepted_remaining_and_warnings(self) -> None:
        from jalon.orders.gauge import gauges

        load_schedule((SCHEDULES / "aquareel.yaml").read_text(), "aquareel.yaml")
        with replaying(MONDAY):
            big = Order.request(self.contract, actor=self.buyer_manager, title="Lot", lines=[("COR-C", 15)])
            small = Order.request(self.contract, actor=self.buyer_manager, title="Petit", lines=[("COR-S", 2)])
            Order.request(self.contract, actor=self.buyer_manager, title="Non signé", lines=[("COR-C", 50)])
            big.sign(self.buyer_manager, commitment_number="EJ-1")
            small.sign(self.buyer_manager, commitment_number="EJ-2")
            small.add_deliverable(self.technician, upload())
            small.deliver(self.technician)
            small.admit_with_refaction(self.buyer_manager, amount=Decimal("100"), reason="Retard")
            by_period = {g.period: g for g in gauges(self.contract, MONDAY.date())}
        year = by_period["2026"]
        assert year.ordered == Decimal("85700.00")  # 15 × 5600 + 2 × 850; the unsigned one is not counted
        assert (year.delivered, year.accepted) == (Decimal("1700.00"), Decimal("1600.00"))
        assert year.remaining == Decimal("14300.00")
        assert year.state == "warning"  # past 80 % of 100 000
        assert by_period["term"].state == "ok"
        assert by_period["term"].below_minimum is False
        with replaying(MONDAY):
            more = Order.request(self.contract, actor=self.buyer_manager, title="Encore", lines=[("COR-C", 3)])
            more.sign(self.buyer_manager, commitment_number="EJ-3")
            assert {g.period: g.state for g in gauges(self.contract, MONDAY.date())}["2026"] == "over"


class CeilingAlertTests(JalonTestCase):
    def test_both_managers_hear_once_of_the_warning_then_once_of_the_maximum(self) -> None:
        from jalon.messaging.models import NoticeKind, OutboxMessage
        from jalon.messaging.recipients import members_with

        load_schedule((SCHEDULES / "aquareel.yaml").read_text(), "aquareel.yaml")
        managers = {u.email for u in (self.buyer_manager, self.holder_manager)}
        assert managers == set(members_with(self.contract, (Role.BUYER_MANAGER, Role.HOLDER_MANAGER)))

        def told() -> list[tuple[str, str]]:
            return sorted((m.to, m.subject) for m in OutboxMessage.objects.filter(kind=NoticeKind.CEILING_ALERT))

        with replaying(MONDAY), self.captureOnCommitCallbacks(execute=False):
            small = Order.request(self.contract, actor=self.buyer_manager, title="Petit", lines=[("COR-S", 2)])
            small.sign(self.buyer_manager, commitment_number="EJ-1")
            assert told() == []  # 1 700 € of 100 000 €
            big = Order.request(self.contract, actor=self.buyer_manager, title="Lot", lines=[("COR-C", 15)])
            big.sign(self.buyer_manager, commitment_number="EJ-2")
            warned = told()
            assert [to for to, _subject in warned] == sorted(managers)
            assert all(subject == f"[{self.contract.reference}] Bons de commande : 86 % du montant maximum "
                       "(l’année 2026)" for _to, subject in warned)
            again = Order.request(self.contract, actor=self.buyer_manager, title="Encore", lines=[("COR-S", 1)])
            again.sign(self.buyer_manager, commitment_number="EJ-3")
            assert told() == warned  # the warning is told once
            over = Order.request(self.contract, actor=self.buyer_manager, title="Trop", lines=[("COR-C", 3)])
            over.sign(self.buyer_manager, commitment_number="EJ-4")
        latest = OutboxMessage.objects.filter(kind=NoticeKind.CEILING_ALERT).order_by("pk").last()
        assert latest is not None
        assert "montant maximum dépassé" in latest.subject
        assert "dépassent le montant maximum pour l’année 2026" in latest.body
        assert over.reference in latest.body
        assert "/marches/aquareel/commandes/bordereau/" in latest.body
        assert len(told()) == 2 * len(managers)
