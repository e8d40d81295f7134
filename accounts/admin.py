"""Admin for staff memberships."""

from django.contrib import admin

from accounts.models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("user", "authority", "role", "created_at")
    list_filter = ("role", "authority__kind")
    search_fields = ("user__username", "user__email", "authority__name", "authority__key")
    autocomplete_fields = ("user", "authority")
