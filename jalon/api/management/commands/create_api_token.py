"""``jalon create_api_token USERNAME NAME``: issue an API token and print it (shown only once)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jalon.api.models import ApiToken


class Command(BaseCommand):
    help = "Crée un jeton d’API pour une personne et l’affiche (une seule fois)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="identifiant de la personne")
        parser.add_argument("name", help="à quoi sert le jeton (outil, script)")
        parser.add_argument("--expires-in-days", type=int, default=None, metavar="DAYS",
                            help="durée de validité en jours (sans limite par défaut)")

    def handle(self, *args: Any, **options: Any) -> None:
        username, name, days = options["username"], options["name"], options["expires_in_days"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"username: aucune personne d’identifiant {username!r}")
        if not user.is_active:
            raise CommandError(f"username: le compte {username!r} est désactivé")
        if not name.strip():
            raise CommandError("name: indiquez à quoi sert le jeton")
        if days is not None and days <= 0:
            raise CommandError("--expires-in-days: un nombre de jours positif")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        _token, clear = ApiToken.issue(user, name.strip(), expires_at=expires_at)
        # The token alone on stdout, so that a script can capture it; the advice on stderr.
        self.stdout.write(clear)
        self.stderr.write(f"Jeton « {name.strip()} » pour {username} : copiez-le maintenant, il ne "
                          "sera plus jamais affiché (à utiliser dans « Authorization: Bearer … »).")
