"""``jalon demo``: the three demo contracts (AQUAREEL, the water agencies' TME/TMS, CD13
Callipso), one login per role (printed, a role on every demo contract) and a quarter of tickets
on each."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
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
        admin.first_name, admin.last_name = "Ada", "Administratrice"
        admin.set_password(password)
        admin.save()
        report = load_demo(clock.now(), admin=admin)
        self.stdout.write(f"Marchés de démonstration ({report.tickets} tickets) :")
        for slug, contract in report.contracts.items():
            self.stdout.write(f"  {contract.name} — {settings.SITE_URL.rstrip('/')}/marches/{slug}/tableau-de-bord/")
        self.stdout.write("Identifiants, un par rôle, sur les trois marchés (mots de passe renouvelés à chaque "
                          "`jalon demo`) :")
        self.stdout.write(f"  {'administrateur':<32} admin / {password}   → /admin/")
        for login, first, last, _organisation, role in PEOPLE:
            self.stdout.write(f"  {role.label:<32} {login} / {report.passwords[login]}   ({first} {last})")
