"""Admin for participation procedures and their contributions, scoped to the authorities a staff member works for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.selectors import staff_scope
from geo.models import Authority
from geo.widgets import BoundaryMapWidget
from procedures.areas import AreaFileError, parse_conditions, read_uploaded_area
from procedures.models import (
    Contribution,
    ContributionReply,
    GeometryKind,
    Overlay,
    Procedure,
    ProcedureDocument,
    ProcedureStatus,
)


def _authorities_of(request: HttpRequest) -> QuerySet[Authority]:
    """Return the authorities a user may act for in the admin: all for superusers and Land administrators."""
    authorities = Authority.objects.defer("boundary")
    if request.user.is_superuser:
        return authorities
    scope = staff_scope(request.user)
    return authorities if scope.everything else authorities.filter(pk__in=scope.authority_ids)


class ProcedureForm(forms.ModelForm[Procedure]):
    """A procedure, whose area is drawn on the map or read from an uploaded file."""

    # Check boxes instead of the array field's comma-separated text: staff pick, they do not type codes.
    allowed_geometries = forms.MultipleChoiceField(
        label=_("erlaubte Formen für Beiträge"),
        choices=GeometryKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Keine: Beiträge nur als Text."),
    )
    overlays = forms.MultipleChoiceField(
        label=_("weitere Ebenen"), choices=Overlay.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    area_file = forms.FileField(
        label=_("Gebiet aus Datei"),
        required=False,
        help_text=_(
            "GeoJSON, GeoPackage, FlatGeobuf oder ein Shapefile als ZIP, in einem beliebigen "
            "Koordinatenreferenzsystem. Ersetzt das gezeichnete Gebiet."
        ),
    )
    area_layer = forms.CharField(
        label=_("Ebene in der Datei"),
        required=False,
        max_length=200,
        help_text=_("Nur nötig, wenn die Datei mehrere Ebenen hat."),
    )
    area_where = forms.CharField(
        label=_("Objekte auswählen (Feld=Wert)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Eine Auswahl je Zeile, z. B. STT_NAME=Ehrenfeld. Mehrere Werte desselben Felds wählen alle diese "
            "Objekte; sie werden zu einem Gebiet vereinigt. Leer: alle Objekte der Ebene."
        ),
    )

    class Meta:
        model = Procedure
        fields = (
            "authority",
            "title",
            "slug",
            "kind",
            "summary",
            "description",
            "is_published",
            "starts_at",
            "ends_at",
            "area",
            "allowed_geometries",
            "geometry_required",
            "max_vertices",
            "max_length_m",
            "max_area_m2",
            "map_extent",
            "basemap",
            "overlays",
            "contact_name",
            "contact_email",
            "contact_phone",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An area may come from the file instead; clean() asks for one of the two.
        self.fields["area"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("area_file")
        if upload:
            try:
                read = read_uploaded_area(
                    upload,
                    layer=cleaned.get("area_layer") or None,
                    where=parse_conditions(line for line in cleaned.get("area_where", "").splitlines() if line.strip()),
                )
            except AreaFileError as error:
                self.add_error("area_file", ValidationError(error.message, code=error.code))
            else:
                cleaned["area"] = read.area
                self.errors.pop("area", None)
        elif cleaned.get("area_layer") or cleaned.get("area_where"):
            self.add_error("area_file", _("Ebene und Auswahl gelten nur zusammen mit einer Datei."))
        if not cleaned.get("area") and "area" not in self.errors and "area_file" not in self.errors:
            self.add_error("area", _("Bitte zeichnen Sie das Gebiet ein oder laden Sie es aus einer Datei."))
        return cleaned


class StatusFilter(admin.SimpleListFilter):
    """Filter by the status that follows from the dates now."""

    title = _("Status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(ProcedureStatus.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value not in ProcedureStatus.values:
            return queryset
        return queryset.of_status(value)  # type: ignore[attr-defined,no-any-return]


class ProcedureDocumentInline(admin.TabularInline[ProcedureDocument, Procedure]):
    model = ProcedureDocument
    extra = 0
    fields = ("title", "file", "position", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Procedure)
class ProcedureAdmin(GISModelAdmin):
    """Procedures of a staff member's authorities; areas drawn on our own boundaries, or read from a file."""

    form = ProcedureForm
    gis_widget = BoundaryMapWidget  # type: ignore[assignment]  # the stubs type it as an instance
    list_display = ("title", "authority", "kind", "status", "starts_at", "ends_at", "is_published")
    list_filter = (StatusFilter, "kind", "is_published", ("authority", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "slug", "summary", "authority__name", "authority__key")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "starts_at"
    readonly_fields = ("created_at", "updated_at")
    inlines = [ProcedureDocumentInline]
    fieldsets = (
        (None, {"fields": ("authority", "title", "slug", "kind", "summary", "description", "is_published")}),
        (_("Zeitraum"), {"fields": ("starts_at", "ends_at")}),
        (_("Gebiet"), {"fields": ("area", "area_attribution", "area_file", "area_layer", "area_where")}),
        (
            _("Beiträge"),
            {"fields": ("allowed_geometries", "geometry_required", "max_vertices", "max_length_m", "max_area_m2")},
        ),
        (_("Karte"), {"fields": ("map_extent", "basemap", "overlays")}),
        (_("Kontakt"), {"fields": ("contact_name", "contact_email", "contact_phone")}),
        (None, {"fields": ("created_at", "updated_at")}),
    )

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "authority":
            kwargs["queryset"] = _authorities_of(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Procedure]:
        """Show a staff member only their own authorities' procedures (superusers see all)."""
        procedures = super().get_queryset(request).select_related("authority").defer("authority__boundary")
        if request.user.is_superuser:
            return procedures
        return procedures.visible_to_staff(staff_scope(request.user))  # type: ignore[attr-defined,no-any-return]

    @admin.display(description=_("Status"))
    def status(self, procedure: Procedure) -> str:
        return str(procedure.status.label)


class ContributionReplyInline(admin.TabularInline[ContributionReply, Contribution]):
    model = ContributionReply
    extra = 0
    fields = ("text", "author", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Contribution | None = None) -> bool:
        # Replies go through the staff API, which also tells the author.
        return False


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin[Contribution]):
    """Contributions to a staff member's procedures, to read; hiding and replying go through the staff API.

    The only place where staff see who wrote a contribution (name, e-mail, account).
    """

    list_display = ("id", "short_text", "procedure", "place", "published_at", "hidden_at", "created_at")
    list_filter = (
        ("procedure", admin.RelatedOnlyFieldListFilter),
        ("published_at", admin.EmptyFieldListFilter),
        ("hidden_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("text", "procedure__title", "author_name", "author_email")
    date_hierarchy = "created_at"
    fields = (
        "procedure",
        "text",
        "place",
        "language",
        "author",
        "author_name",
        "author_email",
        "confirmed_at",
        "published_at",
        "hidden_at",
        "hidden_reason",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [ContributionReplyInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contribution]:
        """Show a staff member only the contributions to their own authorities' procedures."""
        contributions = super().get_queryset(request).select_related("procedure", "author")
        if request.user.is_superuser:
            return contributions
        return contributions.visible_to_staff(staff_scope(request.user))  # type: ignore[attr-defined,no-any-return]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Contributions come from citizens, through the page or the API.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Contribution | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Contribution | None = None) -> bool:
        # Deleting erases a citizen's words and personal data: only on request, and only by a superuser.
        return bool(request.user.is_superuser)

    @admin.display(description=_("Beitrag"))
    def short_text(self, contribution: Contribution) -> str:
        return contribution.text if len(contribution.text) <= 80 else contribution.text[:79] + "…"

    @admin.display(description=_("Ort"))
    def place(self, contribution: Contribution) -> str:
        if contribution.geometry is None:
            return str(_("nur Text"))
        kind = contribution.geometry_kind
        label = str(kind.label) if kind else contribution.geometry.geom_type
        vertices = contribution.geometry.num_coords
        return (
            label if vertices == 1 else str(_("%(kind)s, %(count)s Stützpunkte")) % {"kind": label, "count": vertices}
        )
