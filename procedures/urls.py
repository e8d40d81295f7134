"""URLs of participation procedures: their API, their document files and their pages (mounted by config/urls.py)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from procedures import api, views

api_patterns = (
    [
        path("procedures/", api.ProcedureListApi.as_view(), name="procedures"),
        path("procedures/<slug:slug>/", api.ProcedureDetailApi.as_view(), name="procedure-detail"),
        path(
            "procedures/<slug:slug>/contributions/",
            api.ContributionCollectionApi.as_view(),
            name="procedure-contributions",
        ),
        path("contributions/<int:pk>/", api.ContributionDetailApi.as_view(), name="contribution-detail"),
        path("contributions/<int:pk>/support/", api.ContributionSupportApi.as_view(), name="contribution-support"),
        path("contributions/<int:pk>/flag/", api.ContributionFlagApi.as_view(), name="contribution-flag"),
        path("staff/contributions/", api.StaffContributionListApi.as_view(), name="staff-contribution-list"),
        path(
            "staff/contributions/<int:pk>/reply/",
            api.StaffContributionReplyApi.as_view(),
            name="staff-contribution-reply",
        ),
        path(
            "staff/contributions/<int:pk>/hide/", api.StaffContributionHideApi.as_view(), name="staff-contribution-hide"
        ),
        path(
            "staff/contributions/<int:pk>/unhide/",
            api.StaffContributionUnhideApi.as_view(),
            name="staff-contribution-unhide",
        ),
    ],
    "procedures-api",
)

# Document files carry no language; they stay outside the /en/ prefix.
media_patterns = (
    [path("<int:pk>/<str:filename>", views.document_file, name="document")],
    "procedures-media",
)

page_patterns = (
    [
        path("<slug:slug>/", views.procedure_detail, name="detail"),
        path(_("beitraege/<int:pk>/unterstuetzen/"), views.contribution_support, name="contribution-support"),
        path(_("beitraege/<int:pk>/melden/"), views.contribution_flag, name="contribution-flag"),
        path(_("bestaetigen/<str:token>/"), views.contribution_confirm, name="confirm"),
    ],
    "procedures",
)
