"""Placeholder views: replaced by the real ones."""

from rest_framework.views import APIView


class WorkflowListApi(APIView):
    pass


class WorkflowDetailApi(APIView):
    pass


class WorkflowExportApi(APIView):
    pass
