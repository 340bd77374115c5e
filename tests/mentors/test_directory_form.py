"""The directory's filters: their long lists drawn once per language and
mentor-data version, each request marking only its chosen value, the same
HTML as drawn whole."""

from __future__ import annotations

import pytest
from django import forms
from django.utils.translation import override

import mentors.forms as forms_module
from mentors.data_version import mentor_data_version
from mentors.forms import DirectoryForm, SkeletonSelect

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
