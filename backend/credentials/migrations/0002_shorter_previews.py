"""Previews stored under the old rule (4 + 3 characters) shrink to 2 + 1: never more than a quarter of a secret."""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations

_OLD = re.compile(r"^(.{4})…(.{3})$", re.S)


def shrink(apps: Any, schema_editor: Any) -> None:
    credential = apps.get_model("credentials", "Credential")
    for row in credential.objects.filter(masked_value__contains="…").only("pk", "masked_value").iterator():
        match = _OLD.match(row.masked_value)
        if match:
            # The secret's length is unknown here; 2 + 1 is at most a quarter of the shortest one shown.
            row.masked_value = f"{match.group(1)[:2]}…{match.group(2)[-1:]}"
            row.save(update_fields=["masked_value"])


class Migration(migrations.Migration):
    dependencies = [("credentials", "0001_initial")]
    operations = [migrations.RunPython(shrink, migrations.RunPython.noop)]
