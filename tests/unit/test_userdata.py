"""services/userdata.py: what an account holds, counted per user (what deletion will take), and
what /konto shows of it, read in the logged-in user's transaction; a consents save reports only
whether something changed and the region's values."""

from __future__ import annotations

import datetime as dt

from fakturowo_ui.db import session_scope
from fakturowo_ui.services import clients, documents, products, seller, subscriptions, userdata
from fakturowo_ui.services.documents import DocumentForm, ItemForm
from fakturowo_ui.services.sessions import CurrentUser
from tests.unit.factories import make_user


def _holding(email: str, *, invoices: int, clients_: int, products_: int) -> int:
    user_id = make_user(email)
    with session_scope() as session:
        seller.save(session, user_id, seller.SellerForm("Firma Sp. z o.o.", "5260250274", "ul. Długa 1", ""))
        client_ids = [
            clients.create(session, user_id, clients.ClientForm(f"Klient {n}")).id for n in range(clients_)
        ]
        for n in range(products_):
            products.create(session, user_id, products.ProductForm(f"Produkt {n}", "szt.", "10", "23"))
    for _ in range(invoices):
        documents.issue(
            user_id,
            DocumentForm(
                client_ids[0], "2026-11-23", "2026-11-23", [ItemForm("Usługa", "1", "szt.", "100", "23")]
            ),
        )
    return user_id


def _user(user_id: int) -> CurrentUser:
    return CurrentUser(user_id=user_id, email="x@example.com", session_id=0, must_change_password=False)


def test_counts_are_each_users_own(app_env, frozen_clock):
    ania = _holding("ania@example.com", invoices=3, clients_=2, products_=4)
    bartek = _holding("bartek@example.com", invoices=1, clients_=5, products_=0)
    empty = make_user("pusto@example.com")
    with session_scope() as session:
        assert userdata.counts(session, ania) == userdata.DataCounts(documents=3, clients=2, products=4)
        assert userdata.counts(session, bartek) == userdata.DataCounts(documents=1, clients=5, products=0)
        assert userdata.counts(session, empty) == userdata.DataCounts(0, 0, 0)
        assert userdata.counts(session, 999_999) == userdata.DataCounts(0, 0, 0)


def test_the_overview_holds_the_plan_the_counts_and_the_consents(app_env, frozen_clock):
    ania = _holding("ania@example.com", invoices=2, clients_=1, products_=1)
    with session_scope() as session:
        overview = userdata.overview_for(session, _user(ania))
    assert overview.plan == subscriptions.PlanStatus(subscriptions.TRIAL, dt.date(2026, 11, 23), None, None)
    assert overview.counts == userdata.DataCounts(2, 1, 1)
    assert (overview.reminder_consent, overview.info_consent, overview.consent_changes) == (False, False, {})


def test_a_consents_save_says_whether_it_changed_anything_and_when(app_env, frozen_clock):
    ania = make_user("ania@example.com")
    with session_scope() as session:
        first = userdata.save_consents_for(session, _user(ania), reminders=True, info=False)
    assert (first.changed, first.reminder_consent, first.info_consent) == (True, True, False)
    assert first.consent_changes == {"reminders": dt.datetime(2026, 11, 23, 12, 0)}

    frozen_clock.advance(minutes=10)
    with session_scope() as session:
        again = userdata.save_consents_for(session, _user(ania), reminders=True, info=False)
    assert not again.changed and again.consent_changes == first.consent_changes

    with session_scope() as session:
        both = userdata.save_consents_for(session, _user(ania), reminders=False, info=True)
        overview = userdata.overview_for(session, _user(ania))
    assert (both.changed, both.reminder_consent, both.info_consent) == (True, False, True)
    assert both.consent_changes == {
        "reminders": dt.datetime(2026, 11, 23, 12, 10),
        "info": dt.datetime(2026, 11, 23, 12, 10),
    }
    assert (overview.reminder_consent, overview.info_consent) == (False, True)
    assert overview.consent_changes == both.consent_changes
