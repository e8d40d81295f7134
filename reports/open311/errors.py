"""Errors only Open311 answers with."""

from django.utils.translation import gettext_lazy as _

from config.errors import BadRequest, Forbidden, NotFound


class InvalidApiKey(Forbidden):
    """The api_key is missing, unknown or switched off."""

    code = "invalid_api_key"
    default_message = _("Der api_key fehlt oder ist ungültig.")


class LocationRequired(BadRequest):
    """A request without lat and long: we do not geocode addresses."""

    code = "location_required"
    default_message = _("Bitte geben Sie den Ort mit lat und long an; address_string allein genügt nicht.")


class UnknownJurisdiction(NotFound):
    """A jurisdiction_id other than ours."""

    code = "unknown_jurisdiction"
    default_message = _("Die jurisdiction_id „%(jurisdiction)s“ gibt es hier nicht; erlaubt ist „nrw“.")


class UnknownService(NotFound):
    """A service_code no authority offers anywhere."""

    code = "unknown_service"
    default_message = _("Den service_code „%(service_code)s“ gibt es nicht.")


class UnknownToken(NotFound):
    """A token no Open311 request was answered with."""

    code = "unknown_token"
    default_message = _("Diesen Token gibt es nicht.")


class MediaNotAccepted(BadRequest):
    """A media_url: we take photos only as uploads on the web."""

    code = "media_not_accepted"
    default_message = _("media_url wird nicht angenommen; Fotos können nur auf der Website hochgeladen werden.")
