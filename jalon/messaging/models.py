"""E-mails waiting to be sent (the outbox) and the mailboxes that open tickets (mail intake).

A domain change never sends mail itself: it writes :class:`OutboxMessage` rows in its own
transaction, and a worker sends them after commit. Every row carries a unique ``dedup_key``, so
the same notice can never be queued twice, whichever worker or request tries.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.contracts.models import Contract
from jalon.tickets.models import Comment, Ticket

# A claimed row is left alone for this long; after that, the claim is presumed dead.
CLAIM_LEASE = timedelta(minutes=5)
LONGEST_RETRY_DELAY = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    """Wait 2, 4, 8… minutes after each failure, at most six hours."""
    return min(timedelta(minutes=2 ** min(attempts, 16)), LONGEST_RETRY_DELAY)


class NoticeKind(models.TextChoices):
    URGENT_OPENED = "urgent_opened", _("Nouvelle demande urgente")
    AT_RISK = "at_risk", _("Délai bientôt atteint")
    BREACHED = "breached", _("Délai dépassé")
    RESOLVED = "resolved", _("Demande résolue")
    INFORMED = "informed", _("Point de suivi du titulaire")
    METEO = "meteo", _("Météo quotidienne")
    FORFAIT_ALERT = "forfait_alert", _("Alerte de consommation du forfait")
    ORDER_STATE = "order_state", _("Bon de commande : changement d’état")
    WAITING_REQUESTER = "waiting_requester", _("Votre réponse est attendue")
    SCORECARD_STEP = "scorecard_step", _("Tableau de bord : étape de validation")
    CEILING_ALERT = "ceiling_alert", _("Bons de commande : montant maximum bientôt atteint")


class OutboxQuerySet(models.QuerySet["OutboxMessage"]):
    def due(self, now: datetime) -> OutboxQuerySet:
        """Messages to (re)send now: not sent, not given up, and not held by a live claim."""
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        return self.filter(free, next_attempt_at__lte=now).order_by("next_attempt_at", "pk")


class OutboxMessage(models.Model):
    """One e-mail to one address. ``next_attempt_at`` is empty once sent or given up."""

    to = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("texte"))
    html = models.TextField(_("HTML"), blank=True)
    reply_to = models.EmailField(_("répondre à"), blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="outbox_messages")
    kind = models.CharField(_("nature"), max_length=30, choices=NoticeKind.choices)
    dedup_key = models.CharField(max_length=400, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True,
                                           db_index=True)
    claimed_by = models.CharField(max_length=120, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[OutboxMessage]] = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("courriel sortant")
        verbose_name_plural = _("courriels sortants")
        # A person's notifications: the rows addressed to them, newest first.
        indexes = (models.Index(fields=["to", "-created_at"], name="outbox_to_created"),)

    def __str__(self) -> str:
        return f"{self.to} — {self.subject}"

    def claim(self, worker: str, now: datetime) -> bool:
        """Take this row for ``worker`` unless another live worker holds it (one UPDATE)."""
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        rows = OutboxMessage.objects.filter(free, pk=self.pk, next_attempt_at__lte=now)
        taken = rows.update(claimed_by=worker, claimed_until=now + CLAIM_LEASE) == 1
        if taken:
            self.claimed_by, self.claimed_until = worker, now + CLAIM_LEASE
        return taken

    def mark_sent(self, worker: str, now: datetime) -> None:
        OutboxMessage.objects.filter(pk=self.pk, claimed_by=worker).update(
            sent_at=now, next_attempt_at=None, attempts=models.F("attempts") + 1,
            last_error="", claimed_by="", claimed_until=None)

    def mark_failed(self, worker: str, now: datetime, error: str) -> None:
        attempts = self.attempts + 1
        give_up = attempts >= int(settings.JALON_OUTBOX_MAX_ATTEMPTS)
        OutboxMessage.objects.filter(pk=self.pk, claimed_by=worker).update(
            attempts=attempts, last_error=error[:2000], claimed_by="", claimed_until=None,
            next_attempt_at=None if give_up else now + retry_delay(attempts))


class NoticeRead(models.Model):
    """A person has read a notice in the application (their notifications, which list the outbox
    rows addressed to them). A row sent to a shared address (the holder's mailbox) is read or
    unread for each person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(_("lu le"), default=timezone.now)

    class Meta:
        verbose_name = _("notification lue")
        verbose_name_plural = _("notifications lues")
        constraints = (models.UniqueConstraint(fields=["user", "message"], name="notice_read_once"),)

    def __str__(self) -> str:
        return f"{self.user} — {self.message_id}"


class HolderMailbox(models.Model):
    """The holder's team address for a contract; when set, it replaces the holder staff's own
    addresses for notices meant for the holder (the contract model has no such field)."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE,
                                    related_name="holder_mailbox", verbose_name=_("marché"))
    address = models.EmailField(_("adresse du titulaire"))

    class Meta:
        verbose_name = _("boîte du titulaire")
        verbose_name_plural = _("boîtes du titulaire")

    def __str__(self) -> str:
        return f"{self.contract.reference} — {self.address}"


class MailIntake(models.Model):
    """An address whose mail opens tickets on a contract, or lands as comments on them."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="mail_intakes",
                                 verbose_name=_("marché"))
    address = models.EmailField(_("adresse de réception"), unique=True)
    account = models.CharField(
        _("compte IMAP"), max_length=60, default="default",
        help_text=_("Nom d’un compte de JALON_IMAP_ACCOUNTS dans les réglages."))
    folder = models.CharField(_("dossier IMAP"), max_length=200, blank=True,
                              help_text=_("Vide : le dossier du compte."))
    default_type = models.CharField(_("type des tickets ouverts"), max_length=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("contract", "address")
        verbose_name = _("réception de courriels")
        verbose_name_plural = _("réceptions de courriels")

    def __str__(self) -> str:
        return f"{self.address} → {self.contract.reference}"

    def clean(self) -> None:
        if self.account not in settings.JALON_IMAP_ACCOUNTS:
            raise ValidationError({"account": _("Compte IMAP inconnu des réglages.")})
        version = self.contract.current_convention() if self.contract_id else None
        types = version.parsed().types if version else {}
        if types and self.default_type not in types:
            raise ValidationError({"default_type": _("Type inconnu de la convention du marché.")})

    def imap_account(self) -> dict[str, object]:
        return dict(settings.JALON_IMAP_ACCOUNTS[self.account])

    def imap_folder(self) -> str:
        return self.folder or str(self.imap_account().get("folder") or "INBOX")


class MailOutcome(models.TextChoices):
    PENDING = "pending", _("En cours")
    OPENED = "opened", _("Ticket ouvert")
    COMMENTED = "commented", _("Commentaire ajouté")
    REJECTED = "rejected", _("Refusé")
    MALFORMED = "malformed", _("Illisible")
    QUARANTINED = "quarantined", _("En quarantaine")
    RETRYING = "retrying", _("Échec, nouvel essai prévu")


class ReceivedMail(models.Model):
    """Each message read from a mailbox, once: the unique Message-ID is what stops a second
    poll (or a second worker) from opening the same ticket twice."""

    intake = models.ForeignKey(MailIntake, on_delete=models.PROTECT, related_name="received")
    message_id = models.CharField(_("Message-ID"), max_length=255)
    sender = models.CharField(_("expéditeur"), max_length=254, blank=True)
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    outcome = models.CharField(_("suite donnée"), max_length=20, choices=MailOutcome.choices,
                               default=MailOutcome.PENDING)
    reason = models.TextField(_("motif"), blank=True)
    raw_sha256 = models.CharField(_("empreinte du message"), max_length=64, blank=True,
                                  help_text=_("SHA-256 du message brut : distingue une seconde "
                                              "livraison d’un autre message au même Message-ID."))
    attempts = models.PositiveSmallIntegerField(_("essais en échec"), default=0)
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="received_mails")
    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")

    class Meta:
        ordering = ("-received_at", "-pk")
        verbose_name = _("courriel reçu")
        verbose_name_plural = _("courriels reçus")
        constraints = (
            # Per intake: one message copied to two contracts' addresses reaches both.
            models.UniqueConstraint(fields=["intake", "message_id"], name="received_mail_once"),
        )
        indexes = (models.Index(fields=["message_id"]),)

    def __str__(self) -> str:
        return f"{self.message_id} ({self.get_outcome_display()})"


class PeriodicTick(models.Model):
    """A periodic task's tick, claimed by the one consumer that runs it when the queue is the
    local SQLite file (see :mod:`jalon.messaging.periodic`; a Redis queue keeps its claims in
    Redis). Rows are deleted once expired."""

    queue = models.CharField(max_length=100)
    task = models.CharField(max_length=100)
    tick = models.DateTimeField()
    token = models.CharField(max_length=32)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["queue", "task", "tick"], name="periodic_tick_once"),
        )

    def __str__(self) -> str:
        return f"{self.task} @ {self.tick:%Y-%m-%dT%H:%MZ}"
