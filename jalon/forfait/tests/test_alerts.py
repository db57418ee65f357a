from __future__ import annotations

from datetime import date

from jalon.forfait import alerts
from jalon.forfait.models import Alert
from jalon.forfait.tests.base import ForfaitTestCase
from jalon.messaging.models import NoticeKind, OutboxMessage


class AlertTest(ForfaitTestCase):
    def mails(self) -> list[tuple[str, str]]:
        return sorted(OutboxMessage.objects.filter(kind=NoticeKind.FORFAIT_ALERT).values_list("to", "subject"))

    def test_each_threshold_mails_the_buyer_and_the_holder_once_a_year(self) -> None:
        self.log(900, date(2026, 4, 1))  # 1.5 of 2 days: 75 %
        assert self.mails() == []
        self.log(60, date(2026, 4, 2))  # 1.6 days: 80 %
        sent = self.mails()
        assert [to for to, _s in sent] == ["hugo.titulaire@example.fr", "sophie.scv@example.fr"]
        assert "80 % consommés" in sent[0][1]
        assert "AQR-2026" in sent[0][1]
        self.log(30, date(2026, 4, 3))  # still above 80 %, below 100 %: nothing new
        assert len(self.mails()) == 2
        # a second worker seeing the same crossing records and sends nothing
        assert alerts.new_crossings(self.contract, date(2026, 4, 3))[1] == []
        self.log(300, date(2026, 4, 4))  # used up
        assert len(self.mails()) == 4
        assert sorted(float(a.threshold) for a in Alert.objects.all()) == [0.8, 1.0]
        body = OutboxMessage.objects.get(subject__contains="100 %", to__startswith="sophie").body
        assert "Reste : -0,15 j" in body or "Reste : -0.15 j" in body
        # the next contract year starts again
        self.log(1000, date(2027, 3, 5))
        assert Alert.objects.filter(year_first_day=date(2027, 3, 1)).count() == 1

    def test_time_not_charged_warns_nobody(self) -> None:
        self.log(1200, date(2026, 4, 1), self.corrective)
        assert self.mails() == []
        assert not Alert.objects.exists()

    def test_the_home_page_shows_the_warning_to_those_who_follow_the_forfait(self) -> None:
        from unittest import mock

        self.log(1000, date(2026, 4, 1))
        with mock.patch("jalon.web.home.today", return_value=date(2026, 4, 10)):
            self.client.force_login(self.buyer_manager)
            page = self.client.get("/").content.decode()
            assert "Forfait de support" in page
            assert "83 %" in page
            self.client.force_login(self.requester)
            assert "83 %" not in self.client.get("/").content.decode()
