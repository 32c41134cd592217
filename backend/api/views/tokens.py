"""Placeholder views: replaced by the real ones."""

from rest_framework.views import APIView


class TokenListApi(APIView):
    pass
