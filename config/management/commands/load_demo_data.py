"""Load the demo data: NRW's authorities from the VG5000 fixture. Idempotent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

VG5000 = settings.BASE_DIR / "fixtures" / "vg5000-nrw" / "nrw_vg5000_epsg25832.gpkg"
# Top down, so that each level finds its parent already stored.
VG5000_LAYERS = ("land", "regierungsbezirke", "kreise", "gemeinden")


class Command(BaseCommand):
    help = "Load the demo data (NRW's Land, Regierungsbezirke, Kreise and Gemeinden). Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        layer_options = [arg for layer in VG5000_LAYERS for arg in ("--layer", layer)]
        call_command("import_boundaries", str(VG5000), *layer_options, verbosity=options["verbosity"])
