"""The support package's pages: who sees the ledger, who acknowledges, who corrects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from unittest import mock

from jalon.forfait.models import Acknowledgement
from jalon.forfait.tests.base import ForfaitTestCase
from jalon.lib.clock import replaying
from jalon.tickets.models import TimeEntry

LEDGER = "/marches/aquareel/forfait/"
PDF = "/marches/aquareel/forfait/releves/2026-04.pdf"
XLSX = "/marches/aquareel/forfait/releves/2026-04.xlsx"
ACK = "/marches/aquareel/forfait/releves/2026-04/prise-en-compte/"


class ForfaitPagesTest(ForfaitTestCase):
    def setUp(self) -> None:
        self.entry = self.log(600, date(2026, 4, 2))
        self.log(300, date(2026, 4, 9))
        patcher = mock.patch("jalon.web.forfait.views.today", return_value=date(2026, 5, 10))
        patcher.start()
        self.addCleanup(patcher.stop)

    def correct_url(self) -> str:
        return f"/marches/aquareel/forfait/saisies/{self.entry.pk}/corriger/"

    def test_the_outsider_gets_404_everywhere(self) -> None:
        self.client.force_login(self.outsider)
        for url in (LEDGER, PDF, XLSX, self.correct_url()):
            assert self.client.get(url).status_code == 404, url
        assert self.client.post(ACK).status_code == 404
        assert self.client.post(self.correct_url(), {"minutes": 1}).status_code == 404

    def test_the_requester_has_no_access_to_the_ledger(self) -> None:
        self.client.force_login(self.requester)
        for url in (LEDGER, PDF, XLSX):
            assert self.client.get(url).status_code == 403, url
        assert self.client.post(ACK).status_code == 403

    def test_the_ledger_shows_running_totals_and_the_months(self) -> None:
        self.client.force_login(self.buyer_manager)
        page = self.client.get(LEDGER).content.decode()
        assert "AQR-2026-1" in page
        assert "1,50" in page
        assert "0,50" in page
        assert "Prendre en compte le relevé 2026-04" in page
        assert "Corriger la saisie" not in page  # the buyer does not correct
        response = self.client.get(PDF)
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert 'filename="forfait-aquareel-2026-04.xlsx"' in self.client.get(XLSX)["Content-Disposition"]

    def test_the_ledger_exports_every_row(self) -> None:
        self.urgent.correct_time(self.holder_manager, self.entry, minutes=300, spent_on=date(2026, 4, 2),
                                 reason="Doublon")
        self.client.force_login(self.auditor)
        response = self.client.get("/marches/aquareel/forfait/decompte.csv?jour=2026-04-01")
        lines = response.getvalue().decode("utf-8-sig").splitlines()
        assert len(lines) == 5
        assert lines[2].split(";")[:3] == [str(self.entry.pk + 2), "Annulation", str(self.entry.pk)]
        xlsx = self.client.get("/marches/aquareel/forfait/decompte.xlsx?jour=2026-04-01")
        assert xlsx.status_code == 200
        self.client.force_login(self.outsider)
        assert self.client.get("/marches/aquareel/forfait/decompte.csv").status_code == 404
        self.client.force_login(self.requester)
        assert self.client.get("/marches/aquareel/forfait/decompte.xlsx").status_code == 403

    def test_the_auditor_reads_but_neither_acknowledges_nor_corrects(self) -> None:
        self.client.force_login(self.auditor)
        page = self.client.get(LEDGER).content.decode()
        assert "AQR-2026-1" in page
        assert "Prendre en compte" not in page
        assert "Corriger la saisie" not in page
        assert self.client.get(PDF).status_code == 200
        assert self.client.post(ACK).status_code == 403
        assert self.client.get(self.correct_url()).status_code == 403
        assert not Acknowledgement.objects.exists()

    def test_the_buyer_acknowledges_a_finished_month(self) -> None:
        self.client.force_login(self.buyer_manager)
        with replaying(datetime(2026, 5, 10, 9, tzinfo=UTC)):
            response = self.client.post(ACK, follow=True)
        ack = Acknowledgement.objects.get()
        assert (ack.acknowledged_by, ack.month) == (self.buyer_manager, date(2026, 4, 1))
        page = response.content.decode()
        assert "Pris en compte par" in page
        assert ack.sha256[:10] in page
        self.client.force_login(self.holder_manager)
        assert self.client.post(ACK).status_code == 403

    def test_the_holder_corrects_an_entry(self) -> None:
        self.client.force_login(self.holder_manager)
        assert "Corriger la saisie" in self.client.get(LEDGER).content.decode()
        form = self.client.get(self.correct_url())
        assert form.status_code == 200
        assert "Motif de la correction" in form.content.decode()
        bad = self.client.post(self.correct_url(), {"minutes": 300, "spent_on": "2026-04-02", "reason": ""})
        assert bad.status_code == 400
        done = self.client.post(self.correct_url(), {"minutes": 300, "spent_on": "2026-04-02",
                                                     "reason": "Doublon partiel"})
        assert done.status_code == 302
        assert list(TimeEntry.objects.filter(corrects=self.entry).values_list("kind", "minutes")) == [
            ("reversal", -600), ("replacement", 300)]
        again = self.client.post(self.correct_url(), {"minutes": 100, "spent_on": "2026-04-02", "reason": "x"})
        assert again.status_code == 400
        assert "déjà été corrigée" in again.content.decode()
        self.client.force_login(self.technician)
        assert self.client.get(self.correct_url()).status_code == 200
