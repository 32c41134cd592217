"""Names for the ids and owners that services pass around, so signatures say what they take."""

from __future__ import annotations

import uuid
from typing import TypeAlias

from django.contrib.auth.models import User

# The owner of workflows, runs and credentials (AUTH_USER_MODEL is Django's own User).
Owner: TypeAlias = User
# A primary key of ours: a UUID, or its text as it arrives in a URL, a message or a JSON body.
Uuid: TypeAlias = uuid.UUID | str
