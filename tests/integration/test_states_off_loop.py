"""A held database lock slows only the event that waits for it (issue 14 point 4, issue 9's event path).

Another process holding SQLite's write lock for 15 s used to stall every visitor's requests for
10 s: the states ran their transactions on the event loop. Now every state's database step is a
service function (one transaction per event) run by `blocking.db` in the database pool. These
tests hold the write lock from another connection while a write handler runs, with a ticker on
the event loop: the loop keeps ticking while the handler waits, and the handler finishes once
the lock is released. And the rule that keeps it so: no state module imports the database or
the models.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import sqlite3
import time
from pathlib import Path

import pytest
import reflex as rx
import sqlalchemy as sa
from reflex.istate.data import RouterData

from fakturowo_ui import db, routes
from fakturowo_ui.i18n import t
from fakturowo_ui.models import Client, Document, SellerProfile, User
from fakturowo_ui.services import clients, documents, products, seller, sessions
from tests.unit.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore")

STATE_DIR = Path(__file__).resolve().parents[2] / "fakturowo_ui" / "state"
# How long the other connection holds the write lock, and the longest pause the loop may take.
HOLD_SECONDS = 1.2
MAX_STALL_SECONDS = 0.5


@pytest.fixture(scope="module")
def app_states():
    """The app's state classes (importing the app module registers them under rx.State)."""
    import fakturowo_ui.fakturowo_ui  # noqa: F401
    from fakturowo_ui.state.account import ConsentsState
    from fakturowo_ui.state.catalog import ClientsState, ProductsState
    from fakturowo_ui.state.documents import DocumentsState
    from fakturowo_ui.state.issue import IssueState
    from fakturowo_ui.state.password import PeriodicChangeState
    from fakturowo_ui.state.seller import SellerState

    return {
        "account": ConsentsState,
        "clients": ClientsState,
        "products": ProductsState,
        "documents": DocumentsState,
        "issue": IssueState,
        "periodic": PeriodicChangeState,
        "seller": SellerState,
    }


def account_with_data(email: str) -> dict:
    """A user with seller details, a client, a product, an issued invoice and a live session."""
    user_id = make_user(email)
    with db.session_scope() as session:
        seller.save(session, user_id, seller.SellerForm("Firma Sp. z o.o.", "5260250274", "ul. Długa 1", ""))
        client = clients.create(session, user_id, clients.ClientForm("Klient Stały"))
        product = products.create(session, user_id, products.ProductForm("Usługa", "szt.", "100", "23"))
        token = sessions.create(session, user_id)
        ids = {"user": user_id, "client": client.id, "product": product.id, "token": token}
    ids["document"] = documents.issue(
        user_id,
        documents.DocumentForm(
            ids["client"],
            "2026-11-23",
            "2026-11-23",
            [documents.ItemForm("Usługa", "1", "szt.", "100", "23")],
        ),
    ).id
    return ids


@pytest.fixture
def account(app_env, frozen_clock) -> dict:
    """account_with_data, and the path of the database file (to hold its write lock)."""
    ids = account_with_data("zablokowany.zapis@example.com")
    ids["path"] = sa.make_url(app_env["REFLEX_DB_URL"]).database
    return ids


def _tab(state_class, token: str):
    """The substate of a fresh state tree whose connection carried the session cookie."""
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data(
        {"headers": {"cookie": f"{sessions.COOKIE_NAME}={token}"}, "pathname": routes.ACCOUNT}
    )
    return root.get_substate(state_class.get_full_name().split(".")[1:])


async def _drive(state, handler_name: str, *args):
    """Call an event handler as Reflex does, inside the running loop; returns its events."""
    result = getattr(type(state), handler_name).fn(state, *args)
    if inspect.isasyncgen(result):
        return [event async for event in result]
    if inspect.iscoroutine(result):
        return await result
    return result


def _user(user_id: int) -> User:
    with db.session_scope() as session:
        return session.get(User, user_id)


def _count(model, *where) -> int:
    with db.session_scope() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# Each case: the state, how to prepare the tab (before the lock), the handler and its arguments,
# and what must be true once it finished.
def _consents(ids, tab):
    return "save_consents", ({"reminder_consent": "on", "info_consent": "on"},)


def _consents_done(ids, tab):
    assert tab.consents_message.startswith("Zapisano zgody") and not tab.consents_message_is_error
    user = _user(ids["user"])
    assert user.reminder_consent and user.info_consent


def _add_client(ids, tab):
    return "save", ({"name": "Klient pod blokadą", "nip": "", "address": "", "email": ""},)


def _add_client_done(ids, tab):
    assert tab.message == t("clients.added", name="Klient pod blokadą") and not tab.message_is_error
    assert _count(Client, Client.user_id == ids["user"]) == 2
    assert "Klient pod blokadą" in str(tab.rows)


def _delete_product(ids, tab):
    return "delete", (ids["product"],)


def _delete_product_done(ids, tab):
    assert not tab.message_is_error and tab.total == 0


def _seller(ids, tab):
    return "save", (
        {"company_name": "Nowa Firma", "nip": "5260250274", "address": "ul. Krótka 2", "bank_account": ""},
    )


def _seller_done(ids, tab):
    assert tab.message == t("settings.seller.saved") and not tab.message_is_error
    with db.session_scope() as session:
        profile = session.scalars(sa.select(SellerProfile).where(SellerProfile.user_id == ids["user"])).one()
        assert profile.company_name == "Nowa Firma"


def _delete_document(ids, tab):
    return "delete", (ids["document"],)


def _delete_document_done(ids, tab):
    assert not tab.message_is_error and tab.total == 0
    assert _count(Document, Document.user_id == ids["user"]) == 0


def _issue(ids, tab):
    asyncio.run(_drive(tab, "on_load"))
    key = tab.lines[0]["key"]
    tab.lines = [{**tab.lines[0], "name": "Pozycja", "net_price": "10"}]
    return "submit", (
        {
            "client_id": str(ids["client"]),
            "issue_date": "2026-11-24",
            "sale_date": "2026-11-24",
            f"name-{key}": "Pozycja",
            f"net_price-{key}": "10",
        },
    )


def _issue_done(ids, tab):
    assert not tab.message_is_error, tab.message
    assert _count(Document, Document.user_id == ids["user"]) == 2


def _periodic(ids, tab):
    return "save", ({"periodic_password_change": "on"},)


def _periodic_done(ids, tab):
    assert tab.enabled and tab.message == t("account.periodic.saved_on") and not tab.message_is_error
    assert _user(ids["user"]).periodic_password_change


CASES = {
    "account-consents": ("account", _consents, _consents_done),
    "add-client": ("clients", _add_client, _add_client_done),
    "delete-product": ("products", _delete_product, _delete_product_done),
    "seller-details": ("seller", _seller, _seller_done),
    "delete-document": ("documents", _delete_document, _delete_document_done),
    "issue-invoice": ("issue", _issue, _issue_done),
    "periodic-change": ("periodic", _periodic, _periodic_done),
}


@contextlib.contextmanager
def _write_lock_held(path: str):
    """Another connection (think: another process) holding SQLite's write lock."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield other
    finally:
        other.close()  # rolls the open transaction back: the lock is released


async def _run_under_lock(path: str, tab, handler: str, args) -> tuple[float, bool]:
    """Run the handler while the lock is held for HOLD_SECONDS, ticking the loop meanwhile.

    Returns the longest gap between ticks and whether the handler was still waiting when the
    lock was released.
    """
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(0.02)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    with _write_lock_held(path) as other:
        running = asyncio.create_task(_drive(tab, handler, *args))
        await asyncio.sleep(HOLD_SECONDS)
        waited = not running.done()
        other.execute("ROLLBACK")
    await asyncio.wait_for(running, timeout=10)
    stop.set()
    await ticking
    return max(gaps), waited


@pytest.mark.parametrize("case", list(CASES))
def test_a_held_write_lock_slows_only_the_event_that_waits_for_it(app_states, account, case):
    name, prepare, check = CASES[case]
    tab = _tab(app_states[name], account["token"])
    if name in ("clients", "products", "documents", "seller"):
        asyncio.run(_drive(tab, "on_load"))
    handler, args = prepare(account, tab)
    longest_gap, waited = asyncio.run(_run_under_lock(account["path"], tab, handler, args))
    assert waited, "the handler did not wait for the write lock: the test proves nothing"
    assert longest_gap < MAX_STALL_SECONDS, f"the event loop stalled {longest_gap:.2f} s"
    check(account, tab)


# -- the rule that keeps it so ---------------------------------------------------------------------


FORBIDDEN = ("fakturowo_ui.db", "fakturowo_ui.models")


def _imported_modules(tree: ast.Module, package: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_no_state_module_imports_the_database_or_the_models():
    modules = sorted(STATE_DIR.rglob("*.py"))
    assert any(path.name == "auth.py" for path in modules)
    offenders = []
    for path in modules:
        source = path.read_text(encoding="utf-8")
        imported = _imported_modules(ast.parse(source), "fakturowo_ui.state")
        offenders += [
            f"{path.name}: {name}"
            for name in sorted(imported)
            if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN)
        ]
        # Nor a transaction opened, or a thread of the default pool used, another way.
        for word in ("session_scope", "importlib", "to_thread"):
            if word in source:
                offenders.append(f"{path.name}: {word}")
    assert offenders == [], "states never import db or the models; a service owns its transaction"
