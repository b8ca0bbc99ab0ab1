"""/wypisz/?token=…: the unsubscribe link opened in a browser; "Wypisz mnie" withdraws the consent.

A POST of the same URL (the one-click unsubscribe of RFC 8058) is answered by api.py.
"""

import reflex as rx

from fakturowo_ui.components.layout import link_action, page
from fakturowo_ui.i18n import t
from fakturowo_ui.state.unsubscribe import UnsubscribeState


def unsubscribe_page() -> rx.Component:
    """Opening the link changes nothing; the button does."""
    s = UnsubscribeState
    return page(
        link_action(s, s.can_withdraw, t("unsubscribe.submit"), s.withdraw),
        title=t("unsubscribe.title"),
    )
