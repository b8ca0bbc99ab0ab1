"""/wypisz/?token=…: the unsubscribe link opened in a browser; "Wypisz mnie" withdraws the consent.

A POST of the same URL (the one-click unsubscribe of RFC 8058) is answered by api.py.
"""

import reflex as rx

from fakturowo_ui.components.layout import loading, message, page
from fakturowo_ui.i18n import t
from fakturowo_ui.state.unsubscribe import UnsubscribeState


def unsubscribe_page() -> rx.Component:
    """Opening the link changes nothing; the button does."""
    return page(
        rx.cond(UnsubscribeState.checked, rx.fragment(), loading()),
        message(UnsubscribeState.message, alert=UnsubscribeState.message_is_error),
        rx.cond(
            UnsubscribeState.can_withdraw,
            rx.el.div(
                rx.el.p(UnsubscribeState.lead),
                rx.el.button(
                    t("unsubscribe.submit"),
                    type="button",
                    on_click=UnsubscribeState.withdraw,
                    class_name="button",
                ),
            ),
        ),
        title=t("unsubscribe.title"),
    )
