"""Where blocking work runs: bounded thread pools of their own, never the event loop.

A database call can wait seconds for SQLite's write lock (or a PostgreSQL round trip), argon2
takes tens of milliseconds of CPU, an SMTP server may take seconds to answer and a data export
minutes. Each kind gets its own pool, so one kind filling its pool (six exports at once, a slow
mail server) never makes another wait: a login's database step and hash still run.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# Database transactions are short; a few more threads than connections SQLite can use at once.
DATABASE = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fakturowo-db")
# argon2id at 19 MiB each: two at a time keep memory bounded and both cores busy.
HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fakturowo-hash")
MAIL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fakturowo-mail")
# Exports: see services/export.py for the per-user rule and the global cap that fill this pool.
EXPORT_THREADS = 2
EXPORTS = ThreadPoolExecutor(max_workers=EXPORT_THREADS, thread_name_prefix="fakturowo-export")


async def run_in(pool: ThreadPoolExecutor, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run fn(*args, **kwargs) in `pool` and await its result (context variables carried over)."""
    loop = asyncio.get_running_loop()
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await loop.run_in_executor(pool, call)


async def db(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a synchronous database step (it opens and owns its transaction) off the event loop."""
    return await run_in(DATABASE, fn, *args, **kwargs)
