"""Reflex states driven directly with a real database: forged and replayed events change nothing.

An event over the websocket can carry any argument. These tests call the states' event handlers
as Reflex would, for a tab logged in as user A, with the IDs of user B's rows, with junk, and with
no session at all, and check the database afterwards.
"""

from __future__ import annotations

import asyncio
import inspect

import pytest
import reflex as rx
import sqlalchemy as sa
from reflex.istate.data import RouterData

from fakturowo_ui import db, routes
from fakturowo_ui.models import Client, Document, Product
from fakturowo_ui.services import clients, documents, products, seller, sessions
from tests.unit.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def app_states():
    """The app's state classes (importing the app module registers them under rx.State)."""
    import fakturowo_ui.fakturowo_ui  # noqa: F401
    from fakturowo_ui.state.account import AccountState
    from fakturowo_ui.state.catalog import ClientsState, ProductsState
    from fakturowo_ui.state.deletion import DeletionRequestState
    from fakturowo_ui.state.documents import DocumentsState
    from fakturowo_ui.state.issue import IssueState

    return {
        "clients": ClientsState,
        "products": ProductsState,
        "documents": DocumentsState,
        "issue": IssueState,
        "account": AccountState,
        "deletion": DeletionRequestState,
    }


def _with_data(email: str) -> dict[str, int]:
    user_id = make_user(email)
    with db.session_scope() as session:
        seller.save(session, user_id, seller.SellerForm("Firma Sp. z o.o.", "5260250274", "ul. Długa 1", ""))
        client = clients.create(session, user_id, clients.ClientForm(f"Klient {email}"))
        product = products.create(session, user_id, products.ProductForm("Usługa", "szt.", "100", "23"))
        ids = {"user": user_id, "client": client.id, "product": product.id}
        token = sessions.create(session, user_id)
    document = documents.issue(
        user_id,
        documents.DocumentForm(
            ids["client"],
            "2026-11-23",
            "2026-11-23",
            [documents.ItemForm("Usługa", "1", "szt.", "100", "23")],
        ),
    )
    ids["document"] = document.id
    ids["token"] = token  # type: ignore[assignment]
    return ids


def _tab(state_class, cookie: str = ""):
    """The substate of a fresh state tree whose connection carried `cookie`."""
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data(
        {"headers": {"cookie": cookie} if cookie else {}, "pathname": routes.ACCOUNT}
    )
    return root.get_substate(state_class.get_full_name().split(".")[1:])


def _run(state, handler_name: str, *args):
    """Call an event handler as Reflex does; returns the events it produced."""
    fn = getattr(type(state), handler_name).fn
    result = fn(state, *args)
    if inspect.isasyncgen(result):

        async def drain():
            return [event async for event in result]

        return asyncio.run(drain())
    if inspect.iscoroutine(result):
        return asyncio.run(result)
    return result


def _rows() -> dict[str, list[tuple]]:
    with db.session_scope() as session:
        return {
            "client": session.execute(sa.select(Client.id, Client.user_id, Client.name)).all(),
            "product": session.execute(
                sa.select(Product.id, Product.user_id, Product.name, Product.net_price)
            ).all(),
            "document": session.execute(sa.select(Document.id, Document.user_id, Document.number)).all(),
        }


@pytest.fixture
def two_users(app_env, frozen_clock):
    return _with_data("a.user@example.com"), _with_data("b.user@example.com")


FORGED_ARGS = ("b", "junk", "none")


def _arg(kind: str, b: dict, key: str):
    return {"b": b[key], "junk": "1 OR 1=1", "none": None}[kind]


@pytest.mark.parametrize("kind", FORGED_ARGS)
@pytest.mark.parametrize("catalog,key", [("clients", "client"), ("products", "product")])
def test_catalog_events_with_another_users_ids_change_nothing(app_states, two_users, catalog, key, kind):
    a, b = two_users
    before = _rows()
    tab = _tab(app_states[catalog], f"{sessions.COOKIE_NAME}={a['token']}")
    forged = _arg(kind, b, key)
    for handler in ("start_edit", "ask_delete", "delete"):
        _run(tab, handler, forged)
        assert tab.message_is_error, handler
        assert tab.editing_id == 0 and tab.deleting_id == 0
    assert _rows() == before
    assert "b.user" not in str(tab.form)


@pytest.mark.parametrize("kind", FORGED_ARGS)
def test_document_events_with_another_users_ids_change_nothing(app_states, two_users, kind):
    a, b = two_users
    before = _rows()
    tab = _tab(app_states["documents"], f"{sessions.COOKIE_NAME}={a['token']}")
    for handler in ("ask_delete", "delete"):
        _run(tab, handler, _arg(kind, b, "document"))
        assert tab.message_is_error, handler
    assert _rows() == before


def test_issuing_with_another_users_client_or_product_is_refused(app_states, two_users):
    a, b = two_users
    before = _rows()
    tab = _tab(app_states["issue"], f"{sessions.COOKIE_NAME}={a['token']}")
    _run(tab, "on_load")
    _run(tab, "add_product", str(b["product"]))
    assert tab.message_is_error
    _run(tab, "set_line_field", tab.lines[0]["key"], "name", "Pozycja")
    _run(tab, "set_line_field", tab.lines[0]["key"], "net_price", "10")
    events = _run(
        tab, "submit", {"client_id": str(b["client"]), "issue_date": "2026-11-23", "sale_date": "2026-11-23"}
    )
    assert tab.message_is_error
    assert not any("pokaz=" in str(event) for event in events or [])
    assert _rows() == before


@pytest.mark.parametrize("payload", [None, [], "x", 5, {"client_id": ["1"]}])
def test_issue_submit_with_wrong_types_changes_nothing(app_states, two_users, payload):
    a, _b = two_users
    before = _rows()
    tab = _tab(app_states["issue"], f"{sessions.COOKIE_NAME}={a['token']}")
    _run(tab, "on_load")
    _run(tab, "submit", payload)
    assert tab.message_is_error
    assert _rows() == before


@pytest.mark.parametrize("name", ["clients", "products", "documents", "account", "deletion"])
def test_no_session_means_a_redirect_and_nothing_loaded(app_states, two_users, name):
    a, b = two_users
    before = _rows()
    for cookie in ("", f"{sessions.COOKIE_NAME}=forged-token-that-matches-no-session-at-all"):
        tab = _tab(app_states[name], cookie)
        if name == "deletion":
            result = _run(tab, "request", {"confirm_deletion": "on"})
        else:
            result = _run(tab, "on_load")
        assert "logowanie" in str(result)
        for field in ("rows", "email"):
            if hasattr(tab, field):
                assert not getattr(tab, field)
    assert _rows() == before


def test_a_replayed_event_after_logout_is_refused(app_states, two_users):
    a, b = two_users
    tab = _tab(app_states["clients"], f"{sessions.COOKIE_NAME}={a['token']}")
    assert "logowanie" not in str(_run(tab, "on_load"))
    assert tab.rows
    with db.session_scope() as session:
        sessions.end(session, a["token"])
    before = _rows()
    result = _run(tab, "delete", a["client"])
    assert "logowanie" in str(result)
    assert _rows() == before


@pytest.mark.parametrize("name", ["clients", "documents"])
def test_search_and_paging_show_only_the_users_own_rows(app_states, two_users, name):
    a, _b = two_users
    tab = _tab(app_states[name], f"{sessions.COOKIE_NAME}={a['token']}")
    _run(tab, "on_load")
    assert tab.loaded and tab.total == 1
    _run(tab, "search", {"q": "b.user"})  # B's client name and document buyer
    assert tab.total == 0 and tab.rows == [] and "b.user" in tab.nothing_found_text
    _run(tab, "search", {"q": ""})
    assert tab.total == 1 and "b.user" not in str(tab.rows)
    for junk in ("2", "-5", "x", None, 10**9):
        _run(tab, "go_to_page", junk)
        assert tab.page == 1 and tab.total == 1
    tab.deleting_id, tab.deleting_name = 7, "coś"
    _run(tab, "cancel_delete")
    assert (tab.deleting_id, tab.deleting_name) == (0, "")


@pytest.mark.parametrize("name", ["clients", "documents"])
def test_a_lists_sentences_are_made_at_every_load_in_the_pages_language(app_states, two_users, name):
    """The pager's "Strona 1 z 1" and the delete question are plain vars: the first load makes
    them, and a load of the English page makes them in English."""
    from fakturowo_ui.i18n import set_language, t

    a, _b = two_users
    tab = _tab(app_states[name], f"{sessions.COOKIE_NAME}={a['token']}")
    _run(tab, "on_load")
    assert tab.page_text == t("list.page", "pl", page=1, pages=1, total=1)
    set_language("en")
    try:
        _run(tab, "on_load")
        assert tab.page_text == t("list.page", "en", page=1, pages=1, total=1)
        row_id = a["client"] if name == "clients" else a["document"]
        _run(tab, "ask_delete", row_id)
        assert tab.deleting_id == row_id and tab.deleting_name in tab.delete_question
        assert tab.delete_question == t("list.confirm_delete", "en", name=tab.deleting_name)
    finally:
        set_language("pl")
    assert tab.page_text != t("list.page", "pl", page=1, pages=1, total=1)
