"""Search and sort of the lists in Polish (issue 13), on SQLite and on PostgreSQL: "żuraw", "ŻURAW"
and "zuraw" all find "Kawiarnia Pod Żurawiem"; "Łódź" sorts between "Lublin" and "Mielec"; the
folded columns follow an edit; rows migrated from before are filled in."""

from __future__ import annotations

import pytest

from fakturowo_ui import db
from fakturowo_ui.db import session_scope
from fakturowo_ui.services import clients, products
from fakturowo_ui.settings import reset_settings_cache
from tests.integration.test_postgres_redis import postgres_url  # noqa: F401 - the fixture
from tests.unit.factories import make_user

NAMES = [
    "Mielec Serwis",
    "Kawiarnia Pod Żurawiem",
    "Lublin Trans",
    "Łódź Druk",
    "Zakład Zeta",
    "Łódzka Drukarnia",
]


def _check_search_and_sort(email: str) -> None:
    user = make_user(email)
    with session_scope() as session:
        for name in NAMES:
            clients.create(session, user, clients.ClientForm(name, "", "ul. Źródlana 5\nGdańsk"))
        products.create(session, user, products.ProductForm("Usługa ŚLUSARSKA", "godz.", "100,00", "23"))
    with session_scope() as session:

        def found(query: str) -> list[str]:
            return [c.name for c in clients.search(session, user, query).rows]

        for query in ("żuraw", "Żuraw", "ŻURAW", "zuraw", "ZURAWIEM", "pod żur"):
            assert found(query) == ["Kawiarnia Pod Żurawiem"], query
        assert len(found("źródlana")) == len(NAMES)  # the address is searched too
        assert found("lodz") == ["Łódzka Drukarnia", "Łódź Druk"]
        assert found("%") == [] and found("_") == []  # taken literally
        assert found("") == [
            "Kawiarnia Pod Żurawiem",
            "Lublin Trans",
            "Łódzka Drukarnia",
            "Łódź Druk",
            "Mielec Serwis",
            "Zakład Zeta",
        ]
        assert [p.name for p in products.search(session, user, "slusarska").rows] == ["Usługa ŚLUSARSKA"]
        assert [name for _id, name in clients.all_for_choice(session, user)][:2] == [
            "Kawiarnia Pod Żurawiem",
            "Lublin Trans",
        ]
        zeta = next(c for c in clients.search(session, user, "zeta").rows)
        zeta_id = zeta.id
    # An edit keeps the folded columns right.
    with session_scope() as session:
        clients.update(session, user, zeta_id, clients.ClientForm("Ądam i Synowie", "", ""))
    with session_scope() as session:
        names = [c.name for c in clients.search(session, user, "").rows]
        assert names[0] == "Ądam i Synowie"
        assert [c.name for c in clients.search(session, user, "adam").rows] == ["Ądam i Synowie"]
        assert clients.search(session, user, "zeta").rows == []


def test_polish_search_and_sort_on_sqlite(app_env):
    _check_search_and_sort("polski@example.com")


@pytest.mark.postgres
def test_polish_search_and_sort_on_postgres(app_env, monkeypatch, postgres_url):  # noqa: F811
    monkeypatch.setenv("REFLEX_DB_URL", postgres_url)
    reset_settings_cache()
    db.reset_engine()
    assert db.get_engine().dialect.name == "postgresql"
    _check_search_and_sort("polski-pg@example.com")
