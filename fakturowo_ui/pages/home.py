"""The start page /: what the service is, with links to register and log in."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import page
from fakturowo_ui.i18n import Count, t
from fakturowo_ui.settings import get_settings


def home() -> rx.Component:
    """The start page."""
    settings = get_settings()
    return page(
        rx.el.p(
            t(
                "home.lead",
                trial_days=Count("count.days", settings.trial_days),
                free_documents=Count("count.documents", settings.free_documents_per_month),
            ),
            class_name="lead",
        ),
        rx.el.div(
            rx.el.a(t("home.register"), href=routes.here(routes.REGISTER), class_name="button"),
            rx.el.a(t("home.login"), href=routes.here(routes.LOGIN), class_name="button button-secondary"),
            class_name="actions",
        ),
        title=t("home.title"),
    )
