"""Source notes that licences require wherever their data is drawn."""

from __future__ import annotations

import datetime
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

# What citizens and authorities publish on the portal itself: reports, procedures, contributions.
PORTAL: Final = Attribution(
    text="Beteiligungskarte NRW",
    url="/",
    licence="Inhalte der Beteiligten; Orte und Gebiete dl-de/zero-2-0",
)

# basemap.de asks for the BKG and the year of the data (CC BY 4.0).
BASEMAP_DE: Final = Attribution(
    text=f"© GeoBasis-DE / BKG ({datetime.datetime.now(tz=datetime.UTC).year}) CC BY 4.0",
    url="https://basemap.de",
    licence="CC BY 4.0",
)

# Geobasis NRW's open data needs no attribution (dl-de/zero-2-0); we name the source all the same.
GEOBASIS_NRW: Final = Attribution(
    text="© Geobasis NRW, dl-de/zero-2-0",
    url="https://www.bezreg-koeln.nrw.de/geobasis-nrw",
    licence="Datenlizenz Deutschland – Zero – Version 2.0",
)
