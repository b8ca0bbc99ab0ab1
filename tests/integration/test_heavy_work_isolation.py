"""One account cannot freeze the others (issue 14, points 1, 2 and 4), with a real SQLite file.

- Exports: one per user across tabs (and, through the job_lock row, workers and hosts), built in
  their own pool with a bounded queue and a disk budget, files 0600, purged on schedule.
- A deletion while someone reads: the confirmation never waits on the reader, the WAL is
  checkpointed as soon as the reader is gone, and then nothing of the account is left on disk.
- An export reads in short transactions, so a checkpoint succeeds while it runs.
- Another process holding SQLite's write lock slows only the request that needs to write.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from fakturowo_ui import jobs
from fakturowo_ui.services import accounts, blocking, deletion, export, pdf
from fakturowo_ui.services.errors import DomainError
from tests.conftest import action_link
from tests.integration.test_user_data import MARKERS, make_data
from tests.unit.factories import PASSWORD, make_user

BASE = "http://localhost:3000"


def _db_path(app_env) -> Path:
    return Path(app_env["REFLEX_DB_URL"].removeprefix("sqlite:///"))


def _db_bytes(app_env) -> bytes:
    path = _db_path(app_env)
    return b"".join(Path(str(path) + s).read_bytes() for s in ("", "-wal") if Path(str(path) + s).exists())


class LoopWatch:
    """Measures the longest pause of the event loop while a scenario runs on it."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self._task: asyncio.Task | None = None

    async def _tick(self) -> None:
        while True:
            self.ticks.append(time.monotonic())
            await asyncio.sleep(0.05)

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._tick())

    def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()

    @property
    def longest_stall(self) -> float:
        return max((b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False)), default=0.0)


def test_six_tabs_of_one_user_build_one_export(app_env, monkeypatch):
    data = make_data("szesc@example.com", documents_count=2)
    gate = threading.Event()
    real_build = export.build_export

    def build_while_the_others_ask(user_id, progress):
        gate.wait(10)  # the first build runs until every tab has asked
        return real_build(user_id, progress)

    monkeypatch.setattr(export, "build_export", build_while_the_others_ask)

    async def six_tabs():
        tabs = [asyncio.ensure_future(export.run(data["user_id"], export.Progress())) for _ in range(6)]
        await asyncio.sleep(0.5)
        gate.set()
        return await asyncio.gather(*tabs, return_exceptions=True)

    results = asyncio.run(six_tabs())
    tokens = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(tokens) == 1
    assert [r.key for r in refused] == ["export.already_running"] * 5
    files = list((export.exports_dir() / str(data["user_id"])).iterdir())
    assert files == [export.export_path(data["user_id"], tokens[0])]
    # Readable by the app's user only, in a directory only it can enter.
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700
    # Done: the user may export again, and the lock row is gone.
    again = asyncio.run(export.run(data["user_id"], export.Progress()))
    assert export.export_path(data["user_id"], again).is_file()
    assert not export.export_path(data["user_id"], tokens[0]).exists()  # one file per user


def test_exports_filling_their_pool_do_not_delay_a_login(app_env, monkeypatch):
    make_user("inny@example.com")
    users = [make_data(f"duzy{i}@example.com", documents_count=1, tag=f" {i}")["user_id"] for i in range(4)]
    release = threading.Event()
    real_render = pdf.render_invoice

    def slow_render(document, items):
        release.wait(30)
        return real_render(document, items)

    monkeypatch.setattr(pdf, "render_invoice", slow_render)

    async def scenario():
        exports = [asyncio.ensure_future(export.run(user_id, export.Progress())) for user_id in users]
        await asyncio.sleep(0.5)  # the export threads are busy, two more wait in the queue
        started = time.monotonic()
        code = await accounts.log_in("inny@example.com", PASSWORD, "127.0.0.9", None)
        login_seconds = time.monotonic() - started
        release.set()
        tokens = await asyncio.gather(*exports)
        return code, login_seconds, tokens

    code, login_seconds, tokens = asyncio.run(scenario())
    assert code
    assert login_seconds < 5, f"a login waited {login_seconds:.1f} s behind exports"
    assert len(set(tokens)) == 4


def test_a_full_queue_and_a_spent_disk_budget_are_refused(app_env, monkeypatch):
    data = make_data("kolejka@example.com", documents_count=0)
    monkeypatch.setattr(export, "MAX_DISK_BYTES", 1)
    (export.exports_dir() / "999").mkdir(parents=True)
    (export.exports_dir() / "999" / ("x" * 43 + ".zip")).write_bytes(b"12")
    with pytest.raises(DomainError) as refused:
        asyncio.run(export.run(data["user_id"], export.Progress()))
    assert refused.value.key == "export.busy"
    assert "Spróbuj ponownie" in refused.value.message()
    monkeypatch.setattr(export, "MAX_DISK_BYTES", 10**12)
    monkeypatch.setattr(export, "MAX_WAITING", -blocking.EXPORT_THREADS)
    with pytest.raises(DomainError) as refused:
        asyncio.run(export.run(data["user_id"], export.Progress()))
    assert refused.value.key == "export.busy"


def test_the_daily_job_and_the_scheduler_purge_stale_exports(app_env):
    data = make_data("stary@example.com", documents_count=0)
    path = export.export_path(data["user_id"], export.build_export(data["user_id"]))
    old = time.time() - export.MAX_AGE_SECONDS - 60
    os.utime(path, (old, old))
    assert "1 stale exports removed" in jobs.local_housekeeping()
    assert not path.exists()
    assert any(task is jobs.local_housekeeping for task in jobs.DAILY_TASKS)


def _request_and_link(smtp, user_id: int, email: str) -> str:
    asyncio.run(deletion.request_deletion(user_id, box_ticked=True))
    return action_link(smtp.mailbox.last(email, "Potwierdź usunięcie konta"), BASE).split("token=", 1)[1]


def test_a_deletion_while_someone_reads_neither_waits_nor_leaves_data_on_disk(smtp, app_env):
    data = make_data("czytany@example.com", documents_count=3)
    token = _request_and_link(smtp, data["user_id"], "czytany@example.com")
    # A reader (another process's long export, say) holds an old snapshot of the database.
    reader = sqlite3.connect(_db_path(app_env))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM document").fetchone()
    watch = LoopWatch()

    async def confirm_while_watching():
        watch.start()
        started = time.monotonic()
        result = await deletion.confirm_deletion(token, PASSWORD)
        elapsed = time.monotonic() - started
        watch.stop()
        return result, elapsed

    result, elapsed = asyncio.run(confirm_while_watching())
    assert result.outcome is deletion.Outcome.DELETED
    # Before: checkpoint() on the event loop, 5 tries x 10 s of busy timeout (~51 s frozen).
    assert elapsed < 5, f"the confirmation took {elapsed:.1f} s"
    assert watch.longest_stall < 1.0, f"the event loop stalled {watch.longest_stall:.1f} s"
    assert deletion.checkpoint_pending()
    assert b"czytany@example.com" in _db_bytes(app_env)  # still in the WAL, honestly
    # The retry while the reader stays fails fast; once it is gone the next one clears it.
    assert "still waiting" in jobs.local_housekeeping()
    reader.rollback()
    reader.close()
    assert "flushed" in jobs.local_housekeeping()
    assert not deletion.checkpoint_pending()
    after = _db_bytes(app_env)
    for needle in (*MARKERS, "czytany@example.com", "FV 1/11/2026"):
        assert needle.encode() not in after, needle


def test_the_background_retry_flushes_once_the_reader_is_gone(smtp, app_env, monkeypatch):
    data = make_data("tlo@example.com", documents_count=1)
    token = _request_and_link(smtp, data["user_id"], "tlo@example.com")
    monkeypatch.setattr(deletion, "RETRY_FIRST_SECONDS", 0.1)
    reader = sqlite3.connect(_db_path(app_env))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM user").fetchone()

    async def scenario():
        assert (await deletion.confirm_deletion(token, PASSWORD)).outcome is deletion.Outcome.DELETED
        await asyncio.sleep(0.5)
        still = deletion.checkpoint_pending()
        reader.rollback()
        reader.close()
        for _ in range(100):
            if not deletion.checkpoint_pending():
                break
            await asyncio.sleep(0.1)
        return still

    assert asyncio.run(scenario()) is True
    assert not deletion.checkpoint_pending()
    assert b"tlo@example.com" not in _db_bytes(app_env)


def test_an_export_reads_in_short_transactions(app_env, monkeypatch):
    data = make_data("krotko@example.com", documents_count=3)
    outcomes: list[bool] = []
    real_render = pdf.render_invoice

    def render_and_checkpoint(document, items):
        # Between batches nothing is held open: a TRUNCATE checkpoint gets through at once.
        outcomes.append(deletion.checkpoint(attempts=1, busy_timeout_ms=0))
        return real_render(document, items)

    monkeypatch.setattr(pdf, "render_invoice", render_and_checkpoint)
    export.build_export(data["user_id"])
    assert outcomes and all(outcomes), outcomes


def test_a_held_write_lock_slows_only_the_request_that_writes(app_env):
    make_user("pisze@example.com")
    blocker = sqlite3.connect(_db_path(app_env), timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    watch = LoopWatch()

    async def scenario():
        watch.start()
        # A login writes (its attempt is counted), so it waits for the lock...
        login = asyncio.ensure_future(accounts.log_in("pisze@example.com", PASSWORD, "127.0.0.5", None))
        await asyncio.sleep(1.5)
        waiting = not login.done()
        blocker.rollback()
        code = await login
        watch.stop()
        return waiting, code

    waiting, code = asyncio.run(scenario())
    blocker.close()
    assert waiting and code
    # ...but the event loop, and with it every other visitor, went on.
    assert watch.longest_stall < 0.5, f"the event loop stalled {watch.longest_stall:.1f} s"
