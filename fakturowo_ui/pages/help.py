"""/pomoc/jak-usunac-konto-uzytkownika: the seed's help article, adapted to the real flow."""

import reflex as rx

from fakturowo_ui.components.layout import page
from fakturowo_ui.i18n import Count, t
from fakturowo_ui.settings import get_settings
from fakturowo_ui.state.account import deletion_link_window


def help_delete_account() -> rx.Component:
    """The help article: how to delete an account and what happens then."""
    settings = get_settings()
    within = deletion_link_window(settings.deletion_link_ttl_seconds)
    trial_days = Count("count.days", settings.trial_days)
    free_documents = Count("count.documents_genitive", settings.free_documents_per_month)
    paragraphs = [
        t("help.delete.how"),
        t("help.delete.link", within=within),
        t("help.delete.opening"),
        t("help.delete.keep"),
        t("help.delete.free", trial_days=trial_days, free_documents=free_documents),
    ]
    return page(
        rx.el.article(*[rx.el.p(text) for text in paragraphs], class_name="card article"),
        title=t("help.title"),
    )
