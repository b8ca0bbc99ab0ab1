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
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from fakturowo_ui.settings import REPO_ROOT, reset_settings_cache
from tests.conftest import TEST_SECRET, SMTPServer, free_port, migrate
from tests.e2e import helpers
from tests.e2e.helpers import INIT_SCRIPT, Server

ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 240
STOP_GRACE_S = 10

# Reflex updates the page over a websocket; argon2 takes a moment on small machines.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config, items):
    """Every test under tests/e2e is an e2e test, marked or not."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so the page fixture knows whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    reset_settings_cache()
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_settings_cache()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the whole process group, SIGKILL after a grace period."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_GRACE_S)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    """A real SMTP server on loopback for the whole e2e run; the app sends all its mail here."""
    smtp = SMTPServer()
    smtp.start()
    yield smtp
    smtp.stop()


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
    with _environ(app_env):
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
    process = subprocess.Popen(
        [str(Path(bin_dir) / "reflex"), "run", "--env", "prod", "--frontend-port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
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
        while not (_answers(f"{base_url}/") and _answers(f"{base_url}/ping")):
            if process.poll() is not None:
                pytest.fail(
                    f"the app server exited with code {process.returncode} before answering; "
                    f"{log_path} ends with:\n{running.log_tail()}",
                    pytrace=False,
                )
            if time.monotonic() - started > START_TIMEOUT_S:
                pytest.fail(
                    f"the app server did not answer on {base_url} within {START_TIMEOUT_S} s; "
                    f"{log_path} ends with:\n{running.log_tail()}",
                    pytrace=False,
                )
            time.sleep(0.5)
        print(f"\ne2e server ready on {base_url} after {time.monotonic() - started:.0f} s", file=sys.stderr)
        yield running
    finally:
        _stop(process)
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
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:120]


@pytest.fixture
def page(browser, server, request) -> Iterator[Page]:
    """A fresh browser context and page per test; a failed test leaves a screenshot.

    `page.dialogs` lists every alert/confirm/prompt the page tried to open (they are dismissed);
    `page.errors` every uncaught script error.
    """
    context = browser.new_context(
        base_url=server.base_url, locale="pl-PL", viewport={"width": 1280, "height": 900}
    )
    context.add_init_script(INIT_SCRIPT)
    tab = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.dialogs = dialogs  # type: ignore[attr-defined]
    tab.errors = errors  # type: ignore[attr-defined]
    try:
        yield tab
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            with contextlib.suppress(Exception):
                tab.screenshot(
                    path=str(ARTIFACTS / f"failed-{_artifact_name(request.node.nodeid)}.png"),
                    full_page=True,
                )
        context.close()
    assert not dialogs, f"a script opened a dialog: {dialogs}"
