"""Settings from the environment: defaults, refusals that name the variable, booleans, the secret key."""

from __future__ import annotations

import importlib
import stat
import sys

import pytest

from fakturowo_ui.settings import SettingsError, load_settings, parse_bool, reset_settings_cache


@pytest.fixture
def base_env(tmp_path) -> dict[str, str]:
    """The smallest environment: only a private var/ directory."""
    return {"FAKTUROWO_VAR_DIR": str(tmp_path / "var")}


def test_defaults(base_env, tmp_path):
    settings = load_settings(base_env)
    var_dir = (tmp_path / "var").resolve()
    assert settings.var_dir == var_dir
    assert settings.db_url == f"sqlite:///{var_dir / 'fakturowo.db'}"
    assert settings.redis_url is None
    assert settings.base_url == "http://localhost:3000"
    assert settings.base_origin == "http://localhost:3000"
    assert settings.smtp_host is None and settings.uses_outbox
    assert settings.outbox_dir == var_dir / "outbox"
    assert settings.smtp_port == 587
    assert settings.smtp_user is None and settings.smtp_password is None
    assert settings.smtp_security == "starttls"
    assert settings.mail_from == "Fakturowo <no-reply@localhost>"
    assert settings.deletion_link_ttl_seconds == 3600
    assert settings.password_change_interval_days == 365
    assert settings.trial_days == 100
    assert settings.free_documents_per_month == 5
    assert settings.rate_limits is True
    assert settings.secure_cookies is False
    assert len(settings.secret_key) >= 32
    assert settings.trusted_proxies == ()


def test_values_from_the_environment(base_env):
    settings = load_settings(
        {
            **base_env,
            "FAKTUROWO_BASE_URL": "https://faktury.example.pl/",
            "FAKTUROWO_SMTP_HOST": "smtp.example.pl",
            "FAKTUROWO_SMTP_PORT": "465",
            "FAKTUROWO_SMTP_SECURITY": "SSL",
            "FAKTUROWO_SMTP_USER": "konto",
            "FAKTUROWO_SMTP_PASSWORD": "tajne",
            "FAKTUROWO_DELETION_LINK_TTL_SECONDS": "1",
            "FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS": "0",
            "FAKTUROWO_TRIAL_DAYS": "30",
            "FAKTUROWO_FREE_DOCUMENTS_PER_MONTH": "0",
            "REFLEX_DB_URL": "postgresql://app@db.example.pl/fakturowo",
            "REFLEX_REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert settings.base_url == "https://faktury.example.pl"
    assert settings.base_origin == "https://faktury.example.pl"
    assert settings.secure_cookies is True
    assert settings.link("/konto/") == "https://faktury.example.pl/konto/"
    assert settings.smtp_host == "smtp.example.pl" and not settings.uses_outbox
    assert settings.smtp_port == 465 and settings.smtp_security == "ssl"
    assert settings.deletion_link_ttl_seconds == 1
    assert settings.password_change_interval_days == 0
    assert settings.trial_days == 30 and settings.free_documents_per_month == 0
    assert settings.db_url == "postgresql+psycopg://app@db.example.pl/fakturowo"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    # The SMTP password never shows in a repr that might reach a log.
    assert "tajne" not in repr(settings)


BAD_VALUES = [
    ("FAKTUROWO_SMTP_PORT", "abc"),
    ("FAKTUROWO_SMTP_PORT", "0"),
    ("FAKTUROWO_SMTP_PORT", "58 7"),
    ("FAKTUROWO_DELETION_LINK_TTL_SECONDS", "0"),
    ("FAKTUROWO_DELETION_LINK_TTL_SECONDS", "-60"),
    ("FAKTUROWO_DELETION_LINK_TTL_SECONDS", "1.5"),
    ("FAKTUROWO_DELETION_LINK_TTL_SECONDS", "godzina"),
    ("FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS", "-1"),
    ("FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS", "rok"),
    ("FAKTUROWO_TRIAL_DAYS", "-1"),
    ("FAKTUROWO_TRIAL_DAYS", "100d"),
    ("FAKTUROWO_FREE_DOCUMENTS_PER_MONTH", "five"),
    ("FAKTUROWO_FREE_DOCUMENTS_PER_MONTH", "-5"),
    ("FAKTUROWO_RATE_LIMITS", "maybe"),
    ("FAKTUROWO_RATE_LIMITS", "2"),
    ("FAKTUROWO_RATE_LIMITS", "disabled"),
    ("FAKTUROWO_SMTP_SECURITY", "tls"),
    ("FAKTUROWO_SMTP_SECURITY", "starttls2"),
    ("FAKTUROWO_BASE_URL", "localhost:3000"),
    ("FAKTUROWO_BASE_URL", "ftp://example.pl"),
    ("FAKTUROWO_BASE_URL", "http://"),
    ("FAKTUROWO_BASE_URL", "https://example.pl/?x=1"),
    ("FAKTUROWO_BASE_URL", "https://example.pl/#top"),
    ("REFLEX_DB_URL", "mysql://root@localhost/fakturowo"),
    ("REFLEX_DB_URL", "fakturowo.db"),
    ("REFLEX_DB_URL", "sqlite://relative.db"),
    ("REFLEX_REDIS_URL", "http://127.0.0.1:6379"),
    ("FAKTUROWO_SECRET_KEY", "too-short"),
    ("FAKTUROWO_TRUSTED_PROXIES", "localhost"),
    ("FAKTUROWO_TRUSTED_PROXIES", "127.0.0.1; 10.0.0.1"),
    ("FAKTUROWO_TRUSTED_PROXIES", "10.0.0.1/8"),
    ("FAKTUROWO_TRUSTED_PROXIES", "10.0.0.0/33"),
    ("FAKTUROWO_TRUSTED_PROXIES", "127.0.0.1, 300.1.1.1"),
    ("FAKTUROWO_TRUSTED_PROXIES", "0.0.0.0/0"),
    ("FAKTUROWO_TRUSTED_PROXIES", "::/0"),
]


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_a_bad_value_stops_with_its_name(base_env, name, value):
    with pytest.raises(SettingsError) as refused:
        load_settings({**base_env, name: value})
    assert name in str(refused.value)


@pytest.mark.parametrize("raw", ["true", "TRUE", "1", "yes", "Yes", "on", " ON "])
def test_true_booleans(raw):
    assert parse_bool("X", raw) is True


@pytest.mark.parametrize("raw", ["false", "False", "0", "no", "NO", "off", " Off "])
def test_false_booleans(raw):
    assert parse_bool("X", raw) is False


@pytest.mark.parametrize(("raw", "expected"), [("on", True), ("off", False), ("0", False), ("yes", True)])
def test_rate_limits_setting(base_env, raw, expected):
    assert load_settings({**base_env, "FAKTUROWO_RATE_LIMITS": raw}).rate_limits is expected


def test_rate_limits_are_on_unless_switched_off(base_env):
    assert load_settings(base_env).rate_limits is True
    assert load_settings({**base_env, "FAKTUROWO_RATE_LIMITS": ""}).rate_limits is True


def test_secret_key_generated_once_owner_only(base_env, tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    assert not key_file.exists()
    first = load_settings(base_env).secret_key
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = key_file.read_bytes()
    assert len(first) >= 32 and first == content.strip()
    second = load_settings(base_env).secret_key
    assert second == first
    assert key_file.read_bytes() == content, "a second start rewrote the key"
    # A second installation (another var/) gets a key of its own.
    other = load_settings({"FAKTUROWO_VAR_DIR": str(tmp_path / "other")}).secret_key
    assert other != first


def test_secret_key_from_the_environment_writes_no_file(base_env, tmp_path):
    key = "k" * 40
    assert load_settings({**base_env, "FAKTUROWO_SECRET_KEY": key}).secret_key == key.encode()
    assert not (tmp_path / "var" / "secret_key").exists()


def test_a_damaged_key_file_stops_start_up(base_env, tmp_path):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("short")
    with pytest.raises(SettingsError, match="FAKTUROWO_SECRET_KEY"):
        load_settings(base_env)


def test_rxconfig_refuses_to_start_on_a_bad_value(app_env, monkeypatch):
    """rxconfig reads the settings at import: a bad value ends start-up with the variable's name."""
    was_imported = "rxconfig" in sys.modules
    import rxconfig

    saved = dict(vars(rxconfig))
    monkeypatch.setenv("FAKTUROWO_TRIAL_DAYS", "sto")
    reset_settings_cache()
    try:
        with pytest.raises(SystemExit) as stopped:
            importlib.reload(rxconfig)
        assert "FAKTUROWO_TRIAL_DAYS" in str(stopped.value)
    finally:
        if was_imported:
            sys.modules["rxconfig"] = rxconfig
            vars(rxconfig).update(saved)
        else:
            sys.modules.pop("rxconfig", None)
        reset_settings_cache()


def test_base_url_is_compared_in_lower_case(tmp_path):
    from fakturowo_ui.settings import load_settings

    settings = load_settings(
        {"FAKTUROWO_BASE_URL": "HTTPS://Faktury.Example.COM/app/", "FAKTUROWO_VAR_DIR": str(tmp_path)}
    )
    assert settings.base_url == "https://faktury.example.com/app"
    assert settings.base_origin == "https://faktury.example.com"


def test_trusted_proxies(base_env):
    """Comma-separated addresses and networks (issue 14, point 10); empty trusts no proxy."""
    import ipaddress

    settings = load_settings(
        {
            **base_env,
            "FAKTUROWO_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8,2001:db8::/32 ,::1,::ffff:192.0.2.1,",
        }
    )
    assert settings.trusted_proxies == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("2001:db8::/32"),
        ipaddress.ip_network("::1/128"),
        ipaddress.ip_network("192.0.2.1/32"),  # the IPv4-mapped form is the IPv4 address
    )
    assert load_settings({**base_env, "FAKTUROWO_TRUSTED_PROXIES": ""}).trusted_proxies == ()
    assert load_settings({**base_env, "FAKTUROWO_TRUSTED_PROXIES": "  "}).trusted_proxies == ()


# FAKTUROWO_WORKERS (issue 9, point 2): one per core with PostgreSQL and Redis, else 1.
POSTGRES = {"REFLEX_DB_URL": "postgresql+psycopg://app@db.example.pl/fakturowo"}
REDIS = {"REFLEX_REDIS_URL": "redis://127.0.0.1:6379/0"}


def test_workers_default_to_one_per_core_with_postgres_and_redis(base_env, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert load_settings({**base_env, **POSTGRES, **REDIS}).workers == 6
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert load_settings({**base_env, **POSTGRES, **REDIS}).workers == 1


@pytest.mark.parametrize(
    "extra", [{}, POSTGRES, REDIS], ids=["sqlite-no-redis", "postgres-no-redis", "sqlite-redis"]
)
def test_workers_default_to_one_without_postgres_and_redis(base_env, monkeypatch, extra):
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert load_settings({**base_env, **extra}).workers == 1
    assert load_settings({**base_env, **extra, "FAKTUROWO_WORKERS": "1"}).workers == 1


def test_workers_from_the_environment(base_env):
    assert load_settings({**base_env, **POSTGRES, **REDIS, "FAKTUROWO_WORKERS": " 3 "}).workers == 3
    assert load_settings({**base_env, **POSTGRES, **REDIS, "FAKTUROWO_WORKERS": "1"}).workers == 1
    assert load_settings({**base_env, **POSTGRES, **REDIS, "FAKTUROWO_WORKERS": ""}).workers >= 1


@pytest.mark.parametrize("value", ["0", "-2", "dwa", "1.5", "2x"])
def test_a_bad_worker_count_stops_with_its_name(base_env, value):
    with pytest.raises(SettingsError, match="FAKTUROWO_WORKERS"):
        load_settings({**base_env, **POSTGRES, **REDIS, "FAKTUROWO_WORKERS": value})


@pytest.mark.parametrize(
    ("extra", "named", "not_named"),
    [
        ({}, ["REFLEX_REDIS_URL", "REFLEX_DB_URL"], []),
        (POSTGRES, ["REFLEX_REDIS_URL"], ["REFLEX_DB_URL"]),
        (REDIS, ["REFLEX_DB_URL", "SQLite"], ["REFLEX_REDIS_URL"]),
        ({**REDIS, "REFLEX_DB_URL": "sqlite:////tmp/x.db"}, ["REFLEX_DB_URL"], ["REFLEX_REDIS_URL"]),
    ],
    ids=["sqlite-no-redis", "postgres-no-redis", "sqlite-redis", "explicit-sqlite-redis"],
)
def test_several_workers_need_redis_and_postgres(base_env, extra, named, not_named):
    with pytest.raises(SettingsError) as refused:
        load_settings({**base_env, **extra, "FAKTUROWO_WORKERS": "2"})
    message = str(refused.value)
    assert message.startswith("FAKTUROWO_WORKERS")
    for name in named:
        assert name in message
    for name in not_named:
        assert name not in message


def _reload_rxconfig(monkeypatch, env: dict[str, str]):
    """Import rxconfig under `env` (on top of app_env); put back what was there before."""
    was_imported = "rxconfig" in sys.modules
    import rxconfig

    saved = dict(vars(rxconfig))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GRANIAN_WORKERS", "7")  # an operator's stray value: ours wins
    reset_settings_cache()

    def restore():
        if was_imported:
            sys.modules["rxconfig"] = rxconfig
            vars(rxconfig).update(saved)
        else:
            sys.modules.pop("rxconfig", None)
        reset_settings_cache()

    return lambda: importlib.reload(rxconfig), restore


def test_rxconfig_hands_the_worker_count_to_granian(app_env, monkeypatch):
    """`reflex run --env prod` starts Granian with GRANIAN_WORKERS: rxconfig sets it from ours."""
    import os

    reload, restore = _reload_rxconfig(monkeypatch, {**POSTGRES, **REDIS, "FAKTUROWO_WORKERS": "3"})
    try:
        reload()
        assert os.environ["GRANIAN_WORKERS"] == "3"
    finally:
        restore()


def test_rxconfig_sets_one_granian_worker_by_default_on_sqlite(app_env, monkeypatch):
    import os

    reload, restore = _reload_rxconfig(monkeypatch, {})
    try:
        reload()
        assert os.environ["GRANIAN_WORKERS"] == "1"
    finally:
        restore()


def test_rxconfig_refuses_several_workers_on_sqlite(app_env, monkeypatch):
    reload, restore = _reload_rxconfig(monkeypatch, {"FAKTUROWO_WORKERS": "2"})
    try:
        with pytest.raises(SystemExit) as stopped:
            reload()
        message = str(stopped.value)
        assert "FAKTUROWO_WORKERS" in message and "REFLEX_REDIS_URL" in message
        assert "REFLEX_DB_URL" in message
    finally:
        restore()


def test_the_support_address_is_optional_and_checked(base_env):
    assert load_settings(base_env).support_email is None
    assert load_settings({**base_env, "FAKTUROWO_SUPPORT_EMAIL": "pomoc@example.pl"}).support_email == (
        "pomoc@example.pl"
    )
    # An internationalised domain is an address too.
    assert (
        load_settings({**base_env, "FAKTUROWO_SUPPORT_EMAIL": "pomoc@żółw.pl"}).support_email
        == "pomoc@żółw.pl"
    )
    for bad in (
        "pomoc",
        "pomoc@localhost",
        "a b@example.pl",
        "<pomoc@example.pl>",
        "a@b@example.pl",
        "x" * 250 + "@a.pl",
    ):
        with pytest.raises(SettingsError, match="FAKTUROWO_SUPPORT_EMAIL"):
            load_settings({**base_env, "FAKTUROWO_SUPPORT_EMAIL": bad})


def test_local_use_accepts_every_loopback_name_of_the_base_url(base_env):
    local = load_settings({**base_env, "FAKTUROWO_BASE_URL": "http://127.0.0.1:3000"})
    assert local.accepted_origins == ("http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000")
    default = load_settings(base_env)
    assert default.accepted_origins[0] == "http://localhost:3000"
    assert "http://127.0.0.1:3000" in default.accepted_origins
    # Another port of this machine is another app; a public base URL accepts only itself.
    assert "http://127.0.0.1:8000" not in default.accepted_origins
    public = load_settings({**base_env, "FAKTUROWO_BASE_URL": "https://faktury.example.pl"})
    assert public.accepted_origins == ("https://faktury.example.pl",)
