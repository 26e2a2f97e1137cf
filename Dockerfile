# The portal's one image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

# WeasyPrint's libraries and a font (PDF copies of referrals); libmagic for attachment checks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core \
      libmagic1 curl \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORTAL_VAR_DIR=/var/lib/portal \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .

# Hashed, compressed static files are built into the image (no Node at run time). The secret
# here is only for this build step; the running container must be given its own.
RUN SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --home-dir /var/lib/portal portal \
 && mkdir -p /var/lib/portal/private \
 && chown -R portal /var/lib/portal

USER portal
EXPOSE 8000
# Liveness only (the process answers); readiness (/readyz) is for the orchestrator or the load
# balancer, which should stop sending traffic, not restart the container, when it fails.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8000/healthz || exit 1
CMD ["./scripts/docker-web"]
