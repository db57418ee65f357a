"""Contracts and the versions of their *convention de service*.

The convention file (YAML) is the rule book: calendars, ticket types, priority matrix, clocks,
indicators. Each load that changes the text creates a new :class:`ConventionVersion`; a ticket
keeps the version it was opened under, so that its clocks never change under its feet.
"""

from __future__ import annotations

import fnmatch
import hashlib
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.accounts.models import Organisation

if TYPE_CHECKING:
    from jalon.accounts.access import Viewer
    from jalon.conventions.model import Convention


class ContractQuerySet(models.QuerySet["Contract"]):
    def visible_to(self, user: Viewer) -> ContractQuerySet:
        """The contracts ``user`` has a role on, by reference."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user_id=user.pk).distinct().order_by("reference")


class Contract(models.Model):
    reference = models.CharField(_("référence"), max_length=60, unique=True)
    name = models.CharField(_("intitulé"), max_length=250)
    slug = models.SlugField(_("identifiant court"), max_length=60, unique=True)
    buyer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contracts_as_buyer",
        verbose_name=_("acheteur"),
    )
    holder = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contracts_as_holder",
        verbose_name=_("titulaire"),
    )
    hotline = models.CharField(
        _("ligne d’urgence du titulaire"), max_length=40, blank=True,
        help_text=_("Le numéro que le demandeur appelle pour une demande urgente, affiché sur le "
                    "formulaire de déclaration et sur les tickets urgents."))
    starts_on = models.DateField(_("début"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    # The latest version, set by ConventionVersion.load: read with the contract (the user's roles
    # query brings it along), the pages find the convention's rules by its id.
    current_version = models.ForeignKey(
        "ConventionVersion", on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("version de convention en vigueur"))
    # The groups its tickets have been assigned to, sorted: the options of the list's group
    # filter, read with the contract instead of probing the tickets on every list page. Only
    # Ticket._set_assignment assigns a group, and it calls note_group.
    assigned_groups = models.JSONField(_("groupes affectés"), default=list, blank=True, editable=False)
    # The groups where the holder works (issue 11 §1, D-49): a ticket is assigned only to one of
    # them. Shell-style patterns (``N2_TME*``); empty accepts any group name, as before.
    holder_groups = models.JSONField(
        _("groupes du titulaire"), default=list, blank=True,
        help_text=_("Groupes auxquels un ticket peut être affecté, un par ligne ; « * » remplace "
                    "n’importe quelle suite (N2_TME*). Vide : tout nom de groupe."))

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ("reference",)
        verbose_name = _("marché")
        verbose_name_plural = _("marchés")

    def __str__(self) -> str:
        return f"{self.reference} — {self.name}"

    def is_holder_group(self, name: str) -> bool:
        """Whether ``name`` is one of the holder's groups (any name when none is declared)."""
        return not self.holder_groups or any(fnmatch.fnmatchcase(name.upper(), pattern.upper())
                                             for pattern in self.holder_groups)

    def note_group(self, name: str) -> None:
        """Add ``name`` to :attr:`assigned_groups`, under the contract's lock, if it is new (a few
        times in a contract's life: the usual call costs nothing)."""
        if not name or name in self.assigned_groups:
            return
        with transaction.atomic():
            groups: list[str] = (Contract.objects.select_for_update().filter(pk=self.pk)
                                 .values_list("assigned_groups", flat=True).get())
            if name not in groups:
                groups = sorted([*groups, name])
                Contract.objects.filter(pk=self.pk).update(assigned_groups=groups)
        self.assigned_groups = groups

    def current_convention(self) -> ConventionVersion | None:
        """The version in force (:attr:`current_version`, which :meth:`ConventionVersion.load`
        sets, as the database has it now: this object's copy may be older), its text read only
        when needed (:meth:`ConventionVersion.parsed` finds the parsed
        convention by its digest)."""
        pointer = Contract.objects.filter(pk=self.pk).values("current_version")  # as stored now
        return ConventionVersion.objects.defer("text").filter(pk=models.Subquery(pointer)).first()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_PARSED: dict[tuple[str, str], Convention] = {}
"""Parsed conventions by text digest and file name: a version never changes, so each is parsed
once per process."""
_PARSED_MAX = 64


class ConventionVersion(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="convention_versions",
        verbose_name=_("marché"),
    )
    number = models.PositiveIntegerField(_("version"))
    source_name = models.CharField(_("fichier"), max_length=255)
    text = models.TextField(_("texte YAML"))
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(_("chargée le"), default=timezone.now)

    class Meta:
        ordering = ("contract", "-number")
        verbose_name = _("version de convention de service")
        verbose_name_plural = _("versions de convention de service")
        constraints = (
            models.UniqueConstraint(fields=["contract", "number"], name="convention_version_unique"),
        )

    def __str__(self) -> str:
        return f"{self.contract.reference} v{self.number}"

    def parsed(self) -> Convention:
        """The convention as typed values (parsed once per process; versions never change).

        Found by the stored digest: a caller that read the version without its text
        (``defer("text")``) reads the text only the first time."""
        from jalon.conventions.loader import loads

        key = (self.sha256 or text_sha256(self.text), self.source_name)
        found = _PARSED.get(key)
        if found is None:
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            found = _PARSED[key] = loads(self.text, self.source_name)
        return found

    @classmethod
    def load(cls, contract: Contract, text: str, source_name: str) -> tuple[ConventionVersion, bool]:
        """Store ``text`` as the next version unless it equals the current one.

        The text is parsed first: a convention with errors is never stored, and the error names
        the file, the line and the field.
        """
        digest = text_sha256(text)
        with transaction.atomic():
            locked = Contract.objects.select_for_update().get(pk=contract.pk)
            current = locked.current_convention()
            if current is not None and current.sha256 == digest:
                return current, False
            candidate = cls(contract=contract, number=(current.number + 1) if current else 1,
                            source_name=source_name, text=text, sha256=digest)
            candidate.parsed()  # raises on the first error, naming file, line and field
            candidate.save()
            Contract.objects.filter(pk=contract.pk).update(current_version=candidate)
            contract.current_version = candidate
        return candidate, True
