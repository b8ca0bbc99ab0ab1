"""services/blocking.py: blocking work runs in the bounded pool of its kind, never on the event loop,
with the caller's context variables, its exception raised to the caller; one kind's pool filling
up never makes another kind wait."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from fakturowo_ui.services import blocking

REQUEST = contextvars.ContextVar("request", default="none")


def where() -> tuple[str, str]:
    return threading.current_thread().name, REQUEST.get()


def test_work_runs_in_its_pools_thread_with_the_callers_context():
    async def scenario():
        REQUEST.set("req-7")
        return (
            threading.current_thread().name,
            await blocking.run_in(blocking.HASHING, where),
            await blocking.run_in(blocking.MAIL, where),
            await blocking.run_in(blocking.EXPORTS, where),
            await blocking.db(where),
        )

    loop_thread, hashing, mail, exports, database = asyncio.run(scenario())
    assert hashing[0].startswith("fakturowo-hash") and hashing[0] != loop_thread
    assert mail[0].startswith("fakturowo-mail")
    assert exports[0].startswith("fakturowo-export")
    assert database[0].startswith("fakturowo-db")
    assert {hashing[1], mail[1], exports[1], database[1]} == {"req-7"}


def test_arguments_reach_the_work_and_its_exception_reaches_the_caller():
    def divide(a, b, *, plus=0):
        return a / b + plus

    assert asyncio.run(blocking.db(divide, 7, 2, plus=1)) == 4.5
    with pytest.raises(ZeroDivisionError):
        asyncio.run(blocking.db(divide, 1, 0))


def test_a_full_pool_holds_up_only_its_own_kind():
    """Both hashing threads busy: a database step still runs at once; a third hash waits for a
    free hashing thread (the pool is bounded), and runs as soon as one is."""
    release = threading.Event()
    started: list[str] = []

    def busy(name: str) -> str:
        started.append(name)
        release.wait(10)
        return name

    async def scenario():
        held = [asyncio.ensure_future(blocking.run_in(blocking.HASHING, busy, f"hash-{n}")) for n in (1, 2)]
        while len(started) < 2:
            await asyncio.sleep(0.005)
        third = asyncio.ensure_future(blocking.run_in(blocking.HASHING, busy, "hash-3"))
        database = await asyncio.wait_for(blocking.db(lambda: "db ran"), timeout=5)
        await asyncio.sleep(0.1)
        waiting = "hash-3" not in started
        release.set()
        return database, waiting, await asyncio.gather(*held, third)

    try:
        database, third_waited, hashed = asyncio.run(scenario())
    finally:
        release.set()
    assert database == "db ran"
    assert third_waited, "a third hash started while both hashing threads were busy"
    assert hashed == ["hash-1", "hash-2", "hash-3"]
