"""GET /healthz (issue 9, point 5): whether the database and Redis answer, quickly, naming nothing."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

from fakturowo_ui import db, health, routes
from fakturowo_ui.api import api, security_headers
from fakturowo_ui.settings import reset_settings_cache
from tests.conftest import free_port
from tests.servers import redis_server, silent_port

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ANSWERS = {"ok", "error", "not configured"}


def _get(monkeypatch, **env: str | None):
    for key, value in env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    reset_settings_cache()
    db.reset_engine()
    with TestClient(security_headers(api), base_url="http://localhost:3000") as client:
        started = time.monotonic()
        response = client.get(routes.HEALTHZ)
        elapsed = time.monotonic() - started
    body = response.json()
    assert set(body) == {"database", "redis"}
    assert set(body.values()) <= ANSWERS, "the answer carries nothing but the states"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    return response, body, elapsed


def test_sqlite_without_redis_is_healthy(app_env, monkeypatch):
    response, body, elapsed = _get(monkeypatch, REFLEX_REDIS_URL=None)
    assert response.status_code == 200
    assert body == {"database": "ok", "redis": "not configured"}
    assert elapsed < 2


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://fakturowo:haslo-bazy@127.0.0.1:{port}/fakturowo",
        "sqlite:///{var_dir}/is-a-directory",
    ],
    ids=["postgres-refused", "sqlite-unopenable"],
)
def test_a_database_that_does_not_answer_is_reported(app_env, monkeypatch, url):
    var_dir = app_env["FAKTUROWO_VAR_DIR"]
    (Path(var_dir) / "is-a-directory").mkdir()  # SQLite cannot open a directory as its file
    url = url.format(port=free_port(), var_dir=var_dir)
    response, body, elapsed = _get(monkeypatch, REFLEX_DB_URL=url, REFLEX_REDIS_URL=None)
    assert response.status_code == 503
    assert body == {"database": "error", "redis": "not configured"}
    assert "haslo-bazy" not in response.text and "127.0.0.1" not in response.text
    assert elapsed < 3


def test_a_hung_database_is_reported_within_two_seconds(app_env, monkeypatch):
    """A server that accepts the connection and never answers: the answer still comes in time,
    and a second request waits on the same check instead of starting another thread."""
    with silent_port() as port:
        url = f"postgresql+psycopg://fakturowo@127.0.0.1:{port}/fakturowo"
        response, body, elapsed = _get(monkeypatch, REFLEX_DB_URL=url, REFLEX_REDIS_URL=None)
        assert response.status_code == 503 and body["database"] == "error"
        assert 1.5 < elapsed < 3
    db.reset_engine()


def test_a_hung_check_is_shared_by_concurrent_requests(app_env, monkeypatch):
    import asyncio

    calls = []

    def slow_ping():
        calls.append(1)
        time.sleep(3)

    monkeypatch.setattr(health, "_ping_database", slow_ping)

    async def twice():
        return await asyncio.gather(health.check_database(), health.check_database())

    started = time.monotonic()
    assert asyncio.run(twice()) == ["error", "error"]
    assert time.monotonic() - started < 3
    assert len(calls) == 1


@pytest.mark.redis
def test_redis_that_answers(app_env, monkeypatch):
    with redis_server() as redis:
        response, body, elapsed = _get(monkeypatch, REFLEX_REDIS_URL=redis.url)
    assert response.status_code == 200
    assert body == {"database": "ok", "redis": "ok"}
    assert elapsed < 2


def test_redis_that_refuses(app_env, monkeypatch):
    response, body, elapsed = _get(
        monkeypatch, REFLEX_REDIS_URL=f"redis://:geslo-redis@127.0.0.1:{free_port()}/0"
    )
    assert response.status_code == 503
    assert body == {"database": "ok", "redis": "error"}
    assert "geslo-redis" not in response.text
    assert elapsed < 3


def test_redis_that_hangs(app_env, monkeypatch):
    with silent_port() as port:
        response, body, elapsed = _get(monkeypatch, REFLEX_REDIS_URL=f"redis://127.0.0.1:{port}/0")
    assert response.status_code == 503
    assert body == {"database": "ok", "redis": "error"}
    assert 1.5 < elapsed < 3
