"""The clock rule's edges: reopening (both settings), the export's resolution column, the
horizon, the platform profile and the convention settings the platform reads."""

from __future__ import annotations

import numpy as np
import pytest

from jalon.businesstime import Calendar
from jalon.conventions import ConventionError, Period, evaluate, load, loads
from jalon.conventions.clocks import build_clocks
from jalon.conventions.mapping import map_tickets
from jalon.conventions.platform import PLATFORM_STATES, platform_profile, platform_states
from jalon.conventions.tests.support import CONVENTIONS, ticketset

# Monday 2 March 2026: Paris is UTC+1, so 07:00Z is 08:00, the opening of an 8h-18h calendar.
DAY = "2026-03-02"

CONVENTION = """\
format: jalon-convention/1
version: "1"
contract: {id: c, title: C, buyer: {name: B}, holder: {name: H}}
families: [{id: f, label: F, scoring: none}]
calendars:
  ho: {hours: "mon-fri 08:00-18:00", holidays: FR, business_day: 10h}
types: [incident]
states:
  - {id: nouveau, phase: new}
  - {id: en_cours, phase: active}
  - {id: attente, phase: waiting}
  - {id: resolu, phase: resolved}
  - {id: clos, phase: closed}
  - {id: annule, phase: cancelled}
priorities: [P1]
profiles:
  tool:
    priority: {values: {"1": P1}}
    state: {values: {New: nouveau, Active: en_cours, Wait: attente, Resolved: resolu, Closed: clos,
                     Cancelled: annule}}
clock_defaults: {on_reopen: %(on_reopen)s, warn_ratio: 0.75}
clocks:
  - {id: gtr, types: [incident], start: opened, stop: resolved, pause: [attente], calendar: ho,
     targets: {P1: 10h}}
  - {id: cloture, types: [incident], start: opened, stop: closed, calendar: ho, targets: {P1: 10h},
     warn_ratio: 0.9}
  - {id: prise, types: [incident], start: opened, stop: {leave: [nouveau]}, calendar: ho,
     targets: {P1: 1h}}
indicators:
  - {id: I1, label: on time, family: f, kind: clock_share, clock: gtr}
"""


def convention(on_reopen: str = "resume"):
    return loads(CONVENTION % {"on_reopen": on_reopen}, "c.yaml")


def at(hhmm: str, day: str = DAY) -> str:
    return f"{day} {hhmm}"


def utc(hhmm: str, day: str = DAY) -> np.datetime64:
    return np.datetime64(f"{day}T{hhmm}", "s")


REOPENED = [
    (at("07:00"), "New"),
    (at("08:00"), "Active"),
    (at("09:00"), "Resolved"),  # 2 h counted
    (at("12:00"), "Active"),  # reopened: 09:00-12:00 is a pause
    (at("13:00"), "Resolved"),  # 1 h more
]


def clocks(tickets: list[dict[str, object]], on_reopen: str = "resume", horizon: str = "2026-04-01T00:00"):
    conv = convention(on_reopen)
    mapped = map_tickets(conv, conv.profiles["tool"], ticketset(tickets))
    assert mapped.problems == []
    return build_clocks(conv, mapped, np.datetime64(horizon, "s"))


def one(events: list[tuple[str, str]], **extra: object) -> dict[str, object]:
    return {"id": "T1", "priority": "1", "opened": events[0][0], "events": events, **extra}


def test_a_reopened_ticket_resumes_its_clock_and_the_time_resolved_is_a_pause():
    gtr = clocks([one(REOPENED)])["gtr"]
    assert gtr.start.tolist() == [utc("07:00").item()]
    assert gtr.stop.tolist() == [utc("13:00").item()]  # the last resolution is final
    assert gtr.elapsed.tolist() == [3 * 3600]
    assert list(zip(gtr.pause_start, gtr.pause_end, strict=True)) == [(utc("09:00"), utc("12:00"))]


def test_keep_first_stop_ignores_the_reopening():
    gtr = clocks([one(REOPENED)], on_reopen="keep_first_stop")["gtr"]
    assert gtr.stop.tolist() == [utc("09:00").item()]
    assert gtr.elapsed.tolist() == [2 * 3600]
    assert len(gtr.pause_start) == 0


def test_a_reopened_ticket_still_open_runs_on_to_the_horizon():
    events = [*REOPENED[:4], (at("14:00"), "Wait")]
    gtr = clocks([one(events)], horizon=f"{DAY}T16:00")["gtr"]
    assert gtr.running.tolist() == [True]
    assert gtr.paused.tolist() == [True]
    assert gtr.pause_open.tolist() == [False, True]
    # 07-09 (2 h) + 12-14 (2 h); the wait from 14:00 to the horizon does not count
    assert gtr.elapsed.tolist() == [4 * 3600]


def test_the_export_resolution_is_the_last_stop_unless_reopened_after_it_or_later_than_the_history_s():
    early_column = one(REOPENED, resolved=at("12:30"))  # the tool resolved before the state was logged
    late_column = {**one(REOPENED, resolved=at("13:30")), "id": "T2"}  # a later stamp of the same resolution
    stale_column = {**one(REOPENED, resolved=at("09:00")), "id": "T3"}  # the resolution before the reopening
    gtr = clocks([early_column, late_column, stale_column])["gtr"]
    assert gtr.stop.tolist() == [utc("12:30").item(), utc("13:00").item(), utc("13:00").item()]
    assert gtr.elapsed.tolist() == [2 * 3600 + 30 * 60, 3 * 3600, 3 * 3600]


def test_a_clock_stopped_by_closure_resumes_only_when_the_ticket_leaves_closed():
    events = [
        (at("07:00"), "New"),
        (at("08:00"), "Resolved"),  # resolved is not closed: the closure clock runs on
        (at("09:00"), "Closed"),
        (at("10:00"), "Active"),  # reopened
        (at("11:00"), "Resolved"),
        (at("12:00"), "Closed"),
    ]
    cloture = clocks([one(events)])["cloture"]
    assert cloture.stop.tolist() == [utc("12:00").item()]
    assert cloture.elapsed.tolist() == [4 * 3600]  # 07-09 and 10-12


def test_cancelling_a_resolved_ticket_does_not_reopen_it():
    events = [(at("07:00"), "New"), (at("08:00"), "Resolved"), (at("09:00"), "Cancelled")]
    gtr = clocks([one(events)])["gtr"]
    assert gtr.stop.tolist() == [utc("08:00").item()]
    assert gtr.elapsed.tolist() == [3600]


def test_enter_and_leave_stops_are_final_whatever_happens_next():
    prise = clocks([one(REOPENED)])["prise"]
    assert prise.stop.tolist() == [utc("08:00").item()]


def test_a_reopening_after_the_period_end_leaves_the_period_as_it_was():
    later = [
        (at("07:00"), "New"),
        (at("09:00"), "Resolved"),
        (at("08:00", "2026-04-02"), "Active"),  # reopened next quarter
        (at("09:00", "2026-04-02"), "Resolved"),
    ]
    q1 = clocks([one(later, resolved=at("09:00", "2026-04-02"))], horizon="2026-03-31T22:00")["gtr"]
    assert q1.running.tolist() == [False]
    assert q1.stop.tolist() == [utc("09:00").item()]
    assert q1.elapsed.tolist() == [2 * 3600]
    q2 = clocks([one(later, resolved=at("09:00", "2026-04-02"))], horizon="2026-06-30T22:00")["gtr"]
    assert q2.stop.tolist() == [utc("09:00", "2026-04-02").item()]
    assert q2.elapsed.tolist() == [3 * 3600]


def test_a_clock_starting_at_the_horizon_is_in_only_when_the_horizon_is_inclusive():
    conv = convention()
    mapped = map_tickets(conv, conv.profiles["tool"], ticketset([one([(at("07:00"), "New")])]))
    assert len(build_clocks(conv, mapped, utc("07:00"))["gtr"]) == 0
    inclusive = build_clocks(conv, mapped, utc("07:00"), inclusive=True)["gtr"]
    assert inclusive.elapsed.tolist() == [0]
    assert inclusive.running.tolist() == [True]


def test_deadline_skips_closed_pauses_and_a_paused_clock_has_none():
    calendar = Calendar.build("mon-fri 08:00-18:00", "FR")
    gtr = clocks([one(REOPENED[:4])], horizon=f"{DAY}T12:30")["gtr"]
    # 10 h from 07:00Z with the 3 h gap deducted: 20:00Z is after closing, so the next day
    assert gtr.deadline(calendar, gtr.target).tolist() == [utc("10:00", "2026-03-03").item()]
    waiting = clocks([one([*REOPENED[:4], (at("12:10"), "Wait")])], horizon=f"{DAY}T12:30")["gtr"]
    assert np.isnat(waiting.deadline(calendar, waiting.target)).tolist() == [True]


def test_the_loader_reads_the_clock_defaults_and_a_clock_s_own_values():
    conv = convention("keep_first_stop")
    assert {c.id: (c.on_reopen, c.warn_ratio) for c in conv.clocks} == {
        "gtr": ("keep_first_stop", 0.75),
        "cloture": ("keep_first_stop", 0.9),
        "prise": ("keep_first_stop", 0.75),
    }
    silent = loads(CONVENTION.replace("clock_defaults: {on_reopen: %(on_reopen)s, warn_ratio: 0.75}\n", ""), "s.yaml")
    assert silent.clock("gtr").on_reopen == "resume"
    assert silent.clock("gtr").warn_ratio is None  # the platform's setting applies


def test_the_loader_reads_sites_and_the_forfait():
    text = CONVENTION % {"on_reopen": "resume"} + (
        "sites: [SPC-GD, {id: SCV, label: Service Central Vigicrues}]\nforfait: {days_per_year: 15, day: 7h30}\n"
    )
    conv = loads(text, "c.yaml")
    assert [(s.id, s.label) for s in conv.sites] == [("SPC-GD", "SPC-GD"), ("SCV", "Service Central Vigicrues")]
    assert conv.forfait is not None
    assert (conv.forfait.days_per_year, conv.forfait.day_minutes, conv.forfait.warn_ratio) == (15.0, 450, 0.8)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("forfait: {days_per_year: 15, day: un jour}\n", "c.yaml:"),
        ("sites: [A, A]\n", "'A' is declared twice"),
    ],
)
def test_bad_settings_name_the_line_and_field(extra: str, message: str):
    with pytest.raises(ConventionError) as raised:
        loads(CONVENTION % {"on_reopen": "resume"} + extra, "c.yaml")
    assert message in str(raised.value)


def test_the_schema_refuses_an_unknown_reopen_rule_and_a_ratio_above_one():
    for bad in ("sometimes", "resume, warn_ratio: 1.5"):
        with pytest.raises(ConventionError) as raised:
            loads(CONVENTION % {"on_reopen": bad}, "c.yaml")
        assert "clock_defaults" in str(raised.value)


def test_platform_states_map_by_id_then_by_phase():
    conv = convention()
    assert platform_states(conv) == {
        "new": "nouveau",
        "qualifying": "nouveau",
        "assigned": "nouveau",  # not yet taken in charge by the holder (D-40)
        "in_progress": "en_cours",
        "diagnosed": "en_cours",
        "waiting_requester": "attente",  # one waiting state: every wait goes to it
        "waiting_third_party": "attente",
        "waiting_purchase_order": "attente",
        "resolved": "resolu",
        "closed": "clos",
        "cancelled": "annule",
    }
    assert set(PLATFORM_STATES) == set(platform_states(conv))
    profile = platform_profile(conv)
    assert profile.priorities is not None
    assert ("", None) in profile.priorities.values  # a ticket not qualified yet takes the "*" targets
    # a history that does not say why it waits is read as waiting for the requester
    assert ("waiting", "attente") in profile.states.values


def with_jalon_profile(values: str) -> str:
    return (CONVENTION % {"on_reopen": "resume"}).replace(
        "clock_defaults:", f"  jalon:\n    state: {{values: {{{values}}}}}\nclock_defaults:"
    )


def test_a_jalon_profile_in_the_file_says_how_platform_states_map():
    text = with_jalon_profile('waiting: en_cours, "*": nouveau')
    conv = loads(text, "c.yaml")
    # the single ``waiting`` key of older files maps both waits
    assert platform_states(conv)["waiting_requester"] == "en_cours"
    assert platform_states(conv)["waiting_third_party"] == "en_cours"
    assert platform_states(conv)["closed"] == "nouveau"
    with pytest.raises(ConventionError) as raised:
        loads(text.replace("waiting: en_cours", "attente: en_cours"), "c.yaml")
    assert "profiles.jalon.state.values.attente: 'attente' is not declared" in str(raised.value)


def test_a_reason_named_in_the_jalon_profile_wins_over_the_waiting_key():
    conv = loads(with_jalon_profile("waiting: attente, waiting_third_party: en_cours"), "c.yaml")
    assert platform_states(conv)["waiting_requester"] == "attente"
    assert platform_states(conv)["waiting_third_party"] == "en_cours"


def test_a_jalon_profile_may_name_only_some_states_the_others_map_by_id_then_phase():
    conv = loads(with_jalon_profile("waiting_third_party: en_cours"), "c.yaml")
    assert platform_states(conv) == {
        "new": "nouveau",
        "qualifying": "nouveau",
        "assigned": "nouveau",
        "in_progress": "en_cours",
        "diagnosed": "en_cours",
        "waiting_requester": "attente",
        "waiting_third_party": "en_cours",
        "waiting_purchase_order": "attente",
        "resolved": "resolu",
        "closed": "clos",
        "cancelled": "annule",
    }


def test_the_shipped_conventions_pause_for_the_user_and_not_for_a_third_party():
    for name, clock in (("lade-tmes", "resolution"), ("cd13-callipso", "gtr")):
        conv = load(CONVENTIONS / f"{name}.yaml")
        states = platform_states(conv)
        assert states["waiting_requester"] == "attente_utilisateur"
        assert states["waiting_third_party"] == "attente_tiers"
        assert conv.clock(clock).pause_states == ("attente_utilisateur",)
    # AQUAREEL names no third-party wait: both waits go to its first waiting state, as before
    aquareel = platform_states(load(CONVENTIONS / "aquareel-tma.yaml"))
    assert aquareel["waiting_requester"] == aquareel["waiting_third_party"] == "attente_demandeur"


def platform_incident(number: str, wait: str, priority: str = "P2", type: str = "incident") -> dict[str, object]:
    """An incident of the platform opened Monday 08:00, waiting (``wait``: the state the platform
    exports) from 09:00 to Tuesday 12:00, resolved Tuesday 14:00."""
    tuesday = "2026-03-03"
    return {
        "id": number, "type": type, "priority": priority, "opened": at("07:00"),
        "resolved": at("13:00", tuesday),
        "events": [(at("07:00"), "new"), (at("07:30"), "assigned"), (at("08:00"), wait),
                   (at("11:00", tuesday), "in_progress"), (at("13:00", tuesday), "resolved")],
    }


@pytest.mark.parametrize(("name", "clock"), [("lade-tmes", "resolution"), ("cd13-callipso", "gtr")])
def test_a_platform_ticket_waiting_for_a_third_party_keeps_its_clock_running(name: str, clock: str):
    conv = load(CONVENTIONS / f"{name}.yaml")
    tickets = ticketset([platform_incident("J1", "waiting_requester"),
                         platform_incident("J2", "waiting_third_party"),
                         platform_incident("J3", "waiting")], source="jalon")
    card = evaluate(conv, tickets, [], Period.parse("2026-Q1"), profile="jalon")
    assert card.warnings == []
    table = card.clocks[clock]
    # the user's wait is a pause: Monday 08-09 and Tuesday 12-14 (3 h); the third party's is
    # not: Monday 08-18 and Tuesday 08-14 (16 h, over LADE's 10 h and CD13's 4 h for a P2); a
    # wait that does not say its reason is the user's
    assert table.elapsed.tolist() == [3 * 3600, 16 * 3600, 3 * 3600]
    assert table.met().tolist() == [True, False, True]


def test_aquareel_pauses_for_both_waits_as_before():
    conv = load(CONVENTIONS / "aquareel-tma.yaml")
    tickets = ticketset([platform_incident("J1", "waiting_requester", "majeur", "anomalie"),
                         platform_incident("J2", "waiting_third_party", "majeur", "anomalie")], source="jalon")
    card = evaluate(conv, tickets, [], Period.parse("2026-Q1"), profile="jalon")
    assert card.warnings == []
    # the holder takes charge when the work starts (Tuesday 12:00, D-40: being assigned is not
    # taking charge, and the wait came first) and resolves at 14:00: 2 h for both
    assert card.clocks["qualification"].elapsed.tolist() == [2 * 3600] * 2
