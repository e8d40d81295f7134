"""URL configuration: the API (language from Accept-Language) and pages (German, English under /en/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import urls as accounts_urls
from config.errors import NotFound
from layers import api_urls as layers_api_urls
from privacy import urls as privacy_urls
from procedures import urls as procedures_urls
from reports import urls as reports_urls
from reports.open311 import formats as open311_formats
from reports.open311.urls import open311_patterns
from workspace import urls as workspace_urls

api_v1: list[URLPattern | URLResolver] = [
    path("", include("geo.urls")),
    path("", include(reports_urls.api_patterns)),
    path("", include(procedures_urls.api_patterns)),
    path("", include(layers_api_urls.api_patterns)),
    path("", include(workspace_urls.api_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", include(api_v1)),
    path("open311/v2/", include(open311_patterns)),
    path("photos/", include(reports_urls.media_patterns)),
    path("dokumente/", include(procedures_urls.media_patterns)),
    path("tiles/", include("tiles.urls")),
    path("ogc/", include("layers.ogc.urls")),
    # Browsers ask for /favicon.ico on pages that declare none (the admin's).
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include(accounts_urls.page_patterns)),
    path(_("meldungen/"), include(reports_urls.page_patterns)),
    path(_("verfahren/"), include(procedures_urls.page_patterns)),
    path(_("arbeitsbereich/"), include(workspace_urls.page_patterns)),
    path("", include(privacy_urls.page_patterns)),
    path("", include("layers.urls")),
    prefix_default_language=False,
)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer unknown API paths in the API's error shape (Open311's under /open311/), pages with the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse(NotFound().as_dict(), status=404)
    if request.path.startswith("/open311/"):
        # GeoReport v2 clients expect its own error list, in the format the path asks for.
        fmt = "xml" if request.path.endswith(".xml") else "json"
        return open311_formats.errors([NotFound().message], status=404, fmt=fmt)
    return defaults.page_not_found(request, exception)


handler404 = page_not_found
