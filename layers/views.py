"""Pages of the layers app: the map of NRW's authorities ("Wer ist zuständig?")."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError
from geo.models import AuthorityKind
from geo.selectors import Location, locate_coordinates
from layers.attributions import BKG_VG5000
from layers.maps import NRW_BOUNDS, LocateOnClick, PortalMap, RemoteGeoJsonLayer


class LocateForm(forms.Form):
    """Find the responsible Gemeinde by coordinates, without the map."""

    lon = forms.FloatField(label=_("Länge (z. B. 6.9583)"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Breite (z. B. 50.9413)"), min_value=-90, max_value=90)


def authority_map(request: HttpRequest) -> HttpResponse:
    """Show NRW's Kreise and kreisfreie Städte on a map; a click or the form names who is responsible."""
    language = get_language() or "de"
    folium_map = PortalMap(location=[51.45, 7.6], zoom_start=8, min_zoom=6, zoom_snap=0.25, zoom_delta=0.5)
    folium_map.fit_bounds(NRW_BOUNDS)
    kinds = f"{AuthorityKind.KREIS},{AuthorityKind.KREISFREIE_STADT}"
    folium_map.add_child(
        RemoteGeoJsonLayer(
            f"{reverse('geo:authority-list')}?kind={kinds}",
            attribution=BKG_VG5000,
            label_property="name",
            style={"color": "#005ca9", "weight": 1.5, "fillColor": "#7fb2dc", "fillOpacity": 0.15},
            error_text=str(_("Die Gebiete konnten nicht geladen werden.")),
            status_element="map-status",
        )
    )
    folium_map.add_child(
        LocateOnClick(
            reverse("geo:locate"),
            language=language,
            labels={
                "key": str(_("Gemeindeschlüssel")),
                "error": str(_("Die Zuständigkeit konnte nicht ermittelt werden.")),
            },
            status_element="map-status",
        )
    )

    location: Location | None = None
    error: str | None = None
    form = LocateForm(request.GET or None)
    if form.is_valid():
        try:
            location = locate_coordinates(form.cleaned_data["lon"], form.cleaned_data["lat"])
        except ApplicationError as exc:
            error = exc.message
    return render(
        request,
        "layers/authority_map.html",
        {"map": folium_map.parts(), "form": form, "location": location, "error": error, "attribution": BKG_VG5000},
    )


def overview_map(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # being written by helper B


def embed_overview(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # being written by helper B


def embed_procedure(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError  # being written by helper B
