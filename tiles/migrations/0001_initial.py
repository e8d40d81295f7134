"""Create the layer versions and the statement-level triggers that bump them on every write to a source table."""

from django.db import migrations, models

# Which layers read which table (the FROM clauses of layers/registry.py, frozen as of this migration).
_AUTHORITY_LAYERS = ("authorities-land", "authorities-regierungsbezirke", "authorities-kreise", "authorities-gemeinden")
TABLE_LAYERS = {
    "reports_report": ("reports",),
    "reports_category": ("reports",),
    "procedures_procedure": ("procedures", "contributions"),
    "procedures_contribution": ("contributions",),
    "geo_authority": ("reports", "procedures", *_AUTHORITY_LAYERS),
}

CREATE_FUNCTION = """
CREATE SEQUENCE tiles_layerversion_seq;
CREATE FUNCTION tiles_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV names the layers the changed table feeds; one new version per layer and statement.
    INSERT INTO tiles_layerversion (layer, version, changed_at)
    SELECT layer, nextval('tiles_layerversion_seq'), now() FROM unnest(TG_ARGV) AS layer
    ON CONFLICT (layer) DO UPDATE SET version = EXCLUDED.version, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$;
"""
DROP_FUNCTION = "DROP FUNCTION tiles_bump_layer_version(); DROP SEQUENCE tiles_layerversion_seq;"


def _create_trigger(table: str, layers: tuple[str, ...]) -> str:
    arguments = ", ".join(f"'{layer}'" for layer in layers)
    return (
        f"CREATE TRIGGER tiles_layer_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump_layer_version({arguments});"
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("geo", "0002_street"),
        ("procedures", "0002_area_attribution"),
        ("reports", "0003_open311client_open311submission"),
    ]

    operations = [
        migrations.CreateModel(
            name="LayerVersion",
            fields=[
                ("layer", models.CharField(max_length=100, primary_key=True, serialize=False, verbose_name="Ebene")),
                ("version", models.BigIntegerField(verbose_name="Version")),
                ("changed_at", models.DateTimeField(verbose_name="geändert am")),
            ],
            options={
                "verbose_name": "Datenstand einer Ebene",
                "verbose_name_plural": "Datenstände der Ebenen",
            },
        ),
        migrations.RunSQL(CREATE_FUNCTION, DROP_FUNCTION),
        *(
            migrations.RunSQL(_create_trigger(table, layers), f"DROP TRIGGER tiles_layer_version ON {table};")
            for table, layers in TABLE_LAYERS.items()
        ),
    ]
