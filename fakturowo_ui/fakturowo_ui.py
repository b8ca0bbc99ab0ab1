"""The Reflex app and its pages; nothing else lives here."""

import reflex as rx

from fakturowo_ui import routes, state_store
from fakturowo_ui.api import api, security_headers
from fakturowo_ui.files import restrict_new_files
from fakturowo_ui.i18n import t
from fakturowo_ui.logging_setup import configure_logging
from fakturowo_ui.pages.account import account
from fakturowo_ui.pages.catalog import clients_page, products_page
from fakturowo_ui.pages.confirm import confirm_email
from fakturowo_ui.pages.deletion import confirm_deletion
from fakturowo_ui.pages.documents import documents_page
from fakturowo_ui.pages.help import help_delete_account
from fakturowo_ui.pages.home import home
from fakturowo_ui.pages.issue import issue_page
from fakturowo_ui.pages.login import login
from fakturowo_ui.pages.password_change import password_change
from fakturowo_ui.pages.password_reset import password_reset
from fakturowo_ui.pages.register import register
from fakturowo_ui.pages.seller import settings_page
from fakturowo_ui.pages.unsubscribe import unsubscribe_page
from fakturowo_ui.scheduler import daily_work_loop
from fakturowo_ui.state.account import AccountState
from fakturowo_ui.state.auth import ForgetEndedSessions
from fakturowo_ui.state.catalog import ClientsState, ProductsState
from fakturowo_ui.state.confirm import ConfirmState
from fakturowo_ui.state.deletion import DeletionConfirmState
from fakturowo_ui.state.documents import DocumentsState
from fakturowo_ui.state.issue import IssueState
from fakturowo_ui.state.login import LoginState
from fakturowo_ui.state.pages import HomeState
from fakturowo_ui.state.password import PasswordChangeState, PeriodicChangeState
from fakturowo_ui.state.password_reset import PasswordResetState
from fakturowo_ui.state.register import RegisterState
from fakturowo_ui.state.seller import SellerState
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
    ],
    html_lang="pl",
    api_transformer=[api, security_headers],
)
# Before a tab's full state is sent, drop the user data of a session that has ended (issue 14).
app.add_middleware(ForgetEndedSessions(), index=0)

app.add_page(home, route=routes.HOME, title=t("home.title"), on_load=HomeState.on_load)
app.add_page(register, route=routes.REGISTER, title=t("register.title"), on_load=RegisterState.on_load)
app.add_page(login, route=routes.LOGIN, title=t("login.title"), on_load=LoginState.on_load)
app.add_page(
    confirm_email, route=routes.CONFIRM_EMAIL, title=t("confirm.title"), on_load=ConfirmState.on_load
)
app.add_page(
    account,
    route=routes.ACCOUNT,
    title=t("account.title"),
    on_load=[AccountState.on_load, PeriodicChangeState.on_load],
)
app.add_page(
    confirm_deletion,
    route=routes.CONFIRM_DELETION,
    title=t("deletion.confirm.title"),
    on_load=DeletionConfirmState.on_load,
)
app.add_page(help_delete_account, route=routes.HELP_DELETE_ACCOUNT, title=t("help.title"))
# User data (issue 6): seller details, clients, products, documents and a new invoice.
app.add_page(issue_page, route=routes.ISSUE_INVOICE, title=t("issue.title"), on_load=IssueState.on_load)
app.add_page(
    documents_page, route=routes.DOCUMENTS, title=t("documents.title"), on_load=DocumentsState.on_load
)
app.add_page(clients_page, route=routes.CLIENTS, title=t("clients.title"), on_load=ClientsState.on_load)
app.add_page(products_page, route=routes.PRODUCTS, title=t("products.title"), on_load=ProductsState.on_load)
app.add_page(
    settings_page, route=routes.SELLER_SETTINGS, title=t("settings.title"), on_load=SellerState.on_load
)
app.add_page(
    password_change,
    route=routes.PASSWORD_CHANGE,
    title=t("password_change.title"),
    on_load=PasswordChangeState.on_load,
)
app.add_page(
    password_reset, route=routes.PASSWORD_RESET, title=t("reset.title"), on_load=PasswordResetState.on_load
)
# Consents and reminders (issue 5): the unsubscribe link's page (its POST is in api.py), and the
# daily work inside the app (every worker starts it; a database lock lets one run it per day).
app.add_page(
    unsubscribe_page, route=routes.UNSUBSCRIBE, title=t("unsubscribe.title"), on_load=UnsubscribeState.on_load
)
app.register_lifespan_task(daily_work_loop)
