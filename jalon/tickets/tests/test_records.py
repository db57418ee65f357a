from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.test import override_settings
from django.urls import reverse

from jalon.accounts.access import NotAllowed
from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import EventKind, InterventionReport, Ticket, TicketEvent, TimeEntry


class AttachmentTest(JalonTestCase):
    def setUp(self) -> None:
        media = tempfile.mkdtemp(prefix="jalon-media-")
        self.addCleanup(shutil.rmtree, media)
        settings_override = override_settings(MEDIA_ROOT=media, JALON_ATTACHMENT_MAX_BYTES=1000)
        settings_override.enable()
        self.addCleanup(settings_override.disable)
        self.ticket = Ticket.open(self.contract, actor=self.requester,
                                  type="corrective_maintenance", title="Purge en échec")

    def upload(self, name: str = "journal.log", size: int = 100) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, b"x" * size, content_type="text/html")

    def url(self, attachment_id: int) -> str:
        return reverse("tickets:attachment", args=[self.ticket.pk, attachment_id])

    def test_an_attachment_is_stored_hashed_and_traced(self) -> None:
        attachment = self.ticket.add_attachment(self.requester, self.upload("rapport.pdf"))
        assert (attachment.size, attachment.original_name) == (100, "rapport.pdf")
        assert attachment.content_type == "application/pdf"  # never the client's word
        assert "rapport" not in attachment.file.name
        event = self.ticket.events.get(kind=EventKind.ATTACHMENT_ADDED)
        assert event.payload["sha256"] == attachment.sha256

    def test_too_big_or_wrong_type_is_refused_naming_the_field(self) -> None:
        for upload in (self.upload(size=1001), self.upload(name="outil.exe")):
            with self.subTest(name=upload.name), pytest.raises(ValidationError) as raised:
                self.ticket.add_attachment(self.requester, upload)
            assert "file" in raised.value.message_dict
        assert not self.ticket.attachments.exists()

    def test_the_requester_downloads_a_public_attachment(self) -> None:
        attachment = self.ticket.add_attachment(self.technician, self.upload())
        self.client.force_login(self.requester)
        response = self.client.get(self.url(attachment.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"x" * 100  # type: ignore[attr-defined]
        assert "attachment;" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_the_outsider_cannot_download(self) -> None:
        attachment = self.ticket.add_attachment(self.requester, self.upload())
        self.client.force_login(self.outsider)
        assert self.client.get(self.url(attachment.pk)).status_code == 404

    def test_anonymous_is_sent_to_login(self) -> None:
        attachment = self.ticket.add_attachment(self.requester, self.upload())
        response = self.client.get(self.url(attachment.pk))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]

    def test_internal_attachments_are_hidden_from_the_requester(self) -> None:
        attachment = self.ticket.add_attachment(self.technician, self.upload(), internal=True)
        self.client.force_login(self.requester)
        assert self.client.get(self.url(attachment.pk)).status_code == 404
        self.client.force_login(self.auditor)
        assert self.client.get(self.url(attachment.pk)).status_code == 200

    def test_an_attachment_of_another_ticket_is_not_served_here(self) -> None:
        other = Ticket.open(self.contract, actor=self.level1, type="corrective_maintenance",
                            title="Autre")
        attachment = other.add_attachment(self.level1, self.upload())
        self.client.force_login(self.requester)
        assert self.client.get(self.url(attachment.pk)).status_code == 404


class HistoryTest(JalonTestCase):
    def setUp(self) -> None:
        self.ticket = Ticket.open(self.contract, actor=self.requester,
                                  type="corrective_maintenance", title="Purge en échec")
        self.event = self.ticket.events.get()

    def test_an_event_cannot_be_saved_again(self) -> None:
        self.event.payload = {"title": "réécrit"}
        with pytest.raises(TypeError):
            self.event.save()

    def test_an_event_cannot_be_deleted(self) -> None:
        with pytest.raises(TypeError):
            self.event.delete()
        with pytest.raises(TypeError):
            TicketEvent.objects.filter(pk=self.event.pk).delete()

    def test_queryset_update_is_refused(self) -> None:
        with pytest.raises(TypeError):
            TicketEvent.objects.filter(pk=self.event.pk).update(kind=EventKind.CLOSED)

    def test_the_database_refuses_an_update(self) -> None:
        manager = TicketEvent._base_manager  # a plain manager, as raw code would use
        with pytest.raises(DatabaseError), transaction.atomic():
            manager.filter(pk=self.event.pk).update(kind=EventKind.CLOSED)
        assert TicketEvent.objects.get(pk=self.event.pk).kind == EventKind.OPENED

    def test_a_ticket_with_history_cannot_be_deleted(self) -> None:
        with pytest.raises(DatabaseError), transaction.atomic():
            self.ticket.delete()
        assert Ticket.objects.filter(pk=self.ticket.pk).exists()


class CommentsTimeAndReportTest(JalonTestCase):
    def setUp(self) -> None:
        # opened on 4 May, time is logged in June: every day logged is in the ticket's life (D-116)
        with time_machine.travel(datetime(2026, 5, 4, 9, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False):
            self.ticket = Ticket.open(self.contract, actor=self.requester,
                                      type="urgent_intervention", title="Concentrateur arrêté",
                                      is_urgent=True)
        self.june = time_machine.travel(datetime(2026, 6, 5, 9, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
        self.june.start()
        self.addCleanup(self.june.stop)

    def test_internal_comments_are_for_staff_only(self) -> None:
        with pytest.raises(NotAllowed):
            self.ticket.add_comment(self.requester, "Note", internal=True)
        comment = self.ticket.add_comment(self.technician, "Piste disque plein", internal=True)
        event = self.ticket.events.get(kind=EventKind.COMMENTED)
        assert event.internal
        assert event.payload["comment"] == comment.pk

    def test_time_spent_is_charged_to_the_forfait(self) -> None:
        entry = self.ticket.log_time(self.technician, minutes=90, spent_on=date(2026, 5, 11))
        assert entry.charged_to_forfait
        with pytest.raises(ValidationError) as raised:
            self.ticket.log_time(self.technician, minutes=0, spent_on=date(2026, 5, 11))
        assert "minutes" in raised.value.message_dict
        with pytest.raises(NotAllowed):
            self.ticket.log_time(self.level1, minutes=30, spent_on=date(2026, 5, 11))

    def test_forfait_minutes_count_only_charged_time_in_the_period(self) -> None:
        log = self.ticket.log_time
        log(self.technician, minutes=90, spent_on=date(2026, 5, 11))
        log(self.technician, minutes=30, spent_on=date(2026, 5, 31))
        log(self.technician, minutes=45, spent_on=date(2026, 6, 1))
        log(self.technician, minutes=60, spent_on=date(2026, 5, 12), charged_to_forfait=False)
        used = TimeEntry.objects.forfait_minutes(self.contract, date(2026, 5, 1),
                                                 date(2026, 5, 31))
        assert used == 120
        assert TimeEntry.objects.forfait_minutes(
            self.other_contract, date(2026, 1, 1), date(2026, 12, 31)) == 0

    def test_the_intervention_report_is_written_by_the_holder(self) -> None:
        fields = {"context": "Arrêt du concentrateur", "diagnosis": "Disque plein (purge KO)",
                  "tests": "Relance, contrôle des flux", "solution": "Purge manuelle",
                  "status": "workaround", "recommendations": "Corriger le job de purge"}
        report = self.ticket.write_intervention_report(self.technician, **fields)
        assert InterventionReport.objects.get(ticket=self.ticket) == report
        assert self.ticket.events.get(kind=EventKind.REPORT_WRITTEN).payload == fields
        with pytest.raises(NotAllowed):
            self.ticket.write_intervention_report(self.level1, **fields)

    def test_an_incomplete_report_names_the_missing_field(self) -> None:
        with pytest.raises(ValidationError) as raised:
            self.ticket.write_intervention_report(self.technician, context="x", diagnosis="y",
                                                  tests="z", solution="s", status="peut-être")
        assert "status" in raised.value.message_dict
        assert not InterventionReport.objects.exists()
