from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import (
    LANGUAGE_CODES,
    LEVEL_MAX,
    Mode,
    Region,
    Situation,
    language_choices,
)
from .levels import level_choices
from .models import Report, Skill
from .photos import validate_photo


class LanguageField(forms.MultipleChoiceField):
    """ISO 639-1 languages, named in the viewer's language (choices built late)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Languages I speak"))
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 6}))
        super().__init__(choices=language_choices, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return value in LANGUAGE_CODES


def skill_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Skills grouped by area, named in the viewer's language. Cached per
    language for five minutes (the taxonomy changes by migration)."""
    import time

    from django.utils.translation import get_language

    return list(_skill_choices((get_language() or "fr")[:2], int(time.time() // 300)))


@functools.lru_cache(maxsize=8)
def _skill_choices(language: str, period: int) -> tuple[Any, ...]:
    from django.utils.translation import override

    with override(language):
        return tuple(_build_skill_choices())


def _build_skill_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for skill in Skill.objects.select_related("area").order_by(
        "area__framework", "area__position", "position", "code"
    ):
        label = (
            f"{skill.code} — {skill.name}"
            if skill.area.framework == "digcomp"
            else skill.name
        )
        groups.setdefault(skill.area.name, []).append((skill.code, label))
    return list(groups.items())


def _skill_choices_with_blank() -> list[Any]:
    # An empty first option: an untouched extra row posts nothing, so the
    # formset skips it instead of saving the first skill of the list.
    return [("", "—"), *skill_choices()]


class SkillChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Skill"))
        super().__init__(choices=_skill_choices_with_blank, **kwargs)
        self.error_messages["invalid_choice"] = _("Unknown skill: %(value)s")


class MentorProfileForm(forms.Form):
    headline = forms.CharField(
        label=_("Headline"),
        max_length=120,
        help_text=_("One line that says what you can help with."),
    )
    bio = forms.CharField(
        label=_("About me"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Your experience and how you like to help. You can use **bold** and lists."
        ),
    )
    languages = LanguageField()
    region = forms.ChoiceField(label=_("Region"), choices=[("", "—"), *Region.choices])
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    modes = forms.MultipleChoiceField(
        label=_("How I can meet people"),
        choices=Mode.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = forms.IntegerField(
        label=_("How many people can I follow at the same time?"),
        min_value=1,
        max_value=20,
        initial=2,
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 2 MB at most."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        ),
    )

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_photo(photo)
        return photo


class MentorSkillForm(forms.Form):
    skill = SkillChoiceField()
    level = forms.TypedChoiceField(
        label=_("My level"),
        coerce=int,
        choices=lambda: [("", "—"), *level_choices()],
        empty_value=None,
    )
    years = forms.IntegerField(
        label=_("Years of practice"),
        min_value=0,
        max_value=60,
        initial=1,
    )


class BaseSkillFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        codes = [
            form.cleaned_data["skill"]
            for form in self.forms
            if "skill" in form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(codes) != len(set(codes)):
            raise ValidationError(_("Each skill can be listed only once."))

    def entries(self) -> list[dict[str, Any]]:
        return [
            {"code": form.cleaned_data["skill"]}
            | {
                k: v
                for k, v in form.cleaned_data.items()
                if k not in ("skill", "DELETE")
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


MentorSkillFormSet = forms.formset_factory(
    MentorSkillForm, formset=BaseSkillFormSet, extra=2, can_delete=True, max_num=30
)


class LearnerSkillForm(forms.Form):
    skill = SkillChoiceField()
    current_level = forms.TypedChoiceField(
        label=_("My level today"),
        coerce=int,
        choices=lambda: [
            ("", "—"),
            (0, _("0 — I am starting from nothing")),
            *level_choices()[: LEVEL_MAX - 1],
        ],
        empty_value=None,
    )
    target_level = forms.TypedChoiceField(
        label=_("The level I want"),
        coerce=int,
        choices=lambda: [("", "—"), *level_choices()],
        empty_value=None,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        current, target = data.get("current_level"), data.get("target_level")
        if current is not None and target is not None and target <= current:
            self.add_error(
                "target_level",
                _("The level you want must be higher than your level today."),
            )
        return data


LearnerSkillFormSet = forms.formset_factory(
    LearnerSkillForm, formset=BaseSkillFormSet, extra=2, can_delete=True, max_num=30
)

DAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
PERIODS = [
    ("morning", _("morning (9 h – 12 h)"), range(9, 12)),
    ("lunch", _("lunch time (12 h – 14 h)"), range(12, 14)),
    ("afternoon", _("afternoon (14 h – 18 h)"), range(14, 18)),
    ("evening", _("evening (18 h – 21 h)"), range(18, 21)),
]


def time_window_choices() -> list[tuple[str, str]]:
    return [
        (f"{day}-{key}", f"{day_label} {label}")
        for day, day_label in DAYS
        for key, label, _hours in PERIODS
    ]


def windows_to_hours(values: list[str]) -> list[int]:
    hours: set[int] = set()
    periods = {key: hours_range for key, _label, hours_range in PERIODS}
    for value in values:
        day, _sep, key = value.partition("-")
        hours.update(int(day) * 24 + hour for hour in periods[key])
    return sorted(hours)


def hours_to_windows(hours: list[int]) -> list[str]:
    chosen = set(hours)
    return [
        f"{day}-{key}"
        for day, _day_label in DAYS
        for key, _label, hours_range in PERIODS
        if all(day * 24 + hour in chosen for hour in hours_range)
    ]


class LearnerProfileForm(forms.Form):
    goals = forms.CharField(
        label=_("What do you want to achieve?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example: find a job in web development, use online services alone…"
        ),
    )
    situation = forms.ChoiceField(
        label=_("Your situation"), choices=[("", "—"), *Situation.choices]
    )
    target_occupation = forms.CharField(
        label=_("The job you are aiming for (optional)"), max_length=150, required=False
    )
    occupation_code = forms.CharField(
        label=_("ROME or ESCO code, if you know it (optional)"),
        max_length=200,
        required=False,
    )
    languages = LanguageField()
    region = forms.ChoiceField(label=_("Region"), choices=[("", "—"), *Region.choices])
    modes = forms.MultipleChoiceField(
        label=_("How you would like to meet"),
        choices=Mode.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    time_windows = forms.MultipleChoiceField(
        label=_("When are you available? (your time zone)"),
        choices=time_window_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean_time_windows(self) -> list[int]:
        return windows_to_hours(self.cleaned_data.get("time_windows") or [])


class SubmitForm(forms.Form):
    accept_charter = forms.BooleanField(
        label=_("I have read the mentor charter and I commit to respect it"),
        required=False,
    )


class RolesForm(forms.Form):
    learn = forms.BooleanField(label=_("I want to learn"), required=False)
    mentor = forms.BooleanField(
        label=_("I want to help others as a mentor"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("learn") and not data.get("mentor"):
            raise ValidationError(_("Choose at least one."))
        return data


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason", "text"]
        widgets = {
            "reason": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = [
            (value, label)
            for value, label in Report.Reason.choices
            if value in Report.PERSON_REASONS
        ]


class ReviewRequestChangesForm(forms.Form):
    message = forms.CharField(
        label=_("What should the mentor change?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
    )


class DirectoryForm(forms.Form):
    """The directory's search box and filters (GET). Bad values are explained."""

    q = forms.CharField(
        label=_("What do you want to learn?"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. spreadsheets, Python, CV…")}
        ),
    )
    skill = forms.ChoiceField(label=_("Skill"), required=False)
    min_level = forms.TypedChoiceField(
        label=_("Mentor's level, at least"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All")), *Region.choices]
    )
    mode = forms.ChoiceField(
        label=_("How to meet"),
        required=False,
        choices=[("", _("Any way")), *Mode.choices],
    )
    available_within_days = forms.TypedChoiceField(
        label=_("Free slots"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            ("", _("Any time")),
            ("7", _("in the next 7 days")),
            ("14", _("in the next 14 days")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Best match")),
            ("soonest", _("Soonest available")),
            ("newest", _("Newest")),
        ],
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=500, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The long lists are callables: read when a value is checked or the
        # field is drawn (the drawn form is usually cached), not for each form.
        skill_field = self.fields["skill"]
        assert isinstance(skill_field, forms.ChoiceField)
        skill_field.choices = lambda: [("", _("All skills")), *skill_choices()]
        skill_field.error_messages["invalid_choice"] = _("Unknown skill: %(value)s")
        level_field = self.fields["min_level"]
        assert isinstance(level_field, forms.TypedChoiceField)
        level_field.choices = lambda: [("", _("Any level")), *level_choices()]
        language_field = self.fields["language"]
        assert isinstance(language_field, forms.ChoiceField)
        language_field.choices = lambda: [
            ("", _("Any language")),
            *language_choices(),
        ]
