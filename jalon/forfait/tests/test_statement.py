from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jalon.forfait import statement
from jalon.forfait.models import Acknowledgement
from jalon.forfait.tests.base import ForfaitTestCase
from jalon.lib.clock import replaying


class StatementTest(ForfaitTestCase):
    def fill(self) -> None:
        self.log(300, date(2026, 3, 20))
        entry = self.log(600, date(2026, 4, 2))
        self.log(120, date(2026, 4, 15), self.corrective)  # not chargeable: not on the statement
        self.urgent.correct_time(self.holder_manager, entry, minutes=450, spent_on=date(2026, 4, 2),
                                 reason="Durée surestimée")

    def test_the_statement_lists_the_month_with_running_total_and_remainder(self) -> None:
        self.fill()
        content = statement.build(self.contract, date(2026, 4, 1))
        assert [(r["ticket"], r["kind"], r["minutes"], r["running"], r["remaining"]) for r in content["lines"]] == [
            ("AQR-2026-1", "entry", 600, 1.5, 0.5),
            ("AQR-2026-1", "reversal", -600, 0.5, 1.5),
            ("AQR-2026-1", "replacement", 450, 1.25, 0.75),
        ]
        assert (content["opening"], content["month_amount"], content["closing"], content["remaining"]) == (
            0.5, 0.75, 1.25, 0.75)
        assert content["lines"][0]["person"] == "tina.titulaire"

    def test_acknowledged_statement_is_frozen_with_its_sha256(self) -> None:
        self.fill()
        with replaying(datetime(2026, 5, 2, 9, tzinfo=UTC)):
            with pytest.raises(statement.StatementError):  # May is not over
                statement.acknowledge(self.buyer_manager, self.contract, date(2026, 5, 1))
            ack = statement.acknowledge(self.buyer_manager, self.contract, date(2026, 4, 1))
            with pytest.raises(statement.StatementError):
                statement.acknowledge(self.buyer_manager, self.contract, date(2026, 4, 1))
        assert ack.sha256 == statement.digest(ack.content)
        assert len(ack.sha256) == 64
        self.log(60, date(2026, 4, 28))  # late entry: the ledger moves, the statement does not
        frozen = statement.of(self.contract, date(2026, 4, 1))
        assert frozen.frozen
        assert frozen.content == ack.content
        assert frozen.sha256 == ack.sha256
        assert statement.build(self.contract, date(2026, 4, 1)) != ack.content
        with pytest.raises(TypeError):
            ack.save()
        with pytest.raises(TypeError):
            ack.delete()
        from jalon.accounts.access import NotAllowed
        with pytest.raises(NotAllowed):
            statement.acknowledge(self.holder_manager, self.contract, date(2026, 3, 1))
        assert Acknowledgement.objects.count() == 1

    def test_the_command_writes_pdf_and_xlsx(self) -> None:
        self.fill()
        tmp = Path(self.enterContext(__import__("tempfile").TemporaryDirectory()))
        out = io.StringIO()
        call_command("forfait", "statement", "--contract", "aquareel", "--month", "2026-04",
                     "--format", "pdf", "--out", str(tmp / "r.pdf"), stdout=out)
        assert (tmp / "r.pdf").read_bytes().startswith(b"%PDF")
        assert "3 line(s)" in out.getvalue()
        call_command("forfait", "statement", "--contract", "aquareel", "--month", "2026-04",
                     "--format", "xlsx", "--out", str(tmp / "r.xlsx"), stdout=out)
        import openpyxl

        book = openpyxl.load_workbook(tmp / "r.xlsx")
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        assert header[6:] == ["Temps (minutes)", "Temps (jours)", "Cumul de l’année (jours)", "Reste (jours)"]
        assert [c.value for c in sheet[3]][6:] == [-600, -1, 0.5, 1.5]  # numbers, not text
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:J{sheet.max_row}"
        assert sheet["C2"].is_date  # the day of the entry, a date the spreadsheet sorts
        assert sheet.column_dimensions["I"].width >= len("Cumul de l’année (jours)")
        with pytest.raises(CommandError, match="--month"):
            call_command("forfait", "statement", "--contract", "aquareel", "--month", "2026-13",
                         "--format", "pdf", "--out", str(tmp / "x.pdf"))
        with pytest.raises(CommandError, match="--contract"):
            call_command("forfait", "statement", "--contract", "nope", "--month", "2026-04",
                         "--format", "pdf", "--out", str(tmp / "x.pdf"))

    def test_the_pdf_is_french_and_names_each_intervention(self) -> None:
        self.fill()
        found = statement.of(self.contract, date(2026, 4, 1))
        from jalon.forfait import render

        text = render.pdf(found.content, found.sha256, compress=False).decode("latin-1")
        for word in ("Relev", "AQR-2026-1", "tina.titulaire", "annulation", "Reste"):
            assert word in text
        assert zipfile.is_zipfile(io.BytesIO(found.render("xlsx")))
