"""The geo app: CRS handling, geometry validation, authorities and their boundaries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "geo"
    verbose_name = _("Gebiete und Behörden")

    def ready(self) -> None:
        from geo.conf import geo_settings
        from geo.crs import use_proj_grid_dirs

        # pyproj must use the same DHDN grids as PostGIS and GDAL (see geo.crs).
        use_proj_grid_dirs(geo_settings().proj_grid_dirs)
