from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jalon.contracts.models import ConventionVersion
from jalon.testing.cast import AQUAREEL_CONVENTION, JalonTestCase


class LoadConventionTest(JalonTestCase):
    def run_command(self, text: str) -> str:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "aquareel.yaml"
            path.write_text(text, encoding="utf-8")
            out = io.StringIO()
            call_command("load_convention", "AQR-2026", str(path), stdout=out, stderr=io.StringIO())
            return out.getvalue()

    def test_same_text_makes_no_new_version(self) -> None:
        assert "v1 inchangée" in self.run_command(AQUAREEL_CONVENTION)
        assert self.contract.convention_versions.count() == 1

    def test_changed_text_makes_a_new_version(self) -> None:
        changed = AQUAREEL_CONVENTION.replace('version: "2026.1"', 'version: "2026.2"')
        assert "v2 chargée" in self.run_command(changed)
        current = self.contract.current_convention()
        assert current is not None
        assert (current.number, current.parsed().version) == (2, "2026.2")
        assert current.sha256 != self.convention.sha256
        self.contract.refresh_from_db()
        assert self.contract.current_version == current  # what the lists read the rules by

    def test_the_lists_read_the_new_version_s_rules(self) -> None:
        from jalon.web.rules import current_rules

        renamed = AQUAREEL_CONVENTION.replace('version: "2026.1"', 'version: "2026.2"')
        assert current_rules([self.contract])[self.contract.pk].convention.version == "2026.1"
        self.run_command(renamed)
        self.contract.refresh_from_db()
        assert current_rules([self.contract])[self.contract.pk].convention.version == "2026.2"

    def test_a_broken_file_is_refused_with_its_line_and_field(self) -> None:
        broken = AQUAREEL_CONVENTION.replace("calendar: ho\n    targets: {\"*\": 1j}\n  - id: resolution",
                                             "calendar: nowhere\n    targets: {\"*\": 1j}\n  - id: resolution")
        with pytest.raises(CommandError) as raised:
            self.run_command(broken)
        assert "aquareel.yaml:" in str(raised.value)
        assert "calendar" in str(raised.value)
        assert ConventionVersion.objects.filter(contract=self.contract).count() == 1

    def test_unknown_contract_is_named(self) -> None:
        with pytest.raises(CommandError) as raised:
            call_command("load_convention", "NOPE", "x.yaml")
        assert "NOPE" in str(raised.value)

    def test_tickets_keep_the_version_they_were_opened_under(self) -> None:
        from jalon.tickets.models import Ticket

        ticket = Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance",
                             title="Purge")
        self.run_command(AQUAREEL_CONVENTION.replace('"2026.1"', '"2026.2"'))
        ticket.refresh_from_db()
        assert ticket.convention_version == self.convention
