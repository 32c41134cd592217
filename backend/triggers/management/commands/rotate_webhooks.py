"""`manage.py rotate_webhooks`: seal every webhook's URL token and secret with the current (first) key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backend.credentials.keys import get_keyring
from backend.credentials.vault import VaultError
from backend.triggers.models import Webhook
from backend.triggers.webhook_services import webhook_reseal


class Command(BaseCommand):
    help = (
        "Re-seal every webhook's URL token and signing secret with the first key of AUTOMATEOS_ENCRYPTION_KEYS "
        "(run it with rotate_credentials). Keep the old keys listed until it reports no failures."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            current = get_keyring().current_id
        except VaultError as exc:
            raise CommandError(str(exc)) from exc
        resealed = skipped = failed = 0
        for hook in Webhook.objects.select_related("workflow").order_by("pk").iterator(chunk_size=200):
            try:
                changed = webhook_reseal(hook=hook)
            except VaultError as exc:
                failed += 1
                self.stderr.write(f"{hook.pk} (workflow {hook.workflow_id}): FAILED: {exc}")
                continue
            resealed, skipped = resealed + changed, skipped + (not changed)
        self.stdout.write(
            f"current key: {current}; done: {resealed} re-sealed, {skipped} already current, {failed} failed"
        )
        if failed:
            raise CommandError(f"{failed} webhook(s) could not be opened with the configured keys")
