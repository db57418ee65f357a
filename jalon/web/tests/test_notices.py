"""The notifications centre: the notices the e-mails say, to whom they are addressed, read or
unread (jalon/web/notices.py, jalon/messaging/inbox.py)."""

from __future__ import annotations

from jalon.messaging.models import HolderMailbox, NoticeRead, OutboxMessage
from jalon.web.tests.helpers import WebTestCase, at, paris


class NoticesTest(WebTestCase):
    def setUp(self) -> None:
        # an urgent opening notifies the holder, a resolution the requester
        self.ticket = self.resolved(self.worked(paris(2026, 5, 11, 9, 0), is_urgent=True),
                                    paris(2026, 5, 11, 11, 0))

    def test_the_requester_reads_the_notice_of_their_resolved_ticket(self) -> None:
        self.login(self.requester)
        page = self.client.get("/notifications/")
        assert page.status_code == 200
        [notice] = page.context["page"].object_list
        assert notice.kind == "resolved"
        assert not notice.is_read
        html = page.content.decode()
        assert "Notifications (1 non lue)" in html  # the header's link
        assert notice.subject in html
        opened = self.client.get(f"/notifications/{notice.pk}/")
        assert opened.status_code == 200
        assert f'href="/tickets/{self.ticket.pk}/"' in opened.content.decode()
        assert NoticeRead.objects.filter(user=self.requester, message=notice).exists()
        again = self.client.get("/notifications/")
        assert "Notifications (1 non lue)" not in again.content.decode()
        assert again.context["page"].object_list[0].is_read

    def test_a_notice_is_seen_only_by_whom_it_is_addressed_to(self) -> None:
        notice = OutboxMessage.objects.get(kind="resolved")
        for someone in (self.other_requester, self.level1, self.outsider):
            self.login(someone)
            assert self.client.get(f"/notifications/{notice.pk}/").status_code == 404
            assert notice not in self.client.get("/notifications/").context["page"].object_list
        self.client.logout()
        assert self.client.get("/notifications/").status_code == 302  # to the login page

    def test_the_holder_staff_read_what_their_shared_mailbox_receives_each_for_themselves(self) -> None:
        HolderMailbox.objects.create(contract=self.contract, address="titulaire@example.fr")
        with at(paris(2026, 5, 12, 9, 0)):
            urgent = self.open(paris(2026, 5, 12, 9, 0), "Deuxième urgence", is_urgent=True)
        assert OutboxMessage.objects.filter(ticket=urgent, to="titulaire@example.fr").exists()
        self.login(self.technician)
        listed = self.client.get("/notifications/").context["page"].object_list
        assert any(n.ticket_id == urgent.pk for n in listed)
        self.client.post("/notifications/tout-lu/")
        assert list(self.client.get("/notifications/?non_lues=1").context["page"].object_list) == []
        self.login(self.holder_manager)  # the manager has not read it yet
        assert any(n.ticket_id == urgent.pk for n in
                   self.client.get("/notifications/?non_lues=1").context["page"].object_list)
        self.login(self.requester)  # not on the holder's staff
        assert not any(n.ticket_id == urgent.pk for n in
                       self.client.get("/notifications/").context["page"].object_list)

    def test_marking_all_read_needs_a_post(self) -> None:
        self.login(self.requester)
        assert self.client.get("/notifications/tout-lu/").status_code == 405
        response = self.client.post("/notifications/tout-lu/", follow=True)
        assert "1 notification marquée comme lue." in response.content.decode()
        assert list(self.client.get("/notifications/?non_lues=1").context["page"].object_list) == []
