"""Okienko settings: read once from OKIENKO_* environment variables, with embedded defaults.

Embedded mode (the default) needs nothing but this machine: SQLite in WAL mode, Huey on SQLite,
an in-memory channel layer and files under ``var/``. Setting ``OKIENKO_DATABASE_URL`` switches to
PostgreSQL and ``OKIENKO_REDIS_URL`` moves Huey, the channel layer and the cache to Redis.
"""

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"OKIENKO_{name}", default)


def _env_bool(name: str, default: bool = False) -> bool:
    return _env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(_env("VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

MODE = _env("MODE", "embedded")
if MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured("OKIENKO_MODE must be 'embedded' or 'production'")
DEBUG = _env_bool("DEBUG")


def _secret_key() -> str:
    configured = _env("SECRET_KEY")
    if configured:
        return configured
    if MODE == "production":
        raise ImproperlyConfigured("OKIENKO_SECRET_KEY is required when OKIENKO_MODE=production")
    # Embedded installs keep a generated key so sessions and tokens survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in _env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in _env("CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "okienko.core",
    "okienko.accounts",
    "okienko.customers",
    "okienko.tickets",
    "okienko.inboxes",
    "okienko.sla",
    "okienko.routing",
    "okienko.automation",
    "okienko.notifications",
    "okienko.integrations",
    "okienko.feedback",
    "okienko.search",
    "okienko.kb",
    "okienko.ai",
    "anymail",
    "okienko.api",
    "okienko.workspace",
    "okienko.portal",
    "ninja",
    "channels",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files from the app server itself, so no separate web server is
    # needed in embedded mode.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in agent's language and time zone; after authentication, which it reads.
    "okienko.workspace.middleware.AgentPreferencesMiddleware",
    "okienko.workspace.middleware.AgentActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "okienko.core.middleware.NotFoundAsPageMiddleware",
]

ROOT_URLCONF = "okienko.urls"
ASGI_APPLICATION = "okienko.asgi.application"
WSGI_APPLICATION = "okienko.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "okienko.workspace.context_processors.presence_choices",
                "okienko.workspace.context_processors.unread_notifications",
            ],
        },
    },
]

# WAL lets readers run beside the single writer; IMMEDIATE avoids lock upgrades failing
# mid-transaction when the worker threads and the web server write at once.
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
DATABASE_URL = _env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'okienko.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Under ASGI every request runs its sync code in a fresh thread, so thread-bound persistent
    # connections would open a new PostgreSQL backend per request; a shared pool reuses them.
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": int(_env("DATABASE_POOL_MIN", "2")),
            "max_size": int(_env("DATABASE_POOL_MAX", "20")),
            "timeout": 10,
        },
        # Parameters bound by the server, and each statement prepared on its second use on a
        # connection: PostgreSQL stops parsing the same few statements on every request, psycopg
        # stops quoting values into them.
        "server_side_binding": True,
        "prepare_threshold": 1,
        # Yet planned again for each execution's values: a generic plan, cached after a few runs
        # with a common tag, made the list of a rare tag's tickets 6 times slower at 1,000,000
        # tickets (p95 93 ms against 16).
        "options": "-c plan_cache_mode=force_custom_plan",
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = _SQLITE_OPTIONS
    # A file, not memory, so that server processes started by tests see the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.Agent"
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:inbox"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

REDIS_URL = _env("REDIS_URL")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "okienko",
        "url": REDIS_URL,
        "immediate": False,
    }
    # Redis pub/sub: each process holds one subscription connection and Redis pushes every group
    # message down it, where the process hands it to its consumers. (The list-based layer pops
    # one message at a time per process, BZPOPMIN passed from consumer to consumer; with
    # thousands of chat widgets on a process that queue made agents wait seconds. Its messages
    # outlive a process's short absence, which no browser here needs: a page or a widget that
    # reconnects reads what it missed from the database.)
    # Pub/sub channels are one namespace for the whole Redis server, whatever the database
    # number: installs on one server, each with its own database, would hear each other's
    # group messages (a ticket of another install changed) without a prefix of their own.
    _redis_db = urlsplit(REDIS_URL).path.strip("/") or "0"
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "okienko.core.redis_channel_layer.PipelinedRedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"okienko-db{_redis_db}."},
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # huey imports the Redis client whenever it is installed (29 MB a process), used or not:
    # without Redis its import is refused, and huey takes the Redis storage as unavailable.
    sys.modules.setdefault("redis", None)  # type: ignore[arg-type]  # None: "not importable"
    HUEY = {
        "huey_class": "okienko.core.queue.SqliteHuey",
        "name": "okienko",
        "filename": str(VAR_DIR / "queue.sqlite3"),
        "immediate": False,
    }
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "okienko.core.channel_layer.ThrottledInMemoryChannelLayer"}
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", "Polski"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "okienko" / "locale"]
TIME_ZONE = _env("TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve app static files straight from the packages, so an install works without collectstatic.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(_env("FILES_DIR", str(VAR_DIR / "files")))
MEDIA_URL = "files/"

# Largest attachment accepted through the API, in bytes.
MAX_ATTACHMENT_BYTES = int(_env("MAX_ATTACHMENT_BYTES", str(25 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(_env("MAX_REQUEST_BYTES", str(40 * 1024 * 1024)))
# How long an Idempotency-Key is remembered.
IDEMPOTENCY_KEY_TTL_HOURS = int(_env("IDEMPOTENCY_KEY_TTL_HOURS", "24"))

# Where agents reach this install, for links in e-mails (notifications, sign-in links).
PUBLIC_URL = _env("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# The customer portal signs customers in by e-mailed links: how long a link works, and how many
# links one address and one client IP may ask for per window (counted in the cache).
PORTAL_SIGN_IN_LINK_MINUTES = int(_env("PORTAL_SIGN_IN_LINK_MINUTES", "30"))
PORTAL_SIGN_IN_PER_ADDRESS = int(_env("PORTAL_SIGN_IN_PER_ADDRESS", "5"))
PORTAL_SIGN_IN_PER_IP = int(_env("PORTAL_SIGN_IN_PER_IP", "20"))
PORTAL_SIGN_IN_WINDOW_MINUTES = int(_env("PORTAL_SIGN_IN_WINDOW_MINUTES", "15"))
# The page a sign-in link opens, per client IP in the same window: its token is in the address,
# so one client may not try token after token.
PORTAL_SIGN_IN_LINK_OPENS_PER_IP = int(_env("PORTAL_SIGN_IN_LINK_OPENS_PER_IP", "30"))
# Articles suggested while a customer writes a new request: lookups per customer per minute.
PORTAL_SUGGESTIONS_PER_MINUTE = int(_env("PORTAL_SUGGESTIONS_PER_MINUTE", "30"))

# The web chat widget: what one message may hold, and how much one visitor and one client IP
# may send per minute and open per hour (counted in the cache, like the portal's limits).
CHAT_MAX_MESSAGE_CHARS = int(_env("CHAT_MAX_MESSAGE_CHARS", "4000"))
# Files travel inside the WebSocket frame, base64-encoded: 10 MB stays under its 16 MB limit.
CHAT_MAX_UPLOAD_BYTES = int(_env("CHAT_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
CHAT_MAX_FILES = int(_env("CHAT_MAX_FILES", "3"))
CHAT_MESSAGES_PER_VISITOR = int(_env("CHAT_MESSAGES_PER_VISITOR", "20"))
CHAT_MESSAGES_PER_IP = int(_env("CHAT_MESSAGES_PER_IP", "120"))
CHAT_CONVERSATIONS_PER_IP = int(_env("CHAT_CONVERSATIONS_PER_IP", "30"))
# How long a visitor's link to a file of their conversation works.
CHAT_FILE_LINK_HOURS = int(_env("CHAT_FILE_LINK_HOURS", "24"))
# A visitor who gives an e-mail gets a link proving it is theirs: it works this long, and so
# many are sent per conversation, per address and per client IP in an hour.
CHAT_EMAIL_LINK_HOURS = int(_env("CHAT_EMAIL_LINK_HOURS", "24"))
CHAT_EMAIL_LINKS_PER_CONVERSATION = int(_env("CHAT_EMAIL_LINKS_PER_CONVERSATION", "3"))
CHAT_EMAIL_LINKS_PER_ADDRESS = int(_env("CHAT_EMAIL_LINKS_PER_ADDRESS", "3"))
CHAT_EMAIL_LINKS_PER_IP = int(_env("CHAT_EMAIL_LINKS_PER_IP", "10"))
# The page such a link opens, per client IP in an hour (a token guessed at is a page opened).
CHAT_EMAIL_LINK_OPENS_PER_IP = int(_env("CHAT_EMAIL_LINK_OPENS_PER_IP", "30"))

# An admin invites an agent by e-mail; the link to set a first password works this long.
AGENT_INVITATION_HOURS = int(_env("AGENT_INVITATION_HOURS", "72"))

# Ask the requester of each solved ticket (once) how satisfied they are, by e-mail.
CSAT_SURVEYS = _env("CSAT_SURVEYS", "on") == "on"

# Outbound webhooks are signed with this shared secret (HMAC-SHA256); unset, rules cannot call
# webhooks, since a receiver could not tell our calls from anyone else's.
WEBHOOK_SECRET = _env("WEBHOOK_SECRET", "")
WEBHOOK_TIMEOUT_SECONDS = float(_env("WEBHOOK_TIMEOUT_SECONDS", "10"))

# The chat bot: whether it also ranks articles by meaning (multilingual sentence embeddings,
# shipped in a package; off: words only), and how long it may take over one answer before the
# chat goes to a person instead.
BOT_USES_EMBEDDINGS = _env_bool("BOT_USES_EMBEDDINGS", default=True)
BOT_TIMEOUT_SECONDS = float(_env("BOT_TIMEOUT_SECONDS", "20"))

# Outgoing mail of inboxes without SMTP settings of their own, and of notifications to agents.
EMAIL_HOST = _env("SMTP_HOST", "localhost")
EMAIL_PORT = int(_env("SMTP_PORT", "25"))
EMAIL_HOST_USER = _env("SMTP_USER", "")
EMAIL_HOST_PASSWORD = _env("SMTP_PASSWORD", "")
EMAIL_USE_TLS = _env("SMTP_SECURITY", "none") == "starttls"
EMAIL_USE_SSL = _env("SMTP_SECURITY", "none") == "tls"
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", "okienko@localhost")

# Inbound e-mail: the largest message accepted (bigger ones are quarantined with the reason),
# how far back a reply with a known sender and subject joins an open ticket, and how many
# messages one sender may send per window before the rest is quarantined as a flood.
EMAIL_MAX_MESSAGE_BYTES = int(_env("EMAIL_MAX_MESSAGE_BYTES", str(30 * 1024 * 1024)))
EMAIL_THREAD_BY_SUBJECT_DAYS = int(_env("EMAIL_THREAD_BY_SUBJECT_DAYS", "7"))
EMAIL_SENDER_LIMIT = int(_env("EMAIL_SENDER_LIMIT", "30"))
EMAIL_SENDER_WINDOW_MINUTES = int(_env("EMAIL_SENDER_WINDOW_MINUTES", "10"))
# Inbound webhooks of e-mail providers (django-anymail, under /inbound/<provider>/) demand
# basic auth with this "user:password"; unset, a random one nobody knows keeps them shut.
# Mailgun also signs its calls with its webhook signing key.
ANYMAIL = {"WEBHOOK_SECRET": _env("INBOUND_WEBHOOK_SECRET", "") or secrets.token_urlsafe(32)}
if _env("MAILGUN_WEBHOOK_SIGNING_KEY", ""):
    ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"] = _env("MAILGUN_WEBHOOK_SIGNING_KEY", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = MODE == "production"
CSRF_COOKIE_SECURE = MODE == "production"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "INFO")},
    "loggers": {"huey": {"level": "WARNING"}},
}
