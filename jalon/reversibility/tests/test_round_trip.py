"""The demo contract exported, the database emptied, the archive imported: every clock, dashboard
figure and scorecard computed there is the one computed before; a changed byte is refused."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from jalon.contracts.models import Contract
from jalon.conventions.evaluate import evaluate
from jalon.conventions.period import Period
from jalon.conventions.report import evidence_rows, scorecard_dict
from jalon.dashboard import figures
from jalon.demo.data import load_demo
from jalon.lib.clock import replaying
from jalon.reversibility.archive import export_contract
from jalon.reversibility.restore import ImportRefused, import_contract
from jalon.tickets.export import tickets_to_ticketset
from jalon.tickets.models import Attachment, Clock, Ticket, TicketEvent

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))
PERIOD = Period.parse("2026-08-01..2026-11-30")
LATER = NOW + timedelta(days=3)
CLOCK_FIELDS = [f.attname for f in Clock._meta.concrete_fields]


def snapshot(contract: Contract) -> dict[str, Any]:
    """What the installation computes for ``contract``: stored and recomputed clocks, dashboard
    figures, the scorecard and its evidence."""
    cache.clear()  # figures are cached by contract and version id, which the import keeps
    tickets = Ticket.objects.filter(contract=contract).order_by("number")
    board = figures.dashboard(contract, PERIOD, NOW, tickets=Ticket.objects.filter(contract=contract))
    version = contract.current_convention()
    assert version is not None
    card = evaluate(version.parsed(), tickets_to_ticketset(tickets), [], PERIOD, profile="jalon")
    return {
        "stored clocks": {t.number: list(Clock.objects.filter(ticket=t).order_by("kind").values_list(*CLOCK_FIELDS))
                          for t in tickets},
        "recomputed clocks": {t.number: [repr(state) for state in t.clocks_at(LATER)] for t in tickets},
        "ticket summaries": list(tickets.values_list("number", "state", "due_at", "risk_at", "breached",
                                                     "list_clock", "updated_at")),
        "dashboard": {name: repr(getattr(board, name)) for name in (
            "buckets", "delay_compliance", "qualification_delay", "volumes", "backlog", "reopen_rate",
            "risk", "forfait")},
        "scorecard": scorecard_dict(card),
        "evidence": [repr(row) for row in evidence_rows(card)],
    }


def with_attachment(contract: Contract) -> Attachment:
    ticket = Ticket.objects.filter(contract=contract).order_by("number").first()
    assert ticket is not None
    technician = User.objects.get(username="technicien")
    with replaying(NOW - timedelta(minutes=5)):
        comment = ticket.add_comment(technician, "Journal joint.")
        return ticket.add_attachment(technician, SimpleUploadedFile("journal.txt", b"ligne 1\nligne 2\n"),
                                     comment=comment)


def empty_database() -> None:
    call_command("flush", interactive=False, verbosity=0)
    assert not Contract.objects.exists()
    assert not User.objects.exists()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    # the demo gives its people passwords: a fast hash, these tests are not about them
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_the_demo_comes_back_identical_in_an_empty_installation(media: Path) -> None:
    contract = load_demo(NOW, count=12, slugs=("aquareel",)).contract
    assert contract is not None
    attachment = with_attachment(contract)
    before = snapshot(contract)
    assert before["stored clocks"]
    assert before["scorecard"]["families"]
    out = media / "aquareel.zip"
    call_command("contract", "export", "aquareel", "--out", str(out))
    with zipfile.ZipFile(out) as zf:
        first = json.loads(zf.read("manifest.json"))
        assert zf.read(f"files/{attachment.file.name}") == b"ligne 1\nligne 2\n"
        assert "auth.user" in zf.read("README.md").decode()
        assert b"password" not in zf.read("data/auth.user.jsonl")
    labels = [m["label"] for m in first["models"]]
    assert labels.index("tickets.ticket") < labels.index("tickets.ticketevent")
    events = TicketEvent.objects.count()

    empty_database()
    (media / "media").rename(media / "old-media")  # the files too come from the archive
    call_command("contract", "import", str(out))

    restored = Contract.objects.get(slug="aquareel")
    assert TicketEvent.objects.count() == events
    assert snapshot(restored) == before
    copy = Attachment.objects.get(pk=attachment.pk)
    assert copy.file.read() == b"ligne 1\nligne 2\n"
    person = User.objects.get(username="acheteur")
    assert not person.has_usable_password()
    assert not person.is_superuser
    # the history is still append-only, and new rows take new ids
    with pytest.raises(TypeError):
        TicketEvent.objects.filter(ticket__contract=restored).update(internal=True)
    ticket = Ticket.objects.filter(contract=restored).order_by("number").first()
    assert ticket is not None
    with replaying(NOW):
        comment = ticket.add_comment(User.objects.get(username="technicien"), "Après l’import.")
    assert comment.pk > attachment.comment_id  # type: ignore[operator]
    # exported again, every member has the digest it had
    again = media / "again.zip"
    call_command("contract", "export", "aquareel", "--out", str(again))
    with zipfile.ZipFile(again) as zf:
        second = json.loads(zf.read("manifest.json"))
    changed = {name for name, member in second["members"].items()
               if first["members"].get(name) != member}
    assert changed == {"data/tickets.comment.jsonl", "data/tickets.comment.csv",
                       "data/tickets.ticketevent.jsonl", "data/tickets.ticketevent.csv"}


@pytest.fixture
def exported(media: Path, db: None) -> Path:
    contract = load_demo(NOW, count=3, slugs=("aquareel",)).contract
    assert contract is not None
    with_attachment(contract)
    out = media / "aquareel.zip"
    with out.open("wb") as target:
        export_contract(contract, target, NOW)
    return out


def rewritten(source: Path, target: Path, member: str, change: Any) -> Path:
    with zipfile.ZipFile(source) as zf, zipfile.ZipFile(target, "w") as out:
        for info in zf.infolist():
            data = zf.read(info.filename)
            out.writestr(info.filename, change(data) if info.filename == member else data)
    return target


def test_a_changed_byte_is_refused_naming_the_member(exported: Path) -> None:
    member = "data/tickets.ticket.csv"
    tampered = rewritten(exported, exported.with_name("t.zip"), member,
                         lambda data: data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])
    with pytest.raises(ImportRefused, match="data/tickets.ticket.csv"):
        import_contract(str(tampered))
    with pytest.raises(CommandError, match="data/tickets.ticket.csv"):
        call_command("contract", "import", str(tampered))


def test_a_flipped_byte_in_the_zip_names_the_member(exported: Path) -> None:
    raw = bytearray(exported.read_bytes())
    with zipfile.ZipFile(exported) as zf:
        info = zf.getinfo("data/tickets.ticketevent.jsonl")
    start = info.header_offset  # the local header gives its own name and extra lengths
    name_length, extra_length = (int.from_bytes(raw[start + o:start + o + 2], "little") for o in (26, 28))
    at = start + 30 + name_length + extra_length + info.compress_size // 2
    raw[at] ^= 0xFF
    damaged = exported.with_name("d.zip")
    damaged.write_bytes(bytes(raw))
    with pytest.raises(ImportRefused, match="data/tickets.ticketevent.jsonl"):
        import_contract(str(damaged))


def test_a_member_not_in_the_manifest_or_missing_is_named(exported: Path) -> None:
    def copy(target: Path, leave_out: str = "", add: str = "") -> Path:
        with zipfile.ZipFile(exported) as zf, zipfile.ZipFile(target, "w") as out:
            for info in zf.infolist():
                if info.filename != leave_out:
                    out.writestr(info.filename, zf.read(info.filename))
            if add:
                out.writestr(add, "a,b\n")
        return target

    with pytest.raises(ImportRefused, match="data/extra.csv"):
        import_contract(str(copy(exported.with_name("e.zip"), add="data/extra.csv")))
    with pytest.raises(ImportRefused, match="manque.*data/tickets.clock.csv|data/tickets.clock.csv.*manque"):
        import_contract(str(copy(exported.with_name("m.zip"), leave_out="data/tickets.clock.csv")))


def test_an_existing_slug_is_refused_and_nothing_is_written(exported: Path) -> None:
    tickets = Ticket.objects.count()
    with pytest.raises(ImportRefused, match="aquareel"):
        import_contract(str(exported))
    assert Ticket.objects.count() == tickets


def test_a_taken_id_refuses_the_whole_import(exported: Path) -> None:
    """The people and organisations are there already (same ids, same names: kept), but the
    contract id is another contract's: refused, naming it; nothing half-written."""
    Contract.objects.filter(slug="aquareel").update(slug="autre")
    users = User.objects.count()
    with pytest.raises(ImportRefused, match="« contracts.contract » est déjà pris"):
        import_contract(str(exported))
    assert not Contract.objects.filter(slug="aquareel").exists()
    assert User.objects.count() == users


def test_not_a_zip_nor_an_export_is_refused(tmp_path: Path, db: None) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ImportRefused, match="ZIP"):
        import_contract(str(junk))
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "something"}))
    with pytest.raises(ImportRefused, match="Jalon"):
        import_contract(str(other))


def test_verify_checks_an_archive_and_compares_two(exported: Path, capsys: Any) -> None:
    call_command("contract", "verify", str(exported), "--against", str(exported))
    assert "mêmes" in capsys.readouterr().out
    other = rewritten(exported, exported.with_name("o.zip"), "data/tickets.ticket.csv",
                      lambda data: data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])
    with pytest.raises(CommandError, match="data/tickets.ticket.csv"):
        call_command("contract", "verify", str(other))
    # a second export of the same data: the same members; after a change, the changed ones named
    contract = Contract.objects.get(slug="aquareel")
    second = exported.with_name("second.zip")
    with second.open("wb") as target:
        export_contract(contract, target, NOW + timedelta(hours=1))
    call_command("contract", "verify", str(exported), "--against", str(second))
    Ticket.objects.filter(contract=contract, number=1).update(title="Autre objet")
    with second.open("wb") as target:
        export_contract(contract, target, NOW + timedelta(hours=1))
    with pytest.raises(CommandError, match=r"data/tickets.ticket.csv, data/tickets.ticket.jsonl"):
        call_command("contract", "verify", str(exported), "--against", str(second))


def redigested(source: Path, target: Path, member: str, change: Any) -> Path:
    """``member`` changed and the manifest's digest made to match: an archive that passes the
    digests but whose rows are wrong."""
    with zipfile.ZipFile(source) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        data = {info.filename: zf.read(info.filename) for info in zf.infolist()}
    data[member] = change(data[member])
    manifest["members"][member] = {"sha256": hashlib.sha256(data[member]).hexdigest(),
                                   "bytes": len(data[member])}
    data["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as out:
        for name, content in data.items():
            out.writestr(name, content)
    return target


@pytest.mark.django_db(transaction=True)
def test_a_reference_to_nothing_refuses_the_import_and_leaves_nothing(media: Path) -> None:
    contract = load_demo(NOW, count=2, slugs=("aquareel",)).contract
    assert contract is not None
    with_attachment(contract)
    out = media / "aquareel.zip"
    call_command("contract", "export", "aquareel", "--out", str(out))
    empty_database()
    shutil.rmtree(media / "media")

    def orphan(data: bytes) -> bytes:
        rows = [json.loads(line) for line in data.splitlines()]
        rows[-1]["requester_id"] = 999_999
        return "".join(json.dumps(row) + "\n" for row in rows).encode()

    broken = redigested(out, media / "broken.zip", "data/tickets.ticket.jsonl", orphan)
    with pytest.raises(ImportRefused, match="ne mène à aucune ligne"):
        import_contract(str(broken))
    assert not Contract.objects.exists()
    assert not User.objects.exists()
    assert not TicketEvent.objects.exists()
    assert not [p for p in (media / "media").rglob("*") if p.is_file()]  # the attachment removed
    # the archive as written still imports
    import_contract(str(out))
    assert Contract.objects.filter(slug="aquareel").exists()


def test_the_export_and_verify_print_the_manifest_digest(exported: Path, capsys: Any) -> None:
    out = exported.with_name("printed.zip")
    call_command("contract", "export", "aquareel", "--out", str(out))
    with zipfile.ZipFile(out) as zf:
        digest = hashlib.sha256(zf.read("manifest.json")).hexdigest()
    assert digest in capsys.readouterr().out
    call_command("contract", "verify", str(out))
    assert digest in capsys.readouterr().out
    with pytest.raises(CommandError, match="--out"):
        call_command("contract", "export", "aquareel", "--out", str(exported.with_name("no") / "x.zip"))
    with pytest.raises(CommandError, match="inconnu"):
        call_command("contract", "export", "inconnu", "--out", str(out))
