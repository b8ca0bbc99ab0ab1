"""services/listing.py: typed text cleaned the same way everywhere, a row reached only by its
owner, search that takes % and _ literally in any letter case, pages brought into range, and the
list-page steps clients and products share, each scoped to the logged-in user."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import col

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Client
from fakturowo_ui.services import clients, listing
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.sessions import CurrentUser
from tests.unit.factories import make_user

# -- clean_text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  Kowalski  ", "Kowalski"),
        ("Jan\nKowalski", "Jan Kowalski"),  # one line: a newline becomes a space
        ("Jan\r\nKowalski", "Jan Kowalski"),
        ("Ko\x00wal\x1bski\x7f", "Kowalski"),  # control characters go
        ("Zażółć\tgęślą", "Zażółć\tgęślą"),  # a tab stays
        (None, ""),
        (12, ""),
    ],
)
def test_one_line_text_is_trimmed_and_cleaned(raw, expected):
    assert listing.clean_text(raw, "Nazwa", 200) == expected


def test_multiline_text_keeps_its_lines_trimmed_without_blank_ones():
    raw = "  ul. Długa 1 \r\n\r\n\n   00-001 Warszawa\r  \n\x00"
    assert listing.clean_text(raw, "Adres", 500, multiline=True) == "ul. Długa 1\n00-001 Warszawa"


def test_required_text_left_blank_is_refused_naming_the_field():
    for raw in ("", "   ", "\n\x00\n", None):
        with pytest.raises(DomainError) as error:
            listing.clean_text(raw, "Nazwa", 200, required=True)
        assert (error.value.key, error.value.params) == ("text.required", {"field": "Nazwa"})


def test_the_length_limit_counts_characters_after_cleaning():
    assert listing.clean_text("  " + "ż" * 10 + "  ", "Nazwa", 10) == "ż" * 10
    with pytest.raises(DomainError) as error:
        listing.clean_text("ż" * 11, "Nazwa", 10)
    assert (error.value.key, error.value.params) == ("text.too_long", {"field": "Nazwa", "maximum": 10})


# -- owned rows, search, pages --------------------------------------------------------------------


def _clients(user_id: int, *names: str) -> list[int]:
    with session_scope() as session:
        return [clients.create(session, user_id, clients.ClientForm(name)).id for name in names]


def test_a_row_is_reached_only_by_its_owner_and_by_an_integer_id(app_env):
    ania, bartek = make_user("ania@example.com"), make_user("bartek@example.com")
    [own] = _clients(ania, "Klient Ani")
    [other] = _clients(bartek, "Klient Bartka")
    with session_scope() as session:
        assert listing.owned_row(session, Client, ania, own, "client.not_found").name == "Klient Ani"
        for row_id in (other, own + other + 100, str(own), float(own), True, None, [own]):
            with pytest.raises(DomainError) as error:
                listing.owned_row(session, Client, ania, row_id, "client.not_found")
            assert error.value.key == "client.not_found", row_id


def _names(session, user_id: int, query: str) -> list[str]:
    condition = listing.search_condition(query, col(Client.name))
    statement = sa.select(col(Client.name)).where(col(Client.user_id) == user_id).order_by(col(Client.id))
    if condition is not None:
        statement = statement.where(condition)
    return list(session.scalars(statement))


def test_search_finds_the_query_anywhere_in_any_case_taking_wildcards_literally(app_env):
    user = make_user("szukam@example.com")
    _clients(user, "ACME Sp. z o.o.", "100% Pewny", "Pod_kreska", "Podkreska", "acme trade")
    with session_scope() as session:
        assert _names(session, user, "acme") == ["ACME Sp. z o.o.", "acme trade"]
        assert _names(session, user, "  SP. Z  ") == ["ACME Sp. z o.o."]
        assert _names(session, user, "%") == ["100% Pewny"]
        assert _names(session, user, "d_k") == ["Pod_kreska"]
        assert _names(session, user, "") == _names(session, user, "   ") != []
    assert listing.search_condition("", col(Client.name)) is None


def test_a_query_is_cut_to_its_first_hundred_characters(app_env):
    user = make_user("dlugo@example.com")
    _clients(user, "x" * 100)
    with session_scope() as session:
        assert _names(session, user, "x" * 150) == ["x" * 100]  # the extra 50 are not searched for


def test_pages_are_brought_into_range(app_env):
    user = make_user("strony@example.com")
    _clients(user, *(f"Klient {n:02d}" for n in range(45)))
    with session_scope() as session:
        statement = sa.select(Client).where(col(Client.user_id) == user).order_by(col(Client.name))
        count = sa.select(sa.func.count()).select_from(Client).where(col(Client.user_id) == user)
        first = listing.paged(session, statement, count, 1)
        assert (first.page, first.pages, first.total, len(first.rows)) == (1, 3, 45, 20)
        assert [c.name for c in first.rows] == [f"Klient {n:02d}" for n in range(20)]
        last = listing.paged(session, statement, count, 3)
        assert [c.name for c in last.rows] == [f"Klient {n:02d}" for n in range(40, 45)]
        assert listing.paged(session, statement, count, 99).page == 3
        assert listing.paged(session, statement, count, 0).page == 1
        assert listing.paged(session, statement, count, -5).page == 1
        assert listing.paged(session, statement, count, None).page == 1  # type: ignore[arg-type]
        empty = listing.paged(session, statement.where(sa.false()), count.where(sa.false()), 2)
        assert (empty.page, empty.pages, empty.total, list(empty.rows)) == (1, 1, 0, [])


# -- the list-page steps --------------------------------------------------------------------------


def _user(user_id: int) -> CurrentUser:
    return CurrentUser(user_id=user_id, email="x@example.com", session_id=0, must_change_password=False)


def test_the_list_steps_act_only_on_the_logged_in_users_rows(app_env):
    ania, bartek = make_user("ania@example.com"), make_user("bartek@example.com")
    [bartek_row] = _clients(bartek, "Klient Bartka")
    steps = clients.STEPS
    with session_scope() as session:
        row, page = steps.save_for(session, _user(ania), 0, clients.ClientForm("Nowy klient"))
        assert row.user_id == ania and [c.name for c in page.rows] == ["Nowy klient"]
        row, page = steps.save_for(session, _user(ania), row.id, clients.ClientForm("Zmieniony"))
        assert [c.name for c in page.rows] == ["Zmieniony"]
        assert steps.get_for(session, _user(ania), row.id).name == "Zmieniony"
        assert [c.name for c in steps.page_for(session, _user(bartek)).rows] == ["Klient Bartka"]
        for attempt in (
            lambda: steps.get_for(session, _user(ania), bartek_row),
            lambda: steps.save_for(session, _user(ania), bartek_row, clients.ClientForm("Przejęty")),
            lambda: steps.delete_for(session, _user(ania), bartek_row),
        ):
            with pytest.raises(DomainError) as error:
                attempt()
            assert error.value.key == "client.not_found"
        name, page = steps.delete_for(session, _user(ania), row.id)
        assert name == "Zmieniony" and list(page.rows) == []
    with session_scope() as session:
        assert session.get(Client, bartek_row).name == "Klient Bartka"


def test_a_change_is_checked_before_the_row_is_looked_up_and_the_invoice_lists_go_by_name(app_env):
    ania, bartek = make_user("ania@example.com"), make_user("bartek@example.com")
    [theirs] = _clients(bartek, "Klient Bartka")
    _clients(ania, "zeta", "Alfa", "beta")
    with session_scope() as session:
        with pytest.raises(DomainError) as error:
            clients.update(session, ania, theirs, clients.ClientForm(" "))
        assert error.value.key == "text.required"  # the form's own check first, then whose row it is
        assert [c.name for c in clients.STEPS.by_name(session, ania)] == ["Alfa", "beta", "zeta"]
        assert [c.name for c in clients.STEPS.by_name(session, ania, limit=1)] == ["Alfa"]
