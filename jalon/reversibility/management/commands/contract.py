"""``jalon contract export SLUG --out FILE`` and ``jalon contract import FILE`` (reversibility)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from jalon.contracts.models import Contract
from jalon.lib import clock
from jalon.reversibility.archive import MANIFEST, export_contract
from jalon.reversibility.restore import ImportRefused, import_contract, read_manifest, verify


def manifest_digest(path: Path) -> str:
    """The SHA-256 of the manifest, which holds the digest of every other member: recorded apart
    from the archive, it proves the whole archive unchanged."""
    with zipfile.ZipFile(path) as zf:
        return hashlib.sha256(zf.read(MANIFEST)).hexdigest()


class Command(BaseCommand):
    help = ("Réversibilité : exporte un marché entier dans une archive ZIP de formats ouverts, ou "
            "l’importe dans une installation qui ne l’a pas.")

    def add_arguments(self, parser: CommandParser) -> None:
        words = parser.add_subparsers(dest="word", required=True)
        out = words.add_parser("export", help="écrit le marché dans une archive ZIP")
        out.add_argument("contract", help="identifiant court ou référence du marché")
        out.add_argument("--out", type=Path, required=True, help="fichier ZIP à écrire")
        back = words.add_parser("import", help="charge une archive dans cette installation")
        back.add_argument("file", type=Path, help="archive écrite par « jalon contract export »")
        check = words.add_parser("verify", help="vérifie les empreintes d’une archive, et la compare "
                                                "à une autre")
        check.add_argument("file", type=Path, help="archive écrite par « jalon contract export »")
        check.add_argument("--against", type=Path, help="une autre archive du même marché : mêmes "
                                                        "données ?")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["word"] == "export":
            self.export(options["contract"], options["out"])
        elif options["word"] == "verify":
            self.verify(options["file"], options["against"])
        else:
            self.load(options["file"])

    def export(self, key: str, out: Path) -> None:
        contract = Contract.objects.filter(Q(slug=key) | Q(reference=key)).first()
        if contract is None:
            raise CommandError(f"contract: aucun marché d’identifiant ou de référence {key!r}")
        # written beside the target, then renamed: never a half-written archive under its name
        try:
            handle, partial = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".",
                                               prefix=f".{out.name}.", suffix=".partial")
        except OSError as error:
            raise CommandError(f"--out: {out}: {error.strerror}") from error
        try:
            with os.fdopen(handle, "wb") as target:
                manifest = export_contract(contract, target, clock.now())
            os.replace(partial, out)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        rows = sum(m["rows"] for m in manifest["models"])
        self.stdout.write(f"{contract.reference} : {rows} lignes, {len(manifest['members'])} fichiers "
                          f"→ {out}")
        self.stdout.write(f"empreinte SHA-256 du manifeste (à conserver par chaque partie) : "
                          f"{manifest_digest(out)}")

    def verify(self, path: Path, against: Path | None) -> None:
        """Each archive's members against its manifest; with ``--against``, the members of both
        (the manifest and its instant aside): what a backup restored elsewhere must give."""
        members = [self.checked(path)]
        if against is not None:
            members.append(self.checked(against))
            differ = sorted(name for name in members[0].keys() | members[1].keys()
                            if members[0].get(name, {}).get("sha256") != members[1].get(name, {}).get("sha256"))
            if differ:
                raise CommandError(f"{against}: {len(differ)} membres diffèrent de {path} : " + ", ".join(differ))
            self.stdout.write(f"{path} et {against} : mêmes {len(members[0])} membres")

    def checked(self, path: Path) -> dict[str, Any]:
        try:
            with zipfile.ZipFile(path) as zf:
                manifest = read_manifest(zf)
                verify(zf, manifest)
        except (OSError, zipfile.BadZipFile) as error:
            raise CommandError(f"{path}: archive illisible : {error}") from error
        except ImportRefused as error:
            raise CommandError(f"{path}: {error}") from error
        self.stdout.write(f"{path} : {len(manifest['members'])} membres conformes au manifeste "
                          f"(SHA-256 du manifeste : {manifest_digest(path)})")
        members: dict[str, Any] = manifest["members"]
        return members

    def load(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"file: {path}: fichier introuvable")
        try:
            done = import_contract(str(path))
        except ImportRefused as error:
            raise CommandError(f"{path}: {error}") from error
        kept = sum(done.kept.values())
        self.stdout.write(f"{done.slug} : {sum(done.inserted.values())} lignes insérées, "
                          f"{kept} personnes ou organisations déjà présentes, {done.files} fichiers")
