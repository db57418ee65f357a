"""Organisations, people and their roles on each contract.

A person is a Django ``User`` with a ``Profile`` (organisation, phone, optional TOTP). What a
person may do on a contract comes only from their ``Membership`` rows: no membership, no access
(see :mod:`jalon.accounts.access`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyotp
from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from jalon.contracts.models import Contract


class OrganisationKind(models.TextChoices):
    BUYER = "buyer", _("Service central acheteur")
    LEVEL1 = "level1", _("Support de niveau 1")
    USER_SERVICE = "user_service", _("Service utilisateur / site")
    HOLDER = "holder", _("Titulaire")


class Organisation(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("nature"), max_length=20, choices=OrganisationKind.choices)

    class Meta:
        ordering = ("name",)
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    BUYER_MANAGER = "buyer_manager", _("Responsable acheteur")
    LEVEL1_AGENT = "level1_agent", _("Agent de niveau 1")
    REQUESTER = "requester", _("Demandeur (service utilisateur)")
    HOLDER_MANAGER = "holder_manager", _("Responsable titulaire")
    HOLDER_TECHNICIAN = "holder_technician", _("Technicien titulaire")
    AUDITOR = "auditor", _("Auditeur (lecture seule)")


HOLDER_ROLES = frozenset({Role.HOLDER_MANAGER, Role.HOLDER_TECHNICIAN})


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="people",
        verbose_name=_("organisation"),
    )
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    totp_last_counter = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("profil")
        verbose_name_plural = _("profils")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def totp_enabled(self) -> bool:
        return bool(self.totp_secret)

    def enable_totp(self, secret: str, used_counter: int) -> None:
        """Turn the second factor on with ``secret``; the code used to confirm it is spent."""
        self.totp_secret, self.totp_last_counter = secret, used_counter
        self.save(update_fields=["totp_secret", "totp_last_counter"])

    def disable_totp(self) -> None:
        self.totp_secret = ""
        self.save(update_fields=["totp_secret"])

    def verify_totp(self, code: str, now: datetime | None = None) -> bool:
        """Accept a code of the current 30 s step (±1 for clock drift), each step only once."""
        if not self.totp_enabled:
            return False
        counter = accept_totp(self.totp_secret, code, now or timezone.now(),
                              self.totp_last_counter)
        if counter is None:
            return False
        # Remember the step so that an intercepted code cannot be replayed.
        self.totp_last_counter = counter
        self.save(update_fields=["totp_last_counter"])
        return True


def accept_totp(secret: str, code: str, now: datetime, after_counter: int) -> int | None:
    """The time step ``code`` belongs to, if valid and later than ``after_counter``."""
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    for drift in (-1, 0, 1):
        at = now + timedelta(seconds=drift * totp.interval)
        counter = int(totp.timecode(at))
        if counter > after_counter and totp.verify(code, for_time=at, valid_window=0):
            return counter
    return None


def profile_of(user: User) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("personne"),
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("marché"),
    )
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("rôle sur un marché")
        verbose_name_plural = _("rôles sur les marchés")
        constraints = (
            models.UniqueConstraint(fields=["user", "contract", "role"], name="membership_unique"),
        )

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.contract}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self._forget()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        self._forget()
        return deleted

    def _forget(self) -> None:
        """The user object this row holds drops the roles it had read (``access.memberships``)."""
        from jalon.accounts.access import forget_roles

        forget_roles(self.user)


def members_of(contract: Contract | int, *, roles: Iterable[Role] | None = None) -> QuerySet[User]:
    """The people who may act on ``contract``: active accounts with a role on it (one of
    ``roles``, if given), each once, by username. The one answer to "the members of a contract"
    for assignment, declaring on behalf, API look-ups, mail senders and notices."""
    rows = Membership.objects.filter(contract=contract)
    if roles is not None:
        rows = rows.filter(role__in=[Role(r) for r in roles])
    return User.objects.filter(is_active=True, pk__in=rows.values("user_id")).order_by("username")

