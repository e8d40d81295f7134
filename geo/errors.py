"""Errors of the geometry core; each one explains to a citizen what is wrong with a place."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError, BadRequest


class UnsupportedCRS(BadRequest):
    """A client asked for a coordinate reference system outside the allow-list."""

    code = "unsupported_crs"
    default_message = _("Das Koordinatenreferenzsystem „%(crs)s“ wird nicht unterstützt. Möglich sind: %(supported)s.")


class InvalidGeometry(ApplicationError):
    """A geometry is malformed or not valid in the OGC Simple Features sense."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "invalid_geometry"
    default_message = _("Die Geometrie ist ungültig: %(reason)s")


class TooManyVertices(InvalidGeometry):
    """A geometry has more vertices than allowed."""

    code = "too_many_vertices"
    default_message = _("Die Geometrie hat zu viele Stützpunkte (%(count)s); erlaubt sind höchstens %(limit)s.")


class NonFiniteCoordinates(InvalidGeometry):
    """A coordinate is NaN or infinite."""

    code = "non_finite_coordinates"
    default_message = _("Die Geometrie enthält Koordinaten, die keine endlichen Zahlen sind (NaN oder unendlich).")


class CoordinatesOutOfRange(InvalidGeometry):
    """Geographic coordinates beyond ±180° longitude or ±90° latitude."""

    code = "coordinates_out_of_range"
    default_message = _(
        "Die Koordinaten liegen außerhalb des gültigen Bereichs: "
        "die Länge muss zwischen -180 und 180, die Breite zwischen -90 und 90 Grad liegen."
    )


class OutsideArea(ApplicationError):
    """A place lies outside the area it must be in."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "outside_area"
    default_message = _("Der Ort liegt außerhalb von %(area)s.")


class SwappedAxes(OutsideArea):
    """A place lies outside the area, but would lie inside with its coordinates swapped."""

    code = "swapped_axes"
    default_message = _(
        "Der Ort liegt außerhalb von %(area)s. Vermutlich sind %(axes)s vertauscht: "
        "mit getauschten Werten läge er in %(area)s."
    )
