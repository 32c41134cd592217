"""Placeholder views: replaced by the real ones."""

from rest_framework.views import APIView


class CredentialListApi(APIView):
    pass


class CredentialDetailApi(APIView):
    pass
