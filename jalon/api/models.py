"""API tokens: ``Authorization: Bearer <token>`` for scripts and other tools.

Only the SHA-256 of a token is stored; the token itself is shown once, when it is issued (by
``jalon create_api_token`` or the admin). A token acts as its user, with that user's roles.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "jalon_"
# Writing ``last_used_at`` on every call would turn each read into a write: once a minute is
# precise enough to spot a token nobody uses any more.
LAST_USED_PRECISION = timedelta(minutes=1)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now: datetime) -> ApiTokenQuerySet:
        """Tokens neither revoked nor expired at ``now``, of active users."""
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def user_for(self, token: str, now: datetime) -> Any:
        """The user a presented token stands for, or None; notes when it was last used."""
        found = self.usable(now).select_related("user").filter(sha256=token_sha256(token)).first()
        if found is None:
            return None
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return found.user


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("personne"))
    name = models.CharField(_("nom"), max_length=100,
                            help_text=_("À quoi sert ce jeton (outil, script, personne)."))
    prefix = models.CharField(_("début du jeton"), max_length=12, editable=False)
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("dernier usage"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "pk")
        verbose_name = _("jeton d’API")
        verbose_name_plural = _("jetons d’API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, *, expires_at: datetime | None = None
              ) -> tuple[ApiToken, str]:
        """Create a token for ``user``; the clear token is returned here and never again."""
        token = cls(user=user, name=name, expires_at=expires_at)
        return token, token.set_secret()

    def set_secret(self) -> str:
        """Give this (unsaved) token a fresh secret, save it, return the clear token."""
        clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.prefix, self.sha256 = clear[: len(TOKEN_PREFIX) + 6], token_sha256(clear)
        self.save()
        return clear

    def revoke(self, now: datetime | None = None) -> None:
        if self.revoked_at is None:
            self.revoked_at = now or timezone.now()
            self.save(update_fields=["revoked_at"])


class IdempotentRequest(models.Model):
    """One creation request sent with an idempotency key, and the answer it got
    (:mod:`jalon.api.idempotency`): the same key sent again gets the same answer, without a
    second ticket or comment."""

    scope = models.CharField(max_length=64, help_text="Whose key: a digest of the caller's identity.")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "requête idempotente"
        verbose_name_plural = "requêtes idempotentes"
        constraints = (models.UniqueConstraint(fields=["scope", "key"], name="idempotent_once"),)
        indexes = (models.Index(fields=["created_at"], name="idempotent_created"),)

    def __str__(self) -> str:
        return f"{self.key} ({self.status or '…'})"
