"""``jalon demo``: the AQUAREEL contract, one login per role (printed) and a quarter of tickets."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from jalon.demo.data import PEOPLE, load_demo
from jalon.lib import clock


class Command(BaseCommand):
    help = "Charge les données de démonstration et affiche les identifiants de connexion."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        password = secrets.token_urlsafe(12)
        admin, _ = get_user_model().objects.get_or_create(username="admin", defaults={"email": "admin@jalon.localhost"})
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        report = load_demo(clock.now())
        assert report.contract is not None
        self.stdout.write(f"Marché de démonstration : {report.contract.name} — {report.tickets} tickets")
        self.stdout.write("Identifiants (mots de passe renouvelés à chaque `jalon demo`) :")
        self.stdout.write(f"  {'administrateur':<22} admin / {password}   → /admin/")
        for login, first, last, _organisation, role in PEOPLE:
            label = f"{role.label}"
            self.stdout.write(f"  {label:<22} {login} / {report.passwords[login]}   ({first} {last})")
