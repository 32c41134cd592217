"""`make bench`: the engine measured against raw Celery, httpx and the issue's targets."""
