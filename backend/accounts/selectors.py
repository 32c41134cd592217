"""Token reads, scoped to the user asking: another user's token does not exist."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import ApiToken
from backend.core.errors import NotFound
from backend.core.types import Owner

# The orderings a list may ask for; the first is the default.
TOKEN_ORDERINGS = ("-created_at", "created_at", "name", "-name", "-last_used_at", "last_used_at")


def token_list(*, user: Owner, ordering: str = TOKEN_ORDERINGS[0]) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by(ordering, "-id")


def token_get(*, user: Owner, token_id: int) -> ApiToken:
    """The user's token; NotFound (404, never 403) when it is missing or belongs to someone else."""
    # The path's int converter takes any number of digits; past bigint PostgreSQL would raise, not miss.
    in_range = 0 < token_id < 2**63
    token = ApiToken.objects.filter(user=user, pk=token_id).first() if in_range else None
    if token is None:
        raise NotFound("token not found", details={"id": token_id})
    return token
