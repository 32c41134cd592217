# AutomateOS image: the same code runs as web (uvicorn), worker (celery) or reaper; see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=backend.config.settings \
    AUTOMATEOS_ENV=production \
    AUTOMATEOS_DATA_DIR=/data

WORKDIR /app

# Dependencies first: this layer is reused until requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

# Everything else (.dockerignore keeps out .env, .venv, var/ and caches).
COPY . .

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin automateos \
    && mkdir -p /data \
    && chown -R automateos /data

USER automateos
EXPOSE 8000
VOLUME ["/data"]

CMD ["sh", "-c", "python manage.py migrate --noinput && exec python -m backend.core.webserver 0.0.0.0 8000"]
