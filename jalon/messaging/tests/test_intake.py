from __future__ import annotations

import hashlib

from django.test import override_settings

from jalon.messaging.intake import receive
from jalon.messaging.mailparse import parse_mail
from jalon.messaging.models import MailIntake, MailOutcome, OutboxMessage, ReceivedMail
from jalon.messaging.tests.base import MessagingTestCase, eml
from jalon.tickets.models import Attachment, Comment, Ticket


class IntakeTest(MessagingTestCase):
    def receive(self, raw: bytes) -> ReceivedMail | None:
        with self.captureOnCommitCallbacks(execute=True):
            return receive(raw, [self.intake])

    def received(self, name: str) -> ReceivedMail:
        record = self.receive(eml(name))
        assert record is not None
        return record

    def an_urgent_ticket(self) -> Ticket:
        ticket = self.open_urgent()
        assert ticket.reference == "AQR-2026-1"
        return ticket

    # -- new threads -------------------------------------------------------------------------

    def test_a_plain_mail_from_a_member_opens_a_ticket(self) -> None:
        record = self.received("plain.eml")
        assert record.outcome == MailOutcome.OPENED
        ticket = record.ticket
        assert ticket is not None
        assert ticket.title == "Concentrateur de Lyon muet depuis 8 h"
        assert ticket.requester == self.requester
        assert ticket.type == "corrective_maintenance"
        assert "Les stations de la Saône" in ticket.description
        assert record.message_id == "<20260511091233.4f2a@mail.example.fr>"
        assert record.sender == "rita.spc@example.fr"
        assert ticket.channel == "mail"  # LADE selects on the origin (issue 11 §4)

    def test_quoted_printable_french_accents_are_decoded(self) -> None:
        ticket = self.received("quoted_printable.eml").ticket
        assert ticket is not None
        assert ticket.title == "Accès refusé à l'outil de prévision"
        assert "« Accès non autorisé »" in ticket.description
        assert "Déjà essayé" in ticket.description
        # "Rita.SPC@Example.fr": addresses compare without case.
        assert ticket.requester == self.requester

    def test_an_html_only_mail_is_read_as_text(self) -> None:
        ticket = self.received("html_only.eml").ticket
        assert ticket is not None
        assert ticket.title == "Carte des crues inaccessible"
        assert ticket.description == ("Bonjour,\nLa carte des crues affiche « Erreur 502 » "
                                      "depuis 7 h.\nLes prévisions ne sont plus publiées.")

    def test_a_subject_in_raw_latin_1_is_still_read(self) -> None:
        ticket = self.received("latin1_subject.eml").ticket
        assert ticket is not None
        assert ticket.title == "Accès refusé au poste de crue"

    def test_attachments_are_saved_through_the_ticket_with_its_limits(self) -> None:
        record = self.received("multipart_attachment.eml")
        assert record.outcome == MailOutcome.OPENED
        ticket = record.ticket
        assert ticket is not None
        assert ticket.requester == self.level1
        saved = list(Attachment.objects.filter(ticket=ticket))
        assert [a.original_name for a in saved] == ["rapport-crue.pdf"]
        pdf = parse_mail(eml("multipart_attachment.eml")).attachments[0].content
        assert saved[0].sha256 == hashlib.sha256(pdf).hexdigest()
        assert saved[0].uploaded_by == self.level1
        assert "« outil.exe » refusée" in record.reason
        assert ticket.events.filter(kind="attachment_added").count() == 1

    @override_settings(JALON_ATTACHMENT_MAX_BYTES=50)
    def test_an_attachment_over_the_size_limit_is_left_out(self) -> None:
        record = self.received("multipart_attachment.eml")
        assert record.ticket is not None
        assert not Attachment.objects.filter(ticket=record.ticket).exists()
        assert "trop volumineux" in record.reason

    # -- replies -----------------------------------------------------------------------------

    def test_a_reply_to_a_received_mail_lands_as_a_comment(self) -> None:
        ticket = self.received("plain.eml").ticket
        record = self.received("reply_in_reply_to.eml")
        assert record.outcome == MailOutcome.COMMENTED
        assert record.ticket == ticket
        comment = record.comment
        assert comment is not None
        assert comment.author == self.requester
        assert comment.body == ("Les journaux du concentrateur sont sur le partage habituel.\n"
                                "Les données sont revenues à 10 h 30.")
        assert not comment.internal
        assert Ticket.objects.count() == 1

    def test_a_reply_to_a_notice_we_sent_lands_on_its_ticket(self) -> None:
        ticket = self.an_urgent_ticket()
        OutboxMessage.objects.filter(to="hugo.titulaire@example.fr").update(
            message_id="<jalon.0b9c2f3e5d6a@jalon.example>")
        record = self.received("reply_in_reply_to.eml")
        assert (record.outcome, record.ticket) == (MailOutcome.COMMENTED, ticket)

    def test_an_outlook_reply_finds_its_ticket_by_the_subject_tag(self) -> None:
        ticket = self.an_urgent_ticket()
        record = self.received("outlook_re_subject.eml")
        assert (record.outcome, record.ticket) == (MailOutcome.COMMENTED, ticket)
        comment = record.comment
        assert comment is not None
        assert comment.author == self.technician
        assert "redémarrage du service d’acquisition" in comment.body
        assert "Envoyé" not in comment.body  # Outlook's quoted block is cut off

    def test_a_tag_naming_no_ticket_is_refused(self) -> None:
        self.an_urgent_ticket()
        raw = eml("outlook_re_subject.eml").replace(b"[AQR-2026-1]", b"[AQR-2026-99]")
        record = self.receive(raw)
        assert record is not None
        assert record.outcome == MailOutcome.REJECTED
        assert "[AQR-2026-99]" in record.reason
        assert not Comment.objects.exists()

    def test_a_tag_of_another_contract_is_not_followed(self) -> None:
        raw = eml("outlook_re_subject.eml").replace(b"[AQR-2026-1]", b"[CAL-2026-1]")
        record = self.receive(raw)
        assert record is not None
        assert record.outcome == MailOutcome.OPENED
        assert record.ticket is not None
        assert record.ticket.contract == self.contract

    def test_a_requester_cannot_comment_on_another_organisations_ticket(self) -> None:
        self.an_urgent_ticket()
        raw = eml("outlook_re_subject.eml").replace(b"tina.titulaire@example.fr",
                                                   b"remi.spc@example.fr")
        record = self.receive(raw)
        assert record is not None
        assert record.outcome == MailOutcome.REJECTED
        assert "Commentaire refusé sur AQR-2026-1" in record.reason
        assert not Comment.objects.exists()

    # -- refusals ----------------------------------------------------------------------------

    def test_an_unknown_sender_is_refused_and_logged(self) -> None:
        with self.assertLogs("jalon.messaging.intake", "WARNING") as logs:
            record = self.received("unknown_sender.eml")
        assert record.outcome == MailOutcome.REJECTED
        assert "inconnu@exemple.com" in record.reason
        assert record.ticket is None
        assert not Ticket.objects.exists()
        assert "inconnu@exemple.com" in logs.output[0]

    def test_a_member_of_another_contract_is_unknown_here(self) -> None:
        raw = eml("plain.eml").replace(b"rita.spc@example.fr", b"oscar.ailleurs@example.fr")
        record = self.receive(raw)
        assert record is not None
        assert record.outcome == MailOutcome.REJECTED
        assert not Ticket.objects.exists()

    def test_an_auditor_cannot_open_a_ticket_by_mail(self) -> None:
        raw = eml("plain.eml").replace(b"rita.spc@example.fr", b"anne.audit@example.fr")
        record = self.receive(raw)
        assert record is not None
        assert record.outcome == MailOutcome.REJECTED
        assert record.reason.startswith("Ticket non ouvert")

    def test_an_out_of_office_reply_is_refused(self) -> None:
        self.an_urgent_ticket()
        record = self.received("auto_reply.eml")
        assert record.outcome == MailOutcome.REJECTED
        assert "automatique" in record.reason
        assert not Comment.objects.exists()

    def test_malformed_messages_are_recorded_and_skipped(self) -> None:
        cases = {
            "malformed_no_from.eml": "Expéditeur absent",
            "malformed_unknown_charset.eml": "Jeu de caractères inconnu : x-klingon-piqad",
            "malformed_bad_bytes.eml": "Texte illisible dans le jeu de caractères utf-8",
            "malformed_broken_mime.eml": "Structure MIME cassée",
        }
        for name, reason in cases.items():
            with self.subTest(name), self.assertLogs("jalon.messaging.intake", "WARNING"):
                record = self.received(name)
                assert record.outcome == MailOutcome.MALFORMED
                assert reason in record.reason
        assert not Ticket.objects.exists()

    @override_settings(JALON_IMAP_MAX_BYTES=500)
    def test_a_huge_message_is_recorded_unread(self) -> None:
        record = self.received("plain.eml")
        assert record.outcome == MailOutcome.QUARANTINED
        assert "trop volumineux" in record.reason

    # -- duplicates and routing --------------------------------------------------------------

    def test_the_same_message_id_is_taken_in_once(self) -> None:
        assert self.receive(eml("plain.eml")) is not None
        assert self.receive(eml("plain.eml")) is None
        assert Ticket.objects.count() == 1
        assert ReceivedMail.objects.count() == 1

    def test_a_malformed_message_is_recorded_once_too(self) -> None:
        self.received("malformed_no_from.eml")
        assert self.receive(eml("malformed_no_from.eml")) is None

    def test_a_message_without_message_id_is_identified_by_its_content(self) -> None:
        raw = eml("plain.eml").replace(b"Message-ID: <20260511091233.4f2a@mail.example.fr>\r\n",
                                       b"")
        first = self.receive(raw)
        assert first is not None
        assert first.message_id.startswith("<sha256.")
        assert self.receive(raw) is None

    def test_mail_is_routed_by_its_recipient_address(self) -> None:
        callipso = MailIntake.objects.create(contract=self.other_contract,
                                             address="support-callipso@jalon.example",
                                             default_type="corrective_maintenance")
        record = receive(eml("plain.eml"), [callipso, self.intake])
        assert record is not None
        assert record.intake == self.intake
        stray = eml("plain.eml").replace(b"support-aquareel@", b"ailleurs@")
        with self.assertLogs("jalon.messaging.intake", "WARNING"):
            stray_record = receive(stray, [callipso, self.intake])
        assert stray_record is not None  # never lost: quarantined, for an administrator
        assert stray_record.outcome == MailOutcome.QUARANTINED
        assert "ailleurs@jalon.example" in stray_record.reason

    def test_an_intake_alone_on_its_folder_takes_every_message(self) -> None:
        raw = eml("plain.eml").replace(b"support-aquareel@", b"alias-support@")
        record = self.receive(raw)
        assert record is not None
        assert record.outcome == MailOutcome.OPENED

    @override_settings(DEFAULT_FROM_EMAIL="Jalon AQUAREEL <Jalon@Localhost>")
    def test_a_mail_sent_by_jalon_itself_is_ignored(self) -> None:
        raw = eml("plain.eml").replace(b"rita.spc@example.fr", b"jalon@localhost")
        record = self.receive(raw)
        assert record is not None
        assert "boucle" in record.reason
