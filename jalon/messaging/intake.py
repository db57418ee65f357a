"""Mail intake: one raw message becomes a new ticket, a comment on its ticket, or a logged refusal.

A :class:`ReceivedMail` row is inserted first, in the same transaction as the ticket or comment:
its unique (intake, Message-ID) makes a second delivery, a second poll or a second worker stop
there. Refusals are recorded too (with their reason), so an administrator can see them; no
bounce is sent, to avoid answering spam.

Senders are recognised by their From address among the contract's members. Like any mail
gateway this trusts the address: the mail server in front (SPF/DKIM/DMARC) must reject forgeries.
"""

from __future__ import annotations

import hashlib
import logging
import re
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404

from jalon.accounts.models import members_of
from jalon.messaging.mailparse import (
    Envelope,
    MalformedMail,
    ParsedMail,
    envelope,
    parse_mail,
    reply_text,
)
from jalon.messaging.models import MailIntake, MailOutcome, OutboxMessage, ReceivedMail
from jalon.tickets.models import Channel, Comment, Ticket

log = logging.getLogger(__name__)

# "[AQR-2026-12]": the contract reference (which may hold dashes), a dash, the ticket number.
_TAG = re.compile(r"\[([^\[\]\s]+)-(\d+)\]")
_DOMAIN_ERRORS = (ValidationError, PermissionDenied, Http404)


class Refused(Exception):
    """The message is readable but will not enter Jalon; the text says why, in French."""


def route(recipients: tuple[str, ...], intakes: list[MailIntake]) -> MailIntake | None:
    """The intake a message was addressed to; a folder with one intake takes everything."""
    by_address = {intake.address.lower(): intake for intake in intakes}
    for address in recipients:
        if address in by_address:
            return by_address[address]
    return intakes[0] if len(intakes) == 1 else None


def receive(raw: bytes, intakes: list[MailIntake]) -> ReceivedMail | None:
    """Handle one raw message; ``None`` if it was already received (the same message delivered
    again). Every other message ends as a ticket, a comment, or a recorded refusal or
    quarantine: a message addressed to no intake of its folder, one reusing another's
    Message-ID, one too big or too deeply nested to read."""
    head = envelope(raw)
    intake = route(head.recipients, intakes)
    if intake is None:
        log.warning("mail %s to %s matches no intake", head.message_id, head.recipients)
        return quarantine(raw, intakes[0], "Adressé à aucune boîte de réception de ce dossier : "
                                           f"{', '.join(head.recipients) or '—'}.")
    if len(raw) > int(settings.JALON_IMAP_MAX_BYTES):
        return quarantine(raw, intake, f"Message trop volumineux ({len(raw)} octets).")
    try:
        mail = parse_mail(raw)
    except MalformedMail as error:
        return record_unreadable(raw, intake, str(error))
    with transaction.atomic():
        record = claim(intake, mail.message_id, mail.sender, mail.subject, raw)
        if record is not None and record.outcome in _OPEN:
            apply(record, mail, intake)
    return record


_OPEN = (MailOutcome.PENDING, MailOutcome.RETRYING)
"""A record whose message is still to be handled (the others are final)."""


def digest_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def claim(intake: MailIntake, message_id: str, sender: str, subject: str, raw: bytes
          ) -> ReceivedMail | None:
    """The record this message is handled under: a new one (pending); the one of an earlier
    attempt that failed unexpectedly (retrying); None when this very message was already
    received; a final quarantine record when another message already took its Message-ID."""
    digest = digest_of(raw)
    try:
        with transaction.atomic():
            return ReceivedMail.objects.create(intake=intake, message_id=message_id,
                                               sender=sender[:254], subject=subject[:255],
                                               raw_sha256=digest)
    except IntegrityError:
        pass
    earlier = ReceivedMail.objects.select_for_update().get(intake=intake, message_id=message_id)
    if earlier.outcome == MailOutcome.RETRYING:
        return earlier
    if not earlier.raw_sha256 or earlier.raw_sha256 == digest:
        log.info("mail %s already received on %s: skipped", message_id, intake.address)
        return None
    log.warning("mail %s reuses a Message-ID already received on %s: quarantined", message_id,
                intake.address)
    record, _created = ReceivedMail.objects.get_or_create(
        intake=intake, message_id=f"{message_id[:180]}#{digest[:32]}",
        defaults={"sender": sender[:254], "subject": subject[:255], "raw_sha256": digest,
                  "outcome": MailOutcome.QUARANTINED,
                  "reason": f"Message-ID déjà reçu (#{earlier.pk}) pour un autre message : mis "
                            "en quarantaine."})
    return None if not _created else record


def quarantine(raw: bytes, intake: MailIntake, reason: str, *, head: Envelope | None = None,
               attempts: int = 0) -> ReceivedMail | None:
    """Record a message that will not enter Jalon, with its reason, for an administrator."""
    head = head or envelope(raw)
    log.warning("mail %s from %r quarantined: %s", head.message_id, head.sender, reason)
    with transaction.atomic():
        record = claim(intake, head.message_id, head.sender, head.subject, raw)
        if record is not None and record.outcome in _OPEN:
            record.attempts = max(record.attempts, attempts)
            finish(record, MailOutcome.QUARANTINED, reason)
    return record


def note_failure(raw: bytes, intakes: list[MailIntake], error: BaseException) -> bool:
    """Count an unexpected failure on this message; True once it is quarantined (after
    ``JALON_IMAP_MAX_ATTEMPTS`` attempts), False while it should be tried again."""
    head = envelope(raw)
    intake = route(head.recipients, intakes) or intakes[0]
    reason = f"Erreur inattendue à la prise en charge : {type(error).__name__}: {error}"[:2000]
    with transaction.atomic():
        record, _created = ReceivedMail.objects.select_for_update().get_or_create(
            intake=intake, message_id=head.message_id,
            defaults={"sender": head.sender[:254], "subject": head.subject[:255],
                      "raw_sha256": digest_of(raw), "outcome": MailOutcome.RETRYING})
        if record.outcome != MailOutcome.RETRYING:
            return True  # already handled: nothing to retry
        record.attempts += 1
        done = record.attempts >= int(settings.JALON_IMAP_MAX_ATTEMPTS)
        record.outcome = MailOutcome.QUARANTINED if done else MailOutcome.RETRYING
        record.reason = reason
        record.save(update_fields=["attempts", "outcome", "reason"])
    return done


def record_unreadable(raw: bytes, intake: MailIntake, reason: str) -> ReceivedMail | None:
    head = envelope(raw)
    log.warning("mail %s from %r is unreadable: %s", head.message_id, head.sender, reason)
    with transaction.atomic():
        record = claim(intake, head.message_id, head.sender, head.subject, raw)
        if record is not None and record.outcome in _OPEN:
            finish(record, MailOutcome.MALFORMED, reason)
    return record


def finish(record: ReceivedMail, outcome: MailOutcome, reason: str = "",
           ticket: Ticket | None = None, comment: Comment | None = None) -> None:
    record.outcome, record.reason, record.ticket, record.comment = outcome, reason, ticket, comment
    record.save(update_fields=["outcome", "reason", "ticket", "comment"])


def apply(record: ReceivedMail, mail: ParsedMail, intake: MailIntake) -> None:
    try:
        author = author_of(mail, intake)
        ticket = ticket_of(mail, intake)
        if ticket is None:
            opened = open_ticket(author, mail, intake)
            skipped = attach(opened, author, mail, None)
            finish(record, MailOutcome.OPENED, skipped, ticket=opened)
        else:
            comment = comment_on(ticket, author, mail)
            skipped = attach(ticket, author, mail, comment)
            finish(record, MailOutcome.COMMENTED, skipped, ticket=ticket, comment=comment)
    except Refused as refusal:
        log.warning("mail %s from %s refused: %s", mail.message_id, mail.sender, refusal)
        finish(record, MailOutcome.REJECTED, str(refusal))


def author_of(mail: ParsedMail, intake: MailIntake) -> User:
    if mail.automatic:
        raise Refused("Réponse automatique ou envoi en nombre : ignoré.")
    if mail.sender == parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1].lower():
        raise Refused("Courriel envoyé par Jalon lui-même : ignoré (boucle).")
    users = list(members_of(intake.contract).filter(email__iexact=mail.sender)[:2])
    if len(users) != 1:
        why = "inconnu" if not users else "partagé par plusieurs comptes"
        raise Refused(f"Expéditeur {why} sur le marché {intake.contract.reference} : "
                      f"{mail.sender}.")
    return users[0]


def ticket_of(mail: ParsedMail, intake: MailIntake) -> Ticket | None:
    """The ticket a reply belongs to: by the messages it answers, else by the subject's tag."""
    contract = intake.contract
    known = dict(OutboxMessage.objects.filter(
        message_id__in=mail.references, ticket__contract=contract,
    ).values_list("message_id", "ticket_id"))
    known |= dict(ReceivedMail.objects.filter(
        message_id__in=mail.references, intake__contract=contract, ticket__isnull=False,
    ).values_list("message_id", "ticket_id"))
    for message_id in mail.references:
        if known.get(message_id):
            return Ticket.objects.get(pk=known[message_id])
    return ticket_by_tag(mail.subject, intake)


def ticket_by_tag(subject: str, intake: MailIntake) -> Ticket | None:
    contract = intake.contract
    for reference, number in _TAG.findall(subject):
        if reference.lower() != contract.reference.lower():
            continue  # another tool's or contract's tag: not ours to follow
        ticket = Ticket.objects.filter(contract=contract, number=int(number)).first()
        if ticket is None:
            raise Refused(f"Référence inconnue : [{reference}-{number}].")
        return ticket
    return None


def open_ticket(author: User, mail: ParsedMail, intake: MailIntake) -> Ticket:
    try:
        return Ticket.open(intake.contract, actor=author, type=intake.default_type,
                           title=(mail.subject or "(sans objet)")[:200],
                           description=mail.body, channel=Channel.MAIL)
    except _DOMAIN_ERRORS as error:
        raise Refused(f"Ticket non ouvert : {explain(error)}") from None


def comment_on(ticket: Ticket, author: User, mail: ParsedMail) -> Comment:
    try:
        return ticket.add_comment(author, reply_text(mail.body) or "(courriel sans texte)")
    except _DOMAIN_ERRORS as error:
        raise Refused(f"Commentaire refusé sur {ticket.reference} : {explain(error)}") from None


def attach(ticket: Ticket, author: User, mail: ParsedMail, comment: Comment | None) -> str:
    """Save the attachments the ticket's limits allow; say which were left out, and why."""
    skipped = []
    for item in mail.attachments:
        upload = SimpleUploadedFile(item.filename, item.content, item.content_type)
        try:
            ticket.add_attachment(author, upload, comment=comment)
        except _DOMAIN_ERRORS as error:
            log.warning("attachment %r of mail %s refused: %s", item.filename, mail.message_id,
                        explain(error))
            skipped.append(f"Pièce jointe « {item.filename} » refusée : {explain(error)}")
    return "\n".join(skipped)


def explain(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or type(error).__name__
