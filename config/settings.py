"""Settings for Beteiligungskarte: one base module, overridden by environment variables.

Every value that differs between a developer's machine, CI and production is read from
the environment (or a `.env` file beside this repository) with a typed default. Invariants
that Django cannot express here are checked by the system checks in `config/checks.py`.
"""

import hashlib
import os
import secrets
from pathlib import Path

import django_stubs_ext
import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

# Lets generic classes such as ModelAdmin[Report] be written at run time, as the type checker reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

# --- Core ---------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _checkout_secret_key(path: Path) -> str:
    """Return this checkout's own random key from var/, creating it once (readable by its owner only)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Production sets DJANGO_SECRET_KEY; a checkout without it gets a random key of its own in var/.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _checkout_secret_key(BASE_DIR / "var" / "secret_key")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "config.apps.ConfigConfig",
    "geo",
    "layers",
    "accounts",
    "idempotency",
    "reports",
    "procedures",
    "tiles",
    "workspace",
    "axes",
    "abuse",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
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

# --- Database -----------------------------------------------------------------------------

# Without DATABASE_URL the project uses its own PostgreSQL cluster under var/, reached only
# through a Unix socket in var/run (see scripts/pg.sh); its superuser is "beteiligung".


def _socket_dir(checkout: Path) -> str:
    """Return var/run, or for a deep checkout a short directory under /tmp (as scripts/pg.sh does)."""
    directory = str(checkout / "var" / "run")
    # A Unix socket path may hold about 107 bytes.
    if len(directory) + len("/.s.PGSQL.5432") > 100:
        directory = f"/tmp/bk-{hashlib.sha256(str(checkout).encode()).hexdigest()[:12]}"  # noqa: S108
    return directory


PG_SOCKET_DIR = env.str("BK_PG_SOCKET_DIR", default="") or _socket_dir(BASE_DIR)
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL", engine="django.contrib.gis.db.backends.postgis")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.contrib.gis.db.backends.postgis",
            "NAME": env.str("BK_PG_DATABASE", default="beteiligungskarte"),
            "USER": "beteiligung",
            "HOST": str(PG_SOCKET_DIR),
        }
    }
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("BK_DB_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff pages (the planner workspace) send anonymous visitors here.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
# django-axes first: it refuses a locked-out username or client before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Lock a username, and separately a client, after this many failed logins, for the cool-off time.
AXES_FAILURE_LIMIT = env.int("BK_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("BK_LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# DSGVO: axes stores a keyed pseudonym of the address instead of the address, no user agent, and no
# log of successful logins (see abuse/axes.py).
AXES_CLIENT_IP_CALLABLE = "abuse.axes.client_pseudonym"
AXES_HANDLER = "abuse.axes.PrivateDatabaseHandler"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "static/"
# Set where collectstatic runs (production); development serves straight from the finders.
STATIC_ROOT = env.str("BK_STATIC_ROOT", default="") or None
# Browser libraries come from npm (package.json) and are served by us, never from a CDN;
# only the files named here leave node_modules (see config/staticfinders.py).
NODE_MODULES = BASE_DIR / "node_modules"
VENDOR_FILES = {
    "vendor/leaflet/leaflet.js": NODE_MODULES / "leaflet/dist/leaflet.js",
    "vendor/leaflet/leaflet.css": NODE_MODULES / "leaflet/dist/leaflet.css",
    **{
        f"vendor/leaflet/images/{image}": NODE_MODULES / "leaflet/dist/images" / image
        for image in ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")
    },
    "vendor/leaflet.markercluster/leaflet.markercluster.js": NODE_MODULES
    / "leaflet.markercluster/dist/leaflet.markercluster.js",
    **{
        f"vendor/leaflet.markercluster/{sheet}": NODE_MODULES / "leaflet.markercluster/dist" / sheet
        for sheet in ("MarkerCluster.css", "MarkerCluster.Default.css")
    },
    "vendor/leaflet-geoman/leaflet-geoman.js": NODE_MODULES / "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.js",
    "vendor/leaflet-geoman/leaflet-geoman.css": NODE_MODULES / "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css",
    "vendor/ol/ol.js": NODE_MODULES / "ol/dist/ol.js",
    "vendor/ol/ol.css": NODE_MODULES / "ol/ol.css",
    "vendor/protomaps-leaflet/protomaps-leaflet.js": NODE_MODULES / "protomaps-leaflet/dist/protomaps-leaflet.js",
    "vendor/leaflet.heat/leaflet-heat.js": NODE_MODULES / "leaflet.heat/dist/leaflet-heat.js",
    # Accessibility tests inject axe-core from our own server, like every other asset.
    "vendor/axe-core/axe.min.js": NODE_MODULES / "axe-core/axe.min.js",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.staticfinders.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str("BK_STATICFILES_STORAGE", default="django.contrib.staticfiles.storage.StaticFilesStorage")
    },
}
# Serve straight from the finders unless collectstatic has run (production turns this off).
WHITENOISE_USE_FINDERS = env.bool("BK_WHITENOISE_USE_FINDERS", default=STATIC_ROOT is None)

# --- Security headers ---------------------------------------------------------------------

# No page may be framed by another site (clickjacking), except the embeddable maps, which
# allow exactly the origins their authority lists (layers.embedding). X-Frame-Options says the
# same to browsers that do not know frame-ancestors.
X_FRAME_OPTIONS = "DENY"
# Everything comes from our own server (DSGVO: a citizen's browser talks to nobody else). Inline
# <script> and <style> elements run only with this response's nonce (`request.csp_nonce`); django-csp
# leaves the nonce out of a page that used none. base-uri, form-action and frame-ancestors do not fall
# back to default-src, so they are named; the fetch directives are named to be read at a glance.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Also governs style="" attributes (nonces never apply to them): none is needed, since Leaflet
        # and OpenLayers place tiles and markers through element.style, which a policy does not govern.
        "style-src": [SELF, NONCE],
        # Leaflet and protomaps-leaflet use small data: images; blob: URLs are what OpenLayers (the
        # admin's map) builds in the browser. Neither can name a third party.
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        # OpenLayers (the admin's map widget) renders vector layers in a worker it builds from a blob:
        # URL out of its own code; only scripts already allowed to run can create one.
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- REST API -----------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.exception_handler.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Beteiligungskarte API",
    "DESCRIPTION": (
        "Karten-API des Beteiligungsportals NRW. GeoJSON (RFC 7946) in Länge/Breite; "
        "gespeichert wird in ETRS89 / UTM 32N (EPSG:25832)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would otherwise show a badge from validator.swagger.io (a third party) on every
    # public host; the CSP would refuse it anyway.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The first is drf-spectacular's default; ours adds the error answers all views share.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.document_common_errors",
    ],
}

# --- Geo ----------------------------------------------------------------------------------

# Read through geo.conf.geo_settings(), which types and checks them.
BK_GEO = {
    "MAX_VERTICES": env.int("BK_GEO_MAX_VERTICES", default=5000),
    "NRW_BUFFER_M": env.float("BK_GEO_NRW_BUFFER_M", default=1000.0),
    "NRW_BOUNDARY_FILE": env.path(
        "BK_GEO_NRW_BOUNDARY_FILE", default=str(BASE_DIR / "fixtures" / "vg5000-nrw" / "nrw_land_epsg25832.geojson")
    ),
    "PROJ_GRID_DIRS": env.list("BK_GEO_PROJ_GRID_DIRS", default=["/usr/share/proj"]),
}

# --- Mängelmelder ------------------------------------------------------------------------

# Read through reports.conf.reports_settings().
BK_REPORTS = {
    "PHOTO_MAX_BYTES": env.int("BK_PHOTO_MAX_BYTES", default=15 * 1024 * 1024),
    "PHOTO_MAX_PIXELS": env.int("BK_PHOTO_MAX_PIXELS", default=50_000_000),
    "PHOTOS_PER_REPORT": env.int("BK_PHOTOS_PER_REPORT", default=5),
    # Uploads not attached to a report within this time are removed by `cleanup_uploads`.
    "UNATTACHED_PHOTO_HOURS": env.int("BK_UNATTACHED_PHOTO_HOURS", default=24),
    "IDEMPOTENCY_HOURS": env.int("BK_IDEMPOTENCY_HOURS", default=24),
}


# --- Abuse --------------------------------------------------------------------------------


def _rate(action: str, limit: int, window_seconds: int) -> dict[str, int]:
    """Return one throttled action's limit per window, each overridable by BK_THROTTLE_<ACTION>_*."""
    name = action.upper()
    return {
        "LIMIT": env.int(f"BK_THROTTLE_{name}_LIMIT", default=limit),
        "WINDOW_SECONDS": env.int(f"BK_THROTTLE_{name}_WINDOW_SECONDS", default=window_seconds),
    }


# Read through abuse.conf.abuse_settings(); counted per client (a keyed hash of its address) in the
# database, so that every worker process shares one count.
BK_THROTTLE = {
    "report_create": _rate("report_create", 10, 3600),
    "open311_create": _rate("open311_create", 120, 3600),
    "photo_upload": _rate("photo_upload", 60, 3600),
    "contribution_create": _rate("contribution_create", 20, 3600),
    "flag": _rate("flag", 30, 3600),
    "login": _rate("login", 30, 900),
}
BK_ABUSE = {
    # A public form sent sooner than this after it was shown is taken for a bot's (0 turns the check off).
    "FORM_MIN_SECONDS": env.int("BK_FORM_MIN_SECONDS", default=3),
    # A form older than this must be loaded again.
    "FORM_MAX_AGE_SECONDS": env.int("BK_FORM_MAX_AGE_SECONDS", default=24 * 3600),
    # After this many people's unhandled flags a text is hidden until a moderator has looked at it.
    "FLAG_HIDE_THRESHOLD": env.int("BK_FLAG_HIDE_THRESHOLD", default=3),
    # Throttle counters of windows that ended longer ago than this are removed by `cleanup_throttle`.
    "COUNTER_RETENTION_HOURS": env.int("BK_THROTTLE_RETENTION_HOURS", default=48),
}

# Links in e-mails point here.
# The external basemap every map shows under its data, by its layer key (layers/registry.py), always
# through our own proxy at /tiles/basemaps/; "" shows none. Upstream addresses: BK_LAYERS.
BK_MAP_BASEMAP = env.str("BK_MAP_BASEMAP", default="basemap-de")

SITE_URL = env.str("BK_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
MEDIA_ROOT = env.path("BK_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DEFAULT_FROM_EMAIL = env.str("BK_DEFAULT_FROM_EMAIL", default="Beteiligungskarte NRW <noreply@beteiligung.nrw.de>")
EMAIL_BACKEND = env.str("BK_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("BK_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("BK_EMAIL_PORT", default=25)

# --- Privacy and accessibility ------------------------------------------------------------

# Read through privacy.conf.privacy_settings(); shown on /datenschutz/ and /barrierefreiheit/.
BK_PRIVACY = {
    # Reporters' and authors' names, addresses and accounts are removed this long after a report
    # is closed or a procedure has ended (`anonymise_personal_data`, run daily).
    "ANONYMISE_AFTER_DAYS": env.int("BK_PRIVACY_ANONYMISE_AFTER_DAYS", default=90),
    "CONTROLLER": env.str(
        "BK_PRIVACY_CONTROLLER",
        default="Land Nordrhein-Westfalen, vertreten durch die Betreiberin des Beteiligungsportals NRW",
    ),
    "CONTROLLER_ADDRESS": env.str("BK_PRIVACY_CONTROLLER_ADDRESS", default=""),
    "CONTROLLER_EMAIL": env.str("BK_PRIVACY_CONTROLLER_EMAIL", default="datenschutz@beteiligung.nrw.de"),
    "DPO_EMAIL": env.str("BK_PRIVACY_DPO_EMAIL", default="datenschutzbeauftragte@beteiligung.nrw.de"),
    "ACCESSIBILITY_CONTACT": env.str("BK_ACCESSIBILITY_CONTACT", default="barrierefreiheit@beteiligung.nrw.de"),
    # When the accessibility statement was last reviewed (ISO date).
    "ACCESSIBILITY_REVIEWED_ON": env.str("BK_ACCESSIBILITY_REVIEWED_ON", default="2026-11-24"),
}

# GDAL older than 3.9 cannot forbid file and network access while parsing a spatial reference.
# No text from a request ever reaches GDAL or PROJ as a CRS (geo.crs allow-lists EPSG codes), so
# the danger the check warns of does not arise here.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- Logging ------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("BK_LOG_LEVEL", default="INFO")},
}
