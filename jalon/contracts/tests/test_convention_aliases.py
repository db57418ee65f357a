"""The platform loads convention files through the same bounded YAML reader: a "billion laughs"
file is refused at once, naming the file, and no version is recorded."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jalon.contracts.models import ConventionVersion
from jalon.conventions.tests.test_yamlsource import LAUGHS
from jalon.testing.cast import JalonTestCase


class ConventionAliasesTest(JalonTestCase):
    def test_a_billion_laughs_file_is_refused_naming_the_file(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "laughs.yaml"
            path.write_text(LAUGHS, encoding="utf-8")
            with pytest.raises(CommandError) as raised:
                call_command("load_convention", "AQR-2026", str(path), stdout=io.StringIO(),
                             stderr=io.StringIO())
        assert "laughs.yaml:" in str(raised.value)
        assert "aliases expand to more than" in str(raised.value)
        assert ConventionVersion.objects.filter(contract=self.contract).count() == 1
