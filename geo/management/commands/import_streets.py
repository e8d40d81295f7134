"""Import a Gemeinde's streets from a vector file into the street gazetteer."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from geo.management.import_output import write_import_report
from geo.services import StreetImportReport, UnknownGemeinde, streets_import
from geo.streets import KOELN_FIELDS, StreetFields, street_layer


class Command(BaseCommand):
    help = (
        "Import a Gemeinde's streets from any vector file GDAL reads (GeoPackage, Shapefile, GeoJSON, ...) in "
        "any CRS: reproject to EPSG:25832, upsert by (Gemeinde, street key), skip what cannot be used and say why. "
        "Idempotent: a second run on the same file changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="vector file to read")
        parser.add_argument("--gemeinde", required=True, help="official key (AGS) of the Gemeinde, e.g. 05315000")
        parser.add_argument("--layer", help="layer to read (default: the file's only layer)")
        parser.add_argument(
            "--key-field", default=KOELN_FIELDS.key, help=f"field with the street key (default: {KOELN_FIELDS.key})"
        )
        parser.add_argument(
            "--name-field", default=KOELN_FIELDS.name, help=f"field with the name (default: {KOELN_FIELDS.name})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        try:
            total = len(street_layer(path, options["layer"]))
            # tqdm redraws its line with "\r"; Django's OutputWrapper would append a newline to each write.
            stream = cast(TextIO, self.stderr._out)
            with tqdm(total=total, desc=f"Importing {path.name}", unit=" streets", file=stream) as bar:
                report = streets_import(
                    path=path,
                    gemeinde_key=options["gemeinde"],
                    layer_name=options["layer"],
                    fields=StreetFields(key=options["key_field"], name=options["name_field"]),
                    on_feature=bar.update,
                )
        except (FileNotFoundError, KeyError, UnknownGemeinde) as exc:
            raise CommandError(str(exc).strip("'\"")) from exc
        self._print(report, options["verbosity"])

    def _print(self, report: StreetImportReport, verbosity: int) -> None:
        write_import_report(self, report, verbosity)
        if report.not_in_file:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.not_in_file)} streets of this Gemeinde in the database are not in the file "
                    f"and were left as they are: {', '.join(report.not_in_file[:20])}"
                    + (" ..." if len(report.not_in_file) > 20 else "")
                )
            )
