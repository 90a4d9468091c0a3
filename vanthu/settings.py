"""The one settings module. Everything configurable is read from VANTHU_* environment variables.

See the README's configuration table for every variable and its default. Importing this module
reads only: it creates no file or directory (the `vanthu` commands prepare the data dir, see
vanthu/datadir.py), and no other module reads settings at import time (a test checks both).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from vanthu import datadir

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"VANTHU_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name, "1" if default else "0").strip().lower()
    return raw in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


DEBUG = _env_bool("DEBUG", False)
DATA_DIR = datadir.location()
FILES_DIR = DATA_DIR / "files"

# Set VANTHU_SECRET_KEY in production. Without it, the key a `vanthu` command generated into the
# data dir (so that a demo survives restarts); without either, Django refuses to start when the
# key is first needed ("The SECRET_KEY setting must not be empty").
SECRET_KEY = _env("SECRET_KEY") or datadir.generated_secret_key(DATA_DIR)

ALLOWED_HOSTS = [h.strip() for h in _env("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in _env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    # First, so that its `changepassword` command (which ends the person's sessions and tokens)
    # replaces Django's.
    "vanthu.accounts",
    "vanthu.accounts.admin_apps.VanThuAdminConfig",  # Django's admin, entered by VanThu's administrators
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # its Swagger UI assets, served from the installation (party networks are often closed)
    "django_tasks",
    "django_tasks_db",
    "vanthu.audit",
    "vanthu.security",  # production headers, sign-in policy, the plain-HTTP warning
    "vanthu.organizations",
    "vanthu.calendar",
    "vanthu.notifications",
    "vanthu.documents",
    "vanthu.workflow",
    "vanthu.search",
    "vanthu.programme",
    "vanthu.archive",
    "vanthu.reports",
    "vanthu.web",
    "vanthu.signatures",
    "vanthu.exchange",
    "vanthu.direction",
    "vanthu.membership",
    "vanthu.migration",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vanthu.web.middleware.ChosenLanguageMiddleware",  # Vietnamese unless switched
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "vanthu.urls"
WSGI_APPLICATION = "vanthu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vanthu.web.context.layout",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = _env("DATABASE_URL")
# Connections are kept between requests on both engines: opening SQLite's file and setting its
# pragmas (WAL, the cache, the memory map) cost a request several milliseconds.
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=_env_int("DB_CONN_MAX_AGE", 60))
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "vanthu.sqlite3"),
           "CONN_MAX_AGE": _env_int("DB_CONN_MAX_AGE", 60)}

if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # IMMEDIATE: a writer takes the lock when its transaction begins, so that two writers
        # never deadlock on a lock upgrade; the busy timeout makes the other one wait instead.
        "transaction_mode": "IMMEDIATE",
        "timeout": _env_int("SQLITE_BUSY_TIMEOUT", 30),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
    }
    _db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3") if _env("TEST_SQLITE_FILE") else None}
else:
    _db.setdefault("TEST", {})
    if _env("TEST_DATABASE_NAME"):
        _db["TEST"]["NAME"] = _env("TEST_DATABASE_NAME")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- auth -----------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if _env_bool("FAST_PASSWORD_HASHER", False):
    # Tests and benchmarks only: argon2 costs ~50 ms per check by design.
    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.MD5PasswordHasher")
LOGIN_URL = "/login/"
# Single sign-on with the organisation's directory over OpenID Connect (vanthu/accounts/sso.py):
# on when the issuer and the client id are set; the password sign-in stays.
VANTHU_OIDC_ISSUER = _env("OIDC_ISSUER").strip().rstrip("/")
VANTHU_OIDC_LABEL = _env("OIDC_LABEL")
OIDC_RP_CLIENT_ID = _env("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = _env("OIDC_CLIENT_SECRET")
OIDC_RP_SCOPES = _env("OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = _env("OIDC_SIGN_ALGO", "RS256")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
# Signing in with the organisation's LDAP directory (vanthu/accounts/ldap.py): on when the URL is set;
# local accounts are tried first, then the directory.
VANTHU_LDAP_URL = _env("LDAP_URL").strip()
VANTHU_LDAP_START_TLS = _env_bool("LDAP_START_TLS", False)
VANTHU_LDAP_CA_FILE = _env("LDAP_CA_FILE")
VANTHU_LDAP_BIND_DN = _env("LDAP_BIND_DN")
VANTHU_LDAP_BIND_PASSWORD = _env("LDAP_BIND_PASSWORD")
VANTHU_LDAP_USER_BASE = _env("LDAP_USER_BASE")
VANTHU_LDAP_USER_FILTER = _env("LDAP_USER_FILTER", "(uid={username})")
VANTHU_LDAP_GROUP_BASE = _env("LDAP_GROUP_BASE")
VANTHU_LDAP_GROUP_ROLES = _env("LDAP_GROUP_ROLES")
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "vanthu.accounts.sso.SsoBackend",
                           "vanthu.accounts.ldap.LdapBackend"]
LOGIN_REDIRECT_URL = "/"
API_TOKEN_HOURS = _env_int("API_TOKEN_HOURS", 12)

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Numbers and dates by language (vanthu/ui/locale_formats, read through vanthu/ui/formatting.py):
# 1.234.567 and 99,4% in Vietnamese, 1,234,567 and 99.4% in English, dd/mm/yyyy in both.
# USE_THOUSAND_SEPARATOR stays off: every {{ id }} in a link or a form value would be grouped too;
# the figures meant for people are grouped by the formatting filters instead.
FORMAT_MODULE_PATH = ["vanthu.ui.locale_formats"]

# --- static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / datadir.STATIC_NAME
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}


# --- stored files (vanthu/documents/blobstore.py) --------------------------------------------------
# VANTHU_STORAGE_URL: empty (the data dir's files/), file:///srv/vanthu/files, or
# s3://bucket/prefix?endpoint=https://s3.example&region=hn-1 (credentials from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY or boto3's other usual sources, or percent-encoded in s3://KEY:SECRET@bucket).
def _storage_settings(url: str) -> dict:
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url:
        return {"kind": "file"}
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "file":
        return {"kind": "file", "path": unquote(parts.path)}
    if parts.scheme != "s3" or not parts.hostname:
        raise ValueError("VANTHU_STORAGE_URL: file:///dir or s3://bucket/prefix?endpoint=…")
    unknown = set(query) - {"endpoint", "region"}
    if unknown:
        raise ValueError(f"VANTHU_STORAGE_URL: unknown parameters {sorted(unknown)} (endpoint, region)")
    return {"kind": "s3", "bucket": parts.hostname, "prefix": unquote(parts.path).strip("/"),
            "endpoint_url": query.get("endpoint"), "region": query.get("region"),
            "access_key": unquote(parts.username or ""), "secret_key": unquote(parts.password or "")}


VANTHU_STORAGE = _storage_settings(_env("STORAGE_URL"))
if VANTHU_STORAGE.get("path"):
    FILES_DIR = Path(VANTHU_STORAGE["path"])
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- uploads --------------------------------------------------------------------------------
MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 50)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# Pages of one PDF (upload, paper scan, peer package): past it 413 too_many_pages. Reading,
# stamping and OCR cost grows with pages; 500 is more than any document in the registers.
VANTHU_MAX_PDF_PAGES = _env_int("MAX_PDF_PAGES", 500)
# A multipart request may carry a main file and several attachments.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# --- generated PDFs and OCR -----------------------------------------------------------------
# A TrueType font with Vietnamese glyphs for generated PDFs and signature stamps; empty: DejaVu Sans.
VANTHU_FONT_PATH = _env("FONT_PATH")

# --- background work ------------------------------------------------------------------------
# Two queues, and `vanthu worker` runs a process for each: "default" for the quick work (exchange
# sends, indexing, statistics, mail), "slow" for OCR (search.tasks.ocr_file), so that the quick
# never wait behind a scan.
TASKS = {
    "default": {
        "BACKEND": _env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "slow"],
    }
}
# A task still running this long after it started is taken to be abandoned by a dead worker and
# queued again (vanthu/web/queues.py): longer than any task may run, OCR's timeout included.
VANTHU_TASK_LEASE_SECONDS = _env_int("TASK_LEASE_SECONDS", 900)
# OCR of scans (vanthu/search/ocr.py): the first pages only, each run killed after its timeout.
VANTHU_OCR_LANGUAGES = _env("OCR_LANGUAGES", "vie")  # Tesseract's -l
VANTHU_OCR_TIMEOUT = _env_int("OCR_TIMEOUT", 600)  # seconds for one file
VANTHU_OCR_MAX_PAGES = _env_int("OCR_MAX_PAGES", 50)

# --- security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- sign-in security and production headers (see vanthu/security) ---------------------------
# Minimum password length for passwords people choose (forms, admin, `changepassword`). The demo
# seeds its accounts directly with the demo password, so `demo` keeps working there.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": _env_int("PASSWORD_MIN_LENGTH", 10)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Roles that must use two-factor sign-in unless an administrator chose otherwise (admin page
# "Chính sách đăng nhập"). `vanthu demo` and the tests set this empty.
VANTHU_2FA_REQUIRED_ROLES = [r.strip() for r in _env("2FA_REQUIRED_ROLES", "admin,leader,clerk").split(",") if r.strip()]
VANTHU_LOCKOUT_FAILURES = _env_int("LOCKOUT_FAILURES", 5)  # per account within the window
VANTHU_LOCKOUT_ADDRESS_FAILURES = _env_int("LOCKOUT_ADDRESS_FAILURES", 20)  # per address (offices share one)
VANTHU_LOCKOUT_MINUTES = _env_int("LOCKOUT_MINUTES", 15)
VANTHU_SIGNIN_RATE_PER_MINUTE = _env_int("SIGNIN_RATE_PER_MINUTE", 30)  # per address, login + token
VANTHU_TRUSTED_PROXY_HEADER = _env("TRUSTED_PROXY_HEADER")  # e.g. HTTP_X_FORWARDED_FOR behind nginx
VANTHU_SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = _env_int("SESSION_MAX_HOURS", 12) * 3600
CACHES = {
    # Local memory: rate limits are per gunicorn worker (lockout itself is in the database).
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "vanthu"},
}

# --- HTTPS ----------------------------------------------------------------------------------
# In production (DEBUG off) every request is HTTPS unless VANTHU_HTTPS=0 says explicitly that
# this is a plain-HTTP intranet; then vanthu.security logs a warning at every start and
# `check --deploy` reports vanthu.security.W001. `vanthu demo` and the tests set it themselves.
HTTPS = _env_bool("HTTPS", not DEBUG)
# Behind a proxy that terminates TLS: the request header it sets to "https" (X-Forwarded-Proto).
# The proxy must overwrite what clients send in it; empty when Django sees TLS itself.
_proxy_ssl_header = _env("PROXY_SSL_HEADER").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_").removeprefix("HTTP_"), "https")
# models.W040: the inbox and sealed-items indexes carry an INCLUDE column for PostgreSQL's
# index-only scans; SQLite builds them without it, which is all they need there.
SILENCED_SYSTEM_CHECKS: list[str] = ["models.W040"]
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Off only when the proxy in front redirects http:// itself (Django's security.W008 then
    # stays quiet: the choice was made explicitly).
    SECURE_SSL_REDIRECT = _env_bool("SSL_REDIRECT", True)
    if not SECURE_SSL_REDIRECT:
        SILENCED_SYSTEM_CHECKS.append("security.W008")
    # A load balancer or monitor asks for /healthz over plain HTTP on the loopback or the LAN.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    # One year: browsers then refuse plain HTTP to this host name. Start a new deployment with a
    # few minutes (VANTHU_HSTS_SECONDS=300) until HTTPS is known to work everywhere.
    SECURE_HSTS_SECONDS = _env_int("HSTS_SECONDS", 365 * 24 * 3600)
    # Subdomains and the preload list are choices about the whole domain, which VanThu, served
    # at one host name, cannot make: off unless asked for (Django's reminders about them silenced).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = _env_bool("HSTS_PRELOAD", False)
    if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
        SILENCED_SYSTEM_CHECKS.append("security.W005")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")
X_FRAME_OPTIONS = "DENY"  # the PDF file responses alone allow a same-origin frame
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "vanthu.security.middleware.SignInPolicyMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("vanthu.security.middleware.SignInPolicyMiddleware") + 1,
                  "vanthu.accounts.middleware.TwoFactorMiddleware")
MIDDLEWARE.insert(1, "vanthu.security.middleware.SecurityHeadersMiddleware")
# Outermost: an error under /api/ written by anything else gets the API's JSON error object.
MIDDLEWARE.insert(0, "vanthu.security.middleware.ApiErrorBodyMiddleware")
# Around everything: the request's id (in every log line and the response) and its latency.
MIDDLEWARE.insert(0, "vanthu.security.metrics.RequestMetricsMiddleware")
MIDDLEWARE.insert(0, "vanthu.security.logs.RequestIdMiddleware")

# VANTHU_LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request_id…),
# for a log collector; "text" (the default) for people.
LOG_FORMAT = _env("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ValueError(f"VANTHU_LOG_FORMAT: {LOG_FORMAT!r} is neither text nor json")
# /metrics (vanthu/web/ops.py): with a token, scrapers send `Authorization: Bearer <token>`;
# without one, only a direct client on the loopback may read it.
VANTHU_METRICS_TOKEN = _env("METRICS_TOKEN")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, a bad Host header…) is one line in the log, not a traceback.
    "filters": {"refusals_on_one_line": {"()": "vanthu.security.logs.RefusalsOnOneLine"},
                "request_id": {"()": "vanthu.security.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "vanthu.security.logs.JsonFormatter"},
                   "text": {"format": "%(message)s"}},
    "handlers": {"console": {"class": "vanthu.security.logs.Console", "filters": ["request_id", "refusals_on_one_line"],
                             "formatter": LOG_FORMAT}},
    "loggers": {"django.request": {"filters": ["refusals_on_one_line"]}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING")},
}

# --- electronic signatures ------------------------------------------------------------------
# Encrypts stored private keys; kept out of the database. When empty, a key is derived from
# SECRET_KEY (with a warning outside DEBUG). Any string works; it is hashed to a Fernet key.
VANTHU_KEY_ENCRYPTION_KEY = _env("KEY_ENCRYPTION_KEY")
# RFC 3161 timestamp authority: when set, approvals are signed PAdES B-T instead of B-B.
VANTHU_TSA_URL = _env("TSA_URL")
VANTHU_TSA_USERNAME = _env("TSA_USERNAME")
VANTHU_TSA_PASSWORD = _env("TSA_PASSWORD")
# The archive renews a document timestamp this many days before its certificate expires.
VANTHU_LTV_RENEW_DAYS = _env_int("LTV_RENEW_DAYS", 365)

# --- exchange with other installations (edXML) ----------------------------------------------
VANTHU_SITE_NAME = _env("SITE_NAME", "VanThu")
# The address peers reach us at; `vanthu demo` and `vanthu serve` set it from --host/--port.
VANTHU_PUBLIC_URL = _env("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
VANTHU_EXCHANGE_MAX_BODY_MB = _env_int("EXCHANGE_MAX_BODY_MB", 100)
VANTHU_EXCHANGE_MAX_AGE_HOURS = _env_int("EXCHANGE_MAX_AGE_HOURS", 72)  # retry until then, then failed
VANTHU_EXCHANGE_RETRY_BASE_SECONDS = float(_env("EXCHANGE_RETRY_BASE_SECONDS", "2"))
VANTHU_EXCHANGE_RETRY_CAP_SECONDS = float(_env("EXCHANGE_RETRY_CAP_SECONDS", "600"))
VANTHU_EXCHANGE_REPLAY_WINDOW_SECONDS = _env_int("EXCHANGE_REPLAY_WINDOW_SECONDS", 3600)
VANTHU_EXCHANGE_IMPORT_MAX_AGE_DAYS = _env_int("EXCHANGE_IMPORT_MAX_AGE_DAYS", 60)
VANTHU_EXCHANGE_TIMEOUT_SECONDS = _env_int("EXCHANGE_TIMEOUT_SECONDS", 60)
VANTHU_EXCHANGE_LEASE_SECONDS = _env_int("EXCHANGE_LEASE_SECONDS", 120)

# --- party members (vanthu/membership) ---------------------------------------------------------
# Off: the installation keeps no member records (its rules keep them elsewhere); every page and
# endpoint of member records answers 404, and nothing of them is collected.
VANTHU_MEMBER_RECORDS = _env_bool("MEMBER_RECORDS", True)

# --- audit chain anchors (vanthu/audit/checkpoints.py) -----------------------------------------
# Signed checkpoints of the audit chain live outside the database, in a storage of their own
# (any Django storage: point it at S3 with object lock in a large installation).
STORAGES["audit"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                     "OPTIONS": {"location": _env("AUDIT_CHECKPOINT_DIR", str(DATA_DIR / "audit"))}}
VANTHU_AUDIT_KEY_FILE = Path(_env("AUDIT_KEY_FILE", str(DATA_DIR / "audit_key.pem")))
VANTHU_AUDIT_CHECKPOINT_MINUTES = _env_int("AUDIT_CHECKPOINT_MINUTES", 10)

# --- e-mail of notifications (vanthu/notifications) ---------------------------------------------
# VANTHU_EMAIL_URL: smtp://user:password@host:587?tls=1 (STARTTLS), smtp+ssl://user:password@host:465,
# smtp://host:25 (plain), console:// (print), file:///path/to/dir; user and password percent-encoded.
# Unset: the console in DEBUG; otherwise no e-mail at all (notifications stay in the app, and the
# worker says so in its log).
def _email_settings(url: str) -> dict:
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend", "VANTHU_EMAIL_ENABLED": DEBUG}
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    flag = lambda name: query.get(name, "").lower() in {"1", "true", "yes", "on"}  # noqa: E731
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend", "VANTHU_EMAIL_ENABLED": True}
    if parts.scheme == "file":
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": unquote(parts.path),
                "VANTHU_EMAIL_ENABLED": True}
    if parts.scheme not in {"smtp", "smtp+tls", "smtp+ssl", "smtps"}:
        raise ValueError(f"VANTHU_EMAIL_URL: unknown scheme {parts.scheme!r} (smtp, smtp+ssl, console, file)")
    ssl = parts.scheme in {"smtp+ssl", "smtps"} or flag("ssl")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if ssl else 587 if (parts.scheme == "smtp+tls" or flag("tls")) else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": not ssl and (parts.scheme == "smtp+tls" or flag("tls")),
        "EMAIL_TIMEOUT": int(query.get("timeout", "20")),
        "VANTHU_EMAIL_ENABLED": True,
    }


globals().update(_email_settings(_env("EMAIL_URL")))
DEFAULT_FROM_EMAIL = _env("EMAIL_FROM", "VanThu <vanthu@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
VANTHU_MAIL_RETRY_BASE_SECONDS = float(_env("MAIL_RETRY_BASE_SECONDS", "30"))
VANTHU_MAIL_RETRY_CAP_SECONDS = float(_env("MAIL_RETRY_CAP_SECONDS", "1800"))
VANTHU_MAIL_MAX_AGE_HOURS = _env_int("MAIL_MAX_AGE_HOURS", 168)  # then the message is marked failed
VANTHU_MAIL_LEASE_SECONDS = _env_int("MAIL_LEASE_SECONDS", 300)
VANTHU_DIGEST_HOUR = _env_int("DIGEST_HOUR", 7)  # local time of the daily digest and the deadline reminders
