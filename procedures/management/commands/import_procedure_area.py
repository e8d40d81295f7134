"""Set a procedure's area from a vector file: any format GDAL reads, any CRS."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from procedures.areas import AreaFileError, parse_conditions, read_area
from procedures.models import Procedure


class Command(BaseCommand):
    help = (
        "Set the area of the procedure with this slug from a vector file (GeoJSON, GeoPackage, Shapefile or a "
        "ZIP of one, ...) in any CRS: one layer, optionally only the features whose fields have the given values, "
        "unioned, repaired where invalid and stored as a MultiPolygon in EPSG:25832."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug", help="the procedure's slug")
        parser.add_argument("path", type=Path, help="vector file to read")
        parser.add_argument("--layer", help="layer to read (needed when the file has several)")
        parser.add_argument(
            "--where",
            action="extend",
            nargs="+",
            default=[],
            metavar="FIELD=VALUE",
            help="read only features whose FIELD has VALUE (ignoring case); several values of one field select "
            "any of them, several fields must all match",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["slug"]
        path: Path = options["path"]
        if not Procedure.objects.filter(slug=slug).exists():
            raise CommandError(f"Es gibt kein Verfahren mit dem Kurznamen „{slug}“.")
        if not path.exists():
            raise CommandError(f"Die Datei {path} gibt es nicht.")
        # GDAL reads a ZIP (a Shapefile with its .shx, .dbf and .prj) as a folder.
        source = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else path
        try:
            read = read_area(
                source, layer=options["layer"], where=parse_conditions(options["where"]), file_name=path.name
            )
        except AreaFileError as error:
            raise CommandError(error.message) from error

        with transaction.atomic():
            procedure = Procedure.objects.select_for_update().get(slug=slug)
            previous_km2 = procedure.area.area / 1_000_000 if procedure.area else None
            procedure.area = read.area
            procedure.save(update_fields=["area", "updated_at"])

        self.stdout.write(
            f"Set the area of „{procedure.title}“ ({slug}) from {path.name}, layer {read.layer} ({read.file_format}, "
            f"{read.source_crs}): {read.features} feature{'s' if read.features != 1 else ''} "
            f"{'unioned' if read.features > 1 else 'read'}, {len(read.area)} "
            f"polygon{'s' if len(read.area) != 1 else ''}, {read.area_km2:.2f} km², {read.vertices} vertices."
        )
        if previous_km2 is not None:
            self.stdout.write(f"The previous area had {previous_km2:.2f} km².")
        if read.repaired:
            self.stdout.write(
                self.style.WARNING("Invalid polygons in the file were repaired; check the area on a map.")
            )
        if procedure.map_extent is not None and not procedure.map_extent.intersects(read.area):
            self.stdout.write(
                self.style.WARNING("The procedure's map extent lies outside the new area; change or clear it.")
            )
