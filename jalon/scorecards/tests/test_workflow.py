"""A period scored from the database, proposed, reviewed, validated, frozen and verified."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jalon.contracts.models import ConventionVersion
from jalon.conventions import report
from jalon.conventions.evaluate import evaluate
from jalon.conventions.period import Period
from jalon.conventions.platform import PLATFORM_PROFILE
from jalon.dashboard.tests.scenario import NOW, MarchScenario, paris
from jalon.scorecards import archive, compute
from jalon.scorecards.models import Frozen, ManualMeasure, MeasureEvent, PeriodScorecard, ScorecardEvent
from jalon.scorecards.workflow import Status
from jalon.testing.cast import AQUAREEL_CONVENTION
from jalon.tickets.export import tickets_to_ticketset
from jalon.tickets.models import Ticket

Q1 = Period.parse("2026-Q1")
WITH_MEASURE = AQUAREEL_CONVENTION + """\
  - id: S1
    label: Taux de décroché
    family: support
    kind: measure
    unit: "%"
    target: ">= 90%"
"""


class ScorecardTest(MarchScenario):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        ConventionVersion.load(cls.contract, WITH_MEASURE, "aquareel.yaml")

    def test_the_platform_scores_its_tickets_with_the_engine_of_exports(self) -> None:
        live = compute.score(self.contract, Q1, NOW)
        version = self.contract.current_convention()
        assert version is not None
        convention = version.parsed()
        tickets = tickets_to_ticketset(Ticket.objects.filter(contract=self.contract))
        direct = evaluate(convention, tickets, [], Q1, PLATFORM_PROFILE)
        expected = json.loads(json.dumps(report.scorecard_dict(direct)))
        assert compute.figures(live.card)["families"] == expected["families"]
        data = compute.document(self.contract, Q1, NOW)
        assert data["status"] == "draft"
        assert data["archive_url"] is None
        urgent = data["families"][0]["indicators"][0]
        assert urgent["id"] == "urgent_on_time"
        assert urgent["evidence_count"] >= 2

    def test_a_period_reads_only_the_tickets_that_can_weigh_on_it(self) -> None:
        """Tickets closed before the period (and not reopened) are left out of its inputs; the
        figures are those of the engine on every ticket of the contract."""
        version = self.contract.current_convention()
        assert version is not None
        convention = version.parsed()
        everything = tickets_to_ticketset(Ticket.objects.filter(contract=self.contract))
        for text in ("2026-03", "2026-04", "2026-Q2", "2026"):
            period = Period.parse(text)
            live = compute.score(self.contract, period, NOW)
            direct = evaluate(convention, everything, [], period, PLATFORM_PROFILE)
            expected = json.loads(json.dumps(report.scorecard_dict(direct)))
            assert compute.figures(live.card)["families"] == expected["families"], text
        april = compute.score(self.contract, Period.parse("2026-04"), NOW).card.tickets
        assert april is not None
        read = set(april.ids)
        self.t1.refresh_from_db()
        assert self.t1.closed_at is not None  # closed on 3 March, before April
        assert f"{self.contract.reference}-{self.t1.number}" not in read
        assert f"{self.contract.reference}-{self.t3.number}" in read  # still pending
        assert len(read) < len(everything)

    def test_manual_measures_count_and_keep_their_history(self) -> None:
        with self.at(paris(4, 1, 9)):
            ManualMeasure.enter(self.technician, self.contract, indicator="S1", period="2026-Q1",
                                value=88.5, source="Export ACD du 1er avril")
            measure = ManualMeasure.enter(self.technician, self.contract, indicator="S1", period="2026-Q1",
                                          value=91.0, source="Export ACD corrigé")
        with pytest.raises(PermissionDenied):
            measure.review(self.technician, "accepted")
        with pytest.raises(ValidationError):
            measure.review(self.buyer_manager, "contested")  # a contest gives its reason
        measure.review(self.buyer_manager, "contested", "Le fichier couvre mars seulement")
        assert [e.value for e in MeasureEvent.objects.filter(measure=measure)] == [88.5, 91.0, 91.0]
        s1 = compute.document(self.contract, Q1, NOW)["families"][0]["indicators"][1]
        assert (s1["id"], s1["value"], s1["met"]) == ("S1", 91.0, True)
        with pytest.raises(ValidationError) as error:
            ManualMeasure.enter(self.technician, self.contract, indicator="urgent_on_time", period="2026-Q1x",
                                value=1, source="")
        assert set(error.value.message_dict) == {"indicator", "period", "source"}

    def test_propose_review_answer_validate(self) -> None:
        with pytest.raises(PermissionDenied):
            PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "propose")
        with pytest.raises(PermissionDenied):
            PeriodScorecard.act(self.auditor, self.contract, Q1, "propose")
        card = PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=NOW)
        assert card.status == Status.PROPOSED
        with pytest.raises(PermissionDenied):
            PeriodScorecard.act(self.holder_manager, self.contract, Q1, "validate")
        card = PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "review", indicator="urgent_on_time",
                                   verdict="contested", comment="T2 : la réouverture compte", now=NOW)
        assert card.status == Status.CONTESTED
        with pytest.raises(ValidationError):  # not proposed again yet
            PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "validate", now=NOW)
        PeriodScorecard.act(self.holder_manager, self.contract, Q1, "answer", indicator="urgent_on_time",
                            comment="Arrêt d’horloge à la première résolution (D-08)", now=NOW)
        PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=NOW)
        card = PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "validate", now=NOW)
        assert card.status == Status.VALIDATED
        assert card.archive
        assert len(card.digests) >= 6
        assert [e.kind for e in ScorecardEvent.objects.filter(scorecard=card)] == [
            "proposed", "reviewed", "answered", "proposed", "validated"]
        data = compute.document(self.contract, Q1, NOW)
        assert data["status"] == "validated"
        assert data["archive_url"].endswith(".zip")

    def archive(self) -> bytes:
        blob = self.validated().archive
        assert blob is not None
        return bytes(blob)

    def validated(self) -> PeriodScorecard:
        PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=NOW)
        return PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "validate", now=NOW)

    def test_a_frozen_scorecard_never_changes_and_a_correction_is_a_new_version(self) -> None:
        card = self.validated()
        frozen = compute.document(self.contract, Q1, NOW)
        card.figures = {}
        with pytest.raises(Frozen):
            card.save()
        # a ticket reopened after the freeze moves the live figures, not the frozen ones
        with self.at(paris(4, 3, 9)):
            self.t1.reopen(self.level1, "Revient")
            self.t1.start_work(self.technician)
        with self.at(paris(4, 20, 9)):
            self.t1.resolve(self.technician, "definitive")
        assert compute.document(self.contract, Q1, paris(4, 21, 9)) == frozen
        with pytest.raises(ValidationError):
            PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "correct", now=NOW)  # a reason
        new = PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "correct",
                                  comment="Ticket T1 mal clôturé", now=paris(4, 21, 9))
        assert (new.version, new.status, new.reason) == (2, Status.DRAFT, "Ticket T1 mal clôturé")
        assert PeriodScorecard.objects.get(pk=card.pk).status == Status.VALIDATED  # both kept
        data = compute.document(self.contract, Q1, paris(4, 21, 9))
        assert (data["status"], data["version"], data["archive_url"]) == ("draft", 2, frozen["archive_url"])

    def test_verify_recomputes_the_archive_and_any_changed_byte_fails(self) -> None:
        with self.at(paris(3, 31, 9)):
            ManualMeasure.enter(self.technician, self.contract, indicator="S1", period="2026-Q1",
                                value=93.25, source="Export ACD", comment="trimestre")
        blob = self.archive()
        assert archive.verify(blob) is None
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            members = {i.filename: z.read(i) for i in z.infolist()}
        assert set(members) >= {"manifest.json", "figures.json", "inputs/tickets.csv", "inputs/events.csv",
                                "inputs/measures.csv", "evidence.csv", "scorecard.pdf", "convention/aquareel.yaml"}
        for name, data in members.items():
            for position in (0, len(data) // 2, len(data) - 1):
                changed = bytearray(data)
                changed[position] ^= 0x01
                assert archive.verify(rebuild(members, name, bytes(changed))) is not None, (name, position)

    def test_verify_finds_a_figure_that_the_inputs_do_not_give(self) -> None:
        blob = self.archive()
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            members = {i.filename: z.read(i) for i in z.infolist()}
            manifest = json.loads(members.pop("manifest.json"))
        figures = json.loads(members["figures.json"])
        figures["families"][0]["indicators"][0]["value"] = 0.5
        members["figures.json"] = archive.canonical(figures)
        forged = archive.build({k: v for k, v in manifest.items() if k not in ("format", "members")}, members)
        problem = archive.verify(forged)
        assert problem is not None
        assert problem.startswith("figures.json: families[0].indicators[0].value")

    def test_the_command_line_verify(self) -> None:
        from jalon.cli import main

        path = Path(self.enterContext(_tmp())) / "q1.zip"
        path.write_bytes(self.archive())
        assert main(["scorecard", "verify", str(path)]) == 0
        data = bytearray(path.read_bytes())
        data[-30] ^= 0xFF
        path.write_bytes(bytes(data))
        assert main(["scorecard", "verify", str(path)]) == 1


def rebuild(members: dict[str, bytes], name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for member, content in members.items():
            z.writestr(zipfile.ZipInfo(member, archive._STAMP), data if member == name else content)
    return out.getvalue()


def _tmp() -> Any:
    import tempfile

    return tempfile.TemporaryDirectory()


class DeadlineTest(MarchScenario):
    def test_the_deadlines_to_propose_and_validate_are_clocks_of_the_scan(self) -> None:
        from jalon.commitments import registry
        from jalon.scorecards.models import ScorecardClock

        assert registry.of(ScorecardClock).name == "scorecard"
        PeriodScorecard.open_ended(self.contract, [Q1, Period.parse("2026-Q2")], paris(4, 2, 9).date(), NOW)
        card = PeriodScorecard.objects.get(contract=self.contract, period="2026-Q1")  # Q2 is not over
        assert not PeriodScorecard.objects.filter(period="2026-Q2").exists()
        proposal = card.clocks.get(kind="proposal")
        # from the end of March, 10 business days of 10 h (Easter Monday 6 April is a holiday)
        assert proposal.started_at == paris(4, 1, 0)
        assert proposal.due_at == paris(4, 15, 18)
        assert not proposal.breached
        late = paris(4, 20, 9)
        PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=late)
        proposal.refresh_from_db()
        assert proposal.stopped_at == late
        assert proposal.breached
        validation = card.clocks.get(kind="validation")
        assert validation.started_at == late
        assert validation.due_at is not None
        assert validation.stopped_at is None
        assert ScorecardClock.objects.filter(scorecard=card).running().count() == 1


class ComputedMeasureTest(MarchScenario):
    """An indicator a record app computes (a registered MeasureSource) feeds the scorecard with
    its evidence, and refuses a typed-in value."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        ConventionVersion.load(cls.contract, WITH_MEASURE, "aquareel.yaml")

    def setUp(self) -> None:
        from jalon.commitments import sources

        def measures(contract, indicators, period, now):
            assert indicators == {"S1"}
            yield sources.ComputedMeasure("S1", Q1, 87.5, evidence=(
                sources.Evidence("BC-2026-014", "devis remis en 7 j (cible 5 j)", "/commandes/14/"),))

        sources.register_measures(sources.MeasureSource("orders-test", lambda c: {"S1", "unknown"}, measures))
        self.addCleanup(sources._measures.pop, "orders-test")

    def test_a_computed_indicator_is_scored_and_refuses_manual_entry(self) -> None:
        with pytest.raises(ValidationError) as error:
            ManualMeasure.enter(self.technician, self.contract, indicator="S1", period="2026-Q1", value=99,
                                source="saisie")
        assert "orders-test" in error.value.message_dict["indicator"][0]
        s1 = compute.document(self.contract, Q1, NOW)["families"][0]["indicators"][1]
        assert (s1["id"], s1["value"], s1["met"]) == ("S1", 87.5, False)
        self.client.force_login(self.buyer_manager)
        page = self.client.get(f"/marches/aquareel/bilans/{Q1}/").content.decode()
        assert "BC-2026-014" in page
        assert 'href="/commandes/14/"' in page
        PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=NOW)
        card = PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "validate", now=NOW)
        assert card.archive is not None
        blob = bytes(card.archive)
        assert b"S1,2026-Q1,87.5" in zipfile.ZipFile(io.BytesIO(blob)).read("inputs/measures.csv")
        assert archive.verify(blob) is None

    def test_the_scan_warns_the_holder_then_tells_both_parties_of_the_breach(self) -> None:
        from jalon.messaging.clockwatch import scan_clocks
        from jalon.messaging.models import OutboxMessage

        PeriodScorecard.open_ended(self.contract, [Q1], paris(4, 2, 9).date(), NOW)
        ours = OutboxMessage.objects.filter(subject__contains="2026-Q1").order_by("pk")
        with self.captureOnCommitCallbacks(execute=False):
            scan_clocks(paris(4, 14, 12))  # 80 % of the 10 days: the warning, to the holder
            assert [m.kind for m in ours] == ["at_risk"] * ours.count()
            assert ours.count() >= 1
            scan_clocks(paris(4, 16, 9))  # past the 15th at 18:00: the breach, to both parties
            sent = ours.count()
            scan_clocks(paris(4, 16, 10))
            assert ours.count() == sent  # once
        breach = {m.to for m in ours.filter(kind="breached")}
        assert self.buyer_manager.email in breach
        assert self.holder_manager.email in breach
        assert "/marches/aquareel/bilans/2026-Q1/" in ours.first().body  # type: ignore[union-attr]


class UnfinishedPeriodTest(MarchScenario):
    def test_a_period_is_proposed_once_it_is_over(self) -> None:
        with pytest.raises(ValidationError) as error:
            PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=paris(3, 31, 23))
        assert "01/04/2026" in error.value.messages[0]
        card = PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=paris(4, 1, 0))
        assert card.status == "proposed"
