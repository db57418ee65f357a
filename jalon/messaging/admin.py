"""Intake addresses and holder mailboxes are set up in the admin; the outbox and the received
mails are read there (to see why a message failed or was refused), never edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jalon.messaging.models import HolderMailbox, MailIntake, OutboxMessage, ReceivedMail


@admin.register(MailIntake)
class MailIntakeAdmin(admin.ModelAdmin):
    list_display = ("address", "contract", "account", "folder", "default_type", "active")
    list_filter = ("active", "contract")


@admin.register(HolderMailbox)
class HolderMailboxAdmin(admin.ModelAdmin):
    list_display = ("contract", "address")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "to", "subject", "sent_at", "attempts",
                    "next_attempt_at")
    list_filter = ("kind",)
    search_fields = ("to", "subject", "dedup_key")


@admin.register(ReceivedMail)
class ReceivedMailAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "intake", "sender", "subject", "outcome", "reason", "ticket")
    list_filter = ("outcome", "intake")
    search_fields = ("message_id", "sender", "subject")
