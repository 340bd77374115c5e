"""Every user-facing string has a French translation.

Messages are extracted afresh from the code and templates (Django's
``templatize`` turns templates into gettext calls, Babel's Python extractor
reads them: no GNU gettext needed), then compared with the French catalogue:
a msgid missing, empty or fuzzy there fails the test — so a string that was
never extracted is caught too.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

BASE = Path(settings.BASE_DIR)
# Every package of ours at the top of the project (a new app is read at once).
APPS = sorted(
    p.parent.name for p in BASE.glob("*/__init__.py") if p.parent.name != "tests"
)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def _sources() -> list[Path]:
    files = []
    for app in APPS:
        files += [p for p in (BASE / app).rglob("*.py") if "migrations" not in p.parts]
    for pattern in ("*.html", "*.txt"):
        files += list((BASE / "templates").rglob(pattern))
    return files


def _extract(path: Path) -> set[tuple[str | None, str]]:
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        # templatize keeps each string on one line (newlines escaped), so the
        # indentation it copies from the template can go: tokenize needs that.
        source = templatize(source, origin=str(path))
        source = "\n".join(line.lstrip() for line in source.splitlines())
    found = set()
    for _lineno, _funcname, message, _comments in extract_python(
        io.BytesIO(source.encode("utf-8")), KEYWORDS.keys(), [], {}
    ):
        # A call on a variable (Django's language names) has nothing to extract.
        msgid = message if isinstance(message, str) else (message or [None])[0]
        if msgid:
            found.add((None, msgid))
    return found


def extracted_messages() -> dict[str, list[str]]:
    """msgid → the files that use it."""
    where: dict[str, list[str]] = {}
    for path in _sources():
        for _context, msgid in _extract(path):
            where.setdefault(msgid, []).append(str(path.relative_to(BASE)))
    return where


def _catalogue() -> dict[str, tuple[str, bool]]:
    with (BASE / "locale/fr/LC_MESSAGES/django.po").open("rb") as handle:
        catalog = read_po(handle)
    entries = {}
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = (
            message.string if isinstance(message.string, str) else message.string[0]
        )
        entries[msgid] = (msgstr or "", message.fuzzy)
    return entries


def test_every_message_has_a_french_translation():
    catalogue = _catalogue()
    problems = []
    for msgid, files in sorted(extracted_messages().items()):
        msgstr, fuzzy = catalogue.get(msgid, ("", False))
        if msgid in catalogue and msgstr and not fuzzy:
            continue
        with translation.override("fr"):
            # Strings of a library's own (allauth's in its templates we restyle)
            # are translated by that library's catalogue.
            if msgid not in catalogue and translation.gettext(msgid) != msgid:
                continue
        state = "fuzzy" if fuzzy else ("empty" if msgid in catalogue else "missing")
        problems.append(f"{state}: {msgid!r} ({files[0]})")

    assert problems == [], "\n".join(problems)


def test_the_extractor_finds_template_and_python_strings(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        "{% load i18n %}{% translate 'One' %}"
        "{% blocktranslate with n=x %}Two {{ n }}{% endblocktranslate %}"
    )
    module = tmp_path / "mod.py"
    module.write_text(
        "from django.utils.translation import gettext_lazy as _\nX = _('Three')\n"
    )

    found = {m for _c, m in _extract(template) | _extract(module)}

    assert found == {"One", "Two %(n)s", "Three"}


def test_the_french_catalogue_is_compiled_and_used():
    with translation.override("fr"):
        assert translation.gettext("Log in") != "Log in"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
