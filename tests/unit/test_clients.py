"""services/clients.py: a client's fields checked before anything is stored (a name, an optional
NIP with a right checksum, an address of lines, an optional e-mail address), each user's clients
their own, searched in the name, NIP, address and e-mail, listed by name in any letter case."""

from __future__ import annotations

import pytest

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Client
from fakturowo_ui.services import clients
from fakturowo_ui.services.errors import DomainError
from tests.unit.factories import count_rows, make_user


def test_a_client_is_stored_with_its_fields_cleaned(app_env):
    user = make_user("ania@example.com")
    with session_scope() as session:
        made = clients.create(
            session,
            user,
            clients.ClientForm(
                " Klient Sp. z o.o. ",
                "PL 774-000-14-54",
                " ul. Piotrkowska 1 \n\n Łódź ",
                " Biuro@Klient.PL ",
            ),
        )
        assert (made.name, made.nip, made.address, made.email) == (
            "Klient Sp. z o.o.",
            "7740001454",
            "ul. Piotrkowska 1\nŁódź",
            "biuro@klient.pl",
        )
        bare = clients.create(session, user, clients.ClientForm("Jan Kowalski"))
        assert (bare.nip, bare.address, bare.email) == ("", "", "")  # a person: no NIP needed


@pytest.mark.parametrize(
    "form, key",
    [
        (clients.ClientForm(" "), "text.required"),
        (clients.ClientForm("Klient", nip="7740001455"), "nip.checksum"),
        (clients.ClientForm("Klient", nip="77400014"), "nip.format"),
        (clients.ClientForm("Klient", email="biuro.klient.pl"), "client.email"),
        (clients.ClientForm("Klient", email="@klient.pl"), "client.email"),
        (clients.ClientForm("Klient", email="biuro@"), "client.email"),
        (clients.ClientForm("Klient", email="bi uro@klient.pl"), "client.email"),
        (clients.ClientForm("K" * 201), "text.too_long"),
        (clients.ClientForm("Klient", address="a" * 501), "text.too_long"),
    ],
)
def test_a_wrong_field_stores_nothing_and_changes_nothing(app_env, form, key):
    user = make_user("ania@example.com")
    with session_scope() as session:
        kept = clients.create(session, user, clients.ClientForm("Stary", "5260250274", "Adres", "a@b.pl")).id
    for attempt in (
        lambda session: clients.create(session, user, form),
        lambda session: clients.update(session, user, kept, form),
    ):
        with pytest.raises(DomainError) as error, session_scope() as session:
            attempt(session)
        assert error.value.key == key
    with session_scope() as session:
        row = session.get_one(Client, kept)
        assert (row.name, row.nip, row.address, row.email) == ("Stary", "5260250274", "Adres", "a@b.pl")
    assert count_rows(Client) == 1


def test_search_looks_in_the_name_nip_address_and_email_of_the_users_own_clients(app_env):
    ania, bartek = make_user("ania@example.com"), make_user("bartek@example.com")
    with session_scope() as session:
        clients.create(session, ania, clients.ClientForm("zeta", "5260250274", "Gdańsk", "z@example.com"))
        clients.create(
            session, ania, clients.ClientForm("Alfa", "", "ul. Długa 1\nKraków", "kontakt@alfa.pl")
        )
        clients.create(session, ania, clients.ClientForm("beta"))
        clients.create(session, bartek, clients.ClientForm("Alfa Bartka", "7740001454"))
    with session_scope() as session:

        def found(query: str) -> list[str]:
            return [c.name for c in clients.search(session, ania, query).rows]

        assert found("") == ["Alfa", "beta", "zeta"]  # by name, any letter case
        assert found("526025") == ["zeta"]
        assert found("kraków") == ["Alfa"]
        assert found("ALFA.PL") == ["Alfa"]
        assert found("7740001454") == []  # another user's client
        assert [name for _id, name in clients.all_for_choice(session, ania)] == ["Alfa", "beta", "zeta"]
        assert len(clients.all_for_choice(session, ania, limit=2)) == 2


def test_another_users_client_cannot_be_read_changed_or_deleted(app_env):
    ania, bartek = make_user("ania@example.com"), make_user("bartek@example.com")
    with session_scope() as session:
        theirs = clients.create(session, bartek, clients.ClientForm("Klient Bartka")).id
    with session_scope() as session:
        for act in (
            lambda: clients.get(session, ania, theirs),
            lambda: clients.update(session, ania, theirs, clients.ClientForm("Mój")),
            lambda: clients.delete(session, ania, theirs),
        ):
            with pytest.raises(DomainError) as error:
                act()
            assert error.value.key == "client.not_found"
    with session_scope() as session:
        assert session.get_one(Client, theirs).name == "Klient Bartka"
        clients.delete(session, bartek, theirs)
    assert count_rows(Client) == 0
