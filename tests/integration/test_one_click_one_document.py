"""One click, one document (issue 13): the same form sent twice (a double click, a repeated
submit, a reconnect that replays the event) issues one invoice, adds one client, one product;
a fresh form makes a new one; a key of another user's form or of another kind makes nothing odd."""

from __future__ import annotations

import threading

import pytest

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Client, Document, FormSubmission, Product
from fakturowo_ui.services import clients, documents, products, seller
from fakturowo_ui.services.documents import DocumentForm, ItemForm
from fakturowo_ui.services.submissions import new_key
from tests.unit.factories import as_user, count_rows, make_user


@pytest.fixture
def ready(app_env, frozen_clock) -> tuple[int, int]:
    user = make_user("klik@example.com")
    with session_scope() as session:
        seller.save(session, user, seller.SellerForm("Firma Sp. z o.o.", "5260250274", "ul. Długa 1", ""))
        buyer = clients.create(session, user, clients.ClientForm("Kawiarnia Pod Żurawiem"))
        return user, buyer.id


def _form(buyer: int) -> DocumentForm:
    return DocumentForm(buyer, "2026-11-23", "2026-11-23", [ItemForm("Kawa", "2", "szt.", "12,50", "23")])


def _issue(user: int, buyer: int, key: str) -> documents.Issued:
    with session_scope(write_lock=True) as session:
        issued = documents.issue_for(session, as_user(user), _form(buyer), key)
        assert issued.document is not None, issued.refusal
        session.expunge(issued.document)
        return issued


def test_the_same_invoice_form_sent_twice_issues_one_invoice(ready):
    user, buyer = ready
    key = new_key()
    first = _issue(user, buyer, key)
    again = _issue(user, buyer, key)
    assert again.document is not None and first.document is not None
    assert again.document.id == first.document.id and again.document.number == "FV 1/11/2026"
    assert count_rows(Document, Document.user_id == user) == 1
    # A fresh form is a new invoice.
    other = _issue(user, buyer, new_key())
    assert other.document is not None and other.document.number == "FV 2/11/2026"
    assert count_rows(Document, Document.user_id == user) == 2


def test_two_events_with_one_key_at_the_same_moment_issue_one_invoice(ready):
    user, buyer = ready
    key = new_key()
    barrier = threading.Barrier(4)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def click() -> None:
        barrier.wait()
        try:
            issued = _issue(user, buyer, key)
            assert issued.document is not None
            numbers.append(issued.document.number)
        except BaseException as error:  # noqa: BLE001 - collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert numbers == ["FV 1/11/2026"] * 4
    assert count_rows(Document, Document.user_id == user) == 1


@pytest.mark.parametrize(
    "steps, form, model",
    [
        (clients.STEPS, clients.ClientForm("Łódzka Drukarnia"), Client),
        (products.STEPS, products.ProductForm("Kawa", "szt.", "12,50", "23"), Product),
    ],
)
def test_the_same_add_form_sent_twice_adds_one_row(ready, steps, form, model):
    user, _buyer = ready
    before = count_rows(model, model.user_id == user)
    key = new_key()
    with session_scope(write_lock=True) as session:
        first, _page = steps.save_for(session, as_user(user), 0, form, "", 1, key)
        first_id = first.id
    with session_scope(write_lock=True) as session:
        again, page = steps.save_for(session, as_user(user), 0, form, "", 1, key)
        assert again.id == first_id and page.total == before + 1
    assert count_rows(model, model.user_id == user) == before + 1
    with session_scope(write_lock=True) as session:
        steps.save_for(session, as_user(user), 0, form, "", 1, new_key())
    assert count_rows(model, model.user_id == user) == before + 2


def test_keys_that_are_not_keys_are_ignored_and_another_users_key_is_theirs(ready):
    user, buyer = ready
    other = make_user("inny@example.com")
    with session_scope() as session:
        seller.save(session, other, seller.SellerForm("Inna Firma", "5260250274", "ul. Krótka 2", ""))
        their_buyer = clients.create(session, other, clients.ClientForm("Ich klient")).id
    for junk in ("", "x", "<script>", "ą" * 20, "a" * 65):
        _issue(user, buyer, junk)
    assert count_rows(Document, Document.user_id == user) == 5
    assert count_rows(FormSubmission) == 0
    key = new_key()
    mine = _issue(user, buyer, key)
    theirs = _issue(other, their_buyer, key)  # the same key sent by another account: its own invoice
    assert mine.document is not None and theirs.document is not None
    assert theirs.document.user_id == other and theirs.document.id != mine.document.id
