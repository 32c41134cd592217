"""`manage.py create_api_token <username>`: make the user if missing, print a new token last."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from backend.accounts.services import token_create, user_get_or_create
from backend.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create an API token for a user (created if missing); the token is the last line printed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            # One transaction: a token name that cannot be stored leaves no new user behind.
            with transaction.atomic():
                user, created = user_get_or_create(username=options["username"])
                _, raw = token_create(user=user, name=options["name"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if created:
            self.stdout.write(f"created user {options['username']}")
        self.stdout.write("token (shown once, store it now):")
        self.stdout.write(raw)
