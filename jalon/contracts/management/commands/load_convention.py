"""``jalon load_convention CONTRACT FILE``: store a new convention version if the text changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from jalon.contracts.models import Contract, ConventionVersion
from jalon.conventions.errors import ConventionError
from jalon.conventions.platform import PLATFORM_STATES


class Command(BaseCommand):
    help = "Charge une convention de service (YAML) pour un marché ; nouvelle version si elle a changé."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contract", help="référence ou identifiant court du marché")
        parser.add_argument("file", type=Path, help="fichier de convention (YAML)")

    def handle(self, *args: Any, **options: Any) -> None:
        key, path = options["contract"], options["file"]
        contract = Contract.objects.filter(Q(reference=key) | Q(slug=key)).first()
        if contract is None:
            raise CommandError(f"contract: aucun marché de référence ou d’identifiant {key!r}")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"file: {path}: {error.strerror}") from error
        try:
            version, created = ConventionVersion.load(contract, text, str(path))
        except ConventionError as error:
            raise CommandError(str(error)) from error
        for state in sorted({s.id for s in version.parsed().states} - PLATFORM_STATES.keys()):
            self.stderr.write(f"{path}: states: {state!r} n’est pas un état de la plateforme ; "
                              "les délais le traitent selon sa phase")
        verb = "chargée" if created else "inchangée"
        self.stdout.write(f"{contract.reference} : convention v{version.number} {verb} "
                          f"(sha256 {version.sha256[:12]})")
