"""Template helpers: DSFR form fields, the navigation's contracts, the ticket list's rows, dashboard
cells as links."""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import Need, Viewer
from jalon.messaging import inbox
from jalon.tickets.models import Criticality, TicketState
from jalon.web import widgets
from jalon.web.dashboard.board import Cell
from jalon.web.tickets import listing
from jalon.web.tickets.clockview import ClockView, Status

register = template.Library()


@register.simple_tag
def unread_notices(user: Any) -> int:
    """How many of the user's notifications are unread, for the header's link."""
    return inbox.unread_count(user)


@register.simple_tag
def user_contracts(user: Viewer) -> list[NavContract]:
    """The contracts the user has a role on, for the navigation, by reference (from the roles
    the request has already read: :func:`jalon.accounts.access.memberships`)."""
    return [NavContract(c.pk, c.slug, c.reference, c.name, access.may(user, c, Need.VIEW_DASHBOARD),
                        access.may(user, c, Need.VIEW_FORFAIT))
            for c in access.contracts_of(user)]


@dataclass(frozen=True)
class NavContract:
    pk: int
    slug: str
    reference: str
    name: str
    may_view_dashboard: bool
    may_view_forfait: bool = False


@register.simple_tag(takes_context=True)
def cell_link(context: template.Context, cell: Cell) -> SafeString:
    """A dashboard figure, linked to the list of the tickets behind it."""
    if cell.filters is None or cell.value is None:
        return format_html("{}", cell.display)
    href = context["list_url"] + listing.query_string(cell.filters)
    return format_html('<a href="{}" title="{}">{}</a>', href, context.get("link_title", ""),
                       cell.display)


@register.simple_tag(takes_context=True)
def cell_href(context: template.Context, cell: Cell) -> str:
    if cell.filters is None:
        return ""
    return str(context["list_url"]) + listing.query_string(cell.filters)


def _messages(field: BoundField, ids: list[str]) -> SafeString:
    message_id = f"{field.auto_id}-messages"
    ids.append(message_id)
    errors = format_html_join("", '<p class="fr-message fr-message--error">{}</p>',
                              ((e,) for e in field.errors))
    return format_html('<div class="fr-messages-group" id="{}" aria-live="polite">{}</div>',
                       message_id, errors)


def _label(field: BoundField, for_id: str | None = None) -> SafeString:
    hint = format_html('<span class="fr-hint-text">{}</span>', field.help_text) if (
        field.help_text) else ""
    required = "" if field.field.required or isinstance(field.field, forms.BooleanField) else (
        format_html('<span class="fr-hint-text">{}</span>', _("Facultatif")))
    return format_html('<label class="fr-label" for="{}">{}{}{}</label>',
                       for_id or field.auto_id, field.label, hint, required)


@register.simple_tag
def dsfr_field(field: BoundField) -> SafeString:
    """One form field the DSFR way: label, hint, widget and its errors right below it."""
    widget = field.field.widget
    error = bool(field.errors)
    described: list[str] = []
    messages = _messages(field, described)
    attrs: dict[str, Any] = {"aria-describedby": " ".join(described)}
    if error:
        attrs["aria-invalid"] = "true"
    if isinstance(widget, forms.CheckboxInput):
        html = format_html('<div class="fr-checkbox-group{}">{}{}{}</div>',
                           " fr-checkbox-group--error" if error else "",
                           widgets.render(field, attrs), _label(field), messages)
    elif isinstance(widget, forms.RadioSelect):
        html = _radios(field, messages, error)
    elif isinstance(widget, forms.Select):
        attrs["class"] = "fr-select" + (" fr-select--error" if error else "")
        html = format_html('<div class="fr-select-group{}">{}{}{}</div>',
                           " fr-select-group--error" if error else "", _label(field),
                           widgets.render(field, attrs), messages)
    elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        attrs["class"] = "fr-upload"
        html = format_html('<div class="fr-upload-group{}">{}{}{}</div>',
                           " fr-upload-group--error" if error else "", _label(field),
                           widgets.render(field, attrs), messages)
    else:
        attrs["class"] = "fr-input" + (" fr-input--error" if error else "")
        html = format_html('<div class="fr-input-group{}">{}{}{}</div>',
                           " fr-input-group--error" if error else "", _label(field),
                           widgets.render(field, attrs), messages)
    return format_html('<div class="fr-fieldset__element">{}</div>', html)


def _radios(field: BoundField, messages: SafeString, error: bool) -> SafeString:
    legend_id = f"{field.auto_id}-legend"
    options = format_html_join("", (
        '<div class="fr-fieldset__element"><div class="fr-radio-group">'
        '<input type="radio" id="{}" name="{}" value="{}"{}>'
        '<label class="fr-label" for="{}">{}</label></div></div>'), (
        (sub.id_for_label, field.html_name, sub.data["value"],
         mark_safe(" checked") if sub.data["selected"] else "", sub.id_for_label, sub.choice_label)
        for sub in field.subwidgets))
    return format_html(
        '<fieldset class="fr-fieldset{}" id="{}" aria-labelledby="{} {}-messages"{}>'
        '<legend class="fr-fieldset__legend--regular fr-fieldset__legend" id="{}">{}</legend>'
        '{}{}</fieldset>',
        " fr-fieldset--error" if error else "", field.auto_id, legend_id, field.auto_id,
        mark_safe(' role="group"') if error else "", legend_id, field.label, options, messages)


@register.simple_tag
def ticket_rows(rows: list[dict[str, Any]], show_contract: bool) -> SafeString:
    """The rows of the ticket list, written out here rather than in a template loop: with the
    filters, they were most of the list page's time (``benchmarks/platform_bench.py``). Every
    value goes through ``html.escape`` (what Django's ``escape`` calls); labels are translated
    once per list."""
    if not rows:
        return format_html('<tr><td colspan="{}">{}</td></tr>', 10 if show_contract else 9,
                           _("Aucun ticket ne correspond à ces filtres."))
    urgent, no_clock = _e(_("urgent")), _e(_("Aucun délai"))  # not inside f-strings: xgettext reads these
    fix_owed = _e(_("correction définitive due"))
    labels = _RowLabels(
        urgent=f' <span class="fr-badge fr-badge--sm fr-badge--error">{urgent}</span>',
        fix_owed=f'<br><span class="fr-badge fr-badge--sm fr-badge--warning">{fix_owed}</span>',
        datetime_format=get_format("SHORT_DATETIME_FORMAT"),
        states={value: _e(label) for value, label in TicketState.choices},
        criticalities={value: _e(label) for value, label in Criticality.choices},
        statuses={status: _e(status.label) for status in Status},
        due=_e(_("échéance")),
        none=f'<span class="fr-text--xs">{no_clock}</span>',
        # one reverse() for the page: each ticket's id goes where the placeholder was
        href=_e(reverse("ticket", args=[_PLACEHOLDER])).replace(str(_PLACEHOLDER), "{}"),
        zone=timezone.get_current_timezone(),
    )
    return mark_safe("\n".join(_ticket_row(row, show_contract, labels) for row in rows))  # escaped


def _e(value: Any) -> str:
    return html.escape(str(value))


_PLACEHOLDER = 987654321


@dataclass(frozen=True)
class _RowLabels:
    urgent: str
    fix_owed: str
    datetime_format: str
    states: dict[str, str]
    criticalities: dict[str, str]
    statuses: dict[Status, str]
    due: str
    none: str
    href: str
    zone: tzinfo


def _ticket_row(row: dict[str, Any], show_contract: bool, labels: _RowLabels) -> str:
    t = row["ticket"]
    opened = t.opened_at.astimezone(labels.zone)
    contract = f"<td>{_e(t.contract.reference)}</td>" if show_contract else ""
    return (
        f'<tr><td><a href="{labels.href.format(t.pk)}">{_e(t.reference)}</a>'
        f'{labels.urgent if t.is_urgent else ""}</td>'
        f"<td>{_e(t.title)}</td>{contract}<td>{_e(row['type_label'])}</td>"
        f"<td>{_e(t.priority or '—')}</td>"
        f'<td><span class="fr-tag fr-tag--sm">{labels.states.get(t.state) or _e(t.state)}</span>'
        f'{labels.fix_owed if t.fix_owed_since else ""}</td>'
        f"<td>{labels.criticalities.get(t.criticality, '—')}</td>"
        f"<td>{_e(t.assigned_group or '—')}</td>"
        f'<td><time datetime="{opened.isoformat()}">{format_date(opened, labels.datetime_format)}</time></td>'
        f"<td>{_clock_cell(row['clock'], labels)}</td></tr>"
    )


def _clock_cell(view: ClockView | None, labels: _RowLabels) -> str:
    """A clock in a list: its status badge, its name and, while it runs, its due instant."""
    if view is None:
        return labels.none
    due = ""
    clock = view.clock
    if clock.due_at and not clock.stopped_at:
        at = clock.due_at.astimezone(labels.zone)
        due = (f'<br>{labels.due} <time datetime="{at.isoformat()}">'
               f"{format_date(at, labels.datetime_format)}</time>")
    return (f'<span class="fr-badge fr-badge--sm fr-badge--{view.status.badge} fr-badge--no-icon">'
            f'{labels.statuses[view.status]}</span>\n<span class="fr-text--xs">{_e(view.label)}{due}</span>')


@register.simple_tag
def non_field_errors(form: forms.Form) -> SafeString:
    errors = form.non_field_errors()
    if not errors:
        return mark_safe("")
    return format_html('<div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">{}</div>',
                       format_html_join("", "<p>{}</p>", ((e,) for e in errors)))


@register.simple_tag
def submit_once() -> SafeString:
    """A form's send-once token (jalon.api.idempotency): a second submission of the same form
    is redirected where the first went instead of creating a second record."""
    return format_html('<input type="hidden" name="_once" value="{}">', uuid.uuid4().hex)
