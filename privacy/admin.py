"""Admin of the privacy app: accessibility feedback, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from privacy.models import AccessibilityFeedback


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin[AccessibilityFeedback]):
    list_display = ["created_at", "page_url", "email"]
    readonly_fields = ["message", "email", "page_url", "created_at"]
    search_fields = ["message", "page_url"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Feedback comes from the public form only.
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccessibilityFeedback | None = None) -> bool:
        return False
