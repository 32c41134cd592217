"""`manage.py rotate_credentials`: re-encrypt every credential with the current (first) key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backend.credentials.keys import get_keyring
from backend.credentials.models import Credential
from backend.credentials.services import credential_reencrypt
from backend.credentials.vault import VaultError


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored credential with the first key of AUTOMATEOS_ENCRYPTION_KEYS. "
        "Safe to run again: rows already on the current key are skipped. Keep the old keys listed until it "
        "reports no failures."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            keyring = get_keyring()
        except VaultError as exc:
            raise CommandError(str(exc)) from exc
        total = Credential.objects.count()
        self.stdout.write(f"current key: {keyring.current_id}; {total} credential(s) to check")
        rotated = skipped = failed = 0
        # Ordered by pk and iterated in chunks so a large table is not loaded at once.
        for index, credential in enumerate(Credential.objects.order_by("pk").iterator(chunk_size=200), start=1):
            try:
                changed = credential_reencrypt(credential=credential)
            except VaultError as exc:
                failed += 1
                self.stderr.write(f"[{index}/{total}] {credential.pk} ({credential.name}): FAILED: {exc}")
                continue
            if changed:
                rotated += 1
                self.stdout.write(
                    f"[{index}/{total}] {credential.pk} ({credential.name}): "
                    f"{credential.key_id} -> {keyring.current_id}"
                )
            else:
                skipped += 1
        self.stdout.write(f"done: {rotated} re-encrypted, {skipped} already current, {failed} failed")
        if failed:
            raise CommandError(f"{failed} credential(s) could not be decrypted with the configured keys")
