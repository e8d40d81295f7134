"""Admin for authorities and streets: keys, hierarchy, areas and courses on a map without external tiles."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from geo.models import Authority, Street
from geo.widgets import BoundaryMapWidget


@admin.register(Authority)
class AuthorityAdmin(GISModelAdmin):
    gis_widget = BoundaryMapWidget  # type: ignore[assignment]  # the stubs type it as an instance
    list_display = ("key", "name", "designation", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("key", "regional_key", "name")
    ordering = ("key",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("key", "regional_key", "name", "designation", "kind", "parent")}),
        (None, {"fields": ("boundary",)}),
        (None, {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Authority]:
        return super().get_queryset(request).select_related("parent")


@admin.register(Street)
class StreetAdmin(GISModelAdmin):
    gis_widget = BoundaryMapWidget  # type: ignore[assignment]  # the stubs type it as an instance
    list_display = ("name", "key", "gemeinde", "updated_at")
    list_filter = (("gemeinde", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "key")
    ordering = ("gemeinde__key", "name", "key")
    autocomplete_fields = ("gemeinde",)
    readonly_fields = ("search_name", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("gemeinde", "key", "name", "search_name")}),
        (None, {"fields": ("geometry",)}),
        (None, {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Street]:
        # The list shows the Gemeinde's name; its boundary is of no use there.
        return super().get_queryset(request).select_related("gemeinde").defer("gemeinde__boundary")
