"""WCAG 2.1 contrast of Jalon's own CSS (static/jalon/jalon.css), decided without a browser.

``measure(css, variables, backgrounds)`` reads every rule of a style sheet and measures each
colour it sets against what it is drawn on:

- ``color``, and ``fill`` on SVG ``text``: text, 4.5:1 (WCAG 1.4.3, RGAA 3.2), or 3:1 when the
  same rule makes it large (``font-size`` ≥ 24px, or ≥ 18.66px and bold);
- ``fill`` on other SVG shapes, ``stroke``, borders, outlines, and a ``background`` in a rule that
  sets no ``color`` (a coloured shape such as a chart legend's swatch): non-text graphics,
  3:1 (WCAG 1.4.11, RGAA 3.3), unless the caller lists the selector as decorative;
- text is measured against the rule's own ``background``/``background-color`` when it has one,
  otherwise against each of ``backgrounds`` (the DSFR backgrounds the element may sit on); shapes
  against ``backgrounds``.

Colours may be ``#rgb``/``#rrggbb`` (opaque ``#rgba``/``#rrggbbaa`` too), ``rgb()``, ``white``,
``black``, or ``var(--name[, fallback])`` resolved through ``variables``: the DSFR's custom
properties, read from dsfr.min.css by :func:`custom_properties`. A colour that cannot be resolved
raises :class:`UnresolvedColor` rather than being skipped. ``inherit``, ``currentColor`` and
``transparent`` add no colour of their own and are not measured.

The contrast ratio is WCAG 2.1's: (L1 + 0.05) / (L2 + 0.05) of the relative luminances, sRGB
channels linearised with the 0.03928 threshold.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

Color = tuple[int, int, int]

TEXT = 4.5  # WCAG 1.4.3 (AA), RGAA 3.2
LARGE_TEXT = 3.0  # WCAG 1.4.3 for large text: 18pt (24px), or 14pt (18.66px) bold
GRAPHIC = 3.0  # WCAG 1.4.11 (AA), RGAA 3.3: graphics needed to understand, UI components

SVG_TEXT = frozenset({"text", "tspan", "textpath"})
LINE_PROPERTIES = ("stroke", "border", "border-top", "border-right", "border-bottom",
                   "border-left", "border-color", "border-top-color", "border-right-color",
                   "border-bottom-color", "border-left-color", "outline", "outline-color")
NO_COLOUR = frozenset({"inherit", "initial", "unset", "revert", "currentcolor", "transparent",
                       "none"})
KEYWORDS: dict[str, Color] = {"white": (255, 255, 255), "black": (0, 0, 0)}
HEX = re.compile(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})\b")
RGB = re.compile(r"rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)\s*(?:[,/]\s*([\d.]+%?)\s*)?\)")
COMMENT = re.compile(r"/\*.*?\*/", re.S)


class UnresolvedColor(ValueError):
    """A colour value the checker cannot turn into sRGB (unknown variable, keyword, function)."""


@dataclass(frozen=True)
class Rule:
    selector: str
    declarations: dict[str, str]
    line: int


@dataclass(frozen=True)
class Contrast:
    """One colour of one rule measured against one background."""

    selector: str
    prop: str  # the CSS property that sets the colour
    kind: str  # "text", "large text", "graphic" or "decorative"
    foreground: Color
    background: Color
    on: str  # where the background comes from: the rule itself, or a name of ``backgrounds``
    ratio: float
    required: float
    line: int

    @property
    def ok(self) -> bool:
        # Not rounded: 4.499:1 does not reach 4.5:1 (WCAG's understanding of 1.4.3).
        return self.ratio >= self.required

    def __str__(self) -> str:
        ratio = int(self.ratio * 100) / 100  # truncated: a failure never prints as passing
        return (f"{self.selector} {{ {self.prop} }}: {hex_of(self.foreground)} on "
                f"{hex_of(self.background)} ({self.on}) = {ratio:.2f}:1, {self.kind} needs "
                f"{self.required:g}:1 (line {self.line})")


# -- reading CSS --------------------------------------------------------------------------------

def parse(css: str) -> list[Rule]:
    """The style rules of ``css``, those inside ``@media``/``@supports`` blocks included (other
    at-rules are skipped), each with its declarations (the last one of a property wins) and the
    line of its selector."""
    text = COMMENT.sub(lambda m: "\n" * m.group().count("\n"), css)
    rules: list[Rule] = []
    _parse_block(text, 0, len(text), rules)
    return rules


def _parse_block(text: str, start: int, end: int, rules: list[Rule]) -> None:
    position = start
    while position < end:
        opening = text.find("{", position, end)
        if opening < 0:
            return
        statement_end = text.rfind(";", position, opening)  # @charset "…"; @import …;
        if statement_end >= 0:
            position = statement_end + 1
        prelude = text[position:opening]
        closing = _matching_brace(text, opening, end)
        head = prelude.strip()
        if head.startswith("@"):
            if re.match(r"@(media|supports|layer|container)\b", head):
                _parse_block(text, opening + 1, closing, rules)
        elif head:
            line = text.count("\n", 0, position + len(prelude) - len(prelude.lstrip())) + 1
            rules.append(Rule(" ".join(head.split()), _declarations(text[opening + 1:closing]),
                              line))
        position = closing + 1


def _matching_brace(text: str, opening: int, end: int) -> int:
    depth = 0
    for index in range(opening, end):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced braces from offset {opening}")


def _declarations(body: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for declaration in _split_top_level(body, ";"):
        name, colon, value = declaration.partition(":")
        if colon and name.strip():
            value = re.sub(r"\s*!important\s*$", "", value.strip())
            found[name.strip().lower()] = value
    return found


def _split_top_level(text: str, separator: str) -> Iterator[str]:
    """``text`` split on ``separator`` outside parentheses (``var(--a, #fff)`` stays whole)."""
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == separator and depth == 0:
            yield "".join(current)
            current = []
        else:
            current.append(char)
    yield "".join(current)


def custom_properties(css: str, selectors: Collection[str] = (":root",)) -> dict[str, str]:
    """The custom properties (``--name: value``) declared in rules whose selector list holds one
    of ``selectors`` exactly, later declarations winning. The DSFR declares its light theme in
    ``:root`` and its dark theme in ``:root[data-fr-theme=dark]``."""
    wanted = {s.replace(" ", "") for s in selectors}
    found: dict[str, str] = {}
    for rule in parse(css):
        if wanted & {s.replace(" ", "") for s in rule.selector.split(",")}:
            found.update({k: v for k, v in rule.declarations.items() if k.startswith("--")})
    return found


# -- colours ------------------------------------------------------------------------------------

def resolve(value: str, variables: Mapping[str, str], _seen: tuple[str, ...] = ()) -> Color:
    """The opaque sRGB colour ``value`` stands for, following ``var()`` through ``variables``."""
    value = value.strip()
    lowered = value.lower()
    if lowered.startswith("var(") and lowered.endswith(")"):
        name, comma, fallback = value[4:-1].partition(",")
        name = name.strip()
        if name in _seen:
            raise UnresolvedColor(f"{value}: circular variables {' → '.join((*_seen, name))}")
        if name in variables:
            return resolve(variables[name], variables, (*_seen, name))
        if comma:
            return resolve(fallback, variables, _seen)
        raise UnresolvedColor(f"{value}: {name} is not defined")
    if lowered in KEYWORDS:
        return KEYWORDS[lowered]
    match = HEX.fullmatch(value)
    if match:
        digits = match.group(1)
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        if len(digits) == 8 and digits[6:].lower() != "ff":
            raise UnresolvedColor(f"{value}: translucent, the colour depends on what is below")
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    match = RGB.fullmatch(lowered)
    if match:
        alpha = match.group(4)
        if alpha is not None and alpha not in ("1", "1.0", "100%"):
            raise UnresolvedColor(f"{value}: translucent, the colour depends on what is below")
        red, green, blue = (int(match.group(n)) for n in (1, 2, 3))
        return (red, green, blue)
    raise UnresolvedColor(f"{value}: not a colour the checker knows")


def colour_of(value: str, variables: Mapping[str, str]) -> Color | None:
    """The colour set by a ``color``/``fill``/``background`` value, None when it sets none of its
    own (``inherit``, ``currentColor``, ``transparent``, ``none``…). In a shorthand
    (``background``, ``border``), the part that is a colour."""
    for part in _split_top_level(value.strip(), " "):
        part = part.strip()
        if not part or part.lower() in NO_COLOUR:
            continue
        lowered = part.lower()
        if (lowered.startswith(("var(", "#", "rgb")) or lowered in KEYWORDS):
            return resolve(part, variables)
        if re.fullmatch(r"[a-z]+", lowered) and lowered not in _NOT_COLOURS:
            raise UnresolvedColor(f"{part}: not a colour the checker knows")
    return None


# Keywords of the shorthands that are not colours (border styles, background keywords).
_NOT_COLOURS = frozenset({"solid", "dashed", "dotted", "double", "groove", "ridge", "inset",
                          "outset", "hidden", "thin", "medium", "thick", "repeat", "no-repeat",
                          "fixed", "scroll", "local", "center", "top", "bottom", "left",
                          "right", "auto", "cover", "contain"})


def luminance(colour: Color) -> float:
    """WCAG 2.1 relative luminance."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(c) for c in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def ratio(first: Color, second: Color) -> float:
    """WCAG 2.1 contrast ratio, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hex_of(colour: Color) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


# -- measuring ----------------------------------------------------------------------------------

def is_large(declarations: Mapping[str, str]) -> bool:
    """Large text in WCAG's sense: 18pt (24px) or more, or 14pt (18.66px) and bold. Sizes in
    em/% depend on the parent and count as normal text."""
    size = declarations.get("font-size", "")
    match = re.fullmatch(r"([\d.]+)(px|rem|pt)", size.strip())
    if not match:
        return False
    pixels = float(match.group(1)) * {"px": 1, "rem": 16, "pt": 4 / 3}[match.group(2)]
    weight = declarations.get("font-weight", "").strip().lower()
    bold = weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 700)
    return pixels >= 24 or (bold and pixels >= 18.66)


def targets_svg_text(selector: str) -> bool:
    """Every selector of the list ends with an SVG text element (``.chart text``)."""
    def last_element(one: str) -> str:
        compound = re.split(r"[\s>+~]+", one.strip())[-1]
        return re.split(r"[.#:\[]", compound, maxsplit=1)[0].lower()
    return all(last_element(s) in SVG_TEXT for s in selector.split(","))


def measure(css: str, variables: Mapping[str, str], backgrounds: Mapping[str, Color], *,
            decorative: Collection[str] = ()) -> list[Contrast]:
    """Every colour set by ``css`` measured against its background (see the module's doc).
    ``backgrounds`` names the backgrounds an element may sit on when its rule sets none;
    ``decorative`` lists selectors whose lines and shapes carry no information (they are measured,
    with no threshold)."""
    found: list[Contrast] = []
    for rule in parse(css):
        d = rule.declarations
        own_background = None
        for name in ("background-color", "background"):
            if name in d:
                own_background = colour_of(d[name], variables)
                break
        grounds = ({"own background": own_background} if own_background is not None
                   else dict(backgrounds))
        text_properties = ["color"] + (["fill"] if targets_svg_text(rule.selector) else [])
        graphic_properties = [p for p in LINE_PROPERTIES if p in d]
        if "fill" in d and "fill" not in text_properties:
            graphic_properties.insert(0, "fill")
        text_kind, text_needs = ("large text", LARGE_TEXT) if is_large(d) else ("text", TEXT)
        for prop in text_properties:
            colour = colour_of(d[prop], variables) if prop in d else None
            if colour is not None:
                found += _against(rule, prop, colour, grounds, text_kind, text_needs)
        if own_background is not None and "color" not in d:
            # A coloured area with no text colour of its own: a shape (a legend's swatch).
            graphic_properties.append("background-color" if "background-color" in d
                                      else "background")
        decorative_rule = rule.selector in decorative
        for prop in graphic_properties:
            colour = colour_of(d[prop], variables)
            if colour is None:
                continue
            kind, needs = ("decorative", 1.0) if decorative_rule else ("graphic", GRAPHIC)
            found += _against(rule, prop, colour, backgrounds, kind, needs)
    return found


def _against(rule: Rule, prop: str, colour: Color, grounds: Mapping[str, Color | None],
             kind: str, needs: float) -> list[Contrast]:
    return [Contrast(rule.selector, prop, kind, colour, ground, on, ratio(colour, ground), needs,
                     rule.line)
            for on, ground in grounds.items() if ground is not None]


def violations(css: str, variables: Mapping[str, str], backgrounds: Mapping[str, Color], *,
               decorative: Collection[str] = ()) -> list[Contrast]:
    """The measures of :func:`measure` below their threshold."""
    return [c for c in measure(css, variables, backgrounds, decorative=decorative) if not c.ok]
