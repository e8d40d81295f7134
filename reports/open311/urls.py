"""URLs of Open311 GeoReport v2, each with its format suffix (mounted at /open311/v2/ by config/urls.py)."""

from django.urls import re_path

from reports.open311 import api

_FMT = r"\.(?P<fmt>json|xml)$"

open311_patterns = (
    [
        re_path(rf"^discovery{_FMT}", api.DiscoveryApi.as_view(), name="discovery"),
        re_path(rf"^services{_FMT}", api.ServiceListApi.as_view(), name="services"),
        re_path(rf"^services/(?P<service_code>[-\w]+){_FMT}", api.ServiceDefinitionApi.as_view(), name="service"),
        re_path(rf"^requests{_FMT}", api.RequestCollectionApi.as_view(), name="requests"),
        re_path(rf"^requests/(?P<pk>\d{{1,12}}){_FMT}", api.RequestDetailApi.as_view(), name="request"),
        re_path(rf"^tokens/(?P<token>[-\w]{{1,64}}){_FMT}", api.TokenApi.as_view(), name="token"),
        re_path(rf"^servicerequestupdates{_FMT}", api.UpdateListApi.as_view(), name="updates"),
    ],
    "open311",
)
