from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.choices import flatten_choices
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.widgets import QuickSelect, widget_context_attrs

from . import taxonomy
from .choices import (
    COMMON_LANGUAGES,
    LANGUAGE_CODES,
    LEVEL_MAX,
    Mode,
    Region,
    Situation,
    common_language_choices,
    language_choices,
    other_language_choices,
)
from .data_version import mentor_data_version
from .levels import (
    LEARNER_CURRENT_STEPS,
    LEARNER_TARGET_STEPS,
    MENTOR_STEPS,
    level_choices,
    plain_level_choices,
)
from .models import Report, Skill
from .photos import validate_photo


class LanguageField(forms.MultipleChoiceField):
    """The common languages as checkboxes, named in the viewer's language;
    any ISO 639-1 language is accepted (the form adds a chosen one's box)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Languages I speak"))
        kwargs.setdefault(
            "widget", forms.CheckboxSelectMultiple(attrs={"class": "choice-columns"})
        )
        kwargs.setdefault("required", False)  # the form asks for one of both
        super().__init__(choices=common_language_choices, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return value in LANGUAGE_CODES


class SpokenLanguagesForm(forms.Form):
    """Languages without a multi-select: boxes for the common ones, one list
    for any other. A language saved earlier outside the common ones gets its
    own ticked box, so several are kept and one more can be added each time."""

    languages = LanguageField()
    other_language = forms.ChoiceField(
        label=_("Another language?"),
        required=False,
        choices=lambda: [("", "—"), *other_language_choices()],
        help_text=_("Choose it from the list. Save to add one more."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["languages"]
        assert isinstance(field, forms.ChoiceField)
        chosen = (
            field.widget.value_from_datadict(
                self.data, self.files, self.add_prefix("languages")
            )
            if self.is_bound
            else self.initial.get("languages")
        ) or []
        extra = [c for c in chosen if c in LANGUAGE_CODES and c not in COMMON_LANGUAGES]
        if extra:
            names = dict(language_choices())
            field.choices = [
                *common_language_choices(),
                *((code, names[code]) for code in dict.fromkeys(extra)),
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        other = data.pop("other_language", "")
        languages = list(
            dict.fromkeys([*data.get("languages", []), *([other] if other else [])])
        )
        if "languages" in data and not languages:
            self.add_error("languages", _("Choose at least one language."))
        data["languages"] = languages
        return data


def skill_choices(
    *, version: int | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Skills grouped by need, in everyday words in the viewer's language.

    Kept per process and language under the mentor-data version (read here
    unless the caller has it), which an edit of a skill or an area moves: a
    new name shows at once in every process.
    """
    if version is None:
        version = mentor_data_version()
    return list(_skill_choices((get_language() or "fr")[:2], version))


@functools.lru_cache(maxsize=8)
def _skill_choices(language: str, version: int) -> tuple[Any, ...]:
    from django.utils.translation import override

    with override(language):
        return tuple(_build_skill_choices())


def _build_skill_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    # Grouped by what people want to do and named in everyday words (see
    # taxonomy.NEEDS); the job skills left over, by area, under "Learn a
    # digital job". Codes are only the options' values.
    english = (get_language() or "fr").startswith("en")
    skills = {
        skill.code: skill
        for skill in Skill.objects.select_related("area").order_by(
            "area__framework", "area__position", "position", "code"
        )
    }

    def label(skill: Skill) -> str:
        plain = taxonomy.PLAIN_NAMES.get(skill.code)
        return (plain[1] if english else plain[0]) if plain else skill.name

    groups: dict[str, list[tuple[str, str]]] = {}
    for need in taxonomy.NEEDS:
        groups[need.name_en if english else need.name_fr] = [
            (code, label(skills[code])) for code in need.skills if code in skills
        ]
    listed = {code for need in taxonomy.NEEDS for code in need.skills}
    prefix = taxonomy.NEED_JOB_PREFIX[1 if english else 0]
    colon = ": " if english else " : "  # French puts a space before the colon
    for code, skill in skills.items():
        if code not in listed:
            group = f"{prefix}{colon}{skill.area.name}"
            groups.setdefault(group, []).append((code, label(skill)))
    return [(name, choices) for name, choices in groups.items() if choices]


def _skill_choices_with_blank() -> list[Any]:
    # An empty first option: an untouched extra row posts nothing, so the
    # formset skips it instead of saving the first skill of the list.
    return [("", "—"), *skill_choices()]


class SkillChoiceField(forms.ChoiceField):
    widget = QuickSelect  # 70 options in each row of a formset

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Skill"))
        super().__init__(choices=_skill_choices_with_blank, **kwargs)
        self.error_messages["invalid_choice"] = _("Unknown skill: %(value)s")


class PlainLevelField(forms.TypedChoiceField):
    """A level chosen among plain-words steps (levels.py), as radio buttons
    whose whole sentence can be read and tapped. Any level from ``lowest`` is
    accepted, so one saved between steps is kept as it is."""

    widget = forms.RadioSelect

    def __init__(self, *, steps: tuple[int, ...], lowest: int, **kwargs: Any) -> None:
        self.steps, self.lowest = steps, lowest
        super().__init__(
            coerce=int,
            empty_value=None,
            choices=lambda: plain_level_choices(steps),
            **kwargs,
        )

    def valid_value(self, value: Any) -> bool:
        return str(value) in {str(n) for n in range(self.lowest, LEVEL_MAX + 1)}

    def offer(self, value: Any) -> None:
        """Add ``value``'s option when it is a valid level between steps."""
        if value in (None, "") or not self.valid_value(value):
            return
        level = int(value)
        if level not in self.steps:
            self.choices = plain_level_choices(tuple(sorted({*self.steps, level})))


class PlainLevelsForm(forms.Form):
    """Offers each level field's saved or posted value, even between steps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, PlainLevelField):
                field.offer(
                    self.data.get(self.add_prefix(name))
                    if self.is_bound
                    else self.initial.get(name)
                )


class MentorProfileForm(SpokenLanguagesForm):
    field_order = ["headline", "bio", "languages", "other_language"]

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


class SkillRowForm(PlainLevelsForm):
    """A row of a skills formset: its skill list given by the formset."""

    def __init__(
        self, *args: Any, skill_choices: list[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if skill_choices is not None:
            skill_field = self.fields["skill"]
            assert isinstance(skill_field, forms.ChoiceField)
            skill_field.choices = skill_choices


class MentorSkillForm(SkillRowForm):
    skill = SkillChoiceField()
    level = PlainLevelField(label=_("My level"), steps=MENTOR_STEPS, lowest=1)
    years = forms.IntegerField(
        label=_("Years of practice"),
        min_value=0,
        max_value=60,
        initial=1,
    )


class BaseSkillFormSet(forms.BaseFormSet):
    @functools.cached_property
    def skill_choices(self) -> list[Any]:
        # Read once for every row (each row would read the version again).
        return _skill_choices_with_blank()

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return super().get_form_kwargs(index) | {"skill_choices": self.skill_choices}

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


class LearnerSkillForm(SkillRowForm):
    skill = SkillChoiceField()
    current_level = PlainLevelField(
        label=_("My level today"), steps=LEARNER_CURRENT_STEPS, lowest=0
    )
    target_level = PlainLevelField(
        label=_("The level I want"), steps=LEARNER_TARGET_STEPS, lowest=1
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
# The moments of the day a learner can tick for each day, with their hours.
PERIODS = [
    ("morning", _("morning"), range(9, 12)),
    ("lunch", _("midday"), range(12, 14)),
    ("afternoon", _("afternoon"), range(14, 18)),
    ("evening", _("evening"), range(18, 21)),
]


def _hours_label(hours: range) -> str:
    # No-break spaces keep "9 h" whole: a narrow column breaks at the dash.
    return f"{hours.start}\u00a0h – {hours.stop}\u00a0h"


def time_window_choices() -> list[tuple[str, str]]:
    """ "1-evening" → "Tuesday evening": the name each box of the grid has."""
    return [
        (f"{day}-{key}", f"{day_label} {label}")
        for day, day_label in DAYS
        for key, label, _hours in PERIODS
    ]


class TimeGridWidget(forms.CheckboxSelectMultiple):
    """The time windows as a table: days in rows, moments of the day in
    columns, each box labelled with its day and moment ("Tuesday evening")."""

    template_name = "mentors/widgets/time_grid.html"

    def get_context(
        self, name: str, value: Any, attrs: dict[str, Any] | None
    ) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        options = {
            option["value"]: option
            for _group, group_options, _index in context["widget"]["optgroups"]
            for option in group_options
        }
        context["widget"]["moments"] = [
            {"label": label, "hours": _hours_label(hours)}
            for _key, label, hours in PERIODS
        ]
        context["widget"]["days"] = [
            {
                "label": day_label,
                "options": [options[f"{day}-{key}"] for key, _label, _h in PERIODS],
            }
            for day, day_label in DAYS
        ]
        return context


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


class LearnerProfileForm(SpokenLanguagesForm):
    field_order = ["goals", "situation", "target_occupation", "languages"]

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
    region = forms.ChoiceField(label=_("Region"), choices=[("", "—"), *Region.choices])
    modes = forms.MultipleChoiceField(
        label=_("How you would like to meet"),
        choices=Mode.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    time_windows = forms.MultipleChoiceField(
        label=_("When are you available? (your time zone)"),
        choices=time_window_choices,
        widget=TimeGridWidget,
        required=False,
    )

    def clean_time_windows(self) -> list[int]:
        return windows_to_hours(self.cleaned_data.get("time_windows") or [])


class OccupationCodeForm(forms.Form):
    """The learner profile's one expert field, drawn apart under "More details
    (optional)" so that it stays out of the way."""

    occupation_code = forms.CharField(
        label=_("ROME or ESCO code of the job you are aiming for, if you know it"),
        max_length=200,
        required=False,
        help_text=_(
            "Your adviser (France Travail, mission locale…) may have given you one."
        ),
    )


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


@dataclass(frozen=True)
class ActiveFilter:
    label: str  # the filter's name ("Region")
    value: str  # the chosen value's name ("Bretagne")
    query_without: str  # the search's query string without this filter


class SkeletonSelect(QuickSelect):
    """A ``QuickSelect`` whose options are drawn once per process, language
    and mentor-data version (the skill names), with none chosen: each request
    only marks its chosen value. The same HTML as ``QuickSelect``.

    An entity cache (keyed on the taxonomy's version, not a query), so it
    stays with the query caches off. The form sets ``skeleton_key``.
    """

    skeleton_key: tuple[Any, ...] | None = None

    def use_required_attribute(self, initial: Any) -> bool:
        # Django's check reads the first option: for a list given as a callable
        # (the skills), the whole list is built and normalised again, for each
        # drawing. A field that is not required never gets the attribute.
        return self.is_required and super().use_required_attribute(initial)

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        if self.skeleton_key is None:
            return super().render(name, value, attrs, renderer)
        options = _skeleton(self, name, (name, get_language(), *self.skeleton_key))
        options = _chosen_marked(options, self.format_value(value)[:1])
        tag = format_html(
            '<select name="{}"{}>',
            name,
            widget_context_attrs({"attrs": self.build_attrs(self.attrs, attrs)}),
        )
        return mark_safe(tag + options + "</select>")  # noqa: S308 (escaped above)


_SKELETONS: dict[tuple[Any, ...], str] = {}
SKELETONS_KEPT = 32


def _chosen_marked(options: str, chosen: list[str]) -> str:
    """``options`` (drawn with none chosen) with the option of the first value
    of ``chosen`` marked, as Django's ``Select`` marks it."""
    for value in chosen[:1]:
        # html.escape is what Django's escape does, without its lazy wrapper.
        mark = f'<option value="{html.escape(value)}"'
        at = options.find(mark + ">") + len(mark)
        if at >= len(mark):
            options = options[:at] + " selected" + options[at:]
    return options


def _skeleton(widget: QuickSelect, name: str, key: tuple[Any, ...]) -> str:
    """The options of ``widget`` drawn with none chosen, kept under ``key``."""
    options = _SKELETONS.get(key)
    if options is None:
        # A value no option holds: none is chosen.
        drawn = QuickSelect.render(widget, name, "\x00")
        options = drawn[drawn.index(">") + 1 : -len("</select>")]
        if len(_SKELETONS) >= SKELETONS_KEPT:
            _SKELETONS.clear()  # versions move on: the old keys never come back
        _SKELETONS[key] = options
    return options


def _field_html(field: BoundField, widget_html: str | None = None) -> str:
    """A field of the directory's panel as ``_form_fields.html`` draws it."""
    return format_html(
        '<div class="field">\n<label for="{}">{}</label>\n{}\n</div>\n',
        field.id_for_label,
        field.label,
        str(field) if widget_html is None else mark_safe(widget_html),  # noqa: S308
    )


def _choice_names(field: BoundField) -> dict[str, Any]:
    if not isinstance(field.field, forms.ChoiceField):
        return {}
    # Grouped choices (skills) flattened; the stubs type groups too narrowly.
    choices: Any = flatten_choices(cast(Any, field.field.choices))
    return {str(key): name for key, name in choices}


# A value no option holds and no text needs escaped: where a field's value goes.
_MARK = "\x00"


@dataclass(frozen=True)
class _FieldSkeleton:
    """A field of the panel drawn with the mark for its value: an input gets
    its ``value`` attribute there, a list its chosen option marked."""

    html: str
    widget: forms.Widget
    names: dict[str, Any]  # of the choices, by value (a list's)

    def drawn(self, value: Any) -> str:
        if isinstance(self.widget, forms.Select):
            return _chosen_marked(self.html, self.widget.format_value(value))
        shown = self.widget.format_value(value)
        attribute = "" if shown is None else f' value="{html.escape(shown)}"'
        return self.html.replace(f' value="{_MARK}"', attribute, 1)


@dataclass(frozen=True)
class _PanelSkeleton:
    fields: dict[str, _FieldSkeleton]
    frame: list[str]  # the panel around its search field, note and filters


_PANELS: dict[tuple[Any, ...], _PanelSkeleton] = {}


def _panel_frame(search: str, note: str, filters: str) -> SafeString:
    """The panel: the search box, then the filters folded ("Filters", then
    the chosen ones' names in ``note``)."""
    return format_html(
        '<div class="directory-search">\n{}<button type="submit" class="button">'
        "{}</button>\n</div>\n"
        '<details class="directory-filters">\n'
        "<summary><span>{}{}</span></summary>\n"
        '<div class="directory-filters-body">\n'
        '<h2 class="directory-filters-title">{}</h2>\n{}'
        '<button type="submit" class="button button-secondary">{}</button>\n'
        "</div>\n</details>\n",
        mark_safe(search),  # noqa: S308 (drawn escaped)
        _("Search"),
        _("Filters"),
        mark_safe(note),  # noqa: S308 (drawn escaped)
        _("Filters"),
        mark_safe(filters),  # noqa: S308 (drawn escaped)
        _("Show the mentors"),
    )


def _panel_skeleton(form: DirectoryForm, key: tuple[Any, ...]) -> _PanelSkeleton:
    """The panel's fields drawn with marks, and its frame, kept under ``key``
    (language, mentor-data version): what ``BoundField.as_widget`` draws for
    a form without errors. Drawn from a blank form of the same version, never
    from ``form``: a form with errors draws its fields marked invalid, and its
    choices' names may be asked for (``active_filters``) before the template
    draws its fields whole."""
    skeleton = _PANELS.get(key)
    if skeleton is None:
        blank = DirectoryForm(data_version=form.data_version)
        fields = {}
        for name in (*form.SEARCH_FIELDS, *form.FILTER_FIELDS):
            field = blank[name]
            widget = field.field.widget
            attrs = field.build_widget_attrs({}, widget)
            if field.auto_id and "id" not in widget.attrs:
                attrs.setdefault("id", field.auto_id)
            drawn = widget.render(field.html_name, _MARK, attrs, blank.renderer)
            fields[name] = _FieldSkeleton(
                _field_html(field, drawn), widget, _choice_names(field)
            )
        frame = _panel_frame(_MARK, _MARK, _MARK).split(_MARK)
        skeleton = _PanelSkeleton(fields, frame)
        if len(_PANELS) >= SKELETONS_KEPT:
            _PANELS.clear()  # versions move on: the old keys never come back
        _PANELS[key] = skeleton
    return skeleton


class _KnownValues:
    """A list's values checked against a set made once per field (Django
    goes through the whole list, normalised again, for each value: ~0.1 ms a
    request for the languages). Only for fields whose list does not change:
    the directory's, set up once per mentor-data version."""

    choices: Any

    def valid_value(self, value: Any) -> bool:
        known: frozenset[str] | None = self.__dict__.get("_known_values")
        if known is None:
            pairs: Any = flatten_choices(self.choices)
            known = frozenset(str(key) for key, _name in pairs)
            self.__dict__["_known_values"] = known
        return str(value) in known


class ListedChoiceField(_KnownValues, forms.ChoiceField):
    pass


class ListedTypedChoiceField(_KnownValues, forms.TypedChoiceField):
    pass


# The directory form's fields by mentor-data version, shared by its forms.
_FIELDS: dict[int, dict[str, forms.Field]] = {}


class DirectoryForm(forms.Form):
    """The directory's search box and filters (GET). Bad values are explained.

    ``page`` is checked but never drawn: a new search starts at its first page.
    """

    q = forms.CharField(
        label=_("What do you want to learn?"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. spreadsheets, Python, CV…")}
        ),
    )
    # Drawn in Python: Django's template per option cost 35 ms a page here.
    skill = ListedChoiceField(label=_("Skill"), required=False, widget=SkeletonSelect)
    min_level = ListedTypedChoiceField(
        label=_("Mentor's level, at least"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=SkeletonSelect,
    )
    language = ListedChoiceField(
        label=_("Language"), required=False, widget=SkeletonSelect
    )
    region = ListedChoiceField(
        label=_("Region"),
        required=False,
        choices=[("", _("All")), *Region.choices],
        widget=SkeletonSelect,
    )
    mode = ListedChoiceField(
        label=_("How to meet"),
        required=False,
        choices=[("", _("Any way")), *Mode.choices],
        widget=SkeletonSelect,
    )
    available_within_days = ListedTypedChoiceField(
        label=_("Free slots"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            ("", _("Any time")),
            ("7", _("in the next 7 days")),
            ("14", _("in the next 14 days")),
        ],
        widget=SkeletonSelect,
    )
    sort = ListedChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Best match")),
            ("soonest", _("Soonest available")),
            ("newest", _("Newest")),
        ],
        widget=SkeletonSelect,
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=500, widget=forms.HiddenInput
    )

    # The page draws the search box on its own and the other fields in a
    # panel, folded on small screens.
    SEARCH_FIELDS = ("q",)
    FILTER_FIELDS = (
        "skill",
        "min_level",
        "language",
        "region",
        "mode",
        "available_within_days",
        "sort",
    )

    def __init__(
        self, *args: Any, data_version: int | None = None, **kwargs: Any
    ) -> None:
        shared = _FIELDS.get(data_version) if data_version is not None else None
        if shared is not None:
            # Django deep-copies the fields for each form, so that one form's
            # changes never reach another's (~0.2 ms here). These are set up
            # once per mentor-data version and never changed after: the forms
            # of a version share them.
            self.base_fields = {}  # type: ignore[misc]  # this form's: none
        super().__init__(*args, **kwargs)
        self.data_version = data_version
        if shared is not None:
            del self.base_fields
            self.fields = dict(shared)
            return
        self._set_up_fields(data_version)
        if data_version is not None:
            if len(_FIELDS) >= SKELETONS_KEPT:
                _FIELDS.clear()  # versions move on: the old keys never come back
            _FIELDS[data_version] = dict(self.fields)

    def _set_up_fields(self, data_version: int | None) -> None:
        # The long lists are callables: read when a value is checked or the
        # field is drawn (the drawn form is usually cached), not for each form.
        skill_field = self.fields["skill"]
        assert isinstance(skill_field, forms.ChoiceField)
        skill_field.choices = lambda: [
            ("", _("All skills")),
            *skill_choices(version=data_version),
        ]
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
        # The lists' options drawn once per language and version (skill
        # names), only the chosen value marked per request.
        for name in self.FILTER_FIELDS:
            widget = self.fields[name].widget
            if isinstance(widget, SkeletonSelect) and data_version is not None:
                widget.skeleton_key = (data_version,)

    def search_fields(self) -> list[BoundField]:
        return [self[name] for name in self.SEARCH_FIELDS]

    def filter_fields(self) -> list[BoundField]:
        return [self[name] for name in self.FILTER_FIELDS]

    def filters_refused(self) -> bool:
        """Whether a filter's value is refused: the folded panel then starts
        open, so that the error shows beside its field."""
        return any(name in self.errors for name in self.FILTER_FIELDS)

    def query_string(self, *, without: str = "page") -> str:
        """The search as understood (its valid values), without empty values,
        the page, nor ``without``."""
        return urlencode(
            {
                name: value
                for name, value in self.cleaned_data.items()
                if value not in (None, "") and name not in ("page", without)
            }
        )

    def panel_html(self) -> SafeString | None:
        """The search box and the folded filters, as ``mentors/directory.html``
        draws them through ``_form_fields.html``, for a checked form without
        errors; None otherwise (a field with an error or a help text), and the
        template draws them. The template's loops over the fields cost ~1 ms a
        request; tests/mentors/test_directory_form.py holds both to the same
        HTML."""
        if not self.is_bound or self.errors:
            return None
        names = (*self.SEARCH_FIELDS, *self.FILTER_FIELDS)
        if any(self.fields[name].help_text for name in names):
            return None
        active = self.active_filters
        note = (
            '<span class="visually-hidden">:</span> <span class="summary-note">'
            + html.escape(", ".join(item.value for item in active))
            + "</span>"
            if active
            else ""
        )
        # The kept drawing is a blank form's: names and ids as drawn by default.
        if self.data_version is None or self.prefix or self.auto_id != "id_%s":
            fields = {name: _field_html(self[name]) for name in names}
            search, filters = (
                "".join(fields[name] for name in group)
                for group in (self.SEARCH_FIELDS, self.FILTER_FIELDS)
            )
            return _panel_frame(search, note, filters)
        # The fields and the frame drawn once per language and version, each
        # field with a mark where the request's value goes (~0.6 ms a request
        # drawn whole, ~0.1 so).
        skeleton = _panel_skeleton(self, (get_language(), self.data_version))
        search, filters = (
            "".join(skeleton.fields[name].drawn(self[name].value()) for name in group)
            for group in (self.SEARCH_FIELDS, self.FILTER_FIELDS)
        )
        before, between, after, end = skeleton.frame
        return mark_safe(  # noqa: S308 (each part escaped)
            before + search + between + note + after + filters + end
        )

    def _choice_names(self, field: BoundField) -> dict[str, Any]:
        """The names of a filter's choices by value; kept with the panel's
        skeleton when there is one (the skills' list is long)."""
        if self.data_version is not None:
            skeleton = _panel_skeleton(self, (get_language(), self.data_version))
            return skeleton.fields[field.name].names
        return _choice_names(field)

    @functools.cached_property
    def active_filters(self) -> list[ActiveFilter]:
        """The filters set to a valid value, named in words, each with the
        search without it (read once: the panel and the results name them)."""
        active = []
        for field in self.filter_fields():
            value = self.cleaned_data.get(field.name)
            if value in (None, ""):
                continue
            names = self._choice_names(field)
            active.append(
                ActiveFilter(
                    label=str(field.label),
                    value=str(names.get(str(value), value)),
                    query_without=self.query_string(without=field.name),
                )
            )
        return active
