"""Pages of the accounts app: log in and log out, for staff and registered citizens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from abuse.views import throttle_page
from accounts.forms import LoginForm


def _next_url(request: HttpRequest) -> str:
    """Return where to go after logging in: the page asked for, if it is ours, else the start page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    """Log a user in; a new session key is issued, so a key known before the login opens nothing."""
    if request.method == "POST":
        refused = throttle_page(request, "login")
        if refused is not None:
            return refused
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # login() cycles the session key (session fixation) and rotates the CSRF token.
        login(request, form.get_user())
        return HttpResponseRedirect(_next_url(request))
    status = 422 if form.is_bound else 200
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    """Log the user out and end the session; only by POST, so a link in a page cannot do it."""
    logout(request)
    return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL))
