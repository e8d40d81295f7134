"""The record of processing: every model field that holds personal data, why, on what basis and for how long.

The page /datenschutz/verzeichnis/ is generated from `REGISTRY`; a test fails when a model gains a
field whose name looks personal and that is neither listed here nor in `NOT_PERSONAL`, so the record
cannot silently drift from the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from privacy.conf import privacy_settings

# Field names that suggest personal data (whole words of a snake_case name).
PERSONAL_NAME = re.compile(
    r"(^|_)(name|username|email|mail|reporter|author|user|ip|phone|supporter|flagger|contact|address|session|client)(_|$)"
)

PUBLIC_TASK = _("Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit § 3 DSG NRW (Aufgabe im öffentlichen Interesse)")
CONSENT_OR_TASK = _(
    "Art. 6 Abs. 1 lit. e DSGVO; freiwillige Angaben (Name) zusätzlich Art. 6 Abs. 1 lit. a DSGVO (Einwilligung)"
)


@dataclass(frozen=True)
class PersonalData:
    """Fields of one model that hold personal data, with purpose, legal basis, retention and recipients."""

    model: str
    fields: tuple[str, ...]
    description: str | Promise
    purpose: str | Promise
    legal_basis: str | Promise
    # May name %(days)s (anonymisation period), %(session_days)s, %(idempotency_hours)s or %(throttle_hours)s.
    retention: str | Promise
    recipients: str | Promise

    def model_class(self) -> type[models.Model]:
        """Return the model these fields belong to."""
        return apps.get_model(self.model)

    def field_labels(self) -> list[str]:
        """Return the readable names of the fields."""
        options = self.model_class()._meta
        return [
            str(FIELD_LABELS.get(name) or getattr(options.get_field(name), "verbose_name", name))
            for name in self.fields
        ]

    def retention_text(self) -> str:
        """Return the retention with the configured periods filled in."""
        return str(self.retention) % {
            "days": privacy_settings().anonymise_after_days,
            "session_days": settings.SESSION_COOKIE_AGE // 86400,
            "idempotency_hours": settings.BK_REPORTS["IDEMPOTENCY_HOURS"],
            "throttle_hours": getattr(settings, "BK_ABUSE", {}).get("COUNTER_RETENTION_HOURS", 48),
        }


_TEXT_AUTHOR = _("Name, E-Mail-Adresse und Konto der Person, die den Text geschrieben hat; Bestätigungsschlüssel")
_ACCOUNT_LINK = _("Konto der Person (nur der Verweis auf das Konto)")
_KEY = _("Pseudonymer Schlüssel (HMAC-SHA-256 aus Konto oder Browsersitzung, keine IP-Adresse)")
_STAFF = _("Bearbeitende Person der Behörde (Verweis auf ihr Konto)")
_AUTHORITY = _("die zuständige Behörde; nie öffentlich")

REGISTRY: tuple[PersonalData, ...] = (
    PersonalData(
        model="auth.User",
        fields=(
            "username",
            "first_name",
            "last_name",
            "email",
            "password",
            "last_login",
            "date_joined",
            "groups",
            "user_permissions",
        ),
        description=_("Benutzerkonto: Benutzername, Name, E-Mail-Adresse, Passwort (nur als Hash), Anmeldezeitpunkte"),
        purpose=_("Anmeldung; Melden und Beitragen ohne E-Mail-Bestätigung; Arbeit der Behörden"),
        legal_basis=CONSENT_OR_TASK,
        retention=_("bis zur Löschung des Kontos (jederzeit selbst unter „Mein Konto“ möglich)"),
        recipients=_("niemand; Behörden sehen nur Name und E-Mail zu Meldungen und Beiträgen"),
    ),
    PersonalData(
        model="accounts.Membership",
        fields=("user",),
        description=_("Mitarbeit einer Person in einer Behörde und ihre Rolle"),
        purpose=_("Rechte zur Bearbeitung und Moderation"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis die Mitgliedschaft oder das Konto gelöscht wird"),
        recipients=_("Administration der Behörde"),
    ),
    PersonalData(
        model="reports.Report",
        fields=("reporter", "reporter_name", "reporter_email", "confirmation_token_hash"),
        description=_TEXT_AUTHOR,
        purpose=_("Bestätigung der Meldung per E-Mail, Rückfragen, Nachricht bei Änderungen des Bearbeitungsstands"),
        legal_basis=CONSENT_OR_TASK,
        retention=_(
            "bis %(days)s Tage nach Abschluss der Meldung, dann anonymisiert; Text, Ort und Fotos bleiben öffentlich"
        ),
        recipients=_AUTHORITY,
    ),
    PersonalData(
        model="reports.ReportUpdate",
        fields=("author",),
        description=_STAFF,
        purpose=_("Nachvollziehbarkeit der Bearbeitung"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis zur Löschung des Kontos; der Eintrag bleibt dann ohne Person"),
        recipients=_("die zuständige Behörde; öffentlich nur Status und Hinweis, nie die Person"),
    ),
    PersonalData(
        model="reports.Support",
        fields=("supporter_key",),
        description=_KEY,
        purpose=_("jede Unterstützung („Ich auch“) nur einmal je Person zählen"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis %(days)s Tage nach Abschluss der Meldung, dann durch einen Zufallswert ersetzt"),
        recipients=_("niemand; öffentlich ist nur die Anzahl"),
    ),
    PersonalData(
        model="reports.AbuseFlag",
        fields=("flagger_key", "reason"),
        description=_("Pseudonymer Schlüssel der meldenden Person und ihr Hinweis auf Missbrauch"),
        purpose=_("Moderation; jeden Hinweis nur einmal je Person zählen"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis %(days)s Tage nach Abschluss der Meldung, dann durch einen Zufallswert ersetzt"),
        recipients=_("Moderation der zuständigen Behörde"),
    ),
    PersonalData(
        model="reports.Open311Client",
        fields=("name", "contact_email"),
        description=_("Name der Anwendung und E-Mail-Adresse ihrer Ansprechperson"),
        purpose=_("Rückfragen zu einer Anwendung, die Meldungen über Open311 einreicht"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis die Anwendung gelöscht wird"),
        recipients=_("Administration des Portals"),
    ),
    PersonalData(
        model="procedures.Procedure",
        fields=("contact_name", "contact_email", "contact_phone"),
        description=_("Ansprechperson oder Stelle der Behörde für ein Verfahren"),
        purpose=_("Rückfragen zum Verfahren"),
        legal_basis=PUBLIC_TASK,
        retention=_("solange das Verfahren angezeigt wird"),
        recipients=_("öffentlich auf der Seite des Verfahrens"),
    ),
    PersonalData(
        model="procedures.Contribution",
        fields=("author", "author_name", "author_email", "confirmation_token_hash"),
        description=_TEXT_AUTHOR,
        purpose=_("Bestätigung des Beitrags per E-Mail, Nachricht bei einer Antwort der Behörde"),
        legal_basis=CONSENT_OR_TASK,
        retention=_("bis %(days)s Tage nach Ende des Verfahrens, dann anonymisiert; Text und Ort bleiben öffentlich"),
        recipients=_AUTHORITY,
    ),
    PersonalData(
        model="procedures.ContributionReply",
        fields=("author",),
        description=_STAFF,
        purpose=_("Nachvollziehbarkeit der Antworten"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis zur Löschung des Kontos; die Antwort bleibt dann ohne Person"),
        recipients=_("öffentlich nur der Text der Antwort, nie die Person"),
    ),
    PersonalData(
        model="procedures.ContributionSupport",
        fields=("supporter_key",),
        description=_KEY,
        purpose=_("jede Unterstützung nur einmal je Person zählen"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis %(days)s Tage nach Ende des Verfahrens, dann durch einen Zufallswert ersetzt"),
        recipients=_("niemand; öffentlich ist nur die Anzahl"),
    ),
    PersonalData(
        model="procedures.ContributionFlag",
        fields=("flagger_key", "reason"),
        description=_("Pseudonymer Schlüssel der meldenden Person und ihr Hinweis auf Missbrauch"),
        purpose=_("Moderation; jeden Hinweis nur einmal je Person zählen"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis %(days)s Tage nach Ende des Verfahrens, dann durch einen Zufallswert ersetzt"),
        recipients=_("Moderation der zuständigen Behörde"),
    ),
    PersonalData(
        model="privacy.AccessibilityFeedback",
        fields=("message", "email", "page_url"),
        description=_("Rückmeldung zur Barrierefreiheit und, freiwillig, eine E-Mail-Adresse für die Antwort"),
        purpose=_("Barrieren beseitigen und die Rückmeldung beantworten (§ 10 BGG NRW)"),
        legal_basis=CONSENT_OR_TASK,
        retention=_("%(days)s Tage nach Eingang, dann gelöscht"),
        recipients=_("die Kontaktstelle für Barrierefreiheit"),
    ),
    PersonalData(
        model="idempotency.IdempotencyRecord",
        fields=("body", "request_hash"),
        description=_(
            "Antwort auf eine wiederholbare API-Anfrage (ohne Name und E-Mail) und eine Prüfsumme der Anfrage"
        ),
        purpose=_("eine wiederholte Anfrage nicht doppelt ausführen"),
        legal_basis=PUBLIC_TASK,
        retention=_("wird nach %(idempotency_hours)s Stunden nicht mehr verwendet"),
        recipients=_("niemand"),
    ),
    PersonalData(
        model="sessions.Session",
        fields=("session_key", "session_data"),
        description=_("Sitzung: Anmeldung, Sprache, die eigenen noch nicht bestätigten Texte; keine IP-Adresse"),
        purpose=_("Anmeldung, Schutz vor gefälschten Formularen, eigene Texte vor der Bestätigung zeigen"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis zum Ablauf der Sitzung (höchstens %(session_days)s Tage), dann gelöscht"),
        recipients=_("niemand"),
    ),
    PersonalData(
        model="admin.LogEntry",
        fields=("user", "object_repr", "change_message"),
        description=_("Änderungsprotokoll der Verwaltung: wer wann was geändert hat"),
        purpose=_("Nachvollziehbarkeit von Änderungen in der Verwaltung"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis zur Löschung des Kontos der bearbeitenden Person"),
        recipients=_("Administration des Portals"),
    ),
    PersonalData(
        model="workspace.PersonalDataExport",
        fields=("user", "filter"),
        description=_("Protokoll der Exporte mit personenbezogenen Daten: wer, wann, welche Auswahl"),
        purpose=_("Nachweis, wer personenbezogene Daten aus dem Arbeitsbereich exportiert hat (Art. 5 Abs. 2 DSGVO)"),
        legal_basis=PUBLIC_TASK,
        retention=_("unbefristet als Nachweis; ein Konto mit solchen Einträgen kann nur die Administration löschen"),
        recipients=_("Administration des Portals und der Behörde"),
    ),
    PersonalData(
        model="abuse.ThrottleCounter",
        fields=("client_key",),
        description=_("Pseudonymer Schlüssel (HMAC-SHA-256) der Adresse des Geräts; keine IP-Adresse"),
        purpose=_("Schutz vor massenhaft automatisch abgeschickten Meldungen, Beiträgen und Anmeldeversuchen"),
        legal_basis=PUBLIC_TASK,
        retention=_("%(throttle_hours)s Stunden nach Ende des Zählfensters, dann gelöscht"),
        recipients=_("niemand"),
    ),
    # Only if django-axes (lockout after failed logins) is installed.
    PersonalData(
        model="axes.AccessAttempt",
        fields=("username", "user_agent", "ip_address", "get_data", "post_data", "http_accept", "path_info"),
        description=_("Fehlgeschlagene Anmeldeversuche: Benutzername, Browserkennung; keine IP-Adresse im Klartext"),
        purpose=_("Schutz der Konten vor dem Erraten von Passwörtern"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis die Sperre abläuft"),
        recipients=_("Administration des Portals"),
    ),
    PersonalData(
        model="axes.AccessLog",
        fields=("username", "user_agent", "ip_address", "http_accept", "path_info", "session_hash"),
        description=_("Anmeldungen und Abmeldungen: Benutzername, Browserkennung; keine IP-Adresse im Klartext"),
        purpose=_("Schutz der Konten; Aufklärung von Missbrauch"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis zur regelmäßigen Bereinigung des Protokolls"),
        recipients=_("Administration des Portals"),
    ),
    PersonalData(
        model="axes.AccessFailureLog",
        fields=("username", "user_agent", "ip_address", "http_accept", "path_info"),
        description=_("Protokoll fehlgeschlagener Anmeldungen; keine IP-Adresse im Klartext"),
        purpose=_("Schutz der Konten; Aufklärung von Missbrauch"),
        legal_basis=PUBLIC_TASK,
        retention=_("bis zur regelmäßigen Bereinigung des Protokolls"),
        recipients=_("Administration des Portals"),
    ),
)

# Labels for fields that have no German verbose name of their own.
FIELD_LABELS: dict[str, str | Promise] = {
    "confirmation_token_hash": _("Bestätigungsschlüssel (nur als Hash)"),
    "supporter_key": _("Schlüssel der unterstützenden Person"),
    "flagger_key": _("Schlüssel der meldenden Person"),
    "session_key": _("Sitzungskennung"),
    "session_data": _("Sitzungsdaten"),
}

# Fields whose names look personal but hold none, with the reason.
NOT_PERSONAL: dict[str, str] = {
    "auth.Group.name": "name of a permission group",
    "auth.Permission.name": "name of a permission",
    "geo.Authority.name": "name of a public authority",
    "geo.Street.name": "name of a street",
    "geo.Street.search_name": "name of a street, normalised for search",
    "reports.Category.name": "name of a report category",
    "reports.Open311Submission.client": "the client application that submitted a report, not a person",
}


def personal_looking_fields() -> Iterator[tuple[str, str]]:
    """Yield (model label, field name) of every concrete field of an installed model whose name looks personal."""
    for model in apps.get_models():
        # Unmanaged models are views of PostGIS's own metadata, not data of this portal.
        if not model._meta.managed:
            continue
        for field in model._meta.get_fields():
            if getattr(field, "concrete", False) and PERSONAL_NAME.search(field.name):
                yield model._meta.label, field.name


def installed_entries() -> list[PersonalData]:
    """Return the registry entries of the models this installation has."""
    installed = {model._meta.label for model in apps.get_models()}
    return [entry for entry in REGISTRY if entry.model in installed]
