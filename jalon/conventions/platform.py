"""Jalon's own tickets as one more source for the engine: the built-in profile ``jalon``.

The platform stores contract values (a convention's type and priority ids), so they map to
themselves; its states are fixed (:data:`PLATFORM_STATES`) and map onto the convention's states.
The platform has one *waiting* state and a reason for each wait (``Ticket.wait_reason``, kept in
the ``waiting`` event of the history); the engine reads the two reasons as two states,
``waiting_requester`` and ``waiting_third_party``, so that a convention can pause its clocks
for the one and not the other (D-LADE-07, D-CD13-06: waiting for the user pauses, waiting for a
third party does not). Each platform state maps:

1. through the ``state`` mapping of a profile named ``jalon`` in the convention file, if it
   names the state: its own key, else (for the two waits) the key ``waiting``, which applies to
   both reasons unless one is named, else a ``*`` glob, else the mapping's ``default``;
2. else to the convention state with the same id;
3. else to the first convention state of the same phase (``waiting`` falls back on an ``active``
   state, ``new`` on ``active``, ``resolved`` and ``closed`` on each other): both waits go to the
   convention's first waiting state, as the single ``waiting`` state did.

The ticket clocks of the platform and the scorecards of its tickets both read tickets through
this profile, so one rule gives both figures.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from jalon.conventions.model import Convention, Location, Profile, ValueMap

PLATFORM_PROFILE = "jalon"

WAITING = "waiting"
"""The platform's stored waiting state; as a key of a ``jalon`` profile, both waits."""

WAITING_STATES: dict[str, str] = {
    "requester": "waiting_requester",
    "third_party": "waiting_third_party",
    "purchase_order": "waiting_purchase_order",
}
"""The state the engine reads for each wait reason (``jalon.tickets.models.WaitReason``)."""

PLATFORM_STATES: dict[str, str] = {
    "new": "new",
    "qualifying": "new",
    "assigned": "new",
    "in_progress": "active",
    "diagnosed": "active",
    WAITING_STATES["requester"]: "waiting",
    WAITING_STATES["third_party"]: "waiting",
    WAITING_STATES["purchase_order"]: "waiting",
    "resolved": "resolved",
    "closed": "closed",
    "cancelled": "cancelled",
}
"""Each state the platform exports to the engine and its phase: the stored states
(``jalon.tickets.models.TicketState``), ``waiting`` split by its reason. A ticket assigned but
not yet taken in charge by the holder (``start``, ``confirm``) is still *new* for the contract:
the holder's commitments to take charge stop on the holder's own act, not on level 1's
dispatch (D-40)."""

PLATFORM_COLUMNS: tuple[str, ...] = (
    "type", "priority", "urgency", "impact", "criticality", "site", "lot", "level", "group",
    "channel", "delai_execution",
)
"""The columns the platform exports for each ticket (``jalon.tickets.clocks.engine_attributes``):
what the ``dimensions`` of a ``jalon`` profile may read. ``group`` is the assigned group,
``channel`` the origin (``portal``, ``phone``, ``mail``, ``supervision``, ``soc``), ``level`` the
support level reached (``N1``…), ``criticality`` level 1's (``bloquant``, ``majeur``,
``mineur``), ``delai_execution`` the lead time the holder confirmed (``10j``)."""

PLATFORM_INSTANTS: tuple[str, ...] = ("informed_at",)
"""The instant columns the platform exports for each ticket (``TicketSet.instants``), which a
clock may stop ``at``: ``informed_at``, the first follow-up the holder shared with the buyer
(``Ticket.inform``; CD13's information delays, D-CD13-30)."""

PROFILE_KEYS = frozenset((*PLATFORM_STATES, WAITING))
"""The keys a ``jalon`` profile's ``state`` mapping may use (besides ``*`` globs)."""

_FALLBACK_PHASES: dict[str, tuple[str, ...]] = {
    "new": ("new", "active"),
    "active": ("active",),
    "waiting": ("waiting", "active"),
    "resolved": ("resolved", "closed"),
    "closed": ("closed", "resolved"),
    "cancelled": ("cancelled", "closed"),
}


def exported_state(state: str, wait_reason: object = None) -> str:
    """The state the engine reads for a platform state entered with ``wait_reason``.

    Only ``waiting`` depends on the reason. A wait whose reason is unknown (a history written
    before the reason reached the engine) is a wait for the requester, as it was read then.
    """
    if state != WAITING:
        return state
    reason = wait_reason if isinstance(wait_reason, str) else "requester"
    return WAITING_STATES.get(reason, WAITING_STATES["requester"])


def platform_states(convention: Convention) -> dict[str, str | None]:
    """Convention state id for each platform state (None: the convention has none to offer, or
    its ``jalon`` profile maps the state to ``~``)."""
    declared = convention.profiles.get(PLATFORM_PROFILE)
    ids = [s.id for s in convention.states]
    mapping: dict[str, str | None] = {}
    for state, phase in PLATFORM_STATES.items():
        named, target = _declared(declared.states, state) if declared is not None else (False, None)
        if named:
            mapping[state] = target
        elif state in ids:
            mapping[state] = state
        else:
            candidates = (s.id for p in _FALLBACK_PHASES[phase] for s in convention.states if s.phase == p)
            mapping[state] = next(candidates, None)
    return mapping


def diagnosis_clocks(convention: Convention) -> list[str]:
    """The clocks that run from the holder taking charge until they deliver a diagnosis
    (AQUAREEL's qualification of an anomaly, seed 000 §7.2.3): they start on the state the
    platform's ``in_progress`` (taking charge) maps to and stop on the one its ``diagnosed``
    maps to. (A clock from the opening to the same state, such as a one-off intervention's
    confirmation, is another act.)"""
    states = platform_states(convention)
    diagnosed, working = states.get("diagnosed"), states.get("in_progress")
    if diagnosed is None or diagnosed == working:
        return []
    return [c.id for c in convention.clocks
            if c.start.kind == "enter" and working in c.start.states
            and c.stop.kind == "enter" and diagnosed in c.stop.states and working not in c.stop.states]


def _declared(vmap: ValueMap, state: str) -> tuple[bool, str | None]:
    """Whether the file's ``jalon`` profile names ``state``, and the state it maps it to."""
    names = (state, WAITING) if PLATFORM_STATES[state] == "waiting" else (state,)
    exact = dict(vmap.values)
    for name in names:
        if name in exact:
            return True, exact[name]
    for external, internal in vmap.values:
        if "*" in external and any(fnmatchcase(name, external) for name in names):
            return True, internal
    return vmap.default is not None, vmap.default


def platform_profile(convention: Convention) -> Profile:
    where = Location(convention.path, 0, f"profiles.{PLATFORM_PROFILE} (built in)")
    declared = convention.profiles.get(PLATFORM_PROFILE)
    states = platform_states(convention)
    # a history that says ``waiting`` without the reason (written elsewhere, e.g. by a bulk
    # loader) is read as a wait for the requester, see :func:`exported_state`
    states[WAITING] = states[exported_state(WAITING)]
    priorities = ValueMap(
        "priority",
        (("", None), *((p.id, p.id) for p in convention.priorities)),  # "": not qualified yet
        None,
        where,
    )
    return Profile(
        name=PLATFORM_PROFILE,
        priority_from="priority",
        priorities=priorities,
        urgencies=None,
        impacts=None,
        types=ValueMap("type", tuple((t, t) for t in convention.types), None, where),
        states=ValueMap("state", tuple(states.items()), None, where),
        # the file's own ``jalon`` profile may map the platform's columns (group, site, level…)
        # to dimensions that clocks and indicators select on (each with a default: the loader)
        dimensions=dict(declared.dimensions) if declared is not None else {},
    )
