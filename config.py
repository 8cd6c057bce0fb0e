"""Configuration from the environment, with safe defaults for the embedded SQLite run."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value.strip() else default
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from exc


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(f"TIMEZONE {name!r} is not a known time zone") from exc
    return name


def _clock(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip() or default
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise RuntimeError(f"{name} must be a time of day like 09:00, not {value!r}")
    return f"{int(hours):02d}:{int(minutes):02d}"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'taskforce.sqlite3'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings read once at start-up. Secrets have no default outside development."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    TIMEZONE = _timezone(os.environ.get("TIMEZONE", "Europe/London"))

    #: The SMTP relay. Unset (the embedded default), no mail leaves: the outbox keeps each
    #: message for the Outbox page to show as its recipient would see it.
    SMTP_HOST = os.environ.get("SMTP_HOST", "").strip()
    SMTP_PORT = _int("SMTP_PORT", 25)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Task force secretariat <secretariat@example.gov.uk>")
    #: Connections used at once to send a long queue (a chasing run); 1 sends one at a time.
    #: Each holds two database connections from the pool, so keep it small.
    SMTP_CONNECTIONS = min(4, max(1, _int("SMTP_CONNECTIONS", 2)))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", BASE_URL.startswith("https://"))
    SESSION_COOKIE_NAME = "taskforce_session"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12  # a working day, then sign in again
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 12
    #: How new passwords are hashed (a werkzeug method): scrypt, slow on purpose.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a hashing method, not a password
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    #: The largest paper (.docx or .pdf) that may be uploaded, in MB; a larger one is a 413.
    PAPER_MAX_MB = _int("PAPER_MAX_MB", 20)
    #: An issued pack is attached to its email when its files come to at most this, in MB;
    #: every email carries a download link either way.
    PACK_ATTACH_MAX_MB = _int("PACK_ATTACH_MAX_MB", 10)
    #: Where uploaded papers are kept: "database" (the default) or "s3" (taskforce/storage.py).
    PAPER_STORAGE = os.environ.get("PAPER_STORAGE", "database").strip() or "database"
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_PREFIX = os.environ.get("S3_PREFIX", "papers")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    S3_REGION = os.environ.get("S3_REGION", "")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")

    #: How many reverse proxies (a TLS terminator, a load balancer) stand in front of the app
    #: and set X-Forwarded-For, -Proto and -Host. 0 trusts no such header: a client could
    #: write them itself.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: Failed sign-ins from one client address, whatever the accounts tried.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    #: Failed sign-ins to one account, from whatever addresses: password spraying.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "20 per hour")
    #: Posts to one emailed owner link; the page itself may be opened freely.
    OWNER_LINK_RATE_LIMIT = os.environ.get("OWNER_LINK_RATE_LIMIT", "20 per hour")
    #: When the scheduler chases owners, each working day, in TIMEZONE.
    CHASE_AT = _clock("CHASE_AT", "09:00")

    API_PAGE_DEFAULT = 50
    API_PAGE_MAX = 500
    SERVICE_NAME = "Task force manager"


class DevelopmentConfig(Config):
    """The embedded run: SQLite in instance/, a fixed key only for this machine."""

    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-for-production"


class TestConfig(Config):
    """Tests: a throwaway database chosen by the test harness."""

    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    # Limits are on, but high: a test that checks one lowers it for itself.
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "100000 per minute"
    LOGIN_ACCOUNT_RATE_LIMIT = "100000 per minute"
    OWNER_LINK_RATE_LIMIT = "100000 per hour"
    SERVER_NAME = None
    # Mail is kept in the outbox, whatever the environment says; the `smtp` fixture points
    # a test at a real SMTP server (aiosmtpd) on a loopback port.
    SMTP_HOST = ""
    # One iteration: a test user costs microseconds rather than scrypt's fifth of a second.
    # Never outside tests.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"  # noqa: S105 - a hashing method


class ProductionConfig(Config):
    """Several workers on PostgreSQL behind TLS: secrets must be given."""


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
