"""Settings shared by both deployments.

Each side's ``settings.py`` calls :func:`configure` with its name and then adds its own
apps and URLs. Everything deployable comes from the environment (see ``common.env``):
unset means the embedded default (SQLite, a file-system Celery broker, the database search
backend), ``JINCAI_ENV=production`` switches to hardened production settings.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

from common.env import REPO_ROOT, env, env_bool, env_list, is_production, require, side_dir

SHARED_APPS = [
    "common",
    "common.accounts",
    "common.audit",
    "exchange",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "common.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "common.audit.middleware.AuditContextMiddleware",
    "common.middleware.OTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]


def _secret_key(side: str, production: bool) -> str:
    if production:
        return require("SECRET_KEY")
    if key := env("SECRET_KEY"):
        return key
    # Development: a random key per data dir, kept there so sessions survive restarts.
    path = side_dir(side) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _database(side: str) -> dict:
    url = env("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        db = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(side_dir(side) / "db.sqlite3"),
            # WAL and a busy timeout let the web process, the worker and beat share one file.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    db["ATOMIC_REQUESTS"] = False
    return db


def _celery(side: str) -> dict:
    broker = env("CELERY_BROKER_URL")
    base = side_dir(side)
    conf: dict = {
        "CELERY_TASK_SERIALIZER": "json",
        "CELERY_RESULT_SERIALIZER": "json",
        "CELERY_ACCEPT_CONTENT": ["json"],
        "CELERY_TASK_TIME_LIMIT": 15 * 60,
        "CELERY_TASK_SOFT_TIME_LIMIT": 14 * 60,
        "CELERY_TASK_ACKS_LATE": True,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": 1,
        "CELERY_TIMEZONE": "Asia/Shanghai",
        "CELERY_BEAT_SCHEDULE_FILENAME": str(base / "celerybeat-schedule"),
        "CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP": True,
    }
    if broker:
        conf["CELERY_BROKER_URL"] = broker
        conf["CELERY_RESULT_BACKEND"] = env("CELERY_RESULT_BACKEND", broker)
    else:
        # A broker that needs no server: kombu's file-system transport under the data dir.
        queue = base / "broker"
        for sub in ("queue", "processed", "control"):
            (queue / sub).mkdir(parents=True, exist_ok=True)
        conf["CELERY_BROKER_URL"] = "filesystem://"
        conf["CELERY_BROKER_TRANSPORT_OPTIONS"] = {
            "data_folder_in": str(queue / "queue"),
            "data_folder_out": str(queue / "queue"),
            "processed_folder": str(queue / "processed"),
            "control_folder": str(queue / "control"),  # else ./control, in whatever directory it runs from
            "store_processed": False,
        }
        results = base / "celery-results"
        results.mkdir(parents=True, exist_ok=True)
        conf["CELERY_RESULT_BACKEND"] = f"file://{results}"
    return conf


# Search engines Wagtail has a backend for; an unversioned name means the usual major version.
SEARCH_ENGINES = {"opensearch2", "opensearch3", "elasticsearch7", "elasticsearch8", "elasticsearch9"}
SEARCH_ENGINE_ALIASES = {"opensearch": "opensearch2", "elasticsearch": "elasticsearch8"}


def _search_engine(url: str) -> tuple[str, str]:
    """(Wagtail backend path, engine URL) for SEARCH_URL. The engine is named by a scheme prefix
    (``elasticsearch8+https://es.example:9200``) or JINCAI_SEARCH_ENGINE; OpenSearch 2 otherwise.
    SEARCH_BACKEND (a dotted path) still overrides both."""
    engine = env("JINCAI_SEARCH_ENGINE", "") or "opensearch2"
    scheme, sep, rest = url.partition("://")
    if "+" in scheme:
        engine, _plus, scheme = scheme.partition("+")
        url = f"{scheme}{sep}{rest}"
    engine = SEARCH_ENGINE_ALIASES.get(engine.lower(), engine.lower())
    if engine not in SEARCH_ENGINES:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"Unknown search engine {engine!r}: use one of {', '.join(sorted(SEARCH_ENGINES))}.")
    return env("SEARCH_BACKEND", f"wagtail.search.backends.{engine}"), url


def _search() -> dict:
    url = env("SEARCH_URL")
    if not url:
        # Text reaches the database pre-segmented (search.analysis); "simple" keeps every word
        # as written instead of applying English stemming and stop words (PostgreSQL only).
        return {"default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}}
    backend, url = _search_engine(url)
    # Pre-segmented text: split on spaces only, fold full-width forms and case. "standard" is
    # redefined too because the backend names it as the search analyzer of autocomplete fields.
    words = {"type": "custom", "tokenizer": "whitespace", "filter": ["cjk_width", "lowercase"]}
    return {
        "default": {
            "BACKEND": backend,
            "URLS": [url],
            "INDEX_PREFIX": env("SEARCH_INDEX_PREFIX", "jincai").lower().rstrip("_") + "_",
            "TIMEOUT": 10,
            "INDEX_SETTINGS": {
                "settings": {
                    "index": {"number_of_shards": 1, "number_of_replicas": int(env("SEARCH_REPLICAS", "0"))},
                    "analysis": {
                        "analyzer": {
                            "default": words,
                            "standard": words,
                            "edgengram_analyzer": {
                                "type": "custom",
                                "tokenizer": "whitespace",
                                "filter": ["cjk_width", "lowercase", "edgengram"],
                            },
                        },
                    },
                }
            },
        }
    }


def _security(production: bool) -> dict:
    conf = {
        "X_FRAME_OPTIONS": "DENY",  # Wagtail marks its own preview views SAMEORIGIN.
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_AGE": 8 * 60 * 60,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "CSRF_FAILURE_VIEW": "common.views.csrf_failure",
        "CONTENT_SECURITY_POLICY": {
            "DIRECTIVES": {
                "default-src": ["'self'"],
                "script-src": ["'self'"],
                "style-src": ["'self'", "'unsafe-inline'"],
                "img-src": ["'self'", "data:", "blob:"],
                "font-src": ["'self'", "data:"],
                "connect-src": ["'self'"],
                "frame-ancestors": ["'self'"],
                "form-action": ["'self'"],
                "base-uri": ["'self'"],
                "object-src": ["'none'"],
            }
        },
    }
    if production:
        conf.update(
            {
                "SECURE_SSL_REDIRECT": env_bool("JINCAI_SSL_REDIRECT", True),
                "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
                "SECURE_HSTS_SECONDS": 31536000,
                "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
                "SECURE_HSTS_PRELOAD": True,
                "SESSION_COOKIE_SECURE": True,
                "CSRF_COOKIE_SECURE": True,
                "SESSION_COOKIE_NAME": "__Host-sessionid",
                "CSRF_COOKIE_NAME": "__Host-csrftoken",
            }
        )
    return conf


def configure(ns: dict, side: str) -> None:
    """Fill a side's settings module namespace ``ns`` with the shared settings."""
    production = is_production()
    base = side_dir(side)
    media = base / "media"
    media.mkdir(parents=True, exist_ok=True)
    (base / "static").mkdir(exist_ok=True)

    ns.update(
        {
            "JINCAI_SIDE": side,
            "JINCAI_DATA_DIR": base.parent,
            "JINCAI_SIDE_DIR": base,
            "BASE_DIR": REPO_ROOT,
            "DEBUG": (not production) and env_bool("DEBUG", True),
            "SECRET_KEY": _secret_key(side, production),
            "ALLOWED_HOSTS": env_list("ALLOWED_HOSTS")
            if production
            else env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]),
            "CSRF_TRUSTED_ORIGINS": env_list("CSRF_TRUSTED_ORIGINS"),
            "INSTALLED_APPS": list(SHARED_APPS),
            "MIDDLEWARE": list(MIDDLEWARE),
            "ROOT_URLCONF": f"{side}.urls",
            "WSGI_APPLICATION": f"{side}.wsgi.application",
            "DATABASES": {"default": _database(side)},
            "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
            "AUTH_USER_MODEL": "accounts.User",
            "AUTHENTICATION_BACKENDS": [
                "axes.backends.AxesStandaloneBackend",
                "django.contrib.auth.backends.ModelBackend",
            ],
            "AUTH_PASSWORD_VALIDATORS": [
                {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
                {
                    "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
                    "OPTIONS": {"min_length": 12},
                },
                {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
                {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
                {"NAME": "common.accounts.validators.CharacterClassValidator"},
            ],
            "PASSWORD_HASHERS": [
                "django.contrib.auth.hashers.ScryptPasswordHasher",
                "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            ],
            "LOGIN_URL": "accounts:login",
            "LOGIN_REDIRECT_URL": "/",
            "LOGOUT_REDIRECT_URL": "accounts:login",
            "TEMPLATES": [
                {
                    "BACKEND": "django.template.backends.django.DjangoTemplates",
                    "DIRS": [REPO_ROOT / side / "templates"],
                    "APP_DIRS": True,
                    "OPTIONS": {
                        "context_processors": [
                            "django.template.context_processors.debug",
                            "django.template.context_processors.request",
                            "django.template.context_processors.i18n",
                            "django.contrib.auth.context_processors.auth",
                            "django.contrib.messages.context_processors.messages",
                            "common.context_processors.site",
                        ]
                    },
                }
            ],
            "LANGUAGE_CODE": "zh-hans",
            "LANGUAGES": [("zh-hans", "简体中文"), ("en", "English")],
            "WAGTAIL_CONTENT_LANGUAGES": [("zh-hans", "简体中文")],
            "WAGTAILADMIN_PERMITTED_LANGUAGES": [("zh-hans", "简体中文"), ("en", "English")],
            "LOCALE_PATHS": [REPO_ROOT / "locale"],
            "TIME_ZONE": "Asia/Shanghai",
            "USE_I18N": True,
            "USE_TZ": True,
            "STATIC_URL": "/static/",
            "STATIC_ROOT": Path(env("JINCAI_STATIC_ROOT")) if env("JINCAI_STATIC_ROOT") else base / "static",
            "MEDIA_URL": "/media/",
            "MEDIA_ROOT": media,
            "STORAGES": {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {
                    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if production
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"
                },
            },
            # Request bodies: forms are small; files are capped by JINCAI_MAX_UPLOAD_BYTES and
            # streamed to disk above 2.5 MB rather than held in memory.
            "DATA_UPLOAD_MAX_MEMORY_SIZE": 2_621_440,
            "DATA_UPLOAD_MAX_NUMBER_FIELDS": 2000,
            "FILE_UPLOAD_MAX_MEMORY_SIZE": 2_621_440,
            "FILE_UPLOAD_PERMISSIONS": 0o640,
            "JINCAI_MAX_UPLOAD_BYTES": int(env("JINCAI_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024))),
            "JINCAI_LARGE_UPLOAD_PATHS": [],
            "JINCAI_CSP_RELAXED_PREFIXES": ("/admin/",),
            "WAGTAIL_SITE_NAME": "金财",
            "WAGTAILADMIN_BASE_URL": env("WAGTAILADMIN_BASE_URL", "http://localhost"),
            "WAGTAILSEARCH_BACKENDS": _search(),
            "WAGTAILDOCS_EXTENSIONS": ["pdf", "docx", "xlsx", "ofd", "txt", "csv", "zip"],
            "WAGTAIL_ENABLE_UPDATE_CHECK": False,
            "WAGTAIL_PASSWORD_RESET_ENABLED": False,
            "WAGTAILUSERS_PASSWORD_ENABLED": True,
            # OTP and lock-out.
            "OTP_TOTP_ISSUER": f"金财 {side}",
            "OTP_TOTP_THROTTLE_FACTOR": 1,
            "OTP_STATIC_THROTTLE_FACTOR": 1,
            "AXES_FAILURE_LIMIT": int(env("JINCAI_LOGIN_FAILURE_LIMIT", "5")),
            "AXES_COOLOFF_TIME": timedelta(minutes=30),
            # Per user and address: a lock on the username alone would let anyone lock staff out;
            # the OTP device throttles guessing per user regardless of address.
            "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
            "AXES_RESET_ON_SUCCESS": True,
            "AXES_LOCKOUT_TEMPLATE": "accounts/locked_out.html",
            "AXES_VERBOSE": False,
            # Which URL prefixes need a verified OTP device; the intranet protects everything.
            "JINCAI_OTP_PROTECTED_PREFIXES": ["/admin/", "/django-admin/"],
            "JINCAI_OTP_EXEMPT_PREFIXES": [
                "/accounts/login/",
                "/accounts/otp/",
                "/accounts/logout/",
                "/static/",
                "/healthz",
                "/display/",
                "/i18n/",
                "/favicon.ico",
            ],
            "LOGGING": {
                "version": 1,
                "disable_existing_loggers": False,
                "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
                "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
                "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
                "loggers": {"django.security": {"level": "WARNING"}},
            },
            "CACHES": {
                "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
                if env("REDIS_URL")
                else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": side}
            },
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        }
    )
    ns.update(_celery(side))
    ns.update(_security(production))
    # Behind N trusted reverse proxies the client address is taken from X-Forwarded-For, for
    # lock-outs and the audit log alike; with none, REMOTE_ADDR is the client.
    proxies = int(env("JINCAI_PROXY_COUNT", "0"))
    if proxies:
        ns["AXES_IPWARE_PROXY_COUNT"] = proxies
        ns["AXES_IPWARE_META_PRECEDENCE_ORDER"] = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")


def locale_path() -> Path:
    return REPO_ROOT / "locale"
