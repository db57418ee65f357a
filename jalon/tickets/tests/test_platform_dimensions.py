"""The platform's tickets carry what the shipped conventions select on (issue 11 §4).

Every dimension an indicator filter, a clock filter or a calendar choice names must be read by
the convention's ``jalon`` profile from a column the platform exports; otherwise every platform
ticket takes the dimension's default and the indicators that select on it come out empty (LADE's
S7-S9 and T1-T4 once scored 20/20 on nothing).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jalon.conventions import load
from jalon.conventions.model import Convention
from jalon.conventions.platform import PLATFORM_COLUMNS, PLATFORM_PROFILE, platform_profile
from jalon.conventions.tests.support import CONVENTIONS
from jalon.tickets.clocks import ENGINE_COLUMNS, engine_attributes

SHIPPED = sorted(CONVENTIONS.glob("*.yaml"))


def selected_dimensions(convention: Convention) -> set[str]:
    """The dimensions the convention's indicators and clocks select on."""
    names = {dim for indicator in convention.indicators for dim in indicator.filter.dimensions}
    for clock in convention.clocks:
        if clock.filter is not None:
            names |= set(clock.filter.dimensions)
        if clock.calendar_by is not None:
            names.add(clock.calendar_by.by)
    return names


def test_the_platform_exports_the_columns_a_jalon_profile_may_read() -> None:
    assert set(engine_attributes(dict.fromkeys(ENGINE_COLUMNS, ""))) == set(PLATFORM_COLUMNS)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_dimension_a_shipped_convention_selects_on_is_read_from_the_platform(path: Path) -> None:
    convention = load(path)
    profile = platform_profile(convention)
    assert selected_dimensions(convention) <= set(profile.dimensions), (
        f"{path.name}: profiles.{PLATFORM_PROFILE} lacks "
        f"{sorted(selected_dimensions(convention) - set(profile.dimensions))}")
    assert {vmap.column for vmap in profile.dimensions.values()} <= set(PLATFORM_COLUMNS)


def test_lade_reads_the_platform_channel_and_group_as_ocean_reads_origin_and_role() -> None:
    convention = load(CONVENTIONS / "lade-tmes.yaml")
    platform, ocean = platform_profile(convention), convention.profiles["ocean"]
    assert selected_dimensions(convention) == {"origine", "equipe", "role"}
    origine = dict(platform.dimensions["origine"].values)
    assert origine == {"phone": "telephone", "mail": "mail", "portal": "portail",
                       "supervision": "supervision", "soc": "soc"}
    assert set(origine.values()) | {"autre"} == {v for _k, v in ocean.dimensions["origine"].values} | {"autre"}
    for name in ("equipe", "role"):
        assert platform.dimensions[name].column == ocean.dimensions[name].column == "group"
        assert platform.dimensions[name].values == ocean.dimensions[name].values
        assert platform.dimensions[name].default == ocean.dimensions[name].default


def test_cd13_reads_a_major_incident_from_the_criticality_level_1_decided() -> None:
    majeur = platform_profile(load(CONVENTIONS / "cd13-callipso.yaml")).dimensions["majeur"]
    assert (majeur.column, dict(majeur.values), majeur.default) == (
        "criticality", {"bloquant": "oui", "majeur": "oui", "mineur": "non"}, "non")
