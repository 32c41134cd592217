"""`manage.py bootstrap_admin`: create the `admin` user and a token the first time, printed once."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from backend.accounts.services import token_create


class Command(BaseCommand):
    help = "Create the admin superuser with a generated password and an API token, only if it does not exist."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(
                f"User '{username}' already exists (its password and token were printed on the first run).\n"
                f"  New API token:   python manage.py create_api_token {username}\n"
                f"  New password:    python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(15)
        with transaction.atomic():
            user = user_model.objects.create_superuser(username=username, email="", password=password)
            _, raw = token_create(user=user, name="bootstrap")
        bar = "=" * 72
        self.stdout.write(
            "\n".join(
                [
                    bar,
                    f"Created the '{username}' user. Shown ONCE, store them now:",
                    f"  username:  {username}",
                    f"  password:  {password}",
                    f"  API token: {raw}",
                    f"  (later: python manage.py create_api_token {username} makes another token)",
                    bar,
                ]
            )
        )
