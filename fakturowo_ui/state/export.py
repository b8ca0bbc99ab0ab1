"""The "Pobierz kopię danych" button of /konto: the ZIP is built in the background with progress
shown, then downloaded by itself through the session-checked endpoint /pliki/eksport/<token>."""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.i18n import t, tn
from fakturowo_ui.services import export
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.state.auth import (
    UserBoundState,
    login_redirect,
    require_user,
)

log = logging.getLogger("fakturowo.state")

POLL_SECONDS = 0.4


class ExportState(UserBoundState):
    """One export at a time per tab; the file lives until it is downloaded."""

    busy: bool = False
    queued: bool = False
    done: int = 0
    total: int = 0
    message: str = ""
    message_is_error: bool = False
    download_url: str = ""

    # Cached: made again when busy, queued, done or total change (in the language of that event's
    # page); an uncached var would be recomputed, and loaded from Redis, at every event of the tab.
    @rx.var
    def progress_text(self) -> str:
        if not self.busy:
            return ""
        if self.queued:
            return t("export.queued")
        if self.total == 0:
            return t("export.starting")
        return tn("export.progress", self.total, done=self.done, total=self.total)

    @rx.event(background=True)
    async def start(self):
        """Build the ZIP in a worker thread, reporting progress, then start the download."""
        async with self:
            if self.busy:
                return
            user = await require_user(self)
            if user is None:
                yield login_redirect(self)
                return
            self.busy, self.queued, self.done, self.total = True, True, 0, 0
            self.message, self.message_is_error, self.download_url = "", False, ""
        progress = export.Progress()
        # Built in the exports' own pool, one per user across tabs and workers (services/export).
        task = asyncio.ensure_future(export.run(user.user_id, progress))
        while not task.done():
            await asyncio.sleep(POLL_SECONDS)
            async with self:
                self.queued, self.done, self.total = progress.queued, progress.done, progress.total
        try:
            token = task.result()
        except DomainError as refused:
            async with self:
                self.busy = self.queued = False
                self.message, self.message_is_error = refused.message(), True
            return
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("export failed")
            async with self:
                self.busy = False
                self.message, self.message_is_error = t("export.failed"), True
            return
        url = routes.export_download(token)
        async with self:
            self.busy = self.queued = False
            self.done = self.total = progress.total
            self.download_url = url
            self.message, self.message_is_error = t("export.ready"), False
        yield rx.download(url=url)
