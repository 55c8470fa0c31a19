"""Kouprey's one settings module.

Every setting a deployment may change is read from an environment variable prefixed
``KOUPREY_`` and documented in docs/admin-guide.md (a test fails when one is not).
With no variables set, Kouprey runs on an SQLite file under ``./var``.
"""

from __future__ import annotations

import os
import secrets
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    """Read a ``KOUPREY_`` setting from the environment."""
    return os.environ.get(f"KOUPREY_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    return value in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("DATA_DIR", str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    """KOUPREY_SECRET_KEY, or a random key kept in the data directory."""
    if env("SECRET_KEY"):
        return env("SECRET_KEY")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o]
CSRF_FAILURE_VIEW = "kouprey.web.views.csrf_failure"  # a page in Kouprey's words, not Django's

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "ninja",  # serves the API docs' Swagger UI from its bundled static files, not a CDN
    "axes",  # locks an account after repeated failed sign-ins (below, "Sign-in protection")
    "kouprey.core",
    "kouprey.reference",
    "kouprey.seizures",
    "kouprey.cases",
    "kouprey.indicators",
    "kouprey.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and downloads gzipped for browsers that ask (a phone on mobile data: the seizure
    # list ~58 KB -> ~8 KB). Below WhiteNoise, which serves static files compressed itself.
    # Django pads each response with random bytes against BREACH; CSRF tokens are masked.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kouprey.core.middleware.ActorMiddleware",
    "kouprey.core.middleware.PermissionPolicyMiddleware",
    # Answers a sign-in refused because the account is locked (django-axes: it goes last).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kouprey.urls"
WSGI_APPLICATION = "kouprey.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kouprey.web.context.kouprey",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    url = env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kouprey.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
        Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env("LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("km", "ខ្មែរ")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Phnom_Penh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True

MAX_UPLOAD_MB = int(env("MAX_UPLOAD_MB", "50"))
# Import files at least this large (MB) are read and checked in a second process while the
# first writes (the command line; -1: never). See core/reader.py.
IMPORT_PARALLEL_MB = int(env("IMPORT_PARALLEL_MB", "16"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Sign-in protection (django-axes): after KOUPREY_SIGNIN_ATTEMPTS failed sign-ins in a row
# an account is locked for KOUPREY_SIGNIN_LOCK_MINUTES, counted from the last failure; a
# successful sign-in clears the count. Counted per user name, not per address: guessing one
# account's password from many machines is stopped too, and a name that does not exist is
# counted and locked the same way, so the answer never tells whether an account exists.
# `kouprey unlock NAME` (or Administration) lifts a lock at once.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses while the account is locked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("SIGNIN_ATTEMPTS", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("SIGNIN_LOCK_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins: the user's last_login is enough
AXES_LOCKOUT_CALLABLE = "kouprey.web.signin.locked"
# axes.W006 asks for the address in the lock's key too. Behind the reverse proxy of the admin
# guide every request comes from the proxy's address, so five failures by anyone would lock
# everybody out; the name alone cannot be sidestepped by changing browsers or cookies.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

PAGE_SIZE = int(env("PAGE_SIZE", "50"))
DEMO = env_bool("DEMO")


def _baseline() -> date | None:
    """KOUPREY_BASELINE_UNTIL: the last day of the programme's baseline period (YYYY-MM-DD),
    offered on the indicators page with the period after it."""
    raw = env("BASELINE_UNTIL").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"KOUPREY_BASELINE_UNTIL={raw!r} is not a date written as YYYY-MM-DD.") from None


BASELINE_UNTIL = _baseline()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
