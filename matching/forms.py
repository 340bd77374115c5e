"""Forms of requests, answers, messages and endings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class MentorshipRequestForm(forms.Form):
    skills = forms.MultipleChoiceField(
        label=_("What would you like help with?"), widget=forms.CheckboxSelectMultiple
    )
    preferred_mode = forms.ChoiceField(
        label=_("How would you like to meet?"), widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Your message to the mentor"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Say who you are, what you want to learn and why. 2,000 characters at most."
        ),
    )

    def __init__(
        self,
        *args: Any,
        skills: list[tuple[str, str]],
        modes: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        skills_field = self.fields["skills"]
        assert isinstance(skills_field, forms.MultipleChoiceField)
        skills_field.choices = skills
        mode_field = self.fields["preferred_mode"]
        assert isinstance(mode_field, forms.ChoiceField)
        mode_field.choices = modes


class DeclineForm(forms.Form):
    message = forms.CharField(
        label=_("A word for the learner (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class EndMentorshipForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did it go?"),
        choices=[
            ("completed", _("We reached the goal")),
            ("stopped", _("We stop before the end")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("A few words (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
