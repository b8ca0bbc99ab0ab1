"""Real servers for the several-hosts and fault tests: app servers, nginx, Redis, a PostgreSQL database.

Every one is the test's own: its own process on a free loopback port, its files under the test's
temporary directory, started and stopped by the fixtures (tests/multihost/conftest.py,
tests/faults/conftest.py). A service that is missing (the nginx or redis-server binary, the
local PostgreSQL) fails the test with a message naming it; nothing is skipped.

App servers are `reflex run --env prod`, each with its own REFLEX_WEB_WORKDIR (the backend URL
is baked into each build) and one Granian worker. Their REFLEX_API_URL and REFLEX_DEPLOY_URL are
the address the browser uses (nginx's, when the servers stand behind it), so the frontend's
websocket and every link go through that address.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fakturowo_ui import routes
from fakturowo_ui.settings import REPO_ROOT
from tests.conftest import TEST_SECRET
from tests.e2e.conftest import START_TIMEOUT_S
from tests.e2e.helpers import ARTIFACTS, Server
from tests.harness import (
    NotReady,
    answers,
    environ,
    free_port,
    migrate,
    start_group,
    stop_group,
    wait_until_ready,
)
from tests.servers import postgres_database as shared_postgres_database

NGINX = "/usr/sbin/nginx"
NGINX_TEMPLATE = REPO_ROOT / "deploy" / "nginx.conf"
BIN_DIR = Path(sys.executable).parent


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL, timeout: float = 15) -> None:
    """Send `sig` to the process's whole group (the server and its workers) and reap it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)


def group_is_gone(pgid: int) -> bool:
    """Whether no process of the group is left (killpg with signal 0 finds none)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def wait_group_gone(pgid: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not group_is_gone(pgid):
        if time.monotonic() > deadline:
            raise AssertionError(f"processes of group {pgid} still run {timeout} s after the kill")
        time.sleep(0.05)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# -- PostgreSQL ----------------------------------------------------------------------------------


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def postgres_database(tmp_dir: Path, prefix: str) -> Iterator[str]:
    """tests.servers.postgres_database, migrated in the environment the servers will have."""

    def migrate_as_the_servers(url: str) -> None:
        with environ(
            {"FAKTUROWO_VAR_DIR": str(tmp_dir), "REFLEX_DB_URL": url, "FAKTUROWO_SECRET_KEY": TEST_SECRET}
        ):
            migrate(url)

    with shared_postgres_database(prefix, migrate=migrate_as_the_servers) as url:
        yield url


def pg_execute(url: str, statement: str, params: tuple | dict = ()) -> tuple[list[tuple[Any, ...]], int]:
    """Run one SQL statement (`?` placeholders, as for SQLite) on PostgreSQL, committed."""
    import psycopg

    with psycopg.connect(_conninfo(url), autocommit=True) as connection:
        # psycopg annotates queries as LiteralString (or sql.SQL); these are the tests' own SQL.
        query = statement.replace("?", "%s")
        cursor = connection.execute(query, params or None)  # pyright: ignore[reportArgumentType]
        rows = cursor.fetchall() if cursor.description else []
        return rows, cursor.rowcount


@dataclass
class PostgresServer(Server):
    """helpers.Server for an app on PostgreSQL: the helpers' SQL goes to that database, and the
    log tail shows every app server's log."""

    db_url: str = ""
    logs: list[Path] = field(default_factory=list)

    def execute(self, statement: str, params: tuple | dict = ()) -> tuple[list[tuple[Any, ...]], int]:
        return pg_execute(self.db_url, statement, params)

    def log_tail(self, lines: int = 40) -> str:
        parts = []
        for path in self.logs:
            try:
                tail = "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            except OSError:
                tail = "(no log)"
            parts.append(f"--- {path.name}\n{tail}")
        return "\n".join(parts)


# -- Redis ---------------------------------------------------------------------------------------


# -- nginx ---------------------------------------------------------------------------------------

ACCESS_LINE = re.compile(
    r'^(?P<client>\S+) \[(?P<time>[^\]]+)\] "(?P<method>\S+) (?P<path>[^"]*)" (?P<status>\d+) '
    r"upstream=(?P<upstream>.*?) upstream_status=(?P<upstream_status>.*?) request_time=\S+$"
)

# $upstream_addr: "a, b" when nginx tried a then b; "a : b" across an internal redirect.
_SEPARATORS = re.compile(r"\s*,\s*|\s+:\s+")


@dataclass(frozen=True)
class Access:
    """One line of nginx's access log."""

    method: str
    path: str
    status: int
    upstreams: tuple[str, ...]  # every server tried, in order ("127.0.0.1:PORT")
    upstream_statuses: tuple[str, ...]

    @property
    def served_by(self) -> str:
        """The server that gave the final answer."""
        return self.upstreams[-1] if self.upstreams else "-"


class Nginx:
    """Debian's nginx, run in the foreground as the test's own process, from deploy/nginx.conf."""

    def __init__(self, directory: Path, upstream_ports: list[int]) -> None:
        self.port = free_port()
        self.directory = directory
        self.upstream_ports = upstream_ports
        self.conf_path = directory / "nginx.conf"
        self.access_log = directory / "access.log"
        self.error_log = directory / "error.log"
        self.pid_path = directory / "nginx.pid"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def render(self) -> str:
        servers = "\n        ".join(
            f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in self.upstream_ports
        )
        values = {
            # Workers run as the test's user, so they may write into its private temporary dir.
            "@USER@": pwd.getpwuid(os.geteuid()).pw_name,
            "@LISTEN@": f"127.0.0.1:{self.port}",
            "@SERVER_NAME@": "localhost",
            "@APP_SERVERS@": servers,
            "@LOG_DIR@": str(self.directory),
            "@TEMP_DIR@": str(self.directory / "temp"),
        }
        lines = []
        for line in NGINX_TEMPLATE.read_text().splitlines():
            if not line.lstrip().startswith("#"):  # the header's comments name the placeholders
                for placeholder, value in values.items():
                    line = line.replace(placeholder, value)
            lines.append(line)
        text = "\n".join(lines) + "\n"
        left = re.findall(r"^[^#\n]*(@[A-Z_]+@)", text, re.MULTILINE)
        assert not left, f"placeholders of deploy/nginx.conf not filled in: {left}"
        return text

    def _command(self, *extra: str) -> list[str]:
        return [
            NGINX,
            "-p",
            str(self.directory),
            "-c",
            str(self.conf_path),
            "-g",
            f"daemon off; pid {self.pid_path};",
            *extra,
        ]

    def start(self, timeout: float = 15) -> None:
        if not Path(NGINX).exists():
            pytest.fail(
                f"nginx is missing: {NGINX} not found; `make nginx` installs Debian's nginx", pytrace=False
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "temp").mkdir(exist_ok=True)
        self.conf_path.write_text(self.render())
        checked = subprocess.run(self._command("-t", "-q"), capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:
            pytest.fail(f"nginx refuses {self.conf_path}:\n{checked.stderr}", pytrace=False)
        with (self.directory / "nginx.out").open("a") as out:
            self.process = start_group(self._command(), log=out)
        deadline = time.monotonic() + timeout
        while not _port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"nginx did not listen on {self.port}; {self.error_log}:\n{self.errors()}", pytrace=False
                )
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            kill_group(self.process, signal.SIGQUIT, timeout=10)  # graceful: finishes the log
            kill_group(self.process, signal.SIGKILL)
            self.process = None

    def errors(self) -> str:
        try:
            return self.error_log.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no error log)"

    def accesses(self) -> list[Access]:
        """The access log so far, parsed (a request is logged when it ends: a websocket when it
        closes)."""
        entries = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            match = ACCESS_LINE.match(line)
            assert match, f"unexpected access log line: {line!r}"
            upstreams = tuple(a for a in _SEPARATORS.split(match["upstream"].strip()) if a not in ("", "-"))
            entries.append(
                Access(
                    method=match["method"],
                    path=match["path"],
                    status=int(match["status"]),
                    upstreams=upstreams,
                    upstream_statuses=tuple(_SEPARATORS.split(match["upstream_status"].strip())),
                )
            )
        return entries


def established_connections(port: int) -> int:
    """TCP connections in state ESTABLISHED whose local port is `port` (from /proc/net/tcp*).

    nginx keeps no idle connection to the app servers (no upstream keepalive), so between
    requests the only ones left are websockets."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


# -- app servers ---------------------------------------------------------------------------------


@dataclass
class AppServer:
    """One `reflex run --env prod` on its own port: the production build of this checkout."""

    name: str
    port: int
    public_url: str  # what the browser talks to: baked into the build as the backend's URL
    settings: dict[str, str]
    web_dir: str  # REFLEX_WEB_WORKDIR, relative to the repository (kept between runs: npm's cache)
    log_path: Path = field(init=False)
    process: subprocess.Popen | None = field(default=None, repr=False)
    starts: int = 0

    def __post_init__(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"{self.name}-{self.port}.log"
        self.log_path.write_text("")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def direct_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("FAKTUROWO_", "REFLEX_", "GRANIAN_"))
        }
        env.update(
            {
                "PATH": str(BIN_DIR) + os.pathsep + env.get("PATH", ""),
                "REFLEX_USE_NPM": "1",
                "REFLEX_WEB_WORKDIR": self.web_dir,
                "REFLEX_API_URL": self.public_url,
                "REFLEX_DEPLOY_URL": self.public_url,
                # One backend worker per server (FAKTUROWO_WORKERS decides from rxconfig.py on).
                "FAKTUROWO_WORKERS": "1",
                "GRANIAN_WORKERS": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.settings)
        return env

    def start(self, *, build: bool = True) -> None:
        """Start the server; build=False serves the build this web_dir already holds."""
        args = ["run", "--env", "prod", "--frontend-port", str(self.port), "--backend-host", "127.0.0.1"]
        command = (
            [str(BIN_DIR / "reflex"), *args]
            if build
            else [sys.executable, "-m", "tests.multihost.serve_build", *args]
        )
        self.starts += 1
        with self.log_path.open("a") as log:
            log.write(
                f"\n===== start {self.starts} ({'build' if build else 'serve the build'}) "
                f"{time.strftime('%H:%M:%S')} =====\n"
            )
            log.flush()
            self.process = start_group(command, cwd=REPO_ROOT, env=self.environment(), log=log)

    def healthy(self) -> bool | None:
        """GET /healthz: True when it says the database (and Redis, if configured) answer, False
        when it says not (503) or the server does not answer, None when the app has no /healthz."""
        try:
            with urllib.request.urlopen(self.direct_url + routes.HEALTHZ, timeout=5) as response:  # noqa: S310
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            body, status = error.read(), error.code
        except (urllib.error.URLError, OSError):
            return False
        try:
            answer = json.loads(body)
        except ValueError:
            return None  # Reflex's own "not found" page: no such endpoint
        if not isinstance(answer, dict) or "database" not in answer:
            return None
        return status == 200

    def ready(self) -> bool:
        """Pages answer, and /healthz says healthy (or, in an app without it, /ping answers)."""
        if not answers(f"{self.direct_url}/"):
            return False
        healthy = self.healthy()
        return healthy if healthy is not None else answers(f"{self.direct_url}/ping")

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> float:
        """Wait until the server is ready() on its own port; returns the seconds it took."""
        assert self.process is not None
        try:
            elapsed = wait_until_ready(
                self.process, self.ready, url=self.direct_url, timeout=timeout, pause=0.25
            )
        except NotReady as error:
            pytest.fail(f"{self.name} {error}; {self.log_path} ends with:\n{self.log_tail()}", pytrace=False)
        print(f"\n{self.name} ready on {self.direct_url} after {elapsed:.0f} s", file=sys.stderr)
        return elapsed

    def kill(self) -> None:
        """SIGKILL to the server's whole process group (the CLI and its Granian workers)."""
        assert self.process is not None
        pgid = self.process.pid
        kill_group(self.process, signal.SIGKILL)
        wait_group_gone(pgid)

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)
            self.process = None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


# -- the browser ---------------------------------------------------------------------------------

# After INIT_SCRIPT: counts the websocket's connects and disconnects, so a test sees a reconnect
# even when it is over before the test looks.
COUNT_SOCKETS_SCRIPT = """
(() => {
  const hooks = window.__reflex_otel;
  const connect = hooks.onSocketConnect, disconnect = hooks.onSocketDisconnect;
  window.__e2e_connects = 0;
  window.__e2e_disconnects = 0;
  hooks.onSocketConnect = function (...args) { window.__e2e_connects += 1; return connect.apply(this, args); };
  hooks.onSocketDisconnect = function (...args) { window.__e2e_disconnects += 1; return disconnect.apply(this, args); };
})();
"""
