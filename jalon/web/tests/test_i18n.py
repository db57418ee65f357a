"""French by default, English on request; the committed English catalogues are complete and compiled.

The .mo files are committed so that nobody needs GNU gettext to run Jalon. These tests read the .po
files with the standard library only, and check that every entry is translated, not fuzzy, and that
the committed .mo gives the same translation (a .po edited without ``jalon compilemessages`` fails).
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from jalon.web.tests.helpers import WebTestCase

EN = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
DOMAINS = ["django", "djangojs"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%[sdif]|%%|\{[a-z_]*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (header included, obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    key, index = "", 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        starts_entry = line.startswith("#") or line.startswith("msgid ")
        if not line or (starts_entry and current is not None and current.msgstr):
            if current is not None:
                entries.append(current)
            current = None
            if not line:
                continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.fullmatch(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")', line)
        if match:
            key = match[1] if match[2] is None else "msgstr"
            index = int(match[2] or 0)
            value = ast.literal_eval(match[3])
        elif line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            raise AssertionError(f"{path.name}:{number}: unreadable line {raw!r}")
        if key == "msgid":
            current.msgid += value
        elif key == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + value
        elif key == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + value
    if current is not None:
        entries.append(current)
    return entries


def messages(domain: str) -> list[Entry]:
    return [e for e in read_po(EN / f"{domain}.po") if e.msgid]


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_is_translated_and_none_is_fuzzy(domain: str) -> None:
    entries = read_po(EN / f"{domain}.po")
    header = entries[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags, "the header is still marked fuzzy"
    assert "Language: en" in header.msgstr[0]
    untranslated = [e.msgid for e in entries[1:] if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in entries[1:] if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in {domain}.po: {untranslated}"
    assert not fuzzy, f"fuzzy in {domain}.po: {fuzzy}"
    plurals = [e.msgid for e in entries[1:] if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]]
    assert not plurals, f"plural entries without exactly two forms in {domain}.po: {plurals}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_their_placeholders(domain: str) -> None:
    broken = []
    for e in messages(domain):
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for index, source in enumerate(sources):
            if sorted(PLACEHOLDER.findall(e.msgstr.get(index, ""))) != sorted(PLACEHOLDER.findall(source)):
                broken.append(e.msgid)
    assert not broken, f"placeholders differ from the French in {domain}.po: {broken}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_mo_matches_the_po(domain: str) -> None:
    with (EN / f"{domain}.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = []
    for e in messages(domain):
        if e.msgid_plural is None:
            got = [catalogue.gettext(e.msgid)]
        else:
            got = [catalogue.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
        if got != [e.msgstr[i] for i in sorted(e.msgstr)]:
            stale.append(e.msgid)
    assert not stale, (f"{domain}.mo is older than {domain}.po for {stale}: "
                       "run `jalon compilemessages -l en --ignore=.venv` and commit the .mo")


@pytest.mark.django_db
def test_the_home_page_is_french_by_default(client) -> None:
    html = client.get("/").content.decode()
    assert '<html lang="fr"' in html
    assert "Se connecter" in html
    assert "Sign in" not in html


@pytest.mark.django_db
def test_the_home_page_follows_accept_language(client) -> None:
    html = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en"' in html
    assert "Sign in" in html
    assert "Se connecter" not in html
    assert "Main menu" in html


@pytest.mark.django_db
def test_the_login_page_follows_accept_language(client) -> None:
    french = client.get("/connexion/").content.decode()
    assert "Connexion à Jalon" in french
    assert "Mot de passe" in french
    english = client.get("/connexion/", headers={"accept-language": "en-GB,en;q=0.9"}).content.decode()
    assert '<html lang="en"' in english
    assert "Sign in to Jalon" in english
    assert "Password" in english
    assert "Mot de passe" not in english


@pytest.mark.django_db
def test_the_language_chosen_in_the_switcher_sticks(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/connexion/"})
    assert response.status_code == 302
    assert response["Location"] == "/connexion/"
    html = client.get("/connexion/").content.decode()  # no Accept-Language: the cookie decides
    assert '<html lang="en"' in html
    assert "Sign in to Jalon" in html
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert '<html lang="fr"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_switcher_follows_the_dsfr_pattern(client) -> None:
    html = client.get("/connexion/").content.decode()
    assert 'class="fr-translate fr-nav"' in html
    assert 'aria-controls="translate-menu" aria-expanded="false" title="Sélectionner une langue"' in html
    assert '<form method="post" action="/i18n/setlang/">' in html
    assert '<input type="hidden" name="next" value="/connexion/">' in html
    assert 'value="fr" lang="fr" aria-current="true">FR - Français</button>' in html
    assert 'value="en" lang="en">EN - English</button>' in html


@pytest.mark.django_db
def test_the_javascript_catalogue_is_loaded_and_translated(client) -> None:
    assert 'src="/jsi18n/?lang=fr" defer' in client.get("/").content.decode()
    english = client.get("/jsi18n/?lang=en", headers={"accept-language": "en"})
    assert english.status_code == 200
    assert '"d\\u00e9pass\\u00e9 de %s": "overdue by %s"' in english.content.decode()
    assert "max-age=3600" in english["Cache-Control"]


class SignedInEnglishTest(WebTestCase):
    def test_the_navigation_and_home_page_are_in_english(self) -> None:
        self.login(self.level1)
        html = self.client.get("/", headers={"accept-language": "en"}).content.decode()
        for english in ("My tickets", "Dashboard", "Sign out", "Select a language"):
            assert english in html
        for french in ("Mes tickets", "Tableau de bord", "Se déconnecter"):
            assert french not in html
