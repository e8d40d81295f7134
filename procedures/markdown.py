"""Markdown of procedure descriptions, rendered to HTML that is safe to show on any page.

Authorities write descriptions in Markdown. Raw HTML in the source is never passed through:
Python-Markdown's HTML handling is switched off, so that a tag appears as the text it is,
and nh3 then keeps only an allow-list of the elements Markdown itself produces. The second
layer holds even if Markdown or one of its extensions emits something unexpected.
"""

from __future__ import annotations

from typing import Final
from xml.etree.ElementTree import Element

import markdown  # type: ignore[import-untyped]
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.treeprocessors import Treeprocessor  # type: ignore[import-untyped]

# The page's title is its h1; the description's own headings sit below it.
MIN_HEADING: Final = 2
MAX_HEADING: Final = 4

ALLOWED_TAGS: Final = frozenset(
    {
        "p",
        "br",
        "hr",
        *(f"h{level}" for level in range(MIN_HEADING, MAX_HEADING + 1)),
        "ul",
        "ol",
        "li",
        "em",
        "strong",
        "a",
        "blockquote",
        "code",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES: Final = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})
LINK_REL: Final = "noopener noreferrer nofollow"

_CLEANER: Final = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
    # Only absolute links: a relative one would point into this portal, which no description needs.
    url_relative="deny",
)


class _Restyle(Treeprocessor):
    """Move headings into h2–h4 and turn images into links to them.

    "# Title" must not compete with the page's own h1; an image from anywhere would tell its
    server who reads the page, so it is shown as a link the reader may follow or not.
    """

    def run(self, root: Element) -> None:
        for element in root.iter():
            if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1].isdigit():
                level = min(max(int(element.tag[1]), MIN_HEADING), MAX_HEADING)
                element.tag = f"h{level}"
            elif element.tag == "img":
                source = element.get("src", "")
                label = element.get("alt") or source
                element.tag = "a"
                element.attrib.clear()
                element.set("href", source)
                element.text = label


def _markdown() -> markdown.Markdown:
    # A Markdown instance keeps state between conversions and is not thread-safe: one per call.
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists"],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    # Raw HTML, as blocks and inline, stays text: it is escaped instead of passed through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_Restyle(md), "restyle", 1)
    return md


def render_markdown(text: str) -> SafeString:
    """Return the Markdown text as sanitised HTML: allow-listed elements, safe links, no raw HTML."""
    html = _markdown().convert(text)
    return mark_safe(_CLEANER.clean(html))  # noqa: S308 - nh3 has just reduced it to the allow-list
