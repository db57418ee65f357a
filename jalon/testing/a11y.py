"""Static accessibility checks of a rendered page: the RGAA 4.1 / WCAG 2.1 rules that can be
decided from the HTML alone, without a browser.

``check(html, page)`` parses the page with the standard library's ``html.parser`` into a small
tree and returns one :class:`Violation` per offending element, naming the rule, the element (tag,
attributes) and its line. The rules are listed in :data:`RULES`; what they cannot see (contrast,
focus visibility, zoom, reading order, relevance of texts) is in docs/accessibility.md.

The accessible name computation is a simplified version of the W3C's *accname*: aria-labelledby,
then aria-label, then the label of a form control or the alternative of an image, then the
content (for links, buttons, headings, cells, labels), then the title attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

RULES: dict[str, str] = {
    "html-lang": "<html> has a lang attribute (RGAA 8.3, WCAG 3.1.1)",
    "lang-valid": "every lang attribute is a well-formed language tag (RGAA 8.4, 8.8)",
    "page-title": "the page has a non-empty <title> (RGAA 8.5, WCAG 2.4.2)",
    "duplicate-attribute": "no attribute is given twice on one element (RGAA 8.2)",
    "id-unique": "every id is unique (RGAA 8.2, WCAG 4.1.1)",
    "idref": "for, aria-controls, aria-labelledby, aria-describedby, aria-owns and headers refer "
             "to existing ids, and for= to a form control (RGAA 8.2, 11.1)",
    "heading-one-h1": "the page has exactly one <h1> (RGAA 9.1)",
    "heading-order": "headings start at <h1> and never skip a level going down (RGAA 9.1)",
    "heading-name": "no heading is empty (RGAA 9.1)",
    "main-landmark": "the page has exactly one <main> (RGAA 12.6)",
    "nav-name": "when a page has several navigation landmarks, each has its own name (RGAA 12.6)",
    "skip-link": "the page starts with skip links whose first one leads to the main content "
                 "(RGAA 12.7)",
    "fragment-link": "every in-page link (href=\"#…\") leads to an existing id (RGAA 12.7)",
    "control-name": "every form control has an accessible name: <label for>, a wrapping "
                    "<label>, aria-label or aria-labelledby (RGAA 11.1, WCAG 1.3.1, 4.1.2)",
    "fieldset-name": "every <fieldset> has a <legend>, aria-label or aria-labelledby (RGAA 11.6)",
    "error-described": "a control marked aria-invalid=\"true\" is described by a non-empty "
                       "message (RGAA 11.10, WCAG 3.3.1)",
    "error-associated": "every error message (.fr-message--error, .fr-error-text) is tied to "
                        "its control or group by aria-describedby or aria-labelledby, or is in "
                        "an alert (RGAA 11.10, WCAG 3.3.1)",
    "button-name": "every button has an accessible name (RGAA 11.9, WCAG 4.1.2)",
    "link-name": "every link has an accessible name (RGAA 6.2, WCAG 2.4.4)",
    "img-alt": "every <img> has an alt attribute, every role=\"img\" element a name (RGAA 1.1)",
    "svg-alt": "an <svg> is either role=\"img\" with an accessible name, or aria-hidden=\"true\" "
               "(and then, in a <figure>, the figure has a <figcaption> as its text "
               "alternative) (RGAA 1.1.5, 1.2.4)",
    "table-caption": "every data table has a <caption>, aria-label or aria-labelledby "
                     "(RGAA 5.4)",
    "table-headers": "every data table has header cells, none of them empty (RGAA 5.6)",
    "th-scope": "every <th> has a scope of row, col, rowgroup or colgroup (RGAA 5.7)",
    "scroll-focusable": "a DSFR table, which scrolls sideways on small screens, contains a "
                        "focusable element or is focusable itself (tabindex=\"0\"), so that it "
                        "can be scrolled with the keyboard (RGAA 7.3, 10.11, WCAG 2.1.1)",
    "list-children": "<ul> and <ol> contain only <li> elements (RGAA 9.3, 8.2)",
    "tabindex": "no positive tabindex: the tab order follows the page (RGAA 12.8, WCAG 2.4.3)",
    "aria-value": "aria-current, aria-expanded, aria-hidden, aria-live, aria-invalid, "
                  "aria-disabled, aria-pressed, aria-selected, aria-modal, aria-sort have valid "
                  "values (RGAA 7.1)",
    "role-valid": "every role attribute names an ARIA role (RGAA 7.1, 8.2)",
    "aria-hidden-focus": "no focusable element inside an aria-hidden=\"true\" subtree "
                         "(WCAG 4.1.2)",
    "nested-interactive": "no link, button or form control inside a link, a button or an "
                          "element whose children are presentational (role=\"img\"…), even "
                          "out of the tab order (RGAA 8.2, WCAG 4.1.2)",
    "native-control": "interactive controls are real <a href>, <button>, <input>, <select>, "
                      "<textarea>: no event handler attribute or widget role on other elements, "
                      "no javascript: link (RGAA 7.1, 7.3, WCAG 2.1.1)",
    "disclosure": "a collapsible region (.fr-collapse) is controlled by a button carrying "
                  "aria-controls and aria-expanded, whose state matches the region's; inside a "
                  "form such a button is type=\"button\" (RGAA 7.1, 7.3, WCAG 4.1.2)",
    "dsfr-mobile-menu": "the DSFR header's tools links and navigation, hidden below the lg "
                        "breakpoint (phones, zoom 200 %), open from a menu button in the "
                        "fr-header__menu fr-modal, which holds an fr-header__menu-links container "
                        "(RGAA 10.4, 10.11, WCAG 1.4.4, 1.4.10)",
    "dsfr-icon-label": "a DSFR button with an icon shows its text label: inside an fr-btns-group "
                       "the group carries fr-btns-group--icon-left (or -right), alone the button "
                       "carries fr-btn--icon-left (or -right); otherwise the DSFR draws it as an "
                       "icon only, which then needs a title (RGAA 11.9, DSFR buttons)",
    "live-ticking": "an element updated by a timer (.jalon-countdown, role=\"timer\") is not "
                    "inside a live region that would announce each change (RGAA 7.5, "
                    "WCAG 2.2.2)",
}

# The static rules that axe-core's WCAG 2.x A/AA rules, run in the page by the browser tests
# (jalon/web/tests/browser.py), make too: rule -> axe-core's rule ids. On a page a browser test
# visits with axe, the static check leaves them to axe (jalon/web/tests/test_accessibility.py,
# IN_BROWSER). The others are not axe's (headings, landmarks, skip links, captions, scopes, error
# messages, DSFR patterns: best practices axe does not run as WCAG rules, or nothing of axe's) or
# are stricter than axe in a browser (scroll-focusable holds at every width, axe at the one seen).
AXE_COVERS: dict[str, tuple[str, ...]] = {
    "html-lang": ("html-has-lang",),
    "lang-valid": ("html-lang-valid", "valid-lang"),
    "page-title": ("document-title",),
    "control-name": ("label", "select-name"),
    "button-name": ("button-name", "input-button-name"),
    "link-name": ("link-name",),
    "img-alt": ("image-alt", "role-img-alt"),
    "list-children": ("list", "listitem"),
    "aria-value": ("aria-valid-attr-value",),
    "role-valid": ("aria-roles",),
    "aria-hidden-focus": ("aria-hidden-focus",),
    "nested-interactive": ("nested-interactive",),
}

# Elements updated by a script on a timer (static/jalon/countdown.js).
TICKING_CLASSES = frozenset({"jalon-countdown"})

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})
# An opening tag of these closes an open <p> (HTML's "implied end tags", the common cases).
CLOSES_P = frozenset({"address", "article", "aside", "blockquote", "details", "div", "dl",
                      "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
                      "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre",
                      "section", "table", "ul"})
HEADINGS = {f"h{n}": n for n in range(1, 7)}
LABELABLE = frozenset({"input", "select", "textarea", "button", "meter", "output", "progress"})
NAMELESS_INPUTS = frozenset({"hidden", "submit", "button", "reset", "image"})
BUTTON_INPUTS = frozenset({"submit", "button", "reset"})
NATIVE_INTERACTIVE = frozenset({"a", "button", "input", "select", "textarea", "summary",
                                "option", "form", "body", "details", "label"})
WIDGET_ROLES = frozenset({"button", "link", "checkbox", "radio", "switch", "tab", "menuitem",
                          "menuitemcheckbox", "menuitemradio", "option", "slider", "spinbutton",
                          "textbox", "combobox", "searchbox", "treeitem", "gridcell"})
ARIA_ROLES = WIDGET_ROLES | frozenset({
    "alert", "alertdialog", "application", "article", "banner", "blockquote", "caption", "cell",
    "code", "columnheader", "complementary", "contentinfo", "definition", "deletion", "dialog",
    "directory", "document", "emphasis", "feed", "figure", "form", "generic", "grid", "group",
    "heading", "img", "insertion", "list", "listbox", "listitem", "log", "main", "marquee",
    "math", "menu", "menubar", "meter", "navigation", "none", "note", "paragraph",
    "presentation", "progressbar", "radiogroup", "region", "row", "rowgroup", "rowheader",
    "scrollbar", "search", "separator", "status", "strong", "subscript", "superscript",
    "table", "tablist", "tabpanel", "term", "time", "timer", "toolbar", "tooltip", "tree",
    "treegrid"})
ARIA_VALUES: dict[str, frozenset[str]] = {
    "aria-current": frozenset({"page", "step", "location", "date", "time", "true", "false"}),
    "aria-expanded": frozenset({"true", "false"}),
    "aria-hidden": frozenset({"true", "false"}),
    "aria-live": frozenset({"off", "polite", "assertive"}),
    "aria-invalid": frozenset({"true", "false", "grammar", "spelling"}),
    "aria-disabled": frozenset({"true", "false"}),
    "aria-pressed": frozenset({"true", "false", "mixed"}),
    "aria-selected": frozenset({"true", "false"}),
    "aria-modal": frozenset({"true", "false"}),
    "aria-sort": frozenset({"ascending", "descending", "none", "other"}),
}
IDREF_ATTRIBUTES = ("for", "aria-controls", "aria-labelledby", "aria-describedby", "aria-owns",
                    "headers")
LIVE_ROLES = frozenset({"alert", "status", "log"})
# Roles whose children are presentational: nothing inside may be interactive.
PRESENTATIONAL_CHILDREN = frozenset({"button", "checkbox", "img", "meter", "menuitemcheckbox",
                                     "menuitemradio", "option", "progressbar", "radio",
                                     "scrollbar", "separator", "slider", "switch", "tab"})
LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Violation:
    page: str
    rule: str
    message: str
    element: str
    line: int

    def __str__(self) -> str:
        where = f"{self.page}: " if self.page else ""
        return f"{where}[{self.rule}] {self.message} — {self.element} (line {self.line})"


@dataclass(eq=False)
class Node:
    """An element of the parsed page; ``children`` holds elements and text, in order."""

    tag: str
    attrs: dict[str, str]
    line: int
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)
    duplicated: tuple[str, ...] = ()

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs

    @property
    def classes(self) -> set[str]:
        return set(self.get("class").split())

    @property
    def role(self) -> str:
        return self.get("role").strip().lower()

    def elements(self) -> Iterator[Node]:
        """This element and every element below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.elements()

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def hidden(self) -> bool:
        """Hidden from assistive technologies (aria-hidden="true" or the hidden attribute),
        itself or through an ancestor."""
        return any(n.get("aria-hidden") == "true" or n.has("hidden")
                   for n in (self, *self.ancestors()))

    def describe(self) -> str:
        attrs = "".join(f' {k}="{v}"' if v else f" {k}" for k, v in self.attrs.items())
        text = _flat(self.text())
        shown = f"<{self.tag}{attrs}>"
        if text and self.tag not in VOID:
            shown += (text if len(text) <= 40 else text[:39] + "…") + f"</{self.tag}>"
        return shown

    def text(self) -> str:
        """The text a screen reader gets from the content (aria-hidden parts left out, image
        alternatives and nested aria-labels included)."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
                continue
            if child.get("aria-hidden") == "true" or child.has("hidden") or child.tag in (
                    "script", "style", "template"):
                continue
            if child.get("aria-label").strip():
                parts.append(f" {child.get('aria-label')} ")
            elif child.tag == "img" or (child.tag == "input" and child.get("type") == "image"):
                parts.append(f" {child.get('alt')} ")
            elif child.tag == "svg":
                parts.append(" ".join(t.text() for t in child.children
                                      if isinstance(t, Node) and t.tag == "title"))
            elif child.tag in ("br", "select", "textarea", "input"):
                parts.append(" ")
            else:
                parts.append(child.text())
        return "".join(parts)


def _flat(text: str) -> str:
    return SPACES.sub(" ", text).strip()


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, 1)
        self.stack: list[Node] = [self.root]

    def _node(self, tag: str, attrs: list[tuple[str, str | None]]) -> Node:
        values: dict[str, str] = {}
        duplicated: list[str] = []
        for name, value in attrs:
            if name in values:
                duplicated.append(name)
            else:
                values[name] = value or ""
        parent = self.stack[-1]
        node = Node(tag, values, self.getpos()[0], parent, duplicated=tuple(duplicated))
        parent.children.append(node)
        return node

    def _close_implied(self, tag: str) -> None:
        current = self.stack[-1].tag
        if ((tag in CLOSES_P and current == "p") or (tag == current and tag in ("li", "option"))
                or (tag in ("td", "th") and current in ("td", "th"))):
            self.stack.pop()
        elif tag == "tr":
            while self.stack[-1].tag in ("td", "th", "tr"):
                self.stack.pop()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        node = self._node(tag, attrs)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        self._node(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


class Page:
    """A parsed page with its ids, and the accessible names of its elements."""

    def __init__(self, html: str, page: str = "") -> None:
        self.page = page
        self.root = parse(html)
        self.elements = list(self.root.elements())[1:]
        self.ids: dict[str, list[Node]] = {}
        for node in self.elements:
            if node.has("id"):
                self.ids.setdefault(node.get("id"), []).append(node)
        self.labels: dict[str, list[Node]] = {}
        for node in self.elements:
            if node.tag == "label" and node.get("for"):
                self.labels.setdefault(node.get("for"), []).append(node)
        self.violations: list[Violation] = []

    def by_id(self, ident: str) -> Node | None:
        found = self.ids.get(ident)
        return found[0] if found else None

    def report(self, rule: str, node: Node, message: str) -> None:
        self.violations.append(Violation(self.page, rule, message, node.describe(), node.line))

    def labelled_by(self, node: Node) -> str:
        refs = [self.by_id(i) for i in node.get("aria-labelledby").split()]
        return _flat(" ".join(r.text() for r in refs if r is not None))

    def name(self, node: Node) -> str:
        """The accessible name of ``node`` (simplified accname 1.2)."""
        if node.get("aria-labelledby").strip():
            named = self.labelled_by(node)
            if named:
                return named
        if node.get("aria-label").strip():
            return _flat(node.get("aria-label"))
        kind = node.get("type", "text").lower()
        if node.tag == "input" and kind in BUTTON_INPUTS:
            return _flat(node.get("value")) or ("Submit" if kind in ("submit", "reset") else "")
        if node.tag == "input" and kind == "image":
            return _flat(node.get("alt"))
        if node.tag in ("input", "select", "textarea"):
            texts = [label.text() for label in self.labels.get(node.get("id"), [])
                     if node.get("id")]
            texts += [a.text() for a in node.ancestors() if a.tag == "label"]
            named = _flat(" ".join(texts))
            return named or _flat(node.get("title"))
        if node.tag == "img":
            return _flat(node.get("alt")) or _flat(node.get("title"))
        if node.tag == "svg":
            titles = [c.text() for c in node.children if isinstance(c, Node) and c.tag == "title"]
            return _flat(" ".join(titles)) or _flat(node.get("title"))
        if node.tag == "fieldset":
            legends = [c.text() for c in node.children if isinstance(c, Node) and c.tag == "legend"]
            return _flat(" ".join(legends))
        if node.tag == "table":
            captions = [c.text() for c in node.children if isinstance(c, Node) and c.tag == "caption"]
            return _flat(" ".join(captions))
        return _flat(node.text()) or _flat(node.get("title"))


def focusable(node: Node) -> bool:
    if node.get("tabindex").strip().lstrip("-").isdigit():
        return int(node.get("tabindex")) >= 0
    if node.has("disabled"):
        return False
    if node.tag == "a":
        return node.has("href")
    if node.tag == "input":
        return node.get("type").lower() != "hidden"
    return node.tag in ("button", "select", "textarea", "summary", "iframe")


def interactive(node: Node) -> bool:
    """A link, a button or a form control (what may not be nested in a link or a button)."""
    if node.tag == "a":
        return node.has("href")
    if node.tag == "input":
        return node.get("type").lower() != "hidden"
    return node.tag in ("button", "select", "textarea", "iframe", "details", "embed")


def data_table(node: Node) -> bool:
    return node.tag == "table" and node.role not in ("presentation", "none")


# -- the rules -------------------------------------------------------------------------------

def _document(page: Page) -> None:
    html = next((n for n in page.elements if n.tag == "html"), None)
    if html is None or not html.get("lang").strip():
        page.report("html-lang", html or page.root, "the page has no language")
    for node in page.elements:
        if node.has("lang") and not LANG_TAG.match(node.get("lang")):
            page.report("lang-valid", node, f"invalid language tag {node.get('lang')!r}")
        if node.has("xml:lang") and not LANG_TAG.match(node.get("xml:lang")):
            page.report("lang-valid", node, f"invalid language tag {node.get('xml:lang')!r}")
    titles = [n for n in page.elements if n.tag == "title" and not any(
        a.tag == "svg" for a in n.ancestors())]
    if not titles or not _flat(titles[0].text()):
        page.report("page-title", titles[0] if titles else page.root, "the page has no title")
    for node in page.elements:
        if node.duplicated:
            page.report("duplicate-attribute", node,
                        f"attribute given twice: {', '.join(node.duplicated)}")


def _ids(page: Page) -> None:
    for ident, nodes in page.ids.items():
        if not ident.strip():
            page.report("id-unique", nodes[0], "empty id")
        for node in nodes[1:]:
            page.report("id-unique", node, f"id {ident!r} already used on line {nodes[0].line}")
    for node in page.elements:
        for attribute in IDREF_ATTRIBUTES:
            if not node.has(attribute):
                continue
            if attribute == "for" and node.tag not in ("label", "output"):
                continue
            refs = node.get(attribute).split()
            if not refs:
                page.report("idref", node, f"{attribute} is empty")
            for ref in refs:
                target = page.by_id(ref)
                if target is None:
                    page.report("idref", node, f"{attribute} refers to a missing id {ref!r}")
                elif attribute == "for" and (target.tag not in LABELABLE or (
                        target.tag == "input" and target.get("type").lower() == "hidden")):
                    page.report("idref", node, f"for={ref!r} refers to a <{target.tag}>, "
                                               "not a form control")


def _headings(page: Page) -> None:
    headings = [n for n in page.elements if n.tag in HEADINGS and not n.hidden()]
    ones = [h for h in headings if h.tag == "h1"]
    if len(ones) != 1:
        page.report("heading-one-h1", ones[1] if len(ones) > 1 else page.root,
                    f"{len(ones)} <h1> on the page")
    previous = 0
    for heading in headings:
        level = HEADINGS[heading.tag]
        if level > previous + 1:
            page.report("heading-order", heading,
                        f"<{heading.tag}> follows <h{previous}>" if previous
                        else f"the first heading is <{heading.tag}>")
        previous = level
        if not page.name(heading):
            page.report("heading-name", heading, "empty heading")


def _landmarks(page: Page) -> None:
    mains = [n for n in page.elements if n.tag == "main" or n.role == "main"]
    if len(mains) != 1:
        page.report("main-landmark", mains[1] if len(mains) > 1 else page.root,
                    f"{len(mains)} main landmarks")
    navs = [n for n in page.elements if n.tag == "nav" or n.role == "navigation"]
    if len(navs) > 1:
        seen: dict[str, Node] = {}
        for nav in navs:
            label = (page.labelled_by(nav) if nav.get("aria-labelledby") else
                     _flat(nav.get("aria-label"))).casefold()
            if not label:
                page.report("nav-name", nav, "navigation landmark without a name")
            elif label in seen:
                page.report("nav-name", nav, f"navigation named like line {seen[label].line}")
            else:
                seen[label] = nav


def _links(page: Page) -> None:
    skip_groups = [n for n in page.elements if "fr-skiplinks" in n.classes]
    skip_links = [a for group in skip_groups for a in group.elements() if a.tag == "a"]
    if not skip_links:
        page.report("skip-link", page.root, "no skip links (.fr-skiplinks)")
    for position, link in enumerate(skip_links):
        href = link.get("href")
        target = page.by_id(href[1:]) if href.startswith("#") and len(href) > 1 else None
        if target is None:
            page.report("skip-link", link, "skip link to a missing target")
        elif position == 0 and not any(n.tag == "main" or n.role == "main"
                                       for n in (target, *target.ancestors())):
            page.report("skip-link", link, "the first skip link does not lead to <main>")
    for node in page.elements:
        if node.tag != "a":
            continue
        href = node.get("href")
        if href.startswith("#") and len(href) > 1 and page.by_id(href[1:]) is None:
            page.report("fragment-link", node, f"in-page link to a missing id {href[1:]!r}")
        if (node.has("href") or node.role == "link") and not node.hidden() and not page.name(node):
            page.report("link-name", node, "link without an accessible name")


def _forms(page: Page) -> None:
    for node in page.elements:
        kind = node.get("type", "text").lower()
        control = node.tag in ("select", "textarea") or (
            node.tag == "input" and kind not in NAMELESS_INPUTS)
        if control and not page.name(node):
            page.report("control-name", node, "form control without a label")
        button = node.tag == "button" or (node.tag == "input" and kind in BUTTON_INPUTS | {"image"})
        if button and not node.hidden() and not page.name(node):
            page.report("button-name", node, "button without an accessible name")
        if node.tag == "fieldset" and not page.name(node):
            page.report("fieldset-name", node, "fieldset without a legend or a name")
        if node.get("aria-invalid") == "true":
            described = [page.by_id(i) for i in node.get("aria-describedby").split()]
            if not any(d is not None and _flat(d.text()) for d in described):
                page.report("error-described", node,
                            "invalid control not described by an error message")


ERROR_CLASSES = frozenset({"fr-message--error", "fr-error-text"})


def error_messages(page: Page) -> list[Node]:
    return [n for n in page.elements if ERROR_CLASSES & n.classes and _flat(n.text())]


def _errors(page: Page) -> None:
    referenced = {ref for n in page.elements for attribute in ("aria-describedby",
                                                               "aria-labelledby")
                  for ref in n.get(attribute).split()}
    for message in error_messages(page):
        if not any(n.get("id") in referenced or n.role == "alert"
                   for n in (message, *message.ancestors()) if n.has("id") or n.role):
            page.report("error-associated", message,
                        "error message tied to no control (aria-describedby) nor alert")


def _images(page: Page) -> None:
    for node in page.elements:
        if node.tag == "img" and not node.has("alt"):
            page.report("img-alt", node, "image without an alt attribute")
        elif node.role == "img" and node.tag != "svg" and not node.hidden() and not page.name(node):
            page.report("img-alt", node, "role=\"img\" without an accessible name")
        if node.tag == "svg" and not any(a.tag == "svg" for a in node.ancestors()):
            if node.get("aria-hidden") == "true":
                figure = next((a for a in node.ancestors() if a.tag == "figure"), None)
                captions = [c for c in figure.elements() if c.tag == "figcaption"] if figure else []
                if figure is not None and not any(_flat(c.text()) for c in captions):
                    page.report("svg-alt", node, "hidden svg in a figure without a figcaption")
                continue
            if node.role != "img":
                page.report("svg-alt", node, "svg neither aria-hidden nor role=\"img\"")
            elif not page.name(node):
                page.report("svg-alt", node, "svg role=\"img\" without an accessible name")


def _tables(page: Page) -> None:
    for table in page.elements:
        if not data_table(table):
            continue
        captions = [c for c in table.children if isinstance(c, Node) and c.tag == "caption"]
        named = (page.labelled_by(table) if table.get("aria-labelledby") else
                 _flat(table.get("aria-label")))
        if not named and not (captions and _flat(captions[0].text())):
            page.report("table-caption", table, "data table without a caption")
        cells = [n for n in table.elements() if n.tag == "th" and
                 next(a for a in n.ancestors() if a.tag == "table") is table]
        if not cells:
            page.report("table-headers", table, "data table without header cells")
        for th in cells:
            if not page.name(th):
                page.report("table-headers", th, "empty header cell")
            if th.get("scope").lower() not in ("row", "col", "rowgroup", "colgroup"):
                page.report("th-scope", th, "header cell without a valid scope")


def _scrolling(page: Page) -> None:
    for node in page.elements:
        scroller = (node.tag == "table" and node.parent is not None
                    and "fr-table" in node.parent.classes
                    and "fr-table--no-scroll" not in node.parent.classes) or (
            "fr-table__container" in node.classes)
        if scroller and not any(focusable(n) for n in node.elements()):
            page.report("scroll-focusable", node,
                        "table scrolling on small screens with nothing to focus: add "
                        "tabindex=\"0\"")


def _lists(page: Page) -> None:
    for node in page.elements:
        if node.tag in ("ul", "ol") and node.role in ("", "list"):
            for child in node.children:
                if isinstance(child, Node) and child.tag not in ("li", "script", "template"):
                    page.report("list-children", child, f"<{child.tag}> directly in <{node.tag}>")
                elif isinstance(child, str) and child.strip():
                    page.report("list-children", node, f"text directly in <{node.tag}>")


def _aria(page: Page) -> None:
    for node in page.elements:
        tabindex = node.get("tabindex").strip()
        if tabindex and (not tabindex.lstrip("-").isdigit() or int(tabindex) > 0):
            page.report("tabindex", node, f"tabindex={tabindex!r}")
        for attribute, allowed in ARIA_VALUES.items():
            if node.has(attribute) and node.get(attribute) not in allowed:
                page.report("aria-value", node,
                            f"{attribute}={node.get(attribute)!r} is not one of "
                            f"{', '.join(sorted(allowed))}")
        for role in node.get("role").split():
            if role.lower() not in ARIA_ROLES:
                page.report("role-valid", node, f"unknown role {role!r}")
        if focusable(node) and any(n.get("aria-hidden") == "true"
                                   for n in (node, *node.ancestors())):
            page.report("aria-hidden-focus", node, "focusable element hidden from screen readers")
        if interactive(node) and any(interactive(a) for a in node.ancestors()
                                     if a.tag in ("a", "button")):
            page.report("nested-interactive", node, "interactive element inside a link or button")
        elif interactive(node) and any(a.role in PRESENTATIONAL_CHILDREN for a in node.ancestors()):
            page.report("nested-interactive", node,
                        "interactive element inside an element whose children are presentational")


def _keyboard(page: Page) -> None:
    for node in page.elements:
        handlers = sorted(a for a in node.attrs if a.startswith("on"))
        if handlers and node.tag not in NATIVE_INTERACTIVE:
            page.report("native-control", node,
                        f"event handler on a <{node.tag}>: {', '.join(handlers)}")
        roles = set(node.role.split()) & WIDGET_ROLES
        native = {"a": {"link"}, "button": {"button"}, "input": WIDGET_ROLES,
                  "select": {"combobox", "listbox"}, "option": {"option"},
                  "summary": {"button"}}.get(node.tag, set())
        if roles - native:
            page.report("native-control", node,
                        f"role={node.role!r} on a <{node.tag}>: use the native element")
        if node.tag == "a" and node.get("href").strip().lower().startswith("javascript:"):
            page.report("native-control", node, "javascript: link")
        if node.tag == "a" and not node.has("href") and (handlers or node.has("tabindex")):
            page.report("native-control", node, "link without href made interactive by script")


def _disclosures(page: Page) -> None:
    controllers: dict[str, list[Node]] = {}
    for node in page.elements:
        for ref in node.get("aria-controls").split():
            controllers.setdefault(ref, []).append(node)
        if node.has("aria-expanded") and node.tag in ("button", "a") and not node.get(
                "aria-controls").strip():
            page.report("disclosure", node, "aria-expanded without aria-controls")
        if node.tag == "button" and node.has("aria-controls") and not node.has("type") and any(
                a.tag == "form" for a in node.ancestors()):
            page.report("disclosure", node, "a button opening a region inside a form must be "
                                            "type=\"button\" (it would submit the form)")
    for region in page.elements:
        if "fr-collapse" not in region.classes:
            continue
        ident = region.get("id")
        buttons = [b for b in controllers.get(ident, []) if b.tag == "button"] if ident else []
        if not buttons:
            page.report("disclosure", region, "collapsible region controlled by no button")
            continue
        expanded = "fr-collapse--expanded" in region.classes
        for button in buttons:
            state = button.get("aria-expanded")
            if state not in ("true", "false"):
                page.report("disclosure", button, "collapse button without aria-expanded")
            elif (state == "true") != expanded:
                page.report("disclosure", button,
                            f"aria-expanded={state!r} but the region is "
                            f"{'open' if expanded else 'closed'}")


def _mobile_menu(page: Page) -> None:
    header = next((n for n in page.elements if "fr-header" in n.classes), None)
    if header is None:
        return
    inside = list(header.elements())
    tools = [n for n in inside if "fr-header__tools-links" in n.classes]
    menus = [n for n in inside if "fr-header__menu" in n.classes]
    if not tools and not menus:
        return
    modal = next((m for m in menus if "fr-modal" in m.classes and m.get("id")), None)
    if modal is None:
        page.report("dsfr-mobile-menu", menus[0] if menus else header,
                    "no fr-header__menu fr-modal: the header is out of reach on small screens")
        return
    if not any(n.tag == "button" and "fr-btn--menu" in n.classes and
               modal.get("id") in n.get("aria-controls").split() for n in inside):
        page.report("dsfr-mobile-menu", modal, "no fr-btn--menu button opens the menu modal")
    if tools and not any("fr-header__menu-links" in n.classes for n in modal.elements()):
        page.report("dsfr-mobile-menu", modal,
                    "the menu modal has no fr-header__menu-links for the tools links")


ICON_SIDES = ("left", "right")


def _icon_buttons(page: Page) -> None:
    for node in page.elements:
        classes = node.classes
        if "fr-btn" not in classes or not any(c.startswith(("fr-icon-", "fr-fi-"))
                                              for c in classes):
            continue
        if any("fr-header__tools-links" in a.classes for a in node.ancestors()):
            continue  # the DSFR header lays out its tools links itself
        group = next((a for a in node.ancestors() if "fr-btns-group" in a.classes), None)
        if group is not None:
            shown = any(f"fr-btns-group--icon-{side}" in group.classes for side in ICON_SIDES)
        else:
            shown = any(f"fr-btn--icon-{side}" in classes for side in ICON_SIDES)
        if not shown and not node.get("title").strip():
            where = ("add fr-btns-group--icon-left to its fr-btns-group" if group is not None
                     else "add fr-btn--icon-left")
            page.report("dsfr-icon-label", node,
                        f"drawn as an icon only, its label hidden and no title: {where}")


def _live(page: Page) -> None:
    for node in page.elements:
        if not (TICKING_CLASSES & node.classes or node.role == "timer"):
            continue
        for region in (node, *node.ancestors()):
            live = region.get("aria-live")
            if (live and live != "off") or region.role in LIVE_ROLES:
                page.report("live-ticking", node,
                            f"updated by a timer inside a live region ({region.describe()})")
                break


CHECKS = (_document, _ids, _headings, _landmarks, _links, _forms, _errors, _images, _tables, _scrolling, _lists,
          _aria, _keyboard, _disclosures, _mobile_menu, _icon_buttons, _live)


def check(html: str, page: str = "") -> list[Violation]:
    """Every violation of :data:`RULES` in ``html``, in the order of the checks."""
    parsed = Page(html, page)
    for run in CHECKS:
        run(parsed)
    return parsed.violations
