"""Pages of participation procedures (being written: helper B replaces this file)."""

from django.http import HttpRequest, HttpResponse


def document_file(request: HttpRequest, pk: int, filename: str) -> HttpResponse:
    raise NotImplementedError


def procedure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def contribution_support(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def contribution_flag(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def contribution_confirm(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
