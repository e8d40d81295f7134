"""Announce every new layer version with NOTIFY, so that tile servers hold the current versions in memory."""

from django.db import migrations

# The channel tiles.versions listens on; the payload is "<layer> <version>".
NOTIFYING_FUNCTION = """
CREATE OR REPLACE FUNCTION tiles_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bumped record;
BEGIN
    -- TG_ARGV names the layers the changed table feeds; one new version per layer and statement.
    FOR bumped IN
        INSERT INTO tiles_layerversion (layer, version, changed_at)
        SELECT layer, nextval('tiles_layerversion_seq'), now() FROM unnest(TG_ARGV) AS layer
        ON CONFLICT (layer) DO UPDATE SET version = EXCLUDED.version, changed_at = EXCLUDED.changed_at
        RETURNING layer, version
    LOOP
        -- Delivered when (and only if) the writing transaction commits.
        PERFORM pg_notify('tiles_layer_version', bumped.layer || ' ' || bumped.version);
    END LOOP;
    RETURN NULL;
END
$$;
"""

SILENT_FUNCTION = """
CREATE OR REPLACE FUNCTION tiles_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tiles_layerversion (layer, version, changed_at)
    SELECT layer, nextval('tiles_layerversion_seq'), now() FROM unnest(TG_ARGV) AS layer
    ON CONFLICT (layer) DO UPDATE SET version = EXCLUDED.version, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("tiles", "0001_initial")]

    operations = [migrations.RunSQL(NOTIFYING_FUNCTION, SILENT_FUNCTION)]
