from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .notifications import NotificationKind


class EmailPreferencesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label=_("Send me an e-mail for:"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, kinds: list[NotificationKind], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["wanted"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(k.key, k.label) for k in kinds]
