"""Settings, read from the environment (12-factor).

Every knob is an environment variable with a safe default; a bad value stops start-up with
a message that names the variable. See docs/configuration.md.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("GRIDSALES_VAR_DIR", BASE_DIR.parent / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _secret_key() -> str:
    """Use SECRET_KEY when set; otherwise generate one once into var/ (never the repo)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("GRIDSALES_TESTING", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Behind TLS (production) cookies are secure and HTTP redirects to HTTPS; the local demo
# runs on plain http://127.0.0.1, so HTTPS is opt-out only where DEBUG is off.
HTTPS = env_bool("GRIDSALES_HTTPS", not DEBUG and not TESTING)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "gridsales.core",
    "gridsales.accounts",
    "gridsales.grids",
    "gridsales.team",
    "gridsales.customers",
    "gridsales.targets",
    "gridsales.planning",
    "gridsales.sales",
    "gridsales.activities",
    "gridsales.care",
    "gridsales.routes",
    "gridsales.incentives",
    "gridsales.analytics",
    "gridsales.recognition",
    "gridsales.feedback",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gridsales.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "gridsales.urls"
WSGI_APPLICATION = "gridsales.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gridsales.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", 0)),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer writes; IMMEDIATE avoids "database is locked"
    # on lock upgrades when two requests write at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if not TESTING:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
ATOMIC_REQUESTS = True
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Each language is named in itself, as language switches do.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "gridsales.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gridsales.core.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GridSales API",
    "DESCRIPTION": "网格销售管理 REST API. Every endpoint only returns what the caller's scope allows.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the installed sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CustomerStatusEnum": "gridsales.customers.choices.CustomerStatus",
        "GridStatusEnum": "gridsales.grids.choices.GridStatus",
        "OrderStatusEnum": "gridsales.sales.choices.OrderLineStatus",
        "ActivityStatusEnum": "gridsales.activities.choices.ActivityStatus",
        "SurveyStatusEnum": "gridsales.care.choices.SurveyStatus",
        "TierEnum": "gridsales.customers.choices.Tier",
        "RoutePlanStatusEnum": "gridsales.routes.choices.RoutePlanStatus",
        "AwardSourceEnum": "gridsales.recognition.choices.AwardSource",
    },
}

# Map background tiles (a URL template for Leaflet, e.g.
# https://tile.openstreetmap.org/{z}/{x}/{y}.png). Empty (the default): a plain background,
# so maps work offline. GRIDSALES_MAP_TILES_CRS says which coordinates the tiles use:
# wgs84 (OpenStreetMap, Tianditu) or gcj02 (Amap, Tencent) — then every coordinate sent to
# the browser is shifted to GCJ-02 so shapes sit right on the tiles.
MAP_TILES = os.environ.get("GRIDSALES_MAP_TILES", "")
MAP_ATTRIBUTION = os.environ.get("GRIDSALES_MAP_ATTRIBUTION", "")
MAP_TILES_CRS = os.environ.get("GRIDSALES_MAP_TILES_CRS", "wgs84").lower()
if MAP_TILES_CRS not in ("wgs84", "gcj02"):
    raise ImproperlyConfigured(
        f"GRIDSALES_MAP_TILES_CRS must be wgs84 or gcj02, not {MAP_TILES_CRS!r}"
    )


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


# A visit check-in farther than this from the customer's location is flagged (metres).
CHECKIN_RADIUS_M = env_int("GRIDSALES_CHECKIN_RADIUS_M", 500, minimum=1)
# A survey link works once, for this many days after it is sent.
SURVEY_LINK_DAYS = env_int("GRIDSALES_SURVEY_LINK_DAYS", 14, minimum=1)

# Headcount (gridsales.planning, docs/planning.md): minutes per visit on site, minutes of
# travel allowed per visit, and the hours of customer visits one full-time rep can do a year.
PLANNING_VISIT_MINUTES = env_int("GRIDSALES_PLANNING_VISIT_MINUTES", 60, minimum=1)
PLANNING_TRAVEL_MINUTES = env_int("GRIDSALES_PLANNING_TRAVEL_MINUTES", 30, minimum=0)
PLANNING_REP_HOURS = env_int("GRIDSALES_PLANNING_REP_HOURS", 1100, minimum=1)

# Background jobs (django-tasks): the database backend, run by `gridsales db_worker` (which
# `gridsales serve` starts alongside the web server); tests run tasks immediately.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Visit routes: business and working hours, lunch, travel speed, service times, the office,
# solver time limits (GRIDSALES_ROUTES_*, docs/configuration.md).
from gridsales.routes.config import routes_config  # noqa: E402

ROUTES = routes_config(os.environ)
# A road-network travel-time provider (dotted path to a callable; docs/routes.md). Empty:
# the offline estimate from coordinates.
ROUTES_TRAVEL_PROVIDER = os.environ.get("GRIDSALES_ROUTES_TRAVEL_PROVIDER", "")
# How long a dashboard section's numbers are reused, in seconds (docs/dashboards.md).
DASHBOARD_CACHE_SECONDS = int(
    os.environ.get("GRIDSALES_DASHBOARD_CACHE_SECONDS", "0" if TESTING else "60")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
