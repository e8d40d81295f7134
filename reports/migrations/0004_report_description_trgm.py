"""Index report descriptions by trigrams for the workspace's text filter and duplicate search."""

import django.contrib.postgres.indexes
import django.contrib.postgres.operations
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_open311client_open311submission"),
    ]

    operations = [
        # Usually there since geo's street search; a PostGIS given by DATABASE_URL may lack it.
        django.contrib.postgres.operations.TrigramExtension(),
        migrations.AddIndex(
            model_name="report",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["description"], name="report_description_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
