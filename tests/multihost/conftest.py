"""Fixtures of the several-hosts test: two app servers on one PostgreSQL and one Redis, behind nginx.

    browser ── nginx (deploy/nginx.conf, round-robin, no sticky sessions) ─┬─ app server A ─┐
                                                                           └─ app server B ─┴─ PostgreSQL + Redis

Each app server is `reflex run --env prod` on its own port with its own REFLEX_WEB_WORKDIR
(.web-multihost-a, .web-multihost-b: kept between runs so npm's packages stay installed) and its
own var/ directory (what is per host), one Granian worker, and FAKTUROWO_BASE_URL, REFLEX_API_URL
and REFLEX_DEPLOY_URL set to nginx's address: the browser talks only to nginx, pages and
websocket alike. PostgreSQL is a database made for the run on the local server, Redis a
redis-server of our own, mail a real SMTP server (aiosmtpd) in this process. Everything is
started once for this directory and stopped (process groups killed) at its end; logs are in
test-artifacts/multihost-*.log and the nginx directory under pytest's tmp dir.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import TEST_SECRET, SMTPServer
from tests.e2e import helpers
from tests.e2e.helpers import chromium, keep_reports, tab_for_test
from tests.harness import free_port
from tests.multihost.services import COUNT_SOCKETS_SCRIPT, AppServer, Nginx, PostgresServer, postgres_database
from tests.servers import RedisServer

# Browser tests against the production build, like tests/e2e: tests/conftest.py marks them e2e
# (and postgres).


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    yield from keep_reports(item)


@dataclass
class Cluster:
    nginx: Nginx
    servers: list[AppServer]
    front: PostgresServer  # helpers.Server for the tests' helpers: nginx's URL, the shared database
    redis: RedisServer
    db_url: str


@pytest.fixture(scope="package")
def smtp_server() -> Iterator[SMTPServer]:
    with SMTPServer() as smtp:
        yield smtp


@pytest.fixture(scope="package")
def cluster(tmp_path_factory, smtp_server) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("multihost")
    redis = RedisServer(root / "redis")
    with postgres_database(root, "fakturowo_multihost") as db_url:
        redis.start()
        ports = [free_port()]
        while len(ports) < 2:
            port = free_port()
            if port not in ports:
                ports.append(port)
        nginx = Nginx(root / "nginx", ports)
        shared = {
            "REFLEX_DB_URL": db_url,
            "REFLEX_REDIS_URL": redis.url,
            "FAKTUROWO_BASE_URL": nginx.url,
            "FAKTUROWO_SECRET_KEY": TEST_SECRET,
            "FAKTUROWO_TRUSTED_PROXIES": "127.0.0.1",
            "FAKTUROWO_RATE_LIMITS": "on",
            **smtp_server.env,
        }
        servers = []
        for name, port in zip(("a", "b"), ports, strict=True):
            var_dir = root / f"host-{name}" / "var"
            var_dir.mkdir(parents=True)
            servers.append(
                AppServer(
                    name=f"multihost-{name}",
                    port=port,
                    public_url=nginx.url,
                    settings={**shared, "FAKTUROWO_VAR_DIR": str(var_dir)},
                    web_dir=f".web-multihost-{name}",
                )
            )
        front = PostgresServer(
            base_url=nginx.url,
            port=nginx.port,
            var_dir=root,
            db_path=root / "no-sqlite-here",
            log_path=servers[0].log_path,
            smtp=smtp_server,
            db_url=db_url,
            logs=[server.log_path for server in servers] + [nginx.error_log],
        )
        try:
            nginx.start()
            # Both build at once (each into its own web dir): the slow part of the set-up.
            started = time.monotonic()
            for server in servers:
                server.start()
            for server in servers:
                server.wait_ready()
            print(f"\nboth app servers ready after {time.monotonic() - started:.0f} s")
            helpers.set_server(front)
            yield Cluster(nginx=nginx, servers=servers, front=front, redis=redis, db_url=db_url)
        finally:
            helpers.set_server(None)
            for server in servers:
                server.stop()
            nginx.stop()
            redis.stop()


@pytest.fixture(scope="package")
def browser(cluster):
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser, cluster, request):
    cluster.front.clear_rate_limits()
    with tab_for_test(browser, cluster.nginx.url, request, COUNT_SOCKETS_SCRIPT) as tab:
        yield tab
