"""Load a convention file: YAML -> JSON Schema -> semantic checks -> typed :class:`Convention`.

A broken file fails once with every problem found (:class:`ConventionError`), each naming the
file, the line and the field. Schema errors stop the load before the semantic checks, which
assume the shape is right.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

import jsonschema
import yaml
from jsonschema.exceptions import ValidationError, best_match

from jalon.conventions.errors import ConventionError
from jalon.conventions.model import (
    PLATFORM_ROLES,
    ROLE_IDS,
    BonusBand,
    CalendarChoice,
    CalendarSpec,
    ClockDef,
    Committee,
    Contract,
    Convention,
    Deduction,
    DeliverableItem,
    DeliverableMeasure,
    Deliverables,
    DeliverableType,
    EventRef,
    Family,
    Filter,
    Forfait,
    GlobalRule,
    Indicator,
    Leg,
    Location,
    Meteo,
    NoteRule,
    Party,
    PenaltyRule,
    PriorityDef,
    PriorityMatrix,
    Profile,
    Site,
    StateDef,
    Target,
    TargetLevel,
    ValueMap,
)
from jalon.conventions.period import ContractYear
from jalon.conventions.platform import PLATFORM_COLUMNS, PLATFORM_PROFILE, PROFILE_KEYS
from jalon.conventions.yamlsource import PathItem, YamlSource

Day = date
"""``date``, for annotations inside the builder (whose ``date`` method hides it)."""

FORMAT = "jalon-convention/1"
FIXED_INSTANTS = ("opened_at", "resolved_at", "closed_at")
"""Instants every TicketSet has as columns: clocks name them ``opened``, ``resolved``, ``closed``."""
SCHEMA_PATH = Path(__file__).with_name("schema.json")
CLOCK_KINDS = {"clock_share", "clock_mean", "clock_percentile", "clock_overrun"}
DEFAULT_UNITS = {
    "clock_share": "%",
    "reopen_rate": "%",
    "first_contact": "%",
    "clock_mean": "h",
    "clock_percentile": "h",
    "clock_overrun": "count",
    "backlog_count": "count",
    "count": "count",
    "measure": "",
    "composite": "",
}
TIME_UNITS = {"min": 60, "h": 3600}
DEFAULT_FORFAIT_WARN_RATIO = 0.8
_TARGET = re.compile(r"^\s*(>=|<=|==|>|<)\s*(-?\d+(?:[.,]\d+)?)\s*(%|j|h|min|days)?\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%\s*$")


@cache
def schema() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def convention_hash(path: str | Path) -> str:
    """SHA-256 of the file's bytes: what a frozen scorecard records to be recomputed."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load(path: str | Path) -> Convention:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConventionError([f"{path}: cannot read: {error.strerror}"]) from error
    return loads(text, str(path))


def loads(text: str, path: str = "<convention>") -> Convention:
    try:
        source = YamlSource(path, text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise ConventionError([f"{path}:{line}: (YAML): {error.problem}"]) from error
    errors = source.duplicate_keys() + schema_errors(source)
    if errors:
        raise ConventionError(errors)
    builder = _Builder(source, hashlib.sha256(text.encode("utf-8")).hexdigest())
    convention = builder.build()
    if builder.errors:
        raise ConventionError(builder.errors)
    return convention


def schema_errors(source: YamlSource) -> list[str]:
    if not isinstance(source.data, dict):
        return [f"{source.path}:1: (document): expected a mapping with format: {FORMAT}"]
    validator = jsonschema.Draft202012Validator(schema())
    found = sorted(validator.iter_errors(source.data), key=lambda e: list(map(str, e.path)))
    return [_describe(source, _most_useful(error)) for error in found]


def _most_useful(error: ValidationError) -> ValidationError:
    """For ``oneOf`` failures, the alternative that went furthest says what is wrong."""
    while error.context:
        error = best_match(error.context)
    return error


def _describe(source: YamlSource, error: ValidationError) -> str:
    path = tuple(cast(PathItem, p) for p in error.absolute_path)
    return f"{source.where(path)}: {error.message}"


class _Builder:
    """Turns checked data into dataclasses, collecting every semantic error on the way."""

    def __init__(self, source: YamlSource, sha256: str) -> None:
        self.source = source
        self.data: dict[str, Any] = source.data
        self.sha256 = sha256
        self.errors: list[str] = []

    def error(self, path: tuple[PathItem, ...], message: str) -> None:
        self.errors.append(f"{self.source.where(path)}: {message}")

    def location(self, path: tuple[PathItem, ...]) -> Location:
        from jalon.conventions.yamlsource import dotted

        return Location(self.source.path, self.source.line(path), dotted(path))

    # -- top level -------------------------------------------------------------------------

    def build(self) -> Convention:
        contract = self.contract()
        self.families = self.build_families()
        self.calendars = self.build_calendars(contract.tz)
        self.types = self.ids("types")
        self.states = self.build_states()
        self.priorities = self.build_priorities()
        self.matrix = self.build_matrix()
        profiles = {name: self.profile(name, spec) for name, spec in self.data["profiles"].items()}
        self.dimensions = {dim for p in profiles.values() for dim in p.dimensions}
        self.dimension_values = {
            dim: {v for p in profiles.values() if dim in p.dimensions for v in _mapped_values(p.dimensions[dim])}
            for dim in self.dimensions
        }
        clocks = tuple(self.clock(i, spec) for i, spec in enumerate(self.data.get("clocks", [])))
        self.clock_defs = {c.id: c for c in clocks}
        self.unique(("clocks",), [c.id for c in clocks])
        indicators = self.build_indicators()
        return Convention(
            path=self.source.path,
            sha256=self.sha256,
            format=self.data["format"],
            version=str(self.data["version"]),
            contract=contract,
            families=self.families,
            calendars=self.calendars,
            types=self.types,
            states=self.states,
            priorities=self.priorities,
            matrix=self.matrix,
            profiles=profiles,
            clocks=clocks,
            indicators=indicators,
            scoring=self.global_rule(),
            sites=self.build_sites(),
            forfait=self.build_forfait(),
            deliverables=self.build_deliverables(indicators),
            type_labels=self.labels("types"),
            committees=self.build_committees({i.id for i in indicators}),
            meteo=self.build_meteo({i.id for i in indicators}),
            action_indicators=self.build_action_indicators({i.id for i in indicators}),
            finding_indicators=self.build_action_indicators({i.id for i in indicators}, "finding_indicators"),
            urgent_types=tuple(item["id"] for item in self.data["types"]
                               if isinstance(item, dict) and item.get("urgent")),
        )

    def date(self, path: tuple[PathItem, ...], text: str | None) -> date | None:
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.error(path, f"{text!r} is not a date (YYYY-MM-DD)")
            return None

    def contract(self) -> Contract:
        spec = self.data["contract"]
        path: tuple[PathItem, ...] = ("contract",)
        tz = spec.get("tz", "Europe/Paris")
        self.check_tz((*path, "tz"), tz)
        starts = self.date((*path, "starts"), spec.get("starts"))
        ends = self.date((*path, "ends"), spec.get("ends"))
        if starts and ends and ends < starts:
            self.error((*path, "ends"), f"the contract ends ({ends}) before it starts ({starts})")
        self.check_year_end(path, starts, spec.get("year_end_month"))
        return Contract(
            id=spec["id"],
            title=spec["title"],
            buyer=Party(spec["buyer"]["name"], spec["buyer"].get("short", "")),
            holder=Party(spec["holder"]["name"], spec["holder"].get("short", "")),
            lots=tuple(spec.get("lots", ())),
            starts=starts,
            ends=ends,
            tz=tz,
            year_end_month=spec.get("year_end_month", 12),
            probation_until=self.date((*path, "probation_until"), spec.get("probation_until")),
        )

    def check_year_end(self, path: tuple[PathItem, ...], starts: Day | None, year_end_month: int | None) -> None:
        """The contract year follows ``starts`` when it is written (D-50): a ``year_end_month``
        saying otherwise is an error rather than a setting silently ignored."""
        if starts is None or year_end_month is None:
            return
        closing = ContractYear(starts).holding(starts).last_day.month
        if year_end_month != closing:
            self.error((*path, "year_end_month"), f"{year_end_month} contradicts starts ({starts}): its "
                       f"contract years end in month {closing}; write one of the two")

    def check_tz(self, path: tuple[PathItem, ...], tz: str) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            self.error(path, f"{tz!r} is not a time zone (e.g. Europe/Paris)")

    def unique(self, path: tuple[PathItem, ...], ids: list[str]) -> None:
        seen: set[str] = set()
        for index, item in enumerate(ids):
            if item in seen:
                self.error((*path, index, "id"), f"{item!r} is declared twice")
            seen.add(item)

    def build_families(self) -> tuple[Family, ...]:
        families = tuple(
            Family(
                id=spec["id"],
                label=spec["label"],
                scoring=spec.get("scoring", "note"),
                cost_share=spec.get("cost_share"),
                per_item=spec.get("per_item", False),
            )
            for spec in self.data["families"]
        )
        self.unique(("families",), [f.id for f in families])
        return families

    def build_calendars(self, default_tz: str) -> dict[str, CalendarSpec]:
        calendars: dict[str, CalendarSpec] = {}
        for name, spec in self.data.get("calendars", {}).items():
            path: tuple[PathItem, ...] = ("calendars", name)
            closures = tuple(
                d
                for i, text in enumerate(spec.get("closures", []))
                if (d := self.date((*path, "closures", i), text)) is not None
            )
            calendar = CalendarSpec(
                id=name,
                hours=spec["hours"],
                holidays=spec.get("holidays", "FR"),
                closures=closures,
                tz=spec.get("tz", default_tz),
                business_day=spec.get("business_day", "none"),
                where=self.location(path),
            )
            self.check_calendar(path, calendar)
            calendars[name] = calendar
        return calendars

    def check_calendar(self, path: tuple[PathItem, ...], spec: CalendarSpec) -> None:
        from jalon.businesstime import CalendarError
        from jalon.conventions.calendars import build_calendar

        try:
            build_calendar(spec)
        except CalendarError as error:
            field = error.field if error.field in {"hours", "holidays", "tz"} else "business_day"
            self.error((*path, field), error.reason)

    def ids(self, key: str) -> tuple[str, ...]:
        items = self.data[key]
        ids = [item if isinstance(item, str) else item["id"] for item in items]
        self.unique((key,), ids)
        return tuple(ids)

    def labels(self, key: str) -> dict[str, str]:
        """Id -> label of a list of ``{id, label}`` entries (or bare ids)."""
        labels = {}
        for item in self.data[key]:
            if isinstance(item, str):
                labels[item] = item
            else:
                labels[item["id"]] = str(item.get("label") or item["id"])
        return labels

    def build_states(self) -> tuple[StateDef, ...]:
        states = tuple(StateDef(s["id"], s.get("label", s["id"]), s["phase"]) for s in self.data["states"])
        self.unique(("states",), [s.id for s in states])
        return states

    def build_sites(self) -> tuple[Site, ...]:
        sites = tuple(
            Site(item, item) if isinstance(item, str) else Site(item["id"], item.get("label", item["id"]))
            for item in self.data.get("sites", [])
        )
        self.unique(("sites",), [s.id for s in sites])
        return sites

    def build_forfait(self) -> Forfait | None:
        spec = self.data.get("forfait")
        if spec is None:
            return None
        seconds = self.duration_seconds(("forfait", "day"), spec["day"], None)
        if seconds is not None and (seconds <= 0 or seconds % 60):
            self.error(("forfait", "day"), f"{spec['day']!r}: expected whole minutes of open time, e.g. 10h")
        warn_ratio = float(spec.get("warn_ratio", DEFAULT_FORFAIT_WARN_RATIO))
        chargeable = spec.get("chargeable_types")
        if chargeable is not None:
            if not isinstance(chargeable, list) or not all(isinstance(t, str) for t in chargeable):
                self.error(("forfait", "chargeable_types"), f"{chargeable!r}: expected a list of ticket type ids")
                chargeable = None
            else:
                known = set(self.types)
                unknown = [t for t in chargeable if t not in known]
                if unknown:
                    self.error(("forfait", "chargeable_types"), f"unknown ticket type(s): {', '.join(unknown)}")
        carry = spec.get("carry_over_days", 0)
        if not isinstance(carry, int | float) or isinstance(carry, bool) or carry < 0:
            self.error(("forfait", "carry_over_days"), f"{carry!r}: expected a number of days, 0 or more")
            carry = 0
        thresholds = spec.get("thresholds")
        if thresholds is not None and (
                not isinstance(thresholds, list) or not thresholds
                or not all(isinstance(t, int | float) and not isinstance(t, bool) and t > 0 for t in thresholds)):
            self.error(("forfait", "thresholds"), f"{thresholds!r}: expected a list of shares above 0, e.g. [0.8, 1]")
            thresholds = None
        return Forfait(
            days_per_year=float(spec["days_per_year"]),
            day_minutes=(seconds or 0) // 60,
            warn_ratio=warn_ratio,
            chargeable_types=tuple(chargeable) if chargeable is not None else None,
            carry_over_days=float(carry),
            thresholds=tuple(sorted({float(t) for t in thresholds})) if thresholds else (),
        )

    def build_action_indicators(self, indicator_ids: set[str], key: str = "action_indicators") -> dict[str, str]:
        found = dict(self.data.get(key, {}))
        for domain, indicator in found.items():
            if indicator not in indicator_ids:
                self.error((key, domain), _unknown(indicator, indicator_ids))
        return found

    def build_committees(self, indicator_ids: set[str]) -> tuple[Committee, ...]:
        result = []
        items = self.data.get("committees", [])
        ids = {item["id"] for item in items}
        for index, spec in enumerate(items):
            path: tuple[PathItem, ...] = ("committees", index)
            calendar = spec.get("calendar") or next(iter(self.calendars), "")
            if calendar not in self.calendars:
                self.error((*path, "calendar"), _unknown(calendar, set(self.calendars)))
            for at, role in enumerate(spec.get("members", [])):
                if role not in PLATFORM_ROLES:
                    self.error((*path, "members", at), _unknown(role, set(PLATFORM_ROLES)))
            target = spec.get("escalates_to")
            if target is not None and (target not in ids or target == spec["id"]):
                self.error((*path, "escalates_to"), _unknown(target, ids - {spec["id"]}))
            for key in ("agenda_indicator", "minutes_indicator"):
                if key in spec and spec[key] not in indicator_ids:
                    self.error((*path, key), _unknown(spec[key], indicator_ids))
            minutes = self.duration_seconds((*path, "duration"), spec.get("duration", "1h"), None)
            result.append(Committee(
                id=spec["id"], label=spec.get("label", spec["id"]), kind=spec.get("kind", spec["id"]),
                frequency=spec["frequency"], calendar=calendar, members=tuple(spec.get("members", [])),
                duration_minutes=(minutes or 3600) // 60,
                agenda_days_before=spec.get("agenda_days_before"), minutes_days=spec.get("minutes_days"),
                remarks_days=spec.get("remarks_days"), tacit_days=spec.get("tacit_days"),
                escalates_to=target, agenda_indicator=spec.get("agenda_indicator"),
                minutes_indicator=spec.get("minutes_indicator"), where=self.location(path)))
        self.unique(("committees",), [c.id for c in result])
        return tuple(result)

    def build_meteo(self, indicator_ids: set[str]) -> Meteo | None:
        spec = self.data.get("meteo")
        if spec is None:
            return None
        calendar = spec.get("calendar") or next(iter(self.calendars), "")
        if calendar not in self.calendars:
            self.error(("meteo", "calendar"), _unknown(calendar, set(self.calendars)))
        indicator = spec.get("indicator")
        if indicator is not None and indicator not in indicator_ids:
            self.error(("meteo", "indicator"), _unknown(indicator, indicator_ids))
        return Meteo(calendar=calendar, send_at=spec.get("send_at", "07:30"),
                     deadline=spec.get("deadline", "08:00"), indicator=indicator)
    def build_deliverables(self, indicators: tuple[Indicator, ...]) -> Deliverables | None:
        spec = self.data.get("deliverables")
        if spec is None:
            return None
        path: tuple[PathItem, ...] = ("deliverables",)
        calendar = spec.get("calendar", next(iter(self.calendars), ""))
        if calendar not in self.calendars:
            self.error((*path, "calendar"), _unknown(calendar, set(self.calendars)))
        calendar_for_durations = calendar  # an unknown one: reported once, above
        types = []
        for index, item in enumerate(spec["types"]):
            where = (*path, "types", index)
            for role in item.get("validators", []):
                if role not in ROLE_IDS:
                    self.error((*where, "validators"), _unknown(role, set(ROLE_IDS)))
            validation = self.duration_seconds((*where, "validation"), item.get("validation", "10d"),
                                               calendar_for_durations) or 0
            lifting = self.duration_seconds((*where, "lifting"), item.get("lifting", "10d"),
                                            calendar_for_durations) or 0
            types.append(DeliverableType(
                id=item["id"], label=item.get("label", item["id"]), annex=item.get("annex", ""),
                responsible=item.get("responsible", "holder"),
                validators=tuple(item.get("validators", ["buyer_manager"])),
                validation_seconds=validation, tacit=bool(item.get("tacit", False)),
                lifting_seconds=lifting))
        self.unique((*path, "types"), [t.id for t in types])
        type_ids = {t.id for t in types}
        register = []
        for index, item in enumerate(spec.get("register", [])):
            where = (*path, "register", index)
            if item["type"] not in type_ids:
                self.error((*where, "type"), _unknown(item["type"], type_ids))
            if ("due" in item) == ("every" in item):
                self.error(where, "give either due (a date) or every (month, quarter, year)")
            register.append(DeliverableItem(
                id=item["id"], type=item["type"], title=item["title"],
                due=self.date((*where, "due"), item.get("due")), every=item.get("every"),
                due_day=int(item.get("due_day", 0))))
        self.unique((*path, "register"), [r.id for r in register])
        by_id = {i.id: i for i in indicators}
        measures = []
        for index, item in enumerate(spec.get("measures", [])):
            where = (*path, "measures", index)
            indicator = by_id.get(item["indicator"])
            if indicator is None:
                self.error((*where, "indicator"), _unknown(item["indicator"], set(by_id)))
            elif indicator.kind != "measure":
                self.error((*where, "indicator"), f"{indicator.id} is a {indicator.kind} indicator: "
                                                  "only a measure indicator is computed from deliverables")
            for type_id in item.get("types", []):
                if type_id not in type_ids:
                    self.error((*where, "types"), _unknown(type_id, type_ids))
            measures.append(DeliverableMeasure(item["indicator"], item["measure"],
                                               tuple(item.get("types", []))))
        self.unique((*path, "measures"), [m.indicator for m in measures])
        return Deliverables(calendar=calendar, warn_days=int(spec.get("warn_days", 2)),
                            types=tuple(types), register=tuple(register), measures=tuple(measures))

    def build_priorities(self) -> tuple[PriorityDef, ...]:
        result = []
        for item in self.data["priorities"]:
            if isinstance(item, str):
                result.append(PriorityDef(item, item))
            else:
                result.append(PriorityDef(item["id"], item.get("label", item["id"])))
        self.unique(("priorities",), [p.id for p in result])
        return tuple(result)

    @property
    def priority_ids(self) -> set[str]:
        return {p.id for p in self.priorities}

    def build_matrix(self) -> PriorityMatrix | None:
        spec = self.data.get("priority_matrix")
        if spec is None:
            return None
        impacts = tuple(spec["impacts"])
        rows = []
        for urgency, cells in spec["rows"].items():
            path: tuple[PathItem, ...] = ("priority_matrix", "rows", urgency)
            if len(cells) != len(impacts):
                self.error(path, f"{len(cells)} cells for {len(impacts)} impacts {list(impacts)}")
            for i, cell in enumerate(cells):
                if cell not in self.priority_ids:
                    self.error((*path, i), f"{cell!r} is not a declared priority")
            rows.append(tuple(cells))
        return PriorityMatrix(tuple(spec["rows"]), impacts, tuple(rows))

    # -- import profiles ---------------------------------------------------------------------

    def profile(self, name: str, spec: dict[str, Any]) -> Profile:
        path: tuple[PathItem, ...] = ("profiles", name)
        source = spec.get("priority_from", "priority")
        if source == "matrix" and self.matrix is None:
            self.error((*path, "priority_from"), "matrix chosen but no priority_matrix declared")
        urgencies = self.matrix.urgencies if self.matrix else ()
        impacts = self.matrix.impacts if self.matrix else ()
        if name == PLATFORM_PROFILE:
            self.check_platform_states((*path, "state"), spec["state"])
            self.check_platform_dimensions((*path, "dimensions"), spec.get("dimensions", {}))
        for needed in ("urgency", "impact") if source == "matrix" else ("priority",):
            if needed not in spec and name != PLATFORM_PROFILE:
                self.error(path, f"priority_from: {source} needs a {needed} mapping")
        return Profile(
            name=name,
            priority_from=source,
            priorities=self.value_map(path, "priority", spec, self.priority_ids),
            urgencies=self.value_map(path, "urgency", spec, set(urgencies)),
            impacts=self.value_map(path, "impact", spec, set(impacts)),
            types=self.type_map(path, spec),
            states=cast(ValueMap, self.value_map(path, "state", spec, {s.id for s in self.states})),
            dimensions={
                dim: cast(ValueMap, self.value_map((*path, "dimensions"), dim, spec["dimensions"]))
                for dim in spec.get("dimensions", {})
            },
        )

    def check_platform_states(self, path: tuple[PathItem, ...], spec: dict[str, Any]) -> None:
        """The platform's own profile maps its fixed states (only its ``state`` is read, so a
        profile with ``state`` alone is complete): ``waiting_requester``,
        ``waiting_third_party``, or ``waiting`` for both (``jalon.conventions.platform``)."""
        for external in spec.get("values", {}):
            if "*" not in external and external not in PROFILE_KEYS:
                self.error((*path, "values", external), _unknown(external, set(PROFILE_KEYS)))

    def check_platform_dimensions(self, path: tuple[PathItem, ...], spec: dict[str, Any]) -> None:
        """A platform ticket has no group, site… until someone sets it: each dimension of the
        ``jalon`` profile needs a ``default``, or such a ticket would lose its clocks."""
        for name, body in spec.items():
            if body.get("default") is None:
                self.error((*path, name), "a dimension of the jalon profile needs a default "
                           "(a platform ticket has no value until someone sets it)")
            column = body.get("column", name)
            if column not in PLATFORM_COLUMNS:
                # else every platform ticket would silently take the default
                self.error((*path, name, "column"), f"the platform has no column {column!r}; "
                           f"it exports: {', '.join(PLATFORM_COLUMNS)}")

    def type_map(self, path: tuple[PathItem, ...], spec: dict[str, Any]) -> ValueMap:
        mapping = self.value_map(path, "type", spec, set(self.types))
        if mapping is not None:
            return mapping
        if len(self.types) > 1 and path[-1] != PLATFORM_PROFILE:
            self.error(path, "type mapping missing (the convention declares several types)")
        return ValueMap("type", (), self.types[0], self.location(path))

    def value_map(
        self,
        path: tuple[PathItem, ...],
        key: str,
        spec: dict[str, Any],
        allowed: set[str] | None = None,
    ) -> ValueMap | None:
        if key not in spec:
            return None
        here = (*path, key)
        body = spec[key]
        values = tuple(body.get("values", {}).items())
        default = body.get("default")
        if allowed is not None:
            for external, internal in values:
                if internal is not None and internal not in allowed:
                    self.error((*here, "values", external), _unknown(internal, allowed))
            if default is not None and default not in allowed:
                self.error((*here, "default"), _unknown(default, allowed))
        return ValueMap(body.get("column", key), values, default, self.location(here))

    # -- clocks ----------------------------------------------------------------------------------

    def event(self, path: tuple[PathItem, ...], spec: str | dict[str, Any]) -> EventRef:
        if isinstance(spec, str):
            return EventRef(cast(Any, spec))
        kind, states = next(iter(spec.items()))
        if kind == "at":
            self.check_instant_column((*path, kind), states)
            return EventRef("at", column=states)
        self.known_states((*path, kind), states)
        return EventRef(cast(Any, kind), tuple(states))

    def check_instant_column(self, path: tuple[PathItem, ...], column: str) -> None:
        """Exports put their ``*_at`` columns among a record's instants (docs/imports.md)."""
        if column in FIXED_INSTANTS:
            self.error(path, f"{column!r}: write {column.removesuffix('_at')} instead")
        elif not column.endswith("_at"):
            self.error(path, f"{column!r}: a record's instants are its columns ending in _at "
                       "(e.g. audit_at)")

    def known_states(self, path: tuple[PathItem, ...], states: list[str]) -> None:
        declared = {s.id for s in self.states}
        for i, state in enumerate(states):
            if state not in declared:
                self.error((*path, i), _unknown(state, declared))

    def clock(self, index: int, spec: dict[str, Any]) -> ClockDef:
        path: tuple[PathItem, ...] = ("clocks", index)
        for i, kind in enumerate(spec["types"]):
            if kind not in self.types:
                self.error((*path, "types", i), _unknown(kind, set(self.types)))
        self.known_states((*path, "pause"), spec.get("pause", []))
        calendar, choice = self.clock_calendar((*path, "calendar"), spec["calendar"])
        targets: dict[str, Target] = {}
        for priority, body in spec["targets"].items():
            where = (*path, "targets", priority)
            if priority != "*" and priority not in self.priority_ids:
                self.error(where, _unknown(priority, self.priority_ids | {"*"}))
            target = self.target(where, body, calendar)
            if target is not None:
                targets[priority] = target
        defaults = self.data.get("clock_defaults", {})
        return ClockDef(
            id=spec["id"],
            label=spec.get("label", spec["id"]),
            types=tuple(spec["types"]),
            start=self.event((*path, "start"), spec["start"]),
            stop=self.event((*path, "stop"), spec["stop"]),
            pause_states=tuple(spec.get("pause", [])),
            calendar=calendar,
            targets=targets,
            on_reopen=spec.get("on_reopen", defaults.get("on_reopen", "resume")),
            warn_ratio=spec.get("warn_ratio", defaults.get("warn_ratio")),
            filter=self.filter((*path, "filter"), spec["filter"]) if "filter" in spec else None,
            calendar_by=choice,
        )

    def clock_calendar(
        self, path: tuple[PathItem, ...], spec: str | dict[str, Any]
    ) -> tuple[str, CalendarChoice | None]:
        """A calendar id, or ``{by: dimension, values: {value: calendar}, default: calendar}``."""
        if isinstance(spec, str):
            self.known_calendar(path, spec)
            return spec, None
        default, by = spec["default"], spec["by"]
        self.known_calendar((*path, "default"), default)
        if by not in self.dimensions:
            self.error((*path, "by"), f"no profile maps a dimension {by!r}; " + _known(self.dimensions))
        known_values = self.dimension_values.get(by, set())
        for value, calendar in spec["values"].items():
            where = (*path, "values", value)
            if by in self.dimensions and value not in known_values:
                self.error(where, f"no profile maps {by} to {value!r} ({_known(known_values)})")
            if self.known_calendar(where, calendar) and default in self.calendars:
                self.same_day(where, calendar, default)
        return default, CalendarChoice(by, dict(spec["values"]))

    def known_calendar(self, path: tuple[PathItem, ...], calendar: str) -> bool:
        if calendar not in self.calendars:
            self.error(path, _unknown(calendar, set(self.calendars)))
            return False
        return True

    def same_day(self, path: tuple[PathItem, ...], calendar: str, default: str) -> None:
        """A clock's targets in days must be the same open time on each calendar it runs on."""
        from jalon.conventions.calendars import business_day

        def minutes(name: str) -> int | None:
            rule = business_day(self.calendars[name].business_day)
            return rule.minutes if rule is not None else None

        if minutes(calendar) != minutes(default):
            self.error(path, f"calendar {calendar!r} and the clock's calendar {default!r} have different "
                       "business_day: a target in days would not be the same open time on both")

    def target(self, path: tuple[PathItem, ...], body: str | dict[str, Any], calendar: str) -> Target | None:
        """A duration; or ``{column}``, ``{due}``, ``{legs, combine}`` read from each record."""
        if isinstance(body, str):
            seconds = self.duration_seconds(path, body, calendar)
            return None if seconds is None else Target(body, seconds)
        if "column" in body:
            return Target(f"délai du dossier ({body['column']})", 0, column=body["column"])
        if "due" in body:
            self.check_instant_column((*path, "due"), body["due"])
            return Target(f"échéance du dossier ({body['due']})", 0, due=body["due"])
        legs = []
        for i, leg in enumerate(body["legs"]):
            after = self.event((*path, "legs", i, "after"), leg["after"])
            seconds = self.duration_seconds((*path, "legs", i, "delay"), leg["delay"], calendar)
            if seconds is not None:
                legs.append(Leg(after, leg["delay"], seconds))
        combine = body.get("combine", "latest")
        text = f" {'+' if combine == 'sum' else 'ou'} ".join(f"{leg.text} après {leg.after}" for leg in legs)
        return Target(text, 0, legs=tuple(legs), combine=combine)

    def duration_seconds(self, path: tuple[PathItem, ...], text: str, calendar: str | None) -> int | None:
        from jalon.businesstime import CalendarError
        from jalon.conventions.calendars import duration_seconds

        if calendar is not None and calendar not in self.calendars:
            return None  # the unknown calendar is reported once, where it is named
        spec = self.calendars.get(calendar) if calendar else None
        try:
            return duration_seconds(text, spec)
        except CalendarError as error:
            self.error(path, error.reason)
            return None

    # -- indicators ------------------------------------------------------------------------------

    def build_indicators(self) -> tuple[Indicator, ...]:
        specs = self.data["indicators"]
        indicators = tuple(self.indicator(i, spec) for i, spec in enumerate(specs))
        self.unique(("indicators",), [i.id for i in indicators])
        by_id = {i.id: i for i in indicators}
        for index, indicator in enumerate(indicators):
            self.check_links((("indicators", index)), indicator, by_id)
        return indicators

    def indicator(self, index: int, spec: dict[str, Any]) -> Indicator:
        path: tuple[PathItem, ...] = ("indicators", index)
        kind = spec["kind"]
        clock = spec.get("clock")
        if kind in CLOCK_KINDS and clock is None:
            self.error(path, f"kind {kind} needs a clock")
        for key in ("clock", "within"):
            if key in spec and spec[key] not in self.clock_defs:
                self.error((*path, key), _unknown(spec[key], set(self.clock_defs)))
        age_calendar = spec.get("age_calendar")
        if age_calendar is not None and age_calendar not in self.calendars:
            self.error((*path, "age_calendar"), _unknown(age_calendar, set(self.calendars)))
        if kind == "first_contact" and "within" not in spec and "max_reassignments" not in spec:
            self.error(path, "first_contact needs within (a clock) or max_reassignments")
        unit = spec.get("unit") or self.default_unit(kind, age_calendar)
        calendar = self.clock_defs[clock].calendar if clock in self.clock_defs else age_calendar
        return Indicator(
            id=spec["id"],
            label=spec["label"],
            family=spec.get("family"),
            kind=kind,
            unit=unit,
            frequency=spec.get("frequency", "quarterly"),
            weight=spec.get("weight", 1.0),
            target=self.target_level((*path, "target"), spec.get("target")),
            filter=self.filter((*path, "filter"), spec.get("filter", {})),
            clock=clock,
            factor=spec.get("factor", 1.0),
            percentile=spec.get("percentile", 90.0),
            counted_on=spec.get("counted_on", "stop"),
            open_until=spec.get("open_until", "resolved"),
            age_calendar=age_calendar,
            within=spec.get("within"),
            max_reassignments=spec.get("max_reassignments"),
            aggregate=spec.get("aggregate", "mean"),
            note=self.note_rule(spec.get("note")),
            penalty=self.penalty_rule((*path, "penalty"), spec.get("penalty"), unit, calendar),
            part_of=spec.get("part_of"),
            parts=tuple(spec.get("parts", ())),
            combine=spec.get("combine", "sum_deductions"),
            when_no_data=spec.get("when_no_data", "skip"),
            where=self.location(path),
        )

    @staticmethod
    def default_unit(kind: str, age_calendar: str | None) -> str:
        if kind == "backlog_age":
            return "j" if age_calendar else "days"
        return DEFAULT_UNITS[kind]

    def target_level(self, path: tuple[PathItem, ...], text: str | None) -> TargetLevel | None:
        if text is None:
            return None
        match = _TARGET.match(text)
        if match is None:  # the schema's pattern already refused it; kept for type narrowing
            self.error(path, f"{text!r}: expected an operator and a number, e.g. '>= 95%'")
            return None
        return TargetLevel(cast(Any, match[1]), float(match[2].replace(",", ".")))

    def filter(self, path: tuple[PathItem, ...], spec: dict[str, list[str]]) -> Filter:
        dims: dict[str, tuple[str, ...]] = {}
        for key, values in spec.items():
            if key == "type":
                for i, value in enumerate(values):
                    if value not in self.types:
                        self.error((*path, key, i), _unknown(value, set(self.types)))
            elif key == "priority":
                for i, value in enumerate(values):
                    if value not in self.priority_ids:
                        self.error((*path, key, i), _unknown(value, self.priority_ids))
            elif key not in self.dimensions:
                allowed = self.dimensions | {"type", "priority"}
                self.error((*path, key), f"no profile maps a dimension {key!r}; " + _known(allowed))
            else:
                dims[key] = tuple(values)
        return Filter(tuple(spec.get("type", ())), tuple(spec.get("priority", ())), dims)

    def note_rule(self, spec: dict[str, Any] | None) -> NoteRule | None:
        if spec is None:
            return None
        return NoteRule(
            deductions=tuple(_deduction(d) for d in spec["deductions"]),
            initial=spec.get("initial", 20.0),
            maximum=spec.get("maximum", 20.0),
            floor=spec.get("floor", self.data.get("scoring", {}).get("note_floor")),
        )

    def penalty_rule(
        self,
        path: tuple[PathItem, ...],
        spec: dict[str, Any] | None,
        unit: str,
        calendar: str | None,
    ) -> PenaltyRule | None:
        if spec is None:
            return None
        per_item = spec.get("per_item", False)
        step = self.quantity((*path, "step"), spec["step"], unit, calendar, per_item)
        expected = spec.get("expected")
        if expected is not None:
            expected = self.quantity((*path, "expected"), expected, unit, calendar, False)
        if step is not None and step <= 0:
            self.error((*path, "step"), "a penalty step must be more than 0")
        return PenaltyRule(
            weight=spec["weight"],
            step=step or 1.0,
            expected=expected,
            direction=spec.get("direction", "at_least" if unit == "%" else "at_most"),
            per_item=per_item,
            rounding=spec.get("rounding", "ceil"),
        )

    def quantity(
        self,
        path: tuple[PathItem, ...],
        value: float | str,
        unit: str,
        calendar: str | None,
        in_seconds: bool,
    ) -> float | None:
        """A number in the indicator's unit; ``1%``; or a duration converted to that unit."""
        if isinstance(value, int | float):
            return float(value)
        percent = _PERCENT.match(value)
        if percent:
            return float(percent[1].replace(",", "."))
        seconds = self.duration_seconds(path, value, calendar)
        if seconds is None:
            return None
        if in_seconds:
            return float(seconds)
        if unit in TIME_UNITS:
            return seconds / TIME_UNITS[unit]
        self.error(path, f"{value!r} is a duration but the indicator's unit is {unit!r}")
        return None

    def check_links(self, path: tuple[PathItem, ...], indicator: Indicator, by_id: dict[str, Indicator]) -> None:
        family_ids = {f.id for f in self.families}
        if indicator.part_of is not None:
            parent = by_id.get(indicator.part_of)
            if parent is None or indicator.id not in parent.parts:
                self.error((*path, "part_of"), f"{indicator.part_of!r} does not list it in parts")
            if indicator.note is None:
                self.error(path, "a part of a composite indicator needs a note")
            return
        if indicator.family is None:
            self.error(path, "family missing (every indicator but composite parts has one)")
            return
        if indicator.family not in family_ids:
            self.error((*path, "family"), _unknown(indicator.family, family_ids))
            return
        for i, part in enumerate(indicator.parts):
            if part not in by_id or by_id[part].part_of != indicator.id:
                self.error((*path, "parts", i), f"{part!r} is not an indicator with part_of")
        if indicator.kind == "composite" and not indicator.parts:
            self.error(path, "a composite indicator needs parts")
        self.check_scoring(path, indicator)

    def check_scoring(self, path: tuple[PathItem, ...], indicator: Indicator) -> None:
        scoring = next(f.scoring for f in self.families if f.id == indicator.family)
        if scoring == "note" and indicator.note is None and indicator.kind != "composite":
            self.error(path, f"family {indicator.family!r} is scored by note: note missing")
        if scoring == "penalty" and indicator.penalty is None:
            self.error(path, f"family {indicator.family!r} is scored by penalty: penalty missing")
        rule = indicator.penalty
        if rule and rule.per_item and indicator.kind not in {"clock_overrun", "measure"}:
            self.error((*path, "penalty", "per_item"), "per_item needs clock_overrun or measure")
        if rule and not rule.per_item and rule.expected is None:
            self.error((*path, "penalty"), "expected missing (the level penalties count from)")

    def global_rule(self) -> GlobalRule:
        spec = self.data.get("scoring", {})
        bands = tuple(
            sorted(
                (
                    BonusBand(b["from"], b["outcome"], b.get("percent"), b.get("label", ""))
                    for b in spec.get("bonus_malus", [])
                ),
                key=lambda band: -band.min_note,
            )
        )
        money = spec.get("money", {})
        if spec.get("global", "cost_share") == "cost_share":
            for i, family in enumerate(self.families):
                if family.scoring == "note" and family.cost_share is None:
                    self.error(("families", i), "cost_share missing for a global note by cost")
        return GlobalRule(
            method=spec.get("global", "cost_share"),
            divide_by=spec.get("divide_by", "sum_of_shares"),
            bonus_malus=bands,
            money_per_point=money.get("per_point"),
            currency=money.get("currency", "EUR"),
        )


def _deduction(spec: dict[str, Any]) -> Deduction:
    if "between" in spec:
        low, high = sorted(spec["between"])
        return Deduction("between", spec["points"], low=low, high=high, bounds=spec.get("bounds", "[]"))
    kind: Literal["below", "above"] = "below" if "below" in spec else "above"
    return Deduction(
        kind,
        spec["points"],
        threshold=spec[kind],
        unit=spec.get("per", 1.0),
        base=spec.get("base", 0.0),
        rounding=spec.get("rounding", "ceil"),
    )


def _mapped_values(vmap: ValueMap) -> set[str]:
    values = {v for _, v in vmap.values if v is not None}
    return values | ({vmap.default} if vmap.default is not None else set())


def _known(allowed: set[str]) -> str:
    return "known: " + ", ".join(sorted(allowed)) if allowed else "none declared"


def _unknown(value: str, allowed: set[str]) -> str:
    return f"{value!r} is not declared ({_known(allowed)})"
