"""A contract's scorecard per period (its workflow, its frozen proof) and the manual measures.

Both follow the record recipe: every change goes through a domain method that locks the row,
checks the need and the state from the table (``workflow.py``) and writes one append-only event.
A validated scorecard is frozen: its figures, the digests of its inputs and its archive are
written once, in the transaction that validates it, and never again (:meth:`PeriodScorecard.save`
refuses); a correction is a new version with its reason, the frozen one kept.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jalon.accounts.access import Need, require
from jalon.commitments.models import AbstractClock, ClockQuerySet, running_due_index
from jalon.contracts.models import Contract, ConventionVersion
from jalon.conventions.period import Period, PeriodError
from jalon.lib import clock
from jalon.scorecards.workflow import STEP, EventKind, MeasureStatus, Status, Verdict


class Frozen(Exception):
    """A validated scorecard never changes."""


class WrongState(ValidationError):
    """The scorecard's state does not allow the step (the API answers 409)."""


class PeriodScorecard(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="scorecards",
                                 verbose_name=_("marché"))
    period = models.CharField(_("période"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    reason = models.TextField(_("motif de la correction"), blank=True)
    created_at = models.DateTimeField(_("créé le"))
    proposed_at = models.DateTimeField(_("proposé le"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    convention_version = models.ForeignKey(ConventionVersion, on_delete=models.PROTECT, null=True,
                                           blank=True, related_name="+")
    figures = models.JSONField(_("chiffres figés"), null=True, blank=True)
    digests = models.JSONField(_("empreintes SHA-256 des entrées"), default=dict, blank=True)
    archive = models.BinaryField(_("archive"), null=True, blank=True)
    archive_sha256 = models.CharField(max_length=64, blank=True)
    # What the page of a validated scorecard shows besides its figures, written with them when it
    # is frozen (jalon.scorecards.freeze.page_extract): the first evidence rows, their count and
    # the frozen measures, so that the page reads stored figures only, never the archive.
    shown = models.JSONField(_("extrait affiché"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ("contract", "-period", "-version")
        verbose_name = _("tableau de bord d’une période")
        verbose_name_plural = _("tableaux de bord des périodes")
        constraints = (
            models.UniqueConstraint(fields=["contract", "period", "version"], name="scorecard_version_unique"),
        )

    def __str__(self) -> str:
        return f"{self.contract.slug} {self.period} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not getattr(self, "_freezing", False):
            stored = PeriodScorecard.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == Status.VALIDATED:
                raise Frozen(gettext("Un tableau de bord validé ne change plus : ouvrez une correction."))
        super().save(*args, **kwargs)

    @property
    def frozen(self) -> bool:
        return self.status == Status.VALIDATED

    @property
    def parsed_period(self) -> Period:
        return Period.parse(self.period)

    @classmethod
    def current(cls, contract: Contract, period: Period) -> PeriodScorecard | None:
        """The latest version of the period's scorecard (``None``: still a draft nobody proposed);
        its archive is read only if asked for (it holds every input of the period)."""
        return cls.objects.filter(contract=contract, period=str(period)).defer("archive").order_by("-version").first()

    @classmethod
    def act(cls, user: Any, contract: Contract, period: Period, step_name: str, *, indicator: str = "",
            verdict: str = "", comment: str = "", now: datetime | None = None) -> PeriodScorecard:
        """Do ``step_name`` on the period's current scorecard (created as a draft on first act)."""
        step = STEP[step_name]
        require(user, contract, step.need)
        now = now or clock.now()
        comment = comment.strip()
        with transaction.atomic():
            Contract.objects.select_for_update().filter(pk=contract.pk).first()
            card = cls.current(contract, period) or cls.objects.create(
                contract=contract, period=str(period), created_at=now)
            card = cls.objects.select_for_update().get(pk=card.pk)
            if card.status not in step.sources:
                raise WrongState(gettext("Action « %(step)s » impossible : le tableau de bord est %(status)s.")
                                      % {"step": step.label, "status": card.get_status_display()})
            if step.needs_indicator:
                known = _indicator_ids(contract)
                if indicator not in known:
                    raise ValidationError({"indicator": gettext("Indicateur inconnu : %(id)s.") % {"id": indicator}})
            if step.needs_comment and not comment:
                raise ValidationError({"comment": gettext("Un commentaire est nécessaire.")})
            if step_name == "review" and verdict not in Verdict.values:
                raise ValidationError({"verdict": gettext("Choisissez « accepté » ou « contesté ».")})
            if step_name == "review" and verdict == Verdict.CONTESTED and not comment:
                raise ValidationError({"comment": gettext("Une contestation se motive.")})
            if step_name == "propose":
                _start, end = period.datetime_bounds(_zone(contract))
                if now < end:  # D-67
                    raise WrongState(gettext("La période n’est pas terminée : son tableau de bord se propose "
                                             "à partir du %(day)s.") % {"day": date_format(end, "SHORT_DATE_FORMAT")})
                card.proposed_at = now
            if step_name == "review" and verdict == Verdict.CONTESTED:
                card.status = Status.CONTESTED
            if step.target is not None and step_name != "validate":
                card.status = step.target
            if step_name == "validate":
                from jalon.scorecards import freeze

                freeze.freeze(card, user, now)
            elif step_name != "correct":  # a correction leaves the frozen version as it is
                card.save()
            ScorecardEvent.objects.create(scorecard=card, at=now, actor=user, kind=step.event,
                                          indicator=indicator, verdict=verdict, comment=comment)
            card.recompute_clocks(now)
            if step_name == "correct":
                card = cls.objects.create(contract=contract, period=str(period), version=card.version + 1,
                                          reason=comment, created_at=now)
                ScorecardEvent.objects.create(scorecard=card, at=now, actor=user, kind=EventKind.CORRECTED,
                                              comment=comment)
                card.recompute_clocks(now)
        return card

    @classmethod
    def open_ended(cls, contract: Contract, periods: list[Period], today: Any, now: datetime) -> None:
        """A draft row, with its deadline clocks, for each period over with none yet (D-61): the
        holder's deadline to propose runs from the period's end, whether or not anyone opened
        the page (the clock scan then warns)."""
        known = set(cls.objects.filter(contract=contract).values_list("period", flat=True))
        for period in periods:
            if period.last_day < today and str(period) not in known:
                with transaction.atomic():
                    card, created = cls.objects.get_or_create(contract=contract, period=str(period), version=1,
                                                              defaults={"created_at": now})
                    if created:
                        card.recompute_clocks(now)

    def recompute_clocks(self, now: datetime) -> list[ScorecardClock]:
        """The holder's deadline to propose (from the period's end to the first proposal) and the
        buyer's to validate (from the last proposal to the validation), in business days of the
        convention's first calendar (D-61, D-62)."""
        from jalon.commitments.state import ClockSpec, clock_state
        from jalon.conventions.calendars import build_calendar, duration_seconds
        from jalon.conventions.errors import ConventionError

        version = self.contract.current_convention()
        if version is None or not version.parsed().calendars:
            return []
        convention = version.parsed()
        spec = next(iter(convention.calendars.values()))
        calendar = build_calendar(spec)
        proposals = list(self.events.filter(kind=EventKind.PROPOSED).order_by("at", "pk").values_list("at", flat=True))
        end = self.parsed_period.datetime_bounds(convention.contract.tz)[1]
        started = {"proposal": end if self.version == 1 else self.created_at,
                   "validation": proposals[-1] if proposals else None}
        stopped = {"proposal": proposals[0] if proposals else None, "validation": self.validated_at}
        days = {"proposal": settings.JALON_SCORECARD_PROPOSE_DAYS,
                "validation": settings.JALON_SCORECARD_VALIDATE_DAYS}
        out = []
        for kind in ("proposal", "validation"):
            try:
                target = duration_seconds(f"{days[kind]}j", spec)
            except (ConventionError, ValueError):  # a calendar without a fixed business day
                target = days[kind] * 8 * 3600
            clock_spec = ClockSpec(kind=kind, label=ScorecardClock.label_for(kind) or kind, calendar_name=spec.id,
                                   target_seconds=target,
                                   warn_ratio=settings.JALON_CLOCK_WARN_RATIO)
            state = clock_state(clock_spec, calendar, now, started_at=started[kind], stopped_at=stopped[kind])
            clock = ScorecardClock.objects.filter(scorecard=self, kind=kind).first() or ScorecardClock(scorecard=self)
            clock.record(state, now)
            clock.save()
            out.append(clock)
        return out

    def reviews(self) -> dict[str, ScorecardEvent]:
        """The last review or answer of each indicator."""
        found: dict[str, ScorecardEvent] = {}
        for event in self.events.filter(kind__in=(EventKind.REVIEWED, EventKind.ANSWERED)).order_by("at", "pk"):
            found[event.indicator] = event
        return found


def _zone(contract: Contract) -> str:
    version = contract.current_convention()
    return version.parsed().contract.tz if version else settings.TIME_ZONE


def _indicator_ids(contract: Contract) -> set[str]:
    version = contract.current_convention()
    return {i.id for i in version.parsed().indicators} if version else set()


class ScorecardClock(AbstractClock):
    """The deadlines of a period's scorecard: to propose it, to validate it."""

    owner_field = "scorecard"
    scorecard = models.ForeignKey(PeriodScorecard, on_delete=models.CASCADE, related_name="clocks")

    objects: ClassVar[models.Manager[ScorecardClock]] = ClockQuerySet["ScorecardClock"].as_manager()

    @classmethod
    def label_for(cls, kind: str) -> str | None:
        labels = {"proposal": gettext("Proposition du tableau de bord par le titulaire"),
                  "validation": gettext("Validation du tableau de bord par l’acheteur")}
        return labels.get(kind)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["scorecard", "kind"], name="scorecard_clock_unique"),)
        indexes = (running_due_index("scorecard_clock_running_due"),)

    def __str__(self) -> str:
        return f"{self.scorecard} {self.kind}"


class ScorecardEvent(models.Model):
    """Append-only history of a scorecard: who did what, on which indicator, with what comment."""

    scorecard = models.ForeignKey(PeriodScorecard, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    indicator = models.CharField(max_length=80, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ("scorecard", "at", "pk")

    def __str__(self) -> str:
        return f"{self.scorecard} {self.kind} {self.indicator}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise Frozen("history is append-only")
        super().save(*args, **kwargs)


class ManualMeasure(models.Model):
    """A value no record holds (call answer rate, availability…), per indicator, period and item,
    typed in by the holder and accepted or contested by the buyer."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="manual_measures")
    indicator = models.CharField(_("indicateur"), max_length=80)
    period = models.CharField(_("période"), max_length=40)
    item = models.CharField(_("élément"), max_length=120, blank=True)
    value = models.FloatField(_("valeur"))
    source = models.CharField(_("source"), max_length=250)
    comment = models.TextField(_("commentaire"), blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=MeasureStatus.choices,
                              default=MeasureStatus.ENTERED)
    updated_at = models.DateTimeField(_("modifiée le"))

    class Meta:
        ordering = ("contract", "period", "indicator", "item")
        verbose_name = _("mesure manuelle")
        verbose_name_plural = _("mesures manuelles")
        constraints = (
            models.UniqueConstraint(fields=["contract", "indicator", "period", "item"], name="manual_measure_unique"),
        )

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.item}".strip()

    @classmethod
    def enter(cls, user: Any, contract: Contract, *, indicator: str, period: str, value: float, source: str,
              item: str = "", comment: str = "", now: datetime | None = None) -> ManualMeasure:
        """Enter or change a measure (the holder): refused for an indicator a record app computes."""
        require(user, contract, Need.ENTER_MEASURE)
        errors = measure_errors(contract, indicator, period, source)
        if errors:
            raise ValidationError(errors)
        now = now or clock.now()
        with transaction.atomic():
            measure, _created = cls.objects.select_for_update().get_or_create(
                contract=contract, indicator=indicator, period=str(Period.parse(period)), item=item.strip(),
                defaults={"value": value, "source": source.strip(), "comment": comment, "updated_at": now})
            measure.value, measure.source, measure.comment = value, source.strip(), comment
            measure.status, measure.updated_at = MeasureStatus.ENTERED, now
            measure.save()
            MeasureEvent.objects.create(measure=measure, at=now, actor=user, kind=MeasureStatus.ENTERED,
                                        value=value, source=measure.source, comment=comment)
        return measure

    def review(self, user: Any, verdict: str, comment: str = "", now: datetime | None = None) -> None:
        require(user, self.contract, Need.REVIEW_MEASURE)
        if verdict not in (MeasureStatus.ACCEPTED, MeasureStatus.CONTESTED):
            raise ValidationError({"verdict": gettext("Choisissez « acceptée » ou « contestée ».")})
        if verdict == MeasureStatus.CONTESTED and not comment.strip():
            raise ValidationError({"comment": gettext("Une contestation se motive.")})
        now = now or clock.now()
        with transaction.atomic():
            locked = ManualMeasure.objects.select_for_update().get(pk=self.pk)
            locked.status, locked.updated_at = verdict, now
            locked.save()
            MeasureEvent.objects.create(measure=locked, at=now, actor=user, kind=verdict, value=locked.value,
                                        source=locked.source, comment=comment.strip())
        self.status = verdict

    def attach(self, user: Any, name: str, content: bytes, now: datetime | None = None) -> MeasureFile:
        require(user, self.contract, Need.ENTER_MEASURE)
        return MeasureFile.objects.create(measure=self, name=name[:200], content=content,
                                          sha256=hashlib.sha256(content).hexdigest(), added_at=now or clock.now(),
                                          added_by=user)


def computed_indicators(contract: Contract, version: ConventionVersion | None = None) -> dict[str, str]:
    """Indicator id → the registered source computing it (no manual entry for those), under
    ``version`` (default: the contract's current convention)."""
    from jalon.commitments.sources import measure_sources

    version = version or contract.current_convention()
    if version is None:
        return {}
    convention = version.parsed()
    return {indicator: source.name for source in measure_sources() for indicator in source.indicators(convention)}


def measure_errors(contract: Contract, indicator: str, period: str, source: str) -> dict[str, str]:
    from jalon.conventions.measures import COST_SHARE

    errors: dict[str, str] = {}
    version = contract.current_convention()
    convention = version.parsed() if version else None
    families = {f.id for f in convention.families} if convention else set()
    known = {i.id: i.kind for i in convention.indicators} if convention else {}
    if indicator.startswith(COST_SHARE):
        if indicator[len(COST_SHARE):] not in families:
            errors["indicator"] = gettext("%(id)s ne nomme aucune famille de la convention.") % {"id": indicator}
    elif indicator not in known:
        errors["indicator"] = gettext("Indicateur inconnu : %(id)s.") % {"id": indicator}
    elif known[indicator] != "measure":
        errors["indicator"] = gettext("%(id)s est calculé depuis les tickets : pas de saisie manuelle.") % {
            "id": indicator}
    elif indicator in (computed := computed_indicators(contract)):
        errors["indicator"] = gettext("%(id)s est calculé par la plateforme (%(source)s) : "
                                      "pas de saisie manuelle.") % {"id": indicator, "source": computed[indicator]}
    try:
        Period.parse(period)
    except (PeriodError, ValueError) as error:
        errors["period"] = str(error)
    if not source.strip():
        errors["source"] = gettext("Indiquez la source de la mesure.")
    return errors


class MeasureEvent(models.Model):
    """Append-only history of a manual measure: every value entered, every verdict."""

    measure = models.ForeignKey(ManualMeasure, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=MeasureStatus.choices)
    value = models.FloatField()
    source = models.CharField(max_length=250)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ("measure", "at", "pk")

    def __str__(self) -> str:
        return f"{self.measure} {self.kind} {self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise Frozen("history is append-only")
        super().save(*args, **kwargs)


class MeasureFile(models.Model):
    """A supporting file of a manual measure (kept in the database: it goes into the archive)."""

    measure = models.ForeignKey(ManualMeasure, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    def __str__(self) -> str:
        return self.name
