from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from jalon.accounts.access import NotAllowed
from jalon.conventions.loader import loads
from jalon.conventions.model import Forfait
from jalon.forfait import ledger
from jalon.forfait.tests.base import FORFAIT, ForfaitTestCase
from jalon.testing.cast import AQUAREEL_CONVENTION
from jalon.tickets.models import EventKind, TimeEntry


class LedgerTest(ForfaitTestCase):
    def test_only_the_chargeable_types_are_charged(self) -> None:
        charged = self.log(120, date(2026, 4, 2))
        not_charged = self.log(60, date(2026, 4, 2), self.corrective)
        assert charged.charged_to_forfait
        assert not not_charged.charged_to_forfait
        book = ledger.year_of(self.contract, date(2026, 4, 2))
        assert [line.entry for line in book.lines] == [charged]
        assert (book.year.first_day, book.year.last_day) == (date(2026, 3, 1), date(2027, 2, 28))
        assert book.consumed_days == pytest.approx(0.2)
        assert book.remaining_days == pytest.approx(1.8)

    def test_a_correction_reverses_and_replaces_and_keeps_the_history(self) -> None:
        entry = self.log(300, date(2026, 4, 2))
        self.log(60, date(2026, 4, 3))
        reversal, replacement = self.urgent.correct_time(
            self.holder_manager, entry, minutes=120, spent_on=date(2026, 4, 2), reason="Saisie en double")
        assert replacement is not None
        assert (reversal.minutes, reversal.corrects, reversal.kind) == (-300, entry, TimeEntry.Kind.REVERSAL)
        assert (replacement.minutes, replacement.corrects) == (120, entry)
        book = ledger.year_of(self.contract, date(2026, 4, 2))
        assert [line.running_minutes for line in book.lines] == [300, 0, 120, 180]
        assert TimeEntry.objects.filter(pk=entry.pk, minutes=300).exists()  # the entry unchanged
        event = self.urgent.events.get(kind=EventKind.TIME_CORRECTED)
        assert event.payload["reversal"] == reversal.pk
        assert event.internal
        with pytest.raises(ValidationError) as twice:
            self.urgent.correct_time(self.holder_manager, entry, minutes=60, spent_on=date(2026, 4, 2),
                                     reason="encore")
        assert "entry" in twice.value.message_dict
        # the replacement itself may be corrected, to nothing
        _r, none = self.urgent.correct_time(self.technician, replacement, minutes=0,
                                            spent_on=date(2026, 4, 2), reason="Pas d’intervention")
        assert none is None
        assert ledger.year_of(self.contract, date(2026, 4, 2)).consumed_minutes == 60

    def test_a_correction_needs_a_reason_the_holder_and_an_entry_of_the_ticket(self) -> None:
        entry = self.log(60, date(2026, 4, 2))
        with pytest.raises(ValidationError) as no_reason:
            self.urgent.correct_time(self.holder_manager, entry, minutes=30, spent_on=date(2026, 4, 2), reason=" ")
        assert "reason" in no_reason.value.message_dict
        with pytest.raises(NotAllowed):
            self.urgent.correct_time(self.buyer_manager, entry, minutes=30, spent_on=date(2026, 4, 2), reason="x")
        with pytest.raises(ValidationError):
            self.corrective.correct_time(self.holder_manager, entry, minutes=30, spent_on=date(2026, 4, 2),
                                         reason="x")
        assert TimeEntry.objects.count() == 1

    def test_the_ledger_refuses_update_and_delete(self) -> None:
        entry = self.log(60, date(2026, 4, 2))
        entry.minutes = 30
        with pytest.raises(TypeError):
            entry.save()
        with pytest.raises(TypeError):
            entry.delete()
        with pytest.raises(TypeError):
            TimeEntry.objects.filter(pk=entry.pk).update(minutes=30)
        with pytest.raises(TypeError):
            TimeEntry.objects.filter(pk=entry.pk).delete()
        # the database itself: a raw UPDATE is refused by the trigger
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE tickets_timeentry SET minutes = 30 WHERE id = %s", [entry.pk])
        assert TimeEntry.objects.get(pk=entry.pk).minutes == 60

    def test_the_dashboard_reads_the_same_ledger(self) -> None:
        from jalon.conventions.period import Period
        from jalon.dashboard import figures

        entry = self.log(600, date(2026, 4, 2))
        self.urgent.correct_time(self.technician, entry, minutes=300, spent_on=date(2026, 4, 2), reason="x")
        from datetime import UTC, datetime

        from jalon.tickets.models import Ticket

        board = figures.dashboard(self.contract, Period.parse("2026-04"), datetime(2026, 5, 2, tzinfo=UTC),
                                  tickets=Ticket.objects.filter(contract=self.contract))
        book = ledger.year_of(self.contract, date(2026, 4, 30))
        assert board.forfait.year_minutes == book.consumed_minutes == 300
        assert board.forfait.remaining_days == book.remaining_days == pytest.approx(1.5)


class CarryOverTest(ForfaitTestCase):
    extra = "  carry_over_days: 1\n"

    def test_the_remainder_is_carried_up_to_the_setting(self) -> None:
        self.log(600, date(2026, 5, 4))  # 1 of 2 days used in 2026-27: 1 left, 1 carried
        book = ledger.year_of(self.contract, date(2027, 3, 2))
        assert book.carried_days == 1
        assert book.allowance_days == 3
        self.log(1200, date(2027, 4, 1))  # 2 of 3 used: 1 left, 1 carried into 2028-29
        assert ledger.year_of(self.contract, date(2028, 3, 2)).allowance_days == 3


def test_the_convention_says_what_is_chargeable_and_what_is_carried() -> None:
    terms = loads(AQUAREEL_CONVENTION + FORFAIT).forfait
    assert terms == Forfait(2, 600, 0.8, ("urgent_intervention", "anomaly_qualification"), 0.0, ())
    assert terms is not None
    assert terms.charges("urgent_intervention")
    assert not terms.charges("corrective_maintenance")
    assert terms.alert_thresholds() == (0.8, 1.0)
    every = loads(AQUAREEL_CONVENTION + "forfait: {days_per_year: 15, day: 10h}\n").forfait
    assert every is not None
    assert every.charges("x")
    from jalon.conventions.loader import ConventionError

    with pytest.raises(ConventionError) as raised:
        loads(AQUAREEL_CONVENTION + FORFAIT.replace("anomaly_qualification", "audit"))
    assert "forfait.chargeable_types" in str(raised.value)
    assert "audit" in str(raised.value)


class TicketListTest(ForfaitTestCase):
    def test_the_list_of_tickets_with_time_on_the_forfait_leaves_out_reversed_time(self) -> None:
        entry = self.log(60, date(2026, 4, 2))
        other = self.corrective  # not chargeable: never listed
        other.log_time(self.technician, minutes=60, spent_on=date(2026, 4, 2))
        self.client.force_login(self.buyer_manager)
        url = "/marches/aquareel/tickets/?forfait_from=2026-04-01&forfait_to=2026-04-30"
        assert "Serveur arrêté" in self.client.get(url).content.decode()
        self.urgent.correct_time(self.technician, entry, minutes=0, spent_on=date(2026, 4, 2), reason="Erreur")
        response = self.client.get(url)
        assert "Serveur arrêté" not in response.content.decode()
        assert response.context["rows"] == []  # neither the reversed time nor the corrective ticket's
