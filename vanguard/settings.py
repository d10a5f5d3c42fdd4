"""The one settings file. Everything that differs between machines comes from
VANGUARD_* environment variables; nothing here is edited per deployment."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from vanguard.core.addresses import public_base_url

BASE_DIR = Path(__file__).resolve().parent


def env(name, default=None):
    return os.environ.get(f"VANGUARD_{name}", default)


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key():
    """Generated on first run and kept in the data dir, so restarts keep sessions."""
    if env("SECRET_KEY"):
        return env("SECRET_KEY")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The absolute base of public URLs printed into QR codes, slips and SMS links; when not
# configured, the address `vanguard serve` listens on (core/addresses.py). `check --deploy`
# warns about a loopback address.
PUBLIC_BASE_URL = public_base_url()

INSTALLED_APPS = [
    "vanguard.core",
    "vanguard.org",
    "vanguard.posts",
    "vanguard.assessment",
    "vanguard.ratings",
    "vanguard.surveys",
    "vanguard.messaging",
    "vanguard.life",
    "vanguard.cases",
    "vanguard.pledges",
    "vanguard.honours",
    "vanguard.notices",
    "vanguard.dashboard",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "vanguard.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vanguard.core.locale_middleware.ChosenLanguageMiddleware",
    "vanguard.core.input_middleware.RejectNulBytesMiddleware",  # 400, in the chosen language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vanguard.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vanguard.urls"
WSGI_APPLICATION = "vanguard.wsgi.application"

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
                "vanguard.core.context_processors.navigation",
                "vanguard.notices.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'vanguard.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED", True):
    # Server-side binding lets psycopg prepare a statement run twice on one connection,
    # so PostgreSQL plans the hot pages' many-join lookups once per connection, not per request.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_NO_JIT", True):
    # No JIT in the server's sessions: a page's query over a city centre's month costs enough to be
    # JIT-compiled, and compiling took 136 ms of a 580 ms count (benchmarks/page_latency.py). Pages read
    # through indexes; publication already turns it off for its own transaction (assessment.compute.tune).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Reads of the figures room (dashboards, figures API, big screen, annual report) may go to a
# PostgreSQL streaming replica; writes always go to the primary (vanguard/dashboard/router.py).
if env("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(env("REPLICA_DATABASE_URL"),
                                                 conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
                                                 conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["vanguard.dashboard.router.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids
    # "database is locked" upgrades in concurrent writers.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "vanguard.core.passwords.CharacterClassValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: 5 failures per username and address lock for 30 minutes; and
# ACCOUNT_FAILURE_LIMIT failures of one username from any addresses (password spraying
# from many addresses) lock the account for the same cooling-off (core.lockout).
AXES_HANDLER = "vanguard.core.lockout.LockoutHandler"
ACCOUNT_FAILURE_LIMIT = int(env("ACCOUNT_FAILURE_LIMIT", "20"))
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a proxy, lock out by the real client (X-Forwarded-For when trusted), not the proxy.
AXES_CLIENT_IP_CALLABLE = "vanguard.core.middleware.client_ip"

# Sessions expire after 8 idle hours and when the browser closes.
SESSION_COOKIE_AGE = int(env("SESSION_AGE_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

SECURE = env_bool("SECURE", False)  # true when served over HTTPS behind a proxy
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind reverse proxies the client address is the one the outermost trusted proxy appended
# to X-Forwarded-For: the TRUSTED_PROXY_COUNT-th from the right (core.middleware.client_ip).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "1"))

LANGUAGE_CODE = "zh-hans"
# Each app keeps its own translations in <app>/locale/; language names are in their own language.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# ISO dates first in zh-hans input formats, so date inputs come pre-filled (vanguard/formats/).
FORMAT_MODULE_PATH = ["vanguard.formats"]
# Selects say 请选择 / 全部 instead of "---------" (vanguard/core/renderers.py).
FORM_RENDERER = "vanguard.core.renderers.FormRenderer"
FILTERS_EMPTY_CHOICE_LABEL = _("All")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "vanguard.core.storage.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# Staff and post photos (public pages): JPEG or PNG, at most this size and this many pixels.
PHOTO_MAX_BYTES = int(env("PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
PHOTO_MAX_PIXELS = int(env("PHOTO_MAX_PIXELS", str(25_000_000)))
# Every uploaded workbook (roster, scores, transactions) is read within these limits (vanguard/core/xlsx_read.py):
# a zip bomb (a few hundred KB unpacking to hundreds of MB) or a runaway sheet is refused before any work.
SPREADSHEET_LIMITS = {
    "file_bytes": int(env("XLSX_MAX_FILE_BYTES", str(10 * 1024 * 1024))),  # on disk
    "unpacked_bytes": int(env("XLSX_MAX_UNPACKED_BYTES", str(100 * 1024 * 1024))),  # all parts, unpacked
    "shared_strings_bytes": int(env("XLSX_MAX_SHARED_STRINGS_BYTES", str(20 * 1024 * 1024))),
    "shared_strings": int(env("XLSX_MAX_SHARED_STRINGS", "500000")),  # distinct texts
    "rows": int(env("XLSX_MAX_ROWS", "200000")),
    "columns": int(env("XLSX_MAX_COLUMNS", "200")),
    "members": 1000,  # parts in the zip
}
# Uploads larger than this are read and saved by the worker (`vanguard worker`), the page showing progress.
XLSX_BACKGROUND_BYTES = int(env("XLSX_BACKGROUND_BYTES", str(1024 * 1024)))

TASKS = {
    "default": {
        "BACKEND": env("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "messages"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vanguard.core.api_tokens.TokenAuthentication",  # DRF's, reading the person with the user
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "vanguard.core.api_pagination.PageNumberPagination",  # ?page_size= up to 500
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Anonymous API requests (e.g. SMS receipts) are throttled per client address.
    "DEFAULT_THROTTLE_CLASSES": ["vanguard.core.ratelimit.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", "120/min")},
    # Services' ValidationError/PermissionDenied -> 400/403 with their Chinese messages.
    "EXCEPTION_HANDLER": "vanguard.core.api_base.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vanguard API",
    "DESCRIPTION": "先锋岗 window party-building API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Tag operations by resource (people, units...) rather than by "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # 400/401/403/404/429 documented on every operation (vanguard/core/api_schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "vanguard.core.api_schema.document_error_responses"],
    "ENUM_NAME_OVERRIDES": {
        "PledgeResultEnum": "vanguard.pledges.models.Result",
        "LetterKindEnum": "vanguard.pledges.models.Letter.Kind",
        "CaseKindEnum": "vanguard.cases.models.Kind",
        "ReviewerGroupEnum": "vanguard.surveys.models.EvaluatorGroup.Kind",
        "CampaignStatusEnum": "vanguard.cases.models.Campaign.Status",
    },
}

# bootstrap5 with a translated pager (core/templates/tables/table.html).
DJANGO_TABLES2_TEMPLATE = "tables/table.html"

# Study messages (messaging app). The SMS channel is chosen like EMAIL_BACKEND:
# console, file, locmem, smpp, aliyun, tencent (or a dotted path); see messaging/channels/.
SMS_BACKEND = env("SMS_BACKEND", "console")
SMS = {
    "SIGN": env("SMS_SIGN", "政务服务中心"),  # the 【sign】 every phone shows
    "RATE_PER_SECOND": float(env("SMS_RATE", "50")),  # per worker; 0 lifts the limit
    "MAX_CHARS": int(env("SMS_MAX_CHARS", "500")),  # the longest text the gateway accepts
    "QUIET_HOURS": env("SMS_QUIET_HOURS", "21:00-07:30"),  # no non-urgent sends in between
    "FILE_PATH": env("SMS_FILE_PATH", str(DATA_DIR / "sms")),
    "CLAIM_LEASE_SECONDS": int(env("SMS_CLAIM_LEASE", "120")),
    "MAX_ATTEMPTS": int(env("SMS_MAX_ATTEMPTS", "3")),
    "DISPATCH_SECONDS": int(env("SMS_DISPATCH_SECONDS", "60")),
    "RECEIPT_TOKEN": env("SMS_RECEIPT_TOKEN", ""),  # secret in the Aliyun/Tencent receipt callback URL
    "SMPP": {"HOST": env("SMPP_HOST", "127.0.0.1"), "PORT": int(env("SMPP_PORT", "2775")),
             "SYSTEM_ID": env("SMPP_SYSTEM_ID", ""), "PASSWORD": env("SMPP_PASSWORD", ""),
             "SOURCE_ADDR": env("SMPP_SOURCE_ADDR", "10690000"), "WINDOW": int(env("SMPP_WINDOW", "50"))},
    "ALIYUN": {"ENDPOINT": env("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
               "ACCESS_KEY_ID": env("ALIYUN_ACCESS_KEY_ID", ""), "ACCESS_KEY_SECRET": env("ALIYUN_ACCESS_KEY_SECRET", ""),
               "SIGN_NAME": env("ALIYUN_SMS_SIGN_NAME", ""), "TEMPLATE_CODE": env("ALIYUN_SMS_TEMPLATE", "")},
    "TENCENT": {"ENDPOINT": env("TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com/"),
                "SECRET_ID": env("TENCENT_SECRET_ID", ""), "SECRET_KEY": env("TENCENT_SECRET_KEY", ""),
                "REGION": env("TENCENT_SMS_REGION", "ap-beijing"), "SDK_APP_ID": env("TENCENT_SMS_APP_ID", ""),
                "SIGN_NAME": env("TENCENT_SMS_SIGN_NAME", ""), "TEMPLATE_ID": env("TENCENT_SMS_TEMPLATE", "")},
    # Work-group robots for notices: "dingtalk|<webhook>|<secret>", "wecom|<webhook>", comma-separated.
    "ROBOTS": env_list("GROUP_ROBOTS", ""),
}

# The same people are reminded of the same thing (a document to sign) at most once in this time.
REMINDER_INTERVAL_HOURS = int(env("REMINDER_INTERVAL_HOURS", "12"))

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if env("REDIS_URL")
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": env("REDIS_URL", "vanguard"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Short, human formats shown where a template asks for the default.
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
