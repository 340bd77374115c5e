"""The error summary every refused form opens with (``_form_fields.html``).

One box at the top of the form, or of the page when it holds several forms
(the mentor editor: profile, skills, charter): it counts the errors, links each
to its field and takes the focus when the page loads (``autofocus`` on a
``tabindex="-1"`` box, so no script is needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import strip_tags

register = template.Library()


@dataclass(frozen=True)
class Entry:
    message: str
    label: str = ""
    target: str = ""  # the id of the field's (first) input


def _target(field: BoundField) -> str:
    """The input the summary's link lands on: a group of radios or checkboxes
    has no input of its own id, its first choice does."""
    if field.id_for_label:
        return str(field.id_for_label)
    subwidgets = field.subwidgets
    return str(subwidgets[0].id_for_label) if subwidgets else ""


def _form_entries(form: forms.BaseForm) -> list[Entry]:
    entries = [Entry(str(error)) for error in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            if field.is_hidden:
                entries.append(Entry(str(error)))
            else:
                label = strip_tags(str(field.label)).strip()
                entries.append(Entry(str(error), label, _target(field)))
    return entries


def error_entries(*forms_: Any) -> list[Entry]:
    """The errors of these forms and formsets, in page order."""
    entries: list[Entry] = []
    for item in forms_:
        if not item or not item.is_bound:  # "" for an unset template variable
            continue
        if isinstance(item, forms.BaseFormSet):
            entries += [Entry(str(e)) for e in item.non_form_errors()]
            entries += [e for form in item.forms for e in _form_entries(form)]
        else:
            entries += _form_entries(item)
    return entries


@register.inclusion_tag("_error_summary.html")
def error_summary(*forms_: Any) -> dict[str, Any]:
    entries = error_entries(*forms_)
    return {"entries": entries, "count": len(entries)}
