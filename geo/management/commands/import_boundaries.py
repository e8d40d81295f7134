"""Import administrative boundaries from a vector file into the authorities table."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from geo.boundary_files import FieldMapping, layer_count
from geo.management.import_output import write_import_report
from geo.models import AuthorityKind
from geo.services import BoundaryImportReport, boundaries_import


class Command(BaseCommand):
    help = (
        "Import authorities from any vector file GDAL reads (GeoJSON, GeoPackage, Shapefile, ...) in "
        "any CRS: reproject to EPSG:25832, upsert by official key (AGS), link parents by key. "
        "Idempotent: a second run on the same file changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="vector file to read")
        parser.add_argument("--layer", action="append", dest="layers", help="layer to read (repeatable; default: all)")
        parser.add_argument("--key-field", default="AGS", help="field with the official key (default: AGS)")
        parser.add_argument("--name-field", default="GEN", help="field with the name (default: GEN)")
        parser.add_argument("--regional-key-field", default="ARS", help="field with the ARS (default: ARS)")
        parser.add_argument("--designation-field", default="BEZ", help="field with the designation (default: BEZ)")
        parser.add_argument(
            "--level-field",
            default="ADE",
            help="field with the VG level code 2/3/4/6 (default: ADE); else the key decides",
        )
        parser.add_argument(
            "--kind", choices=AuthorityKind.values, help="treat every feature as this kind instead of deriving it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        mapping = FieldMapping(
            key=options["key_field"],
            name=options["name_field"],
            regional_key=options["regional_key_field"] or None,
            designation=options["designation_field"] or None,
            level=options["level_field"] or None,
        )
        try:
            total = layer_count(path, options["layers"])
            # tqdm redraws its line with "\r"; Django's OutputWrapper would append a newline to each write.
            stream = cast(TextIO, self.stderr._out)
            with tqdm(total=total, desc=f"Importing {path.name}", unit=" features", file=stream) as bar:
                report = boundaries_import(
                    path=path,
                    layer_names=options["layers"],
                    mapping=mapping,
                    kind=AuthorityKind(options["kind"]) if options["kind"] else None,
                    on_feature=bar.update,
                )
        except (FileNotFoundError, KeyError) as exc:
            raise CommandError(str(exc).strip("'\"")) from exc
        self._print(report, options["verbosity"])

    def _print(self, report: BoundaryImportReport, verbosity: int) -> None:
        write_import_report(self, report, verbosity)
        if report.repaired:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.repaired)} invalid boundaries were repaired: {', '.join(report.repaired)}"
                )
            )
        if report.without_parent:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.without_parent)} authorities have no parent in the database yet "
                    f"(import the level above): {', '.join(report.without_parent[:20])}"
                    + (" ..." if len(report.without_parent) > 20 else "")
                )
            )
