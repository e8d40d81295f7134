"""Source notes that licences require wherever their data is drawn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.utils.html import format_html
from django.utils.safestring import SafeString


@dataclass(frozen=True, slots=True)
class Attribution:
    """A source note and the link the licence asks for."""

    text: str
    url: str
    licence: str

    def html(self) -> SafeString:
        """Return the note as HTML with its link, for a map's attribution control."""
        return format_html('<a href="{}" rel="noopener">{}</a>', self.url, self.text)


# The street directory of Köln's gazetteer (fixtures/koeln-stadt/SOURCE.md).
KOELN_STRASSEN: Final = Attribution(
    text="Datenquelle: Stadt Köln – Offene Daten Köln (Daten verändert: umprojiziert, Teilauszug)",
    url="https://www.offenedaten-koeln.de",
    licence="CC BY 3.0 DE",
)

# dl-de/by-2-0 asks for the source note, and on the web a link to the BKG (fixtures/vg5000-nrw/SOURCE.md).
BKG_VG5000: Final = Attribution(
    text="© GeoBasis-DE / BKG (2021) (Daten verändert)",
    url="https://www.bkg.bund.de",
    licence="Datenlizenz Deutschland – Namensnennung – Version 2.0",
)
