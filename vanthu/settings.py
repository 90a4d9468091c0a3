"""The one settings module. Everything configurable is read from VANTHU_* environment variables.

See the README's configuration table for every variable and its default.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"VANTHU_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name, "1" if default else "0").strip().lower()
    return raw in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


DEBUG = _env_bool("DEBUG", False)
DATA_DIR = Path(_env("DATA_DIR", str(Path.cwd() / ".vanthu"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
FILES_DIR = DATA_DIR / "files"

SECRET_KEY = _env("SECRET_KEY")
if not SECRET_KEY:
    # A per-data-dir key, so that a demo survives restarts without configuration.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()
    if not DEBUG and _env("REQUIRE_SECRET_KEY", "") == "1":
        warnings.warn("VANTHU_SECRET_KEY is not set; using a key generated in the data dir.", stacklevel=1)

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
    "django_tasks",
    "django_tasks_db",
    "vanthu.audit",
    "vanthu.organizations",
    "vanthu.calendar",
    "vanthu.notifications",
    "vanthu.documents",
    "vanthu.workflow",
    "vanthu.search",
    "vanthu.reports",
    "vanthu.web",
    "vanthu.signatures",
    "vanthu.exchange",
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
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=_env_int("DB_CONN_MAX_AGE", 60))
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "vanthu.sqlite3")}

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
LOGIN_REDIRECT_URL = "/"
API_TOKEN_HOURS = _env_int("API_TOKEN_HOURS", 12)

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- uploads --------------------------------------------------------------------------------
MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 50)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# A multipart request may carry a main file and several attachments.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# --- background work ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": _env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

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
HTTPS = _env_bool("HTTPS", False)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = _env_int("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _env_bool("HSTS_PRELOAD", True)
    if _env("TRUSTED_PROXY_HEADER"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"  # the PDF file responses alone allow a same-origin frame
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "vanthu.security.middleware.SignInPolicyMiddleware")
MIDDLEWARE.insert(1, "vanthu.security.middleware.SecurityHeadersMiddleware")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING")},
}

# --- electronic signatures ------------------------------------------------------------------
# Encrypts stored private keys; kept out of the database. When empty, a key is derived from
# SECRET_KEY (with a warning outside DEBUG). Any string works; it is hashed to a Fernet key.
VANTHU_KEY_ENCRYPTION_KEY = _env("KEY_ENCRYPTION_KEY")
# RFC 3161 timestamp authority: when set, approvals are signed PAdES B-T instead of B-B.
VANTHU_TSA_URL = _env("TSA_URL")

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
