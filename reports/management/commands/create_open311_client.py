"""Create an Open311 client application and print its api_key once."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from reports.open311.services import open311_client_create


class Command(BaseCommand):
    help = "Create an Open311 client application and print its api_key; it is stored only as a hash."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name")
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_email(options["email"])
        except ValidationError as error:
            raise CommandError(f"invalid e-mail address: {options['email']}") from error
        if not options["name"].strip():
            raise CommandError("the name must not be empty")
        client, key = open311_client_create(name=options["name"], contact_email=options["email"])
        self.stdout.write(f"Open311 client #{client.pk} {client.name}\napi_key: {key}\n")
        self.stdout.write("Keep the key now: it is stored only as a hash and cannot be shown again.\n")
