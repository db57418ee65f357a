"""The static accessibility checker (jalon/testing/a11y.py) on small pages: a clean page passes, and
each rule fails on a snippet that breaks it, so the page tests cannot pass by accident."""

from __future__ import annotations

import pytest

from jalon.testing import a11y

PAGE = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Tickets — Jalon</title></head>
<body>
<div class="fr-skiplinks"><nav aria-label="Accès rapide"><ul>
  <li><a href="#contenu">Contenu</a></li><li><a href="#menu">Menu</a></li></ul></nav></div>
<header class="fr-header"><div class="fr-header__tools-links"><a href="/sortie/">Se déconnecter</a></div>
<button class="fr-btn--menu fr-btn" aria-controls="menu-modal">Menu</button>
<div class="fr-header__menu fr-modal" id="menu-modal"><div class="fr-header__menu-links"></div>
<nav id="menu" aria-label="Menu principal"><ul>
  <li><a href="/" aria-current="page">Accueil</a></li>
  <li><button aria-expanded="false" aria-controls="sous-menu">AQR</button>
    <div class="fr-collapse" id="sous-menu"><ul><li><a href="/t/">Tickets</a></li></ul></div></li>
</ul></nav></div></header>
<main id="contenu">
<h1>Tickets</h1>
<h2>Filtres</h2>
<form method="get">
  <fieldset><legend>Filtres</legend>
    <label for="q">Recherche</label><input type="text" id="q" name="q" aria-describedby="q-aide">
    <p id="q-aide">Objet ou numéro</p>
    <label>État <select name="state"><option value="">Tous</option></select></label>
    <input type="hidden" name="page" value="1">
    <textarea aria-label="Note" name="note"></textarea>
    <input type="text" id="m" name="m" aria-invalid="true" aria-describedby="m-err">
    <label for="m">Minutes</label><div id="m-err"><p class="fr-message fr-message--error">Indiquez un nombre.</p></div>
  </fieldset>
  <button type="submit">Appliquer</button>
  <input type="submit" value="Exporter">
</form>
<h3>Résultats</h3>
<div class="fr-table"><table>
  <caption>Tickets</caption>
  <thead><tr><th scope="col">Référence</th><th scope="col">État</th></tr></thead>
  <tbody><tr><th scope="row"><a href="/tickets/1/">AQR-1</a></th><td>Nouveau</td></tr></tbody>
</table></div>
<div class="fr-table"><table tabindex="0"><caption>Délais</caption>
  <tr><th scope="row">Résolution</th><td>dans 3 h</td></tr></table></div>
<figure>
  <svg role="img" aria-labelledby="graphe-titre" viewBox="0 0 10 10"><title id="graphe-titre">Volumes</title>
    <rect width="1" height="1"/></svg>
</figure>
<figure aria-labelledby="barres-legende">
  <svg aria-hidden="true" focusable="false"><a href="/t/?x=1" tabindex="-1"><rect width="1" height="1"/></a></svg>
  <figcaption id="barres-legende">Volumes : les valeurs sont dans le tableau qui suit</figcaption>
</figure>
<p><img src="/logo.png" alt=""> <a href="/aide/"><img src="/aide.png" alt="Aide"></a>
  <span class="jalon-countdown" data-due="2026-05-11T09:30:00+02:00">dans 3 h</span></p>
<div role="status"><p>3 tickets</p></div>
<ul class="fr-btns-group fr-btns-group--icon-left">
  <li><a class="fr-btn fr-icon-add-line" href="/nouveau/">Déclarer</a></li></ul>
<a class="fr-btn fr-icon-download-line fr-btn--icon-left" href="/export.csv">CSV</a>
<button class="fr-btn fr-icon-close-line" type="button" title="Fermer">Fermer</button>
<p lang="en">English</p>
</main>
<footer><p>Jalon</p></footer>
</body>
</html>
"""


def rules(html: str) -> set[str]:
    return {v.rule for v in a11y.check(html)}


def broken(old: str, new: str) -> str:
    assert old in PAGE, old
    return PAGE.replace(old, new, 1)


def test_a_clean_page_passes_every_rule() -> None:
    assert a11y.check(PAGE, "propre") == []


# (rule, text of the clean page, its replacement that breaks the rule)
BREAKS = [
    ("html-lang", '<html lang="fr">', "<html>"),
    ("lang-valid", '<p lang="en">', '<p lang="anglais!">'),
    ("page-title", "<title>Tickets — Jalon</title>", "<title> </title>"),
    ("duplicate-attribute", '<p id="q-aide">', '<p id="q-aide" class="a" class="b">'),
    ("id-unique", '<p id="q-aide">', '<p id="q-aide"></p><p id="q-aide">'),
    ("idref", 'aria-describedby="q-aide"', 'aria-describedby="q-aide absent"'),
    ("idref", 'aria-controls="sous-menu"', 'aria-controls="sous-menu-absent"'),
    ("idref", '<label for="q">', '<label for="q-aide">'),
    ("idref", "<svg role=\"img\" aria-labelledby=\"graphe-titre\"",
     "<svg role=\"img\" aria-labelledby=\"graphe-titre graphe-absent\""),
    ("heading-one-h1", "<h2>Filtres</h2>", "<h1>Filtres</h1>"),
    ("heading-one-h1", "<h1>Tickets</h1>", "<p>Tickets</p>"),
    ("heading-order", "<h3>Résultats</h3>", "<h4>Résultats</h4>"),
    ("heading-order", "<h1>Tickets</h1>", "<h2>Avant</h2><h1>Tickets</h1>"),
    ("heading-name", "<h3>Résultats</h3>", "<h3> <span aria-hidden=\"true\">R</span></h3>"),
    ("main-landmark", '<main id="contenu">', '<div id="contenu">'),
    ("nav-name", '<nav id="menu" aria-label="Menu principal">', '<nav id="menu">'),
    ("nav-name", '<nav id="menu" aria-label="Menu principal">',
     '<nav id="menu" aria-label="accès rapide">'),
    ("skip-link", '<div class="fr-skiplinks">', "<div>"),
    ("skip-link", '<a href="#contenu">Contenu</a>', '<a href="#nulle-part">Contenu</a>'),
    ("skip-link", '<li><a href="#contenu">Contenu</a></li><li><a href="#menu">Menu</a></li>',
     '<li><a href="#menu">Menu</a></li><li><a href="#contenu">Contenu</a></li>'),
    ("fragment-link", '<a href="/aide/">', '<a href="#aide">'),
    ("control-name", '<label for="q">Recherche</label>', "<span>Recherche</span>"),
    ("control-name", '<textarea aria-label="Note"', "<textarea"),
    ("control-name", "<label>État <select", "<span>État</span> <select"),
    ("control-name", '<label for="q">Recherche</label>', '<label for="q"> </label>'),
    ("fieldset-name", "<legend>Filtres</legend>", ""),
    ("error-described", 'aria-describedby="m-err"', ""),
    ("error-described", '<p class="fr-message fr-message--error">Indiquez un nombre.</p>', ""),
    ("error-associated", '<div id="m-err">', '<div>'),
    ("button-name", '<button type="submit">Appliquer</button>',
     '<button type="submit"><span class="fr-icon-x" aria-hidden="true"></span></button>'),
    ("button-name", '<input type="submit" value="Exporter">', '<input type="button">'),
    ("link-name", '<a href="/tickets/1/">AQR-1</a>', '<a href="/tickets/1/"></a>'),
    ("link-name", '<img src="/aide.png" alt="Aide">', '<img src="/aide.png" alt="">'),
    ("img-alt", '<img src="/logo.png" alt="">', '<img src="/logo.png">'),
    ("img-alt", '<div role="status">', '<div role="img"></div><div role="status">'),
    ("svg-alt", '<svg aria-hidden="true" focusable="false">', "<svg>"),
    ("svg-alt", '<title id="graphe-titre">Volumes</title>', '<title id="graphe-titre"></title>'),
    ("svg-alt", '<figcaption id="barres-legende">Volumes : les valeurs sont dans le tableau qui suit</figcaption>',
     '<figcaption id="barres-legende"></figcaption>'),
    ("nested-interactive", "<rect width=\"1\" height=\"1\"/></svg>\n</figure>",
     "<a href=\"/t/\" tabindex=\"-1\" aria-hidden=\"true\"><rect width=\"1\" height=\"1\"/></a></svg>\n</figure>"),
    ("scroll-focusable", '<table tabindex="0">', "<table>"),
    ("table-caption", "<caption>Tickets</caption>", ""),
    ("table-headers", '<th scope="col">État</th>', '<th scope="col"></th>'),
    ("table-headers", '<thead><tr><th scope="col">Référence</th><th scope="col">État</th></tr></thead>'
     '\n  <tbody><tr><th scope="row">', "<tbody><tr><td>"),
    ("th-scope", '<th scope="col">État</th>', "<th>État</th>"),
    ("th-scope", '<th scope="col">État</th>', '<th scope="colonne">État</th>'),
    ("list-children", "<li><a href=\"/t/\">Tickets</a></li>", "<a href=\"/t/\">Tickets</a>"),
    ("tabindex", '<a href="/aide/">', '<a href="/aide/" tabindex="2">'),
    ("aria-value", 'aria-current="page"', 'aria-current="oui"'),
    ("aria-value", 'aria-expanded="false"', 'aria-expanded="ferme"'),
    ("role-valid", '<div role="status">', '<div role="statut">'),
    ("aria-hidden-focus", '<a href="/t/?x=1" tabindex="-1">', '<a href="/t/?x=1">'),
    ("aria-hidden-focus", "<footer><p>Jalon</p>",
     '<footer><p aria-hidden="true"><a href="/">Jalon</a></p>'),
    ("nested-interactive", '<a href="/tickets/1/">AQR-1</a>',
     '<a href="/tickets/1/">AQR-1 <button type="button">x</button></a>'),
    ("native-control", "<td>Nouveau</td>", '<td><span onclick="ouvrir()">Nouveau</span></td>'),
    ("native-control", "<td>Nouveau</td>", '<td><div role="button" tabindex="0">Ouvrir</div></td>'),
    ("native-control", '<a href="/aide/">', '<a href="javascript:aide()">'),
    ("disclosure", 'aria-expanded="false" aria-controls="sous-menu"', 'aria-controls="sous-menu"'),
    ("disclosure", '<div class="fr-collapse" id="sous-menu">',
     '<div class="fr-collapse fr-collapse--expanded" id="sous-menu">'),
    ("disclosure", '<button aria-expanded="false" aria-controls="sous-menu">AQR</button>',
     '<a href="/aqr/">AQR</a>'),
    ("disclosure", "<td>Nouveau</td>", '<td><button aria-expanded="false">Plus</button></td>'),
    ("dsfr-mobile-menu", '<div class="fr-header__menu fr-modal" id="menu-modal">',
     '<div class="fr-header__menu" id="menu-modal">'),
    ("dsfr-mobile-menu", '<button class="fr-btn--menu fr-btn" aria-controls="menu-modal">Menu</button>', ""),
    ("dsfr-mobile-menu", '<div class="fr-header__menu-links"></div>', ""),
    ("disclosure", '<button type="submit">Appliquer</button>',
     '<button aria-controls="q-aide">Aide</button><button type="submit">Appliquer</button>'),
    ("aria-value", '<th scope="col">État</th>', '<th scope="col" aria-sort="croissant">État</th>'),
    ("dsfr-icon-label", '<ul class="fr-btns-group fr-btns-group--icon-left">',
     '<ul class="fr-btns-group">'),
    ("dsfr-icon-label", 'fr-icon-download-line fr-btn--icon-left"', 'fr-icon-download-line"'),
    ("dsfr-icon-label", 'type="button" title="Fermer"', 'type="button"'),
    ("live-ticking", '<span class="jalon-countdown"', '<span aria-live="polite" class="jalon-countdown"'),
    ("live-ticking", '<div role="status"><p>3 tickets</p>',
     '<div role="status"><p>3 tickets <span class="jalon-countdown">dans 1 min</span></p>'),
]


@pytest.mark.parametrize(("rule", "old", "new"), BREAKS,
                         ids=[f"{rule}-{n}" for n, (rule, _o, _n) in enumerate(BREAKS)])
def test_each_rule_fails_on_a_page_that_breaks_it(rule: str, old: str, new: str) -> None:
    found = rules(broken(old, new))
    assert rule in found, found


def test_every_rule_is_exercised_by_a_broken_page() -> None:
    assert {rule for rule, _old, _new in BREAKS} == set(a11y.RULES)


def test_a_violation_names_the_page_the_rule_the_element_and_its_line() -> None:
    html = broken('<img src="/logo.png" alt="">', '<img src="/logo.png" class="logo">')
    (violation,) = a11y.check(html, "accueil")
    assert (violation.page, violation.rule) == ("accueil", "img-alt")
    assert violation.element == '<img src="/logo.png" class="logo">'
    assert violation.line == html[:html.index('class="logo"')].count("\n") + 1
    assert str(violation).startswith("accueil: [img-alt] image without an alt attribute — <img ")
    assert str(violation).endswith(f"(line {violation.line})")


def test_the_accessible_name_follows_labelledby_label_content_and_title() -> None:
    page = a11y.Page('<span id="a">Clore</span><span id="b">le ticket</span>'
                     '<button aria-labelledby="a b">x</button>'
                     '<a href="/" title="Accueil"><span aria-hidden="true">⌂</span></a>'
                     '<a href="/t/">Tickets <span class="fr-sr-only">du marché</span></a>'
                     '<label for="i">Objet <span class="fr-hint-text">court</span></label>'
                     '<input id="i">')
    names = [page.name(n) for n in page.elements if n.tag in ("button", "a", "input")]
    assert names == ["Clore le ticket", "Accueil", "Tickets du marché", "Objet court"]


def test_implied_end_tags_do_not_nest_siblings() -> None:
    page = a11y.Page("<ul><li>un<li>deux</ul><p>a<div>b</div>")
    items = [n for n in page.elements if n.tag == "li"]
    assert [i.parent.tag for i in items if i.parent] == ["ul", "ul"]
    div = next(n for n in page.elements if n.tag == "div")
    assert div.parent is page.root
