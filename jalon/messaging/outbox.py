"""Send the outbox: claim each due row with one conditional UPDATE, send it, record the result.

Several workers may flush at once (several consumers, or a flush queued after each commit plus
the periodic one): a row is sent by whichever worker's UPDATE took it; the others skip it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from jalon.messaging.models import OutboxMessage

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


def as_email(message: OutboxMessage, connection: BaseEmailBackend) -> EmailMultiAlternatives:
    headers = {"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"}
    if message.ticket_id:
        headers["X-Jalon-Ticket"] = str(message.ticket_id)
    email = EmailMultiAlternatives(
        message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to],
        reply_to=[message.reply_to] if message.reply_to else None, headers=headers,
        connection=connection)
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


def send_one(message: OutboxMessage, worker: str, connection: BaseEmailBackend) -> bool:
    try:
        as_email(message, connection).send()
    except Exception as error:  # any transport error: keep the row, retry later
        log.warning("sending outbox message %s to %s failed: %s", message.pk, message.to, error)
        message.mark_failed(worker, timezone.now(), f"{type(error).__name__}: {error}")
        return False
    message.mark_sent(worker, timezone.now())
    return True


def send_due(now: datetime | None = None, limit: int = 200) -> int:
    """Send up to ``limit`` due messages; return how many were sent by this call."""
    now = now or timezone.now()
    worker, connection, sent = worker_name(), get_connection(), 0
    for message in list(OutboxMessage.objects.due(now)[:limit]):
        if not message.claim(worker, now):
            continue  # another worker took it between our SELECT and our UPDATE
        message.refresh_from_db()
        sent += send_one(message, worker, connection)
    return sent
