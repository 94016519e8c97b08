"""Settings, read from environment variables with safe defaults.

Nothing set: production behaviour (DEBUG off), which refuses to start without FABRIQUES_SECRET_KEY.
Development asks for DEBUG: FABRIQUES_DEBUG=1 (`make run` and the tests set it) gives a local SQLite
database under ./var, console e-mail and a development key. Production: FABRIQUES_SECRET_KEY,
FABRIQUES_ALLOWED_HOSTS, DATABASE_URL (postgres://...), FABRIQUES_EMAIL_URL or the SMTP variables.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from fabriques.theme.colours import darker, primary_colour_check

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("FABRIQUES_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number from the environment; a bad value stops the start with a message naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} : nombre entier attendu, reçu {raw!r}.") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"entre {minimum} et {maximum}" if maximum is not None else f"au moins {minimum}"
        raise ImproperlyConfigured(f"{name} : valeur {bounds} attendue, reçu {value}.")
    return value


DEBUG = env_bool("FABRIQUES_DEBUG", False)  # off unless asked: a forgotten variable must not expose tracebacks
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - only used with DEBUG on
SECRET_KEY = os.environ.get("FABRIQUES_SECRET_KEY", "")
if not DEBUG and SECRET_KEY in ("", DEV_SECRET_KEY):
    raise ImproperlyConfigured("FABRIQUES_SECRET_KEY must be set (50+ random characters) unless FABRIQUES_DEBUG=1")
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
ALLOWED_HOSTS = env_list("FABRIQUES_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("FABRIQUES_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("FABRIQUES_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "widget_tweaks",
    "dsfr",
    "fabriques.theme",  # before allauth: its templates override allauth's
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",  # ProConnect (below): no provider is offered unless configured
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "fabriques.accounts",
    "fabriques.calls",
    "fabriques.territory",
    "fabriques.dossiers",
    "fabriques.instruction",
    "fabriques.evaluation",
    "fabriques.committee",
    "fabriques.followup",
    "fabriques.audit",
    "fabriques.api",
    "fabriques.apitokens",
    "fabriques.exports",
    "fabriques.opendata",
    "fabriques.webhooks",
    "fabriques.mail",
    "fabriques.advice",
    "fabriques.faq",
    "fabriques.demo",
    "fabriques.security",
    "fabriques.operations",
    "fabriques.personal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fabriques.security.degraded.ReadOnlyBannerMiddleware",  # flags requests while the database refuses writes
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from the app server (collectstatic first)
    "csp.middleware.CSPMiddleware",
    "fabriques.territory.tiles.TileCspMiddleware",  # after CSP: adds the tile origins of pages that draw tiles
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fabriques.security.request_size.RequestSizeLimitMiddleware",  # before any view or CSRF check reads the body
    "fabriques.security.headers.SecurityHeadersMiddleware",  # Permissions-Policy; no-store on private answers
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fabriques.theme.middleware.RefusalMiddleware",  # an uncaught domain refusal: a French message, never a 500
    "allauth.account.middleware.AccountMiddleware",
    "fabriques.security.middleware.AgentMfaMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "fabriques.urls"
WSGI_APPLICATION = "fabriques.wsgi.application"

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
                "fabriques.theme.context_processors.site_config",
                "fabriques.security.degraded.read_only",
            ],
        },
    },
]

# --- Database: SQLite (WAL, busy timeout) by default, PostgreSQL through DATABASE_URL.
DEFAULT_SQLITE = VAR_DIR / "fabriques.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    # A lock held by an export or a migration makes a request wait at most this long (like SQLite's busy timeout),
    # then the person gets the 503 page (« réessayez ») instead of a worker stuck until gunicorn kills it.
    # A kept connection is checked before a request reuses it: after a restart or a failover the request opens a new
    # one instead of failing on the old one.
    # JIT off: the dashboard's eligibility CASE makes PostgreSQL estimate a large cost, so it compiled the query
    # for 0.6-1 s on every page view (50,000 dossiers), for a query that runs in 0.2-0.4 s (docs/benchmarks.md).
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c lock_timeout={int(os.environ.get('FABRIQUES_PG_LOCK_TIMEOUT_MS', '20000'))} -c jit=off")
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # FULL: a commit is on disk before the deposit is acknowledged, even across a power cut (WAL + NORMAL
    # only survives a process crash). NORMAL trades that for speed where nothing is acknowledged to anyone.
    SQLITE_SYNCHRONOUS = os.environ.get("FABRIQUES_SQLITE_SYNCHRONOUS", "FULL").upper()
    if SQLITE_SYNCHRONOUS not in ("NORMAL", "FULL", "EXTRA"):
        raise ImproperlyConfigured("FABRIQUES_SQLITE_SYNCHRONOUS : attendu NORMAL, FULL ou EXTRA.")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DEFAULT_SQLITE,
            # Kept 60 s like PostgreSQL's: opening a connection (the PRAGMAs, Django's SQL functions, and the WAL's
            # checkpoint when the last one closes) cost ≈ 1.7 ms of CPU per request (docs/benchmarks.md).
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS}; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": os.environ.get("FABRIQUES_TEST_SQLITE", "")} if os.environ.get(
                "FABRIQUES_TEST_SQLITE"
            ) else {},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts: django-allauth, log-in by e-mail, e-mail confirmation required.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "fabriques.security.backends.LockoutBackend",  # first: refuses locked-out account+IP pairs
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Fabriques] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_RATE_LIMITS = {} if env_bool("FABRIQUES_DISABLE_RATE_LIMITS", False) else {
    # Failed log-ins are counted by django-axes (database, shared by all workers): see security below.
    "login_failed": None,
}
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGIN_URL = "account_login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- E-mail: console by default, SMTP when FABRIQUES_EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("FABRIQUES_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("FABRIQUES_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("FABRIQUES_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("FABRIQUES_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("FABRIQUES_EMAIL_TLS", True)
    EMAIL_TIMEOUT = 15
elif DEBUG:
    # Development: each e-mail is printed and kept as a file, listed at /dev/courriels/ (DEBUG only), so that a
    # newcomer can click a confirmation link without a mail server.
    EMAIL_BACKEND = "fabriques.mail.devinbox.DevInboxBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
FABRIQUES_DEV_INBOX_DIR = os.environ.get(
    "FABRIQUES_DEV_INBOX_DIR", str(VAR_DIR / "courriels") if DEBUG and not EMAIL_HOST else "")
# Where people write to: the e-mail confirmation pages, the contact page, the legal notice.
FABRIQUES_CONTACT_EMAIL = os.environ.get("FABRIQUES_CONTACT_EMAIL", "contact@fabriques.localhost")
# The legal notice: who publishes the service and who hosts it (a deployment sets both).
FABRIQUES_PUBLISHER = os.environ.get(
    "FABRIQUES_PUBLISHER", "Agence nationale de la cohésion des territoires (ANCT), 20 avenue de Ségur, 75007 Paris")
FABRIQUES_HOST_NAME = os.environ.get("FABRIQUES_HOST_NAME", "à compléter par l’opérateur du service")
DEFAULT_FROM_EMAIL = os.environ.get("FABRIQUES_FROM_EMAIL", "Fabriques <ne-pas-repondre@fabriques.localhost>")

# --- Territory: national address API (BAN) for geocoding, off unless set (e.g. https://api-adresse.data.gouv.fr);
# an XYZ tile URL template ("https://host/{z}/{x}/{y}.png", or "https://{s}.host/{z}/{x}/{y}.png" where {s} is one
# letter of FABRIQUES_TILE_SUBDOMAINS, default "abc", chosen per tile) for the basemap of the data map
# /donnees/carte/ and of the place maps (eligibility check, instruction page). Empty: offline maps. When set, the
# CSP of the pages that draw tiles, and only those, allows every tile origin in img-src (territory.tiles).
# FABRIQUES_TILE_ATTRIBUTION: the credit the tile provider asks for, shown under the maps.
FABRIQUES_BAN_URL = os.environ.get("FABRIQUES_BAN_URL", "")
FABRIQUES_BAN_TIMEOUT = float(os.environ.get("FABRIQUES_BAN_TIMEOUT", "3"))
# update-territory: a mirror laid out like territory/reference/ and per-dataset URLs ("qpv-2024=https://…,…").
FABRIQUES_TERRITORY_BASE_URL = os.environ.get("FABRIQUES_TERRITORY_BASE_URL", "")
FABRIQUES_TERRITORY_URLS = dict(
    item.split("=", 1) for item in os.environ.get("FABRIQUES_TERRITORY_URLS", "").split(",") if "=" in item
)
FABRIQUES_TERRITORY_TIMEOUT = float(os.environ.get("FABRIQUES_TERRITORY_TIMEOUT", "60"))
FABRIQUES_TILE_URL = os.environ.get("FABRIQUES_TILE_URL", "")
FABRIQUES_TILE_SUBDOMAINS = os.environ.get("FABRIQUES_TILE_SUBDOMAINS", "abc")
FABRIQUES_TILE_ATTRIBUTION = os.environ.get("FABRIQUES_TILE_ATTRIBUTION", "")

# --- Company directory (« Recherche d'entreprises », e.g. https://recherche-entreprises.api.gouv.fr): off unless set;
# the organisation form then fills itself from a SIRET or a name (accounts/company_lookup.py). Answers are cached.
FABRIQUES_COMPANY_LOOKUP_URL = os.environ.get("FABRIQUES_COMPANY_LOOKUP_URL", "")
FABRIQUES_COMPANY_LOOKUP_TIMEOUT = float(os.environ.get("FABRIQUES_COMPANY_LOOKUP_TIMEOUT", "3"))
FABRIQUES_COMPANY_LOOKUP_CACHE_SECONDS = int(os.environ.get("FABRIQUES_COMPANY_LOOKUP_CACHE_SECONDS", "86400"))

# --- data.gouv.fr: `publish-opendata --call SLUG` updates the call's dataset with an API key of its owner. Datasets
# per call as "slug=dataset-id,…" (or --dataset). Nothing is published without the key.
FABRIQUES_DATAGOUV_URL = os.environ.get("FABRIQUES_DATAGOUV_URL", "https://www.data.gouv.fr")
FABRIQUES_DATAGOUV_API_KEY = os.environ.get("FABRIQUES_DATAGOUV_API_KEY", "")
FABRIQUES_DATAGOUV_DATASETS = dict(
    item.strip().split("=", 1) for item in os.environ.get("FABRIQUES_DATAGOUV_DATASETS", "").split(",") if "=" in item
)

# --- Data out: API requests per token and minute (counted in the database, shared by all servers);
# exports above this many dossiers run in the background (`python -m fabriques run-jobs`).
FABRIQUES_API_RATE_LIMIT = int(os.environ.get("FABRIQUES_API_RATE_LIMIT", "600"))
FABRIQUES_EXPORT_SYNC_MAX = int(os.environ.get("FABRIQUES_EXPORT_SYNC_MAX", "2000"))
# Webhook receivers must be public https addresses; an internal receiver (private, loopback…) is allowed only when its
# address is inside one of these networks (CIDR, comma-separated, e.g. "10.1.2.0/24"); it may then use http.
FABRIQUES_WEBHOOK_ALLOWED_NETWORKS = env_list("FABRIQUES_WEBHOOK_ALLOWED_NETWORKS", "")
# The proof of deposit (PDF) is e-mailed when the deposit commits; "0" only for benchmark runs that measure the
# deposit without the PDF (it is rendered in the request: see docs/benchmarks.md, section Charge).
FABRIQUES_DEPOSIT_PROOF_EMAIL = env_bool("FABRIQUES_DEPOSIT_PROOF_EMAIL", True)
# Production: queue the deposit's e-mails (the proof, whose PDF costs ~1 s of CPU, and the notice of deposit) for
# `run-jobs` instead of sending them from the deposit request; `make run` (no worker) keeps them inline.
FABRIQUES_DEPOSIT_PROOF_QUEUE = env_bool("FABRIQUES_DEPOSIT_PROOF_QUEUE", not DEBUG)
# A deposit started (its signed key issued) before the closing second is still accepted this many seconds after it.
FABRIQUES_DEPOSIT_GRACE_SECONDS = env_int("FABRIQUES_DEPOSIT_GRACE_SECONDS", 0, maximum=3600)
# Retention of personal data when a call's `[retention]` table leaves a value out (calls/retention.py; the purge:
# personal/personal_data.py).
FABRIQUES_DRAFT_RETENTION_DAYS = env_int("FABRIQUES_DRAFT_RETENTION_DAYS", 365, minimum=30, maximum=3650)
FABRIQUES_DRAFT_PURGE_NOTICE_DAYS = env_int("FABRIQUES_DRAFT_PURGE_NOTICE_DAYS", 30, minimum=1, maximum=365)
if FABRIQUES_DRAFT_PURGE_NOTICE_DAYS >= FABRIQUES_DRAFT_RETENTION_DAYS:
    raise ImproperlyConfigured(
        "FABRIQUES_DRAFT_PURGE_NOTICE_DAYS doit être inférieur à FABRIQUES_DRAFT_RETENTION_DAYS.")
FABRIQUES_UNFUNDED_RETENTION_YEARS = env_int("FABRIQUES_UNFUNDED_RETENTION_YEARS", 5, minimum=1, maximum=30)
FABRIQUES_FUNDED_RETENTION_YEARS = env_int("FABRIQUES_FUNDED_RETENTION_YEARS", 10, minimum=1, maximum=30)

# --- Antivirus: clamd socket for scanning uploads ("unix:/run/clamav/clamd.ctl" or "tcp:host:3310");
# empty = no scanner (files stored as "non analysé"). See fabriques/security/antivirus.py.
FABRIQUES_CLAMD = os.environ.get("FABRIQUES_CLAMD", "")
FABRIQUES_CLAMD_TIMEOUT = float(os.environ.get("FABRIQUES_CLAMD_TIMEOUT", "30"))
# Requests above this size (Mo) are refused with a 413 before their body is read: a little above the largest
# attachment a call allows (20 Mo in the 2019 call). See security/request_size.py.
FABRIQUES_MAX_REQUEST_MB = int(os.environ.get("FABRIQUES_MAX_REQUEST_MB", "25"))
# Uploads are refused (French message, nothing stored) when the media file system would keep less than this free;
# `/sante/` answers 503 below it. Worker lag (oldest due e-mail, queued proof or export) above which `/sante/` says
# "degraded". See docs/reliability.md, "Pannes au-delà du serveur d'application".
FABRIQUES_MIN_FREE_MB = int(os.environ.get("FABRIQUES_MIN_FREE_MB", "50"))
FABRIQUES_HEALTH_MAX_WORKER_LAG = int(os.environ.get("FABRIQUES_HEALTH_MAX_WORKER_LAG", "600"))

# --- Internationalisation: the UI speaks French, times are Europe/Paris.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("FABRIQUES_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# DEBUG off: whitenoise serves STATIC_ROOT (run `python -m fabriques collectstatic` at deployment), gzipped;
# FABRIQUES_STATIC_MANIFEST=1 adds hashed names with far-future caching (every page then needs collectstatic
# to have run, so it is opt-in). With DEBUG on whitenoise reads the apps' folders.
WHITENOISE_USE_FINDERS = DEBUG
if not DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                               if env_bool("FABRIQUES_STATIC_MANIFEST", False)
                               else "whitenoise.storage.CompressedStaticFilesStorage"}

# --- Security headers.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_AGE = int(os.environ.get("FABRIQUES_SESSION_AGE", str(8 * 3600)))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("FABRIQUES_SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("FABRIQUES_SSL_REDIRECT", True)
    SECURE_HSTS_PRELOAD = env_bool("FABRIQUES_HSTS_PRELOAD", True)

# Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failures for one account from one
# address, that pair is refused (even with the right password) for AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = int(os.environ.get("FABRIQUES_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("FABRIQUES_LOGIN_COOLOFF_MINUTES", "15")))
# ...and after FABRIQUES_LOGIN_ACCOUNT_FAILURE_LIMIT failures for one account from any addresses, the account
# (security/throttle.py: the second parameter set, with its own limit).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
FABRIQUES_LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("FABRIQUES_LOGIN_ACCOUNT_FAILURE_LIMIT", "20"))
AXES_HANDLER = "fabriques.security.throttle.PairAndAccountHandler"
AXES_USERNAME_CALLABLE = "fabriques.security.lockout.attempted_login"
AXES_LOCKOUT_CALLABLE = "fabriques.security.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # attempts are inspected with `axes_list_attempts`, not edited in the admin

# The cache lives in the database, so that allauth's rate limits (sign-up, password reset, log-in per address, second
# factor codes) and the TOTP codes already used are shared by every app server and survive a restart (the per-process
# memory cache gave each worker its own counters). The table is created by the security app's first migration.
# FABRIQUES_CACHE=memory keeps it in the process (the tests, whose fixtures clear it outside any database access).
FABRIQUES_CACHE = os.environ.get("FABRIQUES_CACHE", "database")
if FABRIQUES_CACHE not in ("database", "memory"):
    raise ImproperlyConfigured("FABRIQUES_CACHE : attendu database ou memory.")
CACHES = {"default": {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "fabriques_cache",
    "OPTIONS": {"MAX_ENTRIES": 100_000},
} if FABRIQUES_CACHE == "database" else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Second factor (allauth.mfa): TOTP and recovery codes; required for agents (security.middleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Fabriques"
FABRIQUES_REQUIRE_AGENT_MFA = env_bool("FABRIQUES_REQUIRE_AGENT_MFA", True)

# --- ProConnect (OpenID Connect, accounts/proconnect.py): offered on the log-in page only when the issuer and the
# client are set. E.g. FABRIQUES_PROCONNECT_ISSUER=https://auth.agentconnect.gouv.fr/api/v2 (discovery appended).
# A ProConnect log-in whose ID token says "mfa" (amr) or one of FABRIQUES_PROCONNECT_MFA_ACR (acr) counts as the
# agents' second factor. FABRIQUES_PROCONNECT_EMAILS_VERIFIED=1 trusts every address of a federation that verifies
# them without sending `email_verified`; otherwise an address without it is refused.
FABRIQUES_PROCONNECT_ISSUER = os.environ.get("FABRIQUES_PROCONNECT_ISSUER", "")
FABRIQUES_PROCONNECT_CLIENT_ID = os.environ.get("FABRIQUES_PROCONNECT_CLIENT_ID", "")
FABRIQUES_PROCONNECT_CLIENT_SECRET = os.environ.get("FABRIQUES_PROCONNECT_CLIENT_SECRET", "")
FABRIQUES_PROCONNECT_SCOPES = env_list("FABRIQUES_PROCONNECT_SCOPES", "openid,email,given_name,usual_name").copy()
FABRIQUES_PROCONNECT_MFA_ACR = env_list(
    "FABRIQUES_PROCONNECT_MFA_ACR", "eidas2,eidas3,https://proconnect.gouv.fr/assurance/self-asserted-2fa,"
    "https://proconnect.gouv.fr/assurance/consistency-checked-2fa")
FABRIQUES_PROCONNECT_EMAILS_VERIFIED = env_bool("FABRIQUES_PROCONNECT_EMAILS_VERIFIED", False)


def proconnect_providers(issuer: str, client_id: str, secret: str, scopes: list[str]) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for ProConnect (empty: no provider, the log-in page is as before)."""
    apps = [{
        "provider_id": "proconnect", "name": "ProConnect", "client_id": client_id, "secret": secret,
        "settings": {"server_url": issuer, "token_auth_method": "client_secret_post", "oauth_pkce_enabled": True,  # nosec B105 - read from the environment
                     "fetch_userinfo": True},
    }] if issuer and client_id else []
    # ProConnect puts `amr` in the ID token only when the claims parameter asks for it (and `acr` with it).
    claims = '{"id_token": {"amr": {"essential": true}, "acr": {"essential": true}}}'
    return {"openid_connect": {"APPS": apps, "SCOPE": scopes, "OAUTH_PKCE_ENABLED": True,
                               "AUTH_PARAMS": {"claims": claims}}}


SOCIALACCOUNT_PROVIDERS = proconnect_providers(FABRIQUES_PROCONNECT_ISSUER, FABRIQUES_PROCONNECT_CLIENT_ID,
                                               FABRIQUES_PROCONNECT_CLIENT_SECRET, FABRIQUES_PROCONNECT_SCOPES)
ACCOUNT_ADAPTER = "fabriques.accounts.proconnect.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "fabriques.accounts.proconnect.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True  # an existing account with that (verified) address is the one logged in
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # only addresses the provider vouches for get this far
SOCIALACCOUNT_STORE_TOKENS = False

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}


def form_action_with(issuer: str) -> list[str]:
    """form-action with the ProConnect provider's origin: the log-in and log-out forms' answers redirect there."""
    origin = "/".join(issuer.split("/", 3)[:3]) if issuer.startswith(("https://", "http://")) else ""
    return ["'self'", origin] if origin else ["'self'"]


CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = form_action_with(FABRIQUES_PROCONNECT_ISSUER)

# --- DSFR.
DSFR_MARK_OPTIONAL_FIELDS = True
FABRIQUES_THEME = os.environ.get("FABRIQUES_THEME", "dsfr")
# The DSFR and the Marianne are reserved to State sites: a région or a network running its own call sets
# FABRIQUES_THEME=neutral and gets the same pages with its name, logo (a static path or a path on this site) and
# primary colour (checked readable on white); its legal pages read FABRIQUES_PUBLISHER, FABRIQUES_HOST_NAME and
# FABRIQUES_CONTACT_EMAIL as with the DSFR. theme/neutral/templates overrides django-dsfr's base and our header/footer.
if FABRIQUES_THEME not in ("dsfr", "neutral"):
    raise ImproperlyConfigured("FABRIQUES_THEME : attendu dsfr (sites de l’État) ou neutral.")
FABRIQUES_SITE_NAME = os.environ.get("FABRIQUES_SITE_NAME", "Fabriques")
FABRIQUES_SITE_TAGLINE = os.environ.get("FABRIQUES_SITE_TAGLINE", "")
FABRIQUES_SITE_LOGO = os.environ.get("FABRIQUES_SITE_LOGO", "")
FABRIQUES_SITE_LOGO_ALT = os.environ.get("FABRIQUES_SITE_LOGO_ALT", "")
try:
    FABRIQUES_THEME_PRIMARY = primary_colour_check(os.environ.get("FABRIQUES_THEME_PRIMARY", "#2b4b73"))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None
FABRIQUES_THEME_PRIMARY_HOVER = darker(FABRIQUES_THEME_PRIMARY)
THEME_TEMPLATE_DIRS = [BASE_DIR / "theme" / "neutral" / "templates"] if FABRIQUES_THEME == "neutral" else []
TEMPLATES[0]["DIRS"] = THEME_TEMPLATE_DIRS  # first: the neutral theme's templates win over the apps'

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FABRIQUES_LOG_LEVEL", "WARNING")},
}
