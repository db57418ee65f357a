"""Personal calendar feeds: a secret address per feed, stored hashed, revocable.

The address is ``/calendrier/<token>.ics``: a calendar client subscribes to it without logging
in, so the token is the only credential; only its SHA-256 is stored and it is shown once, when
the feed is created. A revoked or unknown token is a 404.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _lazy

from jalon.lib import clock

TOKEN_PREFIX = "cal_"
LAST_USED_PRECISION = timedelta(minutes=5)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class FeedQuerySet(models.QuerySet["CalendarFeed"]):
    def user_for(self, token: str, now: datetime) -> Any:
        """The person an address stands for (active, feed not revoked), or None."""
        found = (self.filter(sha256=token_sha256(token), revoked_at__isnull=True, user__is_active=True)
                 .select_related("user").first())
        if found is None:
            return None
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_PRECISION:
            CalendarFeed.objects.filter(pk=found.pk).update(last_used_at=now)
        return found.user


class CalendarFeed(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    name = models.CharField(_lazy("nom"), max_length=100)
    prefix = models.CharField(_lazy("début de l’adresse"), max_length=12)
    sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_lazy("créé le"))
    last_used_at = models.DateTimeField(_lazy("dernière lecture"), null=True, blank=True)
    revoked_at = models.DateTimeField(_lazy("révoqué le"), null=True, blank=True)

    objects = FeedQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "pk")
        verbose_name = _lazy("abonnement de calendrier")
        verbose_name_plural = _lazy("abonnements de calendrier")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[CalendarFeed, str]:
        """A new feed for ``user``: the clear token is returned here and never again."""
        clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
        feed = cls.objects.create(user=user, name=(name.strip() or "Calendrier")[:100],
                                  prefix=clear[: len(TOKEN_PREFIX) + 6], sha256=token_sha256(clear),
                                  created_at=clock.now())
        return feed, clear

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = clock.now()
            self.save(update_fields=["revoked_at"])
