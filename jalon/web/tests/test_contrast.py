"""The colours of Jalon's own CSS (static/jalon/jalon.css) meet WCAG 2.1 AA contrast (RGAA 3.2
text, 3.3 graphics), in the DSFR's light theme and in its dark theme (base.html sets
data-fr-scheme="system": the DSFR follows the system's setting). The checker is
jalon/testing/contrast.py; its own tests are at the end, with a deliberately bad colour.

Where the colours come from: jalon.css uses the DSFR's custom properties. dsfr.min.css (v1.15.3,
the file served by the pages) declares the light theme in ``:root{…}`` and the dark theme in
``:root[data-fr-theme=dark]{…}``, in two steps: a semantic token (``--text-default-error``) names
a palette token (``--error-425-625``), whose value is a hex colour, different in each theme. The
checker reads both steps from dsfr.min.css itself; DSFR_COLOURS writes them down, and a test
checks that the file still says so (a DSFR upgrade that changes a colour fails it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from jalon.testing import contrast
from jalon.testing.contrast import Color

STATIC = Path(settings.BASE_DIR) / "static"
JALON_CSS = (STATIC / "jalon" / "jalon.css").read_text(encoding="utf-8")
DSFR_CSS = (STATIC / "dsfr" / "dsfr.min.css").read_text(encoding="utf-8")

# Each DSFR custom property jalon.css uses, or the checker uses as a background:
# semantic token -> (palette token it points to in dsfr.min.css, light value, dark value).
DSFR_COLOURS: dict[str, tuple[str, str, str]] = {
    # Backgrounds: the page (the DSFR's body) and the even rows of an fr-table (its stripes).
    "--background-default-grey": ("--grey-1000-50", "#fff", "#161616"),
    "--background-alt-grey": ("--grey-975-75", "#f6f6f6", "#1e1e1e"),
    # Text: the deadlines' state (.jalon-clock--*), the charts' labels.
    "--text-default-error": ("--error-425-625", "#ce0500", "#ff5655"),
    "--text-default-warning": ("--warning-425-625", "#b34000", "#fc5d00"),
    "--text-default-success": ("--success-425-625", "#18753c", "#27a658"),
    "--text-mention-grey": ("--grey-425-625", "#666", "#929292"),
    # Graphics: the charts' bars and their legend's swatches.
    "--background-action-high-blue-france": ("--blue-france-sun-113-625", "#000091", "#8585f6"),
    "--background-action-high-green-emeraude": ("--green-emeraude-sun-425-moon-753", "#297254",
                                                "#34cb6a"),
    # Lines: the ticket history's rule, the charts' gridlines (decorative, see DECORATIVE).
    "--border-default-grey": ("--grey-900-175", "#ddd", "#353535"),
}

LIGHT = contrast.custom_properties(DSFR_CSS, [":root"])
DARK = {**LIGHT, **contrast.custom_properties(DSFR_CSS, [":root[data-fr-theme=dark]"])}
THEMES = {"light": LIGHT, "dark": DARK}

# What an element of Jalon's may sit on when its rule sets no background of its own.
BACKGROUNDS = {"page": "var(--background-default-grey)",
               "even table row": "var(--background-alt-grey)"}

# Lines and shapes that carry no information of their own: measured, no threshold (WCAG 1.4.11
# applies to graphics needed to understand the content).
DECORATIVE: dict[str, str] = {
    ".jalon-timeline": "the rule along the ticket's history: each event is an item of the list, "
                       "with its date and author",
    ".jalon-chart .jalon-axis": "the charts' gridlines: each one has its value written next to it, "
                                "the chart is aria-hidden and the table after it gives every "
                                "figure",
}


def backgrounds(theme: str) -> dict[str, Color]:
    return {name: contrast.resolve(value, THEMES[theme]) for name, value in BACKGROUNDS.items()}


def measures(theme: str) -> list[contrast.Contrast]:
    return contrast.measure(JALON_CSS, THEMES[theme], backgrounds(theme), decorative=DECORATIVE)


# -- jalon.css ----------------------------------------------------------------------------------

@pytest.mark.parametrize("theme", THEMES)
def test_the_colours_of_jalon_css_meet_wcag_aa_contrast(theme: str) -> None:
    failing = [m for m in measures(theme) if not m.ok]
    assert not failing, "\n" + "\n".join(map(str, failing))


@pytest.mark.parametrize("theme", THEMES)
def test_every_colour_of_jalon_css_is_measured(theme: str) -> None:
    """No rule setting a colour escapes the checker (each on each background)."""
    measured = {(m.selector, m.prop) for m in measures(theme)}
    expected = {(rule.selector, prop) for rule in contrast.parse(JALON_CSS)
                for prop, value in rule.declarations.items()
                if re.search(r"var\(|#[0-9a-f]{3}|rgb", value, re.I)}
    assert expected
    assert measured == expected
    assert len(measures(theme)) == len(measured) * len(BACKGROUNDS)


def test_the_deadline_colours_are_text_on_the_page_and_on_striped_rows() -> None:
    clocks = [m for m in measures("light") if m.selector.startswith(".jalon-clock--")]
    assert {m.kind for m in clocks} == {"text"}
    assert {m.on for m in clocks} == set(BACKGROUNDS)
    assert min(m.ratio for m in clocks) > 5.3  # #ce0500, #b34000, #18753c on #f6f6f6


def test_the_chart_labels_are_text_and_the_bars_graphics() -> None:
    kinds = {(m.selector, m.kind) for m in measures("light")}
    assert (".jalon-chart text", "text") in kinds
    assert (".jalon-bar--a", "graphic") in kinds
    assert (".jalon-legend.jalon-bar--b", "graphic") in kinds
    assert (".jalon-chart .jalon-axis", "decorative") in kinds


def test_the_decorative_selectors_exist_in_jalon_css() -> None:
    selectors = {rule.selector for rule in contrast.parse(JALON_CSS)}
    assert set(DECORATIVE) <= selectors


def test_the_dsfr_colours_are_where_the_table_says() -> None:
    for token, (palette, light, dark) in DSFR_COLOURS.items():
        assert LIGHT[token] == f"var({palette})", token
        assert LIGHT[palette] == light, palette
        assert DARK[palette] == dark, palette


def test_every_dsfr_property_jalon_css_uses_is_in_the_table() -> None:
    used = set(re.findall(r"var\((--[\w-]+)", JALON_CSS))
    assert used
    assert used <= set(DSFR_COLOURS), used - set(DSFR_COLOURS)
    assert used <= set(LIGHT), "jalon.css uses a property the DSFR does not define"


def test_the_dark_theme_changes_the_colours() -> None:
    assert backgrounds("light")["page"] == (255, 255, 255)
    assert backgrounds("dark")["page"] == (0x16, 0x16, 0x16)


# -- the checker ----------------------------------------------------------------------------------

WHITE = {"page": (255, 255, 255)}


def test_the_ratio_follows_wcag_2_1() -> None:
    assert contrast.ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast.ratio((10, 20, 30), (10, 20, 30)) == pytest.approx(1)
    # #767676 is the lightest grey that passes 4.5:1 on white; #777777 fails.
    assert contrast.ratio((0x76,) * 3, (255,) * 3) == pytest.approx(4.54, abs=0.01)
    assert contrast.ratio((0x77,) * 3, (255,) * 3) < 4.5


def test_a_bad_text_colour_is_reported_with_its_selector_and_ratio() -> None:
    css = ".jalon-ok { color: #3a3a3a; }\n\n.jalon-pale { color: #aaaaaa; font-weight: 700; }\n"
    (bad,) = contrast.violations(css, {}, WHITE)
    assert (bad.selector, bad.prop, bad.kind, bad.line) == (".jalon-pale", "color", "text", 3)
    assert str(bad) == (".jalon-pale { color }: #aaaaaa on #ffffff (page) = 2.32:1, text needs "
                        "4.5:1 (line 3)")


def test_a_bad_colour_in_jalon_css_would_fail_the_page_test() -> None:
    css = JALON_CSS + "\n.jalon-clock--paused { color: var(--text-disabled-grey); }\n"
    failing = contrast.violations(css, LIGHT, backgrounds("light"), decorative=DECORATIVE)
    assert {m.selector for m in failing} == {".jalon-clock--paused"}
    assert "#929292 on #ffffff (page) = 3.11:1, text needs 4.5:1" in str(failing[0])


def test_text_is_measured_on_its_own_background_when_the_rule_has_one() -> None:
    css = (".on-blue { color: #fff; background-color: #000091; }\n"
           ".on-white { color: var(--text); background: var(--ground) no-repeat; }")
    found = contrast.measure(css, {"--text": "#ffffff", "--ground": "var(--white)",
                                   "--white": "#fff"}, {"page": (0, 0, 0), "row": (9, 9, 9)})
    assert [(m.selector, m.on, m.ok) for m in found] == [
        (".on-blue", "own background", True), (".on-white", "own background", False)]
    assert found[1].ratio == pytest.approx(1)


def test_large_bold_text_needs_3_to_1() -> None:
    grey = "#949494"  # 3.03:1 on white
    large = contrast.measure(f".big {{ color: {grey}; font-size: 1.5rem; }}", {}, WHITE)
    bold = contrast.measure(f".bold {{ color: {grey}; font-size: 19px; font-weight: 700; }}", {},
                            WHITE)
    small = contrast.measure(f".small {{ color: {grey}; font-size: 19px; }}", {}, WHITE)
    assert [(m.kind, m.required, m.ok) for m in large + bold + small] == [
        ("large text", 3.0, True), ("large text", 3.0, True), ("text", 4.5, False)]


def test_svg_text_fill_is_text_and_shapes_are_graphics() -> None:
    css = (".chart text, .chart tspan { fill: #aaa; }\n.bar { fill: #c8c8c8; }\n"
           ".swatch { background: #aaa; }\n.rule { border-left: 2px solid #eee; }")
    found = contrast.violations(css, {}, WHITE, decorative={".rule"})
    assert [(m.selector, m.prop, m.kind, m.required) for m in found] == [
        (".chart text, .chart tspan", "fill", "text", 4.5), (".bar", "fill", "graphic", 3.0),
        (".swatch", "background", "graphic", 3.0)]
    assert contrast.measure(css, {}, WHITE, decorative={".rule"})[-1].kind == "decorative"


def test_variables_resolve_through_the_dsfr_and_their_fallbacks() -> None:
    assert contrast.resolve("var(--text-default-error)", LIGHT) == (0xCE, 0x05, 0x00)
    assert contrast.resolve("var(--text-default-error)", DARK) == (0xFF, 0x56, 0x55)
    assert contrast.resolve("var(--nowhere, #00a95f)", LIGHT) == (0x00, 0xA9, 0x5F)
    assert contrast.resolve("rgb(0 0 145)", {}) == (0, 0, 0x91)
    assert contrast.resolve("#00f", {}) == (0, 0, 255)
    with pytest.raises(contrast.UnresolvedColor, match="--nowhere is not defined"):
        contrast.resolve("var(--nowhere)", LIGHT)
    with pytest.raises(contrast.UnresolvedColor, match="translucent"):
        contrast.resolve("#00009180", {})
    with pytest.raises(contrast.UnresolvedColor, match="circular"):
        contrast.resolve("var(--a)", {"--a": "var(--b)", "--b": "var(--a)"})


def test_an_unknown_colour_is_an_error_not_a_pass() -> None:
    with pytest.raises(contrast.UnresolvedColor, match="rebeccapurple"):
        contrast.measure(".x { color: rebeccapurple; }", {}, WHITE)
    assert contrast.measure(".x { color: inherit; background: transparent; }", {}, WHITE) == []


def test_rules_in_media_queries_count_and_comments_do_not() -> None:
    css = ('@charset "UTF-8";\n/* .old { color: #eee; } */\n'
           "@media (min-width: 48em) {\n  .wide { color: #eee; }\n}\n"
           "@font-face { font-family: x; color: #eee; }\n")
    (found,) = contrast.violations(css, {}, WHITE)
    assert (found.selector, found.line) == (".wide", 4)
