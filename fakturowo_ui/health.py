"""GET /healthz: whether this worker's database and Redis answer, for load balancers and probes.

The answer is `{"database": "ok"|"error", "redis": "ok"|"error"|"not configured"}`, 200 when
everything configured answers and 503 otherwise; it never names a host, a URL or an error text.
Both checks run at once and each gives up after CHECK_TIMEOUT_S, so the answer comes within about
two seconds even when a server hangs. The database check uses the app's own engine in Starlette's
thread pool (never on the event loop); while one check is still running (a hung connect), later
requests wait for that same check instead of piling up threads behind it.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from fakturowo_ui import db
from fakturowo_ui.settings import get_settings

log = logging.getLogger("fakturowo.health")

CHECK_TIMEOUT_S = 2.0
OK, ERROR, NOT_CONFIGURED = "ok", "error", "not configured"

# The database check in flight, with the event loop it belongs to.
_database_check: tuple[asyncio.AbstractEventLoop, asyncio.Future] | None = None


def _ping_database() -> None:
    with db.get_engine().connect() as connection:
        connection.exec_driver_sql("SELECT 1")


def _database_future() -> asyncio.Future:
    global _database_check
    loop = asyncio.get_running_loop()
    if _database_check is not None:
        check_loop, future = _database_check
        if check_loop is loop and not future.done():
            return future
    future = asyncio.ensure_future(run_in_threadpool(_ping_database))
    # A check nobody awaits any more (it outlived its timeout) must not log "never retrieved".
    future.add_done_callback(lambda done: done.cancelled() or done.exception())
    _database_check = (loop, future)
    return future


async def check_database() -> str:
    try:
        await asyncio.wait_for(asyncio.shield(_database_future()), CHECK_TIMEOUT_S)
    except TimeoutError:
        log.warning("health: the database did not answer within %s s", CHECK_TIMEOUT_S)
        return ERROR
    except Exception as error:  # noqa: BLE001 - any failure is "error"; its text may name the host
        log.warning("health: the database check failed (%s)", type(error).__name__)
        return ERROR
    return OK


async def check_redis() -> str:
    url = get_settings().redis_url
    if url is None:
        return NOT_CONFIGURED
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_S, socket_timeout=CHECK_TIMEOUT_S)
    try:
        await asyncio.wait_for(client.ping(), CHECK_TIMEOUT_S)  # pyright: ignore[reportArgumentType] - redis.asyncio's ping is awaitable
    except TimeoutError:
        log.warning("health: Redis did not answer within %s s", CHECK_TIMEOUT_S)
        return ERROR
    except Exception as error:  # noqa: BLE001
        log.warning("health: the Redis check failed (%s)", type(error).__name__)
        return ERROR
    finally:
        try:
            await client.aclose()
        except Exception:  # noqa: BLE001, S110 - closing a dead connection may fail; nothing to do
            pass
    return OK


async def healthz(request: Request) -> JSONResponse:
    """GET /healthz: 200 when the database and (if configured) Redis answer, else 503."""
    database, redis_state = await asyncio.gather(check_database(), check_redis())
    healthy = database == OK and redis_state in (OK, NOT_CONFIGURED)
    return JSONResponse(
        {"database": database, "redis": redis_state},
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )
