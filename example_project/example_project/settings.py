"""Settings of the django-catgram example project, all taken from the environment.

DJANGO_DEBUG (default 1), DJANGO_SECRET_KEY (required when DJANGO_DEBUG=0),
DJANGO_ALLOWED_HOSTS, DATABASE_URL (default: SQLite in this folder), DJANGO_MEDIA_ROOT,
DJANGO_STATIC_ROOT, DJANGO_FILE_UPLOAD_TEMP_DIR,
DJANGO_CORS_ALLOWED_ORIGINS, DJANGO_EMAIL_BACKEND, REDIS_URL (the cache; default: the
database); behind a TLS proxy: DJANGO_SECURE_PROXY_SSL_HEADER=1; behind nginx (deploy/):
DJANGO_NUM_PROXIES=1.

Photos in an S3 bucket instead of DJANGO_MEDIA_ROOT (needs ``pip install 'django-storages[s3]'``):
DJANGO_S3_BUCKET, DJANGO_S3_ENDPOINT_URL (an S3-compatible service; default: AWS), and the
credentials and region as boto3 reads them: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
(AWS_SESSION_TOKEN), AWS_DEFAULT_REGION, or a profile or instance role instead.

The names of the course's .env files work too, where ours are not set: SECRET_KEY, DEBUG and
ALLOWED_HOSTS for the DJANGO_* ones, and without DATABASE_URL, PostgreSQL from POSTGRES_DB,
POSTGRES_USER, POSTGRES_PASSWORD, DB_HOST and DB_PORT when POSTGRES_DB or DB_HOST is set.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


# The course's .env files (Kittygram's docker-compose) name these without DJANGO_.
COURSE_NAMES = {
    "DJANGO_SECRET_KEY": "SECRET_KEY",
    "DJANGO_DEBUG": "DEBUG",
    "DJANGO_ALLOWED_HOSTS": "ALLOWED_HOSTS",
}


def env(name: str, default: str) -> str:
    """The variable ``name``; if it is not set at all, the course's name for it; or ``default``."""
    return os.environ.get(name, os.environ.get(COURSE_NAMES.get(name, name), default))


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_flag(name: str, default: bool) -> bool:
    """True for 1, true, yes or on in any case (the course writes True and False)."""
    return env(name, str(int(default))).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG", True)
SECRET_KEY = env("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or SECRET_KEY) when DJANGO_DEBUG=0.")
    SECRET_KEY = "django-insecure-example-project-only-for-local-debugging"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "ninja",
    "ninja_jwt.token_blacklist",
    "django_catgram",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Answers in the language of the request's Accept-Language (English by default).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

if "DATABASE_URL" not in os.environ and (
    os.environ.get("POSTGRES_DB") or os.environ.get("DB_HOST")
):
    # The course's .env names, with the defaults of PostgreSQL's Docker image and of libpq (the
    # local socket, port 5432). A dict, not a URL: a password with @, : or / needs no quoting.
    POSTGRES_USER = os.environ.get("POSTGRES_USER") or "postgres"
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("POSTGRES_DB") or POSTGRES_USER,
            "USER": POSTGRES_USER,
            "PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
            "HOST": os.environ.get("DB_HOST", ""),
            "PORT": os.environ.get("DB_PORT", ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
            conn_max_age=60,
            conn_health_checks=True,
        )
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several server processes on one SQLite file: take the write lock when a transaction
    # begins (waiting for it) rather than failing with "database is locked" on upgrade, and let
    # readers go on beside a writer (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a request (503) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

# One cache every server process sees (rate limits live there). By default the database cache,
# with no extra server to run (`manage.py createcachetable` makes its table); REDIS_URL selects
# Redis, with short timeouts so that a cache that is down or never answers costs a request at
# most about a second, not the client's default of minutes.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_TIMEOUT_SECONDS = 0.5
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
            },
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "catgram_cache",
        }
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Where uploads larger than 2.5 MB are spooled while a request is read (default: the system's).
FILE_UPLOAD_TEMP_DIR = os.environ.get("DJANGO_FILE_UPLOAD_TEMP_DIR") or None
# Photos (Cat.image uses the default storage): files under MEDIA_ROOT, or with DJANGO_S3_BUCKET
# objects in that bucket through django-storages. Their URLs are the bucket's plain public ones,
# for a bucket whose policy lets anyone read its objects: a signed URL would expire (in an API
# answer a client keeps, in a page) and differ at every request, so that no browser or CDN could
# cache it, and the random photo names never change, so caches may keep them for a year. No
# ACL is sent (new buckets refuse ACLs); as on a file system, a save never replaces an object.
S3_BUCKET = os.environ.get("DJANGO_S3_BUCKET", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if S3_BUCKET:
    if not (importlib.util.find_spec("storages") and importlib.util.find_spec("boto3")):
        raise ImproperlyConfigured("DJANGO_S3_BUCKET needs pip install 'django-storages[s3]'.")
    from botocore.config import Config

    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("DJANGO_S3_ENDPOINT_URL") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            # Short timeouts, as for the database and the cache: a storage that never answers
            # costs a write a few seconds (then 503), not botocore's minutes of retries.
            "client_config": Config(
                connect_timeout=2, read_timeout=10, retries={"max_attempts": 2}
            ),
        },
    }

CORS_ALLOWED_ORIGINS = env_list(
    "DJANGO_CORS_ALLOWED_ORIGINS", "http://localhost:3000,http://127.0.0.1:3000"
)

if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", True)
    # A load balancer asks over plain HTTP whether a process is alive: no redirect there.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
if env_flag("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the proxies of deploy/ (DJANGO_NUM_PROXIES=1 for nginx alone), the client's address is
# the one the nearest proxy puts into X-Forwarded-For; nginx sets that header itself, and the app
# listens where only nginx reaches it, so clients cannot forge it.
NINJA_NUM_PROXIES = int(os.environ.get("DJANGO_NUM_PROXIES", 0))

# Mail (password resets, activation): to the console while debugging, else SMTP on localhost.
EMAIL_BACKEND_PATH = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend",
)
if django.VERSION >= (6, 1):  # Django 6.1 replaces EMAIL_BACKEND with MAILERS
    MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
else:
    EMAIL_BACKEND = EMAIL_BACKEND_PATH

# Errors (a 500's traceback, a mail that could not be sent) to stderr, which the server's log
# keeps. Django logs them to the console only while debugging, and so does this with DEBUG off.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        }
    },
    "root": {"handlers": ["stderr"], "level": "ERROR"},
}

CATGRAM: dict[str, object] = {}
# Photos come as data URLs in JSON bodies: let Django read bodies up to django-catgram's limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
