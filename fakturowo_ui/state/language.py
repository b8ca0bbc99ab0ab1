"""The language of a page and of its events, the footer's switch, and the choice remembered.

Every page exists twice, compiled from the same page function: in Polish at its address and in
English under /en/ (routes.in_language; fakturowo_ui.py registers both). So the language of a
page is in its address, and so is the language of each event a tab sends: `PageLanguage` sets it
(i18n.set_language) before any handler runs, and every t() of that event answers in it.

The choice is remembered in the cookie `fakturowo_lang` (a visitor's) and on the account (a
logged-in user's; login copies it into the cookie, see api.py), so that a later visit, and every
e-mail to that user, is in that language. A first-time visitor gets Polish unless the browser
prefers English (Accept-Language).
"""

from __future__ import annotations

import reflex as rx
from reflex.middleware.middleware import Middleware

from fakturowo_ui import routes
from fakturowo_ui.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGE_COOKIE_MAX_AGE,
    LANGUAGES,
    preferred_language,
    set_language,
    supported,
)
from fakturowo_ui.services import userdata
from fakturowo_ui.state import router
from fakturowo_ui.state.auth import session_token
from fakturowo_ui.state.events import act


def _page_address(state: rx.State) -> str:
    """The tab's page address (path and query), only ever a path of this site."""
    url = router.url(state)
    path = url.path or routes.HOME
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        path = routes.HOME  # never a protocol-relative or foreign address to redirect to
    return f"{path}?{url.query}" if url.query else path


class PageLanguage(Middleware):
    """Before each event: the language of the tab's page is the language of the event."""

    async def preprocess(self, app, state: rx.State, event):  # noqa: ANN001 - Reflex's signature
        set_language(routes.language_of(router.url(state).path or routes.HOME))
        return None


class LanguageState(rx.State):
    """The footer's "English" / "Polski" control, and the redirect to the remembered language."""

    chosen: str = rx.Cookie(
        "", name=LANGUAGE_COOKIE, path="/", max_age=LANGUAGE_COOKIE_MAX_AGE, same_site="lax"
    )

    @rx.event
    async def switch(self, lang: str):
        """Show this page in `lang` and remember the choice (on the account when logged in)."""
        if lang not in LANGUAGES:
            return None
        self.chosen = lang
        if session_token(self):
            # A visitor without a live session has no account to save it on: the cookie is enough.
            await act(self, userdata.save_language_for, lang, write=True, what="saving the language")
        return rx.redirect(routes.in_language(_page_address(self), lang))

    @rx.event
    def on_load(self):
        """The first step of every page's load: go to the remembered or preferred language."""
        address = _page_address(self)
        shown = routes.language_of(address)
        if self.chosen:
            wanted = supported(self.chosen)
        elif shown == "pl":
            wanted = preferred_language(router.headers(self).accept_language)
        else:
            wanted = shown  # an English address opened on purpose stays English
        if wanted != shown:
            return rx.redirect(routes.in_language(address, wanted))
        return None
