"""Files the app writes are readable by its own user only (issue 14, point 9).

SQLite creates the -wal and -shm files with the main file's permissions, so the database file being
0600 covers all three; every entry point that writes files also sets the umask to 0o077 at start-up
(fakturowo_ui/files.py), which covers the export ZIPs and anything else written later.
Each test starts from the usual 0o022 umask, so what it sees is the app's doing.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from fakturowo_ui import db
from fakturowo_ui.settings import REPO_ROOT
from tests.conftest import migrate


@pytest.fixture(autouse=True)
def default_umask():
    """The common default umask for the test; the previous one restored afterwards."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _sidecars(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def test_a_new_database_and_its_wal_and_shm_files_are_0600(tmp_path):
    path = tmp_path / "new" / "fakturowo.db"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x TEXT)")
            connection.exec_driver_sql("INSERT INTO t VALUES ('secret row')")
            connection.commit()
            # The connection is still open: the WAL and the shared-memory file exist now.
            for file in _sidecars(path):
                assert file.exists(), file
                assert _mode(file) == 0o600, f"{file.name}: {oct(_mode(file))}"
    finally:
        engine.dispose()


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    path = tmp_path / "fakturowo.db"
    # A database left by an older version: 0644, with a live WAL and -shm of the same mode.
    old = sqlite3.connect(path)
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE t (x TEXT)")
    old.execute("INSERT INTO t VALUES ('row')")
    old.commit()
    try:
        for file in _sidecars(path):
            assert _mode(file) == 0o644
        engine = db.make_engine(f"sqlite:///{path}")
        try:
            for file in _sidecars(path):
                assert _mode(file) == 0o600, f"{file.name}: {oct(_mode(file))}"
            with engine.connect() as connection:
                assert connection.exec_driver_sql("SELECT x FROM t").scalar() == "row"
        finally:
            engine.dispose()
    finally:
        old.close()
    assert _mode(path) == 0o600


def test_the_start_up_helper_makes_every_new_file_private(tmp_path):
    from fakturowo_ui.files import restrict_new_files

    restrict_new_files()
    assert os.umask(0o077) == 0o077
    (tmp_path / "export.zip").write_bytes(b"PK")
    (tmp_path / "dir").mkdir()
    assert _mode(tmp_path / "export.zip") == 0o600
    assert _mode(tmp_path / "dir") == 0o700


def test_alembic_upgrade_on_a_fresh_path_leaves_0600_files(app_env, tmp_path):
    path = tmp_path / "fresh" / "fakturowo.db"
    migrate(f"sqlite:///{path}")
    assert os.umask(0o022) == 0o077, "alembic's env.py sets the umask at start-up"
    assert _mode(path) == 0o600
    # Whoever opens it next (umask 0o022 again) gets -wal and -shm files as private as the database.
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("INSERT INTO alembic_version VALUES ('x')")
        connection.commit()
        for file in _sidecars(path):
            assert _mode(file) == 0o600, f"{file.name}: {oct(_mode(file))}"
    finally:
        connection.close()


def test_the_daily_job_command_sets_the_umask(app_env):
    from fakturowo_ui import jobs

    assert jobs.main(["daily", "--date", "2026-11-23"]) == 0
    assert os.umask(0o022) == 0o077


@pytest.mark.parametrize("module", ["rxconfig", "fakturowo_ui.fakturowo_ui"])
def test_reflex_processes_set_the_umask_at_start_up(app_env, tmp_path, module):
    """rxconfig is the first thing every reflex process imports; the app module every backend worker."""
    code = f"import os; os.umask(0o022); import {module}; print(oct(os.umask(0o022)))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "__REFLEX_SKIP_COMPILE": "true", "REFLEX_WEB_WORKDIR": str(tmp_path / "web")},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "0o77"


def test_engine_for_a_non_sqlite_url_touches_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert isinstance(engine, sa.Engine)
    assert list(tmp_path.iterdir()) == []
