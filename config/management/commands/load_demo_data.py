"""Load the demo data: NRW's authorities, Köln's streets, categories and a few reports. Idempotent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from reports import demo

VG5000 = settings.BASE_DIR / "fixtures" / "vg5000-nrw" / "nrw_vg5000_epsg25832.gpkg"
# Top down, so that each level finds its parent already stored.
VG5000_LAYERS = ("land", "regierungsbezirke", "kreise", "gemeinden")
KOELN_STREETS = settings.BASE_DIR / "fixtures" / "koeln-stadt" / "koeln_strassen_epsg25832.gpkg"
CATEGORIES = settings.BASE_DIR / "fixtures" / "demo" / "categories.json"


class Command(BaseCommand):
    help = "Load the demo data (authorities, Köln's streets, Mängelmelder categories and reports). Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        layer_options = [arg for layer in VG5000_LAYERS for arg in ("--layer", layer)]
        call_command("import_boundaries", str(VG5000), *layer_options, verbosity=options["verbosity"])
        call_command("import_streets", str(KOELN_STREETS), "--gemeinde", "05315000", verbosity=options["verbosity"])
        categories = demo.categories_load(CATEGORIES)
        created = demo.reports_create()
        if options["verbosity"]:
            self.stdout.write(f"{categories} categories loaded, {created} demo reports created.")
