"""``jalon demo``: demo data and one login per role, printed."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Charge les données de démonstration et affiche les identifiants de connexion."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        admin, _ = user_model.objects.get_or_create(username="admin", defaults={"email": "admin@jalon.localhost"})
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        self.stdout.write("Identifiants de démonstration (mots de passe renouvelés à chaque `jalon demo`) :")
        self.stdout.write(f"  administrateur  admin / {password}   → /admin/")
