"""Settings classes. Pick one with ``create_app("default" | "testing" | "production")``.

Default runs on an SQLite file in instance/ with demo-friendly values; Production takes everything
from environment variables and refuses to start with the default secret key.
"""
import glob
import os
import warnings
import tempfile
from datetime import timedelta
from urllib.parse import urlsplit

DEFAULT_SECRET_KEY = "dev-only-not-secret"
BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")


def _env_int(name, default):
    return int(os.environ.get(name, default))


def _env_list(name):
    """A comma-separated variable as a list without blanks; None when unset or empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or None


def database_url(url):
    """Hosting panels hand out postgres:// or postgresql:// URLs; we ship the psycopg 3 driver."""
    if url and url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Default:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get(
        "DATABASE_URL", "sqlite:///" + os.path.join(INSTANCE_DIR, "community.sqlite3")
    ))
    # No pool_pre_ping: core/pool.py pings a pooled connection only after it sat idle this long
    # (a round trip saved on every busy request).
    DB_PING_IDLE_SECONDS = _env_int("DB_PING_IDLE_SECONDS", 10)
    REDIS_URL = os.environ.get("REDIS_URL")  # rate limits use memory:// when unset
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT_IP = "30 per minute"  # every login attempt from one address, a flood cap
    # Wrong passwords slow down the next attempt instead of locking the account (accounts/throttle.py):
    # after the free failures, the wait doubles from 1 s up to the cap; counts are forgotten a
    # window after the last failure.
    LOGIN_THROTTLE_FREE_FAILURES = 3  # per (login, network)
    LOGIN_THROTTLE_IP_FREE_FAILURES = 20  # per network, across every login tried from it
    LOGIN_THROTTLE_MAX_DELAY = timedelta(minutes=15)
    LOGIN_THROTTLE_WINDOW = timedelta(hours=1)
    REGISTER_RATE_LIMIT = "5 per hour"  # accounts created from one address
    # Every registration form sent from one address: "already exists" tells whether a login is
    # taken, so probing with it is bounded too (typos do not use up the budget above).
    REGISTER_ATTEMPT_RATE_LIMIT = "30 per hour"
    PASSWORD_RESET_MAX_AGE = timedelta(hours=2)
    API_TOKEN_LIFETIME = timedelta(days=30)
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    # A login (a row in login_sessions) ends at logout or after this long, remember-me or not;
    # keep it at least REMEMBER_COOKIE_DURATION, or the cookie outlives what it names.
    LOGIN_SESSION_LIFETIME = timedelta(days=30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # The talent card's Ed25519 signing key: a PEM text or the path of a PEM file. Unset, a key
    # is made once into instance/talent_card_ed25519.pem (fine for one node; several nodes must
    # share one key: set this). docs/operations.md.
    TALENT_CARD_SIGNING_KEY = os.environ.get("TALENT_CARD_SIGNING_KEY")
    TALENT_EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "中文", "en": "English"}
    # The foundation's catalog plus one per domain (see scripts/i18n.py); Flask-Babel merges them.
    BABEL_TRANSLATION_DIRECTORIES = ";".join(
        [os.path.join(BASE_DIR, "translations")]
        + sorted(glob.glob(os.path.join(BASE_DIR, "community", "*", "translations")))
    )

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None

    API_TITLE = "Talent Community API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/swagger-ui/"  # served from the swagger_ui_bundle package
    # No "valid" badge fetched from swagger.io: the CSP would block it, and it would send them our spec URL.
    OPENAPI_SWAGGER_UI_CONFIG = {"validatorUrl": None}

    MAIL_SERVER = os.environ.get("MAIL_SERVER")  # unset: e-mails stay in the outbox, "not sent (no server)"
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "no-reply@talent.community")

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    # Online payment is offered only when the secret key and the webhook secret are both set
    # (docs/payments.md). STRIPE_API_BASE points the SDK elsewhere (the tests' fake Stripe).
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")
    # How old a webhook's signature may be (seconds; Stripe's default). Only the benchmark, which
    # signs its 10,000 deliveries before the run, widens it.
    STRIPE_WEBHOOK_TOLERANCE = _env_int("STRIPE_WEBHOOK_TOLERANCE", 300)
    STRIPE_PAYMENT_METHOD_TYPES = _env_list("STRIPE_PAYMENT_METHOD_TYPES") or ["card", "alipay", "wechat_pay"]

    # Where people reach the site: every absolute URL that leaves a request (e-mailed links, QR
    # codes, calendar feeds, URLs in API answers) is built from it by core.urls.external_url, never
    # from the Host header a client sent. Scheme, host, optional port and path prefix. The default
    # is where `make run` serves; set it to reach the dev server from a phone on the LAN.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Host names requests may be addressed to (Flask answers others with 400); ".example.cn" also
    # matches its subdomains. None (unset) serves any host: development only, Production derives
    # it from PUBLIC_BASE_URL.
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS")
    JSON_MAX_DEPTH = 32  # nesting of a JSON body; ours nest a few levels, the parser breaks near 1,000
    HSTS_SECONDS = 0  # Strict-Transport-Security max-age on HTTPS answers; 0 sends none

    ITEMS_PER_PAGE = 20
    # How many proxies (load balancer, nginx) sit in front and set X-Forwarded-For/-Proto; 0 trusts
    # none. Behind one, set 1: otherwise every request seems to come from the proxy and the
    # per-IP login limit locks everybody out at once.
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)
    # Uploaded files live here, outside the web root, and are served only by views that check
    # access. Several nodes must share this directory (a network volume) and back it up.
    UPLOAD_ROOT = os.environ.get("UPLOAD_ROOT") or os.path.join(INSTANCE_DIR, "uploads")
    AMENITY_PHOTO_MAX_BYTES = 5 * 1024 * 1024
    NO_SHOW_LIMIT = 3  # no-shows within NO_SHOW_WINDOW_DAYS that suspend amenity booking
    NO_SHOW_WINDOW_DAYS = 30
    NO_SHOW_SUSPENSION_DAYS = 7
    DEMO_ALLOWED = True


class Testing(Default):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    RATELIMIT_STORAGE_URI = "memory://"
    # Never the developer's mail server: tests that send open their own (tests/notifications).
    MAIL_SERVER = None
    MAIL_USERNAME = MAIL_PASSWORD = None
    MAIL_USE_TLS = False
    # Never the developer's Stripe account: tests that pay point these at their fake Stripe.
    STRIPE_SECRET_KEY = STRIPE_PUBLISHABLE_KEY = STRIPE_WEBHOOK_SECRET = STRIPE_API_BASE = None
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast in tests; production keeps scrypt
    # Never the developer's instance/uploads; tests that store files point it at their tmp_path.
    UPLOAD_ROOT = os.path.join(tempfile.gettempdir(), "talent-community-test-uploads")
    PUBLIC_BASE_URL = "http://localhost"  # the test client's host, so tests can follow e-mailed links
    TRUSTED_HOSTS = None


class Production(Default):
    DEBUG = False
    DEMO_ALLOWED = False
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")  # required, no default
    HSTS_SECONDS = _env_int("HSTS_SECONDS", 365 * 24 * 3600)

    @classmethod
    def check(cls, app_config):
        """Refuse to start with settings that are only safe on a laptop."""
        if app_config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
            raise RuntimeError("Production needs SECRET_KEY set in the environment.")
        if "DATABASE_URL" not in os.environ:
            raise RuntimeError("Production needs DATABASE_URL set in the environment.")
        public_host = _public_host(app_config.get("PUBLIC_BASE_URL"))
        if not app_config.get("TRUSTED_HOSTS"):
            app_config["TRUSTED_HOSTS"] = [public_host]
        if not app_config.get("REDIS_URL"):
            # One node may run without Redis; several must share it or the login limits multiply.
            warnings.warn("REDIS_URL is not set: rate limits are counted per process, not shared by "
                          "all nodes (see docs/operations.md).", RuntimeWarning, stacklevel=2)


def _public_host(base_url):
    """The host name of PUBLIC_BASE_URL; refuses a missing or relative one (every e-mailed link
    would otherwise point wherever the request said it was addressed)."""
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuntimeError("Production needs PUBLIC_BASE_URL set in the environment, e.g. "
                           "https://community.example.cn (the address people use).")
    if parts.scheme == "http":
        warnings.warn("PUBLIC_BASE_URL is http://: e-mailed links and QR codes will not use HTTPS.",
                      RuntimeWarning, stacklevel=3)
    return parts.hostname


CONFIGS = {"default": Default, "testing": Testing, "production": Production}
