from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import User, validate_time_zone
from .services import user_complete_signup


def _terms_label() -> str:
    return format_html(
        str(_('I have read and I accept the <a href="{}">terms of use</a>')),
        reverse_lazy("core:terms"),
    )


class SignupForm(forms.Form):
    """Fields that allauth's sign-up form gains (allauth adds e-mail, passwords)."""

    full_name = forms.CharField(
        label=_("Your first and last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    accept_terms = forms.BooleanField(
        label=lazy(_terms_label, str)(),
        required=True,
        error_messages={"required": _("Please accept the terms of use to continue.")},
    )

    is_adult = forms.BooleanField(
        label=_("I am 18 or older"),
        help_text=_("Compagnonnage is for adults only."),
        required=True,
        error_messages={
            "required": _(
                "Compagnonnage is for adults: tick this box if you are 18 or older."
            )
        },
    )

    field_order = [
        "full_name",
        "email",
        "password1",
        "password2",
        "is_adult",
        "accept_terms",
    ]

    def signup(self, request: HttpRequest, user: User) -> None:
        user_complete_signup(
            user=user,
            full_name=self.cleaned_data["full_name"],
            language=get_language() or "fr",
        )


# Named in the page's language after the place people live (the zone's id is
# the value sent).
TIME_ZONE_CHOICES = [
    ("Europe/Paris", _("Mainland France (Paris)")),
    ("America/Guadeloupe", _("Guadeloupe")),
    ("America/Martinique", _("Martinique")),
    ("America/Cayenne", _("French Guiana (Cayenne)")),
    ("Indian/Reunion", _("Réunion")),
    ("Indian/Mayotte", _("Mayotte")),
    ("Pacific/Noumea", _("New Caledonia (Nouméa)")),
    ("Pacific/Tahiti", _("French Polynesia (Tahiti)")),
    ("America/Miquelon", _("Saint Pierre and Miquelon")),
    ("Europe/Brussels", _("Belgium (Brussels)")),
    ("Europe/Zurich", _("Switzerland (Zurich)")),
    ("Europe/London", _("United Kingdom (London)")),
    ("America/Toronto", _("Canada: Quebec, Ontario (Toronto)")),
    ("Africa/Dakar", _("Senegal (Dakar)")),
    ("Africa/Abidjan", _("Côte d'Ivoire (Abidjan)")),
    ("Africa/Casablanca", _("Morocco (Casablanca)")),
    ("Africa/Tunis", _("Tunisia (Tunis)")),
    ("Africa/Algiers", _("Algeria (Algiers)")),
    ("UTC", _("Universal time (UTC)")),
]


class PreferencesForm(forms.ModelForm):
    time_zone = forms.CharField(
        label=_("Time zone"),
        help_text=_("Times are shown to you in this zone."),
        validators=[validate_time_zone],
        widget=forms.Select(),
    )

    class Meta:
        model = User
        fields = ["full_name", "language", "time_zone"]
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = list(TIME_ZONE_CHOICES)
        current = self.instance.time_zone
        if current and current not in dict(choices):
            choices.insert(0, (current, current))
        self.fields["time_zone"].widget.choices = choices


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        help_text=_("For example the name of the tool that will use it."),
        max_length=80,
    )


class AdultForm(forms.Form):
    is_adult = forms.BooleanField(
        label=_("I am 18 or older"),
        required=True,
        error_messages={
            "required": _(
                "Compagnonnage is for adults: tick this box if you are 18 or older."
            )
        },
    )


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and my data will be deleted for good, "
            "and that this cannot be undone."
        ),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )
