"""factory-boy factories for the models the tests build."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from backend.workflows.models import Workflow


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-only")


class WorkflowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workflow

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"workflow {n}")
    graph = factory.LazyFunction(
        lambda: {
            "nodes": [{"id": "start", "type": "start", "position": {"x": 0, "y": 0}, "data": {"config": {}}}],
            "edges": [],
        }
    )
