"""The help: an index (/pomoc) and an article per feature of the account page, each linked from
its region (CONTRACT.md, "Routes"). Public pages; a logged-in visitor sees the logged-in menu."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import page
from fakturowo_ui.i18n import N_, Count, t
from fakturowo_ui.settings import get_settings
from fakturowo_ui.state.account import deletion_link_window
from fakturowo_ui.state.pages import NavState
from fakturowo_ui.state.password import how_often

# Each article: its address, the catalogue key of its title and of its one-line summary.
ARTICLES = (
    (routes.HELP_PERIODIC_CHANGE, N_("help.periodic.title"), N_("help.periodic.summary")),
    (routes.HELP_CONSENTS, N_("help.consents.title"), N_("help.consents.summary")),
    (routes.HELP_DATA_EXPORT, N_("help.export.title"), N_("help.export.summary")),
    (routes.HELP_TWO_STEP, N_("help.two_step.title"), N_("help.two_step.summary")),
    (routes.HELP_DELETE_ACCOUNT, N_("help.title"), N_("help.delete.summary")),
)


def _article(*paragraphs: str) -> rx.Component:
    return rx.el.article(
        *[rx.el.p(text) for text in paragraphs],
        rx.el.p(rx.el.a(t("help.back_to_index"), href=routes.here(routes.HELP))),
        class_name="card article",
    )


def help_page(*children: rx.Component, title: str) -> rx.Component:
    """A help page: the logged-in menu for a logged-in visitor, the public one otherwise."""
    return page(*children, title=title, private=NavState.logged_in)


def help_index() -> rx.Component:
    """/pomoc: the list of articles."""
    items = [
        rx.el.li(rx.el.a(t(title_key), href=routes.here(path)), rx.el.p(t(summary_key), class_name="hint"))
        for path, title_key, summary_key in ARTICLES
    ]
    return help_page(
        rx.el.section(
            rx.el.p(t("help.index.lead")),
            rx.el.ul(*items, class_name="help-list"),
            class_name="card article",
        ),
        title=t("help.index.title"),
    )


def help_periodic_change() -> rx.Component:
    """The periodic password change: what it does and when."""
    interval = get_settings().password_change_interval_days
    return help_page(
        _article(
            t("help.periodic.what", how_often=how_often(interval)),
            t("help.periodic.notice"),
            t("help.periodic.when"),
            t("help.periodic.advice"),
        ),
        title=t("help.periodic.title"),
    )


def help_consents() -> rx.Component:
    """The two e-mail consents and what is sent without them."""
    return help_page(
        _article(
            t("help.consents.two"),
            t("help.consents.unsubscribe"),
            t("help.consents.always"),
        ),
        title=t("help.consents.title"),
    )


def help_data_export() -> rx.Component:
    """The copy of the account's data."""
    return help_page(
        _article(
            t("help.export.what"),
            t("help.export.how"),
            t("help.export.before_deleting"),
        ),
        title=t("help.export.title"),
    )


def help_two_step() -> rx.Component:
    """Two-step login: the two methods, the recovery codes, turning it off."""
    return help_page(
        _article(
            t("help.two_step.what"),
            t("help.two_step.app"),
            t("help.two_step.email"),
            t("help.two_step.recovery"),
            t("help.two_step.off"),
        ),
        title=t("help.two_step.title"),
    )


def help_delete_account() -> rx.Component:
    """The seed's help article: how to delete an account and what happens then."""
    settings = get_settings()
    within = deletion_link_window(settings.deletion_link_ttl_seconds)
    trial_days = Count("count.days", settings.trial_days)
    free_documents = Count("count.documents_genitive", settings.free_documents_per_month)
    return help_page(
        _article(
            t("help.delete.how"),
            t("help.delete.link", within=within),
            t("help.delete.opening"),
            t("help.delete.keep"),
            t("help.delete.free", trial_days=trial_days, free_documents=free_documents),
        ),
        title=t("help.title"),
    )


def not_found() -> rx.Component:
    """The page of an address that does not exist, with the menu and a way on."""
    return help_page(
        rx.el.section(
            rx.el.p(t("not_found.lead")),
            rx.el.p(
                rx.el.a(t("not_found.home"), href=routes.here(routes.HOME)),
                " · ",
                rx.el.a(t("help.index.title"), href=routes.here(routes.HELP)),
            ),
            class_name="card article",
        ),
        title=t("not_found.title"),
    )
