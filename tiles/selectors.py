"""Reads of the tiles app: the data version of a layer."""

from __future__ import annotations

from django.db.models import Max

from tiles.models import LayerVersion


def layer_version(key: str) -> int:
    """Return the layer's current data version; 0 while no trigger has fired for it."""
    return int(LayerVersion.objects.filter(layer=key).aggregate(version=Max("version"))["version"] or 0)
