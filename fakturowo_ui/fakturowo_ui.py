"""The Reflex app and its pages; nothing else lives here."""

import functools
from collections.abc import Callable

import reflex as rx

from fakturowo_ui import routes, state_store
from fakturowo_ui.api import api, security_headers
from fakturowo_ui.components.layout import compiling_page
from fakturowo_ui.files import restrict_new_files
from fakturowo_ui.i18n import LANGUAGES, t, use_language
from fakturowo_ui.logging_setup import configure_logging
from fakturowo_ui.pages.account import account
from fakturowo_ui.pages.account_sessions import history_page
from fakturowo_ui.pages.catalog import clients_page, products_page
from fakturowo_ui.pages.confirm import confirm_email
from fakturowo_ui.pages.confirm_new_email import confirm_new_email
from fakturowo_ui.pages.deletion import confirm_deletion
from fakturowo_ui.pages.documents import documents_page
from fakturowo_ui.pages.feedback import feedback_page
from fakturowo_ui.pages.help import (
    help_consents,
    help_data_export,
    help_delete_account,
    help_index,
    help_periodic_change,
    help_two_step,
    not_found,
)
from fakturowo_ui.pages.home import home
from fakturowo_ui.pages.issue import issue_page
from fakturowo_ui.pages.login import login
from fakturowo_ui.pages.password_change import password_change
from fakturowo_ui.pages.password_reset import password_reset
from fakturowo_ui.pages.register import register
from fakturowo_ui.pages.second_step import second_step
from fakturowo_ui.pages.seller import settings_page
from fakturowo_ui.pages.unsubscribe import unsubscribe_page
from fakturowo_ui.scheduler import daily_work_loop
from fakturowo_ui.state.account import AccountState
from fakturowo_ui.state.auth import ForgetEndedSessions
from fakturowo_ui.state.catalog import ClientsState, ProductsState
from fakturowo_ui.state.confirm import ConfirmState
from fakturowo_ui.state.confirm_new_email import ConfirmNewEmailState
from fakturowo_ui.state.deletion import DeletionConfirmState
from fakturowo_ui.state.documents import DocumentsState
from fakturowo_ui.state.feedback import FeedbackState
from fakturowo_ui.state.issue import IssueState
from fakturowo_ui.state.language import LanguageState, PageLanguage
from fakturowo_ui.state.login import LoginState
from fakturowo_ui.state.pages import HomeState, NavState
from fakturowo_ui.state.password import PasswordChangeState, PeriodicChangeState
from fakturowo_ui.state.password_reset import PasswordResetState
from fakturowo_ui.state.register import RegisterState
from fakturowo_ui.state.seller import SellerState
from fakturowo_ui.state.sessions import HistoryState, SessionsState
from fakturowo_ui.state.two_step import SecondStepState, TwoStepState
from fakturowo_ui.state.unsubscribe import UnsubscribeState

# Issue 14: every backend worker imports this module, so this is where each one starts making
# files private to its user (the umask) and cleaning its log records (no headers, cookies,
# passwords or event payloads; see logging_setup.py for where Reflex prints them).
restrict_new_files()
configure_logging()
state_store.install()  # no session cookie in what Redis keeps of a tab (see state_store.py)

app = rx.App(
    stylesheets=["/styles.css"],
    head_components=[
        rx.el.meta(name="referrer", content="no-referrer"),
        rx.el.meta(name="viewport", content="width=device-width, initial-scale=1"),
        # After a form is sent, the focus goes to its outcome (assets/focus.js, issue 13).
        rx.el.script(src="/focus.js", defer=True),
        # One region's "Zapisano…" goes when another region acts (assets/messages.js, issue 13).
        rx.el.script(src="/messages.js", defer=True),
    ],
    html_lang="pl",
    api_transformer=[api, security_headers],
)
# Before a tab's full state is sent, drop the user data of a session that has ended (issue 14).
app.add_middleware(ForgetEndedSessions(), index=0)
# Before anything else: the language of each event is the language of its page's address.
app.add_middleware(PageLanguage(), index=0)

# Every page with its title and the steps of its load. Each is registered twice from the same page
# function: in Polish at its address and in English under /en/ (routes.in_language), compiled with
# t() answering in that language, so a page's words are static in its compiled React, not state
# the backend sends (see state/language.py and the README's "Languages").
PAGES: list[tuple[str, Callable[[], rx.Component], str, list]] = [
    (routes.HOME, home, "home.title", [HomeState.on_load]),
    (routes.REGISTER, register, "register.title", [RegisterState.on_load]),
    (routes.LOGIN, login, "login.title", [LoginState.on_load]),
    (routes.CONFIRM_EMAIL, confirm_email, "confirm.title", [ConfirmState.on_load]),
    (
        routes.ACCOUNT,
        account,
        "account.title",
        [AccountState.on_load, PeriodicChangeState.on_load, TwoStepState.on_load, SessionsState.on_load],
    ),
    (routes.SECURITY_HISTORY, history_page, "history.title", [HistoryState.on_load]),
    # Account security (issue 12): the second step of a login with two-step login on.
    (routes.LOGIN_SECOND_STEP, second_step, "login.second_step.title", [SecondStepState.on_load]),
    (routes.CONFIRM_DELETION, confirm_deletion, "deletion.confirm.title", [DeletionConfirmState.on_load]),
    # Account security (issue 12): the page the link to a new account address opens.
    (
        routes.CONFIRM_NEW_EMAIL,
        confirm_new_email,
        "email_change.confirm.title",
        [ConfirmNewEmailState.on_load],
    ),
    # The help (issue 13): public pages whose menu follows whether the visitor is logged in.
    (routes.HELP, help_index, "help.index.title", [NavState.on_load]),
    (routes.HELP_PERIODIC_CHANGE, help_periodic_change, "help.periodic.title", [NavState.on_load]),
    (routes.HELP_CONSENTS, help_consents, "help.consents.title", [NavState.on_load]),
    (routes.HELP_DATA_EXPORT, help_data_export, "help.export.title", [NavState.on_load]),
    (routes.HELP_TWO_STEP, help_two_step, "help.two_step.title", [NavState.on_load]),
    (routes.HELP_DELETE_ACCOUNT, help_delete_account, "help.title", [NavState.on_load]),
    # User data (issue 6): a new invoice, documents, clients, products and seller details.
    (routes.ISSUE_INVOICE, issue_page, "issue.title", [IssueState.on_load]),
    (routes.DOCUMENTS, documents_page, "documents.title", [DocumentsState.on_load]),
    (routes.CLIENTS, clients_page, "clients.title", [ClientsState.on_load]),
    (routes.PRODUCTS, products_page, "products.title", [ProductsState.on_load]),
    (routes.SELLER_SETTINGS, settings_page, "settings.title", [SellerState.on_load]),
    (routes.PASSWORD_CHANGE, password_change, "password_change.title", [PasswordChangeState.on_load]),
    (routes.PASSWORD_RESET, password_reset, "reset.title", [PasswordResetState.on_load]),
    # Consents and reminders (issue 5): the unsubscribe link's page (its POST is in api.py).
    (routes.UNSUBSCRIBE, unsubscribe_page, "unsubscribe.title", [UnsubscribeState.on_load]),
    # The review mail's button (issue 13): "Podziel się opinią".
    (routes.FEEDBACK, feedback_page, "feedback.title", [FeedbackState.on_load]),
]


def in_language(
    lang: str, page_function: Callable[[], rx.Component], route: str = ""
) -> Callable[[], rx.Component]:
    """The page function, evaluated (when Reflex compiles the page) with t() answering in `lang`,
    as the page at `route` (its menu link is marked current)."""

    @functools.wraps(page_function)
    def localized() -> rx.Component:
        with use_language(lang), compiling_page(route):
            return page_function()

    return localized


for lang in LANGUAGES:
    for route, page_function, title_key, on_load in PAGES:
        app.add_page(
            in_language(lang, page_function, route),
            route=routes.in_language(route, lang),
            title=t(title_key, lang),
            # First, the remembered (or the browser's preferred) language of the visitor.
            on_load=[LanguageState.on_load, *on_load],
        )
# Any other address (issue 13): a Polish page that says so, with the menu and a way on. Reflex has
# one 404 page for the whole app, so it is in the default language.
app.add_page(
    in_language("pl", not_found),
    route="404",
    title=t("not_found.title", "pl"),
    on_load=[NavState.on_load],
)
# The daily work inside the app (every worker starts it; a database lock lets one run it per day).
app.register_lifespan_task(daily_work_loop)
