"""``jalon history verify --contract SLUG``: recompute a contract's hash chain.

Exit status 0 when the chain holds; 1, naming the first broken event, when an event was changed,
deleted or inserted, a published daily head is missing from the chain, or a comment differs
from its last recorded version. ``jalon history publish`` stores the daily heads now (the
periodic job does it every hour).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jalon.contracts.models import Contract
from jalon.tickets import history


class Command(BaseCommand):
    help = ("Vérifie la chaîne d’empreintes de l’historique d’un marché (verify), ou publie les "
            "empreintes quotidiennes (publish).")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="recompute a contract's chain")
        verify.add_argument("--contract", required=True, help="the contract's slug")
        actions.add_parser("publish", help="store each finished day's chain head")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "publish":
            stored = history.publish_heads()
            self.stdout.write(f"{stored} daily head(s) published")
            return
        contract = Contract.objects.filter(slug=options["contract"]).first()
        if contract is None:
            raise CommandError(f"no contract {options['contract']!r}")
        count, broken = history.verify(contract.pk)
        if broken is None:
            self.stdout.write(f"{contract.slug}: {count} events, chain intact")
            return
        self.stderr.write(f"{contract.slug}: chain broken at {broken}")
        sys.exit(1)
