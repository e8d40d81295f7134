"""URL configuration: the API (language from Accept-Language) and pages (German, English under /en/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.errors import NotFound
from procedures import urls as procedures_urls
from reports import urls as reports_urls

api_v1: list[URLPattern | URLResolver] = [
    path("", include("geo.urls")),
    path("", include(reports_urls.api_patterns)),
    path("", include(procedures_urls.api_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", include(api_v1)),
    path("photos/", include(reports_urls.media_patterns)),
    path("dokumente/", include(procedures_urls.media_patterns)),
    # Browsers ask for /favicon.ico on pages that declare none (the admin's).
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path(_("meldungen/"), include(reports_urls.page_patterns)),
    path(_("verfahren/"), include(procedures_urls.page_patterns)),
    path("", include("layers.urls")),
    prefix_default_language=False,
)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer unknown API paths in the API's JSON error shape, and pages with the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse(NotFound().as_dict(), status=404)
    return defaults.page_not_found(request, exception)


handler404 = page_not_found
