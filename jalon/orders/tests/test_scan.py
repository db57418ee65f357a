"""The clock scan warns and notifies on orders' clocks through the registration alone; the
stored clocks are always those recomputed from the history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings

from jalon.lib.clock import replaying
from jalon.messaging.clockwatch import scan_clocks
from jalon.messaging.models import NoticeKind, OutboxMessage
from jalon.messaging.tests.base import MessagingTestCase, at, paris
from jalon.orders.loading import load_schedule
from jalon.orders.models import Order

SCHEDULE = Path(settings.BASE_DIR) / "schedules" / "aquareel.yaml"


class OrderScanTest(MessagingTestCase):
    def test_a_quote_is_warned_then_its_breach_notified_once(self) -> None:
        load_schedule(SCHEDULE.read_text(), "aquareel.yaml")
        with replaying(paris(2026, 5, 11, 9, 0)):  # Monday; 2 business days: due Wednesday 09:00
            order = Order.request(self.contract, actor=self.requester, title="Flux", lines=[("PON-J", 1)])
            order.request_quote(self.requester)
        OutboxMessage.objects.all().delete()  # the state-change notice
        devis = order.clocks.get(kind="devis")
        assert devis.due_at == paris(2026, 5, 13, 9, 0)
        with at(paris(2026, 5, 12, 9, 0)), self.captureOnCommitCallbacks(execute=True):
            scan_clocks()
        assert not OutboxMessage.objects.exists()
        with at(paris(2026, 5, 12, 17, 30)), self.captureOnCommitCallbacks(execute=True):  # past 80 %
            scan_clocks()
        warned = list(OutboxMessage.objects.values_list("kind", flat=True))
        assert warned
        assert set(warned) == {NoticeKind.AT_RISK}
        assert all(order.reference in m.subject for m in OutboxMessage.objects.all())
        for _ in range(2):
            with at(paris(2026, 5, 13, 10, 0)), self.captureOnCommitCallbacks(execute=True):
                scan_clocks()
        breached = OutboxMessage.objects.filter(kind=NoticeKind.BREACHED)
        assert breached.exists()
        assert breached.count() == len(set(breached.values_list("to", flat=True)))  # once per address
        first = breached.first()
        assert first is not None
        assert f"/marches/{self.contract.slug}/commandes/{order.number}/" in first.body

    def test_stored_clocks_equal_the_clocks_recomputed_from_history(self) -> None:
        load_schedule(SCHEDULE.read_text(), "aquareel.yaml")
        start = paris(2026, 5, 11, 9, 0)
        with replaying(start):
            order = Order.request(self.contract, actor=self.requester, title="Audit", lines=[("AUD", 1)])
            order.sign(self.requester, commitment_number="EJ")
        with replaying(start + timedelta(days=9)):
            order.record_performed(self.technician)
        later = start + timedelta(days=40)
        stored = {(c.kind, c.started_at, c.stopped_at, c.target_seconds, c.breached) for c in order.clocks.all()}
        fresh = {(s.kind, s.started_at, s.stopped_at, s.target_seconds, s.breached)
                 for s in order.clock_states(start + timedelta(days=9))}
        assert stored == fresh
        running = {s.kind: s for s in order.clock_states(later)}
        assert running["rapport"].breached
        assert running["rapport"].stopped_at is None
