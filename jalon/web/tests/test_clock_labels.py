"""A stored clock's label is shown in the reader's language: the scan that recomputes clocks
stores them in French."""

from __future__ import annotations

from django.utils import translation

from jalon.deliverables.models import DeliverableClock
from jalon.governance.models import ActionClock, MeetingClock
from jalon.scorecards.models import ScorecardClock
from jalon.tickets.models import Clock


def test_the_platforms_own_clock_names_follow_the_language() -> None:
    stored = [ScorecardClock(kind="proposal", label="Proposition du tableau de bord par le titulaire"),
              DeliverableClock(kind="reservation-2", label="Levée de la réserve n°2"),
              MeetingClock(kind="agenda", label="Envoi de l’ordre du jour"),
              ActionClock(kind="due", label="Échéance de l’action")]
    with translation.override("en"):
        shown = [clock.shown_label for clock in stored]
    assert shown == ["Proposal of the scorecard by the contract holder", "Lifting of reservation no. 2",
                     "Agenda sent", "Action due date"]
    with translation.override("fr"):
        assert [clock.shown_label for clock in stored] == [clock.label for clock in stored]


def test_a_conventions_own_clock_names_stay_as_written() -> None:
    with translation.override("en"):
        assert Clock(kind="prise_en_charge", label="Prise en charge").shown_label == "Prise en charge"
        assert DeliverableClock(kind="other", label="Autre").shown_label == "Autre"


def test_an_orders_clocks_are_named_from_the_order_in_the_readers_language() -> None:
    from datetime import date

    from jalon.orders.models import Order, OrderClock, WorkUnitType

    order = Order(type=WorkUnitType(quote_days=2, report_days=15), execution_days=10,
                  deferred_until=date(2026, 12, 31))
    stored = [OrderClock(order=order, kind="execution", label="Exécution dans le délai du bon (10 j ouvrés)"),
              OrderClock(order=order, kind="relivraison", label="Nouvelle livraison après ajournement (au 2026-12-31)")]
    with translation.override("en"):
        assert [clock.shown_label for clock in stored] == [
            "Execution within the order’s delay (10 business days)", "New delivery after deferral (by 2026-12-31)"]
    with translation.override("fr"):
        assert [clock.shown_label for clock in stored] == [clock.label for clock in stored]
