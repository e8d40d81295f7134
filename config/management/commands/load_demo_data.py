"""Load the demo data: authorities, Köln's streets, categories, reports and participation procedures. Idempotent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from procedures import demo as procedures_demo
from reports import demo

VG5000 = settings.BASE_DIR / "fixtures" / "vg5000-nrw" / "nrw_vg5000_epsg25832.gpkg"
# Top down, so that each level finds its parent already stored.
VG5000_LAYERS = ("land", "regierungsbezirke", "kreise", "gemeinden")
KOELN_STREETS = settings.BASE_DIR / "fixtures" / "koeln-stadt" / "koeln_strassen_epsg25832.gpkg"
CATEGORIES = settings.BASE_DIR / "fixtures" / "demo" / "categories.json"


class Command(BaseCommand):
    help = (
        "Load the demo data (authorities, Köln's streets, Mängelmelder categories and reports, participation "
        "procedures). Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        layer_options = [arg for layer in VG5000_LAYERS for arg in ("--layer", layer)]
        call_command("import_boundaries", str(VG5000), *layer_options, verbosity=options["verbosity"])
        call_command("import_streets", str(KOELN_STREETS), "--gemeinde", "05315000", verbosity=options["verbosity"])
        categories = demo.categories_load(CATEGORIES)
        created = demo.reports_create()
        # After the reports' demo data: its staff accounts answer the demo contributions.
        procedures = procedures_demo.procedures_load(procedures_demo.PROCEDURES_FILE)
        if options["verbosity"]:
            self.stdout.write(f"{categories} categories loaded, {created} demo reports created.")
            self.stdout.write(
                f"Demo procedures: {len(procedures.created)} created, {len(procedures.updated)} updated, "
                f"{len(procedures.unchanged)} unchanged; {procedures.contributions_created} contributions created, "
                f"{procedures.documents_stored} document files stored, "
                f"{procedures.embed_origins_created} embed origins created."
            )
