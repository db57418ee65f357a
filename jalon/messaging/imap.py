"""Poll the intake mailboxes by IMAP (stdlib imaplib) and hand each new message to intake.

Only unseen messages are read, with ``BODY.PEEK[]`` so that reading does not mark them; a
message is flagged ``\\Seen`` once intake has recorded it. A message that makes intake fail
unexpectedly stays unseen and is tried again at the next poll; a connection error is logged and
the other mailboxes are still polled. The client is injectable: tests pass a fake server.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings

from jalon.messaging.intake import note_failure, quarantine, receive, route
from jalon.messaging.mailparse import envelope
from jalon.messaging.models import MailIntake

log = logging.getLogger(__name__)

_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapClient(Protocol):
    """The few imaplib.IMAP4 calls intake uses."""

    def select(self, mailbox: str = ..., readonly: bool = ...) -> tuple[str, list[Any]]: ...

    def search(self, charset: str | None, *criteria: str) -> tuple[str, list[Any]]: ...

    def fetch(self, message_set: str, message_parts: str) -> tuple[str, list[Any]]: ...

    def store(self, message_set: str, command: str, flags: str) -> tuple[str, list[Any]]: ...

    def logout(self) -> tuple[str, list[Any]]: ...


Connector = Callable[[dict[str, Any]], ImapClient]


def connect(account: dict[str, Any]) -> ImapClient:
    factory = imaplib.IMAP4_SSL if account.get("ssl", True) else imaplib.IMAP4
    client = factory(str(account["host"]), int(account["port"]), timeout=60)
    client.login(str(account["user"]), str(account["password"]))
    return client


def mailboxes() -> dict[tuple[str, str], list[MailIntake]]:
    """Active intakes grouped by (account, folder): one IMAP session per folder."""
    grouped: dict[tuple[str, str], list[MailIntake]] = defaultdict(list)
    for intake in MailIntake.objects.filter(active=True).select_related("contract"):
        if intake.account not in settings.JALON_IMAP_ACCOUNTS:
            log.error("intake %s names unknown IMAP account %r", intake.address, intake.account)
            continue
        grouped[(intake.account, intake.imap_folder())].append(intake)
    return grouped


def poll_all(connector: Connector | None = None) -> int:
    """Poll every configured mailbox; return how many messages were recorded."""
    connector = connector or connect
    recorded = 0
    for (account_name, folder), intakes in mailboxes().items():
        account = settings.JALON_IMAP_ACCOUNTS[account_name]
        if not account.get("host"):
            log.info("IMAP account %r has no host: not polled", account_name)
            continue
        try:
            recorded += poll_folder(connector(account), folder, intakes)
        except (OSError, imaplib.IMAP4.error) as error:
            log.error("IMAP %s/%s unreachable: %s", account_name, folder, error)
    return recorded


def poll_folder(client: ImapClient, folder: str, intakes: list[MailIntake]) -> int:
    recorded = 0
    try:
        status, answer = client.select(folder)
        if status != "OK":  # imaplib answers NO without raising, e.g. for a missing folder
            raise imaplib.IMAP4.error(f"SELECT {folder}: {status} {answer!r}")
        _typ, data = client.search(None, "UNSEEN")
        for number in (data[0] or b"").split():
            recorded += read_one(client, number.decode(), intakes)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):  # the session is over anyway
            client.logout()
    return recorded


def size_of(client: ImapClient, number: str) -> int:
    _typ, data = client.fetch(number, "(RFC822.SIZE)")
    found = _SIZE.search(data[0] if isinstance(data[0], bytes) else b"")
    return int(found.group(1)) if found else 0


def raw_of(client: ImapClient, number: str) -> bytes | None:
    _typ, data = client.fetch(number, "(BODY.PEEK[])")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def header_of(client: ImapClient, number: str) -> bytes:
    _typ, data = client.fetch(number, "(BODY.PEEK[HEADER])")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return b""


def read_one(client: ImapClient, number: str, intakes: list[MailIntake]) -> int:
    """Read message ``number`` and flag it seen once it has ended somewhere: a ticket, a comment,
    a refusal or a quarantine. A message over ``JALON_IMAP_MAX_BYTES`` is quarantined from its
    header alone; one that makes intake fail unexpectedly stays unseen for the next polls, at
    most ``JALON_IMAP_MAX_ATTEMPTS`` times in all, then is quarantined with the error."""
    size = size_of(client, number)
    if size > int(settings.JALON_IMAP_MAX_BYTES):
        log.warning("IMAP message %s is %s bytes, over JALON_IMAP_MAX_BYTES: quarantined", number, size)
        head = header_of(client, number)
        intake = route(envelope(head).recipients, intakes) or intakes[0]
        record = quarantine(head, intake, f"Message trop volumineux ({size} octets, au plus "
                                          f"{settings.JALON_IMAP_MAX_BYTES}) : non téléchargé.")
        client.store(number, "+FLAGS", "\\Seen")
        return int(record is not None)
    raw = raw_of(client, number)
    if raw is None:
        log.warning("IMAP message %s came back without content: left for the next poll", number)
        return 0
    try:
        record = receive(raw, intakes)
    except Exception as error:  # a bug or an outage must not stop the poll
        log.exception("IMAP message %s could not be taken in", number)
        try:
            quarantined = note_failure(raw, intakes, error)
        except Exception:  # the database itself is away: the next poll tries again
            log.exception("IMAP message %s: its failure could not be recorded", number)
            return 0
        if not quarantined:
            return 0
        client.store(number, "+FLAGS", "\\Seen")
        return 1
    client.store(number, "+FLAGS", "\\Seen")
    return int(record is not None)
