"""Placeholder views: replaced by the real ones."""

from rest_framework.views import APIView


class RunListApi(APIView):
    pass


class RunDetailApi(APIView):
    pass


class RunEventListApi(APIView):
    pass


class RunCancelApi(APIView):
    pass
