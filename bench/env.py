"""The environment every bench process shares: its own database, Redis db 8, bench views on.

Set before Django is imported (the orchestrator, gunicorn and the Celery worker all read it).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


def bench_environ(db_name: str) -> dict[str, str]:
    """Production settings (DEBUG off) made to run on loopback over plain HTTP."""
    var_dir = ROOT / "var" / "bench"
    (var_dir / "static").mkdir(parents=True, exist_ok=True)
    return {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"{PG_SERVER}/{db_name}",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "b" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        # No collectstatic step: plain storage, whitenoise serves from the finders' files.
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "BENCH_VIEWS": "true",
        # Second factor: the bench marks its sessions verified when the mfa app is installed;
        # this switch is the fallback for a version of the app without that hook.
        "MFA_ENFORCED": os.environ.get("MFA_ENFORCED", "true"),
        "LOG_LEVEL": "WARNING",
        "PORTAL_VAR_DIR": str(var_dir),
        "STATIC_ROOT": str(var_dir / "static"),
        "DB_CONN_MAX_AGE": "600",
        # One bench referrer POSTs the check page hundreds of times a run: above the account's
        # 400/h "draft_edits" limit once a submission is fast enough (issue 19: 429s stopped the
        # row). The limit stays on (its middleware and Redis count are part of the cost).
        "RATE_LIMIT_DRAFT_EDITS": "1000000/h,1000000/h",
    }
