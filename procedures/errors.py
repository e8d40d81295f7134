"""Errors of participation procedures, each with a message a citizen understands."""

from django.utils.translation import gettext_lazy as _

from config.errors import Conflict, NotFound, ValidationFailed


class ProcedureNotFound(NotFound):
    """The procedure does not exist or is not published."""

    code = "procedure_not_found"
    default_message = _("Dieses Beteiligungsverfahren gibt es nicht, oder es ist (noch) nicht veröffentlicht.")


class ProcedureNotStarted(Conflict):
    """The procedure takes contributions only from its start."""

    code = "procedure_not_started"
    default_message = _("Das Verfahren „%(title)s“ beginnt erst am %(starts)s. Bis dahin sind keine Beiträge möglich.")


class ProcedureEnded(Conflict):
    """The procedure took contributions until its end; it is over."""

    code = "procedure_ended"
    default_message = _("Das Verfahren „%(title)s“ ist am %(ends)s zu Ende gegangen. Beiträge sind nicht mehr möglich.")


class ContributionsNotTaken(Conflict):
    """A Mängelmelder takes reports, not contributions."""

    code = "contributions_not_taken"
    default_message = _("In diesem Verfahren melden Sie Mängel über den Mängelmelder: %(url)s")


class GeometryNotAllowed(ValidationFailed):
    """The procedure does not take contributions of this shape."""

    code = "geometry_not_allowed"
    default_message = _("In diesem Verfahren sind als Ort nur möglich: %(allowed)s.")


class GeometryRequired(ValidationFailed):
    """The procedure takes only contributions with a place."""

    code = "geometry_required"
    default_message = _("Bitte markieren Sie den Ort Ihres Beitrags auf der Karte oder geben Sie Koordinaten an.")


class GeometryTooLarge(ValidationFailed):
    """A line too long or an area too large for the procedure's limits."""

    code = "geometry_too_large"
    default_message = _("Der eingezeichnete Ort ist zu groß: %(reason)s")


class ContributionNotFound(NotFound):
    """The contribution does not exist or is not visible to this user."""

    code = "contribution_not_found"
    default_message = _("Diesen Beitrag gibt es nicht, oder er ist (noch) nicht öffentlich.")


class ReplyRequired(ValidationFailed):
    """A reply needs text."""

    code = "reply_required"
    default_message = _("Bitte schreiben Sie eine Antwort.")


class GeometryNotTaken(ValidationFailed):
    """The procedure takes contributions as text only."""

    code = "geometry_not_taken"
    default_message = _("In diesem Verfahren sind Beiträge nur als Text möglich, ohne Ort auf der Karte.")


class ContributionTextRequired(ValidationFailed):
    """A contribution needs text."""

    code = "text_required"
    default_message = _("Bitte schreiben Sie Ihren Beitrag.")


class TextTooLong(ValidationFailed):
    """A contribution or reply longer than a contribution may be."""

    code = "text_too_long"
    default_message = _("Der Text ist zu lang: erlaubt sind höchstens %(limit)s Zeichen, er hat %(length)s.")


class ContributionEmailRequired(ValidationFailed):
    """A contribution without an account needs an email address to be confirmed."""

    code = "email_required"
    default_message = _(
        "Ohne Benutzerkonto brauchen wir Ihre E-Mail-Adresse: Ihr Beitrag wird veröffentlicht, "
        "sobald Sie den Link in unserer E-Mail öffnen."
    )


class InvalidContributionConfirmation(NotFound):
    """A confirmation link that is unknown or was used already."""

    code = "invalid_confirmation"
    default_message = _("Dieser Bestätigungslink ist ungültig oder wurde schon verwendet.")


class FlagReasonRequired(ValidationFailed):
    """A notice of abuse needs a reason for the moderators."""

    code = "reason_required"
    default_message = _("Bitte beschreiben Sie kurz, was an diesem Beitrag nicht in Ordnung ist.")


class HideReasonRequired(ValidationFailed):
    """Hiding a contribution needs a reason for the record."""

    code = "reason_required"
    default_message = _("Bitte geben Sie einen Grund an, warum der Beitrag verborgen wird.")
