"""``QuickSelect`` draws exactly what Django's ``Select`` draws, only faster."""

from __future__ import annotations

import re

import pytest
from django import forms

from core.widgets import QuickSelect

CHOICES = [
    ("", "—"),
    ("Apprendre", [("python", "Python"), ("sql", "SQL & bases <données>")]),
    ("Autre", [('a"b', "Guillemets \"doubles\" et 'simples'")]),
    ("7", "Sept"),
]


def drawn(html: str) -> str:
    # Django's templates put line breaks and indentation between the tags.
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        (None, None),
        ("", {"id": "id_skill"}),
        ("sql", {"id": "id_skill", "aria-describedby": "id_skill_error"}),
        ('a"b', {"aria-invalid": "true", "required": True, "disabled": False}),
        (7, {"class": "wide"}),
    ],
)
def test_quick_select_draws_what_django_draws(value, attrs):
    ours = QuickSelect(choices=CHOICES).render("skill", value, attrs)
    django = forms.Select(choices=CHOICES).render("skill", value, attrs)

    assert drawn(ours) == drawn(django)


def test_a_bound_field_s_errors_reach_the_quick_select():
    class Form(forms.Form):
        skill = forms.ChoiceField(choices=CHOICES, widget=QuickSelect)

    html = str(Form({"skill": "unknown"})["skill"])

    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_skill_error"' in html
    assert '<option value="python">Python</option>' in html
