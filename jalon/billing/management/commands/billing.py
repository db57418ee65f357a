"""``jalon billing --contract SLUG --period P --format xlsx|facturx --out F``: a contract's billing
elements of a period (seed 002 L1634-1651, seed 003 L1118) as XLSX, or the holder's Factur-X
invoice draft (EN 16931) as a PDF/A-3 carrying its XML."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jalon.billing import elements, files
from jalon.billing.invoice import InvoiceError
from jalon.contracts.models import Contract
from jalon.conventions.period import Period, PeriodError
from jalon.lib import clock


class Command(BaseCommand):
    help = "Billing elements of a period (XLSX) or the Factur-X invoice draft (PDF/A-3)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--contract", required=True, help="the contract's slug")
        parser.add_argument("--period", required=True, help="2026-Q1, 2026-03, 2026 or 2026-01-15..2026-02-14")
        parser.add_argument("--format", required=True, choices=files.FORMATS, dest="fmt")
        parser.add_argument("--out", required=True, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        contract = Contract.objects.filter(slug=options["contract"]).first()
        if contract is None:
            raise CommandError(f"--contract: no contract {options['contract']!r}")
        try:
            period = Period.parse(options["period"])
        except PeriodError as error:
            raise CommandError(f"--period: {error}") from None
        found = elements.build(contract, period, clock.now())
        try:
            made = files.render(found, options["fmt"])
        except InvoiceError as error:
            raise CommandError(f"--period: {error}") from None
        out = Path(options["out"])
        try:
            out.write_bytes(made.content)
        except OSError as error:
            raise CommandError(f"--out: cannot write {out}: {error.strerror}") from None
        state = "scorecard validated" if found.scorecard.validated else "scorecard NOT validated"
        self.stdout.write(f"{out}: {options['fmt']}, {len(found.accepted)} accepted order(s), "
                          f"net {found.net_before_tax} before tax, penalties apart {found.penalties}, {state}")
