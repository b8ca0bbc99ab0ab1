"""Account deletion through the services, with a real SQLite file and a real SMTP server."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from fakturowo_ui import db
from fakturowo_ui.models import (
    BlockedAddress,
    Client,
    ConsentRecord,
    Document,
    DocumentItem,
    OneTimeToken,
    Product,
    SellerProfile,
    SpentToken,
    User,
)
from fakturowo_ui.services import accounts, deletion, sessions
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.settings import reset_settings_cache
from tests.conftest import action_link, text_of

PASSWORD = "zielony slon 4ever"
BASE = "http://localhost:3000"
MARKERS = ("Hurtownia Żółć Marker", "Produkt Gęślą Marker", "Pozycja Jaźń Marker", "Firma Sprzedawcy Marker")


def make_user(email: str = "ania.nowak@example.com", *, data: bool = True) -> int:
    """A confirmed account with a seller profile, a client, a product and a document."""
    asyncio.run(
        accounts.register(accounts.RegistrationForm(email, PASSWORD, PASSWORD, True, True), "127.0.0.1")
    )
    with db.session_scope() as session:
        user = accounts.find_user(session, email)
        user.email_confirmed_at = user.created_at
        session.add(user)
        user_id = user.id
        if data:
            session.add(
                SellerProfile(
                    user_id=user_id, company_name=MARKERS[3], nip="5260250274", address="ul. Długa 1"
                )
            )
            client = Client(
                user_id=user_id, name=MARKERS[0], nip="", address="Kraków", email="klient@example.com"
            )
            session.add(client)
            session.add(
                Product(
                    user_id=user_id, name=MARKERS[1], unit="szt.", net_price=Decimal("10.00"), vat_rate="23"
                )
            )
            session.flush()
            doc = Document(
                user_id=user_id,
                client_id=client.id,
                number="FV 1/11/2026",
                issue_date=dt.date(2026, 11, 23),
                sale_date=dt.date(2026, 11, 23),
                created_at=user.created_at,
                buyer_name=MARKERS[0],
                total_net=Decimal("10.00"),
                total_vat=Decimal("2.30"),
                total_gross=Decimal("12.30"),
            )
            session.add(doc)
            session.flush()
            session.add(
                DocumentItem(
                    document_id=doc.id,
                    position=1,
                    name=MARKERS[2],
                    quantity=Decimal("1"),
                    unit="szt.",
                    net_price=Decimal("10.00"),
                    vat_rate="23",
                )
            )
        sessions.create(session, user_id)
    return user_id


def request_link(smtp, user_id: int, email: str = "ania.nowak@example.com") -> str:
    asyncio.run(deletion.request_deletion(user_id, box_ticked=True))
    message = smtp.mailbox.last(email, "Potwierdź usunięcie konta")
    link = action_link(message, BASE)
    assert link.startswith(f"{BASE}/usun-konto/?token=")
    return link.split("token=", 1)[1]


def count(model) -> int:
    with db.session_scope() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_box_not_ticked_sends_nothing(smtp):
    user_id = make_user()
    before = len(smtp.mailbox.messages)
    with pytest.raises(DomainError) as refused:
        asyncio.run(deletion.request_deletion(user_id, box_ticked=False))
    assert "zaznacz" in refused.value.message()
    assert len(smtp.mailbox.messages) == before
    assert count(OneTimeToken) == 1  # only the registration's confirmation link


def test_the_mail_says_until_when_and_what_goes(smtp, frozen_clock):
    user_id = make_user()
    request_link(smtp, user_id)
    message = smtp.mailbox.last("ania.nowak@example.com", "Potwierdź usunięcie konta")
    text = text_of(message)
    # 12:00 UTC on 23 November is 13:00 in Warsaw; the link lives an hour.
    assert "ważny do 14:00" in text
    assert "nieodwracalne" in text and "dokumenty (1)" in text and "klientów (1)" in text
    assert "Jeśli to nie Ty" in text
    assert message.get_body(preferencelist=("html",)) is not None
    with db.session_scope() as session:
        stored = session.scalars(
            sa.select(OneTimeToken.token_hash).where(OneTimeToken.purpose == "delete_account")
        ).all()
    token = action_link(message, BASE).split("token=")[1]
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    assert len(token) >= 43  # 256 bits


def test_opening_the_link_changes_nothing_and_shows_the_account(smtp):
    user_id = make_user()
    token = request_link(smtp, user_id)
    for _ in range(3):
        link = deletion.inspect_link(token)
    assert link.state is LinkState.VALID and link.user_id == user_id
    assert link.email == "ania.nowak@example.com"
    assert (link.counts.documents, link.counts.clients, link.counts.products) == (1, 1, 1)
    assert count(User) == 1


def test_full_deletion_erases_everything_and_blocks_the_address(smtp, app_env, caplog):
    caplog.set_level(logging.INFO)
    user_id = make_user()
    other_id = make_user("inny@example.com")
    token = request_link(smtp, user_id)
    result = asyncio.run(deletion.confirm_deletion(token, PASSWORD))
    assert result.outcome is deletion.Outcome.DELETED
    with db.session_scope() as session:
        assert session.get(User, user_id) is None
        assert session.get(User, other_id) is not None
        for model in (Client, Product, Document, SellerProfile, ConsentRecord):
            owners = session.scalars(sa.select(model.user_id)).all()
            assert user_id not in owners, model.__name__
        assert session.scalar(sa.select(sa.func.count()).select_from(DocumentItem)) == 1  # the other user's
        assert session.scalar(sa.select(sa.func.count()).select_from(BlockedAddress)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(SpentToken)) == 1
    goodbye = smtp.mailbox.last("ania.nowak@example.com", "Twoje konto zostało usunięte")
    assert "zostało usunięte" in text_of(goodbye)
    # The link keeps saying it was used, although its account is gone.
    assert deletion.inspect_link(token).state is LinkState.USED
    again = asyncio.run(deletion.confirm_deletion(token, PASSWORD))
    assert again.outcome is deletion.Outcome.LINK_UNUSABLE and again.link_state is LinkState.USED
    # Re-registration is refused in any letter case and with spaces around.
    for variant in ("ania.nowak@example.com", "  ANIA.Nowak@Example.com  "):
        with pytest.raises(DomainError) as blocked:
            asyncio.run(
                accounts.register(accounts.RegistrationForm(variant, PASSWORD, PASSWORD), "127.0.0.2")
            )
        assert "zablokowany" in blocked.value.message()
    # Logs: the audit trail names the user ID, never the token or the address.
    audit = [r.getMessage() for r in caplog.records if r.name == "fakturowo.audit"]
    assert f"deletion requested user_id={user_id}" in audit
    assert f"deletion confirmed user_id={user_id}" in audit
    for record in caplog.records:
        if not record.name.startswith("fakturowo"):
            continue  # the test SMTP server's own log names recipients, as a mail server does
        assert token not in record.getMessage()
        assert "ania.nowak" not in record.getMessage().lower()


def _db_bytes(app_env) -> bytes:
    path = Path(app_env["REFLEX_DB_URL"].removeprefix("sqlite:///"))
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        file = Path(str(path) + suffix)
        if file.exists():
            data += file.read_bytes()
    return data


def test_database_files_keep_no_trace(smtp, app_env):
    user_id = make_user("slad.testowy@example.com")
    before = _db_bytes(app_env)
    assert b"slad.testowy@example.com" in before
    assert MARKERS[0].encode() in before
    token = request_link(smtp, user_id, "slad.testowy@example.com")
    # Later failed logins and a refused registration with the address must not store it either.
    assert asyncio.run(deletion.confirm_deletion(token, PASSWORD)).outcome is deletion.Outcome.DELETED
    for _ in range(3):
        with pytest.raises(DomainError):
            asyncio.run(accounts.log_in("slad.testowy@example.com", "zle haslo zle haslo", "127.0.0.1", None))
    with pytest.raises(DomainError):
        asyncio.run(
            accounts.register(
                accounts.RegistrationForm("Slad.Testowy@example.com", PASSWORD, PASSWORD), "127.0.0.3"
            )
        )
    deletion.checkpoint()
    after = _db_bytes(app_env)
    for needle in ("slad.testowy@example.com", "slad.testowy", *MARKERS):
        assert needle.encode() not in after, needle
        assert needle.encode("utf-16-le") not in after, needle


def test_wrong_password_and_the_fifth_voids(smtp):
    user_id = make_user()
    token = request_link(smtp, user_id)
    for left in (4, 3, 2, 1):
        result = asyncio.run(deletion.confirm_deletion(token, "to nie jest moje haslo"))
        assert result.outcome is deletion.Outcome.WRONG_PASSWORD and result.attempts_left == left
    result = asyncio.run(deletion.confirm_deletion(token, "to nie jest moje haslo"))
    assert result.outcome is deletion.Outcome.VOIDED_NOW
    assert deletion.inspect_link(token).state is LinkState.VOIDED
    # Even the right password cannot use a voided link.
    result = asyncio.run(deletion.confirm_deletion(token, PASSWORD))
    assert result.outcome is deletion.Outcome.LINK_UNUSABLE and result.link_state is LinkState.VOIDED
    assert count(User) == 1


def test_expired_link(smtp, frozen_clock):
    user_id = make_user()
    token = request_link(smtp, user_id)
    frozen_clock.advance(seconds=3601)
    assert deletion.inspect_link(token).state is LinkState.EXPIRED
    result = asyncio.run(deletion.confirm_deletion(token, PASSWORD))
    assert result.link_state is LinkState.EXPIRED
    assert count(User) == 1


def test_short_ttl_from_settings(smtp, frozen_clock, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_DELETION_LINK_TTL_SECONDS", "5")
    reset_settings_cache()
    user_id = make_user()
    token = request_link(smtp, user_id)
    frozen_clock.advance(seconds=4)
    assert deletion.inspect_link(token).state is LinkState.VALID
    frozen_clock.advance(seconds=2)
    assert deletion.inspect_link(token).state is LinkState.EXPIRED


def test_newer_link_supersedes_older(smtp, frozen_clock):
    user_id = make_user()
    first = request_link(smtp, user_id)
    frozen_clock.advance(minutes=4)
    second = request_link(smtp, user_id)
    assert deletion.inspect_link(first).state is LinkState.SUPERSEDED
    result = asyncio.run(deletion.confirm_deletion(first, PASSWORD))
    assert result.link_state is LinkState.SUPERSEDED
    assert asyncio.run(deletion.confirm_deletion(second, PASSWORD)).outcome is deletion.Outcome.DELETED


def test_unknown_and_malformed_links(smtp):
    for token in ("", "x", "a" * 43, "<script>alert(1)</script>", "ą" * 50, "a" * 5000, "a\x00b" * 20):
        assert deletion.inspect_link(token).state is LinkState.INVALID
        assert asyncio.run(deletion.confirm_deletion(token, PASSWORD)).link_state is LinkState.INVALID


def test_mail_rate_limits(smtp, frozen_clock):
    user_id = make_user()
    request_link(smtp, user_id)
    with pytest.raises(DomainError) as too_soon:
        asyncio.run(deletion.request_deletion(user_id, box_ticked=True))
    assert too_soon.value.key == "deletion.too_soon" and "o 13:03" in too_soon.value.message()
    for _ in range(4):
        frozen_clock.advance(minutes=3, seconds=1)
        request_link(smtp, user_id)
    frozen_clock.advance(minutes=3, seconds=1)
    with pytest.raises(DomainError):  # the sixth in a day
        asyncio.run(deletion.request_deletion(user_id, box_ticked=True))
    assert len(smtp.mailbox.to("ania.nowak@example.com")) == 1 + 5


def test_rate_limits_off(smtp, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_RATE_LIMITS", "off")
    reset_settings_cache()
    user_id = make_user()
    for _ in range(7):
        request_link(smtp, user_id)


@pytest.mark.parametrize("failure", ["down", "refuses"])
def test_smtp_failure_leaves_no_usable_link_and_supersedes_nothing(smtp, failure, frozen_clock):
    user_id = make_user()
    first = request_link(smtp, user_id)
    frozen_clock.advance(minutes=4)
    if failure == "down":
        smtp.stop()
    else:
        smtp.mailbox.refuse = True
    with pytest.raises(DomainError) as failed:
        asyncio.run(deletion.request_deletion(user_id, box_ticked=True))
    assert failed.value.key == "deletion.mail_failed"
    assert deletion.inspect_link(first).state is LinkState.VALID
    with db.session_scope() as session:
        tokens = session.scalars(
            sa.select(OneTimeToken).where(OneTimeToken.purpose == "delete_account")
        ).all()
    assert len(tokens) == 1
    # The failure did not count against the limit: the next request goes through at once.
    if failure == "down":
        smtp.start()
    else:
        smtp.mailbox.refuse = False
    second = request_link(smtp, user_id)
    assert deletion.inspect_link(first).state is LinkState.SUPERSEDED
    assert deletion.inspect_link(second).state is LinkState.VALID


def test_goodbye_mail_failure_undoes_nothing(smtp):
    user_id = make_user()
    token = request_link(smtp, user_id)
    smtp.mailbox.refuse = True
    assert asyncio.run(deletion.confirm_deletion(token, PASSWORD)).outcome is deletion.Outcome.DELETED
    assert count(User) == 0


def test_failure_inside_the_transaction_leaves_every_row(smtp, monkeypatch):
    user_id = make_user()
    token = request_link(smtp, user_id)
    tables = (User, Client, Product, Document, DocumentItem, SellerProfile, ConsentRecord, OneTimeToken)
    before = {m.__name__: count(m) for m in tables}

    def explode(*_args, **_kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(deletion.sessions, "end_all", explode)
    with pytest.raises(RuntimeError):
        asyncio.run(deletion.confirm_deletion(token, PASSWORD))
    assert {m.__name__: count(m) for m in tables} == before
    assert count(BlockedAddress) == 0 and count(SpentToken) == 0
    assert deletion.inspect_link(token).state is LinkState.VALID


def test_twenty_simultaneous_confirmations_delete_once(smtp):
    user_id = make_user()
    token = request_link(smtp, user_id)

    async def race():
        return await asyncio.gather(*(deletion.confirm_deletion(token, PASSWORD) for _ in range(20)))

    results = asyncio.run(race())
    outcomes = [r.outcome for r in results]
    assert outcomes.count(deletion.Outcome.DELETED) == 1
    assert all(r.link_state is LinkState.USED for r in results if r.outcome is not deletion.Outcome.DELETED)
    assert count(User) == 0
    assert len(smtp.mailbox.to("ania.nowak@example.com")) == 3  # confirm, link, goodbye


def test_sessions_end_and_unblock_command(smtp):
    from fakturowo_ui import jobs

    user_id = make_user()
    with db.session_scope() as session:
        token = sessions.create(session, user_id)
        assert sessions.resolve(session, token) is not None
    link = request_link(smtp, user_id)
    asyncio.run(deletion.confirm_deletion(link, PASSWORD))
    with db.session_scope() as session:
        assert sessions.resolve(session, token) is None
    assert jobs.main(["unblock-address", "--email", " ANIA.nowak@example.com"]) == 0
    asyncio.run(
        accounts.register(
            accounts.RegistrationForm("ania.nowak@example.com", PASSWORD, PASSWORD), "127.0.0.9"
        )
    )
    assert count(User) == 1


def test_smtp_timeout_is_reported_within_ten_seconds(smtp, monkeypatch):
    """A server that accepts the connection and never answers: the request fails in time."""
    import socket
    import threading
    import time

    user_id = make_user()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_stay_silent():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
    thread.start()
    monkeypatch.setenv("FAKTUROWO_SMTP_PORT", str(listener.getsockname()[1]))
    reset_settings_cache()
    try:
        start = time.monotonic()
        with pytest.raises(DomainError) as failed:
            asyncio.run(deletion.request_deletion(user_id, box_ticked=True))
        elapsed = time.monotonic() - start
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
    assert failed.value.key == "deletion.mail_failed"
    assert elapsed < 10, elapsed
    assert count(OneTimeToken) == 1  # only the registration's confirmation link


def test_every_used_link_keeps_saying_so_after_deletion(smtp):
    email = "uzyte.linki@example.com"
    asyncio.run(accounts.register(accounts.RegistrationForm(email, PASSWORD, PASSWORD), "127.0.0.1"))
    confirm_token = action_link(smtp.mailbox.last(email, "Potwierdź adres email"), BASE).split("token=")[1]
    assert accounts.confirm_email(confirm_token) is LinkState.VALID
    with db.session_scope() as session:
        user_id = accounts.find_user(session, email).id
    unused_first = request_link(smtp, user_id, email)
    with db.session_scope() as session:  # let a second request through at once
        session.execute(sa.text("DELETE FROM rate_limit_hit"))
    token = request_link(smtp, user_id, email)
    assert asyncio.run(deletion.confirm_deletion(token, PASSWORD)).outcome is deletion.Outcome.DELETED
    assert accounts.inspect_confirmation(confirm_token)[0] is LinkState.USED
    assert deletion.inspect_link(token).state is LinkState.USED
    # A link that was never used does not turn into "used": it is simply unknown now.
    assert deletion.inspect_link(unused_first).state is LinkState.INVALID
