"""The billing elements as XLSX: a summary first (with the scorecard's state in plain words),
then one sheet per element."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from io import BytesIO

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jalon.billing.elements import Elements
from jalon.lib.xlsx import Cell, XlsxWriter


def scorecard_sentence(elements: Elements) -> str:
    card = elements.scorecard
    if not card.validated:
        return _("Tableau de bord de la période NON VALIDÉ (%(status)s) : les pénalités et le bonus/malus "
                 "ne sont pas arrêtés et ne figurent pas dans ces éléments.") % {"status": card.status}
    assert card.validated_at is not None
    return _("Tableau de bord de la période validé (version %(v)s, le %(day)s) : pénalités et bonus/malus "
             "lus dans ses chiffres figés.") % {"v": card.version, "day": date_format(card.validated_at.date())}


def _money(value: Decimal | None) -> Cell:
    return None if value is None else float(value)


def summary(elements: Elements) -> list[Sequence[Cell]]:
    card = elements.scorecard
    return [
        [_("Marché"), f"{elements.contract.reference} — {elements.contract.name}"],
        [_("Période"), str(elements.period)],
        [_("Du"), elements.period.first_day.isoformat()],
        [_("Au"), elements.period.last_day.isoformat()],
        [_("Tableau de bord"), scorecard_sentence(elements)],
        [_("Bons de commande admis (nombre)"), len(elements.accepted)],
        [_("Montant des bons admis HT"), _money(elements.lines_total)],
        [_("Réfactions HT"), _money(-elements.refactions)],
        [_("Bonus (+) ou malus (−) HT"), _money(elements.bonus_malus_amount)],
        [_("Net à facturer HT"), _money(elements.net_before_tax)],
        [_("Taux de TVA (%)"), float(elements.vat_rate)],
        [_("Pénalités (retenues à part par l’acheteur)"),
         _money(card.penalty_amount) if card.validated else _("non arrêtées")],
        [_("Points de pénalité"), card.penalty_points if card.validated else None],
        [_("Note globale sur 20"), card.global_note if card.validated else None],
        [_("Établi le"), elements.made_at.isoformat(timespec="seconds")],
    ]


def accepted_rows(elements: Elements) -> Iterator[Sequence[Cell]]:
    for order in elements.accepted:
        for line in order.lines:
            yield [order.reference, order.title, order.commitment_number, order.accepted_on.isoformat(),
                   order.state_label, line.code, line.label, line.unit, float(line.quantity), float(line.ordered_price),
                   float(line.unit_price), line.schedule_version, float(line.amount)]


def accepted_header() -> list[str]:
    return [_("Bon"), _("Objet"), _("Engagement juridique"), _("Admis le"), _("État"), _("Unité d’œuvre"),
            _("Libellé"), _("Unité"), _("Quantité"), _("PU commandé HT"), _("PU facturé HT (révisé)"),
            _("Bordereau (version)"), _("Montant HT")]


def penalty_rows(elements: Elements) -> list[Sequence[Cell]]:
    card = elements.scorecard
    if not card.validated:
        return [[_("Tableau de bord"), scorecard_sentence(elements)]]
    return [
        [_("Version du tableau de bord"), card.version],
        [_("Validé le"), card.validated_at.isoformat(timespec="seconds") if card.validated_at else None],
        [_("Note globale sur 20"), card.global_note],
        [_("Points de pénalité"), card.penalty_points],
        [_("Montant des pénalités"), _money(card.penalty_amount) if card.penalty_amount is not None
         else _("montant par point non fixé par la convention")],
        [_("Bonus / malus"), card.bonus_malus or "—"],
        [_("Pourcentage"), _money(card.percent)],
        [_("Montant du bonus (+) ou malus (−) HT"), _money(elements.bonus_malus_amount)],
        [_("Période probatoire (sans bonus/malus)"), _("oui") if card.probation else _("non")],
    ]


def xlsx(elements: Elements) -> bytes:
    buffer = BytesIO()
    with XlsxWriter(buffer) as book:
        book.sheet(_("Synthèse"), [_("Élément"), _("Valeur")], summary(elements))
        services: list[Sequence[Cell]] = [[_("Tickets résolus"), label, count]
                                          for label, count in elements.tickets_resolved]
        if elements.forfait_days is not None:
            services.append([_("Forfait de support"), _("jours imputés"), float(elements.forfait_days)])
        services += [[_("Bon livré"), f"{o.reference} — {o.title} ({o.delivered_on.isoformat()}, {o.state})", 1]
                     for o in elements.delivered]
        book.sheet(_("Services rendus"), [_("Service"), _("Détail"), _("Quantité")], services)
        book.sheet(_("Bons admis"), accepted_header(), accepted_rows(elements))
        book.sheet(_("Réfactions"), [_("Bon"), _("Objet"), _("Montant HT"), _("Motif")],
                   [[o.reference, o.title, float(o.refaction), o.refaction_reason]
                    for o in elements.accepted if o.refaction])
        book.sheet(_("Pénalités et bonus-malus"), [_("Élément"), _("Valeur")], penalty_rows(elements))
    return buffer.getvalue()
