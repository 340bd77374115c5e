"""The directory's filters: their long lists drawn once per language and
mentor-data version, each request marking only its chosen value, the same
HTML as drawn whole."""

from __future__ import annotations

import copy
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils.translation import override

import mentors.forms as forms_module
from mentors.data_version import bump_mentor_data_version, mentor_data_version
from mentors.forms import DirectoryForm, SkeletonSelect
from mentors.models import Skill

pytestmark = pytest.mark.django_db

CHOSEN = [
    ("skill", "python"),
    ("skill", "spreadsheets"),
    ("skill", "no-such-skill"),
    ("min_level", "3"),
    ("language", "fr"),
    ("language", "ar"),
    ("region", "84"),
    ("mode", "video"),
    ("available_within_days", "7"),
    ("sort", "soonest"),
    ("sort", ""),
]


def drawn_whole(form: DirectoryForm, name: str) -> str:
    # The forms of a version share their fields: this one's own copy.
    form.fields[name] = copy.deepcopy(form.fields[name])
    widget = form.fields[name].widget
    assert isinstance(widget, SkeletonSelect)
    widget.skeleton_key = None
    return str(form[name])


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("name", "value"), CHOSEN)
def test_a_filter_drawn_from_its_skeleton_is_the_filter_drawn_whole(
    language, name, value
):
    version = mentor_data_version()
    with override(language):
        for data in ({}, {name: value}):  # nothing chosen, then the value
            form = DirectoryForm(data, data_version=version)
            form.is_valid()
            quick = str(form[name])
            whole = drawn_whole(DirectoryForm(data, data_version=version), name)
            assert quick == whole
    if value and "no-such" not in value:
        assert f'value="{value}" selected' in quick


def test_the_options_are_drawn_once_then_only_the_choice_is_marked(monkeypatch):
    version = mentor_data_version()
    str(DirectoryForm({}, data_version=version)["skill"])
    drawn = []
    original = forms.Select.optgroups

    def counting(self, name, value, attrs=None):
        drawn.append(name)
        return original(self, name, value, attrs)

    monkeypatch.setattr(forms.Select, "optgroups", counting)
    html = str(DirectoryForm({"skill": "python"}, data_version=version)["skill"])

    assert drawn == []
    assert 'value="python" selected' in html
    # Another version (a skill renamed): drawn again.
    str(DirectoryForm({}, data_version=version + 1)["skill"])
    assert drawn == ["skill"]


def test_a_filter_drawn_from_its_skeleton_does_not_build_the_skill_list_again(
    monkeypatch,
):
    # Django's check for the "required" attribute reads the first option: for
    # the skills (a callable), the whole list was built again at each drawing.
    version = mentor_data_version()
    str(DirectoryForm({}, data_version=version)["skill"])
    built = []
    read = forms_module.skill_choices

    def counting(**kwargs):
        built.append(kwargs)
        return read(**kwargs)

    monkeypatch.setattr(forms_module, "skill_choices", counting)
    form = DirectoryForm({"region": "84"}, data_version=version)
    assert form.is_valid()
    html = str(form["skill"])

    assert built == []
    assert '<option value="" selected>' in html


def _form_of(html: str) -> str:
    start = html.index('<form method="get"')
    form = html[start : html.index("</form>", start)]
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", form)).strip()


PANEL_QUERIES = [
    {},
    {"q": "excel"},
    {"q": 'tableur <b>"gras"</b> & co'},
    {"q": "python", "region": "53", "mode": "video", "sort": "newest"},
    {"skill": "python", "min_level": "5", "language": "ar"},
    {"available_within_days": "14", "sort": "soonest", "page": "2"},
    {"q": "données", "skill": "spreadsheets", "region": "abroad"},
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("query", PANEL_QUERIES)
def test_the_panel_drawn_in_python_is_the_one_the_template_draws(
    client, settings, monkeypatch, language, query
):
    settings.SEARCH_QUERY_CACHES = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("mentors:directory")
    # A valid search: the page below is drawn in Python, not by the template.
    assert DirectoryForm(query, data_version=mentor_data_version()).panel_html()

    quick = client.get(url, query).content.decode()
    monkeypatch.setattr(DirectoryForm, "panel_html", lambda self: None)
    whole = client.get(url, query).content.decode()

    assert _form_of(quick) == _form_of(whole)
    assert 'class="directory-search"' in _form_of(quick)


def test_a_refused_filter_is_drawn_by_the_template_with_its_error(client, settings):
    settings.SEARCH_QUERY_CACHES = False
    form = DirectoryForm({"region": "nowhere"}, data_version=mentor_data_version())

    assert form.panel_html() is None
    html = client.get(reverse("mentors:directory"), {"region": "nowhere"})
    assert 'class="directory-filters" open' in _form_of(html.content.decode())


def test_the_panel_is_drawn_once_per_language_and_version_then_only_marked(
    monkeypatch,
):
    version = mentor_data_version()
    drawn = []
    original = forms_module._field_html

    def counting(field, widget_html=None):
        drawn.append(field.name)
        return original(field, widget_html)

    monkeypatch.setattr(forms_module, "_field_html", counting)
    panels = []
    for language in ("fr", "en"):
        with override(language):
            for query in PANEL_QUERIES:
                form = DirectoryForm(query, data_version=version)
                assert form.is_valid()
                panels.append(form.panel_html())
    every_field = [*DirectoryForm.SEARCH_FIELDS, *DirectoryForm.FILTER_FIELDS]
    assert drawn == every_field * 2  # once per language
    assert len(set(panels)) == len(panels)  # each its own values
    assert 'value="tableur &lt;b&gt;&quot;gras&quot;&lt;/b&gt; &amp; co"' in panels[2]
    # Another version (a skill renamed): drawn again.
    DirectoryForm({}, data_version=version + 1).panel_html()
    assert drawn == every_field * 3


def test_the_forms_of_a_version_share_their_fields_and_a_new_skill_is_known_at_once(
    django_capture_on_commit_callbacks,
):
    version = mentor_data_version()
    first = DirectoryForm({"skill": "tricot"}, data_version=version)
    second = DirectoryForm({}, data_version=version)
    assert first.fields is not second.fields
    assert first.fields["skill"] is second.fields["skill"]
    assert not first.is_valid()
    assert "tricot" in str(first.errors["skill"])

    with django_capture_on_commit_callbacks(execute=True):
        Skill.objects.create(
            code="tricot",
            name_fr="Tricot",
            name_en="Knitting",
            area=Skill.objects.get(code="python").area,
        )
        bump_mentor_data_version()
    newer = mentor_data_version()
    assert newer != version
    form = DirectoryForm({"skill": "tricot"}, data_version=newer)
    assert form.fields["skill"] is not first.fields["skill"]
    assert form.is_valid(), form.errors
    assert 'value="tricot" selected>Tricot' in form.panel_html()


def test_a_refused_search_first_leaves_the_next_panels_unmarked(client, settings):
    """The panel's drawing is kept per language and version: a first search
    with a refused value (its fields drawn invalid, its filters named) does
    not draw it for the searches after it."""
    settings.SEARCH_QUERY_CACHES = False
    url = reverse("mentors:directory")
    refused = client.get(url, {"region": "nowhere", "skill": "python"})
    assert 'aria-invalid="true"' in _form_of(refused.content.decode())

    html = _form_of(client.get(url, {"skill": "python"}).content.decode())

    assert "aria-invalid" not in html
    assert "_error" not in html
    assert 'value="python" selected' in html


def test_a_form_with_a_prefix_is_drawn_whole_with_its_names():
    form = DirectoryForm(
        {"f-q": "excel", "f-region": "84"},
        data_version=mentor_data_version(),
        prefix="f",
    )
    assert form.is_valid()

    html = form.panel_html()

    assert 'name="f-q"' in html
    assert 'value="excel"' in html
    assert 'id="id_f-region"' in html
