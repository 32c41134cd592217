"""Task messages (`workers.run_step` and the benchmark's floor) in Celery's protocol 2, as kombu's Redis
transport stores them."""

from __future__ import annotations

import base64
import json
import os
import socket
import uuid
from functools import lru_cache
from typing import Any

# args, kwargs, and the embed Celery sends with a task that has no callbacks, chain or chord.
_EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}


@lru_cache(maxsize=4)
def _origin(pid: int) -> str:
    # What Celery's anon_nodename() gives a producer: the worker logs it as the message's origin.
    return f"gen{pid}@{socket.gethostname()}"


def encode(*, task: str, args: list[Any], queue: str, reply_to: str) -> str:
    """One message as the transport's LPUSH would carry it; the worker decodes it like any other."""
    task_id = str(uuid.uuid4())
    body = json.dumps([args, {}, _EMBED]).encode()
    headers: dict[str, Any] = {
        "lang": "py", "task": task, "id": task_id, "shadow": None, "eta": None, "expires": None,
        "group": None, "group_index": None, "retries": 0, "timelimit": [None, None], "root_id": task_id,
        "parent_id": None, "argsrepr": repr(args), "kwargsrepr": "{}", "origin": _origin(os.getpid()),
        "ignore_result": None, "replaced_task_nesting": 0, "stamped_headers": None, "stamps": {},
    }  # fmt: skip
    properties: dict[str, Any] = {
        "correlation_id": task_id, "reply_to": reply_to, "delivery_mode": 2,
        "delivery_info": {"exchange": "", "routing_key": queue}, "priority": 0, "body_encoding": "base64",
        "delivery_tag": str(uuid.uuid4()),
    }  # fmt: skip
    return json.dumps(
        {
            "body": base64.b64encode(body).decode(),
            "content-encoding": "utf-8",
            "content-type": "application/json",
            "headers": headers,
            "properties": properties,
        }
    )
