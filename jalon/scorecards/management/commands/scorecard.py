"""``jalon scorecard --contract SLUG --period P [--format json|xlsx|pdf] [--out F]``.

Scores a period of a contract from the platform's database with the convention engine (the
frozen figures once the period is validated): the same JSON as
``GET /api/v1/contracts/{slug}/scorecards/{period}``. The file-to-file form (``--convention``,
``--tickets``…) is ``jalon.conventions.scorecard_cli``, which ``jalon scorecard`` runs without
``--contract``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jalon.contracts.models import Contract
from jalon.conventions.period import Period, PeriodError
from jalon.scorecards import compute
from jalon.scorecards.documents import write_xlsx
from jalon.scorecards.pdf import scorecard_pdf

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Tableau de bord contractuel d'une période, calculé depuis la base de la plateforme."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contract", required=True, metavar="SLUG")
        parser.add_argument("--period", required=True, help="2026-Q1, 2026-03, 2026 ou 2026-01-15..2026-02-14")
        parser.add_argument("--format", choices=("json", "xlsx", "pdf"), default="json")
        parser.add_argument("--out", metavar="F", help="fichier de sortie (défaut : sortie standard)")

    def handle(self, *args: Any, **options: Any) -> None:
        contract = Contract.objects.filter(slug=options["contract"]).first()
        if contract is None:
            raise CommandError(f"--contract: no contract {options['contract']!r}", returncode=BAD_INPUT)
        try:
            period = Period.parse(options["period"])
        except (PeriodError, ValueError) as error:
            raise CommandError(f"--period: {error}", returncode=BAD_INPUT) from None
        form, out = options["format"], options["out"]
        if form in ("xlsx", "pdf") and not out:
            raise CommandError(f"--out: the {form} format needs an output file", returncode=BAD_INPUT)
        try:
            data = compute.document(contract, period, timezone.now())
        except compute.NoConvention:
            raise CommandError(f"--contract: {contract.slug} has no convention", returncode=BAD_INPUT) from None
        if form == "json":
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            if out:
                Path(out).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
        elif form == "pdf":
            Path(out).write_bytes(scorecard_pdf(data))
        else:
            write_xlsx(contract, period, out)

