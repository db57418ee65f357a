"""Template helpers: DSFR form fields, the navigation's contracts, dashboard cells as links."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.db.models import Exists, OuterRef
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.accounts.models import Membership
from jalon.contracts.models import Contract
from jalon.web import ticketlist
from jalon.web.dashboard import Cell

register = template.Library()


@register.simple_tag
def user_contracts(user: Any) -> list[Contract]:
    """The contracts the user has a role on, for the navigation, each with
    ``may_view_dashboard`` (in the same query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    dashboard_roles = Membership.objects.filter(
        user=user, contract=OuterRef("pk"), role__in=access.ROLES_FOR[Need.VIEW_DASHBOARD])
    return list(access.contracts_for(user).annotate(may_view_dashboard=Exists(dashboard_roles)))


@register.simple_tag(takes_context=True)
def cell_link(context: template.Context, cell: Cell) -> SafeString:
    """A dashboard figure, linked to the list of the tickets behind it."""
    if cell.filters is None or cell.value is None:
        return format_html("{}", cell.display)
    href = context["list_url"] + ticketlist.query_string(cell.filters)
    return format_html('<a href="{}" title="{}">{}</a>', href, context.get("link_title", ""),
                       cell.display)


@register.simple_tag(takes_context=True)
def cell_href(context: template.Context, cell: Cell) -> str:
    if cell.filters is None:
        return ""
    return str(context["list_url"]) + ticketlist.query_string(cell.filters)


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
                           field.as_widget(attrs=attrs), _label(field), messages)
    elif isinstance(widget, forms.RadioSelect):
        html = _radios(field, messages, error)
    elif isinstance(widget, forms.Select):
        attrs["class"] = "fr-select" + (" fr-select--error" if error else "")
        html = format_html('<div class="fr-select-group{}">{}{}{}</div>',
                           " fr-select-group--error" if error else "", _label(field),
                           field.as_widget(attrs=attrs), messages)
    elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        attrs["class"] = "fr-upload"
        html = format_html('<div class="fr-upload-group{}">{}{}{}</div>',
                           " fr-upload-group--error" if error else "", _label(field),
                           field.as_widget(attrs=attrs), messages)
    else:
        attrs["class"] = "fr-input" + (" fr-input--error" if error else "")
        html = format_html('<div class="fr-input-group{}">{}{}{}</div>',
                           " fr-input-group--error" if error else "", _label(field),
                           field.as_widget(attrs=attrs), messages)
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
def non_field_errors(form: forms.Form) -> SafeString:
    errors = form.non_field_errors()
    if not errors:
        return mark_safe("")
    return format_html('<div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">{}</div>',
                       format_html_join("", "<p>{}</p>", ((e,) for e in errors)))
