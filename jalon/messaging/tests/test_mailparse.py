"""Pure parsing rules, on the stored .eml files and on a few lines of text."""

from __future__ import annotations

import pytest

from jalon.messaging.mailparse import MalformedMail, html_to_text, parse_mail, reply_text
from jalon.messaging.tests.base import eml


def test_replies_reference_the_answered_message_first() -> None:
    mail = parse_mail(eml("reply_in_reply_to.eml"))
    assert mail.references == ("<jalon.0b9c2f3e5d6a@jalon.example>",
                               "<20260511091233.4f2a@mail.example.fr>")


def test_recipients_include_the_delivery_address() -> None:
    mail = parse_mail(eml("outlook_re_subject.eml"))
    assert mail.recipients == ("support-aquareel@jalon.example",)


def test_an_out_of_office_is_marked_automatic() -> None:
    assert parse_mail(eml("auto_reply.eml")).automatic
    assert not parse_mail(eml("plain.eml")).automatic


def test_a_windows_1252_apostrophe_is_decoded() -> None:
    assert "service d’acquisition" in parse_mail(eml("outlook_re_subject.eml")).body


@pytest.mark.parametrize("name", ["malformed_no_from.eml", "malformed_unknown_charset.eml",
                                  "malformed_bad_bytes.eml", "malformed_broken_mime.eml"])
def test_malformed_messages_raise_with_a_reason(name: str) -> None:
    with pytest.raises(MalformedMail):
        parse_mail(eml(name))


@pytest.mark.parametrize("quoted", [
    "Le lun. 11 mai 2026 à 09:12, Rita SPC <rita.spc@example.fr> a écrit :\n> Bonjour",
    "On Mon, May 11, 2026 at 9:12 AM Rita <rita.spc@example.fr> wrote:\n> Hello",
    "-----Message d'origine-----\nDe : Jalon",
    "-----Original Message-----\nFrom: Jalon",
    "________________________________\nDe : Jalon <jalon@localhost>\nEnvoyé : lundi",
    "De : Jalon <jalon@localhost>\nEnvoyé : lundi 11 mai 2026 09:00\nÀ : Tina",
])
def test_reply_text_cuts_the_quoted_history(quoted: str) -> None:
    assert reply_text(f"C'est reparti.\n\n{quoted}\nancien texte") == "C'est reparti."


def test_a_line_starting_with_de_is_not_a_quote_by_itself() -> None:
    body = "De : mon côté, rien à signaler.\nMerci."
    assert reply_text(body) == body


def test_html_to_text_drops_styles_and_keeps_paragraphs() -> None:
    html = "<html><head><style>p{}</style></head><body><p>Un</p><p>Deux&nbsp;!</p></body></html>"
    assert html_to_text(html) == "Un\nDeux !"
