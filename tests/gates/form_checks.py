"""What a page showing a refused form must hold (checked on every HTML response
of the suite through ``page_checks``):

- one error summary (``.error-summary``) that takes the focus when the page
  loads (``autofocus`` on ``tabindex="-1"``, the only autofocus of the page);
- each link of the summary lands on a form control of the page;
- each control marked ``aria-invalid="true"`` is linked from the summary (it,
  or another choice of the same group) and described by an error shown beside
  it (``aria-describedby`` on it or on its fieldset, naming an element with
  text);
- each error shown beside a field is tied to it by such an ``aria-describedby``.

A page with no error marks (no ``aria-invalid``, no ``field-errors``, no
summary) is not looked at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip
CONTROLS = {"input", "select", "textarea"}
MARKS = ('aria-invalid="true"', "field-errors", "error-summary")


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def all_text(self) -> str:
        return " ".join(
            [*self.text, *(child.all_text() for child in self.children)]
        ).strip()

    def walk(self) -> list[Node]:
        return [self, *(n for child in self.children for n in child.walk())]

    def ancestors(self) -> list[Node]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(
            Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        )

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.current.text.append(data.strip())


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def has_error_marks(html: str) -> bool:
    return any(mark in html for mark in MARKS)


def form_error_problems(html: str) -> list[str]:
    """What the page lacks of the refused-form pattern (module docstring)."""
    if not has_error_marks(html):
        return []
    nodes = parse(html).walk()
    by_id = {n.attrs["id"]: n for n in nodes if "id" in n.attrs}
    invalid = [
        n for n in nodes if n.tag in CONTROLS and n.attrs.get("aria-invalid") == "true"
    ]
    field_errors = [n for n in nodes if "field-errors" in n.classes()]
    if not invalid and not field_errors and "error-summary" not in html:
        return []
    problems: list[str] = []
    summaries = [n for n in nodes if "error-summary" in n.classes()]
    if len(summaries) != 1:
        return [f"{len(summaries)} error summaries, one expected"]
    [summary] = summaries
    if summary.attrs.get("tabindex") != "-1" or "autofocus" not in summary.attrs:
        problems.append("the error summary does not take the focus")
    autofocused = [n for n in nodes if "autofocus" in n.attrs]
    if autofocused != [summary]:
        problems.append(f"{len(autofocused)} elements with autofocus")
    linked_names: set[str] = set()
    for link in (n for n in summary.walk() if n.tag == "a"):
        href = link.attrs.get("href", "")
        target = by_id.get(href[1:]) if href.startswith("#") else None
        if target is None or target.tag not in CONTROLS:
            problems.append(f"summary link {href!r} lands on no form control")
        else:
            linked_names.add(target.attrs.get("name", ""))
    described: set[str] = set()
    for control in invalid:
        name = control.attrs.get("name", "")
        if name not in linked_names:
            problems.append(f"invalid field {name!r} is not linked from the summary")
        holders = [control, *(a for a in control.ancestors() if a.tag == "fieldset")]
        ids = {i for h in holders for i in h.attrs.get("aria-describedby", "").split()}
        described |= ids
        if not any(i in by_id and "field-errors" in by_id[i].classes() for i in ids):
            problems.append(f"invalid field {name!r} is described by no error")
        elif not all(i in by_id for i in ids):
            problems.append(f"field {name!r} is described by missing ids {ids}")
    for error in field_errors:
        if error.attrs.get("id", "") not in described:
            problems.append(f"error {error.all_text()!r} is tied to no invalid field")
    return problems
