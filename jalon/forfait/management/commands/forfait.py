"""``jalon forfait statement --contract SLUG --month YYYY-MM --format pdf|xlsx --out F``: the
support package's monthly statement of a contract (seed 000 §7.2.2), as acknowledged if it was,
else as the ledger has it now."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jalon.contracts.models import Contract
from jalon.forfait import statement
from jalon.forfait.render import FORMATS


class Command(BaseCommand):
    help = "Support package (forfait): the monthly statement as PDF or XLSX."

    def add_arguments(self, parser: ArgumentParser) -> None:
        words = parser.add_subparsers(dest="word", required=True)
        sheet = words.add_parser("statement", help="write a month's statement")
        sheet.add_argument("--contract", required=True, help="the contract's slug")
        sheet.add_argument("--month", required=True, help="YYYY-MM")
        sheet.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        sheet.add_argument("--out", required=True, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        contract = Contract.objects.filter(slug=options["contract"]).first()
        if contract is None:
            raise CommandError(f"--contract: no contract {options['contract']!r}")
        try:
            month = statement.parse_month(options["month"])
        except statement.StatementError as error:
            raise CommandError(f"--month: {error}") from None
        found = statement.of(contract, month)
        data = found.render(options["fmt"])
        out = Path(options["out"])
        try:
            out.write_bytes(data)
        except OSError as error:
            raise CommandError(f"--out: cannot write {out}: {error.strerror}") from None
        lines = len(found.content["lines"])
        state = "acknowledged" if found.frozen else "not acknowledged"
        self.stdout.write(f"{out}: {options['fmt']}, {lines} line(s), {state}, sha256 {found.sha256}")
