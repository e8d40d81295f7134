"""Pages of the privacy app: privacy notice, record of processing, accessibility statement, the user's account."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from abuse.forms import HumanCheckMixin, SuspectedBot
from accounts.models import Membership
from config.errors import ApplicationError
from privacy import registry, selectors, services
from privacy.conf import privacy_settings
from procedures.models import Contribution
from reports.models import Report


def _settings_context() -> dict[str, Any]:
    return {"privacy": privacy_settings(), "session_days": settings.SESSION_COOKIE_AGE // 86400}


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """Show the privacy notice (Datenschutzerklärung) with the configured controller and periods."""
    cookies = [
        (settings.SESSION_COOKIE_NAME, _("Sitzung: Anmeldung und Ihre noch nicht bestätigten Texte")),
        (settings.CSRF_COOKIE_NAME, _("Schutz vor gefälschten Formularen (CSRF)")),
        (settings.LANGUAGE_COOKIE_NAME, _("die gewählte Sprache, nur wenn Sie sie umschalten")),
    ]
    return render(request, "privacy/notice.html", {**_settings_context(), "cookies": cookies})


@require_GET
def processing_record(request: HttpRequest) -> HttpResponse:
    """Show the record of what personal data is stored, generated from the registry."""
    rows = [
        {
            "entry": entry,
            "model": entry.model_class()._meta.verbose_name,
            "fields": entry.field_labels(),
            "retention": entry.retention_text(),
        }
        for entry in registry.installed_entries()
    ]
    return render(request, "privacy/record.html", {**_settings_context(), "rows": rows})


class FeedbackForm(HumanCheckMixin, forms.Form):
    """A barrier someone met, and how to answer them."""

    message = forms.CharField(
        label=_("Welche Barriere ist Ihnen begegnet?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Bitte beschreiben Sie kurz, was Ihnen begegnet ist.")},
    )
    page_url = forms.CharField(
        label=_("Betroffene Seite (freiwillig)"),
        max_length=500,
        required=False,
        help_text=_("Die Adresse der Seite oder eine kurze Beschreibung, wo das Problem auftritt."),
    )
    email = forms.EmailField(
        label=_("E-Mail für eine Antwort (freiwillig)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Nur wenn Sie eine Antwort wünschen. Wir löschen sie mit Ihrer Nachricht nach %(days)s Tagen."),
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@example.org.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = str(self.fields["email"].help_text) % {
            "days": privacy_settings().anonymise_after_days
        }


@require_http_methods(["GET", "HEAD", "POST"])
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """Show the accessibility statement (Erklärung zur Barrierefreiheit) and take feedback on barriers."""
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        try:
            # The form mails someone: keep programs that fill every field out.
            form.check_human()
        except SuspectedBot as exc:
            form.add_error(None, exc.message)
            context = {**_settings_context(), "form": form}
            return render(request, "privacy/accessibility.html", context, status=exc.status_code)
        if form.is_valid():
            services.accessibility_feedback_submit(
                message=form.cleaned_data["message"],
                email=form.cleaned_data["email"],
                page_url=form.cleaned_data["page_url"],
            )
            messages.success(
                request,
                _(
                    "Vielen Dank für Ihre Rückmeldung! Wir prüfen sie und antworten Ihnen, "
                    "wenn Sie eine E-Mail-Adresse angegeben haben."
                ),
            )
            return HttpResponseRedirect(f"{reverse('privacy:accessibility')}#rueckmeldung")
        status = 422
    else:
        # A link from another page may name that page, so that nobody has to type it.
        form = FeedbackForm(initial={"page_url": request.GET.get("seite", "")[:500]})
        status = 200
    return render(request, "privacy/accessibility.html", {**_settings_context(), "form": form}, status=status)


# --- The user's own account -----------------------------------------------------------------


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """Show what is stored about the signed-in user, with links to download and delete it."""
    # login_required: an account, never the anonymous user.
    user: Any = request.user
    context = {
        **_settings_context(),
        "reports": Report.objects.filter(reporter=user).count(),
        "contributions": Contribution.objects.filter(author=user).count(),
        "memberships": Membership.objects.filter(user=user).select_related("authority"),
    }
    return render(request, "privacy/account.html", context)


@login_required
@never_cache
@require_GET
def account_data(request: HttpRequest) -> HttpResponse:
    """Download everything stored about the signed-in user as JSON."""
    data = selectors.user_data_export(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="beteiligungskarte-meine-daten.json"'
    return response


class DeleteAccountForm(forms.Form):
    """The password again, and an explicit yes: deleting cannot be undone."""

    password = forms.CharField(
        label=_("Ihr Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Bitte geben Sie zur Bestätigung Ihr Passwort ein.")},
    )
    confirm = forms.BooleanField(
        label=_("Ja, ich möchte mein Konto endgültig löschen."),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten.")},
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the signed-in user's account after they confirm with their password."""
    form = DeleteAccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.account_delete(user=request.user, password=form.cleaned_data["password"])
            except ApplicationError as exc:
                status = exc.status_code
                form.add_error("password" if exc.status_code == 422 else None, exc.message)
            else:
                logout(request)
                messages.success(request, _("Ihr Konto ist gelöscht. Ihre Beiträge sind jetzt anonym."))
                return HttpResponseRedirect(reverse("privacy:notice"))
    return render(request, "privacy/account_delete.html", {**_settings_context(), "form": form}, status=status)
