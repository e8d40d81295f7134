"""Admin for the web origins that may embed an authority's maps, scoped to the authorities a staff member works for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest

from accounts.selectors import staff_scope
from geo.models import Authority
from layers.models import EmbedOrigin
from layers.origins import normalise_origin


class EmbedOriginForm(forms.ModelForm[EmbedOrigin]):
    """An embed origin, stored as browsers compare origins: "HTTPS://WWW.Stadt-Koeln.de/" → "https://www.stadt-koeln.de"."""

    class Meta:
        model = EmbedOrigin
        fields = ("authority", "origin", "note")

    def clean_origin(self) -> str:
        # normalise_origin raises a ValidationError with its German reason, shown at the field.
        return normalise_origin(self.cleaned_data["origin"])


@admin.register(EmbedOrigin)
class EmbedOriginAdmin(admin.ModelAdmin[EmbedOrigin]):
    """The sites on which each authority allows its maps to be embedded (CSP frame-ancestors)."""

    form = EmbedOriginForm
    list_display = ("origin", "authority", "note", "created_at")
    list_filter = (("authority", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("origin", "note", "authority__name", "authority__key")
    readonly_fields = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[EmbedOrigin]:
        """Show a staff member only their own authorities' origins (superusers see all)."""
        origins = super().get_queryset(request).select_related("authority").defer("authority__boundary")
        if request.user.is_superuser:
            return origins
        scope = staff_scope(request.user)
        return origins if scope.everything else origins.filter(authority_id__in=scope.authority_ids)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "authority":
            authorities = Authority.objects.defer("boundary")
            if not request.user.is_superuser:
                scope = staff_scope(request.user)
                if not scope.everything:
                    authorities = authorities.filter(pk__in=scope.authority_ids)
            kwargs["queryset"] = authorities
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
