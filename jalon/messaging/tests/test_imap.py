from __future__ import annotations

import imaplib
from typing import Any
from unittest import mock

from django.test import override_settings

from jalon.messaging import imap
from jalon.messaging.models import MailIntake, MailOutcome, ReceivedMail
from jalon.messaging.tests.base import MessagingTestCase, eml
from jalon.messaging.tests.fake_imap import FakeImap
from jalon.tickets.models import Ticket

ACCOUNTS = {"default": {"host": "imap.jalon.example", "port": 993, "user": "jalon",
                        "password": "secret", "folder": "INBOX", "ssl": True}}


@override_settings(JALON_IMAP_ACCOUNTS=ACCOUNTS)
class ImapPollTest(MessagingTestCase):
    def poll(self, server: FakeImap) -> int:
        with self.captureOnCommitCallbacks(execute=True):
            return imap.poll_all(connector=lambda account: server)

    def test_it_takes_in_unseen_messages_and_flags_them_seen(self) -> None:
        server = FakeImap([eml("plain.eml"), eml("multipart_attachment.eml"),
                           eml("malformed_no_from.eml")])
        with self.assertLogs("jalon.messaging.intake", "WARNING"):
            assert self.poll(server) == 3
        assert server.seen == {"1", "2", "3"}
        assert server.logged_out
        assert Ticket.objects.count() == 2
        outcomes = sorted(ReceivedMail.objects.values_list("outcome", flat=True))
        assert outcomes == [MailOutcome.MALFORMED, MailOutcome.OPENED, MailOutcome.OPENED]
        assert self.poll(server) == 0  # nothing unseen is left

    def test_a_message_seen_again_as_unseen_is_not_taken_in_twice(self) -> None:
        server = FakeImap([eml("plain.eml")])
        self.poll(server)
        server.seen.clear()  # someone marked it unread in their mail client
        assert self.poll(server) == 0
        assert server.seen == {"1"}
        assert Ticket.objects.count() == 1

    @override_settings(JALON_IMAP_MAX_BYTES=500)
    def test_a_huge_message_is_quarantined_without_being_downloaded(self) -> None:
        server = FakeImap([eml("plain.eml")])
        with self.assertLogs("jalon.messaging.imap", "WARNING"):
            assert self.poll(server) == 1
        assert server.fetched == [("1", "(RFC822.SIZE)"), ("1", "(BODY.PEEK[HEADER])")]
        assert server.seen == {"1"}
        record = ReceivedMail.objects.get()
        assert record.outcome == MailOutcome.QUARANTINED
        assert record.message_id == "<20260511091233.4f2a@mail.example.fr>"
        assert "volumineux" in record.reason
        assert record.subject == "Concentrateur de Lyon muet depuis 8 h"

    def test_a_reused_message_id_is_quarantined_not_dropped(self) -> None:
        other = eml("plain.eml").replace(b"Concentrateur de Lyon muet", b"Autre panne, autre texte")
        server = FakeImap([eml("plain.eml"), other, eml("plain.eml")])
        with self.assertLogs("jalon.messaging.intake", "WARNING"):
            assert self.poll(server) == 2
        assert server.seen == {"1", "2", "3"}
        assert Ticket.objects.count() == 1
        outcomes = sorted(ReceivedMail.objects.values_list("outcome", "subject"))
        assert outcomes == [(MailOutcome.OPENED, "Concentrateur de Lyon muet depuis 8 h"),
                            (MailOutcome.QUARANTINED, "Autre panne, autre texte depuis 8 h")]
        assert "Message-ID" in ReceivedMail.objects.get(outcome=MailOutcome.QUARANTINED).reason

    def test_a_message_of_1500_nested_parts_is_quarantined_and_the_poll_goes_on(self) -> None:
        head = (b"Message-ID: <nested@mail.example.fr>\r\nFrom: rita.spc@example.fr\r\n"
                b"To: support-aquareel@jalon.example\r\nSubject: Poupees russes\r\nMIME-Version: 1.0\r\n")
        body = b"texte\r\n"
        for depth in range(1500):
            boundary = f"b{depth}".encode()
            body = (b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n--" + boundary
                    + b"\r\n" + body + b"\r\n--" + boundary + b"--\r\n")
        server = FakeImap([head + body, eml("quoted_printable.eml")])
        with self.assertLogs("jalon.messaging", "WARNING"):
            assert self.poll(server) == 2
        assert server.seen == {"1", "2"}
        record = ReceivedMail.objects.get(message_id="<nested@mail.example.fr>")
        assert record.outcome in (MailOutcome.QUARANTINED, MailOutcome.MALFORMED)
        assert "parties" in record.reason

    def test_an_unexpected_error_leaves_the_message_for_the_next_poll(self) -> None:
        server = FakeImap([eml("plain.eml"), eml("quoted_printable.eml")])
        real = imap.receive

        def failing_on_the_first(raw: bytes, intakes: list[MailIntake]) -> Any:
            if b"Concentrateur de Lyon" in raw:
                raise RuntimeError("database went away")
            return real(raw, intakes)

        with mock.patch.object(imap, "receive", failing_on_the_first), \
                self.assertLogs("jalon.messaging.imap", "ERROR"):
            assert self.poll(server) == 1
        assert server.seen == {"2"}
        assert self.poll(server) == 1
        assert Ticket.objects.count() == 2

    @override_settings(JALON_IMAP_MAX_ATTEMPTS=3)
    def test_a_message_that_always_fails_is_quarantined_after_its_attempts(self) -> None:
        server = FakeImap([eml("plain.eml")])

        def always_failing(raw: bytes, intakes: list[MailIntake]) -> Any:
            raise RuntimeError("bug in intake")

        with mock.patch.object(imap, "receive", always_failing), \
                self.assertLogs("jalon.messaging.imap", "ERROR"):
            for _ in range(2):
                assert self.poll(server) == 0
                assert server.seen == set()
            assert self.poll(server) == 1
        assert server.seen == {"1"}
        record = ReceivedMail.objects.get()
        assert (record.outcome, record.attempts) == (MailOutcome.QUARANTINED, 3)
        assert "bug in intake" in record.reason

    def test_an_unreachable_server_is_logged_and_the_poll_goes_on(self) -> None:
        def refuse(account: dict[str, Any]) -> Any:
            raise ConnectionRefusedError(111, "Connection refused")

        with self.assertLogs("jalon.messaging.imap", "ERROR") as logs:
            assert imap.poll_all(connector=refuse) == 0
        assert "Connection refused" in logs.output[0]

    def test_a_login_failure_is_logged(self) -> None:
        def bad_password(account: dict[str, Any]) -> Any:
            raise imaplib.IMAP4.error("[AUTHENTICATIONFAILED] Invalid credentials")

        with self.assertLogs("jalon.messaging.imap", "ERROR"):
            assert imap.poll_all(connector=bad_password) == 0

    def test_each_intake_folder_is_polled_with_its_own_session(self) -> None:
        MailIntake.objects.create(contract=self.other_contract, folder="Callipso",
                                  address="support-callipso@jalon.example",
                                  default_type="corrective_maintenance")
        # Oscar is a buyer manager on Callipso only.
        to_callipso = eml("quoted_printable.eml").replace(
            b"Rita.SPC@Example.fr", b"oscar.ailleurs@example.fr").replace(
            b"support-aquareel@", b"support-callipso@")
        server = FakeImap([eml("plain.eml")], Callipso=[to_callipso])
        sessions: list[FakeImap] = []

        def connect(account: dict[str, Any]) -> FakeImap:
            sessions.append(server)
            return server

        with self.captureOnCommitCallbacks(execute=True):
            assert imap.poll_all(connector=connect) == 2
        assert len(sessions) == 2
        contracts = sorted(Ticket.objects.values_list("contract__reference", flat=True))
        assert contracts == ["AQR-2026", "CAL-2026"]

    def test_a_missing_folder_is_logged(self) -> None:
        MailIntake.objects.update(folder="Archives")
        with self.assertLogs("jalon.messaging.imap", "ERROR") as logs:
            assert self.poll(FakeImap([eml("plain.eml")])) == 0
        assert "SELECT Archives" in logs.output[0]

    def test_an_inactive_intake_is_not_polled(self) -> None:
        MailIntake.objects.update(active=False)
        server = FakeImap([eml("plain.eml")])
        assert self.poll(server) == 0
        assert server.selected == ""


class ImapSettingsTest(MessagingTestCase):
    def test_without_a_host_nothing_is_polled(self) -> None:
        connector = mock.Mock()
        with self.assertLogs("jalon.messaging.imap", "INFO"):
            assert imap.poll_all(connector=connector) == 0
        connector.assert_not_called()

    @override_settings(JALON_IMAP_ACCOUNTS=ACCOUNTS)
    def test_it_connects_over_tls_and_logs_in(self) -> None:
        with mock.patch.object(imaplib, "IMAP4_SSL") as ssl:
            imap.connect(ACCOUNTS["default"])
        ssl.assert_called_once_with("imap.jalon.example", 993, timeout=60)
        ssl.return_value.login.assert_called_once_with("jalon", "secret")
