"""A period's billing elements: XLSX, the Factur-X invoice draft, the command."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree
from openpyxl import load_workbook

from jalon.billing import elements, files, invoice
from jalon.contracts.models import ConventionVersion
from jalon.conventions.period import Period
from jalon.lib.clock import replaying
from jalon.orders.loading import load_index, load_schedule
from jalon.orders.models import Order, PriceRevision
from jalon.scorecards.models import PeriodScorecard
from jalon.scorecards.workflow import Status
from jalon.testing.cast import AQUAREEL_CONVENTION, Cast, JalonTestCase

SCHEDULES = Path(settings.BASE_DIR) / "schedules"
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Q1 = Period.parse("2026-Q1")
AFTER = datetime(2026, 4, 20, 10, 0, tzinfo=UTC)
WITH_MONEY = AQUAREEL_CONVENTION + """\
scoring:
  global: none
  bonus_malus:
    - {from: 16, outcome: bonus, percent: 2, label: "Prime incitative"}
    - {from: 12, outcome: neutral}
    - {from: 0, outcome: malus, percent: 1, label: "Malus qualité"}
  money: {per_point: 50, currency: EUR}
"""
NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"}


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("livraison.pdf", b"%PDF-1.4 livraison", content_type="application/pdf")


class AcceptedInQ1(Cast):
    version: ConventionVersion
    revised: Order
    cut: Order

    @classmethod
    def accept_in_q1(cls) -> None:
        """Two orders accepted in Q1 (one requested before an approved index revision and signed
        after it, one with a réfaction) and one accepted in Q2."""
        accepted_in_q1(cls)


def accepted_in_q1(cls: type[AcceptedInQ1]) -> None:
    cls.version, _ = ConventionVersion.load(cls.contract, WITH_MONEY, "aquareel.yaml")
    schedule, _ = load_schedule((SCHEDULES / "aquareel.yaml").read_text(), "aquareel.yaml")
    index, _ = load_index("SYNTEC-T", "Indice de test", [(date(2025, 12, 1), Decimal("300")),
                                                          (date(2026, 2, 1), Decimal("306"))])
    revision = PriceRevision.compute(schedule, index, a=Decimal("0.15"), b=Decimal("0.85"),
                                     base_day=date(2025, 12, 31), new_day=date(2026, 2, 15),
                                     effective_from=date(2026, 3, 1))
    with replaying(datetime(2026, 2, 25, 9, tzinfo=UTC)):
        # requested before the revised prices, signed after: billed at the revised price
        cls.revised = Order.request(cls.contract, actor=cls.buyer_manager, title="Correctif import",
                                    lines=[("COR-S", 2)])
        cls.cut = Order.request(cls.contract, actor=cls.buyer_manager, title="Correctif export",
                                lines=[("COR-M", 1)])
    revision.approve(cls.buyer_manager)
    with replaying(MONDAY):
        for order in (cls.revised, cls.cut):
            order.sign(cls.buyer_manager, commitment_number=f"EJ-{order.number}")
            order.add_deliverable(cls.technician, upload())
            order.deliver(cls.technician)
        cls.revised.admit(cls.buyer_manager)
        cls.cut.admit_with_refaction(cls.buyer_manager, amount=Decimal("100.00"), reason="Livré en retard")
    with replaying(MONDAY + timedelta(days=60)):  # accepted in Q2: not in Q1's elements
        late = Order.request(cls.contract, actor=cls.buyer_manager, title="Plus tard", lines=[("COR-S", 1)])
        late.sign(cls.buyer_manager, commitment_number="EJ-late")
        late.add_deliverable(cls.technician, upload())
        late.deliver(cls.technician)
        late.admit(cls.buyer_manager)


class BillingTests(AcceptedInQ1, JalonTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.accept_in_q1()

    def validate(self, band: str | None = "Malus qualité", points: float = 3.0) -> PeriodScorecard:
        """Q1's scorecard as its validation freezes it (the figures are what billing reads)."""
        return PeriodScorecard.objects.create(
            contract=self.contract, period="2026-Q1", status=Status.VALIDATED, created_at=AFTER,
            validated_at=AFTER, validated_by=self.buyer_manager, convention_version=self.version,
            figures={"global_note": 10.5, "total_penalty_points": points, "bonus_malus": band,
                     "money": {"amount": points * 50, "currency": "EUR"}, "probation": False})

    def test_accepted_orders_are_billed_at_the_revised_price_less_refactions(self) -> None:
        found = elements.build(self.contract, Q1, AFTER)
        assert [o.reference for o in found.accepted] == [self.revised.reference, self.cut.reference]
        line = found.accepted[0].lines[0]
        assert line.ordered_price == Decimal("850.00")
        assert line.unit_price == Decimal("864.45")  # 850 × (0.15 + 0.85 × 306/300), to the cent
        assert (line.revised, line.schedule_version) == (True, 2)
        assert found.lines_total == Decimal("1728.90") + found.accepted[1].amount
        assert found.refactions == Decimal("100.00")
        assert found.scorecard.validated is False
        assert found.bonus_malus_amount == 0
        assert found.penalties == 0
        assert [label for label, _n in found.tickets_resolved] == []
        assert found.forfait_days is None  # this convention has no support package

    def test_the_xlsx_says_clearly_when_the_scorecard_is_not_validated(self) -> None:
        book = load_workbook(io.BytesIO(files.render(elements.build(self.contract, Q1, AFTER), "xlsx").content))
        assert book.sheetnames == ["Synthèse", "Services rendus", "Bons admis", "Réfactions",
                                   "Pénalités et bonus-malus"]
        summary = {row[0]: row[1] for row in book["Synthèse"].iter_rows(min_row=2, values_only=True)}
        assert "NON VALIDÉ" in summary["Tableau de bord"]
        assert summary["Pénalités (retenues à part par l’acheteur)"] == "non arrêtées"
        rows = list(book["Bons admis"].iter_rows(min_row=2, values_only=True))
        assert (rows[0][0], rows[0][5], rows[0][8], rows[0][10], rows[0][12]) == (
            self.revised.reference, "COR-S", 2, 864.45, 1728.9)
        assert list(book["Réfactions"].iter_rows(min_row=2, values_only=True)) == [
            (self.cut.reference, "Correctif export", 100, "Livré en retard")]

    def test_a_validated_scorecard_brings_its_frozen_penalties_and_malus(self) -> None:
        self.validate()
        found = elements.build(self.contract, Q1, AFTER)
        assert found.scorecard.validated
        assert found.scorecard.penalty_amount == Decimal("150.00")
        base = found.lines_total - found.refactions
        assert found.bonus_malus_amount == -(base / 100).quantize(Decimal("0.01"))
        assert found.net_before_tax == base + found.bonus_malus_amount
        assert found.penalties == Decimal("150.00")  # apart: not in the net
        book = load_workbook(io.BytesIO(files.render(found, "xlsx").content))
        penalties = {r[0]: r[1] for r in book["Pénalités et bonus-malus"].iter_rows(min_row=2, values_only=True)}
        assert penalties["Montant des pénalités"] == 150
        assert penalties["Bonus / malus"] == "Malus qualité"

    def test_the_facturx_draft_validates_adds_up_and_carries_its_xml(self) -> None:
        self.validate()
        found = elements.build(self.contract, Q1, AFTER)
        body = invoice.xml(found)
        assert xml_check_xsd(body, flavor="factur-x", level="en16931")
        tree = etree.fromstring(body)
        sums = tree.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
        value = {child.tag.split("}")[1]: Decimal(child.text) for child in sums}
        lines = [Decimal(x.text) for x in tree.findall(
            ".//ram:IncludedSupplyChainTradeLineItem//ram:LineTotalAmount", NS)]
        assert value["LineTotalAmount"] == sum(lines) == found.lines_total
        assert value["AllowanceTotalAmount"] == found.refactions - found.bonus_malus_amount  # réfaction + malus
        assert value["TaxBasisTotalAmount"] == value["LineTotalAmount"] - value["AllowanceTotalAmount"]
        assert value["TaxTotalAmount"] == (value["TaxBasisTotalAmount"] * Decimal("0.20")).quantize(Decimal("0.01"))
        assert value["GrandTotalAmount"] == value["DuePayableAmount"] == (
            value["TaxBasisTotalAmount"] + value["TaxTotalAmount"])
        notes = " ".join(n.text for n in tree.findall(".//rsm:ExchangedDocument/ram:IncludedNote/ram:Content", NS))
        assert "150.00 EUR" in notes  # the penalties, apart
        assert "non déduites" in notes
        reasons = [r.text for r in tree.findall(".//ram:SpecifiedTradeAllowanceCharge/ram:Reason", NS)]
        assert any(self.cut.reference in r and "Livré en retard" in r for r in reasons)
        made = files.render(found, "facturx")
        assert made.content.startswith(b"%PDF")
        name, attached = get_xml_from_pdf(made.content, check_xsd=True)
        assert name == "factur-x.xml"
        assert attached == body

    def test_nothing_accepted_makes_no_invoice(self) -> None:
        with pytest.raises(invoice.InvoiceError):
            invoice.data(elements.build(self.contract, Period.parse("2026-01"), AFTER))

    def test_the_command_writes_each_format_and_locates_bad_input(self) -> None:
        self.validate(band=None, points=0)
        with self.settings(MEDIA_ROOT=settings.MEDIA_ROOT):
            for fmt in files.FORMATS:
                out = Path(self.tmp()) / f"f.{fmt}"
                output = StringIO()
                with replaying(AFTER):
                    call_command("billing", "--contract", "aquareel", "--period", "2026-Q1", "--format", fmt,
                                 "--out", str(out), stdout=output)
                assert "scorecard validated" in output.getvalue()
                assert out.read_bytes()[:2] in (b"PK", b"%P")
        with pytest.raises(CommandError, match="--period"):
            call_command("billing", "--contract", "aquareel", "--period", "2026-Q5", "--format", "xlsx",
                         "--out", "/tmp/x.xlsx")
        with pytest.raises(CommandError, match="--contract"):
            call_command("billing", "--contract", "nope", "--period", "2026-Q1", "--format", "xlsx",
                         "--out", "/tmp/x.xlsx")
        with pytest.raises(CommandError, match="rien à facturer"):
            call_command("billing", "--contract", "aquareel", "--period", "2025-Q1", "--format", "facturx",
                         "--out", "/tmp/x.pdf")

    def tmp(self) -> str:
        import tempfile

        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        return directory.name


