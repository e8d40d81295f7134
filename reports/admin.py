"""Admin for the Mängelmelder: categories with their questions, policies, and reports scoped to staff."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.selectors import staff_scope
from geo.widgets import BoundaryMapWidget
from reports.models import Category, CategoryQuestion, Open311Client, Photo, Report, ReportingPolicy, ReportUpdate


class CategoryQuestionInline(admin.TabularInline[CategoryQuestion, Category]):
    model = CategoryQuestion
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "code", "authority", "duplicate_radius_m", "is_active", "position")
    list_filter = ("is_active", "authority__kind")
    search_fields = ("name", "code", "authority__name")
    autocomplete_fields = ("authority", "parent")
    inlines = [CategoryQuestionInline]


@admin.register(ReportingPolicy)
class ReportingPolicyAdmin(admin.ModelAdmin[ReportingPolicy]):
    list_display = ("authority", "confirm_anonymous_reports")
    autocomplete_fields = ("authority",)


class ReportUpdateInline(admin.TabularInline[ReportUpdate, Report]):
    model = ReportUpdate
    extra = 0
    readonly_fields = ("status", "note", "is_public", "author", "created_at")
    can_delete = False


class PhotoInline(admin.TabularInline[Photo, Report]):
    model = Photo
    extra = 0
    fields = ("id", "width", "height", "source_format", "position")
    readonly_fields = fields
    can_delete = False


@admin.register(Report)
class ReportAdmin(GISModelAdmin):
    """Reports for staff; status changes go through the API so that notes and mails are never skipped."""

    gis_widget = BoundaryMapWidget  # type: ignore[assignment]  # the stubs type it as an instance
    list_display = ("id", "category", "authority", "status", "created_at", "published_at", "hidden_at")
    list_filter = ("status", "authority__kind")
    search_fields = ("id", "description", "authority__name", "category__name")
    readonly_fields = (
        "authority",
        "category",
        "status",
        "reporter",
        "reporter_name",
        "reporter_email",
        "language",
        "confirmed_at",
        "published_at",
        "hidden_at",
        "hidden_reason",
        "duplicate_of",
        "created_at",
        "updated_at",
        "answers",
    )
    inlines = [PhotoInline, ReportUpdateInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        """Show a staff member only their own authority's reports (superusers see all)."""
        reports = super().get_queryset(request).select_related("category", "authority")
        if request.user.is_superuser:
            return reports
        return reports.visible_to_staff(staff_scope(request.user))  # type: ignore[attr-defined,no-any-return]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Reports come from citizens, through the form or the API, never from the admin.
        return False


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin[Open311Client]):
    """Switch Open311 clients on and off; new ones (and their keys) come from `create_open311_client`."""

    list_display = ("name", "contact_email", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_email")
    readonly_fields = ("created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
