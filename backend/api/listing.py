"""Conventions every /v1 list shares: ?page (1-based), ?page_size (alias pageSize), ?ordering from an allow-list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.validation import int_param
from backend.core.errors import NotFound, ValidationFailed

PAGE_SIZE_ALIAS = "pageSize"  # the prototype's spelling, kept so its clients keep working
_POSITIVE = {"type": "integer", "minimum": 1}


class ApiPagination(PageNumberPagination):
    """DRF's page-number pagination with our error answers: a page or size that is not a positive
    integer is a 400, a page past the last one a 404 naming how many pages there are."""

    page_size_query_param = "page_size"

    def __init__(self) -> None:
        self.page_size = settings.AUTOMATEOS["API_PAGE_SIZE"]
        self.max_page_size = settings.AUTOMATEOS["API_MAX_PAGE_SIZE"]

    def get_page_size(self, request: Request) -> int:
        for name in (self.page_size_query_param, PAGE_SIZE_ALIAS):
            if request.query_params.get(name) not in (None, ""):
                most = int(settings.AUTOMATEOS["API_MAX_PAGE_SIZE"])
                return min(int_param(request.query_params, name, default=1, minimum=1), most)
        return int(settings.AUTOMATEOS["API_PAGE_SIZE"])

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        number = int_param(request.query_params, self.page_query_param, default=1, minimum=1)
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise NotFound(
                f"page {number} is out of range: there are {paginator.num_pages} page(s)",
                details={"page": number, "pages": paginator.num_pages},
            ) from None
        return list(self.page)


def ordering_param(request: Request, allowed: Sequence[str]) -> str:
    """The `?ordering=` value, one of `allowed` (the first is the default); 400 naming them otherwise."""
    value = request.query_params.get("ordering") or allowed[0]
    if value not in allowed:
        raise ValidationFailed(
            f"`ordering` must be one of {', '.join(allowed)}", details={"ordering": [f"one of {', '.join(allowed)}"]}
        )
    return value


def paginated(request: Request, view: APIView, rows: Iterable[Any], render: Callable[[Any], Any]) -> Response:
    """`{count, next, previous, results}` for one page of `rows` (a queryset or a list), absolute links."""
    paginator = ApiPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response([render(row) for row in page])


def list_parameters(orderings: Sequence[str]) -> list[OpenApiParameter]:
    """The schema's query parameters of a list with these orderings (page, page_size, its alias, ordering)."""
    default, most = settings.AUTOMATEOS["API_PAGE_SIZE"], settings.AUTOMATEOS["API_MAX_PAGE_SIZE"]
    size = f"items per page (default {default}, at most {most})"
    return [
        OpenApiParameter("page", _POSITIVE, description="1-based page number; past the last page: 404"),
        OpenApiParameter("page_size", _POSITIVE, description=size),
        OpenApiParameter(PAGE_SIZE_ALIAS, _POSITIVE, description="alias of page_size"),
        OpenApiParameter(
            "ordering", OpenApiTypes.STR, enum=list(orderings), description=f"sort order (default {orderings[0]})"
        ),
    ]
