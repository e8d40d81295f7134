"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

# Imported after Django is set up: the tile front reads settings and the layer registry.
from tiles.server import tile_front  # noqa: E402

application = tile_front(django_application)
