"""Admin of the planner workspace: the log of personal data exports, to read and never to change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from workspace.models import PersonalDataExport


@admin.register(PersonalDataExport)
class PersonalDataExportAdmin(admin.ModelAdmin[PersonalDataExport]):
    list_display = ["created_at", "user", "authority", "format", "crs", "row_count"]
    list_filter = ["format", "authority"]
    search_fields = ["user__username", "user__email", "authority__name"]
    date_hierarchy = "created_at"

    # A log: written by the export itself, never by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
