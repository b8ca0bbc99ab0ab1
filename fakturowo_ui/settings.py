"""One typed settings object, read from the environment (CONTRACT.md, "Operator interface").

A bad value stops start-up with a message that names the variable; nothing here imports Reflex.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_SMTP_SECURITY = ("starttls", "ssl", "none")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting from the environment has a value the app cannot use."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the operator can set, already parsed and checked."""

    var_dir: Path
    db_url: str
    redis_url: str | None
    base_url: str
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None = dataclasses.field(repr=False)
    smtp_security: str
    mail_from: str
    secret_key: bytes = dataclasses.field(repr=False)
    deletion_link_ttl_seconds: int
    password_change_interval_days: int
    trial_days: int
    free_documents_per_month: int
    rate_limits: bool
    # Reverse proxies whose X-Forwarded-For is believed (services/client_address.py); empty:
    # the socket's peer is the client, whatever headers say.
    trusted_proxies: tuple[Network, ...] = ()
    # Backend worker processes (Granian's workers, set through rxconfig.py); more than one only
    # with Redis (shared state) and PostgreSQL (safe concurrent writers), see _workers.
    workers: int = 1
    # The contact shown in every mail and the footer (FAKTUROWO_SUPPORT_EMAIL); None: not shown.
    support_email: str | None = None

    @property
    def base_origin(self) -> str:
        """The scheme://host[:port] part of the base URL, the only origin the app accepts."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def accepted_origins(self) -> tuple[str, ...]:
        """The origins whose pages may open the socket and post to the endpoints: the base URL's,
        and in local use (a loopback base URL) its loopback aliases on the same port, so that
        http://127.0.0.1:3000 works as well as http://localhost:3000 (issue 13)."""
        parts = urlsplit(self.base_url)
        host = (parts.hostname or "").lower()
        if host not in _LOOPBACK_NAMES:
            return (self.base_origin,)
        port = f":{parts.port}" if parts.port else ""
        aliases = tuple(f"{parts.scheme}://{name}{port}" for name in ("localhost", "127.0.0.1", "[::1]"))
        return (self.base_origin, *(origin for origin in aliases if origin != self.base_origin))

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry the Secure flag when the app is served over https."""
        return self.base_url.startswith("https://")

    @property
    def uses_outbox(self) -> bool:
        """With no SMTP host configured, mail goes to the local outbox under var/outbox."""
        return not self.smtp_host

    @property
    def outbox_dir(self) -> Path:
        """Where the local outbox keeps its .eml files."""
        return self.var_dir / "outbox"

    def link(self, path: str) -> str:
        """An absolute link under the base URL, never built from a request's Host header."""
        return self.base_url + path


# Host names of this machine itself (urlsplit gives IPv6 hosts without their brackets).
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def _get(env: dict[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _int(env: dict[str, str], name: str, default: int, minimum: int) -> int:
    raw = _get(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name}: must be at least {minimum}, got {value}")
    return value


def parse_bool(name: str, raw: str) -> bool:
    """Booleans accept true/false, 1/0, yes/no, on/off in any letter case."""
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name}: expected true/false, 1/0, yes/no or on/off, got {raw!r}")


def _base_url(env: dict[str, str]) -> str:
    raw = _get(env, "FAKTUROWO_BASE_URL") or "http://localhost:3000"
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"FAKTUROWO_BASE_URL: expected http(s)://host[:port], got {raw!r}")
    if parts.query or parts.fragment:
        raise SettingsError("FAKTUROWO_BASE_URL: must not carry a query or a fragment")
    # Browsers send the Origin in lower case; keep the path as written.
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}".rstrip("/")


def _db_url(env: dict[str, str], var_dir: Path) -> str:
    raw = _get(env, "REFLEX_DB_URL")
    if raw is None:
        return f"sqlite:///{var_dir / 'fakturowo.db'}"
    if not (raw.startswith("sqlite:///") or raw.startswith("postgresql")):
        raise SettingsError(
            "REFLEX_DB_URL: expected sqlite:///path or postgresql+psycopg://user@host/db, "
            f"got a URL with scheme {raw.split(':', 1)[0]!r}"
        )
    if raw.startswith("postgresql://"):
        # One driver for PostgreSQL: psycopg 3.
        raw = "postgresql+psycopg://" + raw[len("postgresql://") :]
    return raw


def _secret_key(env: dict[str, str], var_dir: Path) -> bytes:
    raw = _get(env, "FAKTUROWO_SECRET_KEY")
    if raw is not None:
        if len(raw) < 32:
            raise SettingsError("FAKTUROWO_SECRET_KEY: must be at least 32 characters long")
        return raw.encode()
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        # Created with owner-only permissions from the first byte; O_EXCL keeps two
        # processes starting at once from writing two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    key = path.read_text().strip()
    if len(key) < 32:
        raise SettingsError(f"FAKTUROWO_SECRET_KEY: the generated key in {path} is damaged")
    return key.encode()


def _trusted_proxies(env: dict[str, str]) -> tuple[Network, ...]:
    name = "FAKTUROWO_TRUSTED_PROXIES"
    raw = _get(env, name)
    if raw is None:
        return ()
    networks: list[Network] = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=True)
        except ValueError:
            raise SettingsError(
                f"{name}: expected comma-separated IP addresses or networks "
                f"(e.g. 127.0.0.1, 10.0.0.0/8), got {item!r}"
            ) from None
        if network.prefixlen == 0:
            raise SettingsError(f"{name}: {item!r} would trust every client's X-Forwarded-For")
        mapped = getattr(network.network_address, "ipv4_mapped", None)
        if mapped is not None and network.prefixlen >= 96:
            # ::ffff:10.0.0.1 is the IPv4 address 10.0.0.1 (addresses are compared as IPv4).
            network = ipaddress.IPv4Network((mapped, network.prefixlen - 96))
        networks.append(network)
    return tuple(networks)


def _support_email(env: dict[str, str]) -> str | None:
    """FAKTUROWO_SUPPORT_EMAIL: one plain address (it goes into mails and a mailto: link)."""
    name = "FAKTUROWO_SUPPORT_EMAIL"
    raw = _get(env, name)
    if raw is None:
        return None
    local, at, domain = raw.partition("@")
    if (
        not at
        or not local
        or "." not in domain.strip(".")
        or len(raw) > 254
        or any(c.isspace() or c in '<>()[],;:\\"@' or ord(c) < 32 for c in local + domain)
    ):
        raise SettingsError(f"{name}: expected one e-mail address such as pomoc@example.pl, got {raw!r}")
    return raw


def _workers(env: dict[str, str], db_url: str, redis_url: str | None) -> int:
    """FAKTUROWO_WORKERS: one per core with PostgreSQL and Redis, else 1.

    Several workers need a shared state store (REFLEX_REDIS_URL: without it each worker keeps
    its own tabs in memory and a tab reconnecting to another worker loses its state) and a
    database that several processes can write at once (not SQLite: its single writer lock turns
    concurrent saves into "database is locked"). An explicit number above 1 without both is
    refused rather than quietly lowered, so the operator learns why.
    """
    name = "FAKTUROWO_WORKERS"
    missing = []
    if redis_url is None:
        missing.append("REFLEX_REDIS_URL (Redis, the state shared between workers)")
    if db_url.startswith("sqlite"):
        missing.append("PostgreSQL in REFLEX_DB_URL (SQLite takes one writer at a time)")
    workers = _int(env, name, 1 if missing else (os.cpu_count() or 1), 1)
    if workers > 1 and missing:
        raise SettingsError(
            f"{name}: {workers} workers need {' and '.join(missing)}; set them or use {name}=1"
        )
    return workers


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read and check every setting; raises SettingsError naming the first bad variable."""
    env = dict(os.environ if env is None else env)
    var_dir = Path(_get(env, "FAKTUROWO_VAR_DIR") or REPO_ROOT / "var").resolve()
    security = (_get(env, "FAKTUROWO_SMTP_SECURITY") or "starttls").lower()
    if security not in _SMTP_SECURITY:
        raise SettingsError(
            f"FAKTUROWO_SMTP_SECURITY: expected one of {', '.join(_SMTP_SECURITY)}, got {security!r}"
        )
    rate_limits_raw = _get(env, "FAKTUROWO_RATE_LIMITS")
    redis_url = _get(env, "REFLEX_REDIS_URL")
    if redis_url is not None and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError("REFLEX_REDIS_URL: expected redis://host:port[/db]")
    db_url = _db_url(env, var_dir)
    return Settings(
        var_dir=var_dir,
        db_url=db_url,
        redis_url=redis_url,
        base_url=_base_url(env),
        smtp_host=_get(env, "FAKTUROWO_SMTP_HOST"),
        smtp_port=_int(env, "FAKTUROWO_SMTP_PORT", 587, 1),
        smtp_user=_get(env, "FAKTUROWO_SMTP_USER"),
        smtp_password=_get(env, "FAKTUROWO_SMTP_PASSWORD"),
        smtp_security=security,
        mail_from=_get(env, "FAKTUROWO_MAIL_FROM") or "Fakturowo <no-reply@localhost>",
        secret_key=_secret_key(env, var_dir),
        deletion_link_ttl_seconds=_int(env, "FAKTUROWO_DELETION_LINK_TTL_SECONDS", 3600, 1),
        password_change_interval_days=_int(env, "FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS", 365, 0),
        trial_days=_int(env, "FAKTUROWO_TRIAL_DAYS", 100, 0),
        free_documents_per_month=_int(env, "FAKTUROWO_FREE_DOCUMENTS_PER_MONTH", 5, 0),
        rate_limits=True if rate_limits_raw is None else parse_bool("FAKTUROWO_RATE_LIMITS", rate_limits_raw),
        trusted_proxies=_trusted_proxies(env),
        workers=_workers(env, db_url, redis_url),
        support_email=_support_email(env),
    )


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()


def reset_settings_cache() -> None:
    """Forget the cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
