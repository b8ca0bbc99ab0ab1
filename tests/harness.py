"""What the tests and the benchmarks both need to run the app: ports, migrations, settings, processes.

The standard library only at import time, and nothing from requirements-dev.txt at all (no pytest,
Playwright or aiosmtpd): bench/ imports this module too, and every benchmark runs after `make
setup` alone. Alembic and the app's settings, both in requirements.txt, are imported when used.
  - free_port, answers: a free loopback port; whether a URL answers 200;
  - migrate, environ: every Alembic migration against a database; the app's settings from given
    environment variables for the length of a block;
  - CHROMIUM, CHROMIUM_ARGS: Debian's Chromium and the flags every browser run starts it with;
  - start_group, wait_until_ready, stop_group: a server in a process group of its own, until it
    answers, and all of the group stopped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STOP_GRACE_S = 10


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    """Whether a GET of `url` (on loopback) answers 200 within 5 s."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def migrate(db_url: str) -> None:
    """Run every Alembic migration against db_url."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = db_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


@contextlib.contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    """These environment variables, and the app's settings read afresh from them, for a block;
    afterwards both are as they were."""
    from fakturowo_ui.settings import reset_settings_cache

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


def start_group(
    command: list[str], *, log: IO, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """`command` in a process group of its own (its workers too, for stop_group), stdin closed,
    stdout and stderr into `log`."""
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


class NotReady(RuntimeError):
    """A server process exited, or did not answer in time; the message says which."""


def wait_until_ready(
    process: subprocess.Popen, ready: Callable[[], bool], *, url: str, timeout: float, pause: float
) -> float:
    """Ask ready() every `pause` seconds until it says yes; the seconds that took. NotReady when
    the process exits first or `timeout` seconds pass (the process is left as it is)."""
    started = time.monotonic()
    while not ready():
        if process.poll() is not None:
            raise NotReady(f"exited with code {process.returncode} before answering")
        if time.monotonic() - started > timeout:
            raise NotReady(f"did not answer on {url} within {timeout} s")
        time.sleep(pause)
    return time.monotonic() - started


def stop_group(process: subprocess.Popen, grace: float = STOP_GRACE_S) -> None:
    """SIGTERM to the process's whole group (start_group's, or any started with start_new_session),
    SIGKILL to what is left after `grace` seconds, and the process reaped."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
