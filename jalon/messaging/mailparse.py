"""Read one raw RFC 5322 message into what mail intake needs (pure: stdlib only, no Django).

A message Jalon cannot read with confidence raises :class:`MalformedMail` with a French reason:
no sender, a body in an unknown or wrong character set, a broken MIME structure. Headers are
more forgiving: an undecodable header is read as UTF-8, then as Windows-1252 (Outlook's usual
fallback), never crashing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import errors, message_from_bytes, policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_BROKEN_MIME = (errors.StartBoundaryNotFoundDefect, errors.CloseBoundaryNotFoundDefect,
                errors.MultipartInvariantViolationDefect, errors.NoBoundaryInMultipartDefect)
_RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


class MalformedMail(ValueError):
    """The message cannot be read safely; the text says why, in French."""


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    sender: str
    """Lower-case address of the From header."""
    sender_name: str
    recipients: tuple[str, ...]
    subject: str
    references: tuple[str, ...]
    """Message-IDs of In-Reply-To then References, most recent first."""
    body: str
    attachments: tuple[MailAttachment, ...]
    automatic: bool
    """An auto-reply or a bulk message (out of office, delivery report…): never a request."""


def clean_text(value: str) -> str:
    """Repair text holding raw 8-bit bytes (kept by the parser as surrogate escapes)."""
    raw = value.encode("utf-8", "surrogateescape")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", "replace")
    return text.replace("\x00", "")


def raw_8bit_header(message: Message, name: str) -> str | None:
    """A header sent as raw 8-bit bytes instead of RFC 2047 words, decoded as well as we can
    (the parsed header would only show replacement characters)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower() and isinstance(value, str) \
                and any("\udc80" <= char <= "\udcff" for char in value):
            return clean_text(value)
    return None


def header(message: Message, name: str) -> str:
    try:
        value = raw_8bit_header(message, name) or message.get(name)
    except Exception:  # the header parser gave up on this header: treat it as absent
        return ""
    return clean_text(str(value)) if value is not None else ""


def all_headers(message: Message, name: str) -> list[str]:
    try:
        values = message.get_all(name) or []
    except Exception:  # as above
        return []
    return [clean_text(str(v)) for v in values]


def message_ids(text: str) -> list[str]:
    return _MESSAGE_ID.findall(text)


def own_message_id(message: Message, raw: bytes) -> str:
    """The Message-ID, or a stable one made from the content when the sender gave none."""
    found = message_ids(header(message, "Message-ID"))
    if found:
        return found[0][:255]
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@jalon.invalid>"


def sender_of(message: Message) -> tuple[str, str]:
    name, address = parseaddr(header(message, "From"))
    address = address.strip().lower()
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise MalformedMail("Expéditeur absent ou illisible (en-tête From).")
    return name.strip(), address


def recipients_of(message: Message) -> tuple[str, ...]:
    values = [v for name in _RECIPIENT_HEADERS for v in all_headers(message, name)]
    return tuple(dict.fromkeys(a.strip().lower() for _, a in getaddresses(values) if "@" in a))


def references_of(message: Message) -> tuple[str, ...]:
    replied = message_ids(header(message, "In-Reply-To"))
    older = list(reversed(message_ids(header(message, "References"))))
    return tuple(dict.fromkeys([*replied, *older]))


def is_automatic(message: Message) -> bool:
    auto = header(message, "Auto-Submitted").strip().lower()
    precedence = header(message, "Precedence").strip().lower()
    return (auto not in {"", "no"} or precedence in {"bulk", "junk", "list", "auto_reply"}
            or bool(header(message, "X-Autoreply") or header(message, "X-Autorespond")))


def check_structure(message: Message) -> None:
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, _BROKEN_MIME):
                raise MalformedMail(f"Structure MIME cassée : {type(defect).__name__}.")


def part_text(part: Message) -> str:
    """The decoded text of one text part; an unknown or lying charset makes the mail unreadable."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    try:
        text = payload.decode(charset)
    except LookupError:
        raise MalformedMail(f"Jeu de caractères inconnu : {charset}.") from None
    except UnicodeDecodeError:
        if charset.lower() not in {"us-ascii", "ascii"}:
            raise MalformedMail(f"Texte illisible dans le jeu de caractères {charset}.") from None
        text = payload.decode("cp1252", "replace")  # 8-bit text declared as plain ASCII
    return text.replace("\r\n", "\n").replace("\x00", "")


class _TextOfHtml(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
    _HIDDEN = frozenset({"style", "script", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        if tag in self._BREAKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    reader = _TextOfHtml()
    reader.feed(html)
    reader.close()
    lines = (" ".join(line.split()) for line in "".join(reader.chunks).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part_text(part)
    return html_to_text(text) if part.get_content_type() == "text/html" else text.strip()


def attachments_of(message: EmailMessage) -> tuple[MailAttachment, ...]:
    found = []
    for part in message.iter_attachments():
        if part.is_multipart():
            continue  # a forwarded message's structure: its own parts are not files
        payload = part.get_payload(decode=True)
        name = clean_text(part.get_filename() or "") or "piece-jointe"
        found.append(MailAttachment(name, payload if isinstance(payload, bytes) else b"",
                                    part.get_content_type()))
    return tuple(found)


_ORIGINAL = re.compile(r"^-{2,}\s*(original message|message d.origine)\s*-{2,}$", re.I)
_WROTE = re.compile(r"^(le|on)\s.{4,200}\s(a écrit|wrote)\s*:$", re.I)
_FROM_LINE = re.compile(r"^\*?(de|from)\s*:", re.I)
_SENT_LINE = re.compile(r"^\*?(envoyé|sent|date)\s*:", re.I)


def starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if _ORIGINAL.match(line) or _WROTE.match(line) or re.fullmatch(r"_{10,}", line):
        return True
    # Outlook's quoted header block: "De : …" followed closely by "Envoyé : …".
    following = lines[index + 1:index + 5]
    return bool(_FROM_LINE.match(line)) and any(_SENT_LINE.match(n.strip()) for n in following)


def reply_text(body: str) -> str:
    """The new part of a reply: the quoted history below it is already on the ticket."""
    lines = body.splitlines()
    cut = next((i for i in range(len(lines)) if starts_quote(lines, i)), len(lines))
    kept = lines[:cut]
    while kept and (kept[-1].startswith(">") or not kept[-1].strip()):
        kept.pop()
    return "\n".join(kept).strip() or body.strip()


_PART_HEADER = re.compile(rb"^content-type:", re.IGNORECASE | re.MULTILINE)


def check_size(raw: bytes) -> None:
    """Refuse, before parsing, a message of more MIME parts than ``JALON_MAIL_MAX_PARTS``: the
    standard parser and its walk recurse once per nesting level."""
    from django.conf import settings

    limit = int(settings.JALON_MAIL_MAX_PARTS)
    parts = len(_PART_HEADER.findall(raw))
    if parts > limit:
        raise MalformedMail(f"Trop de parties MIME : {parts} (au plus {limit}).")


def parse_mail(raw: bytes) -> ParsedMail:
    check_size(raw)
    try:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage
        check_structure(message)
        return _parsed(message, raw)
    except RecursionError:
        raise MalformedMail("Structure MIME trop profonde : message non lu.") from None


def _parsed(message: EmailMessage, raw: bytes) -> ParsedMail:
    name, address = sender_of(message)
    return ParsedMail(
        message_id=own_message_id(message, raw), sender=address, sender_name=name,
        recipients=recipients_of(message), subject=" ".join(header(message, "Subject").split()),
        references=references_of(message), body=body_of(message),
        attachments=attachments_of(message), automatic=is_automatic(message),
    )


@dataclass(frozen=True)
class Envelope:
    """What can be read from any message, even a malformed one: enough to route and record it."""

    message_id: str
    sender: str
    subject: str
    recipients: tuple[str, ...]


def envelope(raw: bytes) -> Envelope:
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        return Envelope(own_message_id(message, raw), header(message, "From")[:254],
                        " ".join(header(message, "Subject").split())[:255],
                        recipients_of(message))
    except Exception:  # even the headers are unreadable: identify it by its content
        return Envelope(f"<sha256.{hashlib.sha256(raw).hexdigest()}@jalon.invalid>", "", "", ())
