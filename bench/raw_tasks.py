"""The floors: a raw Celery task doing what a node must at least do (one PostgreSQL update, one httpx call),
and bursts of parallel raw tasks (one httpx call each, or nothing) for the HTTP node rate's ceiling.

Its own Celery app and queue on the project's broker, with the project's delivery settings (late ack,
prefetch 1, JSON, no results), started as its own worker: `celery -A bench.raw_tasks worker -Q bench_raw`.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import httpx
import psycopg
import redis
from celery import Celery

QUEUE = "bench_raw"
TABLE = "bench_raw_counter"

app = Celery("bench_raw", broker=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"))
app.conf.update(
    task_default_queue=QUEUE,
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    broker_transport_options={"visibility_timeout": 3600},
)

_local = threading.local()
_client = httpx.Client(trust_env=False, limits=httpx.Limits(max_connections=200, max_keepalive_connections=50))
_redis: Any = None


def _connection() -> psycopg.Connection[Any]:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(os.environ["BENCH_RAW_DSN"])
    return conn


def prepare_table(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0)")
        conn.execute(f"INSERT INTO {TABLE} (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")


@app.task(name="bench_raw.hop", ignore_result=True)
def hop(url: str, token: str, last: bool) -> None:
    """One chain link: a committed UPDATE, a keep-alive GET; the last link reports when it ended."""
    conn = _connection()
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET n = n + 1 WHERE id = %s", (1,))
    conn.commit()
    _client.get(url).read()
    if last:
        report(token)


@app.task(name="bench_raw.burst", ignore_result=True)
def burst(url: str, token: str, total: int) -> None:
    """One of `total` parallel tasks: a keep-alive GET when `url` is set; the last to end reports when.
    The INCR that finds the last is one Redis round trip an engine node does not pay."""
    if url:
        _client.get(url).read()
    if _redis_client().incr(f"bench:burst:{token}") == total:
        report(token)


def _redis_client() -> Any:
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(app.conf.broker_url)
    return _redis


def report(token: str) -> None:
    """The last task's end time, for the driver's BLPOP."""
    _redis_client().rpush(f"bench:raw:{token}", repr(time.time()))
