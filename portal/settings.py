"""The portal's one settings module: every value that differs between machines comes from the
environment (or an optional `.env` file), with defaults that let a fresh clone run on SQLite."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A `.env` file is optional; real environment variables always win over it. ENV_FILE names
# another file, or turns the file off when empty.
_env_file = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if _env_file and Path(_env_file).is_file():
    env.read_env(_env_file, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Put a long random value in the environment "
            "or in .env (see .env.example), e.g. from: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Only ever used with DEBUG on, on a developer's machine: never a production key.
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin: it adds per-language columns to the content models and the admin widgets.
    "modeltranslation",
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles so runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_tasks_db",
    # Revision history of content: who changed what, when, with diff and revert in admin.
    "simple_history",
    "portal.apps.PortalConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "therapy_info",
    "enquiries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Whole public pages for anonymous readers, before sessions are read (portal.page_cache).
    "portal.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Right after LocaleMiddleware: the back office is in English whatever the staff's browser says.
    "portal.staff_language.AdminInEnglishMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.staff_sessions.StaffSessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it answers a locked-out login attempt with the lockout page.
    "axes.middleware.AxesMiddleware",
    # Records who made each change to content with history (therapy_info admin revisions).
    "simple_history.middleware.HistoryRequestMiddleware",
]

# Security headers on every response. The policy allows only our own origin: no inline script or
# style without a nonce, no framing, no plugins (Django 6's built-in CSP).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY_DISABLED = [
    "accelerometer",
    "camera",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
]

# TLS. Production runs behind a TLS-terminating proxy: it sets X-Forwarded-Proto, we redirect
# plain HTTP to HTTPS and send HSTS. All on by default when DEBUG is off; `make serve` and tests on
# plain http://127.0.0.1 turn the redirect off through the environment.
if env.bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)

# Cookies: Secure and __Host- prefixed (bound to this exact host, HTTPS only) outside DEBUG.
# SameSite=Lax on purpose: a coordinator following a link from the notification email arrives
# logged in, while cross-site POSTs never carry the cookies.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The CSRF token lives in the cookie and the form only; JavaScript never needs to read it.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# The language switcher's choice is remembered for a year (it holds no personal data).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "portal.context_processors.languages",
            ],
        },
    },
]

# Database: SQLite in a file by default ("check out and it works"); DATABASE_URL moves to
# PostgreSQL.
DATABASES = {
    # An empty DATABASE_URL (`DATABASE_URL= make test`) means unset, as with every other setting,
    # not a database without an engine.
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL, NORMAL syncs and IMMEDIATE transactions turn SQLite's default ~350 writes/s with
    # 100-500 ms tails into thousands of writes/s, and avoid "database is locked" under
    # concurrent writers (see the measurements in our guide).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default; CACHE_URL (or REDIS_URL) shares it between server processes.
# Redis goes through portal.resilient_cache: while Redis is down every read is a miss and every
# write is skipped, so the site keeps serving, slower (short socket timeouts by default; the URL's
# query string overrides them, e.g. ?socket_connect_timeout=1&socket_timeout=1).
_cache_url = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
if _cache_url:
    CACHES = {"default": env.cache_url_config(_cache_url)}
    if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        CACHES["default"]["BACKEND"] = "portal.resilient_cache.ResilientRedisCache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
        }
    }

# Full-page cache for anonymous readers (portal.page_cache): the pages that are the same for
# everyone. An editor's save makes them stale at once; PAGE_CACHE_SECONDS (0 turns it off) bounds
# how long a stored page outlives a deploy, PAGE_CACHE_BROWSER_SECONDS how long browsers keep it.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
PAGE_CACHE_BROWSER_SECONDS = env.int("PAGE_CACHE_BROWSER_SECONDS", default=300)
PAGE_CACHE_VIEWS = [
    "home",
    "privacy",
    "contact",
    "therapy_info:index",
    "therapy_info:page",
    "therapy_info:faq",
    "therapy_info:programmes",
    "therapy_info:programme",
    "robots_txt",
    "django.contrib.sitemaps.views.sitemap",
]

# Staff accounts. django-axes locks an account after repeated failed logins (the counter lives in
# the database, so it holds across server processes); it must come first among the backends.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with a user's own and group permissions read in one query.
    "portal.auth_backends.OneQueryModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
# Lock the account name tried from an address: an attacker cannot lock out a coordinator
# from everywhere, and cannot spray one password over many accounts from one address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A failure while locked is not counted: the lock ends one cool-off after the failure that set it,
# so whoever keeps guessing cannot keep a coordinator locked out for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address by the same rule as our rate limits (TRUSTED_PROXY_COUNT below), rather
# than django-ipware, which is not installed: without this hook axes counted nginx's address.
AXES_CLIENT_IP_CALLABLE = "portal.ratelimit.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "username"]
# Login attempts accepted from one client address per 15 minutes, whatever the account names
# (portal.ratelimit; the counter lives in the shared cache). Answered with 429 beyond it.
STAFF_LOGIN_ATTEMPTS_PER_15_MINUTES = env.int("STAFF_LOGIN_ATTEMPTS_PER_15_MINUTES", default=20)

# Two-factor authentication (TOTP) for everyone who logs into the back office. On unless DEBUG;
# STAFF_REQUIRE_2FA=false turns it off, for local development only.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=not DEBUG)
# `check --deploy` fails when it is off (portal.checks).

# Staff sessions: an idle timeout and an absolute one (portal.staff_sessions).
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_ABSOLUTE_HOURS = env.int("STAFF_SESSION_ABSOLUTE_HOURS", default=10)
SESSION_COOKIE_AGE = STAFF_SESSION_ABSOLUTE_HOURS * 3600

# Tests create many users; a deliberately slow hash costs seconds each. Never set in production.
if env.bool("TEST_FAST_PASSWORD_HASHER", default=False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation. The public site's URLs carry the language (/en/…).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("ru", _("Russian")),
    ("ar", _("Arabic")),
]
# The compiled catalogs (.mo) are committed next to the .po files: no gettext tools are needed to
# run or test the portal (see README.md, "Translations").
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content (pages, references, key figures, questions) has a column per language; what an editor
# has not translated yet is shown in English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# django-countries names the form's countries; its names are ISO's, and a few read badly in a list
# people scan (ISO's "Bahamas (The)", a Russian "Палестина, Государство", an Arabic Micronesia
# "of the United States", a Chinese name with a leading space): ours, translated in locale/.
# pyuca (requirements.txt) lets it sort each language's names alphabetically.
COUNTRIES_OVERRIDE = {
    "BS": _("Bahamas"),
    "CD": _("Democratic Republic of the Congo"),
    "FM": _("Micronesia"),
    "MF": _("Saint Martin (French part)"),
    "MK": _("North Macedonia"),
    "PS": _("Palestine"),
    "SA": _("Saudi Arabia"),
    "SH": _("Saint Helena"),
    "SJ": _("Svalbard and Jan Mayen"),
    "SX": _("Sint Maarten (Dutch part)"),
    "VG": _("British Virgin Islands"),
    "VI": _("U.S. Virgin Islands"),
    "ZA": _("South Africa"),
}
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Static files: ours in static/, Bootstrap's from its package; whitenoise serves them compressed
# with hashed names and far-future cache headers.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need `collectstatic`; DEBUG runs and tests serve the source files instead.
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Patients' medical records: outside MEDIA and static, with no base_url, so no URL can ever serve
# them; staff download them only through a permission-checked view.
STORAGES["medical_records"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media"),
        "base_url": None,
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
# With several app servers the records must be shared: MEDICAL_RECORDS_S3_BUCKET moves them to an
# S3-compatible object store (AWS S3, MinIO, Ceph…) through django-storages. The bucket must block
# public access; objects are never given a public URL (signed, short-lived URLs only, and the
# portal itself streams them through the permission-checked download view).
if _records_bucket := env.str("MEDICAL_RECORDS_S3_BUCKET", default=""):
    STORAGES["medical_records"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _records_bucket,
            "location": env.str("MEDICAL_RECORDS_S3_PREFIX", default="medical-records"),
            "endpoint_url": env.str("MEDICAL_RECORDS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDICAL_RECORDS_S3_REGION", default="") or None,
            "access_key": env.str("MEDICAL_RECORDS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("MEDICAL_RECORDS_S3_SECRET_ACCESS_KEY", default="") or None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "custom_domain": None,
        },
    }

# Tests and DEBUG runs work without collectstatic; production serves the collected, hashed files.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
WHITENOISE_AUTOREFRESH = DEBUG

# Email: Django 6.1 mailers, configured from EMAIL_URL (console by default: a newcomer sees mail).
_email = env.email_url("EMAIL_URL", default="consolemail://")
# How long the SMTP client waits for each answer. RFC 5321 §4.5.3.2 asks a client to wait up to
# 10 minutes for the answer to the end of DATA (5 for the other commands): a busy server that
# accepts late must not be taken for a failure and sent the email again. Mail goes out from the
# task worker, so waiting costs no visitor anything.
# (A module-level name, not EMAIL_TIMEOUT: Django refuses its old EMAIL_* settings beside MAILERS.)
_email_timeout = env.int("EMAIL_TIMEOUT", default=600)
# How long the client waits to reach the server: the connection, its greeting, STARTTLS and the
# login (portal.smtp). Short, so a mail host that drops connections fails an attempt in seconds
# instead of holding the worker for EMAIL_TIMEOUT on every email.
_email_connect_timeout = env.int("EMAIL_CONNECT_TIMEOUT", default=15)
_mailer_options = {}
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    _email["EMAIL_BACKEND"] = "portal.smtp.EmailBackend"
    _smtp = {
        "host": _email.get("EMAIL_HOST"),
        "port": _email.get("EMAIL_PORT"),
        "username": _email.get("EMAIL_HOST_USER"),
        "password": _email.get("EMAIL_HOST_PASSWORD"),
        "use_tls": _email.get("EMAIL_USE_TLS"),
        "use_ssl": _email.get("EMAIL_USE_SSL"),
        "timeout": _email_timeout,
        "connect_timeout": _email_connect_timeout,
    }
    _mailer_options = {key: value for key, value in _smtp.items() if value not in (None, "")}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mailer_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CAR-T Care <care@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# What the public site calls itself and how patients reach a person.
SITE_NAME = env.str("SITE_NAME", default="CAR-T Care China")
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="care@example.org")
# Who we are, as a family deciding whom to trust looks for it: shown on the contact page, in the
# footer and in the privacy notice wherever set; an empty one is left out, never made up.
ORGANISATION = {
    "legal_name": env.str("ORGANISATION_LEGAL_NAME", default=""),
    # Lines separated by "|" in the environment: "Room 1201, 88 Example Road|Shanghai 200000|China".
    "address_lines": [
        line.strip()
        for line in env.str("ORGANISATION_ADDRESS", default="").split("|")
        if line.strip()
    ],
    "phone": env.str("ORGANISATION_PHONE", default=""),
    "whatsapp": env.str("ORGANISATION_WHATSAPP", default=""),
    "wechat_id": env.str("ORGANISATION_WECHAT_ID", default=""),
}
# The name staff see for this site in their authenticator app.
OTP_TOTP_ISSUER = SITE_NAME
# Where security researchers report a problem (/.well-known/security.txt, SECURITY.md).
SECURITY_CONTACT = env.str("SECURITY_CONTACT", default="mailto:security@example.org")

# Logging: everything to stdout for the process manager to collect. Never log personal data.
# Exception messages are withheld from every log line (portal.log_redaction): they can quote what
# a patient sent.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "withhold_exception_messages": {"()": "portal.log_redaction.WithholdExceptionMessages"},
        "withhold_link_tokens": {"()": "portal.log_redaction.WithholdLinkTokens"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
            "filters": ["withhold_exception_messages", "withhold_link_tokens"],
        },
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Configured here so Django's default handlers go: its mail_admins handler would email
        # the full error report, POST data included, to ADMINS. Everything goes to stdout.
        "django": {"level": "INFO"},
        # Request logs include URLs only; our URLs never carry personal data, and the tokens of
        # private links are withheld.
        "django.request": {
            "level": "WARNING",
            "filters": ["withhold_exception_messages", "withhold_link_tokens"],
        },
        "django.server": {"level": "INFO"},
    },
}

# The admin lives at a URL of our choosing, so scanners looking for /admin/ find nothing.
ADMIN_URL = env.str("ADMIN_URL", default="admin/")

# The first-reply promise shown to patients and used to flag overdue enquiries, in working hours
# of the working calendar leads edit in the admin (enquiries.sla); 8 is one working day.
FIRST_REPLY_PROMISE_WORKING_HOURS = env.int("FIRST_REPLY_PROMISE_WORKING_HOURS", default=8)
if FIRST_REPLY_PROMISE_WORKING_HOURS < 1:
    raise ImproperlyConfigured("FIRST_REPLY_PROMISE_WORKING_HOURS must be 1 or more.")

# A friendly, translated page when a form's CSRF token is missing or expired.
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# Background tasks (django.tasks) are stored in the database by django-tasks-db: the task row is
# written in the same transaction as the enquiry, and `manage.py task_worker` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The enquiry form. Coordinators are told of each new enquiry at these addresses.
ENQUIRY_NOTIFICATION_EMAILS = env.list("ENQUIRY_NOTIFICATION_EMAILS", default=[CONTACT_EMAIL])
# Absolute address of the site, for links in emails (the coordinators' link to the admin).
# Unset, it is the address `make run` or `make serve` serves (SERVED_URL, which the Makefile
# passes), so a SITE_URL in .env still wins over the Makefile's guess.
SITE_URL = env.str(
    "SITE_URL", default=env.str("SERVED_URL", default="http://127.0.0.1:8000")
).rstrip("/")
# Enquiry form limits (enquiries.ratelimit; counters in the cache, per server process while the
# cache is down). Enquiries accepted per client address per hour: high, because families,
# hospitals and mobile carriers put many people behind one address.
ENQUIRY_RATE_LIMIT_PER_HOUR = env.int("ENQUIRY_RATE_LIMIT_PER_HOUR", default=30)
# Enquiries accepted per email address, per hour and per day.
ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_HOUR = env.int("ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_HOUR", default=3)
ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_DAY = env.int("ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_DAY", default=10)
# Posts of the form per client address per hour, whatever they hold (invalid, oversized, bots).
ENQUIRY_FORM_POSTS_PER_HOUR = env.int("ENQUIRY_FORM_POSTS_PER_HOUR", default=120)
# A post refused by that limit, when no larger than this, is read without its files so that the
# form comes back with everything typed; a larger one is refused unread, costing almost nothing.
ENQUIRY_FORM_REFUSED_POST_READ_BYTES = env.int(
    "ENQUIRY_FORM_REFUSED_POST_READ_BYTES", default=1024 * 1024
)
# Retention (manage.py apply_retention, daily): closed enquiries are anonymised this many months
# after closing, and spam is deleted this many days after it was marked as spam.
RETENTION_CLOSED_MONTHS = env.int("RETENTION_CLOSED_MONTHS", default=24)
RETENTION_SPAM_DAYS = env.int("RETENTION_SPAM_DAYS", default=30)
# Proxies in front of the app that append to X-Forwarded-For (0: use the socket's address).
# One number for every reader of the client's address: our rate limits and django-axes
# (AXES_CLIENT_IP_CALLABLE).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Sending the notification emails: attempts before giving up, and the first wait between them
# (each following wait is four times longer: 1 min, 4 min, 16 min, 64 min by default).
ENQUIRY_NOTIFICATION_MAX_ATTEMPTS = env.int("ENQUIRY_NOTIFICATION_MAX_ATTEMPTS", default=5)
ENQUIRY_NOTIFICATION_RETRY_SECONDS = env.int("ENQUIRY_NOTIFICATION_RETRY_SECONDS", default=60)
# A task still RUNNING this long after it started is taken as left behind by a dead worker (kill -9,
# out of memory, a deploy) and run again by `manage.py task_worker`. It must exceed the longest
# send that is still alive, or a slow server would get a second copy: each socket wait has its own
# timeout, so that is the opening (connection, greeting, EHLO, STARTTLS, EHLO, AUTH and its
# challenge: 7 waits of EMAIL_CONNECT_TIMEOUT), then EMAIL_TIMEOUT for each of EHLO, MAIL, one RCPT
# per recipient, DATA, the message itself, the end of DATA and QUIT; plus a margin for the task's
# own database work. 77 minutes by default; the back office flags the enquiry well before
# (ENQUIRY_EMAIL_STUCK_MINUTES). Re-running is safe: each email records that it was sent.
_longest_send_seconds = 7 * _email_connect_timeout + _email_timeout * (
    6 + max(1, len(ENQUIRY_NOTIFICATION_EMAILS))
)
TASK_RUNNING_TIMEOUT_SECONDS = env.int(
    "TASK_RUNNING_TIMEOUT_SECONDS", default=_longest_send_seconds + 300
)
# The back office flags an enquiry whose emails are still unsent this long after it arrived.
ENQUIRY_EMAIL_STUCK_MINUTES = env.int("ENQUIRY_EMAIL_STUCK_MINUTES", default=45)
# A patient's private link to their case page stops working after this many days without use;
# a fresh one is sent on request (email and reference) from the "find my enquiry" page.
CASE_LINK_IDLE_DAYS = env.int("CASE_LINK_IDLE_DAYS", default=30)
# "Find my enquiry" requests per client address and per email address, and patient messages per
# enquiry, in an hour (counters in the cache, as the enquiry form's).
CASE_LINK_REQUESTS_PER_HOUR = env.int("CASE_LINK_REQUESTS_PER_HOUR", default=10)
CASE_LINK_REQUESTS_PER_EMAIL_PER_HOUR = env.int("CASE_LINK_REQUESTS_PER_EMAIL_PER_HOUR", default=3)
CASE_MESSAGES_PER_HOUR = env.int("CASE_MESSAGES_PER_HOUR", default=20)
# What one enquiry may hold in all, the enquiry form's files included, once the patient sends more
# from the case page (each upload: up to 5 files of 10 MB, as on the form).
CASE_MAX_FILES_PER_ENQUIRY = env.int("CASE_MAX_FILES_PER_ENQUIRY", default=30)
CASE_MAX_MEGABYTES_PER_ENQUIRY = env.int("CASE_MAX_MEGABYTES_PER_ENQUIRY", default=200)
# The largest case package a coordinator sends a hospital (the summary and the record files
# chosen): 20 MB. By email the attachments grow by a third (base64), about 27 MB on the wire.
REFERRAL_PACKAGE_MAX_BYTES = env.int("REFERRAL_PACKAGE_MAX_BYTES", default=20 * 1024 * 1024)
