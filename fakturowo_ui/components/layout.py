"""Reusable page pieces: the page shell with navigation, landmark regions, messages, checkboxes and
buttons (the labelled text fields are components/forms.field).

Plain HTML elements, styled by assets/styles.css: every input has a <label for>, every region is a
<section aria-labelledby> named by its heading, every outcome message has role status or alert.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.i18n import current_language, t
from fakturowo_ui.settings import get_settings
from fakturowo_ui.state.auth import LogoutState
from fakturowo_ui.state.language import LanguageState

# The page being compiled (its address without the language prefix): the menu marks its link
# with aria-current="page". Set by fakturowo_ui.py around each page function.
_compiling: contextvars.ContextVar[str] = contextvars.ContextVar("fakturowo_compiling_page", default="")


@contextlib.contextmanager
def compiling_page(route: str) -> Iterator[None]:
    """Compile a page function as the page at `route` (the menu marks it as the current one)."""
    reset = _compiling.set(route)
    try:
        yield
    finally:
        _compiling.reset(reset)


def _nav_link(label: str, href: str) -> rx.Component:
    current = _compiling.get()
    here = current == href or (href == routes.HELP and current in routes.HELP_PAGES)
    props: dict[str, Any] = {"aria_current": "page"} if here else {}
    return rx.el.li(rx.el.a(label, href=routes.here(href), class_name="nav-link", **props))


def navbar(private: bool | rx.Var) -> rx.Component:
    """The top bar: the app's sections for a logged-in user, login and registration otherwise;
    for a public page that may be visited either way, `private` is a state var deciding it."""
    if isinstance(private, rx.Var):
        nav = rx.cond(private, _nav_list(True), _nav_list(False))
    else:
        nav = _nav_list(private)
    return rx.el.header(
        rx.el.a(t("app.name"), href=routes.here(routes.HOME), class_name="brand"),
        rx.el.nav(nav, aria_label=t("nav.main")),
        class_name="topbar",
    )


def _nav_list(private: bool) -> rx.Component:
    if private:
        links = [
            _nav_link(t("nav.issue"), routes.ISSUE_INVOICE),
            _nav_link(t("nav.documents"), routes.DOCUMENTS),
            _nav_link(t("nav.clients"), routes.CLIENTS),
            _nav_link(t("nav.products"), routes.PRODUCTS),
            _nav_link(t("nav.account"), routes.ACCOUNT),
            _nav_link(t("nav.settings"), routes.SELLER_SETTINGS),
            _nav_link(t("nav.help"), routes.HELP),
            rx.el.li(
                rx.el.button(
                    t("nav.logout"),
                    type="button",
                    on_click=LogoutState.logout,
                    class_name="nav-button",
                )
            ),
        ]
    else:
        links = [
            _nav_link(t("nav.help"), routes.HELP),
            _nav_link(t("nav.login"), routes.LOGIN),
            _nav_link(t("nav.register"), routes.REGISTER),
        ]
    return rx.el.ul(*links, class_name="nav-list")


def language_switch() -> rx.Component:
    """The footer's control that shows the page in the other language ("English" / "Polski")."""
    other = "pl" if current_language() == "en" else "en"
    return rx.el.button(
        t("language.switch"),
        type="button",
        lang=other,
        on_click=LanguageState.switch(other),
        class_name="link-button",
    )


MAIN_ID = "tresc"


def page(*children: rx.Component, title: str, private: bool | rx.Var = False) -> rx.Component:
    """A whole page, in the language it is compiled in: a link that skips to the content,
    navigation, a main landmark with the page's <h1>, a footer with the contact and the
    language switch."""
    return rx.el.div(
        # The hash alone does not move the focus in the React app: the click does (in the browser,
        # no event reaches the server), the href stays for what a link should be.
        rx.el.a(
            t("nav.skip_to_content"),
            href=f"#{MAIN_ID}",
            on_click=rx.call_script(f"document.getElementById('{MAIN_ID}').focus()"),
            class_name="skip-link",
        ),
        navbar(private),
        rx.el.main(rx.el.h1(title), *children, id=MAIN_ID, tab_index=-1, class_name="content"),
        rx.el.footer(*_footer_lines(), class_name="footer"),
        lang=current_language(),
    )


def _footer_lines() -> list[rx.Component]:
    lines: list[rx.Component] = [rx.el.p("© Fakturowo")]
    support = get_settings().support_email
    if support:
        lines.append(rx.el.p(t("footer.contact"), " ", rx.el.a(support, href=f"mailto:{support}")))
    lines.append(rx.el.p(language_switch()))
    return lines


def region(heading: rx.Var | str, region_id: str, *children: rx.Component) -> rx.Component:
    """A landmark region named by its heading (get_by_role("region", name=heading) finds it)."""
    heading_id = f"{region_id}-heading"
    return rx.el.section(
        rx.el.h2(heading, id=heading_id),
        *children,
        aria_labelledby=heading_id,
        id=region_id,
        class_name="card",
    )


def message(
    text: rx.Var | str,
    *,
    alert: rx.Var | bool = False,
    key: rx.Var | int | None = None,
    info: rx.Var | bool = False,
) -> rx.Component:
    """An outcome message, announced to screen readers; shown only when there is text.

    The live region (aria-live) is on the page before the message fills it, so a screen reader
    announces the message when it appears (issue 13); the message itself carries role status or
    alert. `key` changing re-creates the element, so the same text said again is announced again.
    """
    if isinstance(alert, bool):
        role = "alert" if alert else "status"
        kind = "message message-error" if alert else "message message-ok"
        live = "assertive" if alert else "polite"
    else:
        role = rx.cond(alert, "alert", "status")
        kind = rx.cond(alert, "message message-error", "message message-ok")
        live = rx.cond(alert, "assertive", "polite")
    if not isinstance(info, bool) or info:
        # A notice that is neither a success nor an error ("Zaloguj się, aby zobaczyć tę stronę.").
        kind = rx.cond(info, "message message-info", kind)
    props: dict[str, Any] = {"key": key} if key is not None else {}
    return rx.el.div(
        rx.cond(
            text != "",
            rx.el.p(
                text,
                role=role,
                class_name=kind,
                tab_index=-1,
                **props,
            ),
        ),
        aria_live=live,
        class_name="live-region",
    )


def state_message(state: Any) -> rx.Component:
    """`message` of a state's `message` and `message_is_error`; a PageMessage's `message_serial`
    (renewed at every saying) re-creates the element, so a repeated answer is seen and heard."""
    serial = state.message_serial if "message_serial" in state.base_vars else None
    return message(state.message, alert=state.message_is_error, key=serial)


def help_link(title_key: str, href: str) -> rx.Component:
    """The link from a region of /konto to its help article ("Pomoc: <the article's title>")."""
    return rx.el.p(
        rx.el.a(t("account.help_link", title=t(title_key)), href=routes.here(href)), class_name="hint"
    )


def note(text: str, link_text: str, href: str, *, class_name: str = "note") -> rx.Component:
    """A sentence followed by a link to where the user can act on it."""
    return rx.el.p(text, " ", rx.el.a(link_text, href=href), class_name=class_name)


def checkbox(
    label: rx.Var | str,
    name: str,
    *,
    checked: rx.Var | bool | None = None,
    on_change=None,
    form_id: str = "",
    default_checked: rx.Var | bool | None = None,
) -> rx.Component:
    """A checkbox with its label; controlled when `checked` is given, else starting as
    `default_checked` and read from the form when it is submitted (no event per click)."""
    input_id = f"{form_id}{name}"
    props = {}
    if checked is not None:
        props["checked"] = checked
    if default_checked is not None:
        props["default_checked"] = default_checked
    if on_change is not None:
        props["on_change"] = on_change
    return rx.el.div(
        rx.el.input(type="checkbox", id=input_id, name=name, **props),
        rx.el.label(label, html_for=input_id),
        class_name="checkbox",
    )


def submit_button(
    label: str, busy: rx.Var | bool | None = None, *, class_name: str = "button", **props
) -> rx.Component:
    """A submit button that shows it is working and cannot be pressed twice meanwhile."""
    if busy is None:
        return rx.el.button(label, type="submit", class_name=class_name, **props)
    return rx.el.button(
        rx.cond(busy, t("common.working"), label),
        type="submit",
        disabled=busy,
        aria_busy=rx.cond(busy, "true", "false"),
        aria_label=label,
        class_name=class_name,
        **props,
    )


def action_button(
    label: rx.Var | str, on_click: Any, *, secondary: bool = False, danger: bool = False, **props: Any
) -> rx.Component:
    """A button that acts on the page (not a submit): plain, secondary or dangerous."""
    kind = "button button-danger" if danger else "button button-secondary" if secondary else "button"
    return rx.el.button(label, type="button", on_click=on_click, class_name=kind, **props)


def loading() -> rx.Component:
    """What a private page shows until its data is loaded for the current session."""
    return rx.el.p(t("common.loading"), role="status", class_name="loading")


def link_action(state, can_act: rx.Var | bool, label: str, on_click: Any) -> rx.Component:
    """A page an e-mailed link opens: loading() until `state` has looked at the link (`checked`),
    its outcome `message`, and while the link can act, what it does (`lead`) with the one button
    that does it. Opening the page changes nothing; the button does."""
    return rx.fragment(
        rx.cond(state.checked, rx.fragment(), loading()),
        message(state.message, alert=state.message_is_error),
        rx.cond(can_act, rx.el.div(rx.el.p(state.lead), action_button(label, on_click))),
    )


def when_loaded(loaded: rx.Var | bool, *children: rx.Component) -> rx.Component:
    """A private page's content once `loaded` (its data for the current session), loading() until."""
    return rx.cond(loaded, rx.fragment(*children), loading())
