"""Procedure descriptions: Markdown in, sanitised HTML out; raw HTML never survives as HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from procedures.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, render_markdown


class _Collect(HTMLParser):
    """Collect every element and attribute of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collect()
    parser.feed(html)
    return parser.elements


def assert_only_allowed(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set()), (tag, name)
            if name == "href":
                assert value is not None
                assert value.split(":", 1)[0].lower() in {"http", "https", "mailto"}, value


def test_the_usual_markdown_becomes_html() -> None:
    html = render_markdown(
        "## Worum es geht\n\nWir planen **neue Radwege** und *breitere* Gehwege.\n\n"
        "- erstens\n- zweitens\n\n1. eins\n2. zwei\n\n> Zitat aus dem Rat\n\n"
        "Die Straße `B 55` wird umgebaut.\n\n```\ncode block\n```\n\n"
        "| Abschnitt | Länge |\n|:--|--:|\n| Nord | 1,2 km |\n"
    )
    assert isinstance(html, SafeString)
    assert "<h2>Worum es geht</h2>" in html
    assert "<strong>neue Radwege</strong>" in html
    assert "<em>breitere</em>" in html
    assert "<ul>" in html
    assert "<ol>" in html
    assert "<li>zweitens</li>" in html
    assert "<blockquote>" in html
    assert "<code>B 55</code>" in html
    assert "<pre><code>code block" in html
    assert "<table>" in html
    assert '<td align="right">1,2 km</td>' in html
    assert_only_allowed(html)


def test_links_get_rel_and_only_web_and_mail_schemes_survive() -> None:
    html = render_markdown(
        '[Plan](https://www.stadt-koeln.de/plan "Der Plan") [Mail](mailto:planung@stadt-koeln.de) '
        "[böse](javascript:alert(1)) [auch böse](JaVaScRiPt:alert(1)) [daten](data:text/html;base64,PHNjcmlwdD4=) "
        "[relativ](/admin/) <https://example.org>"
    )
    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert [link.get("href") for link in links] == [
        "https://www.stadt-koeln.de/plan",
        "mailto:planung@stadt-koeln.de",
        None,
        None,
        None,
        None,
        "https://example.org",
    ]
    assert all(link["rel"] == LINK_REL for link in links)
    assert links[0]["title"] == "Der Plan"
    assert "javascript" not in html.lower()
    assert_only_allowed(html)


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "Text <script>alert(1)</script> mitten drin",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)" onclick="alert(2)">klick</a>',
        '<div style="position:fixed" onmouseover="alert(1)">Block</div>',
        '<iframe src="https://evil.example"></iframe>',
        '<svg onload="alert(1)"></svg>',
        "<!-- Kommentar --><style>body{display:none}</style>",
        '[x](https://example.org "t" onclick="alert(1)")',
        '<p title="a"><b>fett</b></p>',
    ],
)
def test_raw_html_is_shown_as_text_never_as_html(source: str) -> None:
    html = render_markdown(source)
    tags = {tag for tag, _ in elements(html)}
    assert tags <= {"p", "a", "pre", "code"}
    for attrs in (attrs for _, attrs in elements(html)):
        assert not any(name.startswith("on") for name in attrs)
    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert_only_allowed(html)


def test_raw_html_stays_readable_as_text() -> None:
    assert render_markdown("Bitte <b>keine</b> Werbung") == "<p>Bitte &lt;b&gt;keine&lt;/b&gt; Werbung</p>"


def test_headings_are_kept_between_h2_and_h4() -> None:
    html = render_markdown("# Eins\n\n## Zwei\n\n### Drei\n\n#### Vier\n\n##### Fünf\n\n###### Sechs")
    assert [tag for tag, _ in elements(html)] == ["h2", "h2", "h3", "h4", "h4", "h4"]


def test_images_become_links_so_no_outside_server_sees_the_reader() -> None:
    html = render_markdown("![Lageplan](https://example.org/plan.png) ![x](javascript:alert(1))")
    assert "<img" not in html
    assert '<a href="https://example.org/plan.png" rel="noopener noreferrer nofollow">Lageplan</a>' in html
    assert_only_allowed(html)


def test_empty_description() -> None:
    assert render_markdown("") == ""


_PIECES = st.sampled_from(
    [*"<>\"'=/&;:#*_-`[]()!|\n ab", "javascript:", "<script>", " onload=", "href", "<img src=x ", "](", "![", "&#106;"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_whatever_is_written_only_allowed_html_comes_out(source: str) -> None:
    assert_only_allowed(render_markdown(source))
