"""Structured reports and the contracts' own Word templates.

A :class:`StructuredReport` holds its data (checked by :func:`jalon.documents.kinds.check`) and
its revision; each save of new data is a new :class:`ReportRevision` (append-only, with the
data's SHA-256), so an audit report "mis à jour après réalisation des actions" (seed 000 L336)
keeps every version it had. A :class:`ReportTemplate` is a contract's replacement of the
default DOCX template for one kind — a report kind, or another document registered with
:func:`jalon.documents.render.register_docx` (the minutes) — accepted only after a dry render.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts import access
from jalon.accounts.access import Need, Viewer
from jalon.contracts.models import Contract
from jalon.documents import render
from jalon.documents.kinds import KINDS, ReportDataError, check
from jalon.lib import clock

USER_MODEL = settings.AUTH_USER_MODEL
KIND_CHOICES = [(k.id, k.label) for k in KINDS.values()]
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024


def _as_validation_error(error: ReportDataError) -> ValidationError:
    return ValidationError({where: [what] for where, what in error.problems})


def data_sha256(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ReportQuerySet(models.QuerySet["StructuredReport"]):
    def visible_to(self, user: Viewer, contract: Contract) -> ReportQuerySet:
        if not access.may(user, contract, Need.VIEW_DELIVERABLES):
            return self.none()
        return self.filter(contract=contract)

    def get_for(self, user: Viewer, pk: int | str, *, need: Need = Need.VIEW_DELIVERABLES) -> StructuredReport:
        found = self.filter(pk=int(pk) if str(pk).isdigit() else -1).select_related("contract").first()
        if found is None or not access.roles_on(user, found.contract) \
                or not self.visible_to(user, found.contract).filter(pk=found.pk).exists():
            raise Http404(_("Rapport introuvable."))
        access.require(user, found.contract, need)
        return found


class StructuredReport(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_lazy("marché"))
    number = models.PositiveIntegerField(_lazy("numéro"))
    kind = models.CharField(_lazy("nature"), max_length=40, choices=KIND_CHOICES)
    title = models.CharField(_lazy("titre"), max_length=200)
    data = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(_lazy("révision"), default=1)
    author = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_lazy("rédigé par"))
    created_at = models.DateTimeField(_lazy("créé le"))
    updated_at = models.DateTimeField(_lazy("mis à jour le"))

    objects = ReportQuerySet.as_manager()
    revisions: models.Manager[ReportRevision]

    class Meta:
        ordering = ("contract", "-number")
        verbose_name = _lazy("rapport structuré")
        verbose_name_plural = _lazy("rapports structurés")
        constraints = (models.UniqueConstraint(fields=["contract", "number"], name="report_number_unique"),)

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.contract.reference}-R{self.number}"

    @classmethod
    def write(cls, contract: Contract, actor: User, *, kind: str, title: str, data: Any) -> StructuredReport:
        access.require(actor, contract, Need.WRITE_REPORT)
        try:
            clean = check(kind, data)
        except ReportDataError as error:
            raise _as_validation_error(error) from error
        if not title.strip():
            raise ValidationError({"title": [_("Le titre du rapport est obligatoire.")]})
        now = clock.now()
        with transaction.atomic():
            Contract.objects.select_for_update().filter(pk=contract.pk).first()
            last = cls.objects.filter(contract=contract).aggregate(n=Max("number"))["n"]
            report = cls.objects.create(contract=contract, number=(last or 0) + 1, kind=kind,
                                        title=title.strip()[:200], data=clean, author=actor,
                                        created_at=now, updated_at=now)
            report._keep(actor, now, _("Création"))
        return report

    def update(self, actor: User, *, data: Any, note: str = "", title: str | None = None) -> StructuredReport:
        """New data (an audit report after its recommendations were followed up): a new revision."""
        access.require(actor, self.contract, Need.WRITE_REPORT)
        try:
            clean = check(self.kind, data)
        except ReportDataError as error:
            raise _as_validation_error(error) from error
        now = clock.now()
        with transaction.atomic():
            locked = StructuredReport.objects.select_for_update().get(pk=self.pk)
            locked.data, locked.revision, locked.updated_at = clean, locked.revision + 1, now
            if title is not None and title.strip():
                locked.title = title.strip()[:200]
            locked.author = actor
            locked.save()
            locked._keep(actor, now, note or _("Mise à jour"))
        self.refresh_from_db()
        return self

    def _keep(self, actor: User, now: Any, note: str) -> None:
        ReportRevision.objects.create(report=self, revision=self.revision, data=self.data,
                                      sha256=data_sha256(self.data), author=actor, at=now, note=note[:500])

    def rendering(self) -> render.Rendering:
        author = self.author.get_full_name() or self.author.username
        return render.Rendering(title=self.title, kind=self.kind, kind_label=str(KINDS[self.kind].label),
                                contract=f"{self.contract.reference} — {self.contract.name}",
                                reference=self.reference, revision=self.revision, author=author,
                                updated_at=self.updated_at, data=self.data,
                                sections=render.sections(self.kind, self.data))

    def pdf(self, *, compress: bool = True) -> bytes:
        return render.pdf(self.rendering(), compress=compress)

    def docx(self) -> bytes:
        """From the contract's template for this kind when it has one."""
        return render.docx(self.rendering(), ReportTemplate.content_for(self.contract, self.kind))

    def file_name(self, extension: str) -> str:
        return f"{self.reference}-rev{self.revision}.{extension}"


class RevisionQuerySet(models.QuerySet["ReportRevision"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Les révisions d’un rapport ne se modifient pas.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Les révisions d’un rapport ne se suppriment pas.")


class ReportRevision(models.Model):
    report = models.ForeignKey(StructuredReport, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField(_lazy("révision"))
    data = models.JSONField()
    sha256 = models.CharField(max_length=64)
    author = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    objects: ClassVar[models.Manager[ReportRevision]] = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ("report", "revision")
        constraints = (models.UniqueConstraint(fields=["report", "revision"], name="report_revision_unique"),)

    def __str__(self) -> str:
        return f"{self.report_id} rev{self.revision}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Les révisions d’un rapport ne se modifient pas.")
        super().save(*args, **kwargs)


class ReportTemplate(models.Model):
    """A contract's Word template for one kind of report, or for another document registered
    with :func:`~jalon.documents.render.register_docx` (the minutes), replacing the platform's."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="report_templates")
    kind = models.CharField(_lazy("nature"), max_length=40)
    """A report kind or a registered use (:func:`~jalon.documents.render.template_kinds`)."""
    content = models.BinaryField()
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _lazy("modèle de rapport")
        verbose_name_plural = _lazy("modèles de rapport")
        constraints = (models.UniqueConstraint(fields=["contract", "kind"], name="report_template_unique"),)

    def __str__(self) -> str:
        return f"{self.kind} — {self.original_name}"

    def file_bytes(self) -> bytes:
        return bytes(self.content)

    @property
    def kind_label(self) -> str:
        return dict(render.template_kinds()).get(self.kind, self.kind)

    @classmethod
    def content_for(cls, contract: Contract, kind: str) -> bytes | None:
        """The contract's template for ``kind``; None when it uses the platform's."""
        found = cls.objects.filter(contract=contract, kind=kind).first()
        return found.file_bytes() if found else None

    @classmethod
    def install(cls, contract: Contract, actor: User, kind: str, name: str, content: bytes) -> ReportTemplate:
        """Check ``content`` by a dry render, then make it the contract's template for ``kind``;
        a located, plain error otherwise (nothing is stored)."""
        access.require(actor, contract, Need.MANAGE_CONVENTION)
        if kind not in dict(render.template_kinds()):
            raise ValidationError({"kind": [_("Nature de rapport inconnue : %(v)s.") % {"v": kind}]})
        if len(content) > TEMPLATE_MAX_BYTES:
            raise ValidationError({"file": [_("Modèle trop volumineux (5 Mo au plus).")]})
        if not name.lower().endswith(".docx"):
            raise ValidationError({"file": [_("Un modèle Word (.docx) est attendu.")]})
        try:
            render.check_docx_template(content, kind)
        except render.TemplateProblem as problem:
            raise ValidationError({"file": [str(problem)]}) from problem
        template, _created = cls.objects.update_or_create(
            contract=contract, kind=kind,
            defaults={"content": content, "original_name": name[:255],
                      "sha256": hashlib.sha256(content).hexdigest(), "uploaded_by": actor,
                      "uploaded_at": clock.now()})
        return template
