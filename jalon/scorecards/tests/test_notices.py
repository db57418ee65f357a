"""Each step of a scorecard's validation tells the party whose turn it is (issue 12)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from jalon.conventions.period import Period
from jalon.dashboard.tests.scenario import NOW, MarchScenario
from jalon.messaging.models import NoticeKind, OutboxMessage
from jalon.messaging.recipients import buyer_side, holder_side
from jalon.scorecards.models import PeriodScorecard

Q1 = Period.parse("2026-Q1")


class ScorecardNoticeTest(MarchScenario):
    seen = 0

    def told(self) -> dict[str, set[str]]:
        """Addresses told since the last call, by the step their notice names."""
        found: dict[str, set[str]] = {}
        for message in OutboxMessage.objects.filter(kind=NoticeKind.SCORECARD_STEP, pk__gt=self.seen):
            found.setdefault(message.subject.rsplit(":", 1)[-1].strip(), set()).add(message.to)
            self.seen = max(self.seen, message.pk)
        return found

    def act(self, who: User, step: str, **kwargs: str) -> dict[str, set[str]]:
        with self.captureOnCommitCallbacks(execute=False):
            PeriodScorecard.act(who, self.contract, Q1, step, now=NOW, **kwargs)
        return self.told()

    def test_each_step_reaches_the_other_party_and_both_learn_of_the_validation(self) -> None:
        self.seen = 0
        buyer, holder = set(buyer_side(self.contract)), set(holder_side(self.contract))
        assert buyer
        assert holder
        assert not buyer & holder
        assert self.act(self.holder_manager, "propose") == {"proposé": buyer}
        contested = self.act(self.buyer_manager, "review", indicator="urgent_on_time", verdict="contested",
                             comment="T2 : la réouverture compte")
        assert contested == {"indicateur contesté (urgent_on_time)": holder}
        message = OutboxMessage.objects.filter(kind=NoticeKind.SCORECARD_STEP, to__in=holder).order_by("pk").last()
        assert message is not None
        assert "conteste l’indicateur urgent_on_time" in message.body
        assert "T2 : la réouverture compte" in message.body
        assert "/marches/aquareel/bilans/2026-Q1/" in message.body
        assert message.subject.startswith("[AQR-2026 2026-Q1] Tableau de bord 2026-Q1")
        # an accepted indicator tells no one: the validation will
        assert self.act(self.buyer_manager, "review", indicator="urgent_on_time", verdict="accepted",
                        comment="") == {}
        answered = self.act(self.holder_manager, "answer", indicator="urgent_on_time",
                            comment="Arrêt d’horloge à la première résolution (D-08)")
        assert answered == {"réponse du titulaire (urgent_on_time)": buyer}
        self.act(self.holder_manager, "propose")
        assert self.act(self.buyer_manager, "validate") == {"validé et figé": buyer | holder}
        validated = OutboxMessage.objects.filter(kind=NoticeKind.SCORECARD_STEP).order_by("pk").last()
        assert validated is not None
        assert "est validé" in validated.body
        assert "est validé" in validated.html
        corrected = self.act(self.buyer_manager, "correct", comment="T3 compté deux fois")
        assert corrected == {"correction ouverte": buyer | holder}
        message = OutboxMessage.objects.filter(kind=NoticeKind.SCORECARD_STEP, to__in=holder).order_by("pk").last()
        assert message is not None
        assert "ouvre une correction" in message.body
        assert "la version 2 est en brouillon" in message.body
        assert "T3 compté deux fois" in message.body
        assert "ouvre une correction" in message.html

    def test_a_refused_step_tells_no_one(self) -> None:
        self.seen = 0
        with pytest.raises(PermissionDenied):
            self.act(self.holder_manager, "validate")
        assert self.told() == {}

