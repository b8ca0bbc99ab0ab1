"""Debian's Chromium driven over the DevTools protocol (CDP), for bench/latency.py.

No Playwright (it is a test-only dependency): Chromium is started headless with
--remote-debugging-port=0, and bench/_ws.py speaks CDP to its browser endpoint. Only what the
benchmark needs: browser contexts (each with its own cookies), a page per context, navigation,
init scripts and Runtime.evaluate of async functions (the measuring happens inside the page).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from _servers import CHROMIUM, CHROMIUM_ARGS
from _ws import ConnectionClosed, WebSocket


class CDPError(RuntimeError):
    pass


class Browser:
    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.ws: WebSocket | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._reader: asyncio.Task | None = None
        self._profile = tempfile.TemporaryDirectory(prefix="bench-chromium-")

    async def start(self, timeout: float = 60) -> Browser:
        if not Path(CHROMIUM).exists():
            raise RuntimeError(f"{CHROMIUM} is missing: `make chromium` installs Debian's Chromium")
        profile = Path(self._profile.name)
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                *CHROMIUM_ARGS,
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError, ValueError):
                lines = port_file.read_text().split()
                if len(lines) >= 2:
                    port, path = int(lines[0]), lines[1]
                    break
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port")
            await asyncio.sleep(0.05)
        self.ws = await WebSocket.connect(f"ws://127.0.0.1:{port}{path}")
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            while True:
                message = json.loads(await self.ws.recv())
                future = self._pending.pop(message.get("id", -1), None)
                if future is not None and not future.done():
                    future.set_result(message)
        except ConnectionClosed as error:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(CDPError(f"Chromium went away: {error}"))

    async def call(
        self, method: str, params: dict | None = None, *, session: str | None = None, timeout: float = 60
    ) -> dict:
        assert self.ws is not None
        call_id = next(self._ids)
        message = {"id": call_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        future = asyncio.get_running_loop().create_future()
        self._pending[call_id] = future
        await self.ws.send_text(json.dumps(message))
        try:
            answer = await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(call_id, None)
        if "error" in answer:
            raise CDPError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    async def new_page(self, cookies: list[dict] | None = None, init_script: str | None = None) -> Page:
        """A page in a fresh browser context (own cookies and storage)."""
        context = (await self.call("Target.createBrowserContext"))["browserContextId"]
        if cookies:
            await self.call("Storage.setCookies", {"cookies": cookies, "browserContextId": context})
        target = (
            await self.call("Target.createTarget", {"url": "about:blank", "browserContextId": context})
        )["targetId"]
        session = (await self.call("Target.attachToTarget", {"targetId": target, "flatten": True}))[
            "sessionId"
        ]
        page = Page(self, session, target)
        await page.call("Page.enable")
        await page.call("Runtime.enable")
        if init_script:
            await page.call("Page.addScriptToEvaluateOnNewDocument", {"source": init_script})
        return page

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.ws is not None:
            await self.ws.close()
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        with contextlib.suppress(OSError):
            self._profile.cleanup()


class Page:
    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.browser = browser
        self.session = session
        self.target = target

    async def call(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        return await self.browser.call(method, params, session=self.session, timeout=timeout)

    async def goto(self, url: str) -> None:
        answer = await self.call("Page.navigate", {"url": url})
        if answer.get("errorText"):
            raise CDPError(f"navigation to {url} failed: {answer['errorText']}")

    async def evaluate(self, expression: str, timeout: float = 120):
        """The value of a JavaScript expression (a promise is awaited), returned by value."""
        answer = await self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise CDPError(f"the page threw: {text}")
        return answer["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 60, what: str = "") -> None:
        """Poll a JavaScript condition (page set-up only; measurements never poll)."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(CDPError):
                if await self.evaluate(expression, timeout=10):
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page did not get ready in {timeout:.0f} s: {what or expression}")
            await asyncio.sleep(0.1)

    async def bring_to_front(self) -> None:
        await self.call("Page.bringToFront")
