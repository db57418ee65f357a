"""The daily météo: composed from live data, sent once a day at the convention's hour on
business days, its send instant recorded for indicator P3."""

from __future__ import annotations

from django.core import mail

from jalon.commitments.sources import measure_sources
from jalon.contracts.models import ConventionVersion
from jalon.conventions.period import Period
from jalon.governance.models import MeteoSend, Risk
from jalon.governance.tests.support import GovernanceTestCase, paris
from jalon.messaging import meteo
from jalon.messaging.models import NoticeKind, OutboxMessage
from jalon.messaging.outbox import send_due


class MeteoTests(GovernanceTestCase):
    def test_sent_once_on_business_days_after_the_hour(self):
        Risk.create(self.buyer_manager, self.contract, title="Réplication fragile", probability=4, impact=3)
        assert meteo.send_due(paris(2026, 3, 16, 7, 29)) == 0  # Monday, before 07:30
        assert meteo.send_due(paris(2026, 3, 16, 7, 31)) == 1
        assert meteo.send_due(paris(2026, 3, 16, 7, 32)) == 0  # once a day, whatever the ticks
        assert meteo.send_due(paris(2026, 3, 14, 9, 0)) == 0  # Saturday: not a business day
        row = MeteoSend.objects.get(contract=self.contract)
        assert row.sent_at == paris(2026, 3, 16, 7, 31)
        messages = OutboxMessage.objects.filter(kind=NoticeKind.METEO)
        assert messages.count() == row.recipients > 0
        message = messages.first()
        assert "Météo du 16/03/2026 : orage" in message.subject  # a risk rated 12
        assert "Réplication fragile" in message.body
        assert "Forfait" not in message.body  # the cast's convention has no forfait
        send_due()
        assert len(mail.outbox) == row.recipients

    def test_p3_counts_minutes_after_the_deadline(self):
        meteo.send_due(paris(2026, 3, 16, 8, 20))  # Monday, 20 minutes late
        meteo.send_due(paris(2026, 3, 17, 7, 40))  # Tuesday, on time; Wednesday never sent
        (source,) = [s for s in measure_sources() if s.name == "governance"]
        rows = [m for m in source.measures(self.contract, {"meteo_late"}, Period.parse("2026-03-16..2026-03-18"),
                                           paris(2026, 3, 18, 12))]
        assert [(m.item, m.value) for m in rows] == [("2026-03-16", 20.0), ("2026-03-17", 0.0),
                                                     ("2026-03-18", 240.0)]

    def test_a_contract_without_meteo_gets_none(self):
        ConventionVersion.load(self.contract, self.convention.text.split("meteo:")[0], "sans.yaml")
        assert meteo.send_due(paris(2026, 3, 16, 9)) == 0
