"""Every private state goes through the one event path (issues 9 and 10): state/events.act.

For each state moved onto it, driven on the real state tree and database:
- an event without a session redirects to the login page and forgets the tab's user data,
  running nothing;
- a refusal (DomainError) becomes the page's message and changes nothing in the database;
- a save is ONE transaction: the session check, the write and what the page shows afterwards.
The two events whose step hashes a password or sends a mail (the password change, the deletion
link) check the session through act(self, None) and then call their service, which owns its
short transactions: for them the refusal is counted instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa

from fakturowo_ui import db
from fakturowo_ui.i18n import Count, formats, t, tn
from fakturowo_ui.models import (
    AuthSession,
    Client,
    Document,
    OneTimeToken,
    Product,
    SellerProfile,
    Subscription,
    User,
)
from fakturowo_ui.services import periodic_change
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.settings import reset_settings_cache
from tests.integration.test_event_path import _Statements
from tests.integration.test_states_off_loop import _drive, _tab, account_with_data
from tests.unit.factories import PASSWORD, count_rows

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def states():
    """The app's state classes (importing the app module registers them under rx.State)."""
    import fakturowo_ui.fakturowo_ui  # noqa: F401
    from fakturowo_ui.state.catalog import ClientsState, ProductsState
    from fakturowo_ui.state.deletion import DeletionRequestState
    from fakturowo_ui.state.documents import DocumentsState
    from fakturowo_ui.state.issue import IssueState
    from fakturowo_ui.state.password import PasswordChangeState, PeriodicChangeState
    from fakturowo_ui.state.seller import SellerState

    return {
        "clients": ClientsState,
        "products": ProductsState,
        "documents": DocumentsState,
        "issue": IssueState,
        "seller": SellerState,
        "periodic": PeriodicChangeState,
        "password": PasswordChangeState,
        "deletion": DeletionRequestState,
    }


@pytest.fixture
def account(app_env, frozen_clock) -> dict:
    """A user with seller details, a client, a product, an issued invoice and a live session."""
    return account_with_data("sciezka.stanow@example.com")


def _run(tab, handler: str, *args):
    return asyncio.run(_drive(tab, handler, *args))


def _snapshot() -> dict:
    """Every row a private event of these states could change."""
    with db.session_scope() as session:
        return {
            "clients": session.execute(sa.select(Client.id, Client.name, Client.nip)).all(),
            "products": session.execute(sa.select(Product.id, Product.name, Product.net_price)).all(),
            "documents": session.execute(sa.select(Document.id, Document.number)).all(),
            "seller": session.execute(sa.select(SellerProfile.company_name, SellerProfile.nip)).all(),
            "users": session.execute(sa.select(User.password_hash, User.periodic_password_change)).all(),
            "tokens": session.execute(sa.select(OneTimeToken.id)).all(),
            "sessions": session.execute(sa.select(AuthSession.id, AuthSession.expires_at)).all(),
        }


# -- no session: a redirect to the login page, the tab's user data forgotten, nothing run ------------

# Each case: the state, a var holding user data (set on the tab first), the handler and its arguments.
NO_SESSION = {
    "clients-save": ("clients", "rows", "save", ({"name": "Nowy"},)),
    "clients-search": ("clients", "rows", "search", ({"q": "x"},)),
    "products-delete": ("products", "rows", "delete", (1,)),
    "documents-delete": ("documents", "rows", "delete", (1,)),
    "documents-page": ("documents", "rows", "go_to_page", (2,)),
    "issue-submit": ("issue", "client_options", "submit", ({"client_id": "1"},)),
    "issue-submit-no-client": ("issue", "client_options", "submit", ({},)),
    "issue-add-product": ("issue", "client_options", "add_product", ("1",)),
    "seller-save": ("seller", "form", "save", ({"company_name": "X"},)),
    "periodic-save": ("periodic", "sentence", "save", ({"periodic_password_change": "on"},)),
    "password-submit": ("password", "message", "submit", ({"current_password": PASSWORD},)),
    "password-load": ("password", "message", "on_load", ()),
    "deletion-request": ("deletion", "message", "request", ({"confirm_deletion": "on"},)),
}

LEFTOVER = {
    "rows": [{"id": "1", "name": "resztki"}],
    "client_options": [["1", "resztki"]],
    "form": {"company_name": "resztki"},
    "sentence": "resztki",
    "message": "resztki",
}


@pytest.mark.parametrize("cookie", ["", "x" * 43])
@pytest.mark.parametrize("case", list(NO_SESSION))
def test_an_event_without_a_session_redirects_and_forgets(states, account, case, cookie):
    name, var, handler, args = NO_SESSION[case]
    before = _snapshot()
    tab = _tab(states[name], cookie)
    setattr(tab, var, LEFTOVER[var])
    result = _run(tab, handler, *args)
    assert "logowanie" in str(result), result
    assert getattr(tab, var) != LEFTOVER[var] and not getattr(tab, var)
    assert _snapshot() == before


def test_a_session_that_must_change_its_password_may_open_only_the_change_page(states, account):
    with db.session_scope() as session:
        session.execute(sa.update(AuthSession).values(must_change_password=True))
    clients_tab = _tab(states["clients"], account["token"])
    assert "zmiana-hasla" in str(_run(clients_tab, "on_load"))
    tab = _tab(states["password"], account["token"])
    assert _run(tab, "on_load") is None
    assert tab.loaded and tab.forced


# -- a refusal: the message shown, nothing changed -----------------------------------------------------


def test_a_refused_client_keeps_what_was_typed_and_changes_nothing(states, account):
    tab = _tab(states["clients"], account["token"])
    _run(tab, "on_load")
    before = _snapshot()
    typed = {"name": "", "nip": "123", "address": "ul. Nowa", "email": ""}
    _run(tab, "save", typed)
    assert tab.message_is_error and tab.message == DomainError("text.required", field="Nazwa").message()
    assert tab.form["address"] == "ul. Nowa" and tab.form["nip"] == "123"
    assert _snapshot() == before


def test_a_refused_product_changes_nothing(states, account):
    tab = _tab(states["products"], account["token"])
    _run(tab, "on_load")
    before = _snapshot()
    _run(tab, "save", {"name": "Drugi", "unit": "szt.", "net_price": "abc", "vat_rate": "23"})
    assert tab.message_is_error and tab.form["net_price"] == "abc"
    _run(tab, "start_edit", account["product"] + 1000)
    assert tab.message == t("product.not_found") and tab.editing_id == 0
    assert _snapshot() == before


def test_deleting_an_unknown_document_is_refused_and_changes_nothing(states, account):
    tab = _tab(states["documents"], account["token"])
    _run(tab, "on_load")
    before = _snapshot()
    _run(tab, "delete", account["document"] + 1000)
    assert tab.message == t("document.not_found") and tab.message_is_error
    assert tab.total == 1
    assert _snapshot() == before


def test_a_refused_invoice_says_why_and_stores_nothing(states, account):
    tab = _tab(states["issue"], account["token"])
    _run(tab, "on_load")
    tab.left_text = "stare"
    key = tab.lines[0]["key"]
    before = _snapshot()
    events = _run(
        tab,
        "submit",
        {
            "client_id": str(account["client"]),
            "issue_date": "2026-11-24",
            "sale_date": "2026-11-24",
            f"name-{key}": "",
            f"net_price-{key}": "10",
        },
    )
    empty_name = DomainError("text.required", field="Nazwa").message()
    assert tab.message == t("document.line_error", position=1, message=empty_name) and tab.message_is_error
    assert not any("pokaz=" in str(event) for event in events)
    assert not tab.busy
    assert tab.left_text == t("account.subscription.unlimited")  # the plan, read with the refusal
    assert _snapshot() == before


@pytest.mark.parametrize(
    "payment, key",
    [
        ({"payment_method": "bitcoin"}, "document.payment_method"),
        ({"payment_method": ""}, "document.payment_method"),
        ({"payment_method": "cash", "due_date": "2026-11-23"}, "document.due_before_issue"),
        ({"place_of_issue": "<b>" * 40}, "text.too_long"),
    ],
)
def test_a_forged_or_wrong_payment_is_refused_and_stores_nothing(states, account, payment, key):
    """Issue 13: what the form's select and date cannot send, a forged event can."""
    tab = _tab(states["issue"], account["token"])
    _run(tab, "on_load")
    line = tab.lines[0]["key"]
    before = _snapshot()
    form = {
        "client_id": str(account["client"]),
        "issue_date": "2026-11-24",
        "sale_date": "2026-11-24",
        f"name-{line}": "Pozycja",
        f"net_price-{line}": "10",
        **payment,
    }
    events = _run(tab, "submit", form)
    assert tab.message_is_error and not any("pokaz=" in str(event) for event in events)
    expected = {
        "document.payment_method": t("document.payment_method"),
        "document.due_before_issue": t("document.due_before_issue"),
    }.get(key)
    if expected is not None:
        assert tab.message == expected
    else:
        assert "Miejsce wystawienia" in tab.message
    assert _snapshot() == before


def test_an_invoice_over_the_limit_is_refused_with_the_plan_from_the_same_transaction(
    states, account, monkeypatch
):
    monkeypatch.setenv("FAKTUROWO_FREE_DOCUMENTS_PER_MONTH", "1")
    reset_settings_cache()
    with db.session_scope() as session:  # the trial is over: the free plan, its one document used
        session.execute(
            sa.update(Subscription).values(
                trial_ends_on=dt.date(2026, 11, 1), issued_month="2026-11", issued_count=1
            )
        )
    tab = _tab(states["issue"], account["token"])
    _run(tab, "on_load")
    assert tab.left_text == t("account.subscription.left", left=0, limit=1)
    tab.left_text = "stare"
    key = tab.lines[0]["key"]
    before = _snapshot()
    with _Statements() as seen:
        _run(
            tab,
            "submit",
            {
                "client_id": str(account["client"]),
                "issue_date": "2026-11-24",
                "sale_date": "2026-11-24",
                f"name-{key}": "Pozycja",
                f"net_price-{key}": "10",
            },
        )
    assert tab.message == t(
        "document.limit", limit=Count("count.documents", 1), since=formats.date(dt.date(2026, 12, 1))
    )
    assert "1 dokument w miesiącu" in tab.message
    assert tab.message_is_error and tab.left_text == tn("account.subscription.left", 1, left=0, limit=1)
    assert seen.begins == 1, seen.statements
    assert _snapshot() == before


def test_refused_seller_details_keep_what_was_typed_and_change_nothing(states, account):
    tab = _tab(states["seller"], account["token"])
    _run(tab, "on_load")
    before = _snapshot()
    typed = {"company_name": "Inna Firma", "nip": "123", "address": "ul. Krótka 2", "bank_account": ""}
    _run(tab, "save", typed)
    assert tab.message_is_error and tab.form == typed
    assert _snapshot() == before


def test_a_refused_periodic_change_shows_the_message_and_rolls_back(states, account, monkeypatch):
    tab = _tab(states["periodic"], account["token"])
    _run(tab, "on_load")
    assert tab.loaded and not tab.enabled
    before = _snapshot()
    real = periodic_change.save_periodic_change_for

    def write_then_refuse(session, user, enabled):
        real(session, user, enabled)
        raise DomainError("export.busy")

    monkeypatch.setattr(periodic_change, "save_periodic_change_for", write_then_refuse)
    _run(tab, "save", {"periodic_password_change": "on"})
    assert tab.message == t("export.busy") and tab.message_is_error and not tab.busy
    assert _snapshot() == before


def test_a_wrong_current_password_is_shown_on_its_field_and_changes_nothing(states, account):
    tab = _tab(states["password"], account["token"])
    _run(tab, "on_load")
    before = _snapshot()
    events = _run(
        tab,
        "submit",
        {
            "current_password": "nie to haslo 123",
            "new_password": "nowe haslo jest dlugie 9",
            "new_password_repeat": "nowe haslo jest dlugie 9",
        },
    )
    assert tab.current_password_error == t("error.current_password_wrong")
    # The error is said once, on its field; the page's message counts the fields to correct.
    assert tab.message == "Popraw 1 zaznaczone pole." and tab.message_is_error and not tab.busy
    assert not any("rotate" in str(event) for event in events)
    assert _snapshot()["users"] == before["users"] and _snapshot()["sessions"] == before["sessions"]


def test_an_unticked_box_is_refused_in_the_one_session_check(states, account):
    tab = _tab(states["deletion"], account["token"])
    before = _snapshot()
    with _Statements() as seen:
        _run(tab, "request", {})
    assert tab.message == t("deletion.tick_box") and tab.message_is_error and not tab.busy
    assert seen.begins == 1, seen.statements  # the session check; the service refused before the database
    assert _snapshot() == before


# -- a save is one transaction -------------------------------------------------------------------------


def _issue_args(account, tab):
    _run(tab, "on_load")
    key = tab.lines[0]["key"]
    return (
        {
            "client_id": str(account["client"]),
            "issue_date": "2026-11-24",
            "sale_date": "2026-11-24",
            f"name-{key}": "Pozycja",
            f"net_price-{key}": "10",
        },
    )


# Each case: the state, whether to load the page first, the handler, its arguments, and a check.
SAVES = {
    "add-client": (
        "clients",
        "save",
        lambda a, tab: ({"name": "Klient Nowy"},),
        lambda a, tab: tab.message == t("clients.added", name="Klient Nowy") and tab.total == 2,
    ),
    "edit-product": (
        "products",
        "save",
        lambda a, tab: (
            _run(tab, "start_edit", a["product"])
            or {"name": "Usługa 2", "unit": "godz.", "net_price": "120", "vat_rate": "8"},
        ),
        lambda a, tab: (
            tab.message == t("products.updated", name="Usługa 2")
            and tab.rows[0]["name"] == "Usługa 2"
            and tab.editing_id == 0
        ),
    ),
    "delete-client": (
        "clients",
        "delete",
        lambda a, tab: (a["client"],),
        lambda a, tab: tab.total == 0 and not tab.message_is_error,
    ),
    "delete-document": (
        "documents",
        "delete",
        lambda a, tab: (a["document"],),
        lambda a, tab: tab.total == 0 and tab.message == t("documents.deleted", number="FV 1/11/2026"),
    ),
    "seller": (
        "seller",
        "save",
        lambda a, tab: (
            {
                "company_name": "Nowa Firma",
                "nip": "5260250274",
                "address": "ul. Krótka 2",
                "bank_account": "",
            },
        ),
        lambda a, tab: tab.message == t("settings.seller.saved") and tab.form["company_name"] == "Nowa Firma",
    ),
    "periodic": (
        "periodic",
        "save",
        lambda a, tab: ({"periodic_password_change": "on"},),
        lambda a, tab: tab.enabled and tab.message == t("account.periodic.saved_on"),
    ),
    "issue": (
        "issue",
        "submit",
        _issue_args,
        lambda a, tab: not tab.message_is_error and count_rows(Document) == 2,
    ),
}


@pytest.mark.parametrize("case", list(SAVES))
def test_a_save_is_one_transaction(states, account, case):
    name, handler, prepare, check = SAVES[case]
    tab = _tab(states[name], account["token"])
    if name != "issue":  # the issue case loads its page itself, to know the line's key
        _run(tab, "on_load")
    args = prepare(account, tab)
    with _Statements() as seen:
        events = _run(tab, handler, *args)
    assert check(account, tab), (tab.message, events)
    assert seen.begins == 1, seen.statements
    if name == "issue":
        assert any("pokaz=" in str(event) for event in events)


def test_a_load_sends_only_what_changed(states, account):
    tab = _tab(states["clients"], account["token"])
    _run(tab, "on_load")
    tab._clean()
    _run(tab, "go_to_page", 1)
    assert "rows" not in tab.dirty_vars and "total" not in tab.dirty_vars, tab.dirty_vars
