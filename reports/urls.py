"""URLs of the Mängelmelder: its API, its photo files and its pages (mounted by config/urls.py)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from reports import api, views

api_patterns = (
    [
        path("categories/", api.CategoryListApi.as_view(), name="categories"),
        path("photos/", api.PhotoUploadApi.as_view(), name="photo-upload"),
        path("reports/", api.ReportCollectionApi.as_view(), name="reports"),
        path("reports/duplicates/", api.DuplicateListApi.as_view(), name="report-duplicates"),
        path("reports/<int:pk>/", api.ReportDetailApi.as_view(), name="report-detail"),
        path("reports/<int:pk>/support/", api.ReportSupportApi.as_view(), name="report-support"),
        path("reports/<int:pk>/flag/", api.ReportFlagApi.as_view(), name="report-flag"),
        path("staff/reports/", api.StaffReportListApi.as_view(), name="staff-report-list"),
        path("staff/reports/<int:pk>/", api.StaffReportDetailApi.as_view(), name="staff-report-detail"),
        path("staff/reports/<int:pk>/status/", api.StaffReportStatusApi.as_view(), name="staff-report-status"),
        path("staff/reports/<int:pk>/hide/", api.StaffReportHideApi.as_view(), name="staff-report-hide"),
        path("staff/reports/<int:pk>/unhide/", api.StaffReportUnhideApi.as_view(), name="staff-report-unhide"),
    ],
    "reports-api",
)

# Photo files carry no language; they stay outside the /en/ prefix.
media_patterns = (
    [
        path("<uuid:pk>.jpg", views.photo_file, name="photo"),
        path("<uuid:pk>/thumbnail.jpg", views.photo_thumbnail, name="photo-thumbnail"),
    ],
    "reports-media",
)

page_patterns = (
    [
        path("", views.report_list, name="list"),
        path(_("neu/"), views.report_new, name="new"),
        path("<int:pk>/", views.report_detail, name="detail"),
        path(_("bestaetigen/<str:token>/"), views.report_confirm, name="confirm"),
    ],
    "reports",
)
