"""Demo data of the Mängelmelder: categories and policies from fixtures/demo, and a few reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import transaction

from accounts.models import Membership, Role
from geo import crs as crs_module
from geo.models import Authority
from reports import services
from reports.models import Category, CategoryQuestion, Report, ReportingPolicy, ReportStatus

DEMO_USERNAME = "demo-buergerin"
# Staff accounts to try the workflow with; their passwords are unusable until set with changepassword.
DEMO_STAFF = (
    ("koeln-bearbeitung", "05315000", Role.PROCESSOR),
    ("koeln-moderation", "05315000", Role.MODERATOR),
    ("land-administration", "05", Role.ADMINISTRATOR),
)


@transaction.atomic
def categories_load(path: Path) -> int:
    """Upsert the categories and policies of a demo file by (authority, code); return how many categories."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for policy in data.get("policies", []):
        ReportingPolicy.objects.update_or_create(
            authority=Authority.objects.get(key=policy["authority"]),
            defaults={"confirm_anonymous_reports": policy["confirm_anonymous_reports"]},
        )
    count = 0
    for entry in data["categories"]:
        for key in entry["authorities"]:
            category, _ = Category.objects.update_or_create(
                authority=Authority.objects.get(key=key),
                code=entry["code"],
                defaults={
                    "name": entry["name"],
                    "description": entry.get("description", ""),
                    "duplicate_radius_m": entry.get("duplicate_radius_m", 50),
                    "position": entry.get("position", 0),
                    "is_active": True,
                },
            )
            _questions_replace(category, entry.get("questions", []))
            count += 1
    return count


def _questions_replace(category: Category, questions: list[dict[str, Any]]) -> None:
    codes = [question["code"] for question in questions]
    category.questions.exclude(code__in=codes).delete()
    for position, question in enumerate(questions):
        CategoryQuestion.objects.update_or_create(
            category=category,
            code=question["code"],
            defaults={
                "prompt": question["prompt"],
                "help_text": question.get("help_text", ""),
                "datatype": question["datatype"],
                "required": question.get("required", False),
                "choices": question.get("choices", []),
                "position": position,
            },
        )


def _point(lon: float, lat: float) -> Point:
    x, y = crs_module.transform_coords([(lon, lat)], crs_module.CRS84, crs_module.STORAGE)[0]
    return Point(float(x), float(y), srid=crs_module.STORAGE_SRID)


# (lon, lat, category, description, answers, status, note)
_DEMO_REPORTS: tuple[tuple[float, float, str, str, dict[str, Any], str, str], ...] = (
    (
        6.95839,
        50.94134,
        "strassenschaden",
        "Tiefes Schlagloch vor dem Eingang, Radfahrende weichen auf die Fahrbahn aus.",
        {"groesse": "mittel", "flaeche": ["radweg"]},
        ReportStatus.IN_PROGRESS,
        "Der Schaden ist aufgenommen; die Reparatur ist für nächste Woche geplant.",
    ),
    (
        6.94162,
        50.93712,
        "strassenbeleuchtung",
        "Die Laterne an der Ecke ist seit Tagen dunkel.",
        {"mastnummer": "K-4711"},
        ReportStatus.RESOLVED,
        "Leuchtmittel getauscht. Danke für den Hinweis!",
    ),
    (
        6.96717,
        50.93521,
        "muell",
        "Alte Matratzen und Reifen am Straßenrand.",
        {"art": ["sperrmuell", "reifen"], "menge": 2},
        ReportStatus.CONFIRMED,
        "Die AWB holen den Müll ab.",
    ),
    (
        6.97311,
        50.95702,
        "gruenflaeche",
        "Die Schaukel auf dem Spielplatz hat eine gerissene Kette.",
        {},
        ReportStatus.SUBMITTED,
        "",
    ),
    (
        7.46529,
        51.51361,
        "strassenschaden",
        "Gehwegplatten angehoben, Stolpergefahr.",
        {"groesse": "gross", "flaeche": ["gehweg"]},
        ReportStatus.SUBMITTED,
        "",
    ),
)


@transaction.atomic
def reports_create() -> int:
    """Create the demo reports once (by a demo account, so they are public at once); return how many."""
    user_model = get_user_model()
    citizen, _ = user_model.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": ""})
    staff = {}
    for username, authority_key, role in DEMO_STAFF:
        user, created = user_model.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_unusable_password()
            user.save()
        Membership.objects.get_or_create(
            user=user, authority=Authority.objects.get(key=authority_key), defaults={"role": role}
        )
        staff[authority_key] = user
    if Report.objects.filter(reporter=citizen).exists():
        return 0
    for lon, lat, code, description, answers, status, note in _DEMO_REPORTS:
        report = services.report_create(
            category_code=code, location=_point(lon, lat), description=description, answers=answers, user=citizen
        )
        if status != ReportStatus.SUBMITTED:
            services.report_change_status(user=staff["05"], report_id=report.pk, status=status, note=note, public=True)
    return len(_DEMO_REPORTS)
