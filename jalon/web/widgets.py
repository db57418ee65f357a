"""Form widgets written out in Python: the HTML of Django's own widget templates (inputs, selects,
text areas, checkboxes) without rendering a template per widget and per option.

The ticket list carries some thirty filters, several of them selects with dozens of options;
rendered through Django's widget templates they cost more than the rest of the page
(``benchmarks/platform_bench.py``). The markup is Django's, character for character
(``jalon/web/tests/test_widgets.py`` compares both on every field of the platform's forms); a
widget whose template is not one of these goes through its template as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_INPUTS = frozenset(f"django/forms/widgets/{name}.html" for name in (
    "input", "text", "number", "email", "url", "password", "date", "datetime", "time", "hidden",
    "search", "tel", "color", "checkbox"))
_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"
_TEXTAREA = "django/forms/widgets/textarea.html"


def render(field: BoundField, attrs: dict[str, Any] | None = None) -> SafeString:
    """``field.as_widget(attrs=attrs)``, written out in Python for the usual widgets."""
    widget = field.field.widget
    template = widget.template_name
    known = template in _INPUTS or template == _TEXTAREA or (
        template == _SELECT and widget.option_template_name == _OPTION)
    if not known:
        return field.as_widget(attrs=attrs)
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(dict(attrs or {}), widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if template in _INPUTS:
        html = _input(context)
    elif template == _TEXTAREA:
        html = _textarea(context)
    else:
        html = _select(context)
    return mark_safe(html)  # every value above is escaped


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html: False drops an attribute, True writes its bare name."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items() if value is not False)


def _input(w: Mapping[str, Any]) -> str:
    value = "" if w["value"] is None else f' value="{conditional_escape(str(w["value"]))}"'
    return (f'<input type="{conditional_escape(w["type"])}" name="{conditional_escape(w["name"])}"'
            f'{value}{_attrs(w["attrs"])}>')


def _textarea(w: Mapping[str, Any]) -> str:
    value = conditional_escape(w["value"]) if w["value"] else ""
    return f'<textarea name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>'


def _select(w: Mapping[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, options, _index in w["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                         f'{_attrs(option["attrs"])}>{conditional_escape(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
