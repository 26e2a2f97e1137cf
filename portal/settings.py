"""Settings for the safeguarding referral portal.

One module: every difference between the demo, a developer's machine and production is an
environment variable, documented in the README's configuration table. With DEBUG off the
defaults are production-safe (secure cookies, HSTS, no default secret key).
"""

import logging
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = "Make a safeguarding referral"
COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "London Borough of Southwark")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_forms_gds",
    "guardian",
    "accounts",
    "audit",
    "pathways",
    "directory",
    "referrals",
    "feedback",
    "challenges",
    "consultations",
    "learning",
    "outbox",
    "ops",
    "triage",
    "dashboard",
    # The project itself, for commands that span every app (demo_data): the top layer.
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # GOV.UK times everywhere (core.timetext); `{% site_url %}`, the layout's links
            # reversed once per process (core.addresses).
            "builtins": ["core.templatetags.govuk_time", "core.templatetags.site_urls"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.service",
                "portal.navigation.navigation",
            ],
        },
    },
]

# Databases: PostgreSQL (psycopg2) in production and CI; a SQLite file is the demo default so the
# run command needs no database server.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    # JIT compilation costs seconds per query on this workload and never pays back: see
    # docs/performance.md, "1. Every PostgreSQL query pays for JIT compilation". libpq ignores
    # PGOPTIONS once `options` is given, so PGOPTIONS is appended (it can still say jit=on).
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = " ".join(
        part for part in ("-c jit=off", _pg_options.get("options", ""),
                          os.environ.get("PGOPTIONS", "")) if part
    )

# A streaming replica (issue 19, docs/deployment.md): with REPLICA_DATABASE_URL set, the
# dashboard and its reports read from it (core/replica.py) while it is at most
# REPLICA_MAX_LAG_SECONDS behind; past that, or unreachable, they read from the primary.
REPLICA_DATABASE_URL = os.environ.get("REPLICA_DATABASE_URL", "")
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "30"))
REPLICA_LAG_CHECK_SECONDS = float(os.environ.get("REPLICA_LAG_CHECK_SECONDS", "5"))
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(REPLICA_DATABASE_URL,
                                conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # Reads only: no transaction per request on the replica.
        "ATOMIC_REQUESTS": False,
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:signed-out"
GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Attachments live outside any public media root, under internal names.
        "OPTIONS": {"location": os.environ.get("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private"))},
    },
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "6.6.0"

# Email: SMTP in production, the console in development, locmem in tests.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "safeguarding-portal@example.gov.uk")
# Only for EMAIL_BACKEND=...filebased.EmailBackend (the production smoke test reads codes there).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# Celery: Redis whenever REDIS_URL is set; otherwise kombu's SQLAlchemy transport on a SQLite
# file, so the demo runs a real worker and beat with no Redis server.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get(
    "CELERY_BROKER_URL", REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis only: kombu's SQLAlchemy transport passes its options to create_engine, which refuses
# unknown ones (the worker would not start).
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600} if CELERY_BROKER_URL.startswith(("redis", "rediss")) else {}
)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "ops.tasks.heartbeat", "schedule": 30.0},
    # Issue 5: warnings and breaches every minute; a run that waited 50 s is dropped, the next
    # one catches up (the sweep works from the database, not from the message).
    "deadlines-sweep": {
        "task": "pathways.tasks.deadlines_sweep", "schedule": 60.0, "options": {"expires": 50},
    },
    # Issue 15: a challenge's tier not answered in time passes to the next tier.
    "challenges-sweep": {
        "task": "challenges.tasks.challenges_sweep", "schedule": 60.0, "options": {"expires": 50},
    },
    # Issue 15: requests for advice not called back in time.
    "consultations-sweep": {
        "task": "consultations.tasks.consultations_sweep", "schedule": 60.0,
        "options": {"expires": 50},
    },
}

# The pathway a "not sure" referral goes to (a configurable front door).
FRONT_DOOR_PATHWAY = os.environ.get("FRONT_DOOR_PATHWAY", "oppd")

# Security. Production-safe unless DEBUG is on.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# The service's own page for a form sent with a stale token (portal.errors, issue 18).
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
)
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request bodies are never logged: they hold special-category personal data.
        "django.request": {"level": "WARNING"},
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Foundation: the council's own contact details for the privacy notice and the accessibility
# statement (shown as "for the council to complete" until set), and the worker heartbeat.
COUNCIL_DPO_CONTACT = os.environ.get("COUNCIL_DPO_CONTACT", "")
COUNCIL_ACCESSIBILITY_CONTACT = os.environ.get("COUNCIL_ACCESSIBILITY_CONTACT", "")
CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"] = float(os.environ.get("HEARTBEAT_SECONDS", "30"))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo's web, worker and beat share one SQLite file: wait for a lock rather than fail,
    # take the write lock at BEGIN (a deferred upgrade fails at once with "database is locked"),
    # and let readers run beside the writer (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
# Referral form (referrals app): draft expiry and reminder, attachment limits.
REFERRAL_DRAFT_EXPIRY_DAYS = int(os.environ.get("REFERRAL_DRAFT_EXPIRY_DAYS", "30"))
# Rows per page on "Your referrals" and the lead's list (feedback.listing).
REFERRAL_LIST_PAGE_SIZE = int(os.environ.get("REFERRAL_LIST_PAGE_SIZE", "50"))
REFERRAL_DRAFT_REMINDER_DAYS = int(os.environ.get("REFERRAL_DRAFT_REMINDER_DAYS", "7"))
# Uploads are scanned by ClamAV's daemon before they are stored (referrals/malware.py). On by
# default, and fail closed: with no scanner, no upload. CLAMAV_SOCKET is a unix socket path or
# host:port. Only the demo's run command turns scanning off, and says so.
# The demo's twelve months of history (dashboard/demo.py): referrals per month, each made
# through the real services. The tests use fewer (settings_test.py) to keep the suite quick.
DEMO_HISTORY_PER_MONTH = int(os.environ.get("DEMO_HISTORY_PER_MONTH", "45"))
CLAMAV_ENABLED = env_bool("CLAMAV_ENABLED", True)
CLAMAV_SOCKET = os.environ.get("CLAMAV_SOCKET", "/var/run/clamav/clamd.ctl")
CLAMAV_TIMEOUT_SECONDS = float(os.environ.get("CLAMAV_TIMEOUT_SECONDS", "30"))
REFERRAL_ATTACHMENT_MAX_FILES = int(os.environ.get("REFERRAL_ATTACHMENT_MAX_FILES", "5"))
REFERRAL_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("REFERRAL_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
)
# Django refuses bodies above this before our own check can give a specific message.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, REFERRAL_ATTACHMENT_MAX_BYTES + 1_048_576)
CELERY_BEAT_SCHEDULE["referrals-drafts-sweep"] = {
    "task": "referrals.tasks.drafts_sweep", "schedule": 15 * 60.0,
}
# Feedback and notices (feedback app). Notices are an outbox: see the README's "Feedback" section.
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")  # set it to send email by GOV.UK Notify
NOTIFY_TEMPLATE_ID = os.environ.get("NOTIFY_TEMPLATE_ID", "")  # template: ((subject)) / ((body))
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = int(os.environ.get("NOTIFY_TIMEOUT_SECONDS", "20"))
NOTICE_MAX_ATTEMPTS = int(os.environ.get("NOTICE_MAX_ATTEMPTS", "6"))
NOTICE_RETRY_BASE_SECONDS = int(os.environ.get("NOTICE_RETRY_BASE_SECONDS", "30"))
NOTICE_RETRY_MAX_SECONDS = int(os.environ.get("NOTICE_RETRY_MAX_SECONDS", "900"))
NOTICE_REQUEUE_AFTER_MINUTES = int(os.environ.get("NOTICE_REQUEUE_AFTER_MINUTES", "5"))
NOTICE_REQUEUE_BATCH = int(os.environ.get("NOTICE_REQUEUE_BATCH", "200"))
# Notices per send task: one transaction, one email connection and one commit per batch
# (docs/decisions/0007). A worker killed mid-batch can repeat up to this many emails.
NOTICE_SEND_BATCH = int(os.environ.get("NOTICE_SEND_BATCH", "50"))
FEEDBACK_ESCALATION_ROUTE = os.environ.get(
    "FEEDBACK_ESCALATION_ROUTE",
    "If the team does not respond, ask for the team manager. If you still disagree with how "
    "the referral is being handled, use the Safeguarding Adults Board's or the Safeguarding "
    "Children Partnership's escalation (professional disagreement) procedure.",
)
# Issue 15: out of hours, "things have got worse" also emails the Emergency Duty Team here. Empty:
# the EDT contact point's email (Django admin, Contact points), if it has one.
EMERGENCY_DUTY_TEAM_EMAIL = os.environ.get("EMERGENCY_DUTY_TEAM_EMAIL", "")
CELERY_BEAT_SCHEDULE["feedback-notices-requeue"] = {
    "task": "feedback.tasks.notices_requeue", "schedule": 60.0,
}
# --- Security (issue 8: mfa/, portal/middleware.py, audit/, privacy/) -------------------------
# See docs/security.md for each control and the test that proves it.
from datetime import timedelta  # noqa: E402

from csp.constants import NONCE, NONE, SELF  # noqa: E402

from audit.client_address import trusted_networks as _trusted_networks  # noqa: E402

INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "axes",
    "csp",
    "mfa",
    "privacy",
]
# After the messages middleware, so a session that ends can say why.
_messages = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware")
MIDDLEWARE[_messages + 1:_messages + 1] = [
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.SessionSecurityMiddleware",
    "mfa.middleware.SecondFactorMiddleware",
    "portal.middleware.NoStoreMiddleware",
    "portal.middleware.RefusedAccessAuditMiddleware",
]
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")
# django-axes documents its middleware as the last one.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]

# Second factor: staff (team members, council administrators) must use TOTP; referrers get an
# emailed code or may use TOTP. MFA_ENFORCED is only ever False in the test settings.
MFA_ENFORCED = True  # not an environment variable: production cannot switch it off
OTP_TOTP_ISSUER = COUNCIL_NAME
OTP_EMAIL_SUBJECT = "Your sign-in code for the safeguarding referral portal"
OTP_EMAIL_BODY_TEMPLATE_PATH = "mfa/email_code.txt"
OTP_EMAIL_TOKEN_VALIDITY = 10 * 60
OTP_EMAIL_COOLDOWN_DURATION = 30
# No one, administrators included, may read another person's authenticator key or QR code in the
# admin: with it they could sign in as that person (docs/security.md).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
MFA_BACKUP_CODE_COUNT = 10

TEMPLATES[0]["OPTIONS"]["context_processors"].append("portal.security_context.session_timeout")

# Sessions: idle timeout with a warning, and an absolute limit however active the person is.
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_IDLE_WARNING_SECONDS = int(os.environ.get("SESSION_IDLE_WARNING_SECONDS", str(5 * 60)))
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(10 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Brute force (django-axes): per account and per address, separately. A short cool-off that a
# failure during the lockout does not extend, so an attacker cannot keep a real person out.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Lock an account only for the address the failures came from: behind the proxy, or in a large
# organisation sharing one address, one person's failures never lock out anyone else. The
# account-wide limit below slows guessing spread over many addresses without locking the owner
# out of a browser they have signed in on before (accounts/throttle.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "mfa/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# The client's address: X-Forwarded-For is read only from the proxies in TRUSTED_PROXIES
# (addresses or networks, comma-separated), right to left (audit/client_address.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
_trusted_networks(TRUSTED_PROXIES)  # a typo stops the start with ImproperlyConfigured
AXES_CLIENT_IP_CALLABLE = "audit.client_address.client_address"
# Failures for one account from all addresses together; past this, only a browser that has
# signed in to the account before may keep trying until the failures age out (cool-off).
ACCOUNT_FAILURE_LIMIT = int(os.environ.get("ACCOUNT_FAILURE_LIMIT", "30"))
ACCOUNT_DEVICE_COOKIE_DAYS = int(os.environ.get("ACCOUNT_DEVICE_COOKIE_DAYS", "365"))

# Content Security Policy (django-csp 4): nonces for the one inline script in base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# The council's look (issue 18, README "The council's look"): the header's colour and logo.
# The header's text is white, so a brand colour must keep 4.5:1 contrast with it (WCAG 1.4.3);
# it is served as a custom property by /brand.css (style-src stays 'self', no inline styles).
def _brand_colour(value: str) -> str:
    value = value.strip().lower()
    if not value:
        return ""
    import re

    if not re.fullmatch(r"#[0-9a-f]{6}", value):
        raise ImproperlyConfigured("PORTAL_BRAND_COLOUR must be a colour like #1d70b8.")

    def luminance(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (luminance(value[i:i + 2]) for i in (1, 3, 5))
    contrast = 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)
    if contrast < 4.5:
        raise ImproperlyConfigured(
            f"PORTAL_BRAND_COLOUR {value} has {contrast:.1f}:1 contrast with the header's white "
            "text; it needs at least 4.5:1. Choose a darker colour.")
    return value


PORTAL_BRAND_COLOUR = _brand_colour(os.environ.get("PORTAL_BRAND_COLOUR", ""))
# A path on this site (/static/...) or an https address; another site's origin is added to the
# CSP's img-src so the browser may load it.
PORTAL_LOGO_URL = os.environ.get("PORTAL_LOGO_URL", "").strip()
if PORTAL_LOGO_URL.startswith("https://"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        "https://" + PORTAL_LOGO_URL.removeprefix("https://").split("/", 1)[0])
elif PORTAL_LOGO_URL and not PORTAL_LOGO_URL.startswith("/"):
    raise ImproperlyConfigured("PORTAL_LOGO_URL must be a path on this site or an https address.")

# Retention (privacy/): closed referrals and their files are deleted this many days after
# closure. Default 6 years: see docs/security.md for the source.
RETENTION_DAYS_AFTER_CLOSURE = int(os.environ.get("RETENTION_DAYS_AFTER_CLOSURE", str(6 * 365 + 2)))
# Children's records are not deleted automatically: child protection records are kept far longer
# (and the IICSA instruction not to destroy them): an administrator decides.
RETENTION_KEEP_PATHWAYS = env_list("RETENTION_KEEP_PATHWAYS", "mash")
# The daily retention sweep never crowds out staff (privacy.retention.retention_sweep): batches
# of RETENTION_BATCH_SIZE referrals, and after each a rest of the pause plus the batch's own time
# x (1 / RETENTION_BUSY_SHARE - 1), so it keeps the database busy at most that share of the time.
RETENTION_BATCH_SIZE = int(os.environ.get("RETENTION_BATCH_SIZE", "10"))
RETENTION_BATCH_PAUSE_SECONDS = float(os.environ.get("RETENTION_BATCH_PAUSE_SECONDS", "0.1"))
RETENTION_BUSY_SHARE = float(os.environ.get("RETENTION_BUSY_SHARE", "0.2"))
if not 0 < RETENTION_BUSY_SHARE <= 1:
    raise ImproperlyConfigured("RETENTION_BUSY_SHARE must be above 0 and at most 1.")
# Subject access for a person named in referrals (privacy/people.py): the referrer is a third
# party, so their identity is withheld from the export unless the council's policy is to
# disclose it (docs/security.md).
SUBJECT_ACCESS_DISCLOSE_REFERRER = env_bool("SUBJECT_ACCESS_DISCLOSE_REFERRER", False)
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "privacy.tasks.retention_sweep", "schedule": 24 * 60 * 60.0,
}
# Benchmarks (bench/): baseline views under /bench/, routed only when this is on. Never in
# production; `python -m bench` turns it on for the gunicorn it starts.
BENCH_VIEWS = env_bool("BENCH_VIEWS", False)

# Dashboard (issue 7): how often beat rebuilds the summary tables the staff dashboard reads.
DASHBOARD_REFRESH_SECONDS = int(os.environ.get("DASHBOARD_REFRESH_SECONDS", "900"))
# Open breaches are counted live, at most once a minute per scope in each web process.
DASHBOARD_LIVE_SECONDS = int(os.environ.get("DASHBOARD_LIVE_SECONDS", "60"))
CELERY_BEAT_SCHEDULE["dashboard-summaries"] = {
    "task": "dashboard.tasks.summaries_refresh", "schedule": float(DASHBOARD_REFRESH_SECONDS),
}

# Rate limits (issue 14, attack 4: portal/ratelimits.py has the table of forms). Each group is
# (per account, per address) in django-ratelimit's notation, e.g. "3/h" or "100/15m"; override
# one with RATE_LIMIT_<GROUP>="account,address" (e.g. RATE_LIMIT_ACCOUNT_EMAIL="3/h,200/h"
# for an onboarding day).
# Counted in the "ratelimit" cache: Redis whenever REDIS_URL is set, so every web process
# shares one count; per process otherwise (the demo).
# Address limits are far above the account ones: a council office or an NHS trust sends
# everyone from one address (hundreds of staff sign in between 9 and 10).
RATE_LIMITS = {
    "sign_in": ("", "600/h"),  # per account: django-axes and accounts/throttle.py
    "account_email": ("3/h", "60/h"),  # sign-up, password reset, new confirmation link
    "second_factor": ("30/h", "2000/h"),  # codes typed and emailed codes
    "drafts": ("20/h", "200/h"),
    "draft_edits": ("400/h", "4000/h"),
    "messages": ("20/h", "200/h"),  # add information, chase, feedback by phone (email staff)
    "staff_writes": ("600/h", "20000/h"),
    # Issue 15: the feedback link on every page (anonymous too) and the rating after sending.
    "referrer_feedback": ("10/h", "200/h"),
}
for _group in RATE_LIMITS:
    if os.environ.get(f"RATE_LIMIT_{_group.upper()}"):
        _account_rate, _, _address_rate = os.environ[f"RATE_LIMIT_{_group.upper()}"].partition(",")
        RATE_LIMITS[_group] = (_account_rate.strip(), _address_rate.strip())
# Learning from referrers (issue 15, item 8): an organisation that has referred before and sent
# nothing in this many months is listed for administrators to contact.
LEARNING_QUIET_MONTHS = int(os.environ.get("LEARNING_QUIET_MONTHS", "6"))
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_IP_META_KEY = "audit.client_address.client_address"
# Issue 19: with REDIS_URL set, the default cache (the dashboard's live counts) and the session
# cache live in Redis, so any web instance behind the load balancer serves any request with the
# same figures and the same signed-in session. Without Redis (the demo) they stay per process.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "cache"}
        if REDIS_URL else
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "ratelimit"}
        if REDIS_URL else
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
    ),
}
# After authentication (limits count per person) and before the views (nothing is written).
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "portal.ratelimits.RateLimitMiddleware")

# --- Operations (issue 14: ops/, docs/operations.md) -------------------------------------------
# Probes before sessions and the second factor (ops.middleware); Prometheus around everything.
from ops import logconfig as _logconfig  # noqa: E402
from ops.sentry import sentry_init as _sentry_init  # noqa: E402

INSTALLED_APPS += ["health_check", "django_prometheus", "django_structlog"]
MIDDLEWARE.insert(MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
                  "ops.middleware.ProbeMiddleware")
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "django_structlog.middlewares.RequestMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
                  "django_prometheus.middleware.PrometheusAfterMiddleware")
# A load balancer probes the container over plain HTTP: no redirect to HTTPS for the probes.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# /readyz fails when beat's deadlines sweep (every minute) last finished longer ago than this.
READY_SWEEP_STALE_SECONDS = int(os.environ.get("READY_SWEEP_STALE_SECONDS", "300"))
# /metrics: with a token, only `Authorization: Bearer <token>`; without, only direct loopback.
METRICS_BEARER_TOKEN = os.environ.get("METRICS_BEARER_TOKEN", "")

# Logs: JSON lines (production) or key=value (LOG_FORMAT=plain), with request_id and user_id.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
LOGGING["formatters"].update(_logconfig.formatters())
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
# One line per request (issue 19): `request_finished` (or `request_failed`) carries the request
# id, the person's id, method and path, status and duration_ms (ops.logconfig), at INFO for 2xx and
# 3xx, WARNING for 4xx, ERROR for 5xx, whatever LOG_LEVEL says. `request_started` adds nothing
# an operator reads that the finishing line lacks: it is DEBUG, written only with LOG_LEVEL=DEBUG.
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG
LOGGING["loggers"]["django_structlog"] = {
    "level": "DEBUG" if LOGGING["root"]["level"].upper() == "DEBUG" else "INFO"}
_logconfig.structlog_configure()
# A fresh id for every request (one sent by the client is not trusted: it could be anything).
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = False
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# The worker and beat log through LOGGING above (JSON), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
DJANGO_STRUCTLOG_USER_ID_FIELD = "pk"

# Error reporting: only when SENTRY_DSN is set (ops/sentry.py scrubs personal data).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")
SENTRY_RELEASE = os.environ.get("SENTRY_RELEASE", "")
_sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, release=SENTRY_RELEASE)

# --- More than one machine (issue 19, docs/deployment.md) ---------------------------------------
# Sessions: read from Redis, written through to the database (cached_db), so every web
# instance sees every session and a Redis restart signs no one out. The demo keeps plain
# database sessions (no Redis).
SESSION_ENGINE = os.environ.get(
    "SESSION_ENGINE",
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db",
)
# Beat, highly available: with a Redis broker, celery-redbeat keeps the schedule in Redis and
# only the beat holding its lock schedules; others wait and take over within
# REDBEAT_LOCK_TIMEOUT (+ BEAT_MAX_INTERVAL) of the leader dying. Set
# CELERY_BEAT_SCHEDULER=celery.beat:PersistentScheduler to run one beat with a schedule file
# (docker-compose.yml does; the demo does without Redis).
_redis_broker = CELERY_BROKER_URL.startswith(("redis", "rediss"))
CELERY_BEAT_SCHEDULER = os.environ.get(
    "CELERY_BEAT_SCHEDULER",
    "redbeat.RedBeatScheduler" if _redis_broker else "celery.beat:PersistentScheduler",
)
CELERY_REDBEAT_REDIS_URL = os.environ.get("REDBEAT_REDIS_URL",
                                          CELERY_BROKER_URL if _redis_broker else "")
CELERY_REDBEAT_KEY_PREFIX = os.environ.get("REDBEAT_KEY_PREFIX", "redbeat:portal:")
CELERY_REDBEAT_LOCK_TIMEOUT = int(os.environ.get("REDBEAT_LOCK_TIMEOUT", "60"))
CELERY_BEAT_MAX_LOOP_INTERVAL = int(os.environ.get("BEAT_MAX_INTERVAL", "10"))
# The minute sweeps can run more often (the multi-node benchmark does, to see several sweeps
# in a few minutes); once a minute is the policy's resolution.
for _name in ("deadlines-sweep", "feedback-notices-requeue"):
    CELERY_BEAT_SCHEDULE[_name]["schedule"] = float(os.environ.get("MINUTE_SWEEPS_SECONDS", "60"))


# --- What every signed-in request reads, cached (issue 19: portal/signed_in.py) ---------------
# The session (portal/session_store.py), the user, the OTP device and the role fingerprint,
# in Redis, so a plain signed-in page runs no statement before its view. Entries are forgotten
# on every save or delete of the rows they come from; this is the longest a change made without
# a signal (queryset.update, bulk SQL) can go unseen. 0 turns the cache off. Only with Redis: a
# per-process cache could not be forgotten by the other processes.
SIGNED_IN_CACHE_SECONDS = int(os.environ.get("SIGNED_IN_CACHE_SECONDS", "60" if REDIS_URL else "0"))
CACHES["signed_in"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
     "KEY_PREFIX": "signed-in"}
    if REDIS_URL else
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "signed-in"}
)
if SIGNED_IN_CACHE_SECONDS > 0:
    SESSION_ENGINE = "portal.session_store"
MIDDLEWARE = [
    {"django.contrib.auth.middleware.AuthenticationMiddleware":
         "portal.signed_in.CachedAuthenticationMiddleware",
     "django_otp.middleware.OTPMiddleware": "portal.signed_in.CachedOTPMiddleware"}.get(name, name)
    for name in MIDDLEWARE
]

# --- Referral PDFs (issue 19: referrals/pdf.py) -------------------------------------------------
# Rendered by the worker and cached per version of the referral (a hash of what the copy shows),
# never in a web request; the page offers the file when it is ready. Needs a cache the worker and
# the web share (Redis); without one the web renders it as before.
PDF_RENDER_IN_WORKER = env_bool("PDF_RENDER_IN_WORKER", bool(REDIS_URL))
PDF_CACHE_SECONDS = int(os.environ.get("PDF_CACHE_SECONDS", str(24 * 60 * 60)))
CACHES["pdfs"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
     "KEY_PREFIX": "pdf"}
    if REDIS_URL else
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pdfs"}
)
# The dashboard's rendered figures, per scope, filters, summary rebuild and minute
# (dashboard.views._figures_key), shared by every web process when Redis is there.
CACHES["dashboard"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
     "KEY_PREFIX": "dashboard"}
    if REDIS_URL else
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dashboard"}
)
# --- The API for case-management systems (issue 17: api/, docs/api.md) -------------------------
# Django REST framework with an OpenAPI 3 schema (drf-spectacular), OAuth 2.0 client credentials
# (django-oauth-toolkit): clients are systems registered by an administrator (api.models).
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar",
                   "oauth2_provider", "api"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.ClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.ClientHasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{COUNCIL_NAME} safeguarding referral portal API",
    "DESCRIPTION": "Hand-over to case management: referrals ready for hand-over, the referral "
                   "document, attachments, acknowledgement and the events feed. docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"PathwayEnum": "core.vocabulary.Pathway"},
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        "referrals:read": "Read referrals ready for hand-over, their documents and attachments",
        "handover:write": "Acknowledge that case management accepted a referral",
        "events:read": "Read the events feed",
    },
    "DEFAULT_SCOPES": [],
    "SCOPES_BACKEND_CLASS": "api.oauth.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "api.oauth.ClientValidator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("API_TOKEN_SECONDS", "3600")),
    # RFC 9700 (OAuth 2.0 Security BCP) throughout: `check --deploy` fails otherwise. Only the
    # client-credentials grant is used; tokens are stored hashed, never read from a URL.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "ALLOW_URI_WILDCARDS": False,
    "PKCE_REQUIRED": True,
}
# Requests a client may make, per minute, unless its own registration says otherwise.
API_RATE_PER_MINUTE = int(os.environ.get("API_RATE_PER_MINUTE", "120"))
# Webhooks (outbox/webhooks.py): retries with back-off, then FAILED and shown in the admin.
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# How a delivery is posted: the real HTTP client, or a test transport (like EMAIL_BACKEND).
WEBHOOK_TRANSPORT = os.environ.get("WEBHOOK_TRANSPORT", "outbox.webhooks.http_post")
