"""Pages whose behaviour is built in a later issue: they say so instead of pretending to work."""

import reflex as rx

from fakturowo_ui.components.layout import loading, page
from fakturowo_ui.i18n import t
from fakturowo_ui.state.pages import PrivatePageState


def private_placeholder(title: str):
    """A private page (login required) that says it is not ready yet."""

    def render() -> rx.Component:
        return page(
            rx.cond(
                PrivatePageState.allowed,
                rx.el.p(t("soon.body"), role="status", class_name="note"),
                loading(),
            ),
            title=title,
            private=True,
        )

    render.__name__ = f"placeholder_{abs(hash(title))}"
    return render


def public_placeholder(title: str):
    """A public page that says it is not ready yet."""

    def render() -> rx.Component:
        return page(rx.el.p(t("soon.body"), role="status", class_name="note"), title=title)

    render.__name__ = f"public_placeholder_{abs(hash(title))}"
    return render
