"""The project's settings without any tile cache: every tile request is built by PostGIS."""

from config.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
BK_TILES = {"MEMORY_CACHE_BYTES": 0}
