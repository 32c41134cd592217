"""The Celery application; workers start it with `celery -A backend.config.celery worker`."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

app = Celery("automateos", include=["workers.tasks"])


class _CelerySettings(Mapping[str, Any]):
    """The CELERY_* Django settings, copied when Celery first reads its configuration.

    Celery looks settings up on every send (seven lookups a message). Read through django.conf,
    each went to the lazy settings object and its fallbacks: about a fifth of a send's CPU
    (cProfile of CeleryDispatcher.enqueue). Celery already reads its configuration once, lazily;
    the copy keeps that, and settings are not meant to change while a process runs.
    """

    @cached_property
    def _values(self) -> dict[str, Any]:
        # Not at import: the settings module imports this package, so they are not ready yet.
        from django.conf import settings

        return {name: getattr(settings, name) for name in dir(settings) if name.startswith("CELERY_")}

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


app.config_from_object(_CelerySettings(), namespace="CELERY")


@app.on_after_configure.connect
def _no_false_deprecations(sender: Celery, source: Any, **_: Any) -> None:
    # Under the CELERY namespace three current names (CELERY_RESULT_BACKEND, _TASK_SERIALIZER,
    # _ACCEPT_CONTENT) spell Celery 3's old ones. Celery reads them as the current names (a
    # namespace always means the new format) but, now that the copy lists its keys, it also warned
    # at every worker start that they are deprecated; django.conf's lazy object hid them from it.
    source.deprecated_settings = set()
