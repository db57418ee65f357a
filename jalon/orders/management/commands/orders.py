"""``jalon orders …``: price schedules, index values, revisions, monthly recurring orders.

    jalon orders load-schedule FILE                 a new schedule version from a YAML file
    jalon orders load-index CODE FILE [--label L]   published index values from CSV (date,value)
    jalon orders revise --contract SLUG --index CODE --a 0.15 --b 0.85 --base-day D --new-day D
                        --effective-from D [--approve USERNAME]
    jalon orders recurring --month YYYY-MM          this month's orders of every active template
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jalon.contracts.models import Contract
from jalon.lib import clock
from jalon.orders.loading import load_index, load_schedule
from jalon.orders.models import PriceIndex, PriceRevision, PriceSchedule
from jalon.orders.recurring import issue_all
from jalon.orders.schedulefile import ScheduleFileError, read_index_csv


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name}: expected a date YYYY-MM-DD, not {text!r}") from None


def _share(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"{name}: expected a number, not {text!r}") from None
    if not Decimal(0) <= value <= Decimal(1):
        raise CommandError(f"{name}: expected a coefficient between 0 and 1, not {text}")
    return value


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror}") from None


class Command(BaseCommand):
    help = "Bordereaux de prix, indices, révisions et bons de commande récurrents."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        one = sub.add_parser("load-schedule", help="charge un bordereau de prix (YAML)")
        one.add_argument("file")
        index = sub.add_parser("load-index", help="charge des valeurs publiées d’un indice (CSV date,valeur)")
        index.add_argument("code")
        index.add_argument("file")
        index.add_argument("--label", default="")
        revise = sub.add_parser("revise", help="calcule (et approuve) une révision de prix")
        for name in ("--contract", "--index", "--a", "--b", "--base-day", "--new-day", "--effective-from"):
            revise.add_argument(name, required=True)
        revise.add_argument("--approve", metavar="USERNAME", default="")
        recurring = sub.add_parser("recurring", help="crée les bons récurrents du mois")
        recurring.add_argument("--month", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except ScheduleFileError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None

    def _load_schedule(self, options: dict[str, Any]) -> None:
        path = options["file"]
        schedule, created = load_schedule(_read(path), Path(path).name)
        word = "chargé" if created else "déjà chargé"
        self.stdout.write(f"{schedule.contract.slug}: BPU v{schedule.version} {word} "
                          f"({schedule.units.count()} unités d’œuvre, en vigueur le {schedule.effective_from})")

    def _load_index(self, options: dict[str, Any]) -> None:
        path = options["file"]
        rows = read_index_csv(_read(path), Path(path).name)
        index, added = load_index(options["code"], options["label"], rows)
        self.stdout.write(f"{index.code}: {added} valeur(s) ajoutée(s), {index.values.count()} au total")

    def _revise(self, options: dict[str, Any]) -> None:
        contract = Contract.objects.filter(slug=options["contract"]).first()
        if contract is None:
            raise CommandError(f"--contract: no contract {options['contract']!r}")
        index = PriceIndex.objects.filter(code=options["index"]).first()
        if index is None:
            raise CommandError(f"--index: no index {options['index']!r} (load it with load-index)")
        base_day = _day(options["base_day"], "--base-day")
        schedule = PriceSchedule.in_force(contract, clock.now().date())
        if schedule is None:
            raise CommandError(f"--contract: {contract.slug} has no price schedule in force")
        revision = PriceRevision.compute(
            schedule, index, a=_share(options["a"], "--a"), b=_share(options["b"], "--b"), base_day=base_day,
            new_day=_day(options["new_day"], "--new-day"),
            effective_from=_day(options["effective_from"], "--effective-from"))
        self.stdout.write(f"P = P0 × ({revision.a} + {revision.b} × {revision.new_value.value} / "
                          f"{revision.base_value.value}) = P0 × {revision.coefficient:.6f}")
        for price in revision.prices():
            self.stdout.write(f"  {price.code}: {price.before} → {price.after}")
        if options["approve"]:
            user = User.objects.filter(username=options["approve"]).first()
            if user is None:
                raise CommandError(f"--approve: no person {options['approve']!r}")
            made = revision.approve(user)
            self.stdout.write(f"approuvée : BPU v{made.version} en vigueur le {made.effective_from}")
        else:
            self.stdout.write(f"révision n° {revision.pk} calculée, à approuver")

    def _recurring(self, options: dict[str, Any]) -> None:
        month = options["month"] or clock.now().strftime("%Y-%m")
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise CommandError(f"--month: expected YYYY-MM, not {month!r}")
        made = issue_all(month)
        for order in made:
            self.stdout.write(f"{order.reference}: {order.title}")
        self.stdout.write(f"{len(made)} bon(s) récurrent(s) créé(s) pour {month}")
