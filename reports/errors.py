"""Errors of the Mängelmelder, each with a message a citizen understands."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError, Conflict, NotFound, ValidationFailed


class CategoryNotOffered(ApplicationError):
    """Nobody offers the chosen category at this place."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "category_not_offered"
    default_message = _(
        "An diesem Ort nimmt niemand Meldungen der Kategorie „%(category)s“ an. "
        "Am nächsten bietet sie %(authority)s an (%(distance)s km entfernt)."
    )


class UnknownCategory(ValidationFailed):
    """No authority offers a category of this code anywhere."""

    code = "unknown_category"
    default_message = _("Die Kategorie „%(category)s“ gibt es nicht.")


class InvalidAnswers(ValidationFailed):
    """The answers to a category's extra questions do not fit."""

    code = "invalid_answers"
    default_message = _("Bitte prüfen Sie die Antworten auf die Zusatzfragen.")


class EmailRequired(ValidationFailed):
    """An anonymous report needs an email address to be confirmed."""

    code = "email_required"
    default_message = _(
        "Ohne Benutzerkonto brauchen wir Ihre E-Mail-Adresse: Ihre Meldung wird veröffentlicht, "
        "sobald Sie den Link in unserer E-Mail öffnen."
    )


class InvalidPhotos(ValidationFailed):
    """Photo ids that are unknown, already used, or too many."""

    code = "invalid_photos"
    default_message = _("Die Fotos konnten nicht übernommen werden: %(reason)s")


class ReportNotFound(NotFound):
    """The report does not exist or is not visible to this user."""

    code = "report_not_found"
    default_message = _("Diese Meldung gibt es nicht, oder sie ist (noch) nicht öffentlich.")


class InvalidTransition(Conflict):
    """A status change the workflow does not allow."""

    code = "invalid_transition"
    default_message = _("Eine Meldung im Status „%(current)s“ kann nicht auf „%(target)s“ gesetzt werden.")


class NoteRequired(ValidationFailed):
    """A public change needs a note for the citizen."""

    code = "note_required"
    default_message = _("Jede öffentliche Änderung braucht einen Hinweis, den die Meldenden lesen.")


class InvalidConfirmation(NotFound):
    """A confirmation link that is unknown or was used already."""

    code = "invalid_confirmation"
    default_message = _("Dieser Bestätigungslink ist ungültig oder wurde schon verwendet.")
