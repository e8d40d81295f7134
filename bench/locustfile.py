"""Locust scenario for `make load`: citizens who mostly look at maps and lists, and a few who report with a photo."""

from __future__ import annotations

import math
import random
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = [path.read_bytes() for path in sorted((ROOT / "fixtures" / "photos").glob("*.jpg"))]

# Where map users look: NRW's big cities (lon, lat). Reports can only be filed where the demo data
# routes them (Köln), so posts stay there.
CITIES = [
    (6.9583, 50.9375),  # Köln
    (6.7735, 51.2277),  # Düsseldorf
    (7.4653, 51.5136),  # Dortmund
    (6.7623, 51.4344),  # Duisburg
    (7.0116, 51.4556),  # Essen
    (7.0982, 50.7374),  # Bonn
    (7.6261, 51.9607),  # Münster
    (6.6267, 51.4513),  # Moers
]
KOELN = (6.9490, 50.9363)
PROCEDURES = [
    "koeln-radverkehrskonzept-innenstadt",
    "koeln-bebauungsplan-ehrenfeld-wohnquartier",
    "koeln-laermaktionsplan-muelheim",
    "koeln-spielplatz-nippes",
    "duisburg-mehr-gruen-mitte",
    "kreis-wesel-radwegenetz",
]
# A map user zooms in more often than out: weights of z12 … z16.
ZOOMS = [12, 13, 14, 15, 16]
ZOOM_WEIGHTS = [2, 3, 4, 3, 2]


def near_city(spread_deg: float) -> tuple[float, float]:
    """Return a random place up to `spread_deg` degrees around a random city."""
    lon, lat = random.choice(CITIES)
    return lon + random.uniform(-spread_deg, spread_deg), lat + random.uniform(-spread_deg, spread_deg)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Return the web-mercator tile column and row holding a lon/lat place at zoom `z`."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


class MapReader(HttpUser):
    """A citizen browsing: the overview map, its tiles and features, lists, a procedure."""

    weight = 19
    wait_time = between(0.5, 2.0)

    @task(12)
    def tiles(self) -> None:
        """Fetch a screenful of neighbouring tiles, as MapLibre does after a pan or zoom."""
        z = random.choices(ZOOMS, ZOOM_WEIGHTS)[0]
        x, y = tile_of(*near_city(0.08), z)
        for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
            self.client.get(f"/tiles/reports/{z}/{x + dx}/{y + dy}.mvt", name="/tiles/reports/{z}/{x}/{y}.mvt")

    @task(3)
    def features(self) -> None:
        """Load the reports in a city-sized box as GeoJSON."""
        lon, lat = near_city(0.05)
        bbox = f"{lon - 0.03:.5f},{lat - 0.02:.5f},{lon + 0.03:.5f},{lat + 0.02:.5f}"
        self.client.get(
            f"/api/v1/layers/reports/features?bbox={bbox}&limit=500", name="/api/v1/layers/reports/features?bbox"
        )

    @task(2)
    def overview_map(self) -> None:
        """Open the overview map and the TileJSON its map asks for."""
        self.client.get("/karte/")
        self.client.get("/tiles/reports.json")

    @task(2)
    def report_list(self) -> None:
        """Open the list of reports."""
        self.client.get("/meldungen/")

    @task(1)
    def procedures(self) -> None:
        """List running procedures and open one."""
        self.client.get("/api/v1/procedures/?status=running")
        slug = random.choice(PROCEDURES)
        self.client.get(f"/verfahren/{slug}/", name="/verfahren/{slug}/")


class Reporter(HttpUser):
    """A citizen filing a defect report in Köln with a photo."""

    weight = 1
    wait_time = between(2.0, 5.0)

    @task
    def report(self) -> None:
        """Upload a photo, then create the report with it, protected by an Idempotency-Key."""
        photo = random.choice(PHOTOS)
        with self.client.post(
            "/api/v1/photos/", files={"file": ("foto.jpg", photo, "image/jpeg")}, catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"photo: {response.status_code} {response.text[:200]}")
                return
            photo_id = response.json()["id"]
        lon, lat = KOELN
        body: dict[str, Any] = {
            "category": "strassenschaden",
            "description": "Tiefes Schlagloch auf dem Radweg (Lasttest).",
            "location": {
                "type": "Point",
                "coordinates": [lon + random.uniform(-0.01, 0.01), lat + random.uniform(-0.01, 0.01)],
            },
            "answers": {"groesse": "mittel"},
            "photos": [photo_id],
            "name": "Erika Mustermann",
            "email": "erika@example.org",
        }
        with self.client.post(
            "/api/v1/reports/", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}, catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"report: {response.status_code} {response.text[:200]}")
