"""Jalon's own tickets as one more source for the engine: the built-in profile ``jalon``.

The platform stores contract values (a convention's type and priority ids), so they map to
themselves; its states are fixed (:data:`PLATFORM_STATES`) and map onto the convention's states:

1. through the ``state`` mapping of a profile named ``jalon`` in the convention file, if any;
2. else to the convention state with the same id;
3. else to the first convention state of the same phase (``waiting`` falls back on an ``active``
   state, ``new`` on ``active``, ``resolved`` and ``closed`` on each other).

The ticket clocks of the platform and the scorecards of its tickets both read tickets through
this profile, so one rule gives both figures.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from jalon.conventions.model import Convention, Location, Profile, ValueMap

PLATFORM_PROFILE = "jalon"

PLATFORM_STATES: dict[str, str] = {
    "new": "new",
    "qualifying": "new",
    "assigned": "active",
    "in_progress": "active",
    "waiting": "waiting",
    "resolved": "resolved",
    "closed": "closed",
}
"""Each platform state (``jalon.tickets.models.TicketState``) and its phase."""

_FALLBACK_PHASES: dict[str, tuple[str, ...]] = {
    "new": ("new", "active"),
    "active": ("active",),
    "waiting": ("waiting", "active"),
    "resolved": ("resolved", "closed"),
    "closed": ("closed", "resolved"),
}


def platform_states(convention: Convention) -> dict[str, str | None]:
    """Convention state id for each platform state (None: the convention has none to offer)."""
    declared = convention.profiles.get(PLATFORM_PROFILE)
    if declared is not None:
        return {state: _declared(declared.states, state) for state in PLATFORM_STATES}
    ids = [s.id for s in convention.states]
    mapping: dict[str, str | None] = {}
    for state, phase in PLATFORM_STATES.items():
        if state in ids:
            mapping[state] = state
            continue
        candidates = (s.id for p in _FALLBACK_PHASES[phase] for s in convention.states if s.phase == p)
        mapping[state] = next(candidates, None)
    return mapping


def _declared(vmap: ValueMap, state: str) -> str | None:
    for external, internal in vmap.values:
        if external == state or ("*" in external and fnmatchcase(state, external)):
            return internal
    return vmap.default


def platform_profile(convention: Convention) -> Profile:
    where = Location(convention.path, 0, f"profiles.{PLATFORM_PROFILE} (built in)")
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
        states=ValueMap("state", tuple(platform_states(convention).items()), None, where),
        dimensions={},
    )
