"""A stand-in for an IMAP server, answering the few imaplib calls intake makes, with the
response shapes imaplib returns. Only the network is faked: the messages are real .eml files."""

from __future__ import annotations

from typing import Any


class FakeImap:
    def __init__(self, messages: list[bytes], **other_folders: list[bytes]) -> None:
        self.folders = {name: {str(n): raw for n, raw in enumerate(content, start=1)}
                        for name, content in {"INBOX": messages, **other_folders}.items()}
        self.messages: dict[str, bytes] = {}
        self.seen: set[str] = set()
        self.seen_by_folder: dict[str, set[str]] = {name: set() for name in self.folders}
        self.selected = ""
        self.fetched: list[tuple[str, str]] = []
        self.logged_out = False

    def select(self, mailbox: str = "INBOX", readonly: bool = False) -> tuple[str, list[Any]]:
        if mailbox not in self.folders:
            return "NO", [b"[NONEXISTENT] Unknown Mailbox"]
        self.selected, self.messages = mailbox, self.folders[mailbox]
        self.seen = self.seen_by_folder[mailbox]
        return "OK", [str(len(self.messages)).encode()]

    def search(self, charset: str | None, *criteria: str) -> tuple[str, list[Any]]:
        assert self.selected, "SEARCH before SELECT"
        assert criteria == ("UNSEEN",)
        unseen = [n for n in self.messages if n not in self.seen]
        return "OK", [" ".join(unseen).encode()]

    def fetch(self, message_set: str, message_parts: str) -> tuple[str, list[Any]]:
        raw = self.messages[message_set]
        self.fetched.append((message_set, message_parts))
        if message_parts == "(RFC822.SIZE)":
            return "OK", [f"{message_set} (RFC822.SIZE {len(raw)})".encode()]
        if message_parts == "(BODY.PEEK[HEADER])":
            head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
            return "OK", [(f"{message_set} (BODY[HEADER] {{{len(head)}}}".encode(), head), b")"]
        assert message_parts == "(BODY.PEEK[])"  # reading must not mark the message seen
        return "OK", [(f"{message_set} (BODY[] {{{len(raw)}}}".encode(), raw), b")"]

    def store(self, message_set: str, command: str, flags: str) -> tuple[str, list[Any]]:
        assert (command, flags) == ("+FLAGS", "\\Seen")
        self.seen.add(message_set)
        return "OK", [f"{message_set} (FLAGS (\\Seen))".encode()]

    def logout(self) -> tuple[str, list[Any]]:
        self.logged_out = True
        return "BYE", [b"Logging out"]
