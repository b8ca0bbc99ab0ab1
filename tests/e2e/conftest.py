"""End-to-end fixtures: ONE production build of the app for the whole run, Chromium, a page per test.

The server is `reflex run --env prod` on a free port (pages and backend on that one port), with its
own var/ directory and migrated SQLite database under a temporary directory, mail sent to a real
SMTP server (aiosmtpd) running in this pytest process, and its frontend built in a separate
directory (FAKTUROWO_E2E_WEB_DIR, default .web-test) so a developer's `make run` in .web is left
alone. Its output goes to test-artifacts/e2e-server-<port>.log; a failed test leaves a screenshot there.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from fakturowo_ui.settings import REPO_ROOT
from tests.conftest import TEST_SECRET, SMTPServer
from tests.e2e import helpers
from tests.e2e.helpers import ARTIFACTS, Server, chromium, keep_reports, tab_for_test
from tests.harness import (
    CHROMIUM,
    NotReady,
    answers,
    environ,
    free_port,
    migrate,
    start_group,
    stop_group,
    wait_until_ready,
)

# tests/integration/test_workers.py starts its servers with running_server() and imports these
# from here too, by these names.
from tests.harness import CHROMIUM_ARGS as CHROMIUM_ARGS

_environ = environ
_stop = stop_group

START_TIMEOUT_S = 240

# Reflex updates the page over a websocket; argon2 takes a moment on small machines.
expect.set_options(timeout=15_000)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so the page fixture knows whether the test failed."""
    yield from keep_reports(item)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    """A real SMTP server on loopback for the whole e2e run; the app sends all its mail here."""
    with SMTPServer() as smtp:
        yield smtp


@contextlib.contextmanager
def running_server(
    tmp_path_factory,
    smtp_server: SMTPServer,
    *,
    settings: dict[str, str] | None = None,
    web_dir: str | None = None,
) -> Iterator[Server]:
    """Start the production build with its own DB and var dir (and `settings` on top); stop it after.

    Each concurrently running server needs its own web_dir: the backend URL is baked into the build.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's Chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    var_dir = tmp_path_factory.mktemp("e2e") / "var"
    var_dir.mkdir()
    db_path = var_dir / "fakturowo.db"
    db_url = f"sqlite:///{db_path}"
    port = free_port()
    base_url = f"http://localhost:{port}"
    app_env = {
        "FAKTUROWO_VAR_DIR": str(var_dir),
        "REFLEX_DB_URL": db_url,
        "FAKTUROWO_BASE_URL": base_url,
        "FAKTUROWO_SECRET_KEY": TEST_SECRET,
        "FAKTUROWO_RATE_LIMITS": os.environ.get("FAKTUROWO_E2E_RATE_LIMITS", "on"),
        **smtp_server.env,
        **(settings or {}),
    }
    with environ(app_env):
        migrate(db_url)

    env = {key: value for key, value in os.environ.items() if not key.startswith(("FAKTUROWO_", "REFLEX_"))}
    bin_dir = str(Path(sys.executable).parent)
    env.update(app_env)
    env.update(
        {
            "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
            "REFLEX_USE_NPM": "1",
            "REFLEX_WEB_WORKDIR": web_dir or os.environ.get("FAKTUROWO_E2E_WEB_DIR", ".web-test"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    log_path = ARTIFACTS / f"e2e-server-{port}.log"
    log = log_path.open("w")
    started = time.monotonic()
    process = start_group(
        [str(Path(bin_dir) / "reflex"), "run", "--env", "prod", "--frontend-port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        log=log,
    )
    running = Server(
        base_url=base_url,
        port=port,
        var_dir=var_dir,
        db_path=db_path,
        log_path=log_path,
        smtp=smtp_server,
        process=process,
    )
    try:
        try:
            wait_until_ready(
                process,
                lambda: answers(f"{base_url}/") and answers(f"{base_url}/ping"),
                url=base_url,
                timeout=START_TIMEOUT_S,
                pause=0.5,
            )
        except NotReady as error:
            pytest.fail(f"the app server {error}; {log_path} ends with:\n{running.log_tail()}", pytrace=False)
        print(f"\ne2e server ready on {base_url} after {time.monotonic() - started:.0f} s", file=sys.stderr)
        yield running
    finally:
        stop_group(process)
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory, smtp_server) -> Iterator[Server]:
    """The production build, started once for the whole run and stopped with its process group."""
    with running_server(tmp_path_factory, smtp_server) as running:
        helpers.set_server(running)
        try:
            yield running
        finally:
            helpers.set_server(None)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request) -> None:
    """Rate limits stay on, but each test starts with no hits counted by earlier tests."""
    if "server" in request.fixturenames:
        request.getfixturevalue("server").clear_rate_limits()


@pytest.fixture(scope="session")
def browser(server) -> Iterator[Browser]:
    """Debian's Chromium, one for the whole run."""
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser, server, request) -> Iterator[Page]:
    """A fresh browser context and page per test (helpers.tab_for_test): a failed test leaves a
    screenshot, and helpers.watched(page) has every dialog (dismissed) and uncaught script error."""
    with tab_for_test(browser, server.base_url, request) as tab:
        yield tab
