"""HTTP helpers every app's views share."""

from __future__ import annotations


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Tell whether an If-None-Match header names the ETag (or is "*")."""
    # If-None-Match compares weakly (RFC 9110 13.1.2): a tag weakened by a proxy or by gzip still matches.
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags
