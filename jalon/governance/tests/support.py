"""The cast's contract with committees in its convention."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from jalon.contracts.models import ConventionVersion
from jalon.governance.models import Meeting
from jalon.testing.cast import AQUAREEL_CONVENTION, JalonTestCase

PARIS = ZoneInfo("Europe/Paris")

COMMITTEES = """\
committees:
  - {id: copil, label: COPIL, kind: copil, frequency: monthly, calendar: ho, duration: 2h,
     members: [buyer_manager, holder_manager], agenda_days_before: 5, minutes_days: 5, remarks_days: 10,
     tacit_days: 10, escalates_to: costrat, agenda_indicator: agenda_days, minutes_indicator: minutes_days}
  - {id: cosui, label: COSUI, kind: cosui, frequency: weekly, calendar: ho, minutes_days: 5,
     escalates_to: copil, minutes_indicator: minutes_share}
  - {id: costrat, label: Comité stratégique, frequency: on_demand, calendar: ho}
action_indicators: {quality: actions_late}
finding_indicators: {security: breaches}
meteo: {calendar: ho, send_at: "07:30", deadline: "08:00", indicator: meteo_late}
"""

INDICATORS = """\
  - {id: agenda_days, label: ODJ, family: support, kind: measure, unit: j}
  - {id: minutes_days, label: CR, family: support, kind: measure, unit: j}
  - {id: minutes_share, label: CR en délai, family: support, kind: measure, unit: "%"}
  - {id: actions_late, label: Actions en retard, family: support, kind: measure, unit: days}
  - {id: meteo_late, label: Météo, family: support, kind: measure, unit: min}
  - {id: breaches, label: Manquements, family: support, kind: measure, unit: count, aggregate: sum}
"""

GOVERNED_CONVENTION = AQUAREEL_CONVENTION + INDICATORS + COMMITTEES


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


class GovernanceTestCase(JalonTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.convention, _ = ConventionVersion.load(cls.contract, GOVERNED_CONVENTION, "aquareel.yaml")

    def copil(self, starts_at: datetime) -> Meeting:
        return Meeting.schedule(self.holder_manager, self.contract, "copil", starts_at)
