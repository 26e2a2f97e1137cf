"""Test settings: the production settings with only what tests need changed.

DATABASE_URL picks PostgreSQL (as in CI); without it the suite runs on SQLite and the tests
marked `postgres` are skipped with a printed reason.
"""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "k" * 30)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")

from .settings import *  # noqa: E402,F403
from .settings import BASE_DIR, DATABASES, VAR_DIR  # noqa: E402

if "DATABASE_URL" not in os.environ:
    DATABASES["default"]["NAME"] = str(VAR_DIR / "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "test-private")},
    },
}
STATICFILES_DIRS = [BASE_DIR / "static"]

# Security (issue 8). Other areas' tests sign in with client.force_login and no second factor,
# so enforcement is off here; the security tests turn it back on (tests/security/conftest.py).
MFA_ENFORCED = False
# client.login() passes no request, which django-axes refuses; the axes tests enable it.
AXES_ENABLED = False
# Browser tests sign the same person in more than once a minute.
OTP_EMAIL_COOLDOWN_DURATION = 0
# Clock policies and closure days are read from the database every time: many tests change
# them with queryset.update(), which sends no signal to forget the per-process copy
# (pathways.policies). tests/pathways/test_policy_cache.py turns the cache on.
CLOCK_SETTINGS_CACHE_SECONDS = 0

RETENTION_BATCH_PAUSE_SECONDS = 0  # tests run the sweep over a handful of referrals
RETENTION_BUSY_SHARE = 1.0  # and never rest between batches (tests/security/test_retention.py)
# Uploads in other areas' tests are not about scanning; tests/security/test_malware_scan.py turns
# it on against a private clamd (tests/security/clamd.py).
CLAMAV_ENABLED = False
DASHBOARD_LIVE_SECONDS = 0  # figures tests give their own "now"; the cache has its own test
# Rate limits (portal/ratelimits.py): property-based tests post the same form dozens of times,
# so the limits are off here; tests/security/test_rate_limits.py turns them on. Counted per
# process, never in a Redis another test run shares.
RATELIMIT_ENABLE = False
# Never a Redis another test run shares: the default cache and sessions stay in the process
# and the database (tests/portal/test_settings_multinode.py checks the production choice).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
CACHES = {
    **CACHES,  # noqa: F405
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                  "LOCATION": "ratelimit-tests"},
}

# demo_data's history through the real services takes minutes at the demo's 45 a month on
# PostgreSQL; the demo tests check its shape and its figures, not its size.
DEMO_HISTORY_PER_MONTH = 8
# The signed-in cache (portal/signed_in.py) is off: many tests change people's roles with
# queryset.update(), which sends no signal. tests/portal/test_signed_in_cache.py turns it on.
SIGNED_IN_CACHE_SECONDS = 0
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES["signed_in"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                       "LOCATION": "signed-in-tests"}
# Referral PDFs are rendered by the (eager) worker into a per-process cache, as in production
# but never in a Redis another test run shares.
PDF_RENDER_IN_WORKER = True
CACHES["pdfs"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pdfs-tests"}
CACHES["dashboard"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                       "LOCATION": "dashboard-tests"}
