"""Each person's notifications: the notices the e-mails say, in the application, read or unread.

A person's notices are the outbox rows addressed to them (:attr:`User.email`) and, on the
contracts where they are on the holder's staff, those sent to the holder's shared mailbox
(:class:`HolderMailbox`). Reading one is recorded for that person (:class:`NoticeRead`), whether
or not the e-mail was sent.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from jalon.accounts.models import HOLDER_ROLES, Membership
from jalon.messaging.models import HolderMailbox, NoticeRead, OutboxMessage


def notices_for(user: User | AnonymousUser, *, unread_only: bool = False) -> QuerySet[OutboxMessage]:
    """The notices addressed to ``user``, newest first, each with ``is_read`` (one query: the
    shared mailboxes are a subquery)."""
    if not user.is_authenticated or user.pk is None:
        return OutboxMessage.objects.none()
    holder_of = Membership.objects.filter(user_id=int(user.pk), role__in=HOLDER_ROLES).values("contract")
    addressed = Q(to__in=HolderMailbox.objects.filter(contract__in=holder_of).values("address"))
    if user.email:
        addressed |= Q(to=user.email)
    read = Exists(NoticeRead.objects.filter(user_id=int(user.pk), message=OuterRef("pk")))
    found = OutboxMessage.objects.filter(addressed)
    if unread_only:
        found = found.filter(~read)
    return found.annotate(is_read=read).select_related("ticket", "ticket__contract").order_by("-created_at", "-pk")


def unread_count(user: User | AnonymousUser) -> int:
    return notices_for(user, unread_only=True).count()


def mark_read(user: User, pk: int | None = None) -> int:
    """Mark ``user``'s notice ``pk`` read, or all of them; return how many were unread."""
    unread = notices_for(user, unread_only=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    rows = [NoticeRead(user=user, message_id=found, read_at=timezone.now())
            for found in unread.values_list("pk", flat=True)]
    NoticeRead.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
