"""Checks of a procedure's PDF documents, by content rather than by name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _

# Large plans are common; larger files belong on the authority's own document server.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def validate_pdf(file: File) -> None:  # type: ignore[type-arg]
    """Refuse a file that is not a PDF by its first bytes, or that is too large."""
    if file.size is not None and file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("Die Datei ist zu groß (höchstens %(limit)s MB)."),
            code="document_too_large",
            params={"limit": MAX_DOCUMENT_BYTES // (1024 * 1024)},
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    # PDF readers accept the header anywhere in the first kilobyte.
    head = file.read(1024)
    file.seek(position)
    if b"%PDF-" not in head:
        raise ValidationError(_("Die Datei ist kein PDF-Dokument."), code="not_a_pdf")
