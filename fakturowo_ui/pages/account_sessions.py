"""The /konto region "Aktywne sesje" (CONTRACT.md region 7) and the page /konto/historia."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import action_button, page, region, state_message, when_loaded
from fakturowo_ui.i18n import t
from fakturowo_ui.state.sessions import HistoryState, SessionsState


def _session(row) -> rx.Component:
    return rx.el.li(
        rx.el.p(
            rx.el.strong(row["browser"]),
            rx.cond(
                row["this"] != "", rx.el.span(" · ", t("sessions.this_device"), class_name="this-device")
            ),
        ),
        rx.el.p(
            row["started"],
            " · ",
            row["seen"],
            rx.cond(row["ip"] != "", rx.el.span(" · ", row["ip"])),
            class_name="hint",
        ),
        rx.cond(
            row["this"] == "",
            rx.el.button(
                t("sessions.end"),
                type="button",
                on_click=SessionsState.end_one(row["id"]),
                aria_label=t("sessions.end") + " – " + row["browser"],
                class_name="button button-secondary",
            ),
        ),
        class_name="session",
    )


def sessions_region() -> rx.Component:
    """The live sessions, ending one or all the others, and the way to the history."""
    return region(
        t("sessions.heading"),
        "aktywne-sesje",
        rx.el.ul(rx.foreach(SessionsState.rows, _session), class_name="sessions"),
        rx.cond(
            SessionsState.others > 0,
            action_button(t("sessions.end_others"), SessionsState.end_others, secondary=True),
        ),
        state_message(SessionsState),
        rx.el.p(rx.el.a(t("sessions.history_link"), href=routes.here(routes.SECURITY_HISTORY))),
    )


def _event(row) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.strong(row["what"])),
        rx.el.p(row["when"], " · ", row["browser"], " · ", row["ip"], class_name="hint"),
        class_name="event",
    )


def history_page() -> rx.Component:
    """/konto/historia: the account's security events of the last 90 days, newest first."""
    return page(
        when_loaded(
            HistoryState.loaded,
            rx.el.section(
                rx.el.p(t("history.lead")),
                rx.cond(
                    HistoryState.has_rows,
                    rx.el.ul(rx.foreach(HistoryState.rows, _event), class_name="events"),
                    rx.el.p(t("history.empty"), class_name="hint"),
                ),
                rx.el.p(rx.el.a(t("history.back"), href=routes.here(routes.ACCOUNT))),
                class_name="card",
            ),
        ),
        state_message(HistoryState),
        title=t("history.title"),
        private=True,
    )
