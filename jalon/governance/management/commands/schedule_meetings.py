"""``jalon schedule_meetings [--contract SLUG] [--days N]``: plan each committee's meetings from
its frequency up to the horizon (the daily governance job does the same)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jalon.contracts.models import Contract
from jalon.governance import schedule
from jalon.lib import clock


class Command(BaseCommand):
    help = "Planifie les réunions des comités de la convention jusqu’à l’horizon."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contract", help="identifiant court du marché (tous par défaut)")
        parser.add_argument("--days", type=int, default=None, help="horizon en jours (JALON_MEETING_HORIZON_DAYS)")

    def handle(self, *args: Any, **options: Any) -> None:
        contracts = Contract.objects.all()
        if options["contract"]:
            contracts = contracts.filter(slug=options["contract"])
            if not contracts.exists():
                raise CommandError(f"unknown contract {options['contract']!r}")
        if options["days"] is not None and not 1 <= options["days"] <= 400:
            raise CommandError("--days: expected 1 to 400")
        now = clock.now()
        for contract in contracts:
            version = contract.current_convention()
            if version is None:
                continue
            today = now.astimezone(ZoneInfo(version.parsed().contract.tz)).date()
            made = schedule.schedule_contract(contract, today, options["days"])
            self.stdout.write(f"{contract.slug}: {len(made)} réunion(s) planifiée(s)")
